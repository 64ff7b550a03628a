/*
 * proto_quic.c - QUIC Initial packets and Google QUIC hellos, read the way
 * any observer can, and the EVE "quic" object.
 *
 * Part of the extract stage: the flow code feeds the UDP payload of each
 * datagram. For IETF QUIC (v1, v2, drafts 23 to 32) the client's Initial
 * packets are unprotected with keys derived from the Destination
 * Connection ID of its first Initial (RFC 9001 section 5: HKDF with the
 * version's salt, AES-128 header protection, AEAD_AES_128_GCM), their
 * CRYPTO frames are put back in offset order into a buffer of at most
 * QUIC_CRYPTO_MAX bytes, and the ClientHello, once whole, goes to the TLS
 * module's parser (SNI, ALPN, JA3, JA4 with Suricata's "q" prefix). A
 * Retry from the server starts over with the DCID the client then uses.
 * For Google QUIC Q043..Q046 the CHLO tags are read in clear: SNI, UAID,
 * and the CYU fingerprint (version digits and tag names, MD5).
 *
 * Every length from the wire (varints, connection IDs, token, packet
 * length, packet number length, frame lengths, tag offsets) is checked
 * before use; nothing is read outside the datagram. Bad input is counted
 * in struct quic_counters, never fatal, never printed. The parser gives up
 * after QUIC_INITIALS_MAX client Initial packets, QUIC_DECRYPT_FAILS_MAX
 * that do not authenticate, or an unknown version, so a hostile flow costs
 * a bounded amount of work. It never sends anything and keeps no key past
 * the flow.
 *
 * Decisions not checked against Suricata output:
 *  - One object per flow (Suricata logs one per packet with news), from
 *    the client's side: the server's Initial packets are not decrypted, so
 *    there is no ja3s.
 *  - quic.ja3 is the TLS module's JA3 (GREASE values dropped, as Suricata
 *    does for TLS over TCP).
 *  - extensions[].values holds the SNI (first host name) and the ALPN
 *    names; other extensions carry name and type only.
 *  - Version names: "1" for v1, "h3-N" for draft N, the four letters for
 *    Q/T versions, else eight hex digits (Suricata writes plain hex).
 *  - CYU: Suricata's version digits (Q045 counts as "44", as in its code);
 *    tag names are the four bytes without trailing NULs, any printable
 *    tag accepted (Suricata knows a fixed list).
 */
#include "proto_quic.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jsonw.h"
#include "proto_tls.h"
#include "util.h"

#include "digest.h"
#include "banned.h"

#define QUIC_INITIALS_MAX 16      /* client Initial packets looked at */
#define DATAGRAM_MAX 65535        /* a UDP payload is never longer */
#define QUIC_DECRYPT_FAILS_MAX 4
#define CID_MAX 20                /* RFC 9000 for v1; longer is malformed */
#define SNI_MAX 255
#define CYU_MAX 1024
#define GQUIC_TAGS_MAX 128

#define VER_V1 0x00000001u
#define VER_V2 0x6b3343cfu

enum { PT_INITIAL, PT_0RTT, PT_HANDSHAKE, PT_RETRY };

struct quic_keys {
	bool ok;
	uint8_t dcid[CID_MAX];
	uint8_t dcid_len;
	uint8_t key[16], iv[12], hp[16];
};

struct quic_state {
	bool seen, client_version, done, hello;
	uint32_t version;
	struct quic_counters cnt;

	/* IETF QUIC, client Initial packets */
	struct quic_keys keys;
	int64_t largest_pn;       /* -1 before the first */
	unsigned initials, decrypt_fails;
	uint8_t *crypto;          /* QUIC_CRYPTO_MAX bytes while collecting */
	uint8_t *have;            /* one bit per byte of crypto */
	uint32_t contig;          /* bytes from offset 0 without a gap */
	struct tls_state *tls;

	/* Google QUIC CHLO */
	char gsni[SNI_MAX + 1];
	char *ua;                 /* QUIC_UA_MAX + 1 bytes when set */
	char *cyu;                /* "46,PAD-SNI-..." */
	char cyu_hash[33];

	/* from DPI, for what the packets did not give */
	char fb_sni[SNI_MAX + 1];
	char fb_ua[QUIC_UA_MAX + 1];

	char alpn[256];
};

/* ---- bounded reader ---- */

struct rd {
	const uint8_t *p;
	size_t n;
};

static bool rd_u8(struct rd *r, uint8_t *v)
{
	if (r->n < 1)
		return false;
	*v = r->p[0];
	r->p++;
	r->n--;
	return true;
}

