/*
 * privdrop.h - give up root after the capture is open.
 *
 * Contract: on success the process runs as the named user with that user's
 * primary group, no supplementary groups, no capabilities and
 * no_new_privs set; regaining root is verified impossible. On failure the
 * caller must exit: a sensor that was asked to drop root never parses
 * packets as root.
 */
#ifndef HAIDANG_PRIVDROP_H
#define HAIDANG_PRIVDROP_H

#include <stddef.h>

/* Returns 0, or a negative code with a message in err. When not running as
 * root it changes nothing and returns 0. */
int privdrop_to_user(const char *user, char *err, size_t errlen);

/* Before dropping root: creates dir (and its parents, 0755) if missing and
 * gives dir itself to user, mode 0700, so the unprivileged sensor can keep
 * writing there (its spool). Not root: changes nothing, returns 0.
 * Returns 0 or a negative code with a message in err. */
int privdrop_give_dir(const char *dir, const char *user, char *err, size_t errlen);

#endif
