/*
 * defrag.c - stage 2b: IP fragment reassembly (see defrag.h).
 *
 * Datagrams in progress live in a small hash table keyed by addresses, IP
 * id, protocol and VLAN, and on a list ordered by first arrival for
 * expiry and eviction. Coverage is tracked in 8-byte units with a bitmap,
 * so overlaps and duplicates are detected exactly; the first copy of any
 * byte wins. The reassembled packet is rebuilt from the first fragment's
 * header. Nothing here trusts the offsets it reads: every copy is checked
 * against the 64 KiB datagram limit.
 */
#include "defrag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define DF_BUCKETS 1024
#define DF_MAX_DGRAM 65535u
#define DF_UNITS ((DF_MAX_DGRAM + 8) / 8)

struct dgram {
	struct dgram *hnext, *prev, *next;
	struct hd_addr src, dst;
	uint32_t id;
	uint32_t vlan;      /* both tags */
	uint8_t proto, ipver;
	struct timeval first;
	uint8_t *data;      /* payload after the IP header(s) */
	uint32_t cap;       /* bytes allocated in data */
	uint32_t total;     /* payload length once the last fragment is seen, else 0 */
	uint32_t covered;   /* bytes covered so far */
	uint8_t hdr[512];   /* header of the fragment at offset 0 */
	uint16_t hdrlen;
	uint16_t nh_off;
	uint8_t nh;
	bool have_first;
	uint8_t bitmap[DF_UNITS / 8 + 1];
};

struct defrag {
	struct dgram *buckets[DF_BUCKETS];
	struct dgram *oldest, *newest;
	uint64_t memcap;
	unsigned timeout;
	uint8_t out[DF_MAX_DGRAM + 512];
	struct defrag_stats st;
};

struct defrag *defrag_create(uint64_t memcap, unsigned timeout_s)
{
	struct defrag *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->memcap = memcap;
	d->timeout = timeout_s;
	return d;
}

static uint32_t vlan_of(const struct pkt *p)
{
	return (p->nvlan > 0 ? p->vlan[0] : 0) | (uint32_t)(p->nvlan > 1 ? p->vlan[1] : 0) << 16;
}

static unsigned df_hash(const struct pkt *p)
{
	uint32_t h = p->frag_id * 2654435761u ^ p->proto;
	unsigned n = p->src.family == 4 ? 4 : 16;

	for (unsigned i = 0; i < n; i++)
		h = (h ^ p->src.a[i] ^ (uint32_t)p->dst.a[i] << 8) * 16777619u;
	return h % DF_BUCKETS;
}

static unsigned dgram_hash(const struct dgram *g)
{
	struct pkt p;

	p.frag_id = g->id;
	p.proto = g->proto;
	p.src = g->src;
	p.dst = g->dst;
	return df_hash(&p);
}

static void dgram_free(struct defrag *d, struct dgram *g)
{
	struct dgram **pp = &d->buckets[dgram_hash(g)];

	while (*pp && *pp != g)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = g->hnext;
	if (g->prev)
		g->prev->next = g->next;
	else
		d->oldest = g->next;
	if (g->next)
		g->next->prev = g->prev;
	else
		d->newest = g->prev;
	d->st.bytes_held -= g->cap + sizeof(*g);
	free(g->data);
	free(g);
}

void defrag_destroy(struct defrag *d)
{
	if (!d)
		return;
	while (d->oldest)
		dgram_free(d, d->oldest);
	free(d);
}

void defrag_expire(struct defrag *d, const struct timeval *now)
{
	while (d->oldest && now->tv_sec - d->oldest->first.tv_sec > (long)d->timeout) {
		dgram_free(d, d->oldest);
		d->st.timeouts++;
	}
}

const struct defrag_stats *defrag_stats(const struct defrag *d)
{
	return &d->st;
}

static bool bit_get(const uint8_t *b, uint32_t i) { return b[i / 8] & (1u << (i % 8)); }
static void bit_set(uint8_t *b, uint32_t i) { b[i / 8] |= (uint8_t)(1u << (i % 8)); }

static struct dgram *dgram_find(struct defrag *d, const struct pkt *p, unsigned h)
{
	uint32_t vlan = vlan_of(p);