static bool rd_take(struct rd *r, size_t len, struct rd *out)
{
	if (r->n < len)
		return false;
	if (out) {
		out->p = r->p;
		out->n = len;
	}
	r->p += len;
	r->n -= len;
	return true;
}

/* RFC 9000 section 16 variable-length integer. */
static bool rd_varint(struct rd *r, uint64_t *v)
{
	size_t len;
	uint64_t x;

	if (r->n < 1)
		return false;
	len = (size_t)1 << (r->p[0] >> 6);
	if (r->n < len)
		return false;
	x = r->p[0] & 0x3f;
	for (size_t i = 1; i < len; i++)
		x = x << 8 | r->p[i];
	r->p += len;
	r->n -= len;
	*v = x;
	return true;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

/* ---- versions ---- */

static bool is_gquic(uint32_t v)
{
	return v >= 0x51303433u && v <= 0x51303436u; /* Q043..Q046 */
}

/* The Initial salt of a version (RFC 9001 5.2, RFC 9369 3.3.1, drafts),
 * or NULL when its Initial packets cannot be read here. */
static const uint8_t *initial_salt(uint32_t v, bool *v2)
{
	static const uint8_t salt_v1[20] = {
		0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
		0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
	};
	static const uint8_t salt_v2[20] = {
		0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
		0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
	};
	static const uint8_t salt_d29[20] = { /* drafts 29 to 32 */
		0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
		0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
	};
	static const uint8_t salt_d23[20] = { /* drafts 23 to 28 */
		0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
		0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
	};

	*v2 = false;
	if (v == VER_V1)
		return salt_v1;
	if (v == VER_V2) {
		*v2 = true;
		return salt_v2;
	}
	if ((v & 0xffffff00u) == 0xff000000u) {
		unsigned d = v & 0xff;
		if (d >= 29 && d <= 32)
			return salt_d29;
		if (d >= 23 && d <= 28)
			return salt_d23;
	}
	return NULL;
}

/* Long-header packet type bits as the v1 numbering. */
static int packet_type(uint8_t first, bool v2)
{
	int t = (first & 0x30) >> 4;

	if (!v2)
		return t;
	switch (t) {
	case 0: return PT_RETRY;
	case 1: return PT_INITIAL;
	case 2: return PT_0RTT;
	default: return PT_HANDSHAKE;
	}
}

const char *quic_version_name(uint32_t x, char *buf, size_t size)
{
	if (x == VER_V1)
		snprintf(buf, size, "1");
	else if ((x & 0xffffff00u) == 0xff000000u)
		snprintf(buf, size, "h3-%u", x & 0xff);
	else if ((x >> 24) == 'Q' || (x >> 24) == 'T')
		snprintf(buf, size, "%c%c%c%c", x >> 24, (x >> 16) & 0xff,
			 (x >> 8) & 0xff, x & 0xff);
	else
		snprintf(buf, size, "%08x", x);
	return buf;
}

/* ---- crypto (RFC 9001 section 5) ---- */

static const EVP_MD *sha256;
static EVP_CIPHER *aes_ecb, *aes_gcm;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_fetch(void)
{
	sha256 = digest_md(DIGEST_SHA256);
	aes_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	aes_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
}

/* HKDF-Expand-Label(secret, "tls13 " label, "", len), len <= 32: one
 * HMAC-SHA256 block. */
static bool expand_label(const uint8_t secret[32], const char *label,
			 uint8_t *out, size_t len)
{
	uint8_t info[64], md[EVP_MAX_MD_SIZE];
	size_t ll = strlen(label), n = 0;
	unsigned mdlen = 0;

	if (len > 32 || 6 + ll > 255 || 2 + 1 + 6 + ll + 1 + 1 > sizeof(info))
		return false;
	info[n++] = 0;
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;   /* empty context */
	info[n++] = 1;   /* HKDF-Expand block counter */
	if (!HMAC(sha256, secret, 32, info, n, md, &mdlen) || mdlen != 32)
		return false;
	memcpy(out, md, len);
	return true;
}

/* The client's Initial keys for a version and DCID. */
static bool derive_keys(struct quic_keys *k, uint32_t version,
			const uint8_t *dcid, size_t dcid_len)
{
	uint8_t initial[EVP_MAX_MD_SIZE], client[32];
	unsigned ilen = 0;
	bool v2;
	const uint8_t *salt = initial_salt(version, &v2);

	k->ok = false;
	if (!salt || dcid_len > CID_MAX)
		return false;
	pthread_once(&crypto_once, crypto_fetch);
	if (!sha256 || !aes_ecb || !aes_gcm)
		return false;
	/* HKDF-Extract(salt, dcid) */
	if (!HMAC(sha256, salt, 20, dcid, dcid_len, initial, &ilen) ||
	    ilen != 32 ||
	    !expand_label(initial, "client in", client, 32) ||
	    !expand_label(client, v2 ? "quicv2 key" : "quic key", k->key, 16) ||
	    !expand_label(client, v2 ? "quicv2 iv" : "quic iv", k->iv, 12) ||
	    !expand_label(client, v2 ? "quicv2 hp" : "quic hp", k->hp, 16))
		return false;
	memcpy(k->dcid, dcid, dcid_len);
	k->dcid_len = (uint8_t)dcid_len;
	k->ok = true;
	return true;
}

/* AES-128-ECB of one block: the header protection mask. */
static bool hp_mask(const uint8_t hp[16], const uint8_t sample[16],
		    uint8_t mask[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int outl = 0;
	bool ok;

	ok = c && EVP_EncryptInit_ex(c, aes_ecb, NULL, hp, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
	     EVP_EncryptUpdate(c, mask, &outl, sample, 16) == 1 && outl == 16;
	EVP_CIPHER_CTX_free(c);
	return ok;
}

/* RFC 9000 appendix A.3. */
static uint64_t decode_pn(int64_t largest, uint64_t truncated, unsigned bits)
{
	uint64_t expected = (uint64_t)(largest + 1);
	uint64_t win = (uint64_t)1 << bits, hwin = win / 2, mask = win - 1;
	uint64_t cand = (expected & ~mask) | truncated;

	if (cand + hwin <= expected && cand < ((uint64_t)1 << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}

/* Removes header protection and decrypts the packet d[0..end) whose packet
 * number starts at pn_off. On success *pt (malloc'd, caller frees) holds
 * *ptlen bytes of frames. Returns 0, -EBADMSG (too short), -EACCES (did
 * not authenticate) or -ENOMEM. */
static int unprotect(struct quic_state *q, const struct quic_keys *k,
		     const uint8_t *d, size_t pn_off, size_t end,
		     uint8_t **pt, size_t *ptlen, uint64_t *pn_out)
{
	uint8_t mask[16], first, pnb[4], nonce[12];
	unsigned pn_len;
	uint64_t tpn = 0, pn;
	size_t ctlen;
	const uint8_t *ct;
	EVP_CIPHER_CTX *c;
	int outl = 0, fin = 0, err = -EACCES;

	*pt = NULL;
	if (end - pn_off < 4 + 16)
		return -EBADMSG;
	if (!hp_mask(k->hp, d + pn_off + 4, mask))
		return -EACCES;
	first = d[0] ^ (mask[0] & 0x0f);
	pn_len = (first & 3u) + 1;
	if (end - pn_off < pn_len + 16)
		return -EBADMSG;
	for (unsigned i = 0; i < pn_len; i++) {
		pnb[i] = d[pn_off + i] ^ mask[1 + i];
		tpn = tpn << 8 | pnb[i];
	}
	pn = decode_pn(q->largest_pn, tpn, pn_len * 8);
	memcpy(nonce, k->iv, 12);
	for (unsigned i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	ct = d + pn_off + pn_len;
	ctlen = end - pn_off - pn_len - 16;
	*pt = malloc(ctlen ? ctlen : 1);
	c = EVP_CIPHER_CTX_new();
	if (!*pt || !c) {
		err = -ENOMEM;
		goto out;
	}
	/* associated data: the header with protection removed */
	if (EVP_DecryptInit_ex(c, aes_gcm, NULL, k->key, nonce) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &outl, &first, 1) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &outl, d + 1, (int)pn_off - 1) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &outl, pnb, (int)pn_len) == 1 &&
	    EVP_DecryptUpdate(c, *pt, &outl, ct, (int)ctlen) == 1 &&
	    (size_t)outl == ctlen &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
				(void *)(ct + ctlen)) == 1 &&
	    EVP_DecryptFinal_ex(c, *pt + outl, &fin) == 1) {
		*ptlen = ctlen;
		*pn_out = pn;
		err = 0;
	}
out:
	EVP_CIPHER_CTX_free(c);
	if (err) {
		free(*pt);
		*pt = NULL;
	}
	return err;
}

/* ---- CRYPTO stream and the ClientHello ---- */

static void crypto_free(struct quic_state *q)
{
	free(q->crypto);
	free(q->have);
	q->crypto = q->have = NULL;
	q->contig = 0;
}

static void give_up(struct quic_state *q)
{
	q->done = true;
	crypto_free(q);
}

static void crypto_add(struct quic_state *q, uint64_t off, const uint8_t *p,
		       uint64_t len)
{
	if (!q->crypto) {
		q->crypto = malloc(QUIC_CRYPTO_MAX);
		q->have = calloc(QUIC_CRYPTO_MAX / 8, 1);
		if (!q->crypto || !q->have) {
			q->cnt.alloc_fail++;
			give_up(q);
			return;
		}
	}
	if (off >= QUIC_CRYPTO_MAX) {
		q->cnt.crypto_overflow++;
		return;
	}
	if (len > QUIC_CRYPTO_MAX - off) {
		q->cnt.crypto_overflow++;
		len = QUIC_CRYPTO_MAX - off;
	}
	memcpy(q->crypto + off, p, (size_t)len);
	for (uint64_t i = off; i < off + len; i++)
		q->have[i / 8] |= (uint8_t)(1u << (i % 8));
	while (q->contig < QUIC_CRYPTO_MAX &&
	       (q->have[q->contig / 8] & (1u << (q->contig % 8))))
		q->contig++;
}

/* Hands the ClientHello to the TLS parser once it is whole. */
static void hello_check(struct quic_state *q)
{
	uint32_t mlen;

	if (q->done || !q->crypto || q->contig < 4)
		return;
	mlen = (uint32_t)q->crypto[1] << 16 | (uint32_t)q->crypto[2] << 8 |
	       q->crypto[3];
	if (q->crypto[0] != 1 || mlen > QUIC_CRYPTO_MAX - 4) {
		q->cnt.bad_hello++;
		give_up(q);
		return;
	}
	if (q->contig < 4 + mlen)
		return;
	if (!q->tls) {
		q->tls = tls_state_create();
		if (!q->tls) {
			q->cnt.alloc_fail++;
			give_up(q);
			return;
		}
		tls_set_quic(q->tls);
	}
	tls_feed_handshake(q->tls, 0, q->crypto, 4 + mlen);
	if (tls_client_hello_seen(q->tls)) {
		const uint8_t *p;
		size_t len;

		q->hello = true;
		p = tls_client_alpn(q->tls, 0, &len);
		if (p) {
			if (len >= sizeof(q->alpn))
				len = sizeof(q->alpn) - 1;
			memcpy(q->alpn, p, len);
			q->alpn[len] = '\0';
		}
	} else {
		q->cnt.bad_hello++;
	}
	give_up(q);
}

/* Frames of a decrypted Initial packet (RFC 9000 section 19; an Initial
 * may carry only PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE). */
static void initial_frames(struct quic_state *q, const uint8_t *p, size_t n)
{
	struct rd r = { p, n }, data;
	uint64_t type, a, b, c, cnt;

	while (r.n > 0 && !q->done) {
		if (r.p[0] == 0) { /* PADDING, usually a long run */
			r.p++;
			r.n--;
			continue;
		}
		if (!rd_varint(&r, &type))
			goto bad;
		switch (type) {
		case 0x01: /* PING */
			break;
		case 0x02: /* ACK */
		case 0x03: /* ACK with ECN counts */
			if (!rd_varint(&r, &a) || !rd_varint(&r, &b) ||
			    !rd_varint(&r, &cnt) || !rd_varint(&r, &c))
				goto bad;
			/* each range takes two bytes at least */
			if (cnt > r.n / 2)
				goto bad;
			for (uint64_t i = 0; i < cnt; i++)
				if (!rd_varint(&r, &a) || !rd_varint(&r, &b))
					goto bad;
			if (type == 0x03 &&
			    (!rd_varint(&r, &a) || !rd_varint(&r, &b) ||
			     !rd_varint(&r, &c)))
				goto bad;
			break;
		case 0x06: /* CRYPTO */
			if (!rd_varint(&r, &a) || !rd_varint(&r, &b) ||
			    b > r.n || !rd_take(&r, (size_t)b, &data))
				goto bad;
			crypto_add(q, a, data.p, data.n);
			break;
		case 0x1c: /* CONNECTION_CLOSE */
			return;
		default:
			goto bad;
		}
	}
	return;
bad:
	q->cnt.bad_frame++;
}

/* One client Initial packet: d[0..end), packet number at pn_off. */
static void client_initial(struct quic_state *q, uint32_t version,
			   const uint8_t *d, size_t pn_off, size_t end,
			   const uint8_t *dcid, size_t dcid_len)
{
	struct quic_keys alt;
	uint8_t *pt = NULL;
	size_t ptlen = 0;
	uint64_t pn = 0;
	int err = -EACCES;

	if (q->initials++ >= QUIC_INITIALS_MAX) {
		give_up(q);
		return;
	}
	if (!q->keys.ok && !derive_keys(&q->keys, version, dcid, dcid_len)) {
		give_up(q);
		return;
	}
	err = unprotect(q, &q->keys, d, pn_off, end, &pt, &ptlen, &pn);
	/* a Retry not seen: the client moved to another DCID */
	if (err == -EACCES &&
	    (dcid_len != q->keys.dcid_len ||
	     memcmp(dcid, q->keys.dcid, dcid_len) != 0) &&
	    derive_keys(&alt, version, dcid, dcid_len)) {
		err = unprotect(q, &alt, d, pn_off, end, &pt, &ptlen, &pn);
		if (err == 0) {
			q->keys = alt;
			crypto_free(q);
		}
	}
	if (err == -ENOMEM) {
		q->cnt.alloc_fail++;
		return;
	}
	if (err == -EBADMSG) {
		q->cnt.bad_header++;
		return;
	}
	if (err) {
		q->cnt.decrypt_fail++;
		if (++q->decrypt_fails >= QUIC_DECRYPT_FAILS_MAX)
			give_up(q);
		return;
	}
	if ((int64_t)pn > q->largest_pn)
		q->largest_pn = (int64_t)pn;
	initial_frames(q, pt, ptlen);
	free(pt);
	hello_check(q);
}

/* ---- Google QUIC ---- */

/* Reads a CHLO: "CHLO", tag count (LE16), 2 pad bytes, count x (tag, end
 * offset LE32), then the values. */
static void gquic_chlo(struct quic_state *q, const uint8_t *p, size_t n)
{
	char cyu[CYU_MAX];
	size_t cl = 0, vbase;
	uint32_t prev = 0;
	unsigned count;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	const char *vd;
	uint32_t v = q->version;

	if (n < 8 || memcmp(p, "CHLO", 4) != 0)
		return;
	count = (unsigned)p[4] | (unsigned)p[5] << 8;
	if (count > GQUIC_TAGS_MAX || 8 + (size_t)count * 8 > n) {
		q->cnt.bad_frame++;
		return;
	}
	vbase = 8 + (size_t)count * 8;
	/* the whole table first: a bad entry voids the CHLO */
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = p + 8 + (size_t)i * 8;
		uint32_t endo = le32(e + 4);

		if (endo < prev || endo > n - vbase) {
			q->cnt.bad_frame++;
			return;
		}
		prev = endo;
		for (size_t k = 0; k < 4; k++)
			if ((e[k] < 0x20 || e[k] > 0x7e) &&
			    !(e[k] == 0 && (k == 3 || e[k + 1] == 0))) {
				q->cnt.bad_frame++;
				return;
			}
	}
	prev = 0;
	/* Suricata's CYU version digits */
	vd = v == 0x51303433u ? "43" : v == 0x51303436u ? "46" : "44";
	cl = (size_t)snprintf(cyu, sizeof(cyu), "%s,", vd);
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = p + 8 + (size_t)i * 8;
		uint32_t tag = be32(e), endo = le32(e + 4);
		size_t tl = 4;
		const uint8_t *val;
		size_t vlen;

		val = p + vbase + prev;
		vlen = endo - prev;
		prev = endo;
		while (tl > 0 && e[tl - 1] == 0)
			tl--;
		if (cl + tl + 2 < sizeof(cyu)) {
			if (i > 0)
				cyu[cl++] = '-';
			memcpy(cyu + cl, e, tl);
			cl += tl;
		}
		if (tag == 0x534e4900u && !q->gsni[0]) { /* "SNI\0" */
			size_t k = vlen < SNI_MAX ? vlen : SNI_MAX;
			memcpy(q->gsni, val, k);
			q->gsni[k] = '\0';
		} else if (tag == 0x55414944u && !q->ua) { /* "UAID" */
			size_t k = vlen < QUIC_UA_MAX ? vlen : QUIC_UA_MAX;
			q->ua = malloc(QUIC_UA_MAX + 1);
			if (!q->ua) {
				q->cnt.alloc_fail++;
			} else {
				memcpy(q->ua, val, k);
				q->ua[k] = '\0';
			}
		}
	}
	cyu[cl] = '\0';
	q->hello = true;
	free(q->cyu);
	q->cyu = malloc(cl + 1);
	if (!q->cyu) {
		q->cnt.alloc_fail++;
		return;
	}
	memcpy(q->cyu, cyu, cl + 1);
	q->cyu_hash[0] = '\0';
	if (EVP_Digest(cyu, cl, md, &mdlen, digest_md(DIGEST_MD5), NULL) == 1 &&
	    mdlen == 16)
		hd_hex(q->cyu_hash, md, 16);
}

