/*
 * proto_tls.c - TLS handshake parser and its EVE "tls" writer.
 *
 * Part of the extract stage: the flow code hands over the TCP payload of each
 * segment per direction; this module walks the record layer, joins
 * handshake messages across records and segments (at most TLS_DIR_BUF_MAX
 * bytes per direction), and reads the ClientHello (SNI, ALPN, JA3, JA4), the
 * ServerHello (version, JA3S, ALPN) and the first certificate of each
 * Certificate message (OpenSSL d2i_X509, behind a per-thread cache of
 * decoded certificates keyed by SHA-1). QUIC hands its CRYPTO stream to
 * tls_feed_handshake(), which skips the record layer. Every length on the
 * wire is checked before use; nothing is read outside the bytes given; bad
 * input is counted in struct tls_counters, never fatal, never printed. After a
 * ChangeCipherSpec or application data in a direction, that direction's
 * handshake bytes are encrypted and no longer looked at.
 *
 * Output follows Suricata 8's extended TLS logging (output-json-tls.c):
 * field names and order subject, issuerdn, subjectaltname, session_resumed,
 * serial, fingerprint, sni, version, notbefore, notafter, ja3, ja3s, ja4,
 * client_alpns, server_alpns, client{...}. Version names, JA3 (first
 * ClientHello wins, GREASE dropped from every list), JA3S, JA4 (Suricata's
 * variant: empty lists hash to sha256(""), "_" always present) and the
 * serial ("00:C7:D4:..", the raw DER INTEGER bytes, upper case) follow
 * Suricata's code and the suricata-verify expectations.
 *
 * Format decisions not confirmed against Suricata output:
 *  - Distinguished names imitate x509-parser's Display: RDNs joined by ", ",
 *    multi-valued RDNs by " + "; CN C L ST O OU DC Email as abbreviations,
 *    other attributes by the oid-registry short names listed in
 *    attr_names[] (from memory, not checked), unknown ones as "OID(1.2.3)".
 *    String values are copied raw and must be UTF-8 (else the whole name
 *    becomes "<X509Error: Invalid X.509 name>"); non-string values are
 *    upper-case hex of the content bytes.
 *  - subjectaltname lists DNS names, e-mail addresses and URIs as-is and IP
 *    addresses in text form; other name types are left out.
 *  - A malformed extension block or extension does not void the JA3: the
 *    extensions before the fault are used (Suricata drops or cuts the hash
 *    in some of these cases). SNI: first host_name entry of 1..255 bytes.
 *  - A JA3 string longer than TLS_JA3_STR_MAX is stored cut; its hash is
 *    still computed over the whole string.
 *  - JA3 and JA4 are always computed (Suricata needs them enabled); the
 *    first ServerHello (a HelloRetryRequest in TLS 1.3) gives the JA3S.
 *  - A DN value holding a NUL byte ends the name there (Suricata logs it
 *    as a C string too). Subject/issuer are capped at 4096 bytes, the serial
 *    at 256 DER bytes, SANs at 256 entries / 16 KiB.
 *  - "client" (the client certificate) carries subject, issuerdn,
 *    fingerprint, serial, notbefore, notafter, as Suricata's
 *    JsonTlsLogClientCert; "certificate"/"chain" (custom-only fields in
 *    Suricata) are not written.
 *  - Beyond TLS_DIR_BUF_MAX: a Certificate message is read up to the cut,
 *    other uninteresting messages are skipped, a hello gives up the
 *    direction. Suricata has no such bound.
 */
#include "proto_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "jsonw.h"
#include "util.h"

#include "digest.h"
#include "banned.h"

#define REC_HDR_LEN 5
#define REC_MAX_LEN (16384 + 2048) /* TLSCiphertext limit of RFC 5246 */
#define HS_HDR_LEN 4

enum {
	CT_CCS = 20,
	CT_ALERT = 21,
	CT_HANDSHAKE = 22,
	CT_APPDATA = 23,
	CT_HEARTBEAT = 24,
};

enum {
	HS_HELLO_REQUEST = 0,
	HS_CLIENT_HELLO = 1,
	HS_SERVER_HELLO = 2,
	HS_NEW_SESSION_TICKET = 4,
	HS_END_OF_EARLY_DATA = 5,
	HS_ENCRYPTED_EXTENSIONS = 8,
	HS_CERTIFICATE = 11,
	HS_SERVER_KEY_EXCHANGE = 12,
	HS_CERTIFICATE_REQUEST = 13,
	HS_SERVER_HELLO_DONE = 14,
	HS_CERTIFICATE_VERIFY = 15,
	HS_CLIENT_KEY_EXCHANGE = 16,
	HS_FINISHED = 20,
	HS_CERTIFICATE_URL = 21,
	HS_CERTIFICATE_STATUS = 22,
	HS_SUPPLEMENTAL_DATA = 23,
	HS_KEY_UPDATE = 24,
	HS_COMPRESSED_CERTIFICATE = 25,
	HS_MESSAGE_HASH = 254,
};

enum {
	EXT_SNI = 0,
	EXT_SUPPORTED_GROUPS = 10,
	EXT_EC_POINT_FORMATS = 11,
	EXT_SIG_ALGS = 13,
	EXT_ALPN = 16,
	EXT_SESSION_TICKET = 35,
	EXT_SUPPORTED_VERSIONS = 43,
};

#define ALPN_MAX 32          /* protocol names kept per side */
#define ALPN_BYTES_MAX 1024  /* their bytes, stored as on the wire */
#define DN_MAX 4096
#define SERIAL_BYTES_MAX 256
#define SAN_MAX 256
#define SAN_BYTES_MAX (16 * 1024)
#define FPR_LEN 60           /* 20 bytes as "xx:" */

#define X509_NAME_INVALID "<X509Error: Invalid X.509 name>"

struct tls_cert {
	bool msg_seen;    /* a Certificate message was handled */
	bool present;     /* the first certificate yielded every field */
	char *subject, *issuer, *serial;
	char fingerprint[FPR_LEN];
	int64_t not_before, not_after;
	char *sans;       /* nsans strings, each NUL-terminated, back to back */
	unsigned nsans;
	unsigned chain_len;
};

struct tls_dir {
	/* record layer */
	uint8_t hdr[REC_HDR_LEN];
	uint8_t hdr_len;
	bool in_body;
	uint8_t rec_type;
	uint16_t rec_len;
	uint16_t rec_left;
	uint32_t records;
	/* handshake message being joined */
	uint8_t mhdr[HS_HDR_LEN];
	uint8_t mhdr_len;  /* 4 = header complete, body being collected */
	uint8_t *msg;      /* heap, msg_want bytes, at most TLS_DIR_BUF_MAX */
	uint32_t msg_have, msg_want, msg_len;
	bool msg_prefix;   /* only a prefix of an oversized message is kept */
	uint32_t skip_left;
	/* outcome */
	bool gave_up, encrypted, ccs, appdata, fatal_alert;
};

struct tls_state {
	struct tls_dir dir[2];
	struct tls_counters cnt;

	bool client_hello, server_hello, server_hello_done;
	bool ch_sv_ext;          /* ClientHello carried supported_versions */
	bool log_without_cert;   /* TLS 1.3 or draft: certificate encrypted */
	bool ticket_offered;     /* session_ticket extension in ClientHello */
	bool sid_resumed;        /* ServerHello echoed the client session id */
	bool cert_request;
	uint16_t client_version;
	uint16_t server_version;
	uint8_t sid[32];
	uint8_t sid_len;

