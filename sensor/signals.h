/*
 * signals.h - one piece of evidence that something is wrong: an indicator
 * matched, a YARA rule fired, nDPI flagged a risk, or a host behaved like
 * a scanner. Stages that detect (match, scan, behave, dpi risks) produce
 * signals; score.c weighs them and incident.c aggregates them into
 * incidents.
 *
 * Ownership: every pointer in a signal is borrowed for the duration of
 * the call that receives it; whoever keeps something copies it.
 */
#ifndef HAIDANG_SIGNAL_H
#define HAIDANG_SIGNAL_H

#include <stdint.h>
#include <sys/time.h>

#include "util.h"

enum signal_kind { SIG_IOC, SIG_YARA, SIG_RISK, SIG_BEHAVIOUR, SIG__COUNT };

enum signal_severity { SIG_SEV_NONE = 0, SIG_SEV_LOW, SIG_SEV_MEDIUM, SIG_SEV_HIGH, SIG_SEV_CRITICAL };

struct signal {
	enum signal_kind kind;
	enum signal_severity severity;
	const char *rule;       /* indicator value, YARA rule, risk name, behaviour name */
	const char *ioc_type;   /* "domain", "ip", ... for SIG_IOC; else NULL */
	const char *observed;   /* what was seen on the wire ("www.c2.example", "60 ports in 60 s") */
	const char *source;     /* feed, rule file, "ndpi", "behaviour" */
	const char *category;   /* haidang category, NULL = decide from the kind */
	unsigned weight;        /* extra weight (nDPI risk score, ...); 0 = policy default */
	struct hd_addr host;    /* the agency's host (the home end) */
	struct hd_addr peer;    /* the other end; family 0 when there is none (a sweep) */
	uint16_t host_port, peer_port;
	uint8_t proto;          /* IP protocol of the flow, 0 if none */
	const char *app_proto;  /* "http", "tls", ... or NULL */
	uint64_t flow_id;       /* 0 when not about one flow */
	struct timeval ts;
	/* The incident this signal belongs to when two kinds of signal name
	 * the same finding (nDPI's DGA risk and the behaviour DGA check are
	 * one incident); NULL: decided from kind, rule and peer. */
	const char *group;
};

typedef void (*signal_fn)(void *arg, const struct signal *sig);

#endif
