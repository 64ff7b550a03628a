/*
 * coding.c - gzip and deflate content codings undone with zlib's
 * streaming inflate (see coding.h).
 *
 * Each layer is a small state machine over one z_stream: AUTO (zlib's
 * gzip-or-zlib detection, windowBits 15 + 32), RAW (raw deflate,
 * windowBits -15; only for "deflate"), PASS (bytes go through as they
 * are), DONE (the compressed stream ended; trailing bytes are ignored,
 * so a second gzip member is not decoded). A layer falls back AUTO ->
 * RAW -> PASS only while it has produced nothing and every byte it was
 * given is still at hand: the bytes of earlier calls are kept in a
 * LAYER_PREFIX-byte prefix, those of the current call are the caller's.
 * An error after output is corruption: decoding stops, and what was
 * decoded until then is all the sink sees.
 *
 * Layers chain by recursion (layer i's output is layer i+1's input), at
 * most CODING_LAYERS_MAX deep, each with a CODING_BUF-byte stack buffer.
 */
#include "coding.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "banned.h"

#define CODING_BUF 16384
#define LAYER_PREFIX 64

enum mode { M_AUTO, M_RAW, M_PASS, M_DONE };

struct layer {
	z_stream z;
	bool live;		/* inflateInit2 done, inflateEnd owed */
	bool deflate;		/* labelled "deflate": raw deflate may be tried */
	bool produced;		/* some output given */
	enum mode mode;
	uint64_t in;		/* bytes given to this layer */
	uint8_t prefix[LAYER_PREFIX]; /* its first bytes, while nothing came out */
	size_t prefix_len;
};

struct coding {
	struct layer l[CODING_LAYERS_MAX]; /* l[0] undone first: the last applied */
	unsigned n;
	coding_sink sink;
	void *user;
	uint64_t in, out;
	bool stopped;
	enum coding_status status;
};

/* ---- the codings list ---- */

enum kind { K_IDENTITY, K_GZIP, K_DEFLATE, K_UNKNOWN };

static enum kind coding_kind(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || (n == 8 && !strncasecmp(s, "identity", 8)))
		return K_IDENTITY;
	if ((n == 4 && !strncasecmp(s, "gzip", 4)) || (n == 6 && !strncasecmp(s, "x-gzip", 6)))
		return K_GZIP;
	if (n == 7 && !strncasecmp(s, "deflate", 7))
		return K_DEFLATE;
	return K_UNKNOWN;
}

/* ---- layers ---- */

static int layer_init(struct layer *L, int wbits)
{
	if (L->live) {
		if (inflateReset2(&L->z, wbits) != Z_OK)
			return -1;
		return 0;
	}
	memset(&L->z, 0, sizeof(L->z));
	if (inflateInit2(&L->z, wbits) != Z_OK)
		return -1;
	L->live = true;
	return 0;
}

static void layer_end(struct layer *L)
{
	if (L->live)
		inflateEnd(&L->z);
	L->live = false;
}

static void stop(struct coding *c, enum coding_status why)
{
	if (!c->stopped)
		c->status = why;
	c->stopped = true;
}

/* Decoded bytes leave the last layer: bounded here. */
static void sink_out(struct coding *c, const uint8_t *p, size_t n)
{
	uint64_t total = c->out + n;

	if (total > CODING_OUT_MAX) {
		n = (size_t)(CODING_OUT_MAX - c->out);
		if (n)
			c->sink(c->user, p, n);
		c->out += n;
		stop(c, CODING_BOMB);
		return;
	}
	if (total > CODING_RATIO_FLOOR && total / CODING_RATIO_MAX > c->in) {
		stop(c, CODING_BOMB);
		return;
	}
	c->out = total;
	c->sink(c->user, p, n);
}

static void layer_feed(struct coding *c, unsigned i, const uint8_t *p, size_t n);

static void emit(struct coding *c, unsigned i, const uint8_t *p, size_t n)
{
	if (i + 1 < c->n)
		layer_feed(c, i + 1, p, n);
	else
		sink_out(c, p, n);
}

/*
 * Layer i's first bytes did not decode: the next way to read them (RAW
 * for "deflate", then PASS), and everything it was given so far again.
 * Returns false if no fallback is left.
 */
static bool layer_retry(struct coding *c, unsigned i, const uint8_t *p, size_t n)
{
	struct layer *L = &c->l[i];
	uint8_t earlier[LAYER_PREFIX];
	size_t elen = L->prefix_len;

	if (L->produced || L->in != L->prefix_len)
		return false;
	if (L->mode == M_AUTO && L->deflate) {
		if (layer_init(L, -MAX_WBITS) != 0) {
			stop(c, CODING_CORRUPT);
			return true;
		}
		L->mode = M_RAW;
	} else if (L->mode == M_AUTO || L->mode == M_RAW) {
		layer_end(L);
		L->mode = M_PASS;
		if (c->status == CODING_OK)
			c->status = CODING_PASSTHROUGH;
	} else {
		return false;
	}
	memcpy(earlier, L->prefix, elen);
	L->prefix_len = 0;
	L->in = 0;
	layer_feed(c, i, earlier, elen);
	if (!c->stopped)
		layer_feed(c, i, p, n);
	return true;
}