/* gQUIC frames in clear: STREAM frames (1fdooossB, big-endian lengths
 * from Q043 on) carry the CHLO on stream 1; PADDING ends the packet. */
static void gquic_frames(struct quic_state *q, const uint8_t *p, size_t n)
{
	struct rd r = { p, n }, sid, data;
	uint8_t t;

	while (rd_u8(&r, &t) && !q->hello) {
		size_t olen, slen, dlen;

		if (t == 0)
			return;
		if (!(t & 0x80)) /* ACK, STOP_WAITING...: not needed */
			return;
		olen = (t & 0x1c) >> 2;
		if (olen)
			olen++;
		slen = (size_t)(t & 3) + 1;
		if (!rd_take(&r, slen, &sid) || !rd_take(&r, olen, NULL))
			goto bad;
		if (t & 0x20) {
			uint8_t hi, lo;
			if (!rd_u8(&r, &hi) || !rd_u8(&r, &lo))
				goto bad;
			dlen = (size_t)hi << 8 | lo;
		} else {
			dlen = r.n;
		}
		if (!rd_take(&r, dlen, &data))
			goto bad;
		gquic_chlo(q, data.p, data.n);
	}
	return;
bad:
	q->cnt.bad_frame++;
}

/* Q043 public header: flags, [CID 8], [version 4], packet number,
 * message authentication hash 12, frames. Returns false when not gQUIC. */
