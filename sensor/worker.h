/*
 * worker.h - the per-flow half of the pipeline (flow table -> extract ->
 * dpi -> eve), one instance per worker thread.
 *
 * The capture thread decodes each frame, reassembles fragments, and hands
 * the packet to the worker that owns its flow (a symmetric hash of the
 * 5-tuple, so both directions meet in one worker). With one worker the
 * packet is processed in place; with more, it is copied into a batch and
 * queued to the worker's thread. Each worker owns its flow table, nDPI
 * module, metadata parsers and event buffer, so workers share nothing but
 * the output stream.
 */
#ifndef HAIDANG_WORKER_H
#define HAIDANG_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "decode.h"
#include "dpi.h"
#include "extract.h"
#include "eve.h"
#include "flow.h"
#include "stream.h"

struct worker_stats {
	uint64_t pkts, ipv4, ipv6, tcp, udp, icmp, other, tunnelled;
	struct flowtab_stats flow;
	struct dpi_stats dpi;
	struct extract_stats app;
	struct eve_stats eve;
	uint64_t flow_limit;
	uint64_t ioc_hits, allow_suppressed, yara_scans, yara_bytes, yara_timeouts;
	uint64_t yara_known_clean;   /* file scans skipped: same sha256 scanned clean */
	struct stream_stats stream;
};

struct worker;
struct incidents;
struct ruleset_slot;
struct behave;

/* What a worker needs for detection; all of it may be absent (NULL). */
struct worker_detect {
	struct ruleset_slot *rules;
	struct incidents *incidents;
	struct behave *behave;
	const struct cidr *home;
	size_t nhome;
	unsigned yara_timeout;     /* seconds; 0: 5 */
};

/* Creates a worker writing events through its own clone of eve, with
 * dpi as its nDPI module (made by dpi_create(); the worker owns it from
 * here, even on failure) or, if NULL, a module of its own. Call from one
 * thread at a time (nDPI's initialisation is not thread-safe). */
struct worker *worker_create(unsigned index, const struct flowtab_config *fc,
			     struct eve *eve, const struct worker_detect *det,
			     struct dpi *dpi, char *err, size_t errlen);
/* Reassembly bounds: depth per flow and direction, memcap of this
 * worker's buffered segments (0 = unlimited). Before worker_start(). */
void worker_stream_limits(struct worker *w, uint64_t depth, uint64_t memcap);
/* Ends every flow and frees the worker (stop its thread first). */
void worker_destroy(struct worker *w);

/* In-place processing, from the thread that owns the worker. */
void worker_packet(struct worker *w, const struct pkt *p);
void worker_tick(struct worker *w, const struct timeval *now);
void worker_flush(struct worker *w);

/* Threaded processing. worker_start() launches the thread; the capture
 * thread then calls worker_enqueue()/worker_enqueue_tick() (which copy)
 * and worker_push() to hand over a partly filled batch; worker_stop()
 * drains the queue, ends every flow and joins the thread. */
int worker_start(struct worker *w);
void worker_enqueue(struct worker *w, const struct pkt *p);
void worker_enqueue_tick(struct worker *w, const struct timeval *now);
void worker_push(struct worker *w);
void worker_stop(struct worker *w);
/* The first half of worker_stop(): tells the worker to drain its queue and
 * end every flow, without waiting. Stopping several workers this way
 * before joining them lets them end their flows side by side. */
void worker_stop_begin(struct worker *w);
/* Hands over the partial batch and waits until the worker has processed
 * everything queued (its flows stay open). */
void worker_sync(struct worker *w);

/* Adds w's counters into sum (exact once the worker is stopped). */
void worker_stats_add(const struct worker *w, struct worker_stats *sum);

#endif
