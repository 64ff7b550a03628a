/*
 * proto_http.c - HTTP/1.x transaction parser and EVE "http" writer.
 *
 * Sits after stream reassembly in the pipeline: the flow's in-order payload
 * arrives here one segment at a time per direction, and finished
 * transactions leave for the EVE output. Each direction is a small state
 * machine: a start line and header block (buffered across segments up to
 * HTTP_HDR_BLOCK_MAX), then a body delimited by Content-Length, chunked
 * transfer coding, or connection close. Requests queue transactions;
 * responses attach to the oldest one still unanswered, which is how
 * pipelining pairs up. Body bytes are counted and offered to a callback,
 * never stored.
 *
 * It must never read outside the buffer it is given, never loop without
 * consuming input, never grow memory with the input beyond the fixed
 * bounds, and never print. Input that is not HTTP makes the direction give
 * up (stats.gave_up) and ignore the rest of the flow.
 *
 * EVE format: follows Suricata 8's output-json-http.c with "extended: yes"
 * (the default suricata.yaml): hostname, http_port, url, http_user_agent,
 * xff, http_content_type, content_range{raw,start,end,size}, http_refer,
 * http_method, protocol, status | status_string, redirect, length, in that
 * order; request_headers/response_headers are not written (Suricata's
 * dump-all-headers is off by default). Decisions not confirmed against
 * Suricata, made by reading libhtp-rs rather than by running it:
 *  - http.length is the response message length as libhtp counts it: body
 *    bytes on the wire, chunk-size lines and chunk CRLFs included, trailer
 *    and final empty line not included.
 *  - hostname from an absolute URI is lowercased and loses trailing dots
 *    but is not percent-decoded (libhtp decodes it); from the Host header it
 *    is only lowercased. IPv6 literals keep their brackets.
 *  - A request-target is taken as absolute only as "scheme://authority...",
 *    so "//path" and "host:port/..." stay paths. CONNECT takes its target
 *    as "host:port".
 *  - A request line whose last word starts with "HTTP/" keeps everything
 *    between the method and that word as the URI (spaces included); libhtp
 *    would split at the first space and call the rest an invalid protocol.
 *  - A request line without a protocol is HTTP/0.9 only for GET; any other
 *    such line means the direction is not HTTP.
 *  - Interim 1xx responses other than 101 are skipped like 100 Continue
 *    (libhtp ends the transaction on 102/103).
 *  - 204 and 304 responses never have a body, as RFC 9110 says; libhtp
 *    reads one when they carry Content-Length or Transfer-Encoding.
 *  - Repeated headers are joined with ", " like libhtp; repeated
 *    Content-Length uses the first value and flags a mismatch.
 *  - Content-Length with leading junk ("-5", "x5") is invalid: a request
 *    then has no body, a response runs to connection close (libhtp takes the
 *    digits after the junk, and fails the stream on a response).
 *  - A field that holds a NUL byte is cut there (flagged TRUNCATED);
 *    Suricata writes the NUL escaped.
 *  - Chunk sizes are accepted up to 2^60; an invalid size makes a response
 *    body run to connection close and a request direction give up.
 */
#include "proto_http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonw.h"
#include "util.h"

#include "banned.h"

#define CHUNK_SIZE_MAX (1ull << 60)

enum dstate {
	DS_HEAD,	 /* start line and header block */
	DS_BODY_CL,	 /* body of known length */
	DS_CHUNK_LEN,	 /* chunk-size line */
	DS_CHUNK_DATA,	 /* chunk data */
	DS_CHUNK_END,	 /* CRLF after chunk data */
	DS_TRAILER,	 /* trailer lines after the last chunk */
	DS_BODY_CLOSE,	 /* response body up to connection close */
	DS_CONNECT_WAIT, /* request side after CONNECT: hold bytes until the answer */
	DS_TUNNEL,	 /* not HTTP any more: ignore */
	DS_DEAD,	 /* gave up: ignore */
};

/* A transaction with the parser's own bookkeeping. */
struct txn {
	struct http_tx tx; /* first: the callback gets &txn->tx */
	bool req_done, res_done;
	bool expect_100;
	bool is_head, is_connect;
};

struct hdir {
	enum dstate state;
	uint8_t *buf;	    /* HTTP_HDR_BLOCK_MAX bytes, allocated on demand */
	size_t len;	    /* bytes in buf */
	size_t line_start;  /* offset of the line being read */
	unsigned lines;	    /* complete non-empty lines in buf */
	bool start_ok;	    /* the start line's first bytes look like HTTP */
	uint64_t left;	    /* body or chunk bytes still expected */
	struct txn *tx;	    /* message whose body is being read; may be NULL */
	struct timeval ts_first; /* arrival of the message's first byte */
};

struct http_state {
	struct hdir d[2];
	struct txn *q[HTTP_TX_QUEUE_MAX]; /* ring, oldest at head */
	unsigned head, count;
	uint64_t next_id;
	uint64_t skip_responses; /* answers owed to dropped transactions */
	http_body_fn body_fn;
	void *body_user;
	struct timeval ts_last;
	struct http_stats stats;
};

static void feed_dir(struct http_state *st, int dir, const uint8_t *p, size_t n,
		     const struct timeval *ts);

/* ---- small helpers ---- */

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* c is one of the characters of set (never NUL) */
static bool in_set(uint8_t c, const char *set)
{
	return c != 0 && strchr(set, c) != NULL;
}

static bool is_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return in_set(c, "!#$%&'*+-.^_`|~");
}

static bool eq_nocase(const uint8_t *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n == l && strncasecmp((const char *)s, lit, l) == 0;
}

static bool has_nocase(const uint8_t *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	for (size_t i = 0; l <= n && i <= n - l; i++)
		if (strncasecmp((const char *)s + i, lit, l) == 0)
			return true;
	return false;
}

/* Copies n bytes (up to a NUL) into dst; with append, adds ", " and the
 * value after what dst holds, as libhtp joins repeated headers. */
static void put_field(char *dst, size_t size, const uint8_t *s, size_t n, bool append,
		      uint32_t *flags)
{
	size_t w = append ? strnlen(dst, size - 1) : 0;
	size_t i;

	if (append && w > 0) {
		if (w + 2 >= size) {
			*flags |= HTTP_TXF_TRUNCATED;
			return;
		}
		dst[w++] = ',';
		dst[w++] = ' ';
	}
	for (i = 0; i < n && s[i] != 0 && w < size - 1; i++)
		dst[w++] = (char)s[i];
	dst[w] = '\0';
	if (i < n)
		*flags |= HTTP_TXF_TRUNCATED;
}

