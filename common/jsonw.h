/*
 * jsonw.h - a streaming JSON writer for event output.
 *
 * Events are written straight into one growable buffer, with commas and
 * nesting tracked by the writer. Every string is made valid UTF-8 on the way
 * in: malformed sequences become U+FFFD and control characters are escaped,
 * so bytes from the wire can never break the JSON. The buffer grows up to
 * `max` bytes; past that the writer sets `overflow` and drops the rest, and
 * the caller discards the event (and counts it).
 *
 * Ownership: the writer owns buf; jw_finish() frees it. Keys must be
 * literals or otherwise valid UTF-8 without characters needing escapes.
 */
#ifndef HAIDANG_JSONW_H
#define HAIDANG_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

struct jw {
	char *buf;
	size_t len, cap, max;
	unsigned depth;
	bool need_comma[JW_MAX_DEPTH];
	bool overflow;
};

void jw_init(struct jw *w, size_t max);
void jw_finish(struct jw *w);
void jw_reset(struct jw *w);

/* The writers proper take the key's length; the inline wrappers below
 * measure it where the key is written, so that a literal key's length is
 * known at compile time (strlen was the writer's hottest cost). */
void jw_obj_open_k(struct jw *w, const char *key, size_t klen);
void jw_arr_open_k(struct jw *w, const char *key, size_t klen);
/* s NULL: an empty string */
void jw_strn_k(struct jw *w, const char *key, size_t klen, const char *s, size_t n);
void jw_int_k(struct jw *w, const char *key, size_t klen, int64_t v);
void jw_uint_k(struct jw *w, const char *key, size_t klen, uint64_t v);
void jw_bool_k(struct jw *w, const char *key, size_t klen, bool v);
void jw_double_k(struct jw *w, const char *key, size_t klen, double v);
void jw_null_k(struct jw *w, const char *key, size_t klen);
void jw_json_k(struct jw *w, const char *key, size_t klen, const char *json, size_t n);

static inline size_t jw_len_(const char *s)
{
	return s ? __builtin_strlen(s) : 0;
}

/* key is NULL inside arrays and at top level */
static inline void jw_obj_open(struct jw *w, const char *key)
{
	jw_obj_open_k(w, key, jw_len_(key));
}

static inline void jw_arr_open(struct jw *w, const char *key)
{
	jw_arr_open_k(w, key, jw_len_(key));
}

void jw_obj_close(struct jw *w);
void jw_arr_close(struct jw *w);

static inline void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_strn_k(w, key, jw_len_(key), s, jw_len_(s));
}

static inline void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	jw_strn_k(w, key, jw_len_(key), s, n);
}

static inline void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_int_k(w, key, jw_len_(key), v);
}

static inline void jw_uint(struct jw *w, const char *key, uint64_t v)
{
	jw_uint_k(w, key, jw_len_(key), v);
}

static inline void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_bool_k(w, key, jw_len_(key), v);
}

static inline void jw_double(struct jw *w, const char *key, double v)
{
	jw_double_k(w, key, jw_len_(key), v);
}

static inline void jw_null(struct jw *w, const char *key)
{
	jw_null_k(w, key, jw_len_(key));
}

/* A value that is already JSON (from a trusted writer: not checked). */
static inline void jw_json(struct jw *w, const char *key, const char *json, size_t n)
{
	jw_json_k(w, key, jw_len_(key), json, n);
}

/* Appends raw text (a newline between events, say). */
void jw_raw(struct jw *w, const char *s, size_t n);

/* Writes s (n bytes) as a JSON string body (no quotes) into out, at most
 * size-1 bytes, sanitising UTF-8 as above; returns the bytes written. */
size_t jw_escape(char *out, size_t size, const char *s, size_t n);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if malformed. */
unsigned utf8_seq_len(const unsigned char *s, size_t n);

#endif