	char sni[TLS_SNI_MAX + 1];
	size_t sni_len;
	char *ja3_str, *ja3s_str;
	char ja3_hash[33], ja3s_hash[33];
	char ja4[37];
	uint8_t *alpn[2];        /* [0] client, [1] server; (len, bytes)... */
	uint16_t alpn_len[2];
	uint8_t alpn_n[2];

	struct tls_cert cert[2]; /* [0] client, [1] server */

	bool quic;               /* handshake carried by QUIC: JA4 "q" */
	uint16_t *ch_ext;        /* ClientHello extension types, in order */
	uint16_t ch_next;
};

/* Counts a parser's error code: -ENOMEM as an allocation failure, any other
 * negative code in the counter the caller names. */
static void count_err(struct tls_state *st, int err, uint32_t *counter)
{
	if (err == -ENOMEM)
		st->cnt.alloc_fail++;
	else if (err < 0)
		(*counter)++;
}

/* ---- bounded reader over wire bytes ---- */

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

static bool rd_u16(struct rd *r, uint16_t *v)
{
	if (r->n < 2)
		return false;
	*v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->n -= 2;
	return true;
}

static bool rd_u24(struct rd *r, uint32_t *v)
{
	if (r->n < 3)
		return false;
	*v = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->n -= 3;
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

/* One extension per call; false at the end or at a malformed entry. */
static bool ext_next(struct rd *r, bool *bad, uint16_t *type, struct rd *body)
{
	uint16_t len;

	if (r->n == 0)
		return false;
	if (!rd_u16(r, type) || !rd_u16(r, &len) || !rd_take(r, len, body)) {
		*bad = true;
		return false;
	}
	return true;
}

static bool is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Suricata's TLSVersionValid(): versions it accepts from supported_versions. */
static bool version_valid(uint16_t v)
{
	if (v >= TLS_VER_SSL3 && v <= TLS_VER_13)
		return true;
	if (v == TLS_VER_13_PRE_DRAFT16 || (v >= 0x7f10 && v <= 0x7f1c))
		return true;
	return (v >= 0xfb14 && v <= 0xfb17) || v == 0xfb1a;
}

static char *dup_bytes(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static void hex_sep(char *out, size_t size, const uint8_t *b, size_t n,
		    bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t o = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (o + (i ? 3 : 2) + 1 > size)
			break;
		if (i > 0)
			out[o++] = ':';
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 15];
	}
	out[o] = '\0';
}

/* ---- JA3 string with a streaming MD5 ---- */

struct ja3b {
	EVP_MD_CTX *md;
	bool md_ok;
	bool first;   /* the next value opens its field */
	size_t len;
	char buf[TLS_JA3_STR_MAX + 1];
};

static void ja3_begin(struct ja3b *b)
{
	b->len = 0;
	b->first = true;
	b->md = EVP_MD_CTX_new();
	b->md_ok = b->md && EVP_DigestInit_ex(b->md, digest_md(DIGEST_MD5), NULL) == 1;
}

