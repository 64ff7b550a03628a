/*
 * publish.h - the sensor's last stage: incidents to the provincial queue
 * in Redis (docs/queue.md), and to the on-disk spool whenever Redis cannot
 * take them (docs/spool.md).
 *
 * Workers hand incident events over with publish_submit(), which only
 * copies the line; one publisher thread owns the Redis connection. It
 * sends records pipelined through the ingest script, replays the spool
 * first whenever it holds anything, reconnects with exponential backoff and
 * jitter, and writes the sensor's heartbeat. Capture never waits for
 * Redis: while Redis is away records go to the spool at once.
 *
 * Thread-safe: publish_submit and publish_set_health from any thread.
 */
#ifndef HAIDANG_PUBLISH_H
#define HAIDANG_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "redis.h"
#include "spool.h"

struct publish_config {
	const char *url;                 /* --redis */
	struct hd_redis_opts redis;      /* password file, TLS files, timeout */
	const char *spool_dir;           /* --spool */
	struct spool_opts spool;
	const char *sensor_id, *agency, *version;
	unsigned heartbeat_s;            /* 0: 10 */
	unsigned drain_ms;               /* bounded wait at exit; 0: 10000 */
	size_t max_memory;               /* records waiting in memory; 0: 64 MiB */
	void (*log)(int level, const char *msg); /* optional: 3 error, 4 warning, 6 info */
};

/* What the heartbeat reports besides the publisher's own counters; the
 * main loop refreshes it. */
struct publish_health {
	uint64_t packets, capture_drops, flows;
	uint64_t rules_generation, rules_indicators, rules_yara;
};

struct publish_stats {
	uint64_t submitted;      /* records handed over */
	uint64_t sent;           /* stored in Redis (from memory or the spool) */
	uint64_t created;        /* of which new tickets */
	uint64_t spooled;        /* records that went to the spool */
	uint64_t replayed;       /* spooled records delivered later */
	uint64_t discarded;      /* malformed records Redis can never take */
	uint64_t spool_failed;   /* records neither sent nor spooled (disk full): lost */
	int spool_writable;      /* 0 while appends fail (the last one failed) */
	uint64_t redis_errors;   /* failed connects, I/O errors, refusals */
	uint64_t reconnects;
	uint64_t heartbeats;
	uint64_t memory_records; /* waiting in memory now */
	struct spool_counters spool;
	char last_error[256];
};

struct publish;

/* Opens the spool (replaying what a previous run left happens in the
 * publisher thread) and starts the thread. Returns NULL with err set when
 * the URL is invalid or the spool cannot be opened. */
struct publish *publish_start(const struct publish_config *cfg, char *err, size_t errlen);
/* Hands one incident event line over (copied). Never blocks on Redis. */
void publish_submit(struct publish *p, const char *line, size_t len);
void publish_set_health(struct publish *p, const struct publish_health *h);
void publish_stats(struct publish *p, struct publish_stats *st);
/* Delivers what waits (memory and spool) for at most cfg->drain_ms, spools
 * what is left and stops the thread; publish_stats still works after. */
void publish_stop(struct publish *p);
/* Stops if needed, closes the spool and frees. NULL is fine. */
void publish_free(struct publish *p);

#endif
