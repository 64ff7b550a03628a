/*
 * files.h - files carried in cleartext (HTTP bodies): hashed as they
 * pass (MD5, SHA-1, SHA-256, for indicator matching) and kept up to a
 * bound for YARA, whatever their size.
 *
 * Ownership: a file_state owns its digests and its scan buffer; the data
 * fed to it is copied (only the first FILE_SCAN_MAX bytes).
 */
#ifndef HAIDANG_FILES_H
#define HAIDANG_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FILE_SCAN_MAX (256 * 1024)

struct file_result {
	char md5[33], sha1[41], sha256[65];
	uint64_t size;
	const uint8_t *head;     /* the first bytes, for YARA */
	size_t head_len;
	bool complete;           /* the whole body was seen */
};

struct file_state;

struct file_state *file_begin(void);
void file_data(struct file_state *f, const uint8_t *data, size_t len);
/* Finishes the digests; r->head stays valid until file_free(). */
void file_end(struct file_state *f, bool complete, struct file_result *r);
void file_free(struct file_state *f); /* accepts NULL */

#endif