static bool gquic_public(struct quic_state *q, int dir, const uint8_t *d,
			 size_t n)
{
	struct rd r = { d, n };
	uint8_t flags;
	uint32_t v;

	if (!rd_u8(&r, &flags) || (flags & 0x40) || !(flags & 0x01))
		return false;
	if ((flags & 0x08) && !rd_take(&r, 8, NULL))
		return false;
	if (r.n < 4)
		return false;
	v = be32(r.p);
	if (!is_gquic(v) || v == 0x51303436u)
		return false;
	rd_take(&r, 4, NULL);
	if (!q->seen || (dir == 0 && !q->client_version)) {
		q->version = v;
		q->client_version = dir == 0;
	}
	q->seen = true;
	if (dir != 0)
		return true;
	if (q->initials++ >= QUIC_INITIALS_MAX) {
		give_up(q);
		return true;
	}
	if (!rd_take(&r, (size_t)((flags & 0x30) >> 4) + 1, NULL) ||
	    ((flags & 0x08) && !rd_take(&r, 12, NULL))) {
		q->cnt.bad_header++;
		return true;
	}
	gquic_frames(q, r.p, r.n);
	if (q->hello)
		q->done = true;
	return true;
}

/* Q044..Q046 long header: flags, version, DCID/SCID lengths in nibbles
 * (+3 when not 0), CIDs; an Initial then has a 4-byte packet number and
 * the 12-byte message authentication hash before its frames. */
