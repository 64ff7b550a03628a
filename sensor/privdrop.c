/*
 * privdrop.c - switching from root to an unprivileged user (see
 * privdrop.h). The order matters: supplementary groups, then gid, then
 * uid; afterwards setuid(0) must fail, or we refuse to go on.
 */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

int privdrop_to_user(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if (!user || !*user) {
		snprintf(err, errlen, "running as root and no --user to drop to");
		return -EINVAL;
	}
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "user '%s' not found%s%s", user,
			 errno ? ": " : "", errno ? strerror(errno) : "");
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "user '%s' is root: refusing to keep root while parsing packets", user);
		return -EPERM;
	}
	if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		snprintf(err, errlen, "cannot switch to user '%s': %s", user, strerror(errno));
		return -errno;
	}
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errlen, "could regain root after dropping it; refusing to continue");
		return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int privdrop_give_dir(const char *dir, const char *user, char *err, size_t errlen)
{
	char path[4096];
	struct passwd *pw;
	size_t n;

	if (geteuid() != 0 || !dir || !*dir || !user || !*user)
		return 0;
	n = strlen(dir);
	if (n >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	if (!(pw = getpwnam(user))) {
		snprintf(err, errlen, "user '%s' not found", user);
		return -ENOENT;
	}
	if (chown(path, pw->pw_uid, pw->pw_gid) || chmod(path, 0700)) {
		snprintf(err, errlen, "cannot give %s to user '%s': %s", path, user, strerror(errno));
		return -errno;
	}
	return 0;
}