static void trim(const uint8_t **s, size_t *n)
{
	while (*n && is_ws((*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_ws((*s)[*n - 1]))
		(*n)--;
}

/* Decimal Content-Length: optional whitespace, digits, then anything. */
static bool parse_content_length(const uint8_t *s, size_t n, int64_t *out)
{
	size_t i = 0;
	int64_t v = 0;

	while (i < n && is_ws(s[i]))
		i++;
	if (i == n || s[i] < '0' || s[i] > '9')
		return false;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		int d = s[i] - '0';

		if (v > (INT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Chunk-size line without its line end. Returns 1 with *out set, 0 for a
 * blank line (skipped, as libhtp does), -1 if invalid. */
static int parse_chunk_size(const uint8_t *s, size_t n, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	unsigned digits = 0;

	while (i < n && (is_ws(s[i]) || s[i] == '\r'))
		i++;
	if (i == n)
		return 0;
	for (; i < n && hd_hexval(s[i]) >= 0; i++) {
		v = v * 16 + (uint64_t)hd_hexval(s[i]);
		if (v > CHUNK_SIZE_MAX)
			return -1;
		digits++;
	}
	if (digits == 0)
		return -1;
	while (i < n && (is_ws(s[i]) || s[i] == '\r'))
		i++;
	if (i < n && s[i] != ';')
		return -1;
	*out = v;
	return 1;
}

/* Port digits as libhtp accepts them: 1..65535, else -1. */
static int parse_port(const uint8_t *s, size_t n)
{
	long v = 0;

	trim(&s, &n);
	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

/* Splits "host[:port]" (authority without userinfo). Host keeps IPv6
 * brackets; *port is -1 when absent or invalid. */
static void split_hostport(const uint8_t *s, size_t n, const uint8_t **host, size_t *hlen,
			   int *port)
{
	size_t i = 0, h;

	while (i < n && s[i] == ' ')
		i++;
	h = i;
	if (i < n && s[i] == '[') {
		while (i < n && s[i] != ']' && !in_set(s[i], "/?#"))
			i++;
		if (i < n && s[i] == ']')
			i++;
	} else {
		while (i < n && !in_set(s[i], "/?#:"))
			i++;
	}
	*host = s + h;
	*hlen = i - h;
	while (*hlen && (*host)[*hlen - 1] == ' ')
		(*hlen)--;
	*port = -1;
	if (i < n && s[i] == ':') {
		size_t p = ++i;

		while (i < n && !in_set(s[i], "/?#"))
			i++;
		*port = parse_port(s + p, i - p);
	}
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static bool take_digits(const uint8_t *s, size_t n, size_t *i, int64_t *out)
{
	size_t b = *i;
	int64_t v = 0;

	for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (s[*i] - '0');
	}
	*out = v;
	return *i > b;
}

/* Content-Range: "bytes 500-1000/146515", "bytes * / 146515" (without the
 * spaces), "bytes 0-1/ *" (likewise); fields that do not parse stay -1. */
static void parse_content_range(struct http_tx *tx, const uint8_t *s, size_t n)
{
	size_t i = 0;
	int64_t a = -1, b = -1, size = -1;

	while (i < n && s[i] == ' ')
		i++;
	while (i < n && s[i] != ' ')
		i++;
	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == '*') {
		if (++i >= n || s[i++] != '/' || !take_digits(s, n, &i, &size))
			return;
	} else {
		if (!take_digits(s, n, &i, &a) || i >= n || s[i++] != '-' ||
		    !take_digits(s, n, &i, &b) || i >= n || s[i++] != '/')
			return;
		if (i < n && s[i] == '*')
			size = -1;
		else if (!take_digits(s, n, &i, &size))
			return;
		if (b < a || (size >= 0 && b >= size))
			return;
	}
	tx->range_start = a;
	tx->range_end = b;
	tx->range_size = size;
}

/* ---- transaction queue ---- */

static void give_up(struct http_state *st, int dir);

static void tx_free_slot(struct http_state *st)
{
	struct txn *t = st->q[st->head];

	/* its answer must still be skipped to keep the pairing right */
	if (!t->tx.has_response && !t->res_done)
		st->skip_responses++;

	for (int i = 0; i < 2; i++)
		if (st->d[i].tx == t)
			st->d[i].tx = NULL;
	free(t);
	st->q[st->head] = NULL;
	st->head = (st->head + 1) % HTTP_TX_QUEUE_MAX;
	st->count--;
}

static struct txn *tx_new(struct http_state *st, const struct timeval *ts)
{
	struct txn *t;

	if (st->count == HTTP_TX_QUEUE_MAX) {
		tx_free_slot(st);
		st->stats.tx_dropped++;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tx.tx_id = st->next_id++;
	t->tx.port = -1;
	t->tx.request_content_length = -1;
	t->tx.response_content_length = -1;
	t->tx.range_start = t->tx.range_end = t->tx.range_size = -1;
	t->tx.ts = *ts;
	t->tx.ts_end = *ts;
	st->q[(st->head + st->count) % HTTP_TX_QUEUE_MAX] = t;
	st->count++;
	st->stats.tx_created++;
	return t;
}

/* The oldest transaction that has no response yet. */
static struct txn *tx_unanswered(struct http_state *st)
{
	for (unsigned i = 0; i < st->count; i++) {
		struct txn *t = st->q[(st->head + i) % HTTP_TX_QUEUE_MAX];

		if (!t->tx.has_response && !t->res_done)
			return t;
	}
	return NULL;
}

/* ---- bodies ---- */

static void body_data(struct http_state *st, int dir, const uint8_t *p, size_t n,
		      const struct timeval *ts)
{
	struct txn *t = st->d[dir].tx;

	if (!t || n == 0)
		return;
	if (dir == 0) {
		t->tx.request_body_len += n;
		t->tx.request_message_len += n;
	} else {
		t->tx.response_body_len += n;
		t->tx.response_message_len += n;
	}
	t->tx.ts_end = *ts;
	if (st->body_fn)
		st->body_fn(st->body_user, &t->tx, dir, p, n, false);
}

static void framing(struct http_state *st, int dir, size_t n)
{
	struct txn *t = st->d[dir].tx;

	if (!t)
		return;
	if (dir == 0)
		t->tx.request_message_len += n;
	else
		t->tx.response_message_len += n;
}

/* The message in direction dir is over (incomplete adds the flag). */
static void message_end(struct http_state *st, int dir, bool incomplete)
{
	struct hdir *d = &st->d[dir];
	struct txn *t = d->tx;

	if (t) {
		uint64_t blen = dir == 0 ? t->tx.request_body_len : t->tx.response_body_len;

		if (incomplete)
			t->tx.flags |= dir == 0 ? HTTP_TXF_REQ_INCOMPLETE : HTTP_TXF_RES_INCOMPLETE;
		if (st->body_fn && blen > 0)
			st->body_fn(st->body_user, &t->tx, dir, NULL, 0, true);
		if (dir == 0) {
			t->req_done = true;
			/* nobody will parse an answer */
			if (st->d[1].state == DS_DEAD || st->d[1].state == DS_TUNNEL)
				t->res_done = true;
		} else {
			t->res_done = true;
		}
	}
	d->tx = NULL;
	d->left = 0;
	d->state = DS_HEAD;
}

static void buf_reset(struct hdir *d)
{
	d->len = 0;
	d->line_start = 0;
	d->lines = 0;
	d->start_ok = false;
}

/* The response side stopped: requests that are complete are finished. */
static void no_more_answers(struct http_state *st)
{
	for (unsigned i = 0; i < st->count; i++) {
		struct txn *t = st->q[(st->head + i) % HTTP_TX_QUEUE_MAX];

		if (t->req_done)
			t->res_done = true;
	}
}

static void give_up(struct http_state *st, int dir)
{
	struct hdir *d = &st->d[dir];

	if (d->tx)
		message_end(st, dir, true);
	buf_reset(d);
	d->state = DS_DEAD;
	st->stats.gave_up[dir]++;
	if (dir == 1)
		no_more_answers(st);
}

static void tunnel(struct http_state *st, struct txn *t)
{
	for (int i = 0; i < 2; i++) {
		if (st->d[i].tx)
			message_end(st, i, false);
		buf_reset(&st->d[i]);
		if (st->d[i].state != DS_DEAD)
			st->d[i].state = DS_TUNNEL;
	}
	t->tx.flags |= HTTP_TXF_TUNNEL;
	t->req_done = t->res_done = true;
	st->stats.tunnels++;
}

/* ---- header blocks ---- */

/*
 * Rewrites a block of LF-terminated lines in place as logical lines: CRs
 * before LF dropped, folded continuation lines joined to the header they
 * continue with one space. Returns the new length.
 */
static size_t unfold(uint8_t *b, size_t n, uint32_t *flags)
{
	size_t r = 0, w = 0;
	unsigned idx = 0;

	while (r < n) {
		size_t s = r, e;

		while (r < n && b[r] != '\n')
			r++;
		e = r;
		if (r < n)
			r++;
		if (e > s && b[e - 1] == '\r')
			e--;
		if (idx >= 2 && e > s && is_ws(b[s]) && w > 0) {
			while (s < e && is_ws(b[s]))
				s++;
			*flags |= HTTP_TXF_FOLDED;
			b[w - 1] = ' '; /* was the previous line's LF */
		}
		memmove(b + w, b + s, e - s);
		w += e - s;
		if (w < r) /* always true for LF-terminated input */
			b[w++] = '\n';
		idx++;
	}
	return w;
}

/* Next logical line of an unfolded block: [*s, *s + *n), advancing *off. */
static bool next_line(const uint8_t *b, size_t len, size_t *off, const uint8_t **s, size_t *n)
{
	const uint8_t *lf;

	if (*off >= len)
		return false;
	*s = b + *off;
	lf = memchr(*s, '\n', len - *off);
	*n = lf ? (size_t)(lf - *s) : len - *off;
	*off += *n + (lf ? 1 : 0);
	return true;
}

/* Header line to name and value; false if it has no ':'. */
static bool split_header(const uint8_t *s, size_t n, const uint8_t **name, size_t *nlen,
			 const uint8_t **val, size_t *vlen, uint32_t *flags)
{
	const uint8_t *colon = memchr(s, ':', n);

	if (!colon) {
		*flags |= HTTP_TXF_BAD_HEADER;
		return false;
	}
	*name = s;
	*nlen = (size_t)(colon - s);
	if (*nlen && (is_ws((*name)[0]) || is_ws((*name)[*nlen - 1])))
		*flags |= HTTP_TXF_BAD_HEADER;
	trim(name, nlen);
	*val = colon + 1;
	*vlen = (size_t)(s + n - *val);
	trim(val, vlen);
	return *nlen > 0;
}

/* A repeated Content-Length keeps the first value; another value flags. */
static void take_content_length(int64_t *cl, bool *seen, const uint8_t *v, size_t n,
				uint32_t *flags, struct http_stats *stats)
{
	int64_t x;

	if (!parse_content_length(v, n, &x)) {
		*flags |= HTTP_TXF_BAD_CL;
		if (!*seen)
			stats->bad_length++;
		*seen = true;
		return;
	}
	if (*seen) {
		if (*cl != x)
			*flags |= HTTP_TXF_BAD_CL;
		return;
	}
	*seen = true;
	*cl = x;
}

/*
 * Appends the codings of a Content-Encoding or Transfer-Encoding value to
 * list (lower-case, ", " between; chunked left out when skip_chunked). A
 * list that does not fit ends in "..." and takes nothing more, so that it
 * never reads as a shorter list.
 */
static void add_codings(char *list, size_t size, const uint8_t *v, size_t n, bool skip_chunked,
			uint32_t *flags)
{
	size_t w = strnlen(list, size - 1);

	while (n > 0) {
		const uint8_t *comma = memchr(v, ',', n), *tok = v;
		size_t tlen = comma ? (size_t)(comma - v) : n;

		v += comma ? tlen + 1 : tlen;
		n -= comma ? tlen + 1 : tlen;
		trim(&tok, &tlen);
		if (tlen == 0 || (skip_chunked && eq_nocase(tok, tlen, "chunked")))
			continue;
		if (w >= 3 && !memcmp(list + w - 3, "...", 3))
			return;
		if (w + (w ? 2 : 0) + tlen >= size || memchr(tok, 0, tlen)) {
			size_t at = w + 3 < size ? w : size - 4;

			memcpy(list + at, "...", 4);
			*flags |= HTTP_TXF_TRUNCATED;
			return;
		}
		if (w) {
			list[w++] = ',';
			list[w++] = ' ';
		}
		for (size_t i = 0; i < tlen; i++)
			list[w++] = (char)(tok[i] >= 'A' && tok[i] <= 'Z' ? tok[i] + 32 : tok[i]);
		list[w] = '\0';
	}
}

/* Request-target and Host header to tx->host and tx->port. */
static void set_host(struct txn *t, const uint8_t *hosthdr, size_t hlen, bool have_hosthdr)
{
	struct http_tx *tx = &t->tx;
	const uint8_t *u = (const uint8_t *)tx->uri, *auth = NULL, *h;
	size_t ulen = strlen(tx->uri), alen = 0, n;
	int port;

	if (t->is_connect) {
		auth = u;
		alen = ulen;
	} else if (ulen && u[0] != '/') {
		const uint8_t *colon = memchr(u, ':', ulen);

		if (colon && (size_t)(colon - u) + 3 <= ulen && colon[1] == '/' && colon[2] == '/') {
			auth = colon + 3;
			alen = 0;
			while (auth + alen < u + ulen && !in_set(auth[alen], "/?#"))
				alen++;
			for (size_t i = alen; i > 0; i--) {
				if (auth[i - 1] == '@') {
					auth += i;
					alen -= i;
					break;
				}
			}
		}
	}
	if (auth) {
		split_hostport(auth, alen, &h, &n, &port);
		if (n > 0) {
			size_t l;

			put_field(tx->host, sizeof(tx->host), h, n, false, &tx->flags);
			lower(tx->host);
			l = strlen(tx->host);
			while (l > 0 && tx->host[l - 1] == '.')
				tx->host[--l] = '\0';
			tx->port = port;
			if (have_hosthdr) {
				const uint8_t *h2;
				size_t n2;
				int p2;

				split_hostport(hosthdr, hlen, &h2, &n2, &p2);
				if (n2 != n || strncasecmp((const char *)h, (const char *)h2, n) != 0 ||
				    (p2 >= 0 && port >= 0 && p2 != port))
					tx->flags |= HTTP_TXF_HOST_AMBIGUOUS;
			}
			return;
		}
	}
	if (have_hosthdr) {
		split_hostport(hosthdr, hlen, &h, &n, &port);
		put_field(tx->host, sizeof(tx->host), h, n, false, &tx->flags);
		lower(tx->host);
		tx->port = port;
	}
}

/* Does the request line end in an "HTTP/..." protocol word? */
static bool has_protocol(const uint8_t *l, size_t n)
{
	size_t end = n, ps;

	while (end > 0 && (is_ws(l[end - 1]) || l[end - 1] == '\r' || l[end - 1] == '\n'))
		end--;
	ps = end;
	while (ps > 0 && !is_ws(l[ps - 1]))
		ps--;
	return ps > 0 && end - ps >= 5 && strncasecmp((const char *)l + ps, "HTTP/", 5) == 0;
}

/* An HTTP request line has a protocol word, or is an HTTP/0.9 GET. */
static bool request_line_ok(const uint8_t *l, size_t n)
{
	return has_protocol(l, n) || (n >= 4 && memcmp(l, "GET", 3) == 0 && is_ws(l[3]));
}

/* Request line (already checked by request_line_ok): method, target,
 * protocol. */
static void parse_request_line(struct txn *t, const uint8_t *l, size_t n)
{
	struct http_tx *tx = &t->tx;
	size_t i = 0, m, end, ps, ue;

	while (i < n && !is_ws(l[i]))
		i++;
	m = i;
	while (i < n && is_ws(l[i]))
		i++;
	end = n;
	while (end > i && is_ws(l[end - 1]))
		end--;
	ps = end;
	while (ps > i && !is_ws(l[ps - 1]))
		ps--;
	put_field(tx->method, sizeof(tx->method), l, m, false, &tx->flags);
	if (ps > i && end - ps >= 5 && strncasecmp((const char *)l + ps, "HTTP/", 5) == 0) {
		put_field(tx->protocol, sizeof(tx->protocol), l + ps, end - ps, false, &tx->flags);
		ue = ps;
		while (ue > i && is_ws(l[ue - 1]))
			ue--;
	} else {
		ue = end; /* HTTP/0.9 */
	}
	if (ue < i)
		ue = i;
	put_field(tx->uri, sizeof(tx->uri), l + i, ue - i, false, &tx->flags);
	if (ue - i > 0 && memchr(l + i, ' ', ue - i))
		tx->flags |= HTTP_TXF_BAD_LINE;
	t->is_head = m == 4 && memcmp(l, "HEAD", 4) == 0;
	t->is_connect = m == 7 && memcmp(l, "CONNECT", 7) == 0;
}

static struct txn *request_block(struct http_state *st, uint8_t *b, size_t len,
				 bool truncated, const struct timeval *ts)
{
	struct hdir *d = &st->d[0];
	struct txn *t;
	struct http_tx *tx;
	const uint8_t *l, *name, *val, *hosthdr = NULL;
	size_t off = 0, n, nlen, vlen, hostlen = 0;
	unsigned count = 0;
	bool cl_seen = false, te_chunked = false;
	uint32_t flags = 0;
	char te[HTTP_CODING_MAX] = "";

	len = unfold(b, len, &flags);
	if (!next_line(b, len, &off, &l, &n))
		return NULL;
	if (!request_line_ok(l, n)) {
		give_up(st, 0);
		return NULL;
	}
	t = tx_new(st, &d->ts_first);
	if (!t) {
		give_up(st, 0);
		return NULL;
	}
	tx = &t->tx;
	tx->has_request = true;
	tx->ts_end = *ts;
	tx->flags |= flags;
	if (truncated)
		tx->flags |= HTTP_TXF_HDR_OVERFLOW;
	parse_request_line(t, l, n);
	while (next_line(b, len, &off, &l, &n)) {
		if (++count > HTTP_HDR_COUNT_MAX) {
			tx->flags |= HTTP_TXF_HDR_TOO_MANY;
			break;
		}
		if (n == 0)
			continue;
		if (!split_header(l, n, &name, &nlen, &val, &vlen, &tx->flags))
			continue;
		if (eq_nocase(name, nlen, "host")) {
			if (!hosthdr) {
				hosthdr = val;
				hostlen = vlen;
			} else {
				tx->flags |= HTTP_TXF_HOST_AMBIGUOUS;
			}
			tx->present |= HTTP_HAS_HOST;
		} else if (eq_nocase(name, nlen, "user-agent")) {
			put_field(tx->user_agent, sizeof(tx->user_agent), val, vlen,
				  tx->present & HTTP_HAS_UA, &tx->flags);
			tx->present |= HTTP_HAS_UA;
		} else if (eq_nocase(name, nlen, "referer")) {
			put_field(tx->referer, sizeof(tx->referer), val, vlen,
				  tx->present & HTTP_HAS_REFERER, &tx->flags);
			tx->present |= HTTP_HAS_REFERER;
		} else if (eq_nocase(name, nlen, "x-forwarded-for")) {
			put_field(tx->xff, sizeof(tx->xff), val, vlen, tx->present & HTTP_HAS_XFF,
				  &tx->flags);
			tx->present |= HTTP_HAS_XFF;
		} else if (eq_nocase(name, nlen, "content-type")) {
			put_field(tx->request_content_type, sizeof(tx->request_content_type), val,
				  vlen, tx->present & HTTP_HAS_REQ_CTYPE, &tx->flags);
			tx->present |= HTTP_HAS_REQ_CTYPE;
		} else if (eq_nocase(name, nlen, "content-length")) {
			take_content_length(&tx->request_content_length, &cl_seen, val, vlen,
					    &tx->flags, &st->stats);
		} else if (eq_nocase(name, nlen, "transfer-encoding")) {
			if (has_nocase(val, vlen, "chunked"))
				te_chunked = true;
			add_codings(te, sizeof(te), val, vlen, true, &tx->flags);
		} else if (eq_nocase(name, nlen, "content-encoding")) {
			add_codings(tx->request_content_encoding, sizeof(tx->request_content_encoding),
				    val, vlen, false, &tx->flags);
		} else if (eq_nocase(name, nlen, "expect")) {
			if (has_nocase(val, vlen, "100-continue"))
				t->expect_100 = true;
		}
	}
	set_host(t, hosthdr, hostlen, hosthdr != NULL);
	if (te[0])
		add_codings(tx->request_content_encoding, sizeof(tx->request_content_encoding),
			    (const uint8_t *)te, strlen(te), false, &tx->flags);

	if (truncated) {
		t->req_done = true;
		return t; /* the caller gives the direction up */
	}
	if (t->is_connect) {
		t->req_done = true;
		d->state = DS_CONNECT_WAIT;
		return t;
	}
	d->tx = t;
	if (te_chunked) {
		tx->request_chunked = true;
		if (cl_seen)
			tx->flags |= HTTP_TXF_CL_AND_TE;
		d->state = DS_CHUNK_LEN;
	} else if (tx->request_content_length > 0) {
		d->left = (uint64_t)tx->request_content_length;
		d->state = DS_BODY_CL;
	} else {
		message_end(st, 0, false);
	}
	return t;
}

static void resume_after_connect(struct http_state *st, const struct timeval *ts)
{
	struct hdir *d = &st->d[0];
	uint8_t *held;
	size_t n = d->len;

	d->state = DS_HEAD;
	if (n == 0)
		return;
	held = malloc(n);
	if (!held) {
		give_up(st, 0);
		return;
	}
	memcpy(held, d->buf, n);
	buf_reset(d);
	feed_dir(st, 0, held, n, ts);
	free(held);
}

static struct txn *response_block(struct http_state *st, uint8_t *b, size_t len,
				  bool truncated, const struct timeval *ts)
{
	struct hdir *d = &st->d[1];
	struct txn *t;
	struct http_tx *tx, tmp;
	const uint8_t *l, *name, *val;
	size_t off = 0, n, nlen, vlen, i = 0, p, s;
	unsigned count = 0;
	bool cl_seen = false, te_chunked = false, te_seen = false, cl_present = false;
	uint32_t flags = 0;
	int status = 0;
	char te[HTTP_CODING_MAX] = "";

	len = unfold(b, len, &flags);
	if (!next_line(b, len, &off, &l, &n))
		return NULL;

	/* status line: protocol SP status SP reason */
	memset(&tmp, 0, sizeof(tmp));
	tmp.flags = flags;
	tmp.response_content_length = -1;
	tmp.range_start = tmp.range_end = tmp.range_size = -1;
	while (i < n && !is_ws(l[i]))
		i++;
	put_field(tmp.response_protocol, sizeof(tmp.response_protocol), l, i, false, &tmp.flags);
	while (i < n && is_ws(l[i]))
		i++;
	s = i;
	while (i < n && !is_ws(l[i]))
		i++;
	put_field(tmp.status_string, sizeof(tmp.status_string), l + s, i - s, false, &tmp.flags);
	if (i - s >= 3 && i - s <= 5) {
		for (p = s; p < i && l[p] >= '0' && l[p] <= '9'; p++)
			status = status * 10 + (l[p] - '0');
		if (p != i || status < 100 || status > 999)
			status = 0;
	}
	if (status == 0)
		tmp.flags |= HTTP_TXF_BAD_LINE;
	tmp.status = status;
	while (i < n && is_ws(l[i]))
		i++;
	put_field(tmp.status_text, sizeof(tmp.status_text), l + i, n - i, false, &tmp.flags);

	while (next_line(b, len, &off, &l, &n)) {
		if (++count > HTTP_HDR_COUNT_MAX) {
			tmp.flags |= HTTP_TXF_HDR_TOO_MANY;
			break;
		}
		if (n == 0)
			continue;
		if (!split_header(l, n, &name, &nlen, &val, &vlen, &tmp.flags))
			continue;
		if (eq_nocase(name, nlen, "content-type")) {
			put_field(tmp.content_type, sizeof(tmp.content_type), val, vlen,
				  tmp.present & HTTP_HAS_CTYPE, &tmp.flags);
			tmp.present |= HTTP_HAS_CTYPE;
		} else if (eq_nocase(name, nlen, "location")) {
			put_field(tmp.location, sizeof(tmp.location), val, vlen,
				  tmp.present & HTTP_HAS_LOCATION, &tmp.flags);
			tmp.present |= HTTP_HAS_LOCATION;
		} else if (eq_nocase(name, nlen, "content-range")) {
			if (!(tmp.present & HTTP_HAS_RANGE)) {
				put_field(tmp.content_range, sizeof(tmp.content_range), val, vlen,
					  false, &tmp.flags);
				parse_content_range(&tmp, val, vlen);
			}
			tmp.present |= HTTP_HAS_RANGE;
		} else if (eq_nocase(name, nlen, "content-length")) {
			cl_present = true;
			take_content_length(&tmp.response_content_length, &cl_seen, val, vlen,
					    &tmp.flags, &st->stats);
		} else if (eq_nocase(name, nlen, "transfer-encoding")) {
			te_seen = true;
			if (has_nocase(val, vlen, "chunked"))
				te_chunked = true;
			add_codings(te, sizeof(te), val, vlen, true, &tmp.flags);
		} else if (eq_nocase(name, nlen, "content-encoding")) {
			add_codings(tmp.content_encoding, sizeof(tmp.content_encoding), val, vlen,
				    false, &tmp.flags);
		}
	}
	if (te[0])
		add_codings(tmp.content_encoding, sizeof(tmp.content_encoding),
			    (const uint8_t *)te, strlen(te), false, &tmp.flags);

	/* interim responses: 100 Continue and friends, not 101 */
	if (!truncated && status >= 100 && status <= 199 && status != 101 && !te_seen &&
	    tmp.response_content_length <= 0) {
		t = tx_unanswered(st);
		if (t)
			t->tx.flags |= HTTP_TXF_SEEN_100;
		return NULL;
	}

	if (st->skip_responses > 0) {
		/* the answer to a dropped transaction: skip its body */
		st->skip_responses--;
		t = NULL;
		tx = &tmp;
		goto body;
	}
	t = tx_unanswered(st);
	if (!t) {
		t = tx_new(st, &d->ts_first);
		if (!t) {
			give_up(st, 1);
			return NULL;
		}
		t->req_done = true;
	}
	tx = &t->tx;
	tx->has_response = true;
	tx->flags |= tmp.flags;
	tx->present |= tmp.present;
	memcpy(tx->response_protocol, tmp.response_protocol, sizeof(tx->response_protocol));
	memcpy(tx->status_string, tmp.status_string, sizeof(tx->status_string));
	memcpy(tx->status_text, tmp.status_text, sizeof(tx->status_text));
	memcpy(tx->content_type, tmp.content_type, sizeof(tx->content_type));
	memcpy(tx->location, tmp.location, sizeof(tx->location));
	memcpy(tx->content_range, tmp.content_range, sizeof(tx->content_range));
	memcpy(tx->content_encoding, tmp.content_encoding, sizeof(tx->content_encoding));
	tx->status = tmp.status;
	tx->range_start = tmp.range_start;
	tx->range_end = tmp.range_end;
	tx->range_size = tmp.range_size;
	tx->response_content_length = tmp.response_content_length;
	tx->ts_end = *ts;
	if (truncated) {
		tx->flags |= HTTP_TXF_HDR_OVERFLOW;
		t->res_done = true;
		return t;
	}

	/* a CONNECT answered: tunnel on success, otherwise resume requests */
	if (t->is_connect && status >= 200 && status <= 299) {
		tunnel(st, t);
		return t;
	}
	if (t->is_connect && st->d[0].state == DS_CONNECT_WAIT)
		resume_after_connect(st, ts);
	if (status == 101 && !te_seen && !cl_present) {
		tunnel(st, t);
		return t;
	}
	/* request body never sent after Expect: 100-continue was refused */
	if (status >= 400 && status <= 499 && t->expect_100 && st->d[0].tx == t &&
	    st->d[0].state == DS_BODY_CL && t->tx.request_body_len == 0)
		message_end(st, 0, false);

body:
	d->tx = t;
	if ((t && t->is_head) || status == 204 || status == 304 ||
	    (status >= 100 && status <= 199 && !te_seen && !cl_present)) {
		message_end(st, 1, false);
	} else if (te_chunked) {
		tx->response_chunked = true;
		if (cl_present)
			tx->flags |= HTTP_TXF_CL_AND_TE;
		d->state = DS_CHUNK_LEN;
	} else if (tmp.response_content_length >= 0) {
		if (tmp.response_content_length == 0) {
			message_end(st, 1, false);
		} else {
			d->left = (uint64_t)tmp.response_content_length;
			d->state = DS_BODY_CL;
		}
	} else {
		d->state = DS_BODY_CLOSE;
	}
	return t;
}

/* Parses the complete lines in the buffer as a header block; returns the
 * transaction it went to, if any. */
static struct txn *head_done(struct http_state *st, int dir, bool truncated,
			     const struct timeval *ts)
{
	struct hdir *d = &st->d[dir];
	struct txn *t;

	d->state = DS_HEAD;
	if (dir == 0)
		t = request_block(st, d->buf, d->line_start, truncated, ts);
	else
		t = response_block(st, d->buf, d->line_start, truncated, ts);
	buf_reset(d);
	if (truncated && d->state != DS_DEAD && d->state != DS_TUNNEL) {
		if (d->tx)
			message_end(st, dir, true);
		d->state = DS_DEAD;
		st->stats.gave_up[dir]++;
	}
	return t;
}

/* First bytes of a message: 1 looks like HTTP, -1 does not, 0 need more. */
static int start_verdict(int dir, const uint8_t *b, size_t n)
{
	if (dir == 0) {
		for (size_t i = 0; i < n; i++) {
			if (b[i] == ' ')
				return i > 0 ? 1 : -1;
			if (!is_tchar(b[i]) || i >= HTTP_METHOD_MAX * 2)
				return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < n && i < 5; i++)
		if ((b[i] & 0xdf) != (uint8_t)"HTTP/"[i] && !(i == 4 && b[i] == '/'))
			return -1;
	return n >= 5 ? 1 : 0;
}

static bool buf_ensure(struct hdir *d)
{
	if (!d->buf)
		d->buf = malloc(HTTP_HDR_BLOCK_MAX);
	return d->buf != NULL;
}

/*
 * Appends input up to and including the first LF to the buffer, bounded by
 * limit. Returns the bytes taken; *line is set when a LF was taken. Takes
 * nothing and sets *full when the line does not fit.
 */
static size_t take_line(struct hdir *d, const uint8_t *p, size_t n, size_t limit, bool *line,
			bool *full)
{
	const uint8_t *lf = memchr(p, '\n', n);
	size_t want = lf ? (size_t)(lf - p) + 1 : n;

	*line = false;
	*full = false;
	if (!buf_ensure(d) || want > limit - d->len) {
		*full = true;
		return 0;
	}
	memcpy(d->buf + d->len, p, want);
	d->len += want;
	*line = lf != NULL;
	return want;
}

static size_t on_head(struct http_state *st, int dir, const uint8_t *p, size_t n,
		      const struct timeval *ts)
{
	struct hdir *d = &st->d[dir];
	size_t used = 0, k, ls, le;
	bool line, full;

	if (d->len == 0) {
		/* blank lines between messages are ignored */
		while (used < n && (p[used] == '\r' || p[used] == '\n'))
			used++;
		if (used == n)
			return used;
		d->ts_first = *ts;
	}
	k = take_line(d, p + used, n - used, HTTP_HDR_BLOCK_MAX, &line, &full);
	used += k;
	if (full) {
		st->stats.hdr_overflow++;
		if (d->lines > 0)
			head_done(st, dir, true, ts);
		else
			give_up(st, dir);
		return used;
	}
	if (!d->start_ok) {
		int v = start_verdict(dir, d->buf, d->len);

		if (v < 0 || (v == 0 && line)) {
			give_up(st, dir);
			return used;
		}
		d->start_ok = v > 0;
	}
	if (!line)
		return used;
	ls = d->line_start;
	le = d->len - 1;
	if (le > ls && d->buf[le - 1] == '\r')
		le--;
	if (le > ls) {
		d->lines++;
		d->line_start = d->len;
		if (dir == 0 && d->lines == 1) {
			if (!request_line_ok(d->buf, le))
				give_up(st, dir);
			else if (!has_protocol(d->buf, le))
				head_done(st, dir, false, ts); /* HTTP/0.9: no headers */
		}
		return used;
	}
	head_done(st, dir, false, ts); /* the block ends before this empty line */
	return used;
}

static size_t on_chunk_len(struct http_state *st, int dir, const uint8_t *p, size_t n,
			   const struct timeval *ts)
{
	struct hdir *d = &st->d[dir];
	bool line, full;
	size_t k = take_line(d, p, n, HTTP_CHUNK_LINE_MAX, &line, &full);
	uint64_t size = 0;
	int r;

	if (full)
		goto bad;
	if (!line)
		return k;
	r = parse_chunk_size(d->buf, d->len - 1, &size);
	if (r < 0)
		goto bad;
	framing(st, dir, d->len);
	buf_reset(d);
	if (r == 0)
		return k;
	if (size == 0) {
		d->state = DS_TRAILER;
	} else {
		d->left = size;
		d->state = DS_CHUNK_DATA;
	}
	return k;

bad:
	st->stats.bad_length++;
	if (d->tx)
		d->tx->tx.flags |= HTTP_TXF_BAD_CHUNK;
	if (dir == 0) {
		give_up(st, dir);
		return k;
	}
	/* a response with a broken chunk size runs to connection close */
	body_data(st, dir, d->buf, d->len, ts);
	buf_reset(d);
	d->state = DS_BODY_CLOSE;
	return k;
}

static size_t on_trailer(struct http_state *st, int dir, const uint8_t *p, size_t n,
			 const struct timeval *ts)
{
	struct hdir *d = &st->d[dir];
	bool line, full;
	size_t k = take_line(d, p, n, HTTP_HDR_BLOCK_MAX, &line, &full);
	size_t le;

	(void)ts;
	if (full) {
		st->stats.hdr_overflow++;
		give_up(st, dir);
		return k;
	}
	if (!line)
		return k;
	le = d->len - 1;
	if (le > 0 && d->buf[le - 1] == '\r')
		le--;
	buf_reset(d);
	if (le == 0)
		message_end(st, dir, false);
	return k;
}

/* One step of the direction's state machine; returns the bytes consumed. */
static size_t step(struct http_state *st, int dir, const uint8_t *p, size_t n,
		   const struct timeval *ts)
{
	struct hdir *d = &st->d[dir];
	const uint8_t *lf;
	size_t k;

	switch (d->state) {
	case DS_HEAD:
		return on_head(st, dir, p, n, ts);
	case DS_BODY_CL:
	case DS_CHUNK_DATA:
		k = n < d->left ? n : (size_t)d->left;
		body_data(st, dir, p, k, ts);
		d->left -= k;
		if (d->left == 0) {
			if (d->state == DS_CHUNK_DATA)
				d->state = DS_CHUNK_END;
			else
				message_end(st, dir, false);
		}
		return k;
	case DS_CHUNK_LEN:
		return on_chunk_len(st, dir, p, n, ts);
	case DS_CHUNK_END:
		lf = memchr(p, '\n', n);
		k = lf ? (size_t)(lf - p) + 1 : n;
		framing(st, dir, k);
		if (lf)
			d->state = DS_CHUNK_LEN;
		return k;
	case DS_TRAILER:
		return on_trailer(st, dir, p, n, ts);
	case DS_BODY_CLOSE:
		body_data(st, dir, p, n, ts);
		return n;
	case DS_CONNECT_WAIT:
		if (!buf_ensure(d) || n > HTTP_HDR_BLOCK_MAX - d->len) {
			/* no answer to the CONNECT in sight: assume a tunnel */
			buf_reset(d);
			d->state = DS_TUNNEL;
			st->stats.tunnels++;
			return n;
		}
		memcpy(d->buf + d->len, p, n);
		d->len += n;
		return n;
	case DS_TUNNEL:
	case DS_DEAD:
		return n;
	}
	return n;
}

static void feed_dir(struct http_state *st, int dir, const uint8_t *p, size_t n,
		     const struct timeval *ts)
{
	size_t off = 0;
	unsigned idle = 0;

	while (off < n) {
		size_t k = step(st, dir, p + off, n - off, ts);

		off += k;
		/* every step consumes or changes state; never spin */
		if (k == 0 && ++idle > 8) {
			give_up(st, dir);
			return;
		} else if (k) {
			idle = 0;
		}
	}
}

/* ---- public ---- */

struct http_state *http_state_create(void)
{
	return calloc(1, sizeof(struct http_state));
}

void http_state_destroy(struct http_state *st)
{
	if (!st)
		return;
	while (st->count)
		tx_free_slot(st);
	free(st->d[0].buf);
	free(st->d[1].buf);
	free(st);
}

void http_state_set_body_cb(struct http_state *st, http_body_fn fn, void *user)
{
	if (!st)
		return;
	st->body_fn = fn;
	st->body_user = user;
}

void http_state_stats(const struct http_state *st, struct http_stats *out)
{
	if (st)
		*out = st->stats;
	else
		memset(out, 0, sizeof(*out));
}

void http_feed(struct http_state *st, int dir, const uint8_t *data, size_t len,
	       const struct timeval *ts)
{
	struct hdir *d;

	if (!st || (dir != 0 && dir != 1) || !data || len == 0 || !ts)
		return;
	st->ts_last = *ts;
	feed_dir(st, dir, data, len, ts);
	/* give back the header buffer between messages */
	d = &st->d[dir];
	if (d->len == 0 && d->buf) {
		free(d->buf);
		d->buf = NULL;
	}
}

bool http_next_tx(struct http_state *st, struct http_tx *out)
{
	struct txn *t;

	if (!st || st->count == 0)
		return false;
	t = st->q[st->head];
	if (!t->req_done || !t->res_done)
		return false;
	if (st->d[0].tx == t || st->d[1].tx == t)
		return false;
	*out = t->tx;
	tx_free_slot(st);
	return true;
}

void http_flush(struct http_state *st)
{
	const struct timeval *ts;

	if (!st)
		return;
	ts = &st->ts_last;
	for (int dir = 0; dir < 2; dir++) {
		struct hdir *d = &st->d[dir];

		if (d->state == DS_HEAD && d->len > 0) {
			/* a header block cut short: keep what it says */
			struct txn *t = NULL;

			if (d->line_start < d->len && d->len < HTTP_HDR_BLOCK_MAX && d->start_ok) {
				d->buf[d->len++] = '\n';
				d->lines++;
				d->line_start = d->len;
			}
			if (d->lines > 0 && (dir == 1 || request_line_ok(d->buf, d->len)))
				t = head_done(st, dir, false, ts);
			if (t)
				t->tx.flags |= dir == 0 ? HTTP_TXF_REQ_INCOMPLETE : HTTP_TXF_RES_INCOMPLETE;
			buf_reset(d);
		}
		switch (d->state) {
		case DS_BODY_CL:
		case DS_CHUNK_LEN:
		case DS_CHUNK_DATA:
		case DS_CHUNK_END:
		case DS_TRAILER:
			message_end(st, dir, true);
			break;
		case DS_BODY_CLOSE:
			message_end(st, dir, false);
			break;
		default:
			break;
		}
		if (d->state == DS_CONNECT_WAIT || d->state == DS_HEAD)
			d->state = DS_HEAD;
		buf_reset(d);
		free(d->buf);
		d->buf = NULL;
		d->tx = NULL;
	}
	for (unsigned i = 0; i < st->count; i++) {
		struct txn *t = st->q[(st->head + i) % HTTP_TX_QUEUE_MAX];

		if (t->tx.has_request && !t->req_done)
			t->tx.flags |= HTTP_TXF_REQ_INCOMPLETE;
		t->req_done = t->res_done = true;
	}
}

void http_tx_write_eve(struct jw *w, const struct http_tx *tx)
{
	jw_obj_open(w, "http");
	if (tx->host[0])
		jw_str(w, "hostname", tx->host);
	if (tx->port >= 0)
		jw_uint(w, "http_port", (uint64_t)tx->port);
	if (tx->has_request)
		jw_str(w, "url", tx->uri);
	if (tx->present & HTTP_HAS_UA)
		jw_str(w, "http_user_agent", tx->user_agent);
	if (tx->present & HTTP_HAS_XFF)
		jw_str(w, "xff", tx->xff);
	if (tx->present & HTTP_HAS_CTYPE) {
		const char *semi = strchr(tx->content_type, ';');

		jw_strn(w, "http_content_type", tx->content_type,
			semi ? (size_t)(semi - tx->content_type) : strlen(tx->content_type));
	}
	if (tx->present & HTTP_HAS_RANGE) {
		jw_obj_open(w, "content_range");
		jw_str(w, "raw", tx->content_range);
		if (tx->range_start >= 0)
			jw_uint(w, "start", (uint64_t)tx->range_start);
		if (tx->range_end >= 0)
			jw_uint(w, "end", (uint64_t)tx->range_end);
		if (tx->range_size >= 0)
			jw_uint(w, "size", (uint64_t)tx->range_size);
		jw_obj_close(w);
	}
	if (tx->present & HTTP_HAS_REFERER)
		jw_str(w, "http_refer", tx->referer);
	if (tx->has_request) {
		jw_str(w, "http_method", tx->method);
		if (tx->protocol[0])
			jw_str(w, "protocol", tx->protocol);
	}
	if (tx->has_response) {
		if (tx->status > 0)
			jw_uint(w, "status", (uint64_t)tx->status);
		else if (tx->status_string[0])
			jw_str(w, "status_string", tx->status_string);
	}
	if (tx->present & HTTP_HAS_LOCATION)
		jw_str(w, "redirect", tx->location);
	jw_uint(w, "length", tx->response_message_len);
	jw_obj_close(w);
}

bool http_looks_like_request(const uint8_t *data, size_t len)
{
	static const char *const methods[] = {
		"GET",	   "POST",   "HEAD",   "PUT",	    "DELETE",	 "OPTIONS",   "CONNECT",
		"TRACE",   "PATCH",  "PROPFIND", "PROPPATCH", "MKCOL",	 "COPY",      "MOVE",
		"LOCK",	   "UNLOCK", "SEARCH", "REPORT",    "MKACTIVITY", "CHECKOUT", "MERGE",
		"MKCALENDAR", "ACL", "BIND",   "UNBIND",    "REBIND",	 "LINK",      "UNLINK",
	};

	if (!data)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
		size_t m = strlen(methods[i]);

		if (len > m && memcmp(data, methods[i], m) == 0 && data[m] == ' ')
			return true;
	}
	return false;
}