	for (struct dgram *g = d->buckets[h]; g; g = g->hnext)
		if (g->id == p->frag_id && g->proto == p->proto && g->vlan == vlan &&
		    g->ipver == p->ipver && addr_equal(&g->src, &p->src) &&
		    addr_equal(&g->dst, &p->dst))
			return g;
	return NULL;
}

static int build(struct defrag *d, struct dgram *g, const uint8_t **ip, uint32_t *len)
{
	uint32_t n = g->hdrlen + g->total;

	if (n > sizeof(d->out))
		return -EMSGSIZE;
	memcpy(d->out, g->hdr, g->hdrlen);
	memcpy(d->out + g->hdrlen, g->data, g->total);
	if (g->ipver == 4) {
		d->out[2] = (uint8_t)(n >> 8);
		d->out[3] = (uint8_t)n;
		d->out[6] = d->out[7] = 0;
	} else {
		uint32_t pl = n - 40;
		if (pl > 0xffff)
			return -EMSGSIZE;
		d->out[4] = (uint8_t)(pl >> 8);
		d->out[5] = (uint8_t)pl;
		d->out[g->nh_off] = g->nh;
	}
	*ip = d->out;
	*len = n;
	return 1;
}

int defrag_add(struct defrag *d, const struct pkt *p, const uint8_t **ip,
	       uint32_t *len)
{
	unsigned h = df_hash(p);
	struct dgram *g = dgram_find(d, p, h);
	uint32_t end = p->frag_off + p->frag_len;
	int r = 0;

	d->st.fragments++;
	if (end > DF_MAX_DGRAM || p->frag_hdrlen > sizeof(g->hdr))
		return -EMSGSIZE;
	if (!g) {
		while (d->oldest && d->st.bytes_held + sizeof(*g) > d->memcap) {
			dgram_free(d, d->oldest);
			d->st.evicted++;
		}
		g = calloc(1, sizeof(*g));
		if (!g)
			return -ENOMEM;
		g->src = p->src;
		g->dst = p->dst;
		g->id = p->frag_id;
		g->proto = p->proto;
		g->ipver = p->ipver;
		g->vlan = vlan_of(p);
		g->first = p->ts;
		g->hnext = d->buckets[h];
		d->buckets[h] = g;
		g->prev = d->newest;
		if (d->newest)
			d->newest->next = g;
		else
			d->oldest = g;
		d->newest = g;
		d->st.bytes_held += sizeof(*g);
	}
	if (end > g->cap) {
		uint32_t ncap = end < 2048 ? 2048 : end;
		uint8_t *nd;
		if (d->st.bytes_held + (ncap - g->cap) > d->memcap) {
			d->st.evicted++;
			dgram_free(d, g);
			return -ENOSPC;
		}
		nd = realloc(g->data, ncap);
		if (!nd)
			return -ENOMEM;
		d->st.bytes_held += ncap - g->cap;
		g->data = nd;
		g->cap = ncap;
	}
	if (!p->frag_more) {
		if (g->total && g->total != end) {
			dgram_free(d, g);
			return -EINVAL;
		}
		g->total = end;
	}
	if (p->frag_off == 0 && !g->have_first) {
		memcpy(g->hdr, p->l3, p->frag_hdrlen);
		g->hdrlen = p->frag_hdrlen;
		g->nh_off = p->frag_nh_off;
		g->nh = p->frag_nh;
		g->have_first = true;
	}
	/* copy unit by unit, keeping bytes already present (first wins) */
	for (uint32_t u = p->frag_off / 8; u * 8 < end; u++) {
		uint32_t from = u * 8, to = from + 8 < end ? from + 8 : end;
		if (bit_get(g->bitmap, u)) {
			r = 1;
			continue;
		}
		memcpy(g->data + from, p->frag_data + (from - p->frag_off), to - from);
		bit_set(g->bitmap, u);
		g->covered += to - from;
	}
	if (r)
		d->st.overlaps++;
	if (g->total && g->have_first && g->covered >= g->total) {
		r = build(d, g, ip, len);
		d->st.reassembled += r == 1;
		/* the output buffer is separate, so the entry can go now */
		dgram_free(d, g);
		return r;
	}
	return 0;
}
