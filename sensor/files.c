/*
 * files.c - hashing and keeping the head of cleartext files (see
 * files.h).
 *
 * Bytes as carried go to the content decoder when the body has a coding
 * it can undo, and its output (or the carried bytes themselves) to the
 * digests and the head; the decoder lives only as long as the body.
 */
#include "files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "digest.h"
#include "util.h"
#include "banned.h"

/* the digests of a file, in enum digest's order */
enum { D_MD5 = DIGEST_MD5, D_SHA1 = DIGEST_SHA1, D_SHA256 = DIGEST_SHA256, D_COUNT };

struct file_state {
	EVP_MD_CTX *ctx[D_COUNT];
	bool ok;
	uint64_t size;
	uint8_t *head;
	size_t head_len, head_cap;
	struct coding *dec;      /* NULL: bytes are hashed as carried */
	bool coded;
	enum coding_status decoding;
	uint64_t carried;
};

static void file_plain(void *user, const uint8_t *data, size_t len);

struct file_state *file_begin(const char *codings)
{
	struct file_state *f = calloc(1, sizeof(*f));
	int rc;

	if (!f)
		return NULL;
	f->ok = true;
	for (int i = 0; i < D_COUNT; i++) {
		f->ctx[i] = EVP_MD_CTX_new();
		if (!f->ctx[i] || EVP_DigestInit_ex(f->ctx[i], digest_md((enum digest)i), NULL) != 1)
			f->ok = false;
	}
	rc = coding_create(codings, file_plain, f, &f->dec);
	if (rc == -ENOTSUP) {
		f->coded = true;
		f->decoding = CODING_UNSUPPORTED;
	} else if (rc != 0) {
		file_free(f);
		return NULL;
	} else if (f->dec) {
		f->coded = true;
		f->decoding = CODING_OK;
	}
	return f;
}

void file_data(struct file_state *f, const uint8_t *data, size_t len)
{
	if (!f || !len)
		return;
	f->carried += len;
	if (f->dec)
		coding_feed(f->dec, data, len);
	else
		file_plain(f, data, len);
}

/* The file's own bytes: to the digests and the head. */
static void file_plain(void *user, const uint8_t *data, size_t len)
{
	struct file_state *f = user;

	if (!len)
		return;
	f->size += len;
	for (int i = 0; f->ok && i < D_COUNT; i++)
		if (EVP_DigestUpdate(f->ctx[i], data, len) != 1)
			f->ok = false;
	if (f->head_len < FILE_SCAN_MAX) {
		size_t take = len < FILE_SCAN_MAX - f->head_len ? len : FILE_SCAN_MAX - f->head_len;
		if (f->head_len + take > f->head_cap) {
			size_t nc = f->head_cap ? f->head_cap : 16384;
			uint8_t *nh;
			while (nc < f->head_len + take)
				nc *= 2;
			if (nc > FILE_SCAN_MAX)
				nc = FILE_SCAN_MAX;
			nh = realloc(f->head, nc);
			if (!nh)
				return;
			f->head = nh;
			f->head_cap = nc;
		}
		memcpy(f->head + f->head_len, data, take);
		f->head_len += take;
	}
}

void file_end(struct file_state *f, bool complete, struct file_result *r,
	      struct file_stats *st)
{
	char *outs[D_COUNT] = { r->md5, r->sha1, r->sha256 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;

	memset(r, 0, sizeof(*r));
	if (!f)
		return;
	if (f->dec) {
		f->decoding = coding_finish(f->dec);
		coding_destroy(f->dec);
		f->dec = NULL;
	}
	if (f->coded && st) {
		switch (f->decoding) {
		case CODING_OK:
		case CODING_PASSTHROUGH:
			st->decoded++;
			break;
		case CODING_BOMB:
			st->bombs++;
			break;
		case CODING_CORRUPT:
			st->errors++;
			break;
		case CODING_INCOMPLETE:
			/* a body cut short is no fault of its compression */
			if (complete)
				st->errors++;
			break;
		case CODING_UNSUPPORTED:
			st->unsupported++;
			break;
		}
	}
	if (f->decoding == CODING_BOMB || f->decoding == CODING_CORRUPT ||
	    f->decoding == CODING_INCOMPLETE)
		complete = false;
	for (int i = 0; i < D_COUNT; i++) {
		mdlen = 0;
		if (!f->ok || EVP_DigestFinal_ex(f->ctx[i], md, &mdlen) != 1)
			continue;
		hd_hex(outs[i], md, mdlen);
		if (i == D_SHA256 && mdlen == sizeof(r->sha256_bytes)) {
			memcpy(r->sha256_bytes, md, mdlen);
			r->has_sha256 = true;
		}
	}
	f->ok = false;
	r->size = f->size;
	r->head = f->head;
	r->head_len = f->head_len;
	r->complete = complete;
	r->coded = f->coded;
	r->decoding = f->decoding;
	r->carried = f->carried;
}

void file_free(struct file_state *f)
{
	if (!f)
		return;
	coding_destroy(f->dec);
	for (int i = 0; i < D_COUNT; i++)
		EVP_MD_CTX_free(f->ctx[i]);
	free(f->head);
	free(f);
}
