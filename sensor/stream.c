/*
 * stream.c - TCP stream reassembly (see stream.h).
 *
 * Sits between the flow table and extract: each TCP segment of a flow is
 * handed in with its direction, and the application parsers get each
 * direction's bytes in sequence order through the callback.
 *
 * Positions are kept as 64-bit stream offsets (0 = the byte after the
 * SYN, or the first byte of the first data segment when the flow was
 * picked up mid-stream); a segment's sequence number is turned into an
 * offset by serial-number arithmetic against the next expected sequence
 * number, so sequence wrap at 2^32 needs no special case and streams
 * longer than 4 GiB are fine. Segments more than STREAM_WINDOW ahead or
 * behind are ignored and counted instead.
 *
 * Policy, as most IDSes default to: the first copy of a byte wins. A byte
 * already delivered or buffered is never replaced; a retransmission with
 * different content only fills the holes. Overlaps with buffered bytes
 * that differ are counted (overlap_diffs).
 *
 * The in-order path (segment at the next expected byte, nothing buffered)
 * delivers straight from the packet: no allocation, no copy. Out-of-order
 * segments are copied into a sorted, non-overlapping doubly linked list,
 * searched from the tail, where the next segment usually goes. The list
 * is bounded per direction (ooo_max_segs, ooo_max_bytes) and across the
 * pool (memcap); when a segment does not fit, the first hole is skipped
 * (gap) and buffered data, then the packet itself, are delivered until it
 * does - so a limit costs missing bytes, never more memory. Data past the
 * depth is neither buffered nor delivered. A FIN sets the end of the
 * direction (the first FIN wins); data after it is ignored and counted.
 * RST plays no part: the flow table ends the flow and the caller flushes.
 *
 * Never prints, never keeps a pointer into a packet past the call.
 */
#include "stream.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "banned.h"

struct seg {
	struct seg *prev, *next;
	uint64_t off;          /* stream offset of data[0] */
	uint32_t len;
	uint8_t data[];
};

_Static_assert(sizeof(struct seg) <= STREAM_SEG_OVERHEAD,
	       "STREAM_SEG_OVERHEAD must cover the segment header");

struct sdir {
	struct seg *head, *tail;   /* buffered, sorted, non-overlapping */
	uint64_t next_off;         /* next byte to deliver */
	uint64_t limit;            /* min(depth, FIN end); UINT64_MAX = none */
	uint64_t end_off;          /* FIN end, when fin */
	uint64_t delivered;
	uint32_t next_seq;         /* sequence number of next_off */
	uint32_t held;             /* accounted bytes buffered */
	uint32_t nsegs;
	uint8_t state;             /* STREAM_* */
	bool started, fin, done, gap_pending;
};

struct stream {
	struct stream_pool *pool;
	uint64_t depth;
	struct sdir d[2];
};

/* The not-yet-delivered part of the current packet. */
struct pk {
	uint64_t off, end;
	const uint8_t *data;       /* the byte at off */
	bool fresh;                /* some byte of it was new */
	bool overlap, diff;
};

enum { FIT_OK, FIT_OOO, FIT_MEMCAP };

void stream_pool_init(struct stream_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
	pool->depth = STREAM_DEFAULT_DEPTH;
	pool->memcap = STREAM_DEFAULT_MEMCAP;
	pool->ooo_max_bytes = STREAM_DEFAULT_OOO_BYTES;
	pool->ooo_max_segs = STREAM_DEFAULT_OOO_SEGS;
}

struct stream *stream_create(struct stream_pool *pool)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->pool = pool;
	s->depth = pool->depth;
	for (int i = 0; i < 2; i++)
		s->d[i].limit = s->depth ? s->depth : UINT64_MAX;
	return s;
}

static void seg_free(struct stream *s, struct sdir *d, struct seg *g)
{
	uint32_t cost = STREAM_SEG_OVERHEAD + g->len;

	d->held -= cost;
	d->nsegs--;
	s->pool->held -= cost;
	free(g);
}

static void release(struct stream *s, struct sdir *d)
{
	struct seg *g = d->head, *n;

	for (; g; g = n) {
		n = g->next;
		seg_free(s, d, g);
	}
	d->head = d->tail = NULL;
}

void stream_destroy(struct stream *s)
{
	if (!s)
		return;
	release(s, &s->d[0]);
	release(s, &s->d[1]);
	free(s);
}

static void finish_if_limit(struct stream *s, struct sdir *d)
{
	if (d->next_off < d->limit)
		return;
	d->done = true;
	if (s->depth && d->next_off >= s->depth) {
		d->state |= STREAM_DEPTH;
		s->pool->st.depth_reached++;
	} else {
		d->state |= STREAM_END;
	}
	release(s, d);
}

static void advance(struct sdir *d, uint64_t n)
{
	d->next_off += n;
	d->next_seq += (uint32_t)n;
}

