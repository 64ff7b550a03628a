/*
 * digest.h - the message digests the parsers and detection use (MD5 for
 * JA3/HASSH, SHA-1 for certificates, SHA-256 for JA4, files and ids),
 * fetched from OpenSSL once per process and shared by all threads:
 * OpenSSL 3 otherwise looks the implementation up, under a lock, on
 * every use.
 */
#ifndef HAIDANG_DIGEST_H
#define HAIDANG_DIGEST_H

#include <stddef.h>

#include <openssl/types.h>

enum digest { DIGEST_MD5, DIGEST_SHA1, DIGEST_SHA256, DIGEST__COUNT };

/* Never NULL: falls back to OpenSSL's legacy getter if a fetch failed. */
const EVP_MD *digest_md(enum digest d);
/* Lower-case hex digest of data into out (at least 2 x size + 1 bytes:
 * 33, 41, 65); returns 0 or -EIO. */
int digest_hex(enum digest d, const void *data, size_t len, char *out, size_t size);

#endif