static void gquic_long(struct quic_state *q, int dir, const uint8_t *d,
		       size_t n, uint32_t v)
{
	struct rd r = { d + 5, n - 5 };
	uint8_t lens, first = d[0];
	size_t dl, sl;
	bool initial;

	if (dir != 0 || q->done)
		return;
	if (!rd_u8(&r, &lens)) {
		q->cnt.bad_header++;
		return;
	}
	dl = lens >> 4;
	sl = lens & 15;
	if (dl)
		dl += 3;
	if (sl)
		sl += 3;
	initial = v == 0x51303436u ? ((first & 0x30) >> 4) == 0 :
				     (first & 0x7f) == 0x7f;
	if (!rd_take(&r, dl + sl, NULL) ||
	    (initial && !rd_take(&r, 4 + 12, NULL))) {
		q->cnt.bad_header++;
		return;
	}
	if (!initial)
		return;
	if (q->initials++ >= QUIC_INITIALS_MAX) {
		give_up(q);
		return;
	}
	gquic_frames(q, r.p, r.n);
	if (q->hello)
		q->done = true;
}

/* ---- packets ---- */

/* One long-header packet at d[0..n); returns its size when another packet
 * may follow it in the datagram, else 0. */
static size_t long_packet(struct quic_state *q, int dir, const uint8_t *d,
			  size_t n)
{
	struct rd r, dcid, scid, tok;
	uint32_t v;
	uint8_t dl, sl;
	uint64_t tlen, plen;
	size_t pn_off;
	bool v2;
	int type;

	if (n < 7)
		goto bad;
	v = be32(d + 1);
	if (v == 0) /* version negotiation */
		return 0;
	if (!q->seen || (dir == 0 && !q->client_version)) {
		q->version = v;
		q->client_version = dir == 0;
	}
	q->seen = true;
	if (is_gquic(v)) {
		gquic_long(q, dir, d, n, v);
		return 0;
	}
	if (!initial_salt(v, &v2)) {
		/* nothing to read in this version's Initial packets */
		if (dir == 0)
			give_up(q);
		return 0;
	}
	r.p = d + 5;
	r.n = n - 5;
	if (!rd_u8(&r, &dl) || dl > CID_MAX || !rd_take(&r, dl, &dcid) ||
	    !rd_u8(&r, &sl) || sl > CID_MAX || !rd_take(&r, sl, &scid))
		goto bad;
	type = packet_type(d[0], v2);
	if (type == PT_RETRY) {
		/* the client starts over with new keys */
		if (dir == 1 && !q->done) {
			q->keys.ok = false;
			crypto_free(q);
		}
		return 0;
	}
	if (type == PT_INITIAL &&
	    (!rd_varint(&r, &tlen) || tlen > r.n ||
	     !rd_take(&r, (size_t)tlen, &tok)))
		goto bad;
	if (!rd_varint(&r, &plen) || plen > r.n)
		goto bad;
	pn_off = (size_t)(r.p - d);
	if (type == PT_INITIAL && dir == 0 && !q->done)
		client_initial(q, v, d, pn_off, pn_off + (size_t)plen, dcid.p,
			       dcid.n);
	return pn_off + (size_t)plen;
bad:
	q->cnt.bad_header++;
	return 0;
}

