/*
 * proto_quic.c - the part of QUIC read without keys: the long header's
 * version (RFC 9000 section 17.2), formatted as Suricata does.
 */
#include "proto_quic.h"

#include <errno.h>
#include <stdio.h>

#include "jsonw.h"
#include "banned.h"

int quic_parse_long_header(const uint8_t *d, size_t len, uint32_t *version)
{
	if (len < 7 || !(d[0] & 0x80))
		return -EBADMSG;
	*version = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
	return 0;
}

void quic_write_eve(struct jw *w, const struct quic_info *q)
{
	char v[32];
	uint32_t x = q->version;

	if (x == 1)
		snprintf(v, sizeof(v), "1");
	else if ((x & 0xffffff00) == 0xff000000)
		snprintf(v, sizeof(v), "h3-%u", x & 0xff);
	else if ((x >> 24) == 'Q' || (x >> 24) == 'T')
		snprintf(v, sizeof(v), "%c%c%c%c", x >> 24, (x >> 16) & 0xff,
			 (x >> 8) & 0xff, x & 0xff);
	else
		snprintf(v, sizeof(v), "%08x", x);
	jw_obj_open(w, "quic");
	jw_str(w, "version", v);
	if (q->sni[0])
		jw_str(w, "sni", q->sni);
	if (q->ua[0])
		jw_str(w, "ua", q->ua);
	jw_obj_close(w);
}
