/*
 * test_files.c - unit test of file hashing with content decoding
 * (files.c, coding.c) and of the codings the HTTP parser hands over.
 *
 * The compressed bodies are made here with zlib itself (gzip, zlib and
 * raw deflate, stacked), from files of known SHA-256, and fed whole, one
 * byte at a time, split at every byte boundary and in uneven pieces; the
 * hash of what comes out must be the plain file's. Then the failures: a
 * corrupt stream, a cut-short stream, plain bytes labelled gzip, an
 * unknown coding, and two bombs (100 MB of zeros, and a 12 MB body that
 * compresses only 4:1) which must stop at their caps with the counter
 * set. Last, gzip bodies inside real HTTP framing (Content-Length,
 * chunked, Transfer-Encoding: gzip) through the parser's body callback.
 *
 * Standalone: exits 0 on success, 1 with messages on stderr on failure.
 */
#include "files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "check.h"
#include "coding.h"
#include "digest.h"
#include "proto_http.h"
#include "util.h"

#include "banned.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;

		while (nc < b->len + n)
			nc *= 2;
		b->p = realloc(b->p, nc);
		if (!b->p) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		b->cap = nc;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* wbits: 15 + 16 gzip, 15 zlib, -15 raw deflate */
static struct buf compress_buf(const uint8_t *p, size_t n, int wbits, int level)
{
	struct buf out = { 0 };
	z_stream z;
	uint8_t tmp[65536];
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, wbits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(2);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = tmp;
		z.avail_out = sizeof(tmp);
		rc = deflate(&z, Z_FINISH);
		buf_add(&out, tmp, sizeof(tmp) - z.avail_out);
	} while (rc == Z_OK);
	CHECK(rc == Z_STREAM_END);
	deflateEnd(&z);
	return out;
}

/* A file that compresses about 3:1: words from a small vocabulary with
 * random bytes in between, from a fixed LCG. */
static struct buf make_file(size_t n, uint32_t seed)
{
	static const char *words[] = { "hoadon ", "chuyenkhoan ", "<html>", "MZ\x90", "PE\n" };
	struct buf b = { 0 };
	uint32_t x = seed;

	while (b.len < n) {
		x = x * 1103515245u + 12345u;
		if ((x >> 16) % 3 == 0) {
			uint8_t c = (uint8_t)(x >> 8);
			buf_add(&b, &c, 1);
		} else {
			const char *w = words[(x >> 20) % 5];
			size_t l = strlen(w);
			buf_add(&b, w, l < n - b.len ? l : n - b.len);
		}
	}
	return b;
}

static void sha256(const uint8_t *p, size_t n, char out[65])
{
	CHECK(digest_hex(DIGEST_SHA256, p, n, out, 65) == 0);
}

/* Feeds body (split at each of the cuts) as a file with the codings. */
static struct file_state *feed(const char *codings, const struct buf *body, const size_t *cuts,
			       size_t ncuts)
{
	struct file_state *f = file_begin(codings);
	size_t off = 0;

	CHECK(f != NULL);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : body->len;

		if (end > body->len)
			end = body->len;
		if (end > off)
			file_data(f, body->p + off, end - off);
		if (end > off)
			off = end;
	}
	return f;
}

/* Whole, then split at every boundary: the plain file's sha256 each time. */
static void check_every_split(const char *what, const char *codings, const struct buf *body,
			      const char *want, uint64_t want_size)
{
	struct file_result r;
	struct file_stats st = { 0 };
	unsigned bad = 0;
	char hex[65] = "";

	for (size_t cut = 0; cut <= body->len; cut++) {
		struct file_state *f = feed(codings, body, &cut, 1);

		file_end(f, true, &r, &st);
		if (r.has_sha256)
			hd_hex(hex, r.sha256_bytes, sizeof(r.sha256_bytes));
		if (strcmp(r.sha256, want) || !r.has_sha256 || strcmp(hex, want) ||
		    r.size != want_size || !r.complete ||
		    r.decoding != CODING_OK || r.carried != body->len) {
			if (bad++ < 3)
				fprintf(stderr, "%s: split at %zu: sha256 %s size %llu decoding %s\n", what,
					cut, r.sha256, (unsigned long long)r.size,
					coding_status_name(r.decoding));
		}
		file_free(f);
	}
	CHECK(bad == 0);
	CHECK(st.decoded == body->len + 1 && st.errors == 0 && st.bombs == 0);
}