/* ---- public ---- */

struct quic_state *quic_state_create(void)
{
	struct quic_state *q = calloc(1, sizeof(*q));

	if (q)
		q->largest_pn = -1;
	return q;
}

void quic_state_destroy(struct quic_state *q)
{
	if (!q)
		return;
	crypto_free(q);
	tls_state_destroy(q->tls);
	free(q->ua);
	free(q->cyu);
	free(q);
}

void quic_feed(struct quic_state *q, int dir, const uint8_t *d, size_t n)
{
	size_t off = 0;

	if (!q || (dir != 0 && dir != 1) || !d || n == 0 || q->done)
		return;
	if (n > DATAGRAM_MAX) {
		q->cnt.bad_header++;
		return;
	}
	if (!(d[0] & 0x80)) {
		/* a gQUIC public header, or a short header: once the client
		 * sends 1-RTT packets no Initial will follow */
		if (!gquic_public(q, dir, d, n) && dir == 0 && q->seen)
			give_up(q);
		return;
	}
	while (off < n && !q->done && (d[off] & 0x80)) {
		size_t k = long_packet(q, dir, d + off, n - off);
		if (k == 0)
			break;
		off += k;
	}
}

bool quic_seen(const struct quic_state *q) { return q->seen; }
bool quic_done(const struct quic_state *q) { return q->done; }
bool quic_hello_seen(const struct quic_state *q) { return q->hello; }
uint32_t quic_version(const struct quic_state *q) { return q->version; }

