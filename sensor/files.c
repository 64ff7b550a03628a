/*
 * files.c - hashing and keeping the head of cleartext files (see
 * files.h).
 */
#include "files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "digest.h"
#include "banned.h"

/* the digests of a file, in enum digest's order */
enum { D_MD5 = DIGEST_MD5, D_SHA1 = DIGEST_SHA1, D_SHA256 = DIGEST_SHA256, D_COUNT };

struct file_state {
	EVP_MD_CTX *ctx[D_COUNT];
	bool ok;
	uint64_t size;
	uint8_t *head;
	size_t head_len, head_cap;
};

struct file_state *file_begin(void)
{
	struct file_state *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->ok = true;
	for (int i = 0; i < D_COUNT; i++) {
		f->ctx[i] = EVP_MD_CTX_new();
		if (!f->ctx[i] || EVP_DigestInit_ex(f->ctx[i], digest_md((enum digest)i), NULL) != 1)
			f->ok = false;
	}
	return f;
}

void file_data(struct file_state *f, const uint8_t *data, size_t len)
{
	if (!f || !len)
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

static void hex(char *out, const unsigned char *d, unsigned n)
{
	static const char h[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = h[d[i] >> 4];
		out[2 * i + 1] = h[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void file_end(struct file_state *f, bool complete, struct file_result *r)
{
	char *outs[D_COUNT] = { r->md5, r->sha1, r->sha256 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;

	memset(r, 0, sizeof(*r));
	if (!f)
		return;
	for (int i = 0; i < D_COUNT; i++) {
		mdlen = 0;
		if (f->ok && EVP_DigestFinal_ex(f->ctx[i], md, &mdlen) == 1)
			hex(outs[i], md, mdlen);
	}
	f->ok = false;
	r->size = f->size;
	r->head = f->head;
	r->head_len = f->head_len;
	r->complete = complete;
}

void file_free(struct file_state *f)
{
	if (!f)
		return;
	for (int i = 0; i < D_COUNT; i++)
		EVP_MD_CTX_free(f->ctx[i]);
	free(f->head);
	free(f);
}