static void ja3_put(struct ja3b *b, const char *s, size_t n)
{
	size_t room = TLS_JA3_STR_MAX - b->len;

	if (b->md_ok && EVP_DigestUpdate(b->md, s, n) != 1)
		b->md_ok = false;
	if (n > room)
		n = room;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static void ja3_value(struct ja3b *b, unsigned v)
{
	char t[24];
	size_t k = 0;

	if (!b->first)
		t[k++] = '-';
	k += hd_utoa(t + k, v);
	b->first = false;
	ja3_put(b, t, k);
}

static void ja3_field(struct ja3b *b)
{
	ja3_put(b, ",", 1);
	b->first = true;
}

/* Stores the (possibly cut) string and the hex MD5; frees the context.
 * Returns 0 or -ENOMEM. */
static int ja3_end(struct ja3b *b, char **str, char hash[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	b->buf[b->len] = '\0';
	*str = dup_bytes(b->buf, b->len);
	hash[0] = '\0';
	if (b->md_ok && EVP_DigestFinal_ex(b->md, md, &mdlen) == 1 &&
	    mdlen == 16) {
		hd_hex(hash, md, 16);
	}
	EVP_MD_CTX_free(b->md);
	b->md = NULL;
	return *str ? 0 : -ENOMEM;
}

/* ---- ClientHello ---- */

/* Keeps the protocol names of an ALPN extension; those before a fault in
 * the list are kept too. Returns 0, -EINVAL or -ENOMEM. */
static int store_alpns(struct tls_state *st, int side, struct rd body)
{
	struct rd list;
	uint16_t list_len;
	uint8_t *buf;
	size_t used = 0;
	int err = 0;

	if (st->alpn[side])
		return 0; /* first hello wins */
	if (!rd_u16(&body, &list_len) || !rd_take(&body, list_len, &list))
		return -EINVAL;
	buf = malloc(ALPN_BYTES_MAX);
	if (!buf)
		return -ENOMEM;
	while (list.n > 0 && st->alpn_n[side] < ALPN_MAX) {
		uint8_t plen;
		struct rd name;

		if (!rd_u8(&list, &plen) || !rd_take(&list, plen, &name)) {
			err = -EINVAL;
			break;
		}
		if (plen == 0)
			continue;
		if (used + 1 + plen > ALPN_BYTES_MAX)
			break;
		buf[used++] = plen;
		memcpy(buf + used, name.p, plen);
		used += plen;
		st->alpn_n[side]++;
	}
	st->alpn[side] = buf;
	st->alpn_len[side] = (uint16_t)used;
	return err;
}

/* The first host_name of a server_name extension. Returns 0 or -EINVAL. */
static int store_sni(struct tls_state *st, struct rd body)
{
	struct rd list;
	uint16_t list_len;

	if (st->sni_len)
		return 0;
	if (!rd_u16(&body, &list_len) || !rd_take(&body, list_len, &list))
		return -EINVAL;
	while (list.n > 0) {
		uint8_t type;
		uint16_t nlen;
		struct rd name;

		if (!rd_u8(&list, &type) || !rd_u16(&list, &nlen) ||
		    !rd_take(&list, nlen, &name))
			return -EINVAL;
		if (type != 0)
			continue;
		if (nlen == 0 || nlen > TLS_SNI_MAX)
			return -EINVAL;
		memcpy(st->sni, name.p, nlen);
		st->sni[nlen] = '\0';
		st->sni_len = nlen;
		return 0;
	}
	return 0;
}

/* The first valid version of a ClientHello's supported_versions, as
 * Suricata takes it, or 0. Returns 0 or -EINVAL. */
static int client_supported_version(struct rd body, uint16_t *out)
{
	uint8_t list_len;
	struct rd list;
	uint16_t v;

	*out = 0;
	if (!rd_u8(&body, &list_len) || list_len < 2 ||
	    !rd_take(&body, list_len, &list))
		return -EINVAL;
	while (rd_u16(&list, &v)) {
		if (version_valid(v)) {
			*out = v;
			break;
		}
	}
	return 0;
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

/* "0a0b,1301,..." into the digest, a buffer's worth per update */
static void sha_list(EVP_MD_CTX *md, const uint16_t *v, size_t n, bool *ok)
{
	char t[5 * 64];
	size_t k = 0;

	for (size_t i = 0; i < n && *ok; i++) {
		uint8_t be[2] = { (uint8_t)(v[i] >> 8), (uint8_t)v[i] };

		/* room for ",abcd" and hd_hex's NUL */
		if (k + 6 > sizeof(t)) {
			if (EVP_DigestUpdate(md, t, k) != 1)
				*ok = false;
			k = 0;
		}
		if (i)
			t[k++] = ',';
		hd_hex(t + k, be, 2);
		k += 4;
	}
	if (k && *ok && EVP_DigestUpdate(md, t, k) != 1)
		*ok = false;
}

static void sha12(EVP_MD_CTX *md, char out[13], bool *ok)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;

	if (!*ok || EVP_DigestFinal_ex(md, d, &dlen) != 1 || dlen < 6) {
		*ok = false;
		return;
	}
	hd_hex(out, d, 6);
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case TLS_VER_13: return "13";
	case TLS_VER_12: return "12";
	case TLS_VER_11: return "11";
	case TLS_VER_10: return "10";
	case TLS_VER_SSL3: return "s3";
	default: return "00";
	}
}

static char alnum_or_hex(uint8_t c, bool first, bool use_hex)
{
	static const char hex[] = "0123456789abcdef";

	if (!use_hex)
		return (char)c;
	return first ? hex[c >> 4] : hex[c & 15];
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

/* JA4 as Suricata 8 computes it (rust/src/ja4.rs). Returns 0, -ENOMEM, or
 * -EIO when the digest fails. */
static int compute_ja4(struct tls_state *st, uint16_t version,
		       struct rd ciphers, struct rd exts)
{
	uint16_t *cs = NULL, *es = NULL, *sa = NULL;
	size_t ncs = 0, nes = 0, nsa = 0, next = 0;
	bool domain = false, bad = false, ok = true;
	int err = 0;
	char a1 = '0', a2 = '0', b[13] = "", c[13] = "";
	uint16_t v, type;
	struct rd e, body;
	EVP_MD_CTX *md = NULL;

	cs = malloc((ciphers.n / 2 + 1) * sizeof(*cs));
	es = malloc((exts.n / 4 + 1) * sizeof(*es));
	sa = malloc((exts.n / 2 + 1) * sizeof(*sa));
	md = EVP_MD_CTX_new();
	if (!cs || !es || !sa || !md) {
		err = -ENOMEM;
		goto out;
	}
	while (rd_u16(&ciphers, &v))
		if (!is_grease(v))
			cs[ncs++] = v;
	e = exts;
	while (ext_next(&e, &bad, &type, &body)) {
		if (is_grease(type))
			continue;
		next++;
		if (type == EXT_SNI)
			domain = true;
		else if (type != EXT_ALPN)
			es[nes++] = type;
		if (type == EXT_SUPPORTED_VERSIONS) {
			uint16_t sv;
			if (client_supported_version(body, &sv) == 0 &&
			    sv > version)
				version = sv;
		} else if (type == EXT_SIG_ALGS) {
			uint16_t len;
			struct rd list;
			if (rd_u16(&body, &len) && len % 2 == 0 &&
			    rd_take(&body, len, &list))
				while (rd_u16(&list, &v))
					if (!is_grease(v))
						sa[nsa++] = v;
		}
	}
	if (st->alpn[0] && st->alpn_n[0] > 0) {
		const uint8_t *p = st->alpn[0] + 1;
		uint8_t l = st->alpn[0][0];
		bool grease = l == 2 && is_grease((uint16_t)(p[0] << 8 | p[1]));

		if (!grease) {
			bool hex = !is_alnum(p[0]) || !is_alnum(p[l - 1]);
			a1 = alnum_or_hex(p[0], true, hex);
			a2 = alnum_or_hex(p[l - 1], false, hex);
		}
	}
	qsort(cs, ncs, sizeof(*cs), cmp_u16);
	qsort(es, nes, sizeof(*es), cmp_u16);

	ok = EVP_DigestInit_ex(md, digest_md(DIGEST_SHA256), NULL) == 1;
	sha_list(md, cs, ncs, &ok);
	sha12(md, b, &ok);
	ok = ok && EVP_DigestInit_ex(md, digest_md(DIGEST_SHA256), NULL) == 1;
	sha_list(md, es, nes, &ok);
	ok = ok && EVP_DigestUpdate(md, "_", 1) == 1;
	sha_list(md, sa, nsa, &ok);
	sha12(md, c, &ok);
	if (ok)
		snprintf(st->ja4, sizeof(st->ja4), "%c%s%c%02zu%02zu%c%c_%s_%s",
			 st->quic ? 'q' : 't', ja4_version(version), domain ? 'd' : 'i',
			 ncs > 99 ? 99 : ncs, next > 99 ? 99 : next, a1, a2,
			 b, c);
	else
		err = -EIO;
out:
	EVP_MD_CTX_free(md);
	free(cs);
	free(es);
	free(sa);
	return err;
}

/* Returns 0 or -ENOMEM. */
static int client_ja3(struct tls_state *st, uint16_t version,
		      struct rd ciphers, struct rd exts)
{
	struct ja3b *b = malloc(sizeof(*b));
	struct rd e, body;
	uint16_t v, type;
	bool bad = false;
	int err;

	if (!b)
		return -ENOMEM;
	ja3_begin(b);
	ja3_value(b, version);
	ja3_field(b);
	while (rd_u16(&ciphers, &v))
		if (!is_grease(v))
			ja3_value(b, v);
	ja3_field(b);
	e = exts;
	while (ext_next(&e, &bad, &type, &body))
		if (!is_grease(type))
			ja3_value(b, type);
	ja3_field(b);
	e = exts;
	while (ext_next(&e, &bad, &type, &body)) {
		uint16_t len;
		struct rd list;

		if (type != EXT_SUPPORTED_GROUPS)
			continue;
		if (!rd_u16(&body, &len) || !rd_take(&body, len, &list))
			continue;
		while (rd_u16(&list, &v))
			if (!is_grease(v))
				ja3_value(b, v);
	}
	ja3_field(b);
	e = exts;
	while (ext_next(&e, &bad, &type, &body)) {
		uint8_t len, pf;
		struct rd list;

		if (type != EXT_EC_POINT_FORMATS)
			continue;
		if (!rd_u8(&body, &len) || !rd_take(&body, len, &list))
			continue;
		while (rd_u8(&list, &pf))
			ja3_value(b, pf);
	}
	err = ja3_end(b, &st->ja3_str, st->ja3_hash);
	free(b);
	return err;
}

/* Faults inside extensions are counted here and do not stop the parse.
 * Returns 0, -EINVAL (fixed part malformed: nothing kept) or -ENOMEM. */
static int parse_client_hello(struct tls_state *st, const uint8_t *p, size_t n)
{
	struct rd r = { p, n }, sid, ciphers, exts = { p, 0 }, body;
	uint16_t version, clen, type, sv;
	uint8_t sid_len, comp_len;
	bool bad = false;
	int err, nomem = 0;

	if (!rd_u16(&r, &version) || !rd_take(&r, 32, NULL) ||
	    !rd_u8(&r, &sid_len) || !rd_take(&r, sid_len, &sid) ||
	    !rd_u16(&r, &clen) || clen % 2 != 0 ||
	    !rd_take(&r, clen, &ciphers) || !rd_u8(&r, &comp_len) ||
	    !rd_take(&r, comp_len, NULL))
		return -EINVAL;
	/* extensions are optional; one stray byte counts as none */
	if (r.n >= 2) {
		uint16_t elen = 0;

		rd_u16(&r, &elen);
		if (!rd_take(&r, elen, &exts)) {
			st->cnt.bad_extension++;
			exts = r; /* walk what is there */
		}
	}

	st->client_hello = true;
	st->client_version = version;
	if (sid_len <= sizeof(st->sid)) {
		memcpy(st->sid, sid.p, sid_len);
		st->sid_len = sid_len;
	}

	/* only QUIC's EVE object lists the extensions */
	if (st->quic) {
		st->ch_ext = malloc(TLS_EXT_LIST_MAX * sizeof(*st->ch_ext));
		if (!st->ch_ext)
			nomem = -ENOMEM;
	}
	for (struct rd e = exts; ext_next(&e, &bad, &type, &body);) {
		err = 0;
		if (st->ch_ext && st->ch_next < TLS_EXT_LIST_MAX)
			st->ch_ext[st->ch_next++] = type;
		switch (type) {
		case EXT_SNI:
			err = store_sni(st, body);
			break;
		case EXT_ALPN:
			err = store_alpns(st, 0, body);
			break;
		case EXT_SUPPORTED_VERSIONS:
			st->ch_sv_ext = true;
			err = client_supported_version(body, &sv);
			break;
		case EXT_SESSION_TICKET:
			st->ticket_offered = true;
			break;
		default:
			break;
		}
		count_err(st, err, &st->cnt.bad_extension);
	}
	if (bad)
		st->cnt.bad_extension++;

	err = client_ja3(st, version, ciphers, exts);
	if (err == -ENOMEM)
		nomem = err;
	err = compute_ja4(st, version, ciphers, exts);
	if (err == -ENOMEM)
		nomem = err;
	return nomem;
}

/* ---- ServerHello ---- */

/* Returns 0, -EINVAL (malformed: nothing kept) or -ENOMEM. */
static int parse_server_hello(struct tls_state *st, const uint8_t *p, size_t n)
{
	struct rd r = { p, n }, sid = { p, 0 }, exts = { p, 0 }, body;
	uint16_t version, cipher, type;
	uint8_t sid_len = 0, comp;
	bool bad = false, early_draft;
	uint16_t shown;
	struct ja3b *b;
	int err;

	if (!rd_u16(&r, &version) || !rd_take(&r, 32, NULL))
		return -EINVAL;
	/* TLS 1.3 drafts before 22 put their version here and dropped the
	 * session id and compression fields from the ServerHello */
	early_draft = version == TLS_VER_13 || (version >> 8) == 0x7f;
	if ((!early_draft && (!rd_u8(&r, &sid_len) ||
			      !rd_take(&r, sid_len, &sid))) ||
	    !rd_u16(&r, &cipher) || (!early_draft && !rd_u8(&r, &comp)))
		return -EINVAL;
	if (r.n >= 2) {
		uint16_t elen = 0;

		rd_u16(&r, &elen);
		if (!rd_take(&r, elen, &exts)) {
			st->cnt.bad_extension++;
			exts = r;
		}
	}

	st->server_hello = true;
	if (early_draft)
		st->log_without_cert = true;
	shown = version;
	if ((version >= 0x7f01 && version < 0x7f10) || version == TLS_VER_13)
		shown = TLS_VER_13_PRE_DRAFT16;
	st->server_version = shown;
	if (sid_len > 0 && sid_len == st->sid_len &&
	    memcmp(sid.p, st->sid, sid_len) == 0)
		st->sid_resumed = true;

	for (struct rd e = exts; ext_next(&e, &bad, &type, &body);) {
		uint16_t v;

		if (type == EXT_SUPPORTED_VERSIONS && rd_u16(&body, &v)) {
			if (st->ch_sv_ext && v > TLS_VER_12)
				st->log_without_cert = true;
			st->server_version = v;
		} else if (type == EXT_ALPN) {
			count_err(st, store_alpns(st, 1, body),
				  &st->cnt.bad_extension);
		}
	}
	if (bad)
		st->cnt.bad_extension++;

	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	ja3_begin(b);
	ja3_value(b, version);
	ja3_field(b);
	if (!is_grease(cipher))
		ja3_value(b, cipher);
	ja3_field(b);
	bad = false;
	for (struct rd e = exts; ext_next(&e, &bad, &type, &body);)
		if (!is_grease(type))
			ja3_value(b, type);
	err = ja3_end(b, &st->ja3s_str, st->ja3s_hash);
	free(b);
	return err;
}

/* ---- certificates ---- */

struct sb {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sb *s, const void *p, size_t n)
{
	if (n > s->cap - s->len)
		n = s->cap - s->len;
	memcpy(s->p + s->len, p, n);
	s->len += n;
}

static void sb_str(struct sb *s, const char *p)
{
	sb_add(s, p, strlen(p));
}

/* Abbreviations of x509-parser, then oid-registry short names. */
static const struct {
	const char *oid, *name;
} attr_names[] = {
	{ "2.5.4.3", "CN" },
	{ "2.5.4.6", "C" },
	{ "2.5.4.7", "L" },
	{ "2.5.4.8", "ST" },
	{ "2.5.4.10", "O" },
	{ "2.5.4.11", "OU" },
	{ "0.9.2342.19200300.100.1.25", "DC" },
	{ "1.2.840.113549.1.9.1", "Email" },
	{ "2.5.4.4", "surname" },
	{ "2.5.4.5", "serialNumber" },
	{ "2.5.4.9", "streetAddress" },
	{ "2.5.4.12", "title" },
	{ "2.5.4.13", "description" },
	{ "2.5.4.15", "businessCategory" },
	{ "2.5.4.17", "postalCode" },
	{ "2.5.4.41", "name" },
	{ "2.5.4.42", "givenName" },
	{ "2.5.4.43", "initials" },
	{ "2.5.4.44", "generationQualifier" },
	{ "2.5.4.45", "uniqueIdentifier" },
	{ "2.5.4.46", "dnQualifier" },
	{ "1.3.6.1.4.1.311.60.2.1.1", "jurisdictionOfIncorporationLocalityName" },
	{ "1.3.6.1.4.1.311.60.2.1.2",
	  "jurisdictionOfIncorporationStateOrProvinceName" },
	{ "1.3.6.1.4.1.311.60.2.1.3", "jurisdictionOfIncorporationCountryName" },
};

static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned l = utf8_seq_len(s + i, n - i);

		if (l == 0)
			return false;
		i += l;
	}
	return true;
}

