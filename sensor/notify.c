/*
 * notify.c - the service manager's readiness protocol (see notify.h).
 *
 * The socket is opened and connected once, early; sending is then one
 * send() of a short datagram, which the seccomp filter allows as it does
 * for the Redis connection. The name is checked against sun_path's size;
 * an abstract name ("@...") has its '@' turned into the leading NUL.
 */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "banned.h"

static int notify_fd = -1;

int notify_open(void)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len;
	socklen_t salen;
	int fd;

	if (notify_fd >= 0)
		return 0;
	if (!name || !*name)
		return 0;
	len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len >= sizeof(sa.sun_path))
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
			    (name[0] == '/' ? 1 : 0));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sa, salen)) {
		int e = errno;
		close(fd);
		return -e;
	}
	notify_fd = fd;
	return 0;
}

void notify_send(const char *state)
{
	ssize_t n;

	if (notify_fd < 0 || !state)
		return;
	do
		n = send(notify_fd, state, strlen(state), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
}

void notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}
