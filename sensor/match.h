/*
 * match.h - the indicator stage: looks up what the other stages saw in
 * the IOC index and turns hits into signals for the incident table.
 *
 * Where each indicator type is checked: ip/cidr on both endpoints when a
 * flow starts; domain on DNS questions, CNAMEs in DNS answers, TLS and
 * QUIC server names and HTTP hosts; url on HTTP requests; ja3, ja3s and
 * cert_sha1 on TLS (and ja3 on QUIC); md5/sha1/sha256 on files carried in
 * HTTP bodies. nDPI's flow risks become signals at the end of the flow,
 * weighted by their nDPI score. A hit that the allow list covers is
 * counted and dropped.
 */
#ifndef HAIDANG_MATCH_H
#define HAIDANG_MATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "flow.h"
#include "ioc.h"
#include "signals.h"

struct incidents;
struct ruleset;
struct dpi;
struct behave;
struct yrr_scanner;

struct match {
	const struct ruleset *rules;   /* the worker's current ruleset */
	struct incidents *incidents;
	const struct cidr *home;
	size_t nhome;
	struct dpi *dpi;
	struct behave *behave;         /* shared by all workers, or NULL */
	struct yrr_scanner *scanner;   /* this worker's, for rules->yara */
	unsigned scan_timeout_s;       /* the scanner's timeout, for the log */
	uint64_t scans, scan_bytes, scan_timeouts;
	uint64_t timeout_logged_ms, timeouts_unlogged;
	uint64_t hits, suppressed;
	/* Files no YARA rule matched, by sha256: the same file fetched again
	 * (a script every page loads, an update every office host pulls) is
	 * not scanned again under the same rules. Direct-mapped on the
	 * digest's first bytes, MATCH_CLEAN_SLOTS entries, allocated on first
	 * use, emptied when the rules change. */
	uint8_t (*clean)[32];
	uint64_t clean_generation;
	uint64_t scans_known_clean;
};

#define MATCH_CLEAN_SLOTS 4096

void match_flow_start(struct match *m, const struct flow *f, const struct timeval *ts);
/* where: "dns", "dns-cname", "tls", "quic", "http" */
void match_domain(struct match *m, const struct flow *f, const char *name,
		  const char *where, const struct timeval *ts);
/* A DNS answer: if qname is an indicator, its addresses join the name's
 * incident for this host. addrs has n entries. */
void match_dns_addresses(struct match *m, const struct flow *f, const char *qname,
			 const struct hd_addr *addrs, size_t n);
void match_url(struct match *m, const struct flow *f, const char *host,
	       const char *uri, const struct timeval *ts);
void match_value(struct match *m, const struct flow *f, enum ioc_type t,
		 const char *value, const char *where, const struct timeval *ts);
/* nDPI risks of an ending flow. */
void match_flow_risks(struct match *m, const struct flow *f);
/* A YARA rule matched data of flow f (where: "http-body", "stream", ...). */
void match_yara(struct match *m, const struct flow *f, const char *rule, const char *ns,
		const char *severity, const char *category, const char *observed,
		const struct timeval *ts);

/* Scans data of flow f with the YARA rules; matches become signals.
 * where names what was scanned ("http-body", "stream"). A scan that runs
 * out of time is counted (scan_timeouts) and logged: the first, then at
 * most one line a minute per worker, saying how many were not. */
void match_scan(struct match *m, const struct flow *f, const uint8_t *data, size_t len,
		const char *where, const struct timeval *ts);
/* The same for a file's first len bytes, known by its sha256 (32 bytes;
 * NULL: no memory of it): a file already scanned clean under the current
 * rules is skipped and counted (scans_known_clean). */
void match_scan_file(struct match *m, const struct flow *f, const uint8_t *sha256,
		     const uint8_t *data, size_t len, const char *where,
		     const struct timeval *ts);
/* Frees what match_scan_file() remembers. */
void match_release(struct match *m);

/* Behaviour: every ended flow and every DNS question go to the shared
 * behaviour module, whose signals join the incidents. */
void match_behave_flow(struct match *m, const struct flow *f);
void match_behave_dns(struct match *m, const struct flow *f, const char *qname,
		      const struct timeval *ts);

/* Fills the host/peer/ports/flow part of a signal from flow f: the
 * agency's end is the host (the client when both or neither are). */
void match_signal_endpoints(const struct match *m, const struct flow *f, struct signal *s);

#endif
