/*
 * proto_ssh.c - the cleartext start of SSH (RFC 4253): the identification
 * line (section 4.2, at most 255 bytes) and the first binary packet that
 * carries SSH_MSG_KEXINIT (section 7.1), from which the HASSH fingerprints
 * are computed: MD5 of "kex;ciphers;macs;compression" in the sender's
 * direction. Every length read from the wire is checked against what was
 * received; a side that sends anything else is given up, never guessed at.
 */
#include "proto_ssh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "jsonw.h"
#include "util.h"
#include "banned.h"

#define SSH_MSG_KEXINIT 20
#define SSH_MAX_PACKET 35000

struct ssh_state *ssh_state_create(void)
{
	return calloc(1, sizeof(struct ssh_state));
}

void ssh_state_destroy(struct ssh_state *s)
{
	if (!s)
		return;
	free(s->side[0].buf);
	free(s->side[1].buf);
	free(s);
}

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

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the KEXINIT payload p[0..n): type, cookie, ten name-lists. */
static int parse_kexinit(const uint8_t *p, size_t n, struct ssh_side *side, int dir)
{
	const uint8_t *list[10];
	uint32_t llen[10];
	size_t off = 17;
	/* the lists HASSH takes: kex, then cipher, MAC and compression of
	 * the sender's own direction (client to server, or the reverse) */
	int pick[4] = { 0, dir ? 3 : 2, dir ? 5 : 4, dir ? 7 : 6 };
	size_t o = 0;

	if (n < 17 || p[0] != SSH_MSG_KEXINIT)
		return -EBADMSG;
	for (int i = 0; i < 10; i++) {
		if (n - off < 4)
			return -EBADMSG;
		llen[i] = rd32(p + off);
		off += 4;
		if (llen[i] > n - off)
			return -EBADMSG;
		list[i] = p + off;
		off += llen[i];
	}
	for (int k = 0; k < 4; k++) {
		size_t l = llen[pick[k]];
		if (o + l + 2 > sizeof(side->hassh_string))
			return -EMSGSIZE;
		memcpy(side->hassh_string + o, list[pick[k]], l);
		o += l;
		if (k < 3)
			side->hassh_string[o++] = ';';
	}
	side->hassh_string[o] = '\0';
	if (digest_hex(DIGEST_MD5, side->hassh_string, o, side->hassh, sizeof(side->hassh)))
		return -EIO;
	side->kex_seen = true;
	return 0;
}

/* Consumes what it can of the side's buffer; returns bytes used. */
static size_t consume(struct ssh_side *side, int dir, const uint8_t *d, size_t n)
{
	size_t used = 0;

	if (!side->seen) {
		const uint8_t *nl = memchr(d, '\n', n);
		if (!nl) {
			if (n > 1024)
				side->gave_up = true;
			return 0;
		}
		/* lines before the banner are allowed from servers (4.2) */
		if (ssh_looks_like_banner(d, n)) {
			if (ssh_parse_banner(d, (size_t)(nl - d), side))
				side->gave_up = true;
		} else if (dir == 0) {
			side->gave_up = true;
		}
		return (size_t)(nl - d) + 1;
	}
	while (!side->kex_seen && n - used >= 6) {
		uint32_t plen = rd32(d + used);
		uint8_t pad = d[used + 4];
		if (plen > SSH_MAX_PACKET || plen < (uint32_t)pad + 1) {
			side->gave_up = true;
			return n;
		}
		if (n - used < 4 + (size_t)plen)
			break;
		if (parse_kexinit(d + used + 5, plen - pad - 1, side, dir)) {
			if (d[used + 5] == SSH_MSG_KEXINIT)
				side->gave_up = true;
		}
		used += 4 + (size_t)plen;
	}
	return used;
}

void ssh_feed(struct ssh_state *s, int dir, const uint8_t *data, size_t len)
{
	struct ssh_side *side = &s->side[dir & 1];
	const uint8_t *d = data;
	size_t n = len;

	if (side->gave_up || side->kex_seen || !len)
		return;
	if (side->len) {
		uint8_t *nb;
		if (side->len + len > SSH_BUF_MAX) {
			side->gave_up = true;
			return;
		}
		nb = realloc(side->buf, side->len + len);
		if (!nb) {
			side->gave_up = true;
			return;
		}
		side->buf = nb;
		memcpy(side->buf + side->len, data, len);
		side->len += len;
		d = side->buf;
		n = side->len;
	}
	for (;;) {
		size_t used = consume(side, dir & 1, d, n);
		if (!used || side->gave_up || side->kex_seen)
			break;
		d += used;
		n -= used;
	}
	if (side->gave_up || side->kex_seen) {
		free(side->buf);
		side->buf = NULL;
		side->len = 0;
		return;
	}
	/* keep the unconsumed rest for the next segment */
	if (n > SSH_BUF_MAX) {
		side->gave_up = true;
		return;
	}
	if (d != side->buf) {
		uint8_t *nb = malloc(n ? n : 1);
		if (!nb) {
			side->gave_up = true;
			return;
		}
		memcpy(nb, d, n);
		free(side->buf);
		side->buf = nb;
	} else if (n != side->len) {
		memmove(side->buf, d, n);
	}
	side->len = n;
}

bool ssh_done(const struct ssh_state *s)
{
	for (int i = 0; i < 2; i++)
		if (!s->side[i].gave_up && !s->side[i].kex_seen)
			return false;
	return true;
}

void ssh_write_eve(struct jw *w, const struct ssh_state *s)
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
		if (d->kex_seen) {
			jw_obj_open(w, "hassh");
			jw_str(w, "hash", d->hassh);
			jw_str(w, "string", d->hassh_string);
			jw_obj_close(w);
		}
		jw_obj_close(w);
	}
	jw_obj_close(w);
}
