/*
 * proto_ssh.h - SSH identification banners ("SSH-2.0-OpenSSH_9.2p1 Debian")
 * and key-exchange offers (HASSH fingerprints), and the EVE "ssh" object.
 *
 * Only the cleartext start of a session is read: the banner line and the
 * first KEXINIT message of each side. Bytes are fed per direction in
 * order; what spans segments is buffered up to SSH_BUF_MAX per direction.
 *
 * Ownership: struct ssh_state is created and destroyed here; everything
 * kept is a bounded copy.
 */
#ifndef HAIDANG_PROTO_SSH_H
#define HAIDANG_PROTO_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw;

#define SSH_FIELD_MAX 256
#define SSH_HASSH_STR_MAX 2048
#define SSH_BUF_MAX (16 * 1024)

struct ssh_side {
	bool seen;             /* banner parsed */
	bool kex_seen;         /* KEXINIT parsed */
	bool gave_up;
	char proto_version[16];
	char software_version[SSH_FIELD_MAX];
	char comments[SSH_FIELD_MAX];
	char hassh[33];
	char hassh_string[SSH_HASSH_STR_MAX];
	uint8_t *buf;
	size_t len;
};

struct ssh_state {
	struct ssh_side side[2]; /* 0 client, 1 server */
	bool emitted;
};

struct ssh_state *ssh_state_create(void);
void ssh_state_destroy(struct ssh_state *s); /* accepts NULL */
/* True if data starts like an SSH banner. */
bool ssh_looks_like_banner(const uint8_t *data, size_t len);
/* Feeds one segment's payload of direction dir (0 client, 1 server). */
void ssh_feed(struct ssh_state *s, int dir, const uint8_t *data, size_t len);
/* Both banners and both key-exchange offers seen, or given up. */
bool ssh_done(const struct ssh_state *s);
/* Parses a banner line at the start of data; returns 0 or -EBADMSG. */
int ssh_parse_banner(const uint8_t *data, size_t len, struct ssh_side *side);
void ssh_write_eve(struct jw *w, const struct ssh_state *s);

#endif
