/*
 * flow.c - stage 3: the bidirectional flow table (see flow.h).
 *
 * A chained hash table sized from the memory cap, and one list per timeout
 * class (TCP new, established and closed; UDP and other, new and
 * established). Every packet moves
 * its flow to the tail of its list, so each list stays ordered by last
 * activity and expiry only ever looks at list heads: O(1) per packet and
 * per expired flow. When the table is full the least recently active flow
 * of all lists is evicted and counted.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

struct flowtab {
	struct flow **buckets;
	uint64_t nbuckets;     /* power of two */
	uint64_t max_flows;
	struct flow *head[FL__COUNT], *tail[FL__COUNT];
	struct flowtab_config cfg;
	flow_end_fn end;
	void *arg;
	uint64_t seq;
	struct flowtab_stats st;
};

const char *flow_end_name(enum flow_end why)
{
	static const char *n[] = { "timeout", "tcp_closed", "forced", "shutdown",
				   "active_timeout" };
	return why < ARRAY_SIZE(n) ? n[why] : "unknown";
}

struct flowtab *flowtab_create(const struct flowtab_config *cfg, flow_end_fn end,
			       void *arg)
{
	struct flowtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->end = end;
	t->arg = arg;
	t->max_flows = cfg->memcap / (FLOW_COST_ESTIMATE + sizeof(struct flow));
	if (t->max_flows < 64)
		t->max_flows = 64;
	t->nbuckets = 1024;
	while (t->nbuckets < t->max_flows && t->nbuckets < (1u << 24))
		t->nbuckets <<= 1;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Both VLAN tags (QinQ) are part of the flow's identity. */
static uint32_t vlan_key(uint8_t n, const uint16_t *v)
{
	return (n > 0 ? v[0] : 0) | (uint32_t)(n > 1 ? v[1] : 0) << 12 | (uint32_t)n << 24;
}

/* Symmetric: both directions of a flow hash alike. */
static uint64_t tuple_hash(const struct pkt *p)
{
	const struct hd_addr *a = &p->src, *b = &p->dst;
	uint16_t pa = p->sport, pb = p->dport;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ p->proto ^ (uint64_t)vlan_key(p->nvlan, p->vlan) << 8;
	unsigned n = p->ipver == 4 ? 4 : 16;
	int c = addr_compare(a, b);

	if (c > 0 || (c == 0 && pa > pb)) {
		const struct hd_addr *ta = a;
		uint16_t tp = pa;
		a = b;
		b = ta;
		pa = pb;
		pb = tp;
	}
	for (unsigned i = 0; i < n; i += 4) {
		uint32_t wa, wb;
		memcpy(&wa, a->a + i, 4);
		memcpy(&wb, b->a + i, 4);
		h = mix64(h ^ wa ^ (uint64_t)wb << 32);
	}
	return mix64(h ^ pa ^ (uint64_t)pb << 16);
}

uint64_t flow_hash(const struct pkt *p)
{
	return tuple_hash(p);
}

/* Idle past its list's timeout at now, to the microsecond. */
static bool expired(const struct flowtab *t, const struct flow *f, const struct timeval *now)
{
	int64_t idle = ((int64_t)now->tv_sec - f->last.tv_sec) * 1000000 +
		       ((int64_t)now->tv_usec - f->last.tv_usec);

	return idle > (int64_t)t->cfg.timeout[f->list] * 1000000;
}

static void list_unlink(struct flowtab *t, struct flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		t->head[f->list] = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		t->tail[f->list] = f->prev;
	f->prev = f->next = NULL;
}

static void list_append(struct flowtab *t, struct flow *f, uint8_t list)
{
	f->list = list;
	f->prev = t->tail[list];
	f->next = NULL;
	if (t->tail[list])
		t->tail[list]->next = f;
	else
		t->head[list] = f;
	t->tail[list] = f;
}

static void flow_remove(struct flowtab *t, struct flow *f, enum flow_end why)
{
	struct flow **pp;
	struct pkt k;

	k.src = f->src;
	k.dst = f->dst;
	k.sport = f->sport;
	k.dport = f->dport;
	k.proto = f->proto;
	k.ipver = f->ipver;
	k.nvlan = f->nvlan;
	memcpy(k.vlan, f->vlan, sizeof(k.vlan));
	pp = &t->buckets[tuple_hash(&k) & (t->nbuckets - 1)];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	list_unlink(t, f);
	t->end(t->arg, f, why);
	t->st.ended++;
	t->st.active--;
	free(f);
}

static bool tuple_match(const struct flow *f, const struct pkt *p, int *dir)
{
	if (f->proto != p->proto ||
	    vlan_key(f->nvlan, f->vlan) != vlan_key(p->nvlan, p->vlan))
		return false;
	if (f->sport == p->sport && f->dport == p->dport &&
	    addr_equal(&f->src, &p->src) && addr_equal(&f->dst, &p->dst)) {
		*dir = 0;
		return true;
	}
	if (f->sport == p->dport && f->dport == p->sport &&
	    addr_equal(&f->src, &p->dst) && addr_equal(&f->dst, &p->src)) {
		*dir = 1;
		return true;
	}
	return false;
}

/* The flow idle the longest: the oldest of the lists' heads. */
static struct flow *oldest_flow(const struct flowtab *t)
{
	struct flow *oldest = NULL;

	for (int l = 0; l < FL__COUNT; l++) {
		struct flow *h = t->head[l];
		if (h && (!oldest || timercmp(&h->last, &oldest->last, <)))
			oldest = h;
	}
	return oldest;
}

static void evict_one(struct flowtab *t)
{
	struct flow *victim = oldest_flow(t);

	if (victim) {
		t->st.evicted++;
		flow_remove(t, victim, FLOW_END_EVICTED);
	}
}

static uint8_t list_for(const struct flow *f)
{
	if (f->proto == 6) {
		if (f->rst_seen || f->fin_seen == 3)
			return FL_TCP_CLOSED;
		return f->both_dirs ? FL_TCP_EST : FL_TCP_NEW;
	}
	if (f->proto == 17)
		return f->both_dirs ? FL_UDP_EST : FL_UDP_NEW;
	return f->both_dirs ? FL_OTHER_EST : FL_OTHER_NEW;
}

static struct flow *flow_new(struct flowtab *t, const struct pkt *p, uint64_t slot)
{
	struct flow *f;

	if (t->st.active >= t->max_flows)
		evict_one(t);
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->src = p->src;
	f->dst = p->dst;
	f->sport = p->sport;
	f->dport = p->dport;
	/* a SYN+ACK seen first: its receiver opened the connection */
	if (p->proto == 6 && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		f->src = p->dst;
		f->dst = p->src;
		f->sport = p->dport;
		f->dport = p->sport;
	}
	f->proto = p->proto;
	f->ipver = p->ipver;
	f->nvlan = p->nvlan;
	memcpy(f->vlan, p->vlan, sizeof(f->vlan));
	f->tunnel = p->tunnel;
	f->tunnel_proto = p->tunnel_proto;
	f->tun_src = p->tun_src;
	f->tun_dst = p->tun_dst;
	f->icmp_type = p->icmp_type;
	f->icmp_code = p->icmp_code;
	f->start = f->last = p->ts;
	f->first_pkt_num = p->num;
	f->id = mix64(++t->seq ^ t->cfg.id_seed) & ((1ULL << 51) - 1);
	f->hnext = t->buckets[slot];
	t->buckets[slot] = f;
	list_append(t, f, list_for(f));
	t->st.created++;
	t->st.active++;
	if (t->st.active > t->st.max_active)
		t->st.max_active = t->st.active;
	return f;
}

struct flow *flowtab_packet(struct flowtab *t, const struct pkt *p, int *dir)
{
	uint64_t slot = tuple_hash(p) & (t->nbuckets - 1);
	struct flow *f;

	for (f = t->buckets[slot]; f; f = f->hnext)
		if (tuple_match(f, p, dir))
			break;
	if (f && f->proto == 6 && f->list == FL_TCP_CLOSED && *dir == 0 &&
	    (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		/* port reuse: a new connection on a closed tuple */
		flow_remove(t, f, FLOW_END_TCP_CLOSED);
		f = NULL;
	} else if (f && expired(t, f, &p->ts)) {
		/* timed out between two expiry passes: this packet starts anew */
		flow_remove(t, f, f->list == FL_TCP_CLOSED ? FLOW_END_TCP_CLOSED : FLOW_END_TIMEOUT);
		f = NULL;
	}
	if (!f) {
		f = flow_new(t, p, slot);
		if (!f)
			return NULL;
		*dir = tuple_match(f, p, dir) ? *dir : 0;
	}
	if (t->cfg.active_timeout &&
	    p->ts.tv_sec - f->start.tv_sec >= (long)t->cfg.active_timeout) {
		t->end(t->arg, f, FLOW_END_ACTIVE_TIMEOUT);
		t->st.active_reports++;
		memset(f->pkts, 0, sizeof(f->pkts));
		memset(f->bytes, 0, sizeof(f->bytes));
		memset(f->tcp_flags, 0, sizeof(f->tcp_flags));
		f->start = p->ts;
	}
	f->pkts[*dir]++;
	/* tunnelled: the inner frame, as Suricata counts it */
	f->bytes[*dir] += p->tunnel ? p->inner_len : p->wirelen;
	if (p->paylen || p->carrier)
		f->payload_seen = true;
	if (timercmp(&p->ts, &f->last, >))
		f->last = p->ts;
	if (*dir == 1)
		f->both_dirs = true;
	if (p->proto == 6) {
		f->tcp_flags[*dir] |= p->tcp_flags;
		if (p->tcp_flags & TCP_FIN)
			f->fin_seen |= (uint8_t)(1u << *dir);
		if (p->tcp_flags & TCP_RST)
			f->rst_seen = true;
	}
	list_unlink(t, f);
	list_append(t, f, list_for(f));
	return f;
}

void flowtab_expire(struct flowtab *t, const struct timeval *now)
{
	for (int l = 0; l < FL__COUNT; l++)
		while (t->head[l] && expired(t, t->head[l], now))
			flow_remove(t, t->head[l],
				    l == FL_TCP_CLOSED ? FLOW_END_TCP_CLOSED : FLOW_END_TIMEOUT);
}

void flowtab_flush(struct flowtab *t)
{
	struct flow *f;

	/* oldest first across lists, so output order follows activity */
	while ((f = oldest_flow(t)) != NULL)
		flow_remove(t, f, FLOW_END_SHUTDOWN);
}

void flowtab_destroy(struct flowtab *t)
{
	if (!t)
		return;
	flowtab_flush(t);
	free(t->buckets);
	free(t);
}

const struct flowtab_stats *flowtab_stats(const struct flowtab *t)
{
	return &t->st;
}

uint64_t flowtab_max_flows(const struct flowtab *t)
{
	return t->max_flows;
}