/* One byte at a time, and in uneven pieces (1, 2, 3, ... bytes). */
static void check_pieces(const char *what, const char *codings, const struct buf *body,
			 const char *want, uint64_t want_size)
{
	size_t ncuts = body->len, step = 1, at = 0;
	size_t *cuts = malloc((ncuts + 1) * sizeof(*cuts));
	struct file_result r;
	struct file_state *f;

	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = i + 1;
	f = feed(codings, body, cuts, ncuts);
	file_end(f, true, &r, NULL);
	if (strcmp(r.sha256, want) || r.size != want_size)
		fprintf(stderr, "%s: byte at a time: %s\n", what, r.sha256);
	CHECK(!strcmp(r.sha256, want) && r.size == want_size && r.decoding == CODING_OK);
	file_free(f);

	ncuts = 0;
	while (at < body->len) {
		at += step++ % 1500;
		cuts[ncuts++] = at;
	}
	f = feed(codings, body, cuts, ncuts);
	file_end(f, true, &r, NULL);
	CHECK(!strcmp(r.sha256, want) && r.size == want_size && r.decoding == CODING_OK);
	file_free(f);
	free(cuts);
}

static void test_round_trips(void)
{
	struct buf small = make_file(3000, 7), big = make_file(300000, 11);
	char ws[65], wb[65];
	struct buf gz = compress_buf(small.p, small.len, 15 + 16, 9);
	struct buf zl = compress_buf(small.p, small.len, 15, 6);
	struct buf raw = compress_buf(small.p, small.len, -15, 6);
	struct buf gz2 = compress_buf(gz.p, gz.len, 15 + 16, 9);
	struct buf mixed = compress_buf(zl.p, zl.len, 15 + 16, 1); /* deflate, then gzip */
	struct buf bgz = compress_buf(big.p, big.len, 15 + 16, 6);
	struct buf braw = compress_buf(big.p, big.len, -15, 1);

	sha256(small.p, small.len, ws);
	sha256(big.p, big.len, wb);
	CHECK(gz.len < small.len);
	check_every_split("gzip", "gzip", &gz, ws, small.len);
	check_every_split("x-gzip", "x-gzip", &gz, ws, small.len);
	check_every_split("deflate (zlib)", "deflate", &zl, ws, small.len);
	check_every_split("deflate (raw)", "deflate", &raw, ws, small.len);
	check_every_split("gzip as zlib", "gzip", &zl, ws, small.len);
	check_every_split("gzip, gzip", "gzip, gzip", &gz2, ws, small.len);
	check_every_split("deflate, gzip", "identity, deflate,gzip", &mixed, ws, small.len);
	check_pieces("big gzip", "gzip", &bgz, wb, big.len);
	check_pieces("big raw deflate", "deflate", &braw, wb, big.len);

	/* no coding: hashed as carried, nothing said about decoding */
	{
		struct file_state *f = feed("", &small, NULL, 0);
		struct file_result r;
		struct file_stats st = { 0 };

		file_end(f, true, &r, &st);
		CHECK_STR(r.sha256, ws);
		CHECK(!r.coded && st.decoded == 0);
		file_free(f);
		f = feed(NULL, &small, NULL, 0);
		file_end(f, true, &r, NULL);
		CHECK_STR(r.sha256, ws);
		file_free(f);
	}
	/* bytes after the end of the gzip data are ignored */
	{
		struct buf t = { 0 };
		struct file_state *f;
		struct file_result r;

		buf_add(&t, gz.p, gz.len);
		buf_str(&t, "\r\ntrailing junk");
		f = feed("gzip", &t, NULL, 0);
		file_end(f, true, &r, NULL);
		CHECK_STR(r.sha256, ws);
		CHECK(r.decoding == CODING_OK && r.complete && r.carried == t.len);
		file_free(f);
		free(t.p);
	}
	free(small.p);
	free(big.p);
	free(gz.p);
	free(zl.p);
	free(raw.p);
	free(gz2.p);
	free(mixed.p);
	free(bgz.p);
	free(braw.p);
}