void quic_set_fallback(struct quic_state *q, const char *sni, const char *ua)
{
	if (sni)
		str_copy(q->fb_sni, sni, sizeof(q->fb_sni));
	if (ua)
		str_copy(q->fb_ua, ua, sizeof(q->fb_ua));
}

const char *quic_sni(const struct quic_state *q)
{
	if (q->tls && tls_sni(q->tls)[0])
		return tls_sni(q->tls);
	if (q->gsni[0])
		return q->gsni;
	return q->fb_sni;
}

const char *quic_ua(const struct quic_state *q)
{
	return q->ua ? q->ua : q->fb_ua;
}

const char *quic_ja3_hash(const struct quic_state *q)
{
	return q->tls ? tls_ja3_hash(q->tls) : "";
}

const char *quic_ja4(const struct quic_state *q)
{
	return q->tls ? tls_ja4(q->tls) : "";
}

const char *quic_alpn(const struct quic_state *q)
{
	return q->alpn;
}

const struct quic_counters *quic_get_counters(const struct quic_state *q)
{
	return &q->cnt;
}

/* Suricata's names for TLS extension types (rust/src/quic/logger.rs). */
static const char *ext_name(uint16_t t)
{
	static const char *const low[] = {
		"server_name", "max_fragment_length", "client_certificate_url",
		"trusted_ca_keys", "truncated_hmac", "status_request",
		"user_mapping", "client_authz", "server_authz", "cert_type",
		"supported_groups", "ec_point_formats", "srp",
		"signature_algorithms", "use_srtp", "heartbeat", "alpn",
		"status_request_v2", "signed_certificate_timestamp",
		"client_certificate_type", "server_certificate_type", "padding",
		"encrypt_then_mac", "extended_master_secret", "token_binding",
		"cached_info", "tls_lts", "compress_certificate",
		"record_size_limit", "pwd_protect", "pwd_clear",
		"password_salt", "ticket_pinning", "tls_cert_with_extern_psk",
		"delegated_credentials", "session_ticket", "tlmsp",
		"tlmsp_proxying", "tlmsp_delegate", "supported_ekt_ciphers",
		NULL, "pre_shared_key", "early_data", "supported_versions",
		"cookie", "psk_key_exchange_modes", NULL,
		"certificate_authorities", "oid_filters", "post_handshake_auth",
		"signature_algorithms_cert", "key_share", "transparency_info",
		"connection_id_deprecated", "connection_id",
		"external_id_hash", "external_session_id",
		"quic_transport_parameters", "ticket_request", "dnssec_chain",
	};

	if (t < ARRAY_SIZE(low))
		return low[t];
	if (t == 13172)
		return "next_protocol_negotiation";
	if (t == 65281)
		return "renegotiation_info";
	return NULL;
}

