/*
 * proto_quic.h - QUIC connection metadata from the client's first packets:
 * the version of the long header, and from the ClientHello carried in the
 * Initial packets (decrypted with the keys every observer can derive, RFC
 * 9001 section 5) the SNI, ALPN, JA3 and JA4 ("q" prefix); for Google QUIC
 * (Q043..Q046) the CHLO's SNI, user agent and CYU fingerprint, which travel
 * in clear. Written as Suricata's EVE "quic" object.
 *
 * Sits in the extract stage: the flow code feeds the UDP payload of each
 * datagram of a flow, in order, with its direction, until quic_done(). The
 * parser never reads outside the bytes it is given; per flow it keeps at
 * most QUIC_CRYPTO_MAX bytes of CRYPTO stream, and only until the
 * ClientHello is whole.
 *
 * Ownership: struct quic_state is allocated by quic_state_create() and
 * freed by quic_state_destroy(). Input bytes are borrowed for one
 * quic_feed() call. Strings returned by accessors belong to the state and
 * stay valid until the next quic_feed(), quic_set_fallback() or
 * quic_state_destroy(); none is NULL ("" when unknown).
 */
#ifndef HAIDANG_PROTO_QUIC_H
#define HAIDANG_PROTO_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw;

/* CRYPTO stream bytes collected per flow for the ClientHello; a longer
 * ClientHello makes the parser give up. */
#define QUIC_CRYPTO_MAX (16 * 1024)
#define QUIC_UA_MAX 512          /* gQUIC user agent, longer ones are cut */

/* Per-flow anomaly counters; the caller adds them to its statistics. */
struct quic_counters {
	uint32_t bad_header;    /* long header cut or lying about lengths */
	uint32_t decrypt_fail;  /* Initial packet that did not authenticate */
	uint32_t bad_frame;     /* malformed or unexpected frame in an Initial */
	uint32_t crypto_overflow; /* CRYPTO data beyond QUIC_CRYPTO_MAX */
	uint32_t bad_hello;     /* CRYPTO stream not a usable ClientHello */
	uint32_t alloc_fail;
};

struct quic_state; /* per flow, opaque */

struct quic_state *quic_state_create(void);
void quic_state_destroy(struct quic_state *q); /* accepts NULL */

/* Feeds one UDP payload: dir 0 = client to server, 1 = server to client.
 * Coalesced packets in one datagram are walked; malformed input is counted
 * and never fatal. */
void quic_feed(struct quic_state *q, int dir, const uint8_t *udp_payload,
	       size_t len);

/* A valid long header (or gQUIC header with a version) was seen. */
bool quic_seen(const struct quic_state *q);
/* Nothing more to learn: the client's hello was parsed, or the parser gave
 * up (unknown version, too many bad packets, client's short header...). */
bool quic_done(const struct quic_state *q);
/* A ClientHello (or gQUIC CHLO) was parsed. */
bool quic_hello_seen(const struct quic_state *q);

/* SNI and user agent from elsewhere (DPI), used only for what the packets
 * themselves did not give. NULL or "" leaves a value unset. */
void quic_set_fallback(struct quic_state *q, const char *sni, const char *ua);

/* Writes key "quic" with an object value into an already-open object, in
 * Suricata's order: version, sni, ua, cyu, ja3, ja4, extensions. */
void quic_write_eve(struct jw *w, const struct quic_state *q);

uint32_t quic_version(const struct quic_state *q);   /* 0 = not seen */
const char *quic_sni(const struct quic_state *q);   /* full name, or "" */
const char *quic_ua(const struct quic_state *q);
const char *quic_ja3_hash(const struct quic_state *q);
const char *quic_ja4(const struct quic_state *q);   /* "q13d...", or "" */
/* First ALPN protocol the client offered, NUL-terminated copy, or "". */
const char *quic_alpn(const struct quic_state *q);
const struct quic_counters *quic_get_counters(const struct quic_state *q);

/* "1", "h3-29", "Q046", "6b3343cf"...; buf of 16 bytes at least. */
const char *quic_version_name(uint32_t version, char *buf, size_t size);

/* Reads a long-header packet's version; returns 0 or -EBADMSG. */
int quic_parse_long_header(const uint8_t *data, size_t len, uint32_t *version);

#endif
