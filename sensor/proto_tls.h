/*
 * proto_tls.h - TLS handshake metadata (ClientHello, ServerHello,
 * Certificate): SNI, versions, JA3/JA3S/JA4, ALPN and the server and client
 * certificates, written as a Suricata-compatible EVE "tls" object.
 *
 * Sits after the flow table in the pipeline: the flow code feeds the TCP
 * payload of each segment, in order, per direction. The parser never reads
 * outside the bytes it is given and keeps at most TLS_DIR_BUF_MAX bytes per
 * direction to join handshake messages that span records and segments.
 *
 * Ownership: struct tls_state is allocated by tls_state_create() and freed
 * by tls_state_destroy(). Input bytes are borrowed for the duration of one
 * tls_feed() call; what is kept is copied and bounded. Every string returned
 * by an accessor belongs to the state and stays valid until the next
 * tls_feed() or tls_state_destroy(); none is NULL ("" when unknown).
 *
 * Threads: a tls_state is used by one thread at a time. Each thread keeps a
 * bounded cache of decoded certificates (see tls_cert_cache_flush), freed
 * when the thread exits.
 */
#ifndef HAIDANG_PROTO_TLS_H
#define HAIDANG_PROTO_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw;

/* Bytes of handshake messages buffered per direction. A Certificate message
 * longer than this is still used up to this prefix (its first certificate);
 * a longer hello makes the parser give up on that direction. */
#define TLS_DIR_BUF_MAX (32 * 1024)
#define TLS_SNI_MAX 255        /* longer host names are not recorded */
#define TLS_JA3_STR_MAX 4096   /* stored JA3/JA3S string; the hash covers all */
#define TLS_VERSION_STRLEN 24
#define TLS_EXT_LIST_MAX 128   /* ClientHello extension types kept in order */

/* Wire version numbers (major << 8 | minor), as Suricata names them. */
#define TLS_VER_SSL2 0x0200
#define TLS_VER_SSL3 0x0300
#define TLS_VER_10 0x0301
#define TLS_VER_11 0x0302
#define TLS_VER_12 0x0303
#define TLS_VER_13 0x0304
#define TLS_VER_13_PRE_DRAFT16 0x7f01

/* Per-flow anomaly counters; the caller adds them to its statistics. */
struct tls_counters {
	uint32_t sslv2_hello;     /* SSLv2-compatible hello: direction ignored */
	uint32_t bad_record;      /* invalid record header: direction given up */
	uint32_t overflow;        /* handshake message beyond TLS_DIR_BUF_MAX */
	uint32_t bad_handshake;   /* malformed or misplaced handshake message */
	uint32_t bad_extension;   /* malformed extension or extension block */
	uint32_t bad_certificate; /* Certificate message or DER not decodable */
	uint32_t oversized_skip;  /* huge uninteresting message skipped */
	uint32_t duplicate_hello; /* second hello in a direction, ignored */
	uint32_t alloc_fail;
};

struct tls_state; /* per flow, opaque */

struct tls_state *tls_state_create(void);
void tls_state_destroy(struct tls_state *st); /* accepts NULL */

/* Feeds the TCP payload of one segment, in order, for direction dir:
 * 0 = client to server, 1 = server to client. Malformed input is counted
 * and never fatal; past an unrecoverable error the direction is ignored. */
void tls_feed(struct tls_state *st, int dir, const uint8_t *data, size_t len);

/* Feeds handshake-protocol bytes without the record layer, in order, for
 * direction dir: what QUIC's CRYPTO frames carry. A state is fed either
 * this way or by tls_feed(), never both. */
void tls_feed_handshake(struct tls_state *st, int dir, const uint8_t *data,
			size_t len);
/* Marks a state as carried by QUIC, before feeding: JA4 then starts with
 * "q" (Suricata's QUIC JA4) instead of "t". */
void tls_set_quic(struct tls_state *st);
/* A ClientHello was parsed. */
bool tls_client_hello_seen(const struct tls_state *st);

/* True once there is nothing more to learn: ServerHello seen and
 * (certificate seen, or TLS 1.3 / resumed so no cleartext certificate will
 * come), or ChangeCipherSpec / application data seen, or a fatal alert, or
 * both directions given up. When the server asked for a client certificate
 * it also waits for the client's Certificate or ChangeCipherSpec. */
bool tls_done(const struct tls_state *st);
/* A ClientHello or ServerHello was parsed: worth an event. */
bool tls_seen_hello(const struct tls_state *st);
/* Suricata's own condition for logging the tls event: the server
 * certificate's subject and issuer are known, or the session looks resumed,
 * or it is TLS 1.3 (certificate encrypted). */
bool tls_log_ready(const struct tls_state *st);

/* Writes key "tls" with an object value into an already-open object, with
 * the fields of Suricata 8's extended TLS logging, in its order. */
void tls_write_eve(struct jw *w, const struct tls_state *st);

/* Accessors for detection code. */
const char *tls_sni(const struct tls_state *st);        /* full name, or "" */
const char *tls_ja3_hash(const struct tls_state *st);   /* md5 hex, or "" */
const char *tls_ja3_string(const struct tls_state *st);
const char *tls_ja3s_hash(const struct tls_state *st);
const char *tls_ja3s_string(const struct tls_state *st);
const char *tls_ja4(const struct tls_state *st);        /* 36 chars, or "" */
/* The ClientHello's extension types in wire order, GREASE included, at
 * most TLS_EXT_LIST_MAX; returns the count (0 before a ClientHello, and
 * always 0 unless tls_set_quic() was called). */
unsigned tls_client_extensions(const struct tls_state *st,
			       const uint16_t **types);
/* The client's ALPN protocol names (at most 32 kept): count, and the i-th
 * as bytes (not NUL-terminated; NULL when i is out of range). */
unsigned tls_client_alpn_count(const struct tls_state *st);
const uint8_t *tls_client_alpn(const struct tls_state *st, unsigned i,
			       size_t *len);
/* Server certificate, first of the chain. */
const char *tls_cert_sha1(const struct tls_state *st);  /* "aa:bb:..", or "" */
const char *tls_cert_subject(const struct tls_state *st);
const char *tls_cert_issuer(const struct tls_state *st);
const char *tls_cert_serial(const struct tls_state *st); /* "00:C7:D4:.." */
/* Certificates in the server's Certificate message (0 if none seen); a
 * message cut at TLS_DIR_BUF_MAX counts only the certificates it holds. */
unsigned tls_cert_chain_len(const struct tls_state *st);
/* Negotiated version as Suricata reports it: the ServerHello's
 * (supported_versions wins), else the server's record version, else 0. */
uint16_t tls_version(const struct tls_state *st);
const struct tls_counters *tls_get_counters(const struct tls_state *st);

/* Frees the calling thread's cache of decoded certificates (at most 512
 * certificates of at most 8 KiB of text each, keyed by their SHA-1; it is
 * rebuilt on demand). Output never depends on it. */
void tls_cert_cache_flush(void);

/* "TLS 1.2", "TLSv1", "SSLv3", "TLS 1.3 draft-28", "UNDETERMINED" (0),
 * "0x1234"; buf must hold TLS_VERSION_STRLEN bytes. Returns buf. */
const char *tls_version_name(uint16_t version, char *buf, size_t size);

#endif