static void test_failures(void)
{
	struct buf plain = make_file(50000, 3);
	struct buf gz = compress_buf(plain.p, plain.len, 15 + 16, 9);
	struct file_stats st = { 0 };
	struct file_result r;
	struct file_state *f;
	char want[65];

	sha256(plain.p, plain.len, want);

	/* corrupt in the middle: stops cleanly, TRUNCATED, counted */
	gz.p[gz.len / 2] ^= 0x55;
	gz.p[gz.len / 2 + 1] ^= 0xaa;
	f = feed("gzip", &gz, NULL, 0);
	file_end(f, true, &r, &st);
	CHECK(r.decoding == CODING_CORRUPT || r.decoding == CODING_OK);
	CHECK(r.decoding != CODING_OK || strcmp(r.sha256, want)); /* never the file */
	CHECK(r.decoding != CODING_CORRUPT || !r.complete);
	CHECK(r.size < plain.len + 1);
	file_free(f);
	gz.p[gz.len / 2] ^= 0x55;
	gz.p[gz.len / 2 + 1] ^= 0xaa;

	/* a broken CRC at the end is corruption too, after all the bytes */
	gz.p[gz.len - 6] ^= 1;
	f = feed("gzip", &gz, NULL, 0);
	file_end(f, true, &r, &st);
	CHECK(r.decoding == CODING_CORRUPT && !r.complete && r.size == plain.len);
	file_free(f);
	gz.p[gz.len - 6] ^= 1;
	CHECK(st.errors == 2);

	/* cut short: incomplete; counted as an error only if the body was whole */
	{
		struct buf half = { gz.p, gz.len / 2, 0 };

		f = feed("gzip", &half, NULL, 0);
		file_end(f, true, &r, &st);
		CHECK(r.decoding == CODING_INCOMPLETE && !r.complete && r.size > 0);
		file_free(f);
		CHECK(st.errors == 3);
		f = feed("gzip", &half, NULL, 0);
		file_end(f, false, &r, &st);
		CHECK(r.decoding == CODING_INCOMPLETE && !r.complete);
		file_free(f);
		CHECK(st.errors == 3);
	}

	/* plain bytes labelled gzip, or deflate: passed through, as browsers */
	f = feed("gzip", &plain, NULL, 0);
	file_end(f, true, &r, &st);
	CHECK_STR(r.sha256, want);
	CHECK(r.decoding == CODING_PASSTHROUGH && r.complete);
	file_free(f);
	{
		struct buf txt = { 0 };
		char wt[65];

		buf_str(&txt, "<html><body>not compressed at all</body></html>\n");
		sha256(txt.p, txt.len, wt);
		for (size_t cut = 0; cut <= txt.len; cut++) {
			f = feed("deflate", &txt, &cut, 1);
			file_end(f, true, &r, NULL);
			CHECK_STR(r.sha256, wt);
			file_free(f);
		}
		free(txt.p);
	}

	/* codings not undone: hashed as carried */
	{
		static const char *lists[] = { "br", "gzip, zstd", "gzip, gzip, gzip", "gzip, ..." };

		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			f = feed(lists[i], &plain, NULL, 0);
			file_end(f, true, &r, &st);
			CHECK_STR(r.sha256, want);
			CHECK(r.coded && r.decoding == CODING_UNSUPPORTED && r.complete);
			file_free(f);
		}
		CHECK(st.unsupported == 4);
	}

	/* random damage never crashes, never runs past the caps */
	{
		uint32_t x = 99;

		for (int round = 0; round < 300; round++) {
			struct buf m = { 0 };

			buf_add(&m, gz.p, gz.len);
			for (int k = 0; k < 1 + round % 5; k++) {
				x = x * 1103515245u + 12345u;
				m.p[(x >> 8) % m.len] ^= (uint8_t)(1u << ((x >> 4) % 8));
			}
			x = x * 1103515245u + 12345u;
			if (round % 3 == 0)
				m.len = (x >> 8) % m.len;
			f = feed(round % 2 ? "gzip" : "deflate, gzip", &m, NULL, 0);
			file_end(f, true, &r, NULL);
			CHECK(r.size <= CODING_OUT_MAX);
			file_free(f);
			free(m.p);
		}
	}
	free(plain.p);
	free(gz.p);
}

