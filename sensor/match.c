/*
 * match.c - indicator lookups and nDPI risk signals (see match.h).
 *
 * Every function here is called from a worker thread with that worker's
 * current ruleset; the index is read-only, the incident table locks
 * itself. Nothing here allocates on the per-packet path.
 */
#include "match.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "behave.h"
#include "dpi.h"
#include "incident.h"
#include "log.h"
#include "ruleset.h"
#include "yararules.h"
#include "banned.h"

static bool in_home(const struct match *m, const struct hd_addr *a)
{
	return cidr_list_contains(m->home, m->nhome, a);
}

void match_signal_endpoints(const struct match *m, const struct flow *f, struct signal *s)
{
	bool src_home = in_home(m, &f->src), dst_home = in_home(m, &f->dst);
	bool host_is_dst = dst_home && !src_home;

	s->host = host_is_dst ? f->dst : f->src;
	s->peer = host_is_dst ? f->src : f->dst;
	s->host_port = host_is_dst ? f->dport : f->sport;
	s->peer_port = host_is_dst ? f->sport : f->dport;
	s->proto = f->proto;
	s->flow_id = f->id;
	s->app_proto = dpi_app_proto(f);
}

static enum signal_severity sev_of(enum ioc_severity s)
{
	return (enum signal_severity)s;
}

static void raise_ioc(struct match *m, const struct flow *f, const struct ioc_entry *e,
		      const char *observed, const char *where, const struct timeval *ts,
		      bool host_is_addr_end, const struct hd_addr *addr)
{
	struct signal s;
	char obs[512];

	memset(&s, 0, sizeof(s));
	match_signal_endpoints(m, f, &s);
	/* an address indicator names its own end: the host is the other one */
	if (host_is_addr_end && addr && addr_equal(&s.host, addr) && !in_home(m, addr)) {
		struct hd_addr t = s.host;
		uint16_t tp = s.host_port;
		s.host = s.peer;
		s.peer = t;
		s.host_port = s.peer_port;
		s.peer_port = tp;
	}
	s.kind = SIG_IOC;
	s.severity = sev_of(e->severity);
	s.rule = e->value;
	s.ioc_type = ioc_type_name(e->type);
	snprintf(obs, sizeof(obs), "%s%s%s", observed, where ? " in " : "", where ? where : "");
	s.observed = obs;
	s.source = e->source;
	s.category = e->category;
	if (where && (!strcmp(where, "dns") || !strcmp(where, "dns-cname")))
		s.app_proto = "dns";
	s.ts = *ts;
	m->hits++;
	incidents_signal(m->incidents, &s);
	/* the flow's server is now this indicator's for the host */
	if (s.peer.family && !in_home(m, &s.peer))
		incidents_alias(m->incidents, &s.host, &s.peer, e->value, false);
}

static bool usable(struct match *m, struct ioc_hit h)
{
	if (!h.ioc)
		return false;
	if (h.allow) {
		m->suppressed++;
		incidents_suppressed(m->incidents);
		return false;
	}
	return true;
}

void match_flow_start(struct match *m, const struct flow *f, const struct timeval *ts)
{
	const struct ioc_index *x = m->rules ? m->rules->ioc : NULL;
	const struct hd_addr *ends[2] = { &f->dst, &f->src };
	char a[HD_ADDRSTRLEN];

	if (!x || !m->incidents)
		return;
	for (int i = 0; i < 2; i++) {
		struct ioc_hit h = ioc_lookup_ip(x, ends[i]);
		/* raise_ioc also makes the listed server this indicator's for
		 * the host, so what else the flow shows joins the incident */
		if (usable(m, h))
			raise_ioc(m, f, h.ioc, addr_format(ends[i], a, sizeof(a)), "flow", ts,
				  true, ends[i]);
	}
}

void match_domain(struct match *m, const struct flow *f, const char *name,
		  const char *where, const struct timeval *ts)
{
	const struct ioc_index *x = m->rules ? m->rules->ioc : NULL;
	struct ioc_hit h;

	if (!x || !m->incidents || !name || !*name)
		return;
	h = ioc_lookup_domain(x, name);
	if (usable(m, h))
		raise_ioc(m, f, h.ioc, name, where, ts, false, NULL);
}

void match_dns_addresses(struct match *m, const struct flow *f, const char *qname,
			 const struct hd_addr *addrs, size_t n)
{
	const struct ioc_index *x = m->rules ? m->rules->ioc : NULL;
	struct ioc_hit h;
	struct signal s;

	if (!x || !m->incidents || !qname || !*qname || !n)
		return;
	h = ioc_lookup_domain(x, qname);
	if (!h.ioc || h.allow)
		return;
	memset(&s, 0, sizeof(s));
	match_signal_endpoints(m, f, &s);
	for (size_t i = 0; i < n; i++)
		incidents_alias(m->incidents, &s.host, &addrs[i], h.ioc->value, true);
}

