/*
 * behave.h - behaviour signals: what a host does over time rather than
 * what one flow contains. Port scans and host sweeps, brute force against
 * authentication services, beaconing to one peer at regular intervals,
 * DNS tunnelling and DGA-looking names.
 *
 * Fed with a summary of every ended flow and every DNS query, from all
 * worker threads (the module locks internally: a scanner's flows land in
 * different workers). State is bounded per host and in number of hosts;
 * the least recently active hosts are evicted and counted. Thresholds come
 * from the scoring policy (rules/policy.conf); what each detector counts,
 * its defaults, bounds and blind spots are in docs/behaviour.md.
 *
 * Ownership: every pointer passed in (flow, names, addresses) is borrowed
 * for the call; what the module keeps it copies, bounded. Signals handed to
 * signal_fn are borrowed for that call only (signal.h).
 */
#ifndef HAIDANG_BEHAVE_H
#define HAIDANG_BEHAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "signals.h"
#include "util.h"

/* The behaviour signal for generated-looking names; nDPI's DGA risk joins
 * its incident. */
#define BEHAVE_DGA "dga_domain"

struct behave_config {
	unsigned window;            /* seconds over which scans and brute force are counted (60) */
	unsigned scan_ports;        /* distinct ports on one peer within window (25) */
	unsigned sweep_hosts;       /* distinct peers on one port within window (25) */
	unsigned sweep_hosts_icmp;  /* distinct peers pinged within window (12) */
	unsigned brute_attempts;    /* short connections to one auth service within window (10) */
	unsigned beacon_min;        /* connections to one peer before judging regularity (8) */
	double beacon_jitter;       /* max relative deviation of intervals, e.g. 0.2 */
	unsigned beacon_min_interval; /* seconds; faster than this is not a beacon (1) */
	unsigned dns_tunnel_queries;/* long/high-entropy names under one domain within window (50) */
	unsigned dns_label_len;     /* a label this long counts as tunnel-like (30) */
	double dga_entropy;         /* min entropy (bits/char) of a generated-looking label (2.5) */
	unsigned max_hosts;         /* hosts tracked (65536) */
	/* Added by behave.c; 0 in any field above or below means its default. */
	uint64_t memcap;            /* bytes of per-host state before LRU eviction (128 MiB) */
};

/* One ended flow, as the flow table saw it. */
struct behave_flow {
	struct hd_addr src, dst;    /* src = client */
	uint16_t sport, dport;
	uint8_t proto;
	const char *app_proto;      /* "ssh", "http", "rdp", ... or NULL */
	struct timeval start, end;
	uint64_t pkts[2], bytes[2]; /* 0 = to server */
	uint8_t tcp_flags[2];
	bool client_home, server_home; /* which ends are the agency's */
	uint64_t flow_id;
	int http_status;            /* last HTTP status seen, 0 if none (brute force on logins) */
	bool http_login;            /* a POST to a login-looking path */
};

struct behave_stats {
	uint64_t flows, dns;        /* calls */
	uint64_t hosts;             /* tracked now */
	uint64_t evicted;           /* hosts dropped for max_hosts or memcap */
	uint64_t scans, sweeps, brute, beacons, dns_tunnels, dga; /* signals raised */
	uint64_t suppressed;        /* signals dropped: per-host signal budget full */
	uint64_t mem;               /* bytes of state now */
};

struct behave;

/* cfg NULL means the defaults; a field left 0 takes its default and values
 * out of range are brought into range (docs/behaviour.md). NULL when out of
 * memory. */
struct behave *behave_create(const struct behave_config *cfg);
void behave_destroy(struct behave *b);
/* Thread-safe. New thresholds (cfg as for behave_create) for a running
 * instance, as on a rules reload: they apply to the counts already kept,
 * except that a changed window starts every count afresh (returns true
 * then). Host memory limits (max_hosts, memcap) apply from the next host
 * added. */
bool behave_reconfigure(struct behave *b, const struct behave_config *cfg);
void behave_config_defaults(struct behave_config *cfg);
/*
 * Thread-safe. Feed every ended flow, answered or not (unanswered SYNs and
 * refused connections are what scans are made of). Signals are raised
 * through fn, called with the lock not held, at most once per key (peer,
 * port, domain) per window and at most 16 per kind per host per window;
 * fn may be NULL. host is the home end of the flow (the client when both
 * or neither are home), peer the other end, or family 0 for a sweep by a
 * host of ours.
 */
void behave_flow(struct behave *b, const struct behave_flow *f, signal_fn fn, void *arg);
/* host sent a query for qname at ts. Thread-safe, as behave_flow. */
void behave_dns_query(struct behave *b, const struct hd_addr *host, const char *qname,
		      const struct timeval *ts, signal_fn fn, void *arg);
void behave_stats_get(struct behave *b, struct behave_stats *st);

/* The registered domain of name as behave.c approximates it: the last two
 * labels, or three when the second-level label is a generic one (com, gov,
 * edu, net, org, ac, co, ...) under a two-letter ccTLD (x.gov.vn) or the
 * zone is a dynamic-DNS provider's (x.ddns.net). Lowercased into buf;
 * returns buf, or NULL when name is not a usable name or does not fit. */
const char *behave_registered_domain(const char *name, char *buf, size_t size);
/* The DGA heuristic alone, without state: true when the first label of
 * name's registered domain looks machine-generated (docs/behaviour.md).
 * min_entropy <= 0 means the default. Pure and thread-safe. */
bool behave_dga_check(const char *name, double min_entropy);

#endif