/* 100 MB of zeros as gzip, and 12 MB that compresses 4:1 */
static void test_bombs(void)
{
	struct buf zeros = { 0 };
	struct file_stats st = { 0 };
	struct file_result r;
	struct file_state *f;
	z_stream z;
	uint8_t *in = calloc(1, 1 << 20), tmp[65536];

	memset(&z, 0, sizeof(z));
	CHECK(in && deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK);
	for (int i = 0; i < 100; i++) {
		z.next_in = in;
		z.avail_in = 1 << 20;
		do {
			z.next_out = tmp;
			z.avail_out = sizeof(tmp);
			deflate(&z, i == 99 ? Z_FINISH : Z_NO_FLUSH);
			buf_add(&zeros, tmp, sizeof(tmp) - z.avail_out);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	free(in);
	CHECK(zeros.len < 200000);

	{
		size_t cuts[64];

		for (size_t i = 0; i < 64; i++)
			cuts[i] = (i + 1) * 1460; /* TCP segments */
		f = feed("gzip", &zeros, cuts, 64);
	}
	file_end(f, true, &r, &st);
	CHECK(r.decoding == CODING_BOMB && !r.complete);
	CHECK(r.size > 0 && r.size <= 2 * CODING_RATIO_FLOOR); /* the ratio cap */
	CHECK(st.bombs == 1 && st.decoded == 0);
	file_free(f);

	/* 100 MB inside two gzip layers: the ratio stops it as soon */
	{
		struct buf twice = compress_buf(zeros.p, zeros.len, 15 + 16, 9);

		f = feed("gzip, gzip", &twice, NULL, 0);
		file_end(f, true, &r, &st);
		CHECK(r.decoding == CODING_BOMB && r.size < 2 * CODING_RATIO_FLOOR);
		CHECK(st.bombs == 2);
		file_free(f);
		free(twice.p);
	}
	free(zeros.p);

	/* a ratio a real file can have, but too big: stops at the size cap */
	{
		struct buf big = { 0 }, gz;
		uint32_t x = 5;
		uint8_t blk[4096];

		while (big.len < 12u << 20) {
			for (size_t i = 0; i < sizeof(blk); i++) {
				x = x * 1103515245u + 12345u;
				blk[i] = (uint8_t)"ACGT"[(x >> 16) & 3];
			}
			buf_add(&big, blk, sizeof(blk));
		}
		gz = compress_buf(big.p, big.len, 15 + 16, 1);
		CHECK(big.len / gz.len < CODING_RATIO_MAX);
		f = feed("gzip", &gz, NULL, 0);
		file_end(f, true, &r, &st);
		CHECK(r.decoding == CODING_BOMB && r.size == CODING_OUT_MAX && !r.complete);
		CHECK(st.bombs == 3);
		{
			char want[65];

			sha256(big.p, CODING_OUT_MAX, want);
			CHECK_STR(r.sha256, want); /* what was decoded, up to the cap */
		}
		file_free(f);
		free(big.p);
		free(gz.p);
	}
}

/* ---- through the HTTP parser ---- */

struct sink {
	struct file_state *f;
	struct file_result r;
	struct file_stats st;
	char codings[HTTP_CODING_MAX];
	int files;
};

static void on_body(void *user, const struct http_tx *tx, int dir, const uint8_t *data,
		    size_t len, bool end)
{
	struct sink *s = user;

	if (dir != 1)
		return;
	if (!s->f && !end) {
		s->f = file_begin(tx->content_encoding);
		memcpy(s->codings, tx->content_encoding, sizeof(s->codings));
	}
	if (!end) {
		file_data(s->f, data, len);
		return;
	}
	file_end(s->f, !(tx->flags & HTTP_TXF_RES_INCOMPLETE), &s->r, &s->st);
	s->files++;
}

/* Feeds one response (after a GET) split at cut; the body's sha256. */
static void http_once(struct sink *s, const struct buf *res, size_t cut)
{
	static const char req[] = "GET /hoadon.bin HTTP/1.1\r\nHost: files.example\r\n"
				  "Accept-Encoding: gzip, deflate\r\n\r\n";
	struct http_state *st = http_state_create();
	struct timeval ts = { 1, 0 };
	struct http_tx tx;

	file_free(s->f);
	memset(s, 0, sizeof(*s));
	http_state_set_body_cb(st, on_body, s);
	http_feed(st, 0, (const uint8_t *)req, sizeof(req) - 1, &ts);
	if (cut > res->len)
		cut = res->len;
	http_feed(st, 1, res->p, cut, &ts);
	http_feed(st, 1, res->p + cut, res->len - cut, &ts);
	http_flush(st);
	while (http_next_tx(st, &tx))
		;
	http_state_destroy(st);
}

static void add_chunked(struct buf *res, const struct buf *body, size_t chunk)
{
	char line[32];

	for (size_t off = 0; off < body->len; off += chunk) {
		size_t n = body->len - off < chunk ? body->len - off : chunk;
		int l = snprintf(line, sizeof(line), "%zx\r\n", n);

		buf_add(res, line, (size_t)l);
		buf_add(res, body->p + off, n);
		buf_add(res, "\r\n", 2);
	}
	buf_add(res, "0\r\n\r\n", 5);
}

static void test_http(void)
{
	struct buf plain = make_file(20000, 42);
	struct buf gz = compress_buf(plain.p, plain.len, 15 + 16, 9);
	struct buf cl = { 0 }, ch = { 0 }, te = { 0 }, br = { 0 };
	struct sink s = { 0 };
	char want[65], hdr[256];
	unsigned bad = 0;
	int l;

	sha256(plain.p, plain.len, want);

	l = snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		     "Content-Encoding: GZIP\r\nContent-Length: %zu\r\n\r\n", gz.len);
	buf_add(&cl, hdr, (size_t)l);
	buf_add(&cl, gz.p, gz.len);

	buf_str(&ch, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
	add_chunked(&ch, &gz, 1000);

	buf_str(&te, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
	add_chunked(&te, &gz, 4096);

	buf_str(&br, "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 5\r\n\r\nxxxxx");

	for (size_t cut = 0; cut <= cl.len; cut += 1) {
		http_once(&s, &cl, cut);
		if (s.files != 1 || strcmp(s.r.sha256, want) || !s.r.complete)
			bad++;
	}
	CHECK(bad == 0);
	CHECK_STR(s.codings, "gzip");
	CHECK(s.r.carried == gz.len && s.r.size == plain.len);

	bad = 0;
	for (size_t cut = 0; cut <= ch.len; cut += 1) {
		http_once(&s, &ch, cut);
		if (s.files != 1 || strcmp(s.r.sha256, want) || !s.r.complete)
			bad++;
	}
	CHECK(bad == 0);
	CHECK_STR(s.codings, "gzip");

	http_once(&s, &te, te.len / 3);
	CHECK(s.files == 1);
	CHECK_STR(s.r.sha256, want);
	CHECK_STR(s.codings, "gzip");

	http_once(&s, &br, 0);
	CHECK_STR(s.codings, "br");
	CHECK(s.r.decoding == CODING_UNSUPPORTED && s.r.size == 5);

	/* the flow ends inside the body: TRUNCATED, not an error */
	{
		struct buf cut = { cl.p, cl.len - 100, 0 };

		http_once(&s, &cut, 0);
		CHECK(s.files == 1 && !s.r.complete && s.r.decoding == CODING_INCOMPLETE);
		CHECK(s.st.errors == 0);
	}

	/* how codings are listed */
	{
		static const struct {
			const char *headers, *want;
		} cases[] = {
			{ "Content-Encoding: gzip\r\nContent-Encoding: Deflate\r\n", "gzip, deflate" },
			{ "Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n", "gzip" },
			{ "Transfer-Encoding: gzip,chunked\r\nContent-Encoding:  x-gzip , identity\r\n",
			  "x-gzip, identity, gzip" },
			{ "Content-Encoding: gzip, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
			  "gzip..." },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct buf res = { 0 };

			buf_str(&res, "HTTP/1.1 200 OK\r\n");
			buf_str(&res, cases[i].headers);
			if (strstr(cases[i].headers, "chunked"))
				buf_str(&res, "\r\n3\r\nabc\r\n0\r\n\r\n");
			else
				buf_str(&res, "Content-Length: 3\r\n\r\nabc");
			http_once(&s, &res, 0);
			CHECK(s.files == 1);
			CHECK_STR(s.codings, cases[i].want);
			free(res.p);
		}
	}
	file_free(s.f);
	free(plain.p);
	free(gz.p);
	free(cl.p);
	free(ch.p);
	free(te.p);
	free(br.p);
}

int main(void)
{
	test_round_trips();
	test_failures();
	test_bombs();
	test_http();
	return CHECK_DONE();
}
