/*
 * eve.h - the last stage of the sensor pipeline for metadata: EVE JSON
 * lines (Suricata's event format) to a file or stdout.
 *
 * An event is built in place: eve_begin() writes the common header
 * (timestamp, flow_id, event_type, endpoints, proto, VLAN, tunnel, sensor),
 * the caller adds its object through the returned JSON writer, and
 * eve_commit() finishes the line. Events larger than the cap are dropped
 * and counted, never cut. Write errors (a full disk) are counted and
 * reported once; the sensor keeps running.
 */
#ifndef HAIDANG_EVE_H
#define HAIDANG_EVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "decode.h"
#include "flow.h"
#include "jsonw.h"
#include "util.h"

struct dpi;

struct eve_config {
	const char *path;       /* "-" = stdout */
	const char *sensor_id;
	const char *agency;
	const struct cidr *home;
	size_t nhome;
	bool line_buffered;     /* flush every line (live capture) */
};

struct eve_stats {
	uint64_t events, bytes, dropped_oversize, write_errors;
};

struct eve;

/* cfg->path NULL: events are built and counted but written nowhere. */
struct eve *eve_open(const struct eve_config *cfg, char *err, size_t errlen);
/* A writer for another thread: its own event buffer and counters, the
 * parent's stream (stdio locks it per write, so lines never mix). Close
 * clones before the parent. */
struct eve *eve_clone(struct eve *parent);
/* Flushes and closes; returns 0 or a negative code if data was lost. */
int eve_close(struct eve *e);
int eve_flush(struct eve *e);

/* Starts an event about flow f seen in direction dir (0: client to
 * server, so src is the client; 1: the reverse). */
struct jw *eve_begin(struct eve *e, const char *event_type, const struct flow *f,
		     int dir, const struct timeval *ts, uint64_t pkt_num);
/* Starts an event that belongs to no flow (stats). */
struct jw *eve_begin_plain(struct eve *e, const char *event_type,
			   const struct timeval *ts);
void eve_commit(struct eve *e);
/* The line the last eve_commit() wrote (newline included), valid until the
 * next eve_begin*() on e; NULL if that event was dropped (oversize). */
const char *eve_last_line(const struct eve *e, size_t *len);

/* Writes the flow record of f. */
void eve_flow(struct eve *e, struct dpi *d, const struct flow *f,
	      enum flow_end why, const struct timeval *now);

const struct eve_stats *eve_stats(const struct eve *e);
/* Adds e's counters into sum. */
void eve_stats_add(const struct eve *e, struct eve_stats *sum);
/* Which side of a flow is the agency's: "src", "dest", "both" or NULL. */
const char *eve_home_side(const struct eve *e, const struct hd_addr *src,
			  const struct hd_addr *dst);

#endif
