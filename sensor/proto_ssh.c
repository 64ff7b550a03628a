/*
 * proto_ssh.c - SSH banner parsing (RFC 4253 section 4.2) for metadata.
 * Only the identification line is read; it is bounded at 255 bytes as the
 * RFC says, and anything odd in it is kept for the JSON writer to escape.
 */
#include "proto_ssh.h"

#include <errno.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"
#include "banned.h"

bool ssh_looks_like_banner(const uint8_t *data, size_t len)
{
	return len >= 4 && !memcmp(data, "SSH-", 4);
}

static void copy_field(char *dst, size_t size, const uint8_t *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int ssh_parse_banner(const uint8_t *data, size_t len, struct ssh_side *side)
{
	size_t end = 0, dash, sp;

	if (!ssh_looks_like_banner(data, len))
		return -EBADMSG;
	if (len > 255)
		len = 255;
	while (end < len && data[end] != '\n' && data[end] != '\r')
		end++;
	/* "SSH-" protoversion "-" softwareversion [SP comments] */
	for (dash = 4; dash < end && data[dash] != '-'; dash++)
		;
	if (dash >= end)
		return -EBADMSG;
	copy_field(side->proto_version, sizeof(side->proto_version), data + 4, dash - 4);
	for (sp = dash + 1; sp < end && data[sp] != ' '; sp++)
		;
	copy_field(side->software_version, sizeof(side->software_version),
		   data + dash + 1, sp - dash - 1);
	side->comments[0] = '\0';
	if (sp + 1 < end)
		copy_field(side->comments, sizeof(side->comments), data + sp + 1, end - sp - 1);
	side->seen = true;
	return 0;
}

void ssh_write_eve(struct jw *w, const struct ssh_info *s)
{
	static const char *names[2] = { "client", "server" };

	jw_obj_open(w, "ssh");
	for (int i = 0; i < 2; i++) {
		const struct ssh_side *d = &s->side[i];
		if (!d->seen)
			continue;
		jw_obj_open(w, names[i]);
		jw_str(w, "proto_version", d->proto_version);
		jw_str(w, "software_version", d->software_version);
		if (d->comments[0])
			jw_str(w, "comments", d->comments);
		if (d->hassh[0]) {
			jw_obj_open(w, "hassh");
			jw_str(w, "hash", d->hassh);
			jw_obj_close(w);
		}
		jw_obj_close(w);
	}
	jw_obj_close(w);
}
