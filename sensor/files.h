/*
 * files.h - files carried in cleartext (HTTP bodies): hashed as they
 * pass (MD5, SHA-1, SHA-256, for indicator matching) and kept up to a
 * bound for YARA, whatever their size. A body sent with a content coding
 * (gzip, deflate: coding.h) is decoded first, so that the hashes and the
 * head are those of the file itself; how decoding went is in the result.
 *
 * Ownership: a file_state owns its digests and its scan buffer; the data
 * fed to it is copied (only the first FILE_SCAN_MAX bytes).
 */
#ifndef HAIDANG_FILES_H
#define HAIDANG_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coding.h"

#define FILE_SCAN_MAX (256 * 1024)

struct file_result {
	char md5[33], sha1[41], sha256[65];
	uint8_t sha256_bytes[32]; /* the same digest, when has_sha256 */
	bool has_sha256;
	uint64_t size;
	const uint8_t *head;     /* the first bytes, for YARA */
	size_t head_len;
	bool complete;           /* the whole body was seen (and decoded) */
	bool coded;              /* carried with a content coding */
	enum coding_status decoding; /* when coded: how decoding went */
	uint64_t carried;        /* when coded: bytes as carried */
};

/* Decoding outcomes, counted by file_end(). */
struct file_stats {
	uint64_t decoded;     /* bodies whose coding was undone to the end */
	uint64_t bombs;       /* stopped at CODING_OUT_MAX or the ratio cap */
	uint64_t errors;      /* corrupt, or a whole body ended inside the compressed data */
	uint64_t unsupported; /* codings not undone: hashed as carried */
};

struct file_state;

/* codings: the body's content codings in the order applied ("gzip",
 * "deflate, gzip", ...); NULL or "" for none. */
struct file_state *file_begin(const char *codings);
/* Bytes as carried (de-chunked). */
void file_data(struct file_state *f, const uint8_t *data, size_t len);
/* Finishes the digests; r->head stays valid until file_free(). A decoding
 * that stopped or was cut short makes the file incomplete. st may be
 * NULL. */
void file_end(struct file_state *f, bool complete, struct file_result *r,
	      struct file_stats *st);
void file_free(struct file_state *f); /* accepts NULL */

#endif
