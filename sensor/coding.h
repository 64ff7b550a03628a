/*
 * coding.h - HTTP content codings (gzip, deflate) undone as a body
 * passes, so that a downloaded file is hashed and scanned as it is on
 * disk, not as it was compressed for the wire.
 *
 * A body's codings come as a list in the order they were applied, as in
 * Content-Encoding (then the Transfer-Encoding codings other than
 * chunked): "gzip", "deflate", "x-gzip", "identity" are known; up to
 * CODING_LAYERS_MAX of them are undone, last applied first. "gzip"
 * accepts gzip and zlib streams; "deflate" accepts zlib streams and raw
 * deflate (tried when the zlib header is wrong, as browsers do). A layer
 * whose very first bytes are not compressed at all (a server that labels
 * plain bytes) passes them on as they are.
 *
 * Bounds: at most CODING_OUT_MAX decoded bytes per body, and past
 * CODING_RATIO_FLOOR decoded bytes no more than CODING_RATIO_MAX decoded
 * bytes per byte carried: beyond either, decoding stops (a decompression
 * bomb). Corrupt data stops decoding too. One z_stream per layer, made on
 * the first byte of the body and freed when the body ends or decoding
 * stops; output goes through a stack buffer, never the heap.
 *
 * Ownership: a struct coding owns its z_streams; the bytes fed to it are
 * borrowed for the call; decoded bytes are lent to the sink for its call.
 */
#ifndef HAIDANG_CODING_H
#define HAIDANG_CODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CODING_LAYERS_MAX 2
#define CODING_OUT_MAX (8u << 20)      /* decoded bytes per body */
#define CODING_RATIO_FLOOR (1u << 20)  /* the ratio is checked past this */
#define CODING_RATIO_MAX 256u          /* decoded bytes per byte carried */

enum coding_status {
	CODING_OK,          /* decoded (so far, or to the end) */
	CODING_PASSTHROUGH, /* labelled compressed but was not: passed as carried */
	CODING_UNSUPPORTED, /* a coding not undone, or too many layers: passed as carried */
	CODING_CORRUPT,     /* compressed data went bad: stopped */
	CODING_BOMB,        /* over CODING_OUT_MAX or the ratio: stopped */
	CODING_INCOMPLETE,  /* the body ended before the compressed data did */
};

/* Decoded bytes, in order. */
typedef void (*coding_sink)(void *user, const uint8_t *data, size_t len);

struct coding;

/*
 * A decoder for the codings list (NUL-terminated, comma-separated, in the
 * order applied). Returns 0 and *out (NULL when there is nothing to undo:
 * empty list or identity only); -ENOTSUP when a coding is unknown or
 * there are more than CODING_LAYERS_MAX; -ENOMEM.
 */
int coding_create(const char *codings, coding_sink sink, void *user, struct coding **out);
/* Bytes as carried; decoded bytes go to the sink. Does nothing once
 * decoding stopped. */
void coding_feed(struct coding *c, const uint8_t *data, size_t len);
/* The body ended: frees the z_streams; returns how decoding went. */
enum coding_status coding_finish(struct coding *c);
uint64_t coding_bytes_in(const struct coding *c);  /* carried */
uint64_t coding_bytes_out(const struct coding *c); /* decoded, given to the sink */
void coding_destroy(struct coding *c); /* accepts NULL */
/* "ok", "passthrough", "unsupported", "corrupt", "bomb", "incomplete" */
const char *coding_status_name(enum coding_status s);

#endif