static bool asn1_is_text(int type)
{
	switch (type) {
	case V_ASN1_NUMERICSTRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_GENERALSTRING:
	case V_ASN1_OBJECT_DESCRIPTOR:
	case V_ASN1_GRAPHICSTRING:
	case V_ASN1_T61STRING:
	case V_ASN1_VIDEOTEXSTRING:
	case V_ASN1_UTF8STRING:
	case V_ASN1_IA5STRING:
		return true;
	default:
		return false;
	}
}

static char *name_string(const X509_NAME *nm)
{
	char buf[DN_MAX];
	struct sb s = { buf, 0, sizeof(buf) };
	int count = X509_NAME_entry_count(nm), prev_set = -1;

	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);
		const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
		const unsigned char *data = ASN1_STRING_get0_data(v);
		size_t dlen = (size_t)ASN1_STRING_length(v);
		int set = X509_NAME_ENTRY_set(e);
		char oid[128];
		const char *label = NULL;
		int olen;

		if (i > 0)
			sb_str(&s, set == prev_set ? " + " : ", ");
		prev_set = set;
		olen = OBJ_obj2txt(oid, sizeof(oid),
				   X509_NAME_ENTRY_get_object(e), 1);
		if (olen <= 0 || (size_t)olen >= sizeof(oid))
			str_copy(oid, "?", sizeof(oid));
		for (size_t k = 0; k < ARRAY_SIZE(attr_names); k++)
			if (strcmp(attr_names[k].oid, oid) == 0)
				label = attr_names[k].name;
		if (label) {
			sb_str(&s, label);
		} else {
			sb_str(&s, "OID(");
			sb_str(&s, oid);
			sb_str(&s, ")");
		}
		sb_str(&s, "=");
		if (asn1_is_text(ASN1_STRING_type(v))) {
			if (!valid_utf8(data, dlen))
				return dup_bytes(X509_NAME_INVALID,
						 strlen(X509_NAME_INVALID));
			sb_add(&s, data, dlen);
		} else {
			static const char hex[] = "0123456789ABCDEF";
			for (size_t k = 0; k < dlen; k++) {
				char h[2] = { hex[data[k] >> 4],
					      hex[data[k] & 15] };
				sb_add(&s, h, 2);
			}
		}
	}
	/* values may hold NUL bytes: the string ends at the first one */
	return dup_bytes(buf, s.len);
}

