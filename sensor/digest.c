/*
 * digest.c - digests fetched once (see digest.h). Fetched EVP_MDs are
 * immutable, so sharing them between threads needs no lock.
 */
#include "digest.h"

#include <errno.h>
#include <pthread.h>

#include <openssl/evp.h>

#include "util.h"
#include "banned.h"

static const EVP_MD *fetched[DIGEST__COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
	static const char *const names[DIGEST__COUNT] = { "MD5", "SHA1", "SHA256" };

	for (int i = 0; i < DIGEST__COUNT; i++)
		fetched[i] = EVP_MD_fetch(NULL, names[i], NULL);
}

const EVP_MD *digest_md(enum digest d)
{
	pthread_once(&once, fetch_all);
	if (d < DIGEST__COUNT && fetched[d])
		return fetched[d];
	switch (d) {
	case DIGEST_MD5: return EVP_md5();
	case DIGEST_SHA1: return EVP_sha1();
	default: return EVP_sha256();
	}
}

int digest_hex(enum digest d, const void *data, size_t len, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, digest_md(d), NULL) || 2 * (size_t)mdlen + 1 > size)
		return -EIO;
	hd_hex(out, md, mdlen);
	return 0;
}
