/*
 * stream.h - TCP stream reassembly, per flow and direction, between the
 * flow table and the application parsers.
 *
 * Segments are delivered to the consumer in sequence order, each byte
 * once: retransmissions are dropped, overlaps keep the bytes that arrived
 * first, out-of-order segments wait (bounded) until the hole is filled.
 * A hole that cannot be filled (lost packet, capture drop, limit hit, the
 * flow ends) is skipped and the consumer is told there is a gap. Each
 * direction stops after `depth` bytes (0 = unlimited); all streams of one
 * worker share a memory cap for buffered out-of-order data. Both limits
 * are counted when hit.
 *
 * Ownership: the stream copies what it buffers; data handed to the
 * callback is valid only during the call. The callback must not call
 * back into the same stream, except for the read-only queries below.
 * A pool and its streams belong to one thread.
 */
#ifndef HAIDANG_STREAM_H
#define HAIDANG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* In-order data of one direction (0 = client to server). gap: bytes
 * before this chunk are missing. */
typedef void (*stream_data_fn)(void *arg, int dir, const uint8_t *data,
			       size_t len, bool gap);

struct stream_stats {
	uint64_t segments, bytes_delivered;   /* segments: those with payload */
	uint64_t retransmissions, overlaps, out_of_order;
	uint64_t gaps, gap_bytes;
	uint64_t depth_reached;   /* directions that hit the depth */
	uint64_t memcap_drops;    /* segments not buffered for the memory cap */
	/* additions */
	uint64_t out_of_window;   /* segments ignored: > STREAM_WINDOW from the
				   * expected sequence, or data after the FIN */
	uint64_t overlap_diffs;   /* overlaps whose later copy differed from
				   * buffered bytes (evasion hint; bytes already
				   * delivered cannot be compared) */
	uint64_t ooo_limit_hits;  /* holes skipped for the per-stream bounds */
};

/* Shared by all streams of one worker. stream_pool_init() sets the
 * defaults below; a zeroed pool has no depth and no memory cap, and the
 * per-stream bounds at their defaults. */
struct stream_pool {
	uint64_t depth;           /* bytes per direction, 0 = unlimited */
	uint64_t memcap;          /* bytes of buffered segments, all streams;
				   * 0 = unlimited */
	uint64_t held;            /* currently buffered */
	struct stream_stats st;
	/* additions; 0 = the STREAM_DEFAULT_* value */
	uint32_t ooo_max_bytes;   /* buffered bytes per direction */
	uint32_t ooo_max_segs;    /* buffered segments per direction */
};

#define STREAM_DEFAULT_DEPTH     (1u << 20)
#define STREAM_DEFAULT_MEMCAP    (64u << 20)
#define STREAM_DEFAULT_OOO_BYTES (256u << 10)
#define STREAM_DEFAULT_OOO_SEGS  1024u
/* Segments further than this ahead of or behind the next expected byte
 * are ignored (counted in out_of_window). */
#define STREAM_WINDOW            (1u << 30)

/* Buffered memory is counted as this per-segment overhead plus its bytes
 * (in held, memcap and ooo_max_bytes), so tiny segments cost what they
 * really do. */
#define STREAM_SEG_OVERHEAD      32u

/* Flags of stream_state(). */
#define STREAM_MIDSTREAM 0x01u  /* started at a data segment, no SYN seen */
#define STREAM_GAP       0x02u  /* some hole was skipped */
#define STREAM_DEPTH     0x04u  /* depth reached: nothing more delivered */
#define STREAM_END       0x08u  /* delivered up to the FIN */
#define STREAM_STOPPED   0x10u  /* stream_stop() was called */

struct stream;

void stream_pool_init(struct stream_pool *pool); /* defaults, zero counters */

struct stream *stream_create(struct stream_pool *pool);
void stream_destroy(struct stream *s); /* accepts NULL; releases held memory */
/* One TCP segment of direction dir. flags are the TCP flags (a SYN sets
 * the initial sequence number). A flow picked up mid-stream starts at
 * the first segment seen. */
void stream_segment(struct stream *s, int dir, uint32_t seq, uint8_t flags,
		    const uint8_t *payload, size_t len, stream_data_fn fn, void *arg);
/* The flow ends: deliver what is buffered, skipping holes (gap = true). */
void stream_flush(struct stream *s, stream_data_fn fn, void *arg);
/* Bytes delivered so far in direction dir. */
uint64_t stream_delivered(const struct stream *s, int dir);

/* Additions. */
/* Stream offset (bytes from the first data byte, skipped holes included)
 * of the next byte to deliver; inside the callback, of the chunk's first
 * byte. */
uint64_t stream_offset(const struct stream *s, int dir);
/* STREAM_* flags of direction dir. */
unsigned stream_state(const struct stream *s, int dir);
/* The consumer wants no more of direction dir (its parsers are done):
 * buffered data is released, later segments cost a flag test. */
void stream_stop(struct stream *s, int dir);

#endif