/* DER tag and length at r; long lengths up to 4 bytes. */
static bool der_next(struct rd *r, uint8_t *tag, struct rd *content)
{
	uint8_t l0, b;
	size_t len = 0;

	if (!rd_u8(r, tag) || (*tag & 0x1f) == 0x1f || !rd_u8(r, &l0))
		return false;
	if (l0 < 0x80) {
		len = l0;
	} else {
		unsigned nb = l0 & 0x7f;
		if (nb == 0 || nb > 4)
			return false;
		while (nb--) {
			if (!rd_u8(r, &b))
				return false;
			len = len << 8 | b;
		}
	}
	return rd_take(r, len, content);
}

/* The serial's INTEGER content bytes exactly as encoded, into *out.
 * Returns 0, -EINVAL or -ENOMEM. */
static int raw_serial(const uint8_t *der, size_t n, char **out)
{
	struct rd r = { der, n }, cert, tbs, item;
	uint8_t tag;

	*out = NULL;
	if (!der_next(&r, &tag, &cert) || tag != 0x30 ||
	    !der_next(&cert, &tag, &tbs) || tag != 0x30 ||
	    !der_next(&tbs, &tag, &item))
		return -EINVAL;
	if (tag == 0xa0 && !der_next(&tbs, &tag, &item))
		return -EINVAL;
	if (tag != 0x02 || item.n == 0)
		return -EINVAL;
	if (item.n > SERIAL_BYTES_MAX)
		item.n = SERIAL_BYTES_MAX;
	*out = malloc(item.n * 3);
	if (!*out)
		return -ENOMEM;
	hex_sep(*out, item.n * 3, item.p, item.n, true);
	return 0;
}

static bool asn1_time(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

/* Keeps the SANs in c->sans; *bytes gets the size of that block. Returns 0,
 * or -ENOMEM when the SANs could not be kept (the certificate still
 * counts, without them). */
static int collect_sans(struct tls_cert *c, X509 *x, size_t *bytes)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	char buf[SAN_BYTES_MAX];
	size_t used = 0;
	int count;

	*bytes = 0;
	if (!gens)
		return 0;
	count = sk_GENERAL_NAME_num(gens);
	for (int i = 0; i < count && c->nsans < SAN_MAX; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s = NULL;
		char ip[INET6_ADDRSTRLEN];
		const char *txt = NULL;
		size_t tlen = 0;

		switch (g->type) {
		case GEN_DNS:
			s = g->d.dNSName;
			break;
		case GEN_EMAIL:
			s = g->d.rfc822Name;
			break;
		case GEN_URI:
			s = g->d.uniformResourceIdentifier;
			break;
		case GEN_IPADD: {
			const ASN1_OCTET_STRING *a = g->d.iPAddress;
			int af = ASN1_STRING_length(a) == 4 ? AF_INET :
				 ASN1_STRING_length(a) == 16 ? AF_INET6 : 0;
			if (af && inet_ntop(af, ASN1_STRING_get0_data(a), ip,
					    sizeof(ip))) {
				txt = ip;
				tlen = strlen(ip);
			}
			break;
		}
		default:
			break;
		}
		if (s) {
			const char *d = (const char *)ASN1_STRING_get0_data(s);
			size_t l = (size_t)ASN1_STRING_length(s);
			const char *nul = memchr(d, '\0', l);
			txt = d;
			tlen = nul ? (size_t)(nul - d) : l;
		}
		if (!txt || used + tlen + 1 > sizeof(buf))
			continue;
		memcpy(buf + used, txt, tlen);
		used += tlen;
		buf[used++] = '\0';
		c->nsans++;
	}
	GENERAL_NAMES_free(gens);
	if (c->nsans) {
		c->sans = malloc(used);
		if (!c->sans) {
			c->nsans = 0;
			return -ENOMEM;
		}
		memcpy(c->sans, buf, used);
		*bytes = used;
	}
	return 0;
}

static void cert_clear(struct tls_cert *c)
{
	free(c->subject);
	free(c->issuer);
	free(c->serial);
	free(c->sans);
	c->subject = c->issuer = c->serial = c->sans = NULL;
	c->nsans = 0;
}

/* Decodes the fields of a certificate whose SHA-1 is sha1, publishing
 * them only when all of them could be read, as Suricata. *sans_bytes gets
 * the size of c->sans. *cacheable is cleared when an allocation failure
 * shaped the result. Returns 0, -EINVAL or -ENOMEM. */
static int cert_decode(struct tls_cert *c, const uint8_t *der, size_t n,
		       const unsigned char sha1[20], size_t *sans_bytes,
		       bool *cacheable)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)n);
	int err = -EINVAL;

	*sans_bytes = 0;
	if (!x)
		return -EINVAL;
	c->subject = name_string(X509_get_subject_name(x));
	c->issuer = name_string(X509_get_issuer_name(x));
	if (!c->subject || !c->issuer) {
		err = -ENOMEM;
		goto fail;
	}
	err = raw_serial(der, n, &c->serial);
	if (err)
		goto fail;
	err = -EINVAL;
	if (!asn1_time(X509_get0_notBefore(x), &c->not_before) ||
	    !asn1_time(X509_get0_notAfter(x), &c->not_after))
		goto fail;
	hex_sep(c->fingerprint, sizeof(c->fingerprint), sha1, 20, false);
	if (collect_sans(c, x, sans_bytes) == -ENOMEM)
		*cacheable = false;
	c->present = true;
	X509_free(x);
	return 0;

fail:
	if (err == -ENOMEM)
		*cacheable = false;
	cert_clear(c);
	X509_free(x);
	return err;
}

/* ---- per-thread certificate cache ----
 *
 * d2i_X509 is costly in OpenSSL 3 (the public key goes through the
 * OSSL_DECODER machinery, taking many locks), and the same server
 * certificates come back flow after flow. Each thread keeps the decoded
 * fields of the last CERT_CACHE_SETS * CERT_CACHE_WAYS certificates it saw,
 * keyed by the SHA-1 of the DER (the fingerprint, computed anyway), in a
 * set-associative table with LRU eviction inside a set. What is cached is
 * exactly what cert_decode produced, failures included, so a hit writes
 * the same fields; results shaped by an allocation failure are not kept,
 * nor entries whose strings exceed CERT_CACHE_ENTRY_MAX bytes. The cache
 * is freed when its thread exits, or by tls_cert_cache_flush(). */

#define CERT_CACHE_SETS 128
#define CERT_CACHE_WAYS 4
#define CERT_CACHE_ENTRY_MAX (8 * 1024)

struct cert_slot {
	bool used;
	uint8_t sha1[20];
	int err;             /* cert_decode's result, 0 or -EINVAL */
	uint64_t last_use;
	struct tls_cert val; /* the decoded fields when err == 0 */
	size_t sans_bytes;
};

