/*
 * test_stream.c - unit tests of TCP stream reassembly: in-order and
 * reversed delivery, random permutations with duplicates and overlapping
 * retransmissions of other content (the first copy wins), sequence wrap,
 * SYN and mid-stream starts, the depth, the pool's memory cap and the
 * per-stream bounds turning holes into gaps, flush and FIN, and hostile
 * input that must not grow memory. Ends with a rough benchmark (printed,
 * not asserted). STREAM_TEST_SEED=n in the environment changes the random
 * inputs.
 */
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "decode.h"
#include "stream.h"
#include "banned.h"

/* ---- a consumer that places each chunk at its stream offset ---- */

#define SINK_CAP (1u << 20)

struct sink {
	struct stream *s;
	uint8_t *buf[2];      /* byte at stream offset */
	uint8_t *have[2];     /* 1 where delivered */
	uint64_t next[2];     /* offset after the last chunk */
	uint64_t bytes[2];
	unsigned chunks[2], gaps[2];
	int bad;              /* order or gap-flag errors */
};

static void sink_init(struct sink *k, struct stream *s)
{
	memset(k, 0, sizeof(*k));
	k->s = s;
	for (int i = 0; i < 2; i++) {
		k->buf[i] = calloc(1, SINK_CAP);
		k->have[i] = calloc(1, SINK_CAP);
	}
}

static void sink_finish(struct sink *k)
{
	for (int i = 0; i < 2; i++) {
		free(k->buf[i]);
		free(k->have[i]);
	}
}

static void on_data(void *arg, int dir, const uint8_t *d, size_t len, bool gap)
{
	struct sink *k = arg;
	uint64_t off = stream_offset(k->s, dir);

	if (len == 0 || off < k->next[dir] || (off > k->next[dir]) != gap) {
		fprintf(stderr, "order: dir %d off %llu next %llu len %zu gap %d\n",
			dir, (unsigned long long)off,
			(unsigned long long)k->next[dir], len, gap);
		k->bad++;
	}
	for (size_t i = 0; i < len && off + i < SINK_CAP; i++) {
		if (k->have[dir][off + i])
			k->bad++;     /* a byte delivered twice */
		k->buf[dir][off + i] = d[i];
		k->have[dir][off + i] = 1;
	}
	k->next[dir] = off + len;
	k->bytes[dir] += len;
	k->chunks[dir]++;
	k->gaps[dir] += gap;
}

