/*
 * spool.h - the output stage's safety net: an on-disk, append-only,
 * size-bounded spool of incident records for the times Redis cannot take
 * them. Records go in with spool_append() and come out, oldest first, with
 * spool_replay(), which hands each to a delivery callback and remembers
 * durably how far delivery got. docs/spool.md describes the files.
 *
 * Contract:
 * - Order: records are replayed in append order, across restarts.
 * - Delivery is at-least-once: a crash between a delivery and the next
 *   write of the ack file re-delivers at most ack_every records (zero with
 *   ack_every = 1). The consumer must be idempotent (the Redis ingest is,
 *   by incident id).
 * - Durability: an appended record survives SIGKILL of the process under
 *   every fsync policy (it is in the page cache once append returns); it
 *   survives a power loss once it was fsynced (at once under
 *   SPOOL_FSYNC_ALWAYS, the default).
 * - Loss is bounded and visible: when the spool would outgrow max_bytes the
 *   OLDEST segment is dropped; dropped records, corrupt regions, torn tails
 *   and write errors are counted (spool_counters), described in the last
 *   error string (spool_last_error) and passed to opts->report.
 * - Bad files never crash the sensor: every length read from disk is checked
 *   against the file size and SPOOL_MAX_RECORD before anything is read or
 *   allocated; memory held is one record buffer of at most that size plus
 *   a small index per segment file.
 *
 * Ownership: the spool owns its files, descriptors and buffers. Data passed
 * to spool_append() is copied to disk before it returns. Data passed to the
 * deliver callback is the spool's and valid only during the call.
 *
 * Errors: functions returning int give 0 (or a count) on success and a
 * negative errno code on failure; where an err buffer is taken it receives
 * a one-line message. Nothing here prints.
 *
 * Threads: every function but spool_close() may be called from any thread
 * at any time; a mutex inside serialises them (spool_close() must be the
 * last call, with no other running). The deliver callback runs without the mutex held, so a
 * slow consumer does not block appends; only one spool_replay() runs at a
 * time (a second gets -EBUSY). opts->report runs with the mutex held and
 * must not call back into the spool.
 */
#ifndef HAIDANG_SPOOL_H
#define HAIDANG_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_DEFAULT_DIR "/var/lib/haidang/spool"
#define SPOOL_MAX_RECORD (16u << 20)   /* hard cap on one record's payload */

enum spool_fsync {
	SPOOL_FSYNC_ALWAYS = 0, /* fsync after every append (default) */
	SPOOL_FSYNC_BATCH,      /* at an append once fsync_interval_ms passed
				   since the last, on rotation, spool_sync()
				   and spool_close(): call spool_sync() from a
				   periodic tick */
	SPOOL_FSYNC_NONE,       /* never: the kernel writes back when it likes */
};

/* A zeroed struct gives every default. */
struct spool_opts {
	uint64_t max_bytes;       /* bound on segment bytes on disk; 0 = 1 GiB */
	uint64_t segment_bytes;   /* a segment is closed past this; 0 = 4 MiB,
				     clamped to max_bytes / 4 */
	uint32_t max_record;      /* largest payload accepted; 0 or more than
				     SPOOL_MAX_RECORD = SPOOL_MAX_RECORD */
	enum spool_fsync fsync;
	unsigned fsync_interval_ms;  /* SPOOL_FSYNC_BATCH; 0 = 200 */
	unsigned ack_every;       /* write the ack file every n deliveries
				     (and at the end of each replay); 0 = 64 */
	/* Optional: told about every loss or damage found, one line each
	 * ("spool-...log: offset 4096: ..."), for the caller to log. */
	void (*report)(void *arg, const char *msg);
	void *report_arg;
};

struct spool_counters {
	uint64_t records_appended;  /* by this process */
	uint64_t records_replayed;  /* delivered by this process */
	uint64_t depth_records;     /* waiting for delivery */
	uint64_t depth_bytes;       /* their bytes on disk, headers included */
	uint64_t disk_bytes;        /* all segment bytes on disk (the bounded sum) */
	uint64_t segments;          /* segment files */
	uint64_t dropped_records;   /* undelivered records lost to the bound or
				       discarded by the consumer */
	uint64_t dropped_bytes;
	uint64_t corrupt_records;   /* unreadable regions skipped */
	uint64_t torn_tails;        /* interrupted writes cut off at open */
	uint64_t write_errors;      /* appends or ack writes that failed */
	uint64_t rejected_records;  /* appends refused: too large for the bounds */
};

struct spool;

/* Opens (creating it and its parents 0700 if missing) the spool in dir,
 * takes an exclusive lock on it (-EBUSY-style failure if another process
 * holds it), scans every segment, cuts a torn tail off the newest one and
 * applies the size bound. Damage found is counted and reported. Returns
 * NULL with a message in err on failure. */
struct spool *spool_open(const char *dir, const struct spool_opts *opts,
			 char *err, size_t errlen);

/* Appends one record of len bytes (1 <= len <= max_record). May drop the
 * oldest segment to stay under max_bytes (counted, reported). Returns 0, or
 * -EMSGSIZE (too large; counted in rejected_records), or the write's
 * negative errno (-ENOSPC, -EDQUOT, -EFBIG, -EIO; counted in write_errors):
 * then nothing of the record remains on disk and later appends may succeed. */
int spool_append(struct spool *sp, const void *data, size_t len,
		 char *err, size_t errlen);

/* The deliver callback's answers. */
#define SPOOL_DELIVERED 0   /* taken: acknowledge and go on */
#define SPOOL_DISCARD 1     /* > 0: can never be taken: drop it (counted in
				 dropped_records) and go on */
/* < 0: not taken now (consumer down); stop, the record stays first in line */

typedef int (*spool_deliver_fn)(void *arg, const void *data, size_t len,
				uint64_t seq);

/* Hands up to max_records waiting records (0 = all) to deliver, oldest
 * first; records appended meanwhile are included. Acknowledges progress in
 * the ack file every ack_every records and before returning, then deletes
 * fully delivered segments. Returns the number delivered (or discarded),
 * or -EBUSY if another replay is running. */
int spool_replay(struct spool *sp, spool_deliver_fn deliver, void *arg,
		 size_t max_records);

/* fsyncs the open segment (any policy). Returns 0 or a negative errno. */
int spool_sync(struct spool *sp);

void spool_counters(struct spool *sp, struct spool_counters *out);

/* Copies the last loss/damage/error message ("" if none) into buf. */
void spool_last_error(struct spool *sp, char *buf, size_t size);

/* Syncs (unless SPOOL_FSYNC_NONE), writes any pending ack, releases the
 * lock and frees. Accepts NULL. */
void spool_close(struct spool *sp);

#endif
