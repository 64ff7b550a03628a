/*
 * incident.c - aggregation of signals into incidents (see incident.h).
 *
 * One hash table, keyed by (host, group, window), holds the open
 * incidents; a second maps (host, address) to the indicator a name that
 * resolved to that address matched. Each incident keeps its distinct
 * pieces of evidence (bounded by max-evidence; beyond it only counts grow)
 * and is on a list in order of creation, so closing expired windows and
 * evicting for the memory bound both start from the oldest. Scores and
 * severities follow the policy (common/policy.h).
 */
#include "incident.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "category.h"
#include "digest.h"
#include "eve.h"
#include "jsonw.h"
#include "util.h"
#include "banned.h"

#define INC_BUCKETS 4096
#define ALIAS_BUCKETS 4096
#define ALIAS_MAX 65536
#define STR_SMALL 32
#define STR_MED 128
#define STR_BIG 512

struct evidence {
	enum signal_kind kind;
	enum signal_severity severity;
	char type[STR_SMALL];
	char rule[STR_BIG];
	char observed[STR_BIG];
	char source[STR_MED];
	char app_proto[STR_SMALL];
	struct hd_addr host, peer;
	uint16_t host_port, peer_port;
	uint8_t proto;
	uint64_t flow_id;
	uint64_t count;
	unsigned score;
	struct timeval first, last;
};

struct incident {
	struct incident *hnext, *older, *newer;
	char id[33];
	char group[STR_BIG + 64];
	struct hd_addr host, peer;
	uint64_t bucket;
	const struct category *cat;
	enum signal_severity severity;
	unsigned score;
	uint64_t count;         /* occurrences of its most frequent evidence */
	uint64_t signals;
	struct timeval first, last, written;
	bool dirty, ever_written;
	bool peer_is_resolver;  /* the peer so far is only the DNS server asked */
	struct evidence *ev;
	unsigned nev, cap;
	uint64_t dropped_evidence;
	uint64_t incarnation;   /* which creation of this id in this run */
};

struct alias {
	struct alias *next;
	struct hd_addr host, addr;
	char value[STR_BIG];
};

struct incidents {
	pthread_mutex_t mu;
	const struct policy *pol;
	struct eve *eve;
	char sensor[STR_MED];
	char agency[STR_BIG];
	struct incident *buckets[INC_BUCKETS];
	struct incident *oldest, *newest;
	uint64_t n;
	struct alias *aliases[ALIAS_BUCKETS];
	uint64_t naliases;
	struct timeval now;
	struct incident_stats st;
	uint64_t boot;          /* random per sensor run */
	uint64_t incarnations;  /* incidents created so far in this run */
	incident_sink_fn sink;
	void *sink_arg;
};

static const char *sev_names[5] = { "none", "low", "medium", "high", "critical" };
static const char *kinds[SIG__COUNT] = { "ioc", "yara", "risk", "behaviour" };

