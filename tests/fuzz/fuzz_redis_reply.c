/*
 * fuzz_redis_reply.c - libFuzzer target: what common/redis.c does with
 * the bytes a Redis server sends back. The harness is the server: it
 * listens on a unix socket in its scratch directory, the real client
 * (hd_redis_connect) connects to it, and the input is written back as
 * the server's whole answer before the server's side is shut. The client
 * then runs what the programs run: AUTH and SELECT while connecting, a
 * pipeline of commands read back with hd_redis_read() and judged by
 * queue_ingest_result() as the publisher does, or a script call with its
 * NOSCRIPT fallback. The reply budget (max_reply) is in play throughout.
 *
 * Input: a flag byte (bit 0: connect with a password, so AUTH's reply is
 * read; bit 1: with db 3, so SELECT's; bits 2-3: the reply budget 64 MiB,
 * 64 B, 1 KiB or 64 KiB; bits 4-6: how many commands are pipelined, 0
 * meaning one script call instead), then the server's bytes (at most
 * 64 KiB are sent, what a socket buffer holds without a reader).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fuzz.h"
#include "queue.h"
#include "redis.h"

#include "banned.h"

#define SEND_MAX (64u << 10)

static int listen_fd = -1;
static char sock_path[108];

static int server_init(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *dir = fuzz_scratch();

	if (listen_fd >= 0)
		return 0;
	if (!dir)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/redis.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -1;
	unlink(sock_path);
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(listen_fd, 4)) {
		close(listen_fd);
		listen_fd = -1;
		return -1;
	}
	return 0;
}

/* The server's side: everything it will ever say, then the end. */
static void answer(int fd, const uint8_t *data, size_t len)
{
	if (len > SEND_MAX)
		len = SEND_MAX;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (len) {
		ssize_t w = send(fd, data, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		data += w;
		len -= (size_t)w;
	}
	shutdown(fd, SHUT_WR);
}

static void pipeline(struct hd_redis *r, unsigned n)
{
	const char *argv[3] = { "EVALSHA", "0123456789012345678901234567890123456789", "0" };
	char err[512];
	bool created;

	for (unsigned i = 0; i < n; i++)
		if (hd_redis_append(r, 3, argv, NULL))
			return;
	if (hd_redis_flush(r))
		return;
	while (hd_redis_pending(r)) {
		redisReply *rep;

		if (hd_redis_read(r, &rep))
			break;
		if (!rep)
			abort(); /* 0 means a reply */
		queue_ingest_result(rep, &created, err, sizeof(err));
		hd_redis_reply_free(rep);
	}
}

static void script(struct hd_redis *r)
{
	struct hd_redis_script s;
	const char *argv[2] = { "hd:{x}:key", "arg" };
	char err[512];
	bool created;
	redisReply *rep;

	if (hd_redis_script_init(&s, queue_ingest_lua))
		return;
	rep = hd_redis_script_call(r, &s, 1, 2, argv, NULL);
	queue_ingest_result(rep, &created, err, sizeof(err));
	hd_redis_reply_free(rep);
}

struct server {
	const uint8_t *data;
	size_t len;
	int fd;
};

/* The server thread: takes the client's connection and answers. */
static void *serve(void *arg)
{
	struct server *sv = arg;
	struct pollfd p = { .fd = listen_fd, .events = POLLIN };

	if (poll(&p, 1, 2000) == 1) {
		sv->fd = accept(listen_fd, NULL, NULL);
		if (sv->fd >= 0)
			answer(sv->fd, sv->data, sv->len);
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t budgets[4] = { 0, 64, 1024, 64 << 10 };
	struct fuzz_in in = { data, size };
	uint8_t flags = fuzz_u8(&in, 0);
	struct hd_redis_opts o = { .timeout_ms = 500 };
	struct server sv = { in.p, in.n, -1 };
	struct hd_redis_url url;
	char urltext[160], err[512];
	struct hd_redis *r;
	pthread_t th;

	if (server_init())
		return 0;
	snprintf(urltext, sizeof(urltext), "unix://%s%s", sock_path, flags & 2 ? "?db=3" : "");
	if (hd_redis_url_parse(urltext, &url, err, sizeof(err)))
		abort();
	if (flags & 1) {
		o.user = "sensor";
		o.password = "secret";
	}
	o.max_reply = budgets[(flags >> 2) & 3];
	/* the answer is written as soon as the client connects; AUTH and
	 * SELECT (read inside hd_redis_connect) find it waiting */
	if (pthread_create(&th, NULL, serve, &sv))
		return 0;
	r = hd_redis_connect(&url, &o, err, sizeof(err));
	pthread_join(th, NULL);
	if (r) {
		unsigned n = (flags >> 4) & 7;

		if (n)
			pipeline(r, n);
		else
			script(r);
		hd_redis_error(r);
		hd_redis_broken(r);
	}
	hd_redis_close(r);
	if (sv.fd >= 0)
		close(sv.fd);
	return 0;
}
