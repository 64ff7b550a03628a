/*
 * policy.h - the scoring policy (rules/policy.conf): how much each kind of
 * signal weighs, how severity scales it, where the incident severity
 * thresholds are, the aggregation window, and the behaviour thresholds.
 *
 * The file is "key = value" lines; every key, its default and its meaning
 * is in policy_opts[] (policy.c), which also documents it in
 * rules/policy.conf. A bad line is reported as FILE:LINE.
 *
 * Scoring, in short: a signal scores weight(kind) x factor(severity) / 100,
 * an nDPI risk scores its nDPI score x risk-weight / 100; an incident's
 * score is the sum over its distinct pieces of evidence (repeats raise the
 * count, not the score), and its severity is the highest threshold the
 * score reaches, but never below the highest severity of its evidence.
 */
#ifndef HAIDANG_POLICY_H
#define HAIDANG_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct policy {
	uint64_t window;                 /* seconds */
	uint64_t update_interval;        /* seconds between re-writes of a changed incident */
	uint64_t max_incidents, max_evidence;
	uint64_t weight_ioc, weight_yara, weight_behaviour, weight_risk_pct;
	uint64_t risk_min_score;
	uint64_t sev_pct[5];             /* none, low, medium, high, critical */
	uint64_t threshold[5];           /* score for low, medium, high, critical (index 1..4) */
	/* behaviour */
	uint64_t b_window, b_scan_ports, b_sweep_hosts, b_sweep_hosts_icmp, b_brute_attempts;
	uint64_t b_beacon_min, b_beacon_jitter_pct, b_beacon_min_interval;
	uint64_t b_dns_tunnel_queries, b_dns_label_len, b_dga_entropy_x100, b_max_hosts;
};

extern const struct conf_opt policy_opts[];
extern const size_t policy_nopts;

/* Defaults, then path if not NULL. Returns 0, or -EINVAL with a FILE:LINE
 * message in err. */
int policy_load(struct policy *p, const char *path, char *err, size_t errlen);

#endif
