/*
 * jsonw.c - streaming JSON writer with UTF-8 sanitising (see jsonw.h).
 * This is the hot path of event output: no allocation per value, one
 * append per token, strings validated byte by byte.
 */
#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void jw_init(struct jw *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
}

void jw_finish(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->overflow = false;
	w->need_comma[0] = false;
}

static bool reserve(struct jw *w, size_t n)
{
	size_t want;
	char *nb;

	if (w->overflow)
		return false;
	if (w->len + n > w->max) {
		w->overflow = true;
		return false;
	}
	if (w->len + n <= w->cap)
		return true;
	want = w->cap ? w->cap * 2 : 4096;
	while (want < w->len + n)
		want *= 2;
	if (want > w->max)
		want = w->max;
	if (w->len + n > want) {
		w->overflow = true;
		return false;
	}
	nb = realloc(w->buf, want);
	if (!nb) {
		w->overflow = true;
		return false;
	}
	w->buf = nb;
	w->cap = want;
	return true;
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

unsigned utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

/* bytes copied as they are: printable ASCII but the quote and backslash */
#define P16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const bool plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x22 '"' */
	[0x30] = P16,
	[0x40] = P16,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x5c backslash */
	[0x60] = P16,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x7f DEL */
};
#undef P16

size_t jw_escape(char *out, size_t size, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0, i = 0;

	if (size == 0)
		return 0;
	while (i < n) {
		unsigned char c = s[i];
		char esc[8];
		size_t run = i;

		/* fast path: a run of plain printable ASCII is copied at once */
		while (run < n && plain[s[run]])
			run++;
		if (run > i) {
			size_t k = run - i;
			if (o + k >= size)
				k = size - 1 - o;
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			if (i < run)
				break;
			continue;
		}
		size_t elen;
		const char *src = esc;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			elen = 2;
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': memcpy(esc, "\\n", 2); elen = 2; break;
			case '\r': memcpy(esc, "\\r", 2); elen = 2; break;
			case '\t': memcpy(esc, "\\t", 2); elen = 2; break;
			default:
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				elen = 6;
			}
			i++;
		} else if (c < 0x80) {
			esc[0] = (char)c;
			elen = 1;
			i++;
		} else {
			unsigned l = utf8_seq_len(s + i, n - i);
			if (l) {
				src = (const char *)s + i;
				elen = l;
				i += l;
			} else {
				memcpy(esc, "\xef\xbf\xbd", 3); /* U+FFFD */
				elen = 3;
				i++;
			}
		}
		if (o + elen >= size)
			break;
		memcpy(out + o, src, elen);
		o += elen;
	}
	out[o] = '\0';
	return o;
}

static void put_str(struct jw *w, const char *s, size_t n)
{
	/* worst case: every byte becomes \u00XX (6) or U+FFFD (3) */
	size_t need = n * 6 + 3;

	if (!reserve(w, need))
		return;
	w->buf[w->len++] = '"';
	w->len += jw_escape(w->buf + w->len, need - 1, s, n);
	w->buf[w->len++] = '"';
}

static void begin_value(struct jw *w, const char *key, size_t kl)
{
	char *p;

	/* keys are literals needing no escapes (see jsonw.h) */
	if (!reserve(w, kl + 4))
		return;
	p = w->buf + w->len;
	if (w->need_comma[w->depth])
		*p++ = ',';
	w->need_comma[w->depth] = true;
	if (key) {
		*p++ = '"';
		memcpy(p, key, kl);
		p += kl;
		*p++ = '"';
		*p++ = ':';
	}
	w->len = (size_t)(p - w->buf);
}

static void open_container(struct jw *w, const char *key, size_t klen, char c)
{
	begin_value(w, key, klen);
	jw_raw(w, &c, 1);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->overflow = true;
		return;
	}
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_container(struct jw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	jw_raw(w, &c, 1);
}

void jw_obj_open_k(struct jw *w, const char *key, size_t klen)
{
	open_container(w, key, klen, '{');
}

void jw_obj_close(struct jw *w) { close_container(w, '}'); }
void jw_arr_open_k(struct jw *w, const char *key, size_t klen)
{
	open_container(w, key, klen, '[');
}

void jw_arr_close(struct jw *w) { close_container(w, ']'); }

void jw_strn_k(struct jw *w, const char *key, size_t klen, const char *s, size_t n)
{
	begin_value(w, key, klen);
	put_str(w, s ? s : "", s ? n : 0);
}

static void put_num(struct jw *w, const char *key, size_t klen, const char *txt, int n)
{
	begin_value(w, key, klen);
	if (n > 0)
		jw_raw(w, txt, (size_t)n);
}

/* Decimal digits of v at the end of b[24]; returns the start. */
static char *fmt_u64(char *end, uint64_t v)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void jw_int_k(struct jw *w, const char *key, size_t klen, int64_t v)
{
	char b[24], *p;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	p = fmt_u64(b + sizeof(b), u);
	if (v < 0)
		*--p = '-';
	put_num(w, key, klen, p, (int)(b + sizeof(b) - p));
}

void jw_uint_k(struct jw *w, const char *key, size_t klen, uint64_t v)
{
	char b[24], *p = fmt_u64(b + sizeof(b), v);

	put_num(w, key, klen, p, (int)(b + sizeof(b) - p));
}

void jw_double_k(struct jw *w, const char *key, size_t klen, double v)
{
	char b[32];
	put_num(w, key, klen, b, snprintf(b, sizeof(b), "%.6g", v));
}

void jw_bool_k(struct jw *w, const char *key, size_t klen, bool v)
{
	begin_value(w, key, klen);
	jw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null_k(struct jw *w, const char *key, size_t klen)
{
	begin_value(w, key, klen);
	jw_raw(w, "null", 4);
}

void jw_json_k(struct jw *w, const char *key, size_t klen, const char *json, size_t n)
{
	begin_value(w, key, klen);
	jw_raw(w, json, n);
}