/* Bytes delivered equal msg where delivered; count of delivered bytes. */
static uint64_t sink_match(const struct sink *k, int dir, const uint8_t *msg,
			   size_t n, size_t *mismatch)
{
	uint64_t got = 0;

	*mismatch = 0;
	for (size_t i = 0; i < n && i < SINK_CAP; i++) {
		if (!k->have[dir][i])
			continue;
		got++;
		if (k->buf[dir][i] != msg[i])
			(*mismatch)++;
	}
	return got;
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static uint8_t *make_msg(size_t n)
{
	uint8_t *m = malloc(n);

	for (size_t i = 0; i < n; i++)
		m[i] = (uint8_t)rnd();
	return m;
}

static struct stream_pool pool_default(void)
{
	struct stream_pool p;

	stream_pool_init(&p);
	return p;
}

/* ---- tests ---- */

static void test_in_order(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s = stream_create(&pool);
	struct sink k;
	size_t n = 50000, mm;
	uint8_t *msg = make_msg(n);
	uint32_t isn = 1000;

	sink_init(&k, s);
	stream_segment(s, 0, isn, TCP_SYN, NULL, 0, on_data, &k);
	for (size_t o = 0; o < n; o += 1460) {
		size_t l = n - o < 1460 ? n - o : 1460;
		stream_segment(s, 0, isn + 1 + (uint32_t)o, TCP_ACK, msg + o, l, on_data, &k);
	}
	CHECK(sink_match(&k, 0, msg, n, &mm) == n);
	CHECK(mm == 0);
	CHECK(k.bad == 0);
	CHECK(k.gaps[0] == 0);
	CHECK(stream_delivered(s, 0) == n);
	CHECK(stream_delivered(s, 1) == 0);
	CHECK(pool.st.bytes_delivered == n);
	CHECK(pool.st.segments == (n + 1459) / 1460);
	CHECK(pool.st.out_of_order == 0 && pool.st.retransmissions == 0);
	CHECK(pool.held == 0);
	CHECK(stream_state(s, 0) == 0);
	stream_destroy(s);
	sink_finish(&k);
	free(msg);
}

static void test_reversed(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s = stream_create(&pool);
	struct sink k;
	size_t n = 40000, seg = 1000, mm;
	uint8_t *msg = make_msg(n);
	uint32_t isn = 77;

	sink_init(&k, s);
	stream_segment(s, 1, isn, TCP_SYN | TCP_ACK, NULL, 0, on_data, &k);
	for (size_t o = n - seg;; o -= seg) {
		stream_segment(s, 1, isn + 1 + (uint32_t)o, TCP_ACK, msg + o, seg, on_data, &k);
		if (o == 0)
			break;
		CHECK(k.bytes[1] == 0);
		CHECK(pool.held > 0);
	}
	CHECK(sink_match(&k, 1, msg, n, &mm) == n);
	CHECK(mm == 0);
	CHECK(k.bad == 0 && k.gaps[1] == 0);
	CHECK(pool.st.out_of_order == n / seg - 1);
	/* the last segment fills the hole before the buffered ones: adjacent,
	 * not overlapping */
	CHECK(pool.st.overlaps == 0 && pool.st.retransmissions == 0);
	CHECK(pool.held == 0);
	stream_destroy(s);
	sink_finish(&k);
	free(msg);
}

struct tpkt {
	uint32_t off, len;
	const uint8_t *data;
	bool orig;
};

/* One trial: the message cut into random segments, sent in random order
 * with duplicates and overlapping retransmissions of other bytes. If
 * late_garbage, the other bytes come after every original copy of their
 * range, so the output must be the message; otherwise the output must be
 * what a first-arrival model says. With limits, tiny per-stream and pool
 * bounds force holes to be skipped: what is delivered must still be the
 * message, and delivered plus gap bytes must cover it exactly. */
static void permutation_trial(uint32_t isn, bool late_garbage, bool limits,
			      int *fails)
{
	struct stream_pool pool = pool_default();
	struct stream *s;
	struct sink k;
	size_t n = 20000 + rnd_below(20000), mm;
	uint8_t *msg = make_msg(n), *junk = make_msg(n), *model = calloc(1, n);
	uint8_t *filled = calloc(1, n);
	struct tpkt *pk = calloc(4096, sizeof(*pk));
	unsigned np = 0, norig;

	pool.depth = 0;
	if (limits) {
		pool.ooo_max_segs = 2 + rnd_below(20);
		pool.memcap = STREAM_SEG_OVERHEAD + 1500 + rnd_below(20000);
	}
	for (uint32_t o = 0; o < n;) {
		uint32_t l = 1 + rnd_below(1500);
		if (o + l > n)
			l = (uint32_t)n - o;
		pk[np++] = (struct tpkt){ o, l, msg + o, true };
		o += l;
	}
	/* duplicates of some originals, sometimes shifted sub-ranges */
	for (unsigned i = 0, c = np; i < c / 3; i++) {
		struct tpkt t = pk[rnd_below(c)];
		if (rnd_below(2) && t.len > 2) {
			uint32_t a = rnd_below(t.len / 2);
			t.off += a;
			t.data += a;
			t.len -= a;
		}
		pk[np++] = t;
	}
	norig = np;
	/* shuffle originals and duplicates */
	for (unsigned i = np - 1; i > 0; i--) {
		unsigned j = rnd_below(i + 1);
		struct tpkt t = pk[i];
		pk[i] = pk[j];
		pk[j] = t;
	}
	/* overlapping retransmissions of different content */
	for (unsigned g = 0; g < norig / 4; g++) {
		uint32_t o = rnd_below((unsigned)n), l = 1 + rnd_below(3000);
		unsigned pos, last = 0;
		struct tpkt t;

		if (o + l > n)
			l = (uint32_t)n - o;
		t = (struct tpkt){ o, l, junk + o, false };
		if (late_garbage) {
			for (unsigned i = 0; i < np; i++)
				if (pk[i].orig && pk[i].off < o + l &&
				    pk[i].off + pk[i].len > o)
					last = i + 1;
		}
		pos = last + rnd_below(np - last + 1);
		memmove(pk + pos + 1, pk + pos, (np - pos) * sizeof(*pk));
		pk[pos] = t;
		np++;
	}

	s = stream_create(&pool);
	sink_init(&k, s);
	stream_segment(s, 0, isn, TCP_SYN, NULL, 0, on_data, &k);
	for (unsigned i = 0; i < np; i++) {
		for (uint32_t b = 0; b < pk[i].len; b++)
			if (!filled[pk[i].off + b]) {
				filled[pk[i].off + b] = 1;
				model[pk[i].off + b] = pk[i].data[b];
			}
		stream_segment(s, 0, isn + 1 + pk[i].off, TCP_ACK, pk[i].data,
			       pk[i].len, on_data, &k);
	}
	if (limits) {
		/* holes skipped: what was delivered is right, and delivered
		 * plus skipped is the whole message */
		stream_flush(s, on_data, &k);
		if (sink_match(&k, 0, msg, n, &mm) != k.bytes[0] || mm || k.bad ||
		    pool.held || stream_offset(s, 0) != n ||
		    k.bytes[0] + pool.st.gap_bytes != n ||
		    (pool.st.gaps == 0) != (k.gaps[0] == 0))
			(*fails)++;
	} else {
		if (sink_match(&k, 0, late_garbage ? msg : model, n, &mm) != n ||
		    mm || k.bad || k.gaps[0] || pool.held || pool.st.gaps ||
		    stream_delivered(s, 0) != n)
			(*fails)++;
		if (!late_garbage &&
		    (pool.st.overlaps == 0 || pool.st.retransmissions == 0))
			(*fails)++;
	}
	stream_destroy(s);
	CHECK(pool.held == 0);
	sink_finish(&k);
	free(msg);
	free(junk);
	free(model);
	free(filled);
	free(pk);
}

static void test_permutations(void)
{
	int fails = 0;

	for (int t = 0; t < 200; t++)
		permutation_trial((uint32_t)rnd(), t & 1, false, &fails);
	/* the same across the wrap */
	for (int t = 0; t < 50; t++)
		permutation_trial(0xFFFFFFFFu - rnd_below(40000), t & 1, false, &fails);
	CHECK(fails == 0);
	/* tight per-stream and pool limits: holes become gaps */
	fails = 0;
	for (int t = 0; t < 200; t++)
		permutation_trial((uint32_t)rnd(), true, true, &fails);
	CHECK(fails == 0);
}

static void test_overlap_first_wins(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s = stream_create(&pool);
	struct sink k;

	sink_init(&k, s);
	stream_segment(s, 0, 99, TCP_SYN, NULL, 0, on_data, &k);
	stream_segment(s, 0, 105, 0, (const uint8_t *)"FGHIJ", 5, on_data, &k);
	/* same range, other bytes, plus some new: only the new ones count */
	stream_segment(s, 0, 103, 0, (const uint8_t *)"dexxxxxklm", 10, on_data, &k);
	CHECK(pool.st.overlap_diffs == 1);
	stream_segment(s, 0, 100, 0, (const uint8_t *)"abcdeFGH", 8, on_data, &k);
	CHECK(k.bytes[0] == 13);
	CHECK(memcmp(k.buf[0], "abcdeFGHIJklm", 13) == 0);
	/* delivered bytes stay: a retransmission of other content is dropped */
	stream_segment(s, 0, 100, 0, (const uint8_t *)"ZZZZ", 4, on_data, &k);
	CHECK(k.bytes[0] == 13);
	CHECK(pool.st.retransmissions == 1);
	CHECK(pool.st.overlaps == 2);
	/* partly old, partly new: the new part only */
	stream_segment(s, 0, 110, 0, (const uint8_t *)"KLMnop", 6, on_data, &k);
	CHECK(k.bytes[0] == 16);
	CHECK(memcmp(k.buf[0], "abcdeFGHIJklmnop", 16) == 0);
	CHECK(pool.st.overlaps == 3);
	CHECK(k.bad == 0);
	stream_destroy(s);
	sink_finish(&k);
}

static void test_wrap(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s = stream_create(&pool);
	struct sink k;
	size_t n = 10000, mm;
	uint8_t *msg = make_msg(n);
	uint32_t isn = 0xFFFFFFFFu - 3000;    /* wraps in the middle */

	sink_init(&k, s);
	stream_segment(s, 0, isn, TCP_SYN, NULL, 0, on_data, &k);
	/* second half first (past the wrap), then the first half */
	stream_segment(s, 0, isn + 1 + 5000, 0, msg + 5000, 5000, on_data, &k);
	CHECK(k.bytes[0] == 0);
	stream_segment(s, 0, isn + 1, 0, msg, 5000, on_data, &k);
	CHECK(sink_match(&k, 0, msg, n, &mm) == n && mm == 0);
	/* a retransmission from before the wrap is recognised as old */
	stream_segment(s, 0, isn + 1 + 100, 0, msg + 100, 100, on_data, &k);
	CHECK(pool.st.retransmissions == 1);
	CHECK(pool.st.out_of_window == 0);
	CHECK(k.bad == 0 && k.gaps[0] == 0);
	stream_destroy(s);
	sink_finish(&k);

	/* mid-stream pickup just below the wrap */
	s = stream_create(&pool);
	sink_init(&k, s);
	stream_segment(s, 1, 0xFFFFFF00u, TCP_ACK, msg, 1000, on_data, &k);
	stream_segment(s, 1, 0xFFFFFF00u + 1000, TCP_ACK, msg + 1000, 1000, on_data, &k);
	CHECK(sink_match(&k, 1, msg, 2000, &mm) == 2000 && mm == 0);
	stream_destroy(s);
	sink_finish(&k);
	free(msg);
}

static void test_syn(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s = stream_create(&pool);
	struct sink k;

	sink_init(&k, s);
	/* a SYN carrying data (TCP Fast Open): data at ISN+1 */
	stream_segment(s, 0, 500, TCP_SYN, (const uint8_t *)"GET ", 4, on_data, &k);
	CHECK(k.bytes[0] == 4);
	/* the SYN again, and a segment at the ISN itself: nothing new twice */
	stream_segment(s, 0, 500, TCP_SYN, (const uint8_t *)"GET ", 4, on_data, &k);
	stream_segment(s, 0, 505, TCP_ACK, (const uint8_t *)"/ HTTP", 6, on_data, &k);
	CHECK(k.bytes[0] == 10);
	CHECK(memcmp(k.buf[0], "GET / HTTP", 10) == 0);
	CHECK(!(stream_state(s, 0) & STREAM_MIDSTREAM));
	/* SYN+ACK sets the other direction's ISN; data waiting on a hole */
	stream_segment(s, 1, 9000, TCP_SYN | TCP_ACK, NULL, 0, on_data, &k);
	stream_segment(s, 1, 9004, TCP_ACK, (const uint8_t *)"/1.1", 4, on_data, &k);
	CHECK(k.bytes[1] == 0);
	stream_segment(s, 1, 9001, TCP_ACK, (const uint8_t *)"HTT", 3, on_data, &k);
	CHECK(k.bytes[1] == 7);
	CHECK(memcmp(k.buf[1], "HTT/1.1", 7) == 0);
	/* a pure ACK before the SYN does not start a direction */
	CHECK(k.bad == 0);
	stream_destroy(s);
	sink_finish(&k);
}

static void test_midstream(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s = stream_create(&pool);
	struct sink k;

	sink_init(&k, s);
	/* empty ACKs do not start it */
	stream_segment(s, 0, 123456, TCP_ACK, NULL, 0, on_data, &k);
	stream_segment(s, 0, 200000, TCP_ACK, (const uint8_t *)"hello", 5, on_data, &k);
	CHECK(k.bytes[0] == 5 && k.gaps[0] == 0);
	CHECK(stream_state(s, 0) & STREAM_MIDSTREAM);
	CHECK(stream_offset(s, 0) == 5);
	/* earlier bytes are behind the start: old */
	stream_segment(s, 0, 199990, TCP_ACK, (const uint8_t *)"0123456789", 10, on_data, &k);
	CHECK(k.bytes[0] == 5);
	CHECK(pool.st.retransmissions == 1);
	stream_segment(s, 0, 200005, TCP_ACK, (const uint8_t *)" world", 6, on_data, &k);
	CHECK(k.bytes[0] == 11 && memcmp(k.buf[0], "hello world", 11) == 0);
	/* the other direction starts on its own */
	stream_segment(s, 1, 7, TCP_ACK, (const uint8_t *)"ok", 2, on_data, &k);
	CHECK(k.bytes[1] == 2);
	CHECK(k.bad == 0);
	stream_destroy(s);
	sink_finish(&k);
}

static void test_depth(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s;
	struct sink k;
	size_t n = 5000, mm;
	uint8_t *msg = make_msg(n);

	pool.depth = 1000;
	s = stream_create(&pool);
	sink_init(&k, s);
	stream_segment(s, 0, 0, TCP_SYN, NULL, 0, on_data, &k);
	/* beyond the depth: not buffered */
	stream_segment(s, 0, 1 + 1200, 0, msg + 1200, 300, on_data, &k);
	CHECK(pool.held == 0);
	/* buffered before the depth, reaching across it */
	stream_segment(s, 0, 1 + 900, 0, msg + 900, 300, on_data, &k);
	CHECK(pool.held > 0);
	for (uint32_t o = 0; o < n; o += 300)
		stream_segment(s, 0, 1 + o, 0, msg + o, n - o < 300 ? n - o : 300,
			       on_data, &k);
	CHECK(k.bytes[0] == 1000);
	CHECK(stream_delivered(s, 0) == 1000);
	CHECK(sink_match(&k, 0, msg, n, &mm) == 1000 && mm == 0);
	CHECK(pool.st.depth_reached == 1);
	CHECK(stream_state(s, 0) & STREAM_DEPTH);
	CHECK(pool.held == 0);
	/* more after the depth: still once */
	stream_segment(s, 0, 1 + 1000, 0, msg, 100, on_data, &k);
	stream_flush(s, on_data, &k);
	CHECK(pool.st.depth_reached == 1);
	CHECK(k.bytes[0] == 1000);

	/* other direction, in order: a segment across the depth is cut */
	stream_segment(s, 1, 50, 0, msg, 999, on_data, &k);
	CHECK(pool.st.depth_reached == 1);
	stream_segment(s, 1, 50 + 999, 0, msg + 999, 300, on_data, &k);
	CHECK(pool.st.depth_reached == 2);
	CHECK(k.bytes[1] == 1000);
	CHECK(sink_match(&k, 1, msg, n, &mm) == 1000 && mm == 0);
	stream_segment(s, 1, 50 + 1299, 0, msg + 1299, 300, on_data, &k);
	CHECK(pool.st.depth_reached == 2);
	CHECK(k.bytes[1] == 1000);
	CHECK(k.bad == 0);
	stream_destroy(s);
	sink_finish(&k);
	free(msg);
}

static void test_memcap(void)
{
	struct stream_pool pool = pool_default();
	struct stream *a, *b;
	struct sink ka, kb;
	size_t n = 20000, mm;
	uint8_t *msg = make_msg(n);
	uint64_t cap = 10 * (STREAM_SEG_OVERHEAD + 100);

	pool.memcap = cap;
	a = stream_create(&pool);
	b = stream_create(&pool);
	sink_init(&ka, a);
	sink_init(&kb, b);
	stream_segment(a, 0, 0, TCP_SYN, NULL, 0, on_data, &ka);
	stream_segment(b, 0, 0, TCP_SYN, NULL, 0, on_data, &kb);
	/* a: hole of 100 at the start, then 10 segments of 100 buffered */
	for (uint32_t o = 100; o < 1100; o += 100)
		stream_segment(a, 0, 1 + o, 0, msg + o, 100, on_data, &ka);
	CHECK(pool.held == cap);
	CHECK(ka.bytes[0] == 0);
	CHECK(pool.st.memcap_drops == 0);
	/* b: an out-of-order segment finds the pool full: its hole is
	 * skipped and the segment delivered from the packet */
	stream_segment(b, 0, 1 + 500, 0, msg + 500, 100, on_data, &kb);
	CHECK(pool.st.memcap_drops == 1);
	CHECK(kb.bytes[0] == 100 && kb.gaps[0] == 1);
	CHECK(pool.st.gaps == 1 && pool.st.gap_bytes == 500);
	CHECK(stream_state(b, 0) & STREAM_GAP);
	CHECK(sink_match(&kb, 0, msg, n, &mm) == 100 && mm == 0);
	/* a: the next out-of-order segment skips a's own hole */
	stream_segment(a, 0, 1 + 1200, 0, msg + 1200, 100, on_data, &ka);
	CHECK(pool.st.memcap_drops == 2);
	CHECK(ka.gaps[0] == 1);
	CHECK(ka.bytes[0] == 1000);
	CHECK(pool.st.gap_bytes == 600);
	CHECK(pool.held == STREAM_SEG_OVERHEAD + 100);   /* 1200 buffered */
	CHECK(sink_match(&ka, 0, msg, n, &mm) == 1000 && mm == 0);
	/* a long run with 1 segment in 5 lost: memory stays under the cap,
	 * everything that arrived is delivered, the rest is gap */
	for (uint32_t o = 1300; o + 100 <= n; o += 100) {
		if ((o / 100) % 5 == 0)
			continue;
		stream_segment(a, 0, 1 + o, 0, msg + o, 100, on_data, &ka);
		CHECK(pool.held <= cap);
	}
	stream_flush(a, on_data, &ka);
	CHECK(pool.held == 0);
	CHECK(sink_match(&ka, 0, msg, n, &mm) == ka.bytes[0] && mm == 0);
	CHECK(stream_offset(a, 0) == ka.bytes[0] + pool.st.gap_bytes - 500);
	CHECK(ka.bad == 0 && kb.bad == 0);
	stream_destroy(a);
	stream_destroy(b);
	CHECK(pool.held == 0);
	sink_finish(&ka);
	sink_finish(&kb);
	free(msg);
}

static void test_ooo_bounds(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s;
	struct sink k;
	size_t n = 100000, mm;
	uint8_t *msg = make_msg(n);

	pool.ooo_max_bytes = 4 * (STREAM_SEG_OVERHEAD + 1000);
	s = stream_create(&pool);
	sink_init(&k, s);
	stream_segment(s, 0, 0, TCP_SYN, NULL, 0, on_data, &k);
	/* first segment lost; the rest arrive in order */
	for (uint32_t o = 1000; o < n; o += 1000) {
		stream_segment(s, 0, 1 + o, 0, msg + o, 1000, on_data, &k);
		CHECK(pool.held <= pool.ooo_max_bytes);
	}
	/* the 5th segment did not fit: hole skipped, then all in order */
	CHECK(pool.st.ooo_limit_hits == 1);
	CHECK(pool.st.gaps == 1 && pool.st.gap_bytes == 1000);
	CHECK(k.bytes[0] == n - 1000 && k.gaps[0] == 1);
	CHECK(sink_match(&k, 0, msg, n, &mm) == n - 1000 && mm == 0);
	CHECK(pool.held == 0);
	CHECK(k.bad == 0);
	stream_destroy(s);
	sink_finish(&k);
	free(msg);
}

static void test_flush_and_fin(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s = stream_create(&pool);
	struct sink k;
	size_t mm;
	const uint8_t *msg = (const uint8_t *)"0123456789abcdefghijklmnopqrstuvwxyz";

	sink_init(&k, s);
	stream_segment(s, 0, 0, TCP_SYN, NULL, 0, on_data, &k);
	stream_segment(s, 0, 1, 0, msg, 5, on_data, &k);
	/* holes at 5..9 and 20..24, FIN after 30 */
	stream_segment(s, 0, 1 + 10, 0, msg + 10, 10, on_data, &k);
	stream_segment(s, 0, 1 + 25, TCP_FIN | TCP_ACK, msg + 25, 5, on_data, &k);
	/* data after the FIN is ignored and counted */
	stream_segment(s, 0, 1 + 28, 0, msg + 28, 8, on_data, &k);
	CHECK(pool.st.out_of_window == 1);
	CHECK(k.bytes[0] == 5);
	stream_flush(s, on_data, &k);
	CHECK(k.bytes[0] == 20);
	CHECK(k.gaps[0] == 2);
	CHECK(pool.st.gaps == 2 && pool.st.gap_bytes == 10);
	CHECK(sink_match(&k, 0, msg, 36, &mm) == 20 && mm == 0);
	CHECK(stream_state(s, 0) & STREAM_END);
	CHECK(pool.held == 0);

	/* FIN before the data that precedes it, then the hole fills */
	stream_segment(s, 1, 100, TCP_ACK, msg, 3, on_data, &k);
	stream_segment(s, 1, 106, TCP_FIN, NULL, 0, on_data, &k);
	CHECK(!(stream_state(s, 1) & STREAM_END));
	stream_segment(s, 1, 103, TCP_ACK, msg + 3, 3, on_data, &k);
	CHECK(stream_state(s, 1) & STREAM_END);
	CHECK(k.bytes[1] == 6);
	stream_destroy(s);
	sink_finish(&k);

	/* a hole right before the FIN: counted at the flush */
	s = stream_create(&pool);
	sink_init(&k, s);
	memset(&pool.st, 0, sizeof(pool.st));
	stream_segment(s, 0, 10, TCP_ACK, msg, 10, on_data, &k);
	stream_segment(s, 0, 30, TCP_FIN | TCP_ACK, NULL, 0, on_data, &k);
	stream_flush(s, on_data, &k);
	CHECK(pool.st.gaps == 1 && pool.st.gap_bytes == 10);
	CHECK(k.bytes[0] == 10);
	CHECK(k.bad == 0);
	stream_destroy(s);
	sink_finish(&k);
}

static void test_hostile(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s;
	struct sink k;
	uint8_t buf[2000];
	uint64_t peak = 0;
	uint32_t bound = STREAM_DEFAULT_OOO_BYTES;

	memset(buf, 'x', sizeof(buf));
	pool.depth = 0;
	s = stream_create(&pool);
	sink_init(&k, s);
	/* len 0, no flags: nothing starts, nothing counted */
	stream_segment(s, 0, 42, 0, NULL, 0, on_data, &k);
	stream_segment(s, 0, 42, 0, buf, 0, on_data, &k);
	CHECK(pool.st.segments == 0 && stream_state(s, 0) == 0);
	stream_segment(s, 0, 1000, TCP_SYN, NULL, 0, on_data, &k);
	/* far jumps either way: ignored, counted, nothing allocated */
	stream_segment(s, 0, 1001 + 0x80000000u, 0, buf, 100, on_data, &k);
	stream_segment(s, 0, 1001 + 0x60000000u, 0, buf, 100, on_data, &k);
	stream_segment(s, 0, 1001 - 0x60000000u, 0, buf, 100, on_data, &k);
	CHECK(pool.st.out_of_window == 3);
	CHECK(pool.held == 0 && k.bytes[0] == 0);
	/* just inside the window: buffered, bounded */
	stream_segment(s, 0, 1001 + STREAM_WINDOW, 0, buf, 100, on_data, &k);
	CHECK(pool.st.out_of_window == 3);
	stream_flush(s, on_data, &k);
	CHECK(pool.held == 0);
	CHECK(k.bytes[0] == 100);
	stream_destroy(s);
	sink_finish(&k);

	/* 10000 tiny out-of-order segments, each leaving a hole */
	memset(&pool.st, 0, sizeof(pool.st));
	pool.depth = 0;
	s = stream_create(&pool);
	sink_init(&k, s);
	stream_segment(s, 1, 0, TCP_SYN, NULL, 0, on_data, &k);
	for (uint32_t i = 0; i < 10000; i++) {
		stream_segment(s, 1, 1 + 10 + 2 * i, 0, buf, 1, on_data, &k);
		if (pool.held > peak)
			peak = pool.held;
	}
	CHECK(peak <= bound);
	CHECK(peak <= (uint64_t)STREAM_DEFAULT_OOO_SEGS * (STREAM_SEG_OVERHEAD + 1));
	CHECK(pool.st.ooo_limit_hits > 0);
	CHECK(k.bytes[1] + pool.held / (STREAM_SEG_OVERHEAD + 1) == 10000);
	/* the same backwards, each a new head */
	for (uint32_t i = 10000; i-- > 0;) {
		stream_segment(s, 1, 1 + 100000 + 2 * i, 0, buf, 1, on_data, &k);
		if (pool.held > peak)
			peak = pool.held;
	}
	CHECK(peak <= bound);
	printf("hostile: 20000 tiny segments, peak held %llu bytes\n",
	       (unsigned long long)peak);
	stream_destroy(s);
	CHECK(pool.held == 0);
	CHECK(k.bad == 0);
	sink_finish(&k);

	/* random garbage: sequence numbers, lengths, flags, both directions */
	stream_pool_init(&pool);
	pool.memcap = 64 * 1024;
	for (int round = 0; round < 20; round++) {
		struct stream *ss[4];
		struct sink kk[4];

		for (int j = 0; j < 4; j++) {
			ss[j] = stream_create(&pool);
			sink_init(&kk[j], ss[j]);
		}
		for (int i = 0; i < 5000; i++) {
			int j = (int)rnd_below(4);
			uint32_t seq = (uint32_t)rnd();
			if (rnd_below(4))
				seq = (uint32_t)(rnd_below(4000) + 100000 * (uint32_t)j);
			stream_segment(ss[j], (int)rnd_below(2), seq,
				       (uint8_t)(rnd_below(8) ? TCP_ACK : rnd()), buf,
				       rnd_below(4) ? rnd_below(1500) : 0, on_data, &kk[j]);
			CHECK(pool.held <= pool.memcap);
		}
		for (int j = 0; j < 4; j++) {
			if (j & 1)
				stream_flush(ss[j], on_data, &kk[j]);
			stream_destroy(ss[j]);
			CHECK(kk[j].bad == 0);
			sink_finish(&kk[j]);
		}
		CHECK(pool.held == 0);
	}
}

static void test_stop(void)
{
	struct stream_pool pool = pool_default();
	struct stream *s = stream_create(&pool);
	struct sink k;

	sink_init(&k, s);
	stream_segment(s, 0, 0, TCP_SYN, NULL, 0, on_data, &k);
	stream_segment(s, 0, 10, 0, (const uint8_t *)"later", 5, on_data, &k);
	CHECK(pool.held > 0);
	stream_stop(s, 0);
	CHECK(pool.held == 0);
	CHECK(stream_state(s, 0) & STREAM_STOPPED);
	stream_segment(s, 0, 1, 0, (const uint8_t *)"now", 3, on_data, &k);
	CHECK(k.bytes[0] == 0);
	stream_destroy(s);
	stream_destroy(NULL);
	sink_finish(&k);
}

/* ---- benchmark: printed, not asserted ---- */

static volatile uint64_t bench_sink;

static void bench_data(void *arg, int dir, const uint8_t *d, size_t len, bool gap)
{
	(void)arg;
	(void)dir;
	(void)gap;
	bench_sink += len + d[0];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench(unsigned reorder_pct)
{
	struct stream_pool pool;
	struct stream *s;
	const uint32_t mss = 1448, nseg = 100000;
	uint8_t *payload = make_msg(mss);
	double t0, t;
	uint32_t isn = 12345;
	int rounds = 5;

	stream_pool_init(&pool);
	pool.depth = 0;
	t0 = now_s();
	for (int r = 0; r < rounds; r++) {
		s = stream_create(&pool);
		stream_segment(s, 0, isn, TCP_SYN, NULL, 0, bench_data, NULL);
		for (uint32_t i = 0; i < nseg; i++) {
			if (reorder_pct && i + 1 < nseg && rnd_below(100) < reorder_pct) {
				stream_segment(s, 0, isn + 1 + (i + 1) * mss, TCP_ACK,
					       payload, mss, bench_data, NULL);
				stream_segment(s, 0, isn + 1 + i * mss, TCP_ACK,
					       payload, mss, bench_data, NULL);
				i++;
				continue;
			}
			stream_segment(s, 0, isn + 1 + i * mss, TCP_ACK, payload, mss,
				       bench_data, NULL);
		}
		stream_destroy(s);
	}
	t = now_s() - t0;
	printf("bench: %2u%% reordered: %.0f MB/s, %.1f Mseg/s, %.1f ns/segment "
	       "(%d x %u segments of %u bytes, zero-copy consumer)\n",
	       reorder_pct, (double)rounds * nseg * mss / t / 1e6,
	       (double)rounds * nseg / t / 1e6, t * 1e9 / ((double)rounds * nseg),
	       rounds, nseg, mss);
	free(payload);
}

int main(void)
{
	const char *seed = getenv("STREAM_TEST_SEED");

	if (seed && strtoull(seed, NULL, 0))
		rng_state = strtoull(seed, NULL, 0);
	test_in_order();
	test_reversed();
	test_permutations();
	test_overlap_first_wins();
	test_wrap();
	test_syn();
	test_midstream();
	test_depth();
	test_memcap();
	test_ooo_bounds();
	test_flush_and_fin();
	test_hostile();
	test_stop();
	bench(0);
	bench(10);
	return CHECK_DONE();
}