struct cert_cache {
	uint64_t clock;
	struct cert_slot set[CERT_CACHE_SETS][CERT_CACHE_WAYS];
};

static __thread struct cert_cache *cert_cache;
static pthread_key_t cert_cache_key;
static bool cert_cache_key_ok;
static pthread_once_t cert_cache_once = PTHREAD_ONCE_INIT;

static void cert_cache_free(void *p)
{
	struct cert_cache *cc = p;

	if (!cc)
		return;
	for (size_t i = 0; i < CERT_CACHE_SETS; i++)
		for (size_t k = 0; k < CERT_CACHE_WAYS; k++)
			cert_clear(&cc->set[i][k].val);
	free(cc);
}

static void cert_cache_key_init(void)
{
	cert_cache_key_ok = pthread_key_create(&cert_cache_key,
					       cert_cache_free) == 0;
}

/* The calling thread's cache, created on first use; NULL without one. */
static struct cert_cache *cert_cache_get(void)
{
	if (cert_cache)
		return cert_cache;
	pthread_once(&cert_cache_once, cert_cache_key_init);
	if (!cert_cache_key_ok)
		return NULL;
	cert_cache = calloc(1, sizeof(*cert_cache));
	if (cert_cache && pthread_setspecific(cert_cache_key, cert_cache)) {
		free(cert_cache);
		cert_cache = NULL;
	}
	return cert_cache;
}

void tls_cert_cache_flush(void)
{
	if (!cert_cache)
		return;
	cert_cache_free(cert_cache);
	cert_cache = NULL;
	pthread_setspecific(cert_cache_key, NULL);
}

/* Copies the decoded fields (not msg_seen/chain_len). Returns 0 or -ENOMEM
 * (dst left without fields). */
static int cert_copy(struct tls_cert *dst, const struct tls_cert *src,
		     size_t sans_bytes)
{
	dst->subject = dup_bytes(src->subject, strlen(src->subject));
	dst->issuer = dup_bytes(src->issuer, strlen(src->issuer));
	dst->serial = dup_bytes(src->serial, strlen(src->serial));
	if (src->nsans) {
		dst->sans = malloc(sans_bytes);
		if (dst->sans)
			memcpy(dst->sans, src->sans, sans_bytes);
	}
	if (!dst->subject || !dst->issuer || !dst->serial ||
	    (src->nsans && !dst->sans)) {
		cert_clear(dst);
		return -ENOMEM;
	}
	dst->nsans = src->nsans;
	memcpy(dst->fingerprint, src->fingerprint, sizeof(dst->fingerprint));
	dst->not_before = src->not_before;
	dst->not_after = src->not_after;
	dst->present = src->present;
	return 0;
}

static size_t cert_bytes(const struct tls_cert *c, size_t sans_bytes)
{
	return strlen(c->subject) + strlen(c->issuer) + strlen(c->serial) +
	       sans_bytes + 3;
}

