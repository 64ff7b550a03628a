/*
 * proto_ssh.h - SSH identification banners ("SSH-2.0-OpenSSH_9.2p1 Debian")
 * and the EVE "ssh" object.
 *
 * Ownership: struct ssh_info is a plain value with bounded fields; the
 * HASSH fingerprints come from DPI and are copied in by the caller.
 */
#ifndef HAIDANG_PROTO_SSH_H
#define HAIDANG_PROTO_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw;

#define SSH_FIELD_MAX 256

struct ssh_side {
	bool seen;
	char proto_version[16];
	char software_version[SSH_FIELD_MAX];
	char comments[SSH_FIELD_MAX];
	char hassh[33];
};

struct ssh_info {
	struct ssh_side side[2]; /* 0 client, 1 server */
	bool emitted;
};

/* True if data starts like an SSH banner. */
bool ssh_looks_like_banner(const uint8_t *data, size_t len);
/* Parses the banner line at the start of data into side; returns 0 or
 * -EBADMSG. The line may end with CR LF, LF, or the end of data. */
int ssh_parse_banner(const uint8_t *data, size_t len, struct ssh_side *side);
void ssh_write_eve(struct jw *w, const struct ssh_info *s);

#endif