struct incidents *incidents_create(const struct policy *pol, struct eve *eve,
				   const char *sensor_id, const char *agency)
{
	struct incidents *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	hd_mutex_init_busy(&t->mu);
	t->pol = pol;
	t->eve = eve_clone(eve);
	if (!t->eve) {
		free(t);
		return NULL;
	}
	str_copy(t->sensor, sensor_id ? sensor_id : "", sizeof(t->sensor));
	str_copy(t->agency, agency ? agency : "", sizeof(t->agency));
	if (getrandom(&t->boot, sizeof(t->boot), GRND_NONBLOCK) != sizeof(t->boot))
		t->boot = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return t;
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t addr_hash(uint64_t h, const struct hd_addr *a)
{
	return hash_bytes(h, a->a, a->family == 4 ? 4 : 16) ^ a->family;
}

static unsigned inc_slot(const struct hd_addr *host, const char *group, uint64_t bucket)
{
	uint64_t h = addr_hash(0xcbf29ce484222325ULL, host);

	h = hash_bytes(h, group, strlen(group));
	h = hash_bytes(h, &bucket, sizeof(bucket));
	return (unsigned)(h % INC_BUCKETS);
}

static unsigned alias_slot(const struct hd_addr *host, const struct hd_addr *addr)
{
	return (unsigned)(addr_hash(addr_hash(0xcbf29ce484222325ULL, host), addr) % ALIAS_BUCKETS);
}

void incidents_alias(struct incidents *t, const struct hd_addr *host,
		     const struct hd_addr *addr, const char *ioc_value, bool replace)
{
	unsigned s = alias_slot(host, addr);
	struct alias *a;

	pthread_mutex_lock(&t->mu);
	for (a = t->aliases[s]; a; a = a->next)
		if (addr_equal(&a->host, host) && addr_equal(&a->addr, addr))
			break;
	if (!a && t->naliases < ALIAS_MAX && (a = calloc(1, sizeof(*a))) != NULL) {
		a->host = *host;
		a->addr = *addr;
		a->next = t->aliases[s];
		t->aliases[s] = a;
		t->naliases++;
	}
	if (a && (replace || !a->value[0]))
		str_copy(a->value, ioc_value, sizeof(a->value));
	pthread_mutex_unlock(&t->mu);
}

static const char *alias_find(struct incidents *t, const struct hd_addr *host,
			      const struct hd_addr *addr)
{
	for (struct alias *a = t->aliases[alias_slot(host, addr)]; a; a = a->next)
		if (addr_equal(&a->host, host) && addr_equal(&a->addr, addr))
			return a->value;
	return NULL;
}

/* The incident id: sensor, host, group and window start, hashed. */
static void make_id(struct incidents *t, struct incident *inc)
{
	char buf[1024], host[HD_ADDRSTRLEN];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int n;

	n = snprintf(buf, sizeof(buf), "%s|%s|%s|%llu", t->sensor,
		     addr_format(&inc->host, host, sizeof(host)), inc->group,
		     (unsigned long long)(inc->bucket * t->pol->window));
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	if (!EVP_Digest(buf, (size_t)n, md, &mdlen, digest_md(DIGEST_SHA256), NULL) || mdlen < 16) {
		snprintf(inc->id, sizeof(inc->id), "%016llx", (unsigned long long)hash_bytes(0xcbf29ce484222325ULL, buf, (size_t)n));
		return;
	}
	hd_hex(inc->id, md, 16);
}

static void list_unlink(struct incidents *t, struct incident *inc)
{
	if (inc->older)
		inc->older->newer = inc->newer;
	else
		t->oldest = inc->newer;
	if (inc->newer)
		inc->newer->older = inc->older;
	else
		t->newest = inc->older;
}

static void ts_json(struct jw *w, const char *key, const struct timeval *tv)
{
	char b[HD_TSLEN];

	ts_format(tv, b, sizeof(b));
	jw_str(w, key, b);
}

static void write_incident(struct incidents *t, struct incident *inc, bool final)
{
	struct jw *w = eve_begin_plain(t->eve, "incident", &inc->last);
	char a[HD_ADDRSTRLEN], run[48];
	const char *line;
	size_t len;

	jw_str(w, "src_ip", addr_format_full(&inc->host, a, sizeof(a)));
	if (inc->peer.family)
		jw_str(w, "dest_ip", addr_format_full(&inc->peer, a, sizeof(a)));
	jw_obj_open(w, "incident");
	jw_str(w, "id", inc->id);
	snprintf(run, sizeof(run), "%016llx-%llu", (unsigned long long)t->boot,
		 (unsigned long long)inc->incarnation);
	jw_str(w, "run", run);
	jw_str(w, "sensor", t->sensor);
	if (t->agency[0])
		jw_str(w, "agency", t->agency);
	jw_str(w, "category", inc->cat->name);
	jw_str(w, "category_vi", inc->cat->name_vi);
	jw_uint(w, "national_type", (uint64_t)inc->cat->national_type);
	jw_str(w, "national_type_name", category_national_name(inc->cat->national_type));
	jw_str(w, "severity", sev_names[inc->severity]);
	jw_uint(w, "score", inc->score);
	jw_str(w, "host", addr_format(&inc->host, a, sizeof(a)));
	if (inc->peer.family)
		jw_str(w, "peer", addr_format(&inc->peer, a, sizeof(a)));
	jw_str(w, "indicator", inc->group);
	ts_json(w, "first_seen", &inc->first);
	ts_json(w, "last_seen", &inc->last);
	jw_uint(w, "count", inc->count);
	jw_uint(w, "signals", inc->signals);
	jw_str(w, "state", final ? "closed" : "open");
	jw_arr_open(w, "evidence");
	for (unsigned i = 0; i < inc->nev; i++) {
		const struct evidence *e = &inc->ev[i];
		jw_obj_open(w, NULL);
		jw_str(w, "kind", kinds[e->kind]);
		if (e->type[0])
			jw_str(w, "type", e->type);
		jw_str(w, e->kind == SIG_IOC ? "indicator" : "rule", e->rule);
		if (e->observed[0])
			jw_str(w, "observed", e->observed);
		if (e->source[0])
			jw_str(w, "source", e->source);
		jw_str(w, "severity", sev_names[e->severity]);
		jw_uint(w, "score", e->score);
		jw_uint(w, "count", e->count);
		ts_json(w, "first_seen", &e->first);
		ts_json(w, "last_seen", &e->last);
		if (e->flow_id) {
			jw_obj_open(w, "flow");
			jw_uint(w, "flow_id", e->flow_id);
			jw_str(w, "host_ip", addr_format(&e->host, a, sizeof(a)));
			if (e->host_port)
				jw_uint(w, "host_port", e->host_port);
			if (e->peer.family)
				jw_str(w, "peer_ip", addr_format(&e->peer, a, sizeof(a)));
			if (e->peer_port)
				jw_uint(w, "peer_port", e->peer_port);
			if (e->app_proto[0])
				jw_str(w, "app_proto", e->app_proto);
			jw_obj_close(w);
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
	if (inc->dropped_evidence)
		jw_uint(w, "evidence_not_kept", inc->dropped_evidence);
	jw_obj_close(w);
	eve_commit(t->eve);
	if (t->sink && (line = eve_last_line(t->eve, &len)))
		t->sink(t->sink_arg, line, len);
	inc->written = t->now;
	inc->dirty = false;
	inc->ever_written = true;
	t->st.updates_written++;
}

static void incident_free(struct incidents *t, struct incident *inc)
{
	struct incident **pp = &t->buckets[inc_slot(&inc->host, inc->group, inc->bucket)];

	while (*pp && *pp != inc)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = inc->hnext;
	list_unlink(t, inc);
	t->n--;
	free(inc->ev);
	free(inc);
}

static void close_incident(struct incidents *t, struct incident *inc)
{
	if (inc->dirty || !inc->ever_written)
		write_incident(t, inc, true);
	t->st.closed++;
	incident_free(t, inc);
}

static enum signal_severity level_of(const struct policy *p, unsigned score)
{
	enum signal_severity s = SIG_SEV_NONE;

	for (int i = 1; i <= 4; i++)
		if (score >= p->threshold[i])
			s = (enum signal_severity)i;
	return s;
}

static unsigned signal_score(const struct policy *p, const struct signal *sig)
{
	uint64_t base, pct = p->sev_pct[sig->severity <= SIG_SEV_CRITICAL ? sig->severity : 0];

	switch (sig->kind) {
	case SIG_IOC: base = p->weight_ioc; break;
	case SIG_YARA: base = p->weight_yara; break;
	case SIG_BEHAVIOUR: base = p->weight_behaviour; break;
	case SIG_RISK: return (unsigned)(sig->weight * p->weight_risk_pct / 100);
	default: base = 0;
	}
	return (unsigned)(base * pct / 100);
}

/* The default category of a signal without one. */
static const char *default_category(const struct signal *sig)
{
	switch (sig->kind) {
	case SIG_IOC: return "malware";
	case SIG_YARA: return "malware";
	case SIG_BEHAVIOUR: return "scanning";
	default: return "other";
	}
}

static void add_evidence(struct incidents *t, struct incident *inc, const struct signal *sig,
			 unsigned score)
{
	struct evidence *e = NULL;

	for (unsigned i = 0; i < inc->nev; i++) {
		struct evidence *x = &inc->ev[i];
		if (x->kind == sig->kind && !strcmp(x->rule, sig->rule ? sig->rule : "") &&
		    !strcmp(x->type, sig->ioc_type ? sig->ioc_type : "") &&
		    !strcmp(x->app_proto, sig->app_proto ? sig->app_proto : "")) {
			e = x;
			break;
		}
	}
	if (!e) {
		if (inc->nev >= t->pol->max_evidence) {
			inc->dropped_evidence++;
			return;
		}
		if (inc->nev == inc->cap) {
			unsigned nc = inc->cap ? inc->cap * 2 : 4;
			struct evidence *ne = realloc(inc->ev, nc * sizeof(*ne));
			if (!ne) {
				inc->dropped_evidence++;
				return;
			}
			inc->ev = ne;
			inc->cap = nc;
		}
		e = &inc->ev[inc->nev++];
		memset(e, 0, sizeof(*e));
		e->kind = sig->kind;
		e->severity = sig->severity;
		str_copy(e->type, sig->ioc_type ? sig->ioc_type : "", sizeof(e->type));
		str_copy(e->rule, sig->rule ? sig->rule : "", sizeof(e->rule));
		str_copy(e->source, sig->source ? sig->source : "", sizeof(e->source));
		str_copy(e->app_proto, sig->app_proto ? sig->app_proto : "", sizeof(e->app_proto));
		e->score = score;
		e->first = sig->ts;
		inc->score += score;
	}
	/* the latest flow and observation stand for the evidence */
	str_copy(e->observed, sig->observed ? sig->observed : "", sizeof(e->observed));
	e->host = sig->host;
	e->peer = sig->peer;
	e->host_port = sig->host_port;
	e->peer_port = sig->peer_port;
	e->proto = sig->proto;
	e->flow_id = sig->flow_id;
	if (timercmp(&sig->ts, &e->last, >))
		e->last = sig->ts;
	e->count++;
	if (e->count > inc->count)
		inc->count = e->count;
	if (sig->severity > inc->severity)
		inc->severity = sig->severity;
}

void incidents_signal(struct incidents *t, const struct signal *sig)
{
	char group[STR_BIG + 64];
	const char *alias = NULL;
	struct incident *inc;
	uint64_t bucket;
	unsigned slot, score;
	enum signal_severity lvl;
	char peer[HD_ADDRSTRLEN];

	pthread_mutex_lock(&t->mu);
	t->st.signals++;
	if (timercmp(&sig->ts, &t->now, >))
		t->now = sig->ts;
	/* an address a matched name resolved to joins that name's incident */
	if (sig->kind != SIG_BEHAVIOUR && sig->peer.family)
		alias = alias_find(t, &sig->host, &sig->peer);
	if (sig->group)
		snprintf(group, sizeof(group), "%s", sig->group);
	else if (alias)
		snprintf(group, sizeof(group), "ioc:%s", alias);
	else if (sig->kind == SIG_BEHAVIOUR && sig->peer.family)
		snprintf(group, sizeof(group), "behaviour:%s:%s", sig->rule ? sig->rule : "",
			 addr_format(&sig->peer, peer, sizeof(peer)));
	else
		snprintf(group, sizeof(group), "%s:%s", kinds[sig->kind], sig->rule ? sig->rule : "");
	bucket = (uint64_t)sig->ts.tv_sec / (t->pol->window ? t->pol->window : 86400);
	slot = inc_slot(&sig->host, group, bucket);
	for (inc = t->buckets[slot]; inc; inc = inc->hnext)
		if (inc->bucket == bucket && addr_equal(&inc->host, &sig->host) &&
		    !strcmp(inc->group, group))
			break;
	if (!inc) {
		while (t->n >= t->pol->max_incidents && t->oldest) {
			t->st.evicted++;
			close_incident(t, t->oldest);
		}
		inc = calloc(1, sizeof(*inc));
		if (!inc) {
			pthread_mutex_unlock(&t->mu);
			return;
		}
		inc->host = sig->host;
		inc->peer = sig->peer;
		inc->incarnation = ++t->incarnations;
		inc->peer_is_resolver = sig->app_proto && !strcmp(sig->app_proto, "dns");
		inc->bucket = bucket;
		str_copy(inc->group, group, sizeof(inc->group));
		inc->cat = category_get(sig->category ? sig->category : default_category(sig));
		inc->first = inc->last = sig->ts;
		make_id(t, inc);
		inc->hnext = t->buckets[slot];
		t->buckets[slot] = inc;
		inc->older = t->newest;
		if (t->newest)
			t->newest->newer = inc;
		else
			t->oldest = inc;
		t->newest = inc;
		t->n++;
		t->st.created++;
	}
	score = signal_score(t->pol, sig);
	inc->signals++;
	add_evidence(t, inc, sig, score);
	if (timercmp(&sig->ts, &inc->last, >))
		inc->last = sig->ts;
	/* the server an indicator is about beats the resolver asked for it */
	if (sig->peer.family && (!inc->peer.family ||
	    (inc->peer_is_resolver && !(sig->app_proto && !strcmp(sig->app_proto, "dns"))))) {
		inc->peer = sig->peer;
		inc->peer_is_resolver = sig->app_proto && !strcmp(sig->app_proto, "dns");
	}
	/* a more specific category wins over the generic default */
	if (sig->category && (!strcmp(inc->cat->name, "malware") || !strcmp(inc->cat->name, "other")) &&
	    strcmp(sig->category, "malware") && strcmp(sig->category, "other"))
		inc->cat = category_get(sig->category);
	lvl = level_of(t->pol, inc->score);
	if (lvl > inc->severity)
		inc->severity = lvl;
	inc->dirty = true;
	if (!inc->ever_written)
		write_incident(t, inc, false);
	pthread_mutex_unlock(&t->mu);
}

void incidents_tick(struct incidents *t, const struct timeval *now)
{
	uint64_t bucket;

	pthread_mutex_lock(&t->mu);
	if (timercmp(now, &t->now, >))
		t->now = *now;
	bucket = (uint64_t)t->now.tv_sec / (t->pol->window ? t->pol->window : 86400);
	for (struct incident *inc = t->oldest, *next; inc; inc = next) {
		next = inc->newer;
		if (inc->bucket < bucket) {
			close_incident(t, inc);
			continue;
		}
		if (inc->dirty && t->now.tv_sec - inc->written.tv_sec >= (long)t->pol->update_interval)
			write_incident(t, inc, false);
	}
	pthread_mutex_unlock(&t->mu);
}

void incidents_suppressed(struct incidents *t)
{
	pthread_mutex_lock(&t->mu);
	t->st.suppressed++;
	pthread_mutex_unlock(&t->mu);
}

void incidents_set_sink(struct incidents *t, incident_sink_fn fn, void *arg)
{
	t->sink = fn;
	t->sink_arg = arg;
}

void incidents_set_policy(struct incidents *t, const struct policy *pol)
{
	pthread_mutex_lock(&t->mu);
	t->pol = pol;
	pthread_mutex_unlock(&t->mu);
}

void incidents_stats_get(struct incidents *t, struct incident_stats *st)
{
	pthread_mutex_lock(&t->mu);
	*st = t->st;
	pthread_mutex_unlock(&t->mu);
}

void incidents_flush(struct incidents *t)
{
	pthread_mutex_lock(&t->mu);
	while (t->oldest)
		close_incident(t, t->oldest);
	pthread_mutex_unlock(&t->mu);
}

void incidents_destroy(struct incidents *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	while (t->oldest)
		close_incident(t, t->oldest);
	for (unsigned i = 0; i < ALIAS_BUCKETS; i++) {
		while (t->aliases[i]) {
			struct alias *a = t->aliases[i];
			t->aliases[i] = a->next;
			free(a);
		}
	}
	pthread_mutex_unlock(&t->mu);
	pthread_mutex_destroy(&t->mu);
	eve_close(t->eve);
	free(t);
}