/* Returns 0, -EINVAL or -ENOMEM, as cert_decode. */
static int cert_extract(struct tls_cert *c, const uint8_t *der, size_t n)
{
	unsigned char sha1[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	struct cert_cache *cc;
	struct cert_slot *set, *victim;
	size_t sans_bytes;
	bool cacheable = true;
	int err;

	if (EVP_Digest(der, n, sha1, &mdlen, digest_md(DIGEST_SHA1), NULL) != 1 ||
	    mdlen != 20)
		return -EINVAL;
	cc = cert_cache_get();
	if (!cc)
		return cert_decode(c, der, n, sha1, &sans_bytes, &cacheable);
	set = cc->set[(sha1[0] | sha1[1] << 8) % CERT_CACHE_SETS];
	victim = &set[0];
	for (size_t k = 0; k < CERT_CACHE_WAYS; k++) {
		struct cert_slot *s = &set[k];

		if (s->used && memcmp(s->sha1, sha1, 20) == 0) {
			s->last_use = ++cc->clock;
			if (s->err)
				return s->err;
			return cert_copy(c, &s->val, s->sans_bytes);
		}
		if (!s->used || (victim->used && s->last_use < victim->last_use))
			victim = s;
	}
	err = cert_decode(c, der, n, sha1, &sans_bytes, &cacheable);
	if (!cacheable || (err == 0 && cert_bytes(c, sans_bytes) >
				       CERT_CACHE_ENTRY_MAX))
		return err;
	cert_clear(&victim->val);
	victim->used = false;
	if (err == 0 && cert_copy(&victim->val, c, sans_bytes) != 0)
		return err;
	victim->used = true;
	memcpy(victim->sha1, sha1, 20);
	victim->err = err;
	victim->sans_bytes = sans_bytes;
	victim->last_use = ++cc->clock;
	return err;
}

/* The first Certificate message of a direction; only its first
 * certificate is decoded. With prefix set the message was cut at
 * TLS_DIR_BUF_MAX and only complete certificates count. Returns 0,
 * -EEXIST (a second message), -EINVAL or -ENOMEM. */
static int parse_certificate(struct tls_cert *c, const uint8_t *p, size_t n,
			     bool prefix)
{
	struct rd r = { p, n }, der;
	uint32_t chain_len, len;
	int err = 0;

	if (c->msg_seen)
		return -EEXIST;
	c->msg_seen = true;
	if (!rd_u24(&r, &chain_len))
		return -EINVAL;
	if (chain_len < r.n)
		r.n = chain_len;
	else if (chain_len > r.n && !prefix)
		return -EINVAL;
	while (r.n > 0) {
		if (!rd_u24(&r, &len) || !rd_take(&r, len, &der)) {
			if (!prefix)
				err = -EINVAL;
			break;
		}
		if (c->chain_len == 0)
			err = cert_extract(c, der.p, der.n);
		c->chain_len++;
	}
	return err;
}

/* ---- handshake messages ---- */

static void hs_message(struct tls_state *st, int dir, uint8_t type,
		       const uint8_t *p, size_t n, bool prefix)
{
	int err;

	switch (type) {
	case HS_CLIENT_HELLO:
		if (dir != 0)
			st->cnt.bad_handshake++;
		else if (st->client_hello)
			st->cnt.duplicate_hello++;
		else
			count_err(st, parse_client_hello(st, p, n),
				  &st->cnt.bad_handshake);
		break;
	case HS_SERVER_HELLO:
		if (dir != 1)
			st->cnt.bad_handshake++;
		else if (st->server_hello)
			st->cnt.duplicate_hello++;
		else
			count_err(st, parse_server_hello(st, p, n),
				  &st->cnt.bad_handshake);
		break;
	case HS_CERTIFICATE:
		err = parse_certificate(&st->cert[dir], p, n, prefix);
		count_err(st, err, err == -EEXIST ? &st->cnt.bad_handshake :
						    &st->cnt.bad_certificate);
		break;
	case HS_CERTIFICATE_REQUEST:
		if (dir == 1)
			st->cert_request = true;
		break;
	case HS_SERVER_HELLO_DONE:
		if (dir == 1)
			st->server_hello_done = true;
		break;
	case HS_HELLO_REQUEST:
	case HS_NEW_SESSION_TICKET:
	case HS_END_OF_EARLY_DATA:
	case HS_ENCRYPTED_EXTENSIONS:
	case HS_SERVER_KEY_EXCHANGE:
	case HS_CERTIFICATE_VERIFY:
	case HS_CLIENT_KEY_EXCHANGE:
	case HS_FINISHED:
	case HS_CERTIFICATE_URL:
	case HS_CERTIFICATE_STATUS:
	case HS_SUPPLEMENTAL_DATA:
	case HS_KEY_UPDATE:
	case HS_COMPRESSED_CERTIFICATE:
	case HS_MESSAGE_HASH:
		break;
	default:
		st->cnt.bad_handshake++;
		break;
	}
}

static void msg_reset(struct tls_dir *d)
{
	free(d->msg);
	d->msg = NULL;
	d->msg_have = d->msg_want = d->msg_len = 0;
	d->msg_prefix = false;
	d->mhdr_len = 0;
	d->skip_left = 0;
}

static void give_up(struct tls_dir *d)
{
	d->gave_up = true;
	msg_reset(d);
}

/* Handshake-protocol bytes of one record, in order. */
static void hs_input(struct tls_state *st, int dir, const uint8_t *p, size_t n)
{
	struct tls_dir *d = &st->dir[dir];

	while (n > 0 && !d->gave_up) {
		if (d->skip_left > 0) {
			size_t k = n < d->skip_left ? n : d->skip_left;
			d->skip_left -= (uint32_t)k;
			p += k;
			n -= k;
			continue;
		}
		if (d->mhdr_len < HS_HDR_LEN) {
			uint32_t mlen;
			size_t k;

			/* a whole message in hand: no copy */
			if (d->mhdr_len == 0 && n >= HS_HDR_LEN) {
				mlen = (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
				if (mlen <= n - HS_HDR_LEN &&
				    mlen <= TLS_DIR_BUF_MAX - HS_HDR_LEN) {
					hs_message(st, dir, p[0], p + HS_HDR_LEN,
						   mlen, false);
					p += HS_HDR_LEN + mlen;
					n -= HS_HDR_LEN + mlen;
					continue;
				}
			}
			k = HS_HDR_LEN - d->mhdr_len;
			if (k > n)
				k = n;
			memcpy(d->mhdr + d->mhdr_len, p, k);
			d->mhdr_len += (uint8_t)k;
			p += k;
			n -= k;
			if (d->mhdr_len < HS_HDR_LEN)
				break;
			mlen = (uint32_t)d->mhdr[1] << 16 | d->mhdr[2] << 8 |
			       d->mhdr[3];
			d->msg_len = mlen;
			d->msg_want = mlen;
			if (mlen > TLS_DIR_BUF_MAX - HS_HDR_LEN) {
				st->cnt.overflow++;
				if (d->mhdr[0] == HS_CERTIFICATE) {
					d->msg_want = TLS_DIR_BUF_MAX - HS_HDR_LEN;
					d->msg_prefix = true;
				} else if (d->mhdr[0] == HS_CLIENT_HELLO ||
					   d->mhdr[0] == HS_SERVER_HELLO) {
					give_up(d);
					break;
				} else {
					st->cnt.oversized_skip++;
					d->mhdr_len = 0;
					d->skip_left = mlen;
					continue;
				}
			}
			if (d->msg_want == 0) {
				hs_message(st, dir, d->mhdr[0], p, 0, false);
				d->mhdr_len = 0;
				continue;
			}
			d->msg = malloc(d->msg_want);
			d->msg_have = 0;
			if (!d->msg) {
				st->cnt.alloc_fail++;
				d->mhdr_len = 0;
				d->skip_left = mlen;
				d->msg_prefix = false;
			}
			continue;
		}
		/* collecting the body */
		size_t k = d->msg_want - d->msg_have;
		if (k > n)
			k = n;
		memcpy(d->msg + d->msg_have, p, k);
		d->msg_have += (uint32_t)k;
		p += k;
		n -= k;
		if (d->msg_have == d->msg_want) {
			uint32_t rest = d->msg_len - d->msg_want;

			hs_message(st, dir, d->mhdr[0], d->msg, d->msg_have,
				   d->msg_prefix);
			msg_reset(d);
			d->skip_left = rest;
		}
	}
}

/* ---- record layer ---- */

static bool record_header_ok(const uint8_t *h)
{
	uint16_t len = (uint16_t)(h[3] << 8 | h[4]);

	if (h[0] < CT_CCS || h[0] > CT_HEARTBEAT)
		return false;
	if (h[1] != 3 || h[2] > 4)
		return false;
	return len <= REC_MAX_LEN;
}

static void record_start(struct tls_state *st, int dir)
{
	struct tls_dir *d = &st->dir[dir];

	if (dir == 1 && !st->server_hello)
		st->server_version = (uint16_t)(d->hdr[1] << 8 | d->hdr[2]);
	if (d->rec_type == CT_CCS || d->rec_type == CT_APPDATA) {
		if (d->rec_type == CT_CCS)
			d->ccs = true;
		else
			d->appdata = true;
		d->encrypted = true;
		msg_reset(d);
	}
}

static void record_body(struct tls_state *st, int dir, const uint8_t *p,
			size_t n)
{
	struct tls_dir *d = &st->dir[dir];

	switch (d->rec_type) {
	case CT_HANDSHAKE:
		if (!d->encrypted)
			hs_input(st, dir, p, n);
		break;
	case CT_ALERT:
		/* a cleartext alert is two bytes: level 2 is fatal */
		if (!d->encrypted && d->rec_len == 2 &&
		    d->rec_left == d->rec_len && p[0] == 2)
			d->fatal_alert = true;
		break;
	default:
		break;
	}
}

static void dir_feed(struct tls_state *st, int dir, const uint8_t *p, size_t n)
{
	struct tls_dir *d = &st->dir[dir];

	while (n > 0 && !d->gave_up) {
		if (!d->in_body) {
			size_t k;

			if (d->records == 0 && d->hdr_len == 0 && (p[0] & 0x80)) {
				st->cnt.sslv2_hello++;
				give_up(d);
				return;
			}
			k = REC_HDR_LEN - d->hdr_len;
			if (k > n)
				k = n;
			memcpy(d->hdr + d->hdr_len, p, k);
			d->hdr_len += (uint8_t)k;
			p += k;
			n -= k;
			if (d->hdr_len < REC_HDR_LEN)
				return;
			d->hdr_len = 0;
			if (!record_header_ok(d->hdr)) {
				st->cnt.bad_record++;
				give_up(d);
				return;
			}
			d->records++;
			d->rec_type = d->hdr[0];
			d->rec_len = (uint16_t)(d->hdr[3] << 8 | d->hdr[4]);
			d->rec_left = d->rec_len;
			d->in_body = d->rec_len > 0;
			record_start(st, dir);
			continue;
		}
		size_t k = n < d->rec_left ? n : d->rec_left;
		record_body(st, dir, p, k);
		d->rec_left -= (uint16_t)k;
		p += k;
		n -= k;
		if (d->rec_left == 0)
			d->in_body = false;
	}
}

/* ---- public ---- */

struct tls_state *tls_state_create(void)
{
	return calloc(1, sizeof(struct tls_state));
}

void tls_state_destroy(struct tls_state *st)
{
	if (!st)
		return;
	for (int i = 0; i < 2; i++) {
		msg_reset(&st->dir[i]);
		cert_clear(&st->cert[i]);
		free(st->alpn[i]);
	}
	free(st->ja3_str);
	free(st->ja3s_str);
	free(st->ch_ext);
	free(st);
}

void tls_feed(struct tls_state *st, int dir, const uint8_t *data, size_t len)
{
	if (!st || (dir != 0 && dir != 1) || !data || len == 0)
		return;
	dir_feed(st, dir, data, len);
}

void tls_feed_handshake(struct tls_state *st, int dir, const uint8_t *data,
			size_t len)
{
	if (!st || (dir != 0 && dir != 1) || !data || len == 0)
		return;
	hs_input(st, dir, data, len);
}

void tls_set_quic(struct tls_state *st)
{
	st->quic = true;
}

bool tls_client_hello_seen(const struct tls_state *st)
{
	return st->client_hello;
}

unsigned tls_client_extensions(const struct tls_state *st,
			       const uint16_t **types)
{
	*types = st->ch_ext;
	return st->ch_ext ? st->ch_next : 0;
}

unsigned tls_client_alpn_count(const struct tls_state *st)
{
	return st->alpn[0] ? st->alpn_n[0] : 0;
}

const uint8_t *tls_client_alpn(const struct tls_state *st, unsigned i,
			       size_t *len)
{
	const uint8_t *p = st->alpn[0];
	size_t off = 0;

	*len = 0;
	if (!p || i >= st->alpn_n[0])
		return NULL;
	while (i-- > 0)
		off += 1 + (size_t)p[off];
	*len = p[off];
	return p + off + 1;
}

bool tls_done(const struct tls_state *st)
{
	const struct tls_dir *c = &st->dir[0], *s = &st->dir[1];
	bool server;

	if (c->fatal_alert || s->fatal_alert || (c->gave_up && s->gave_up))
		return true;
	server = (st->server_hello &&
		  (st->log_without_cert || st->sid_resumed ||
		   st->server_hello_done)) ||
		 s->ccs || s->appdata || s->gave_up ||
		 (st->server_hello && (c->ccs || c->appdata));
	if (!server)
		return false;
	if (st->cert_request && !st->cert[0].msg_seen &&
	    !(c->ccs || c->appdata || c->gave_up))
		return false;
	return true;
}

bool tls_seen_hello(const struct tls_state *st)
{
	return st->client_hello || st->server_hello;
}

static bool resumed(const struct tls_state *st)
{
	return st->ticket_offered || st->sid_resumed;
}

bool tls_log_ready(const struct tls_state *st)
{
	return st->cert[1].present || resumed(st) || st->log_without_cert;
}

const char *tls_version_name(uint16_t v, char *buf, size_t size)
{
	const char *s = NULL;

	switch (v) {
	case 0: s = "UNDETERMINED"; break;
	case TLS_VER_SSL2: s = "SSLv2"; break;
	case TLS_VER_SSL3: s = "SSLv3"; break;
	case TLS_VER_10: s = "TLSv1"; break;
	case TLS_VER_11: s = "TLS 1.1"; break;
	case TLS_VER_12: s = "TLS 1.2"; break;
	case TLS_VER_13: s = "TLS 1.3"; break;
	case TLS_VER_13_PRE_DRAFT16: s = "TLS 1.3 draft-<16"; break;
	case 0xfb14: s = "TLS 1.3 draft-20-fb"; break;
	case 0xfb15: s = "TLS 1.3 draft-21-fb"; break;
	case 0xfb16: s = "TLS 1.3 draft-22-fb"; break;
	case 0xfb17: s = "TLS 1.3 draft-23-fb"; break;
	case 0xfb1a: s = "TLS 1.3 draft-26-fb"; break;
	default: break;
	}
	if (s)
		str_copy(buf, s, size);
	else if (v >= 0x7f10 && v <= 0x7f1c)
		snprintf(buf, size, "TLS 1.3 draft-%u", v & 0xffu);
	else
		snprintf(buf, size, "0x%04x", v);
	return buf;
}

static void write_time(struct jw *w, const char *key, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[40];

	if (t == 0 || !gmtime_r(&tt, &tm))
		return;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	jw_str(w, key, buf);
}

static void write_fp(struct jw *w, const char *key, const char *hash,
		     const char *str)
{
	if (!str)
		return;
	jw_obj_open(w, key);
	if (hash[0])
		jw_str(w, "hash", hash);
	jw_str(w, "string", str);
	jw_obj_close(w);
}

static void write_alpns(struct jw *w, const char *key, const struct tls_state *st,
			int side)
{
	const uint8_t *p = st->alpn[side];
	size_t used = st->alpn_len[side];

	if (!p || st->alpn_n[side] == 0)
		return;
	jw_arr_open(w, key);
	for (size_t i = 0; i < used; i += 1 + p[i])
		jw_strn(w, NULL, (const char *)p + i + 1, p[i]);
	jw_arr_close(w);
}

void tls_write_eve(struct jw *w, const struct tls_state *st)
{
	const struct tls_cert *sc = &st->cert[1], *cc = &st->cert[0];
	char vbuf[TLS_VERSION_STRLEN];

	jw_obj_open(w, "tls");
	if (sc->present) {
		jw_str(w, "subject", sc->subject);
		jw_str(w, "issuerdn", sc->issuer);
		if (sc->nsans) {
			const char *s = sc->sans;
			jw_arr_open(w, "subjectaltname");
			for (unsigned i = 0; i < sc->nsans; i++) {
				jw_str(w, NULL, s);
				s += strlen(s) + 1;
			}
			jw_arr_close(w);
		}
	}
	if (resumed(st) && !sc->present && st->server_hello &&
	    !st->log_without_cert)
		jw_bool(w, "session_resumed", true);
	if (sc->present) {
		jw_str(w, "serial", sc->serial);
		jw_str(w, "fingerprint", sc->fingerprint);
	}
	if (st->sni_len)
		jw_strn(w, "sni", st->sni, st->sni_len);
	jw_str(w, "version", tls_version_name(st->server_version, vbuf,
					      sizeof(vbuf)));
	if (sc->present) {
		write_time(w, "notbefore", sc->not_before);
		write_time(w, "notafter", sc->not_after);
	}
	write_fp(w, "ja3", st->ja3_hash, st->ja3_str);
	write_fp(w, "ja3s", st->ja3s_hash, st->ja3s_str);
	if (st->ja4[0])
		jw_str(w, "ja4", st->ja4);
	write_alpns(w, "client_alpns", st, 0);
	write_alpns(w, "server_alpns", st, 1);
	if (cc->present) {
		jw_obj_open(w, "client");
		jw_str(w, "subject", cc->subject);
		jw_str(w, "issuerdn", cc->issuer);
		jw_str(w, "fingerprint", cc->fingerprint);
		jw_str(w, "serial", cc->serial);
		write_time(w, "notbefore", cc->not_before);
		write_time(w, "notafter", cc->not_after);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

const char *tls_sni(const struct tls_state *st) { return st->sni; }
const char *tls_ja3_hash(const struct tls_state *st) { return st->ja3_hash; }
const char *tls_ja3s_hash(const struct tls_state *st) { return st->ja3s_hash; }
const char *tls_ja4(const struct tls_state *st) { return st->ja4; }

const char *tls_ja3_string(const struct tls_state *st)
{
	return st->ja3_str ? st->ja3_str : "";
}

const char *tls_ja3s_string(const struct tls_state *st)
{
	return st->ja3s_str ? st->ja3s_str : "";
}

const char *tls_cert_sha1(const struct tls_state *st)
{
	return st->cert[1].present ? st->cert[1].fingerprint : "";
}

const char *tls_cert_subject(const struct tls_state *st)
{
	return st->cert[1].present ? st->cert[1].subject : "";
}

const char *tls_cert_issuer(const struct tls_state *st)
{
	return st->cert[1].present ? st->cert[1].issuer : "";
}

const char *tls_cert_serial(const struct tls_state *st)
{
	return st->cert[1].present ? st->cert[1].serial : "";
}

unsigned tls_cert_chain_len(const struct tls_state *st)
{
	return st->cert[1].chain_len;
}

uint16_t tls_version(const struct tls_state *st) { return st->server_version; }

const struct tls_counters *tls_get_counters(const struct tls_state *st)
{
	return &st->cnt;
}