/* Hands bytes at next_off to the consumer, stopping at the limit. */
static void deliver(struct stream *s, int dir, struct sdir *d, const uint8_t *p,
		    uint64_t len, stream_data_fn fn, void *arg)
{
	uint64_t room = d->limit - d->next_off;

	if (len > room)
		len = room;
	if (len) {
		bool gap = d->gap_pending;

		d->gap_pending = false;
		if (fn)
			fn(arg, dir, p, (size_t)len, gap);
		advance(d, len);
		d->delivered += len;
		s->pool->st.bytes_delivered += len;
	}
	finish_if_limit(s, d);
}

/* Gives up on the bytes before `to`. */
static void skip_to(struct stream *s, struct sdir *d, uint64_t to)
{
	if (to > d->limit)
		to = d->limit;
	if (to <= d->next_off)
		return;
	s->pool->st.gaps++;
	s->pool->st.gap_bytes += to - d->next_off;
	d->state |= STREAM_GAP;
	d->gap_pending = true;
	advance(d, to - d->next_off);
	finish_if_limit(s, d);
}

static void pk_advance(struct pk *pk, uint64_t to)
{
	if (to > pk->end)
		to = pk->end;
	if (to > pk->off) {
		pk->data += to - pk->off;
		pk->off = to;
	}
}

/* Notes where buffered segment g overlaps what is left of the packet. */
static void pk_compare(struct pk *pk, const struct seg *g)
{
	uint64_t a = pk->off > g->off ? pk->off : g->off;
	uint64_t b = g->off + g->len;

	if (b > pk->end)
		b = pk->end;
	if (a >= b)
		return;
	pk->overlap = true;
	if (memcmp(g->data + (a - g->off), pk->data + (a - pk->off), b - a))
		pk->diff = true;
}

/* Delivers the buffered segments that start at (or before) next_off. */
static void drain(struct stream *s, int dir, struct sdir *d, struct pk *pk,
		  stream_data_fn fn, void *arg)
{
	while (!d->done && d->head && d->head->off <= d->next_off) {
		struct seg *g = d->head;
		uint64_t skip = d->next_off - g->off;

		d->head = g->next;
		if (d->head)
			d->head->prev = NULL;
		else
			d->tail = NULL;
		if (pk)
			pk_compare(pk, g);
		if (skip < g->len)
			deliver(s, dir, d, g->data + skip, g->len - skip, fn, arg);
		seg_free(s, d, g);
	}
}

/* The packet starts at or before next_off: deliver it, interleaved with
 * buffered segments, which win where they overlap. */
static void merge(struct stream *s, int dir, struct sdir *d, struct pk *pk,
		  stream_data_fn fn, void *arg)
{
	for (;;) {
		uint64_t stop;

		drain(s, dir, d, pk, fn, arg);
		if (d->done || pk->off >= pk->end)
			return;   /* (buffered data past the packet is no overlap) */
		if (pk->off < d->next_off) {
			pk->overlap = true;
			pk_advance(pk, d->next_off);
		}
		if (pk->off >= pk->end)
			return;
		stop = d->head && d->head->off < pk->end ? d->head->off : pk->end;
		deliver(s, dir, d, pk->data, stop - pk->off, fn, arg);
		pk->fresh = true;
		pk_advance(pk, stop);
		if (d->done)
			return;
	}
}

/* Buffers what of the packet (ahead of next_off) is not buffered yet.
 * FIT_OK when all of it is; otherwise pk is left at the first byte that
 * did not fit. */
static int insert(struct stream *s, struct sdir *d, struct pk *pk)
{
	struct stream_pool *pool = s->pool;
	uint32_t max_bytes = pool->ooo_max_bytes ? pool->ooo_max_bytes
						 : STREAM_DEFAULT_OOO_BYTES;
	uint32_t max_segs = pool->ooo_max_segs ? pool->ooo_max_segs
					       : STREAM_DEFAULT_OOO_SEGS;
	struct seg *n = d->tail;

	/* n: the first segment ending after pk->off, NULL if none */
	if (n && n->off + n->len <= pk->off)
		n = NULL;
	else
		while (n && n->prev && n->prev->off + n->prev->len > pk->off)
			n = n->prev;

	while (pk->off < pk->end) {
		struct seg *g;
		uint64_t stop, len, cost;

		if (n && n->off <= pk->off) {
			pk_compare(pk, n);
			pk_advance(pk, n->off + n->len);
			n = n->next;
			continue;
		}
		stop = n && n->off < pk->end ? n->off : pk->end;
		len = stop - pk->off;
		cost = STREAM_SEG_OVERHEAD + len;
		if (d->nsegs >= max_segs || d->held + cost > max_bytes)
			return FIT_OOO;
		if (pool->memcap && pool->held + cost > pool->memcap)
			return FIT_MEMCAP;
		g = malloc(sizeof(*g) + len);
		if (!g)
			return FIT_MEMCAP;
		g->off = pk->off;
		g->len = (uint32_t)len;
		memcpy(g->data, pk->data, len);
		g->next = n;
		g->prev = n ? n->prev : d->tail;
		if (g->prev)
			g->prev->next = g;
		else
			d->head = g;
		if (n)
			n->prev = g;
		else
			d->tail = g;
		d->held += (uint32_t)cost;
		d->nsegs++;
		pool->held += cost;
		pk->fresh = true;
		pk_advance(pk, stop);
	}
	return FIT_OK;
}