static void write_extensions(struct jw *w, const struct tls_state *tls)
{
	const uint16_t *types;
	unsigned n = tls_client_extensions(tls, &types);

	if (n == 0)
		return;
	jw_arr_open(w, "extensions");
	for (unsigned i = 0; i < n; i++) {
		const char *name = ext_name(types[i]);

		jw_obj_open(w, NULL);
		if (name)
			jw_str(w, "name", name);
		jw_uint(w, "type", types[i]);
		if (types[i] == 0 && tls_sni(tls)[0]) {
			jw_arr_open(w, "values");
			jw_str(w, NULL, tls_sni(tls));
			jw_arr_close(w);
		} else if (types[i] == 16 && tls_client_alpn_count(tls) > 0) {
			unsigned na = tls_client_alpn_count(tls);
			jw_arr_open(w, "values");
			for (unsigned k = 0; k < na; k++) {
				size_t len;
				const uint8_t *p = tls_client_alpn(tls, k, &len);
				if (p)
					jw_strn(w, NULL, (const char *)p, len);
			}
			jw_arr_close(w);
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

void quic_write_eve(struct jw *w, const struct quic_state *q)
{
	char v[16];
	const char *s;

	jw_obj_open(w, "quic");
	jw_str(w, "version", quic_version_name(q->version, v, sizeof(v)));
	s = quic_sni(q);
	if (s[0])
		jw_str(w, "sni", s);
	s = quic_ua(q);
	if (s[0])
		jw_str(w, "ua", s);
	if (q->cyu) {
		jw_arr_open(w, "cyu");
		jw_obj_open(w, NULL);
		jw_str(w, "hash", q->cyu_hash);
		jw_str(w, "string", q->cyu);
		jw_obj_close(w);
		jw_arr_close(w);
	}
	if (q->tls && tls_client_hello_seen(q->tls)) {
		if (tls_ja3_string(q->tls)[0]) {
			jw_obj_open(w, "ja3");
			if (tls_ja3_hash(q->tls)[0])
				jw_str(w, "hash", tls_ja3_hash(q->tls));
			jw_str(w, "string", tls_ja3_string(q->tls));
			jw_obj_close(w);
		}
		if (tls_ja4(q->tls)[0])
			jw_str(w, "ja4", tls_ja4(q->tls));
		write_extensions(w, q->tls);
	}
	jw_obj_close(w);
}

int quic_parse_long_header(const uint8_t *d, size_t len, uint32_t *version)
{
	if (len < 7 || !(d[0] & 0x80))
		return -EBADMSG;
	*version = be32(d + 1);
	return 0;
}
