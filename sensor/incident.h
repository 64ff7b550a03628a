/*
 * incident.h - the last detection stage: signals become incidents.
 *
 * Signals about the same agency host and the same indicator or rule
 * within the policy's window (24 h by default) are one incident whose
 * count, last_seen and evidence grow; different hosts never merge. The
 * addresses a malicious name resolved to are remembered per host, so the
 * DNS lookup, the TLS server name and the connection to the address of
 * one C2 server land in one incident. The id is a hash of sensor, host,
 * indicator or rule and the window's start, so the same activity replayed
 * after a restart gives the same id, and the queue can merge updates.
 *
 * An incident is written as an EVE "incident" event when created and,
 * when it changes, again at most every update-interval seconds of packet
 * time, and a last time when its window closes or the sensor stops.
 * Thread-safe: all workers signal into one table.
 */
#ifndef HAIDANG_INCIDENT_H
#define HAIDANG_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "policy.h"
#include "signals.h"

struct eve;

struct incident_stats {
	uint64_t signals, created, updates_written, closed, evicted, suppressed;
};

struct incidents;

struct incidents *incidents_create(const struct policy *pol, struct eve *eve,
				   const char *sensor_id, const char *agency);
/* Writes every open incident a last time and frees the table. */
void incidents_destroy(struct incidents *t);
void incidents_signal(struct incidents *t, const struct signal *sig);
/* addr is known to host as the server of an indicator (a listed name
 * resolved to it, or a flow to it matched): later signals from host about
 * addr (any indicator, YARA rule or nDPI risk) join that indicator's
 * incident. replace: a DNS answer overrides an earlier association. */
void incidents_alias(struct incidents *t, const struct hd_addr *host,
		     const struct hd_addr *addr, const char *ioc_value, bool replace);
/* Packet time moves on: write due updates, close incidents whose window
 * is over. */
void incidents_tick(struct incidents *t, const struct timeval *now);
/* Closes every open incident (writes it a last time). */
void incidents_flush(struct incidents *t);
void incidents_stats_get(struct incidents *t, struct incident_stats *st);
/* Counts a suppressed (allow-listed) match. */
void incidents_suppressed(struct incidents *t);
/* Also hands every incident event written (the EVE line, newline
 * included) to fn, as the queue publisher needs; fn runs with the table's
 * lock held, so it must only copy the line. Set before any signal. */
typedef void (*incident_sink_fn)(void *arg, const char *line, size_t len);
void incidents_set_sink(struct incidents *t, incident_sink_fn fn, void *arg);
/* Swaps the policy (hot reload); pol must outlive its use. */
void incidents_set_policy(struct incidents *t, const struct policy *pol);

#endif