/* Everything but the plain in-order segment. rel: the payload's offset
 * from next_off, within the window. */
static void segment_slow(struct stream *s, int dir, struct sdir *d, int64_t rel,
			 const uint8_t *payload, size_t len,
			 stream_data_fn fn, void *arg)
{
	struct stream_stats *st = &s->pool->st;
	struct pk pk = { .data = payload };
	bool memcap_hit = false, ooo_hit = false;

	if (rel < 0) {
		if ((uint64_t)-rel >= len) {
			st->retransmissions++;
			return;
		}
		pk.overlap = true;
		pk.data += -rel;
		len -= (size_t)-rel;
		rel = 0;
	}
	pk.off = d->next_off + (uint64_t)rel;
	pk.end = pk.off + len;
	if (pk.end > d->limit) {
		if (d->fin && d->limit == d->end_off)
			st->out_of_window++;
		pk.end = d->limit;
	}
	if (pk.off >= pk.end)
		return;
	if (pk.off > d->next_off)
		st->out_of_order++;

	for (;;) {
		int r;
		uint64_t to;

		if (pk.off <= d->next_off) {
			merge(s, dir, d, &pk, fn, arg);
			break;
		}
		r = insert(s, d, &pk);
		if (r == FIT_OK)
			break;
		if (r == FIT_MEMCAP && !memcap_hit) {
			memcap_hit = true;
			st->memcap_drops++;
		} else if (r == FIT_OOO && !ooo_hit) {
			ooo_hit = true;
			st->ooo_limit_hits++;
		}
		/* skip the first hole, deliver what then follows in order */
		to = pk.off;
		if (d->head && d->head->off < to)
			to = d->head->off;
		skip_to(s, d, to);
		drain(s, dir, d, &pk, fn, arg);
		if (d->done)
			break;
	}
	if (!pk.fresh)
		st->retransmissions++;
	else if (pk.overlap)
		st->overlaps++;
	if (pk.diff)
		st->overlap_diffs++;
}

static void set_fin(struct stream *s, struct sdir *d, int64_t rel, size_t len)
{
	uint64_t end;

	if (d->fin)
		return;
	if (rel + (int64_t)len < 0) {
		/* ends inside delivered data: bogus, keep delivering */
		s->pool->st.out_of_window++;
		return;
	}
	end = d->next_off + (uint64_t)(rel + (int64_t)len);
	d->fin = true;
	d->end_off = end;
	if (end < d->limit)
		d->limit = end;
	finish_if_limit(s, d);
}

void stream_segment(struct stream *s, int dir, uint32_t seq, uint8_t flags,
		    const uint8_t *payload, size_t len, stream_data_fn fn, void *arg)
{
	struct sdir *d;
	int64_t rel;

	dir = dir != 0;
	d = &s->d[dir];
	if (d->done)
		return;
	if (flags & TCP_SYN)
		seq++;        /* data, if any, starts after the SYN */
	if (!d->started) {
		if (!(flags & TCP_SYN) && !len)
			return;       /* mid-stream: wait for data */
		d->started = true;
		d->next_seq = seq;
		if (!(flags & TCP_SYN))
			d->state |= STREAM_MIDSTREAM;
	}
	rel = (int32_t)(seq - d->next_seq);
	if (len > STREAM_WINDOW || rel > (int64_t)STREAM_WINDOW ||
	    rel < -(int64_t)STREAM_WINDOW) {
		s->pool->st.out_of_window++;
		return;
	}
	if (flags & TCP_FIN) {
		set_fin(s, d, rel, len);
		if (d->done)
			return;
	}
	if (!len)
		return;
	s->pool->st.segments++;
	if (rel == 0 && !d->head) {
		deliver(s, dir, d, payload, len, fn, arg);   /* the common case */
		return;
	}
	segment_slow(s, dir, d, rel, payload, len, fn, arg);
}

void stream_flush(struct stream *s, stream_data_fn fn, void *arg)
{
	for (int dir = 0; dir < 2; dir++) {
		struct sdir *d = &s->d[dir];

		while (!d->done && d->head) {
			skip_to(s, d, d->head->off);
			drain(s, dir, d, NULL, fn, arg);
		}
		/* a hole before the FIN: nothing to deliver, but it is missing */
		if (!d->done && d->fin && d->next_off < d->limit) {
			s->pool->st.gaps++;
			s->pool->st.gap_bytes += d->limit - d->next_off;
			d->state |= STREAM_GAP | STREAM_END;
			advance(d, d->limit - d->next_off);
			d->done = true;
		}
	}
}

uint64_t stream_delivered(const struct stream *s, int dir)
{
	return s->d[dir != 0].delivered;
}

uint64_t stream_offset(const struct stream *s, int dir)
{
	return s->d[dir != 0].next_off;
}

unsigned stream_state(const struct stream *s, int dir)
{
	return s->d[dir != 0].state;
}

void stream_stop(struct stream *s, int dir)
{
	struct sdir *d = &s->d[dir != 0];

	release(s, d);
	d->done = true;
	d->state |= STREAM_STOPPED;
}