void match_url(struct match *m, const struct flow *f, const char *host,
	       const char *uri, const struct timeval *ts)
{
	const struct ioc_index *x = m->rules ? m->rules->ioc : NULL;
	char url[4096];
	struct ioc_hit h;

	if (!x || !m->incidents || !uri || !*uri)
		return;
	if (!strncmp(uri, "http://", 7) || !strncmp(uri, "https://", 8))
		str_copy(url, uri, sizeof(url));
	else if (host && *host)
		snprintf(url, sizeof(url), "http://%s%s%s", host, uri[0] == '/' ? "" : "/", uri);
	else
		return;
	h = ioc_lookup_url(x, url);
	if (usable(m, h))
		raise_ioc(m, f, h.ioc, url, "http", ts, false, NULL);
}

void match_value(struct match *m, const struct flow *f, enum ioc_type t,
		 const char *value, const char *where, const struct timeval *ts)
{
	const struct ioc_index *x = m->rules ? m->rules->ioc : NULL;
	struct ioc_hit h;

	if (!x || !m->incidents || !value || !*value)
		return;
	h = ioc_lookup(x, t, value);
	if (usable(m, h))
		raise_ioc(m, f, h.ioc, value, where, ts, false, NULL);
}

/* haidang's category for an nDPI risk, by its name. */
static const char *risk_category(const char *name)
{
	static const struct { const char *word, *cat; } map[] = {
		{ "SQL", "exploit" }, { "XSS", "exploit" }, { "RCE", "exploit" },
		{ "Injection", "exploit" }, { "Malicious", "c2" }, { "DGA", "malware" },
		{ "Binary", "malware" }, { "TOR", "policy" }, { "Tor", "policy" },
		{ "DNS", "tunnelling" }, { "Suspicious Entropy", "exfiltration" },
		{ "Exfil", "exfiltration" }, { "Mining", "mining" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strstr(name, map[i].word))
			return map[i].cat;
	return "other";
}

void match_flow_risks(struct match *m, const struct flow *f)
{
	uint64_t min = m->rules ? m->rules->policy.risk_min_score : 100;

	if (!m->incidents || !f->dpi.risk)
		return;
	for (unsigned b = 0; b < 64; b++) {
		struct signal s;
		unsigned score;
		const char *sev;

		if (!(f->dpi.risk & (1ULL << b)))
			continue;
		score = dpi_risk_bit_score(b);
		if (score < min)
			continue;
		memset(&s, 0, sizeof(s));
		match_signal_endpoints(m, f, &s);
		s.kind = SIG_RISK;
		s.rule = dpi_risk_name(b);
		s.source = "ndpi";
		s.observed = s.app_proto ? s.app_proto : "flow";
		s.category = risk_category(s.rule);
		/* the same finding as the behaviour module's own DGA check */
		if (dpi_risk_is_dga(b))
			s.group = "behaviour:" BEHAVE_DGA;
		s.weight = score;
		sev = dpi_risk_severity(b);
		s.severity = !strcmp(sev, "Low") ? SIG_SEV_LOW :
			     !strcmp(sev, "Medium") ? SIG_SEV_MEDIUM :
			     !strcmp(sev, "High") ? SIG_SEV_HIGH : SIG_SEV_CRITICAL;
		s.ts = f->last;
		incidents_signal(m->incidents, &s);
	}
}

void match_yara(struct match *m, const struct flow *f, const char *rule, const char *ns,
		const char *severity, const char *category, const char *observed,
		const struct timeval *ts)
{
	struct signal s;
	enum ioc_severity sev = IOC_SEV_HIGH;

	if (!m->incidents)
		return;
	if (severity)
		ioc_severity_parse(severity, &sev);
	memset(&s, 0, sizeof(s));
	match_signal_endpoints(m, f, &s);
	s.kind = SIG_YARA;
	s.rule = rule;
	s.source = ns;
	s.category = category;
	s.severity = sev_of(sev ? sev : IOC_SEV_HIGH);
	s.observed = observed;
	s.ts = *ts;
	m->hits++;
	incidents_signal(m->incidents, &s);
}

static void behave_signal(void *arg, const struct signal *sig)
{
	struct match *m = arg;

	incidents_signal(m->incidents, sig);
}

void match_behave_flow(struct match *m, const struct flow *f)
{
	struct behave_flow b;

	if (!m->behave || !m->incidents)
		return;
	memset(&b, 0, sizeof(b));
	b.src = f->src;
	b.dst = f->dst;
	b.sport = f->sport;
	b.dport = f->dport;
	b.proto = f->proto;
	b.app_proto = dpi_app_proto(f);
	b.start = f->start;
	b.end = f->last;
	memcpy(b.pkts, f->pkts, sizeof(b.pkts));
	memcpy(b.bytes, f->bytes, sizeof(b.bytes));
	memcpy(b.tcp_flags, f->tcp_flags, sizeof(b.tcp_flags));
	b.client_home = in_home(m, &f->src);
	b.server_home = in_home(m, &f->dst);
	b.flow_id = f->id;
	b.http_status = f->http_status;
	b.http_login = f->http_login;
	behave_flow(m->behave, &b, behave_signal, m);
}

void match_behave_dns(struct match *m, const struct flow *f, const char *qname,
		      const struct timeval *ts)
{
	struct signal s;

	if (!m->behave || !m->incidents || !qname || !*qname)
		return;
	memset(&s, 0, sizeof(s));
	match_signal_endpoints(m, f, &s);
	behave_dns_query(m->behave, &s.host, qname, ts, behave_signal, m);
}

struct scan_ctx {
	struct match *m;
	const struct flow *f;
	const char *where;
	const struct timeval *ts;
	unsigned matched;
};

static bool on_yara(void *arg, const struct yrr_match *ym)
{
	struct scan_ctx *c = arg;

	c->matched++;
	match_yara(c->m, c->f, ym->rule, ym->ns, ym->severity, ym->category, c->where, c->ts);
	return true;
}

#define TIMEOUT_LOG_MS 60000

/* A pathological rule (or input crafted against one) must be visible: say
 * which flow, how much data, which rule set and how long it really took
 * (libyara looks at its clock only every 4 KiB, so a scan can overrun). */
static void scan_timed_out(struct match *m, const struct flow *f, size_t len,
			   const char *where, uint64_t took_ms)
{
	uint64_t now = time_mono_ms();
	char a[HD_ADDRSTRLEN], b[HD_ADDRSTRLEN];
	const char *dir = m->rules && m->rules->dir[0] ? m->rules->dir : "(none)";

	m->scan_timeouts++;
	if (m->timeout_logged_ms && now - m->timeout_logged_ms < TIMEOUT_LOG_MS) {
		m->timeouts_unlogged++;
		return;
	}
	log_warn("yara: scan of %s of flow %llu (%s:%u -> %s:%u, %zu bytes) gave up after %llu ms (--yara-timeout %u s), rules %s/yara generation %llu: its YARA matches are lost; %llu timeouts in this worker so far, %llu not logged",
		 where, (unsigned long long)f->id, addr_format(&f->src, a, sizeof(a)), f->sport,
		 addr_format(&f->dst, b, sizeof(b)), f->dport, len, (unsigned long long)took_ms,
		 m->scan_timeout_s, dir,
		 (unsigned long long)(m->rules ? m->rules->generation : 0),
		 (unsigned long long)m->scan_timeouts, (unsigned long long)m->timeouts_unlogged);
	m->timeout_logged_ms = now;
	m->timeouts_unlogged = 0;
}

/* Returns true when the scan ran to its end and no rule matched. */
static bool scan(struct match *m, const struct flow *f, const uint8_t *data, size_t len,
		 const char *where, const struct timeval *ts)
{
	struct scan_ctx c = { m, f, where, ts, 0 };
	uint64_t t0 = time_mono_ms();
	int r;

	m->scans++;
	m->scan_bytes += len;
	r = yrr_scan(m->scanner, data, len, on_yara, &c);
	if (r == -ETIMEDOUT)
		scan_timed_out(m, f, len, where, time_mono_ms() - t0);
	return r == 0 && !c.matched;
}

void match_scan(struct match *m, const struct flow *f, const uint8_t *data, size_t len,
		const char *where, const struct timeval *ts)
{
	if (!m->scanner || !m->incidents || !len)
		return;
	scan(m, f, data, len, where, ts);
}

/* The slot of digest d in the memory of clean files, emptied first if
 * the rules changed since it was filled; NULL without memory. */
static uint8_t *clean_slot(struct match *m, const uint8_t d[32])
{
	uint64_t gen = m->rules ? m->rules->generation : 0;
	uint32_t k;

	if (!m->clean && !(m->clean = calloc(MATCH_CLEAN_SLOTS, sizeof(*m->clean))))
		return NULL;
	if (m->clean_generation != gen) {
		memset(m->clean, 0, MATCH_CLEAN_SLOTS * sizeof(*m->clean));
		m->clean_generation = gen;
	}
	memcpy(&k, d, sizeof(k));
	return m->clean[k % MATCH_CLEAN_SLOTS];
}

void match_scan_file(struct match *m, const struct flow *f, const uint8_t *sha256,
		     const uint8_t *data, size_t len, const char *where,
		     const struct timeval *ts)
{
	uint8_t *slot = NULL;

	if (!m->scanner || !m->incidents || !len)
		return;
	if (sha256 && (slot = clean_slot(m, sha256)) && !memcmp(slot, sha256, 32)) {
		m->scans_known_clean++;
		return;
	}
	if (scan(m, f, data, len, where, ts) && slot)
		memcpy(slot, sha256, 32);
}

void match_release(struct match *m)
{
	free(m->clean);
	m->clean = NULL;
}
