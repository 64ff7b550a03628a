/*
 * proto_quic.h - QUIC long-header facts (version) and the EVE "quic"
 * object. The SNI and user agent come from DPI, which decrypts the
 * Initial packet; they are copied in by the caller.
 */
#ifndef HAIDANG_PROTO_QUIC_H
#define HAIDANG_PROTO_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw;

struct quic_info {
	bool seen;
	bool emitted;
	uint32_t version;
	char sni[256];
	char ua[256];
};

/* Reads a long-header packet's version; returns 0 or -EBADMSG. */
int quic_parse_long_header(const uint8_t *data, size_t len, uint32_t *version);
void quic_write_eve(struct jw *w, const struct quic_info *q);

#endif