static void layer_feed(struct coding *c, unsigned i, const uint8_t *p, size_t n)
{
	struct layer *L = &c->l[i];
	uint8_t buf[CODING_BUF];

	if (c->stopped || n == 0 || L->mode == M_DONE)
		return;
	if (L->mode == M_PASS) {
		emit(c, i, p, n);
		return;
	}
	L->z.next_in = (Bytef *)(uintptr_t)p; /* zlib does not write to it */
	L->z.avail_in = (uInt)n;
	/* until the input is taken and the output buffer was not filled up
	 * (a full buffer may leave output pending inside zlib) */
	do {
		int rc;
		size_t got;

		L->z.next_out = buf;
		L->z.avail_out = sizeof(buf);
		rc = inflate(&L->z, Z_NO_FLUSH);
		got = sizeof(buf) - L->z.avail_out;
		if (got) {
			/* good up to an error, if one follows */
			L->produced = true;
			emit(c, i, buf, got);
			if (c->stopped)
				return;
		}
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			/* Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR, Z_STREAM_ERROR */
			if (layer_retry(c, i, p, n))
				return;
			layer_end(L);
			stop(c, CODING_CORRUPT);
			return;
		}
		if (rc == Z_STREAM_END) {
			layer_end(L);
			L->mode = M_DONE;
			return;
		}
		if (rc == Z_BUF_ERROR && got == 0)
			break; /* no progress possible: wants more input */
	} while (L->z.avail_in > 0 || L->z.avail_out == 0);
	/* all taken: keep it while a fallback may still need it */
	if (!L->produced && L->in == L->prefix_len && L->prefix_len + n <= LAYER_PREFIX) {
		memcpy(L->prefix + L->prefix_len, p, n);
		L->prefix_len += n;
	}
	L->in += n;
}

/* ---- public ---- */

int coding_create(const char *codings, coding_sink sink, void *user, struct coding **out)
{
	enum kind k[CODING_LAYERS_MAX];
	unsigned nk = 0;
	const char *s = codings;
	struct coding *c;

	*out = NULL;
	if (!codings || !sink)
		return 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		enum kind kd = coding_kind(s, len);

		if (kd == K_UNKNOWN)
			return -ENOTSUP;
		if (kd != K_IDENTITY) {
			if (nk == CODING_LAYERS_MAX)
				return -ENOTSUP;
			k[nk++] = kd;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	if (nk == 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->n = nk;
	c->sink = sink;
	c->user = user;
	for (unsigned i = 0; i < nk; i++) {
		struct layer *L = &c->l[i];

		L->deflate = k[nk - 1 - i] == K_DEFLATE;
		L->mode = M_AUTO;
		if (layer_init(L, MAX_WBITS + 32) != 0) {
			coding_destroy(c);
			return -ENOMEM;
		}
	}
	*out = c;
	return 0;
}

void coding_feed(struct coding *c, const uint8_t *data, size_t len)
{
	if (!c || c->stopped || !data || !len)
		return;
	/* slices that fit zlib's uInt counts */
	while (len && !c->stopped) {
		size_t k = len < (1u << 20) ? len : (1u << 20);

		c->in += k;
		layer_feed(c, 0, data, k);
		data += k;
		len -= k;
	}
	if (c->stopped)
		for (unsigned i = 0; i < c->n; i++)
			layer_end(&c->l[i]);
}

enum coding_status coding_finish(struct coding *c)
{
	if (!c)
		return CODING_OK;
	if (!c->stopped) {
		for (unsigned i = 0; i < c->n; i++)
			if (c->l[i].mode == M_AUTO || c->l[i].mode == M_RAW)
				stop(c, CODING_INCOMPLETE);
		c->stopped = true;
	}
	for (unsigned i = 0; i < c->n; i++)
		layer_end(&c->l[i]);
	return c->status;
}

uint64_t coding_bytes_in(const struct coding *c)
{
	return c ? c->in : 0;
}

uint64_t coding_bytes_out(const struct coding *c)
{
	return c ? c->out : 0;
}

void coding_destroy(struct coding *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n; i++)
		layer_end(&c->l[i]);
	free(c);
}

const char *coding_status_name(enum coding_status s)
{
	switch (s) {
	case CODING_OK:
		return "ok";
	case CODING_PASSTHROUGH:
		return "passthrough";
	case CODING_UNSUPPORTED:
		return "unsupported";
	case CODING_CORRUPT:
		return "corrupt";
	case CODING_BOMB:
		return "bomb";
	case CODING_INCOMPLETE:
		return "incomplete";
	}
	return "unknown";
}
