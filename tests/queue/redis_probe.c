/*
 * redis_probe.c - a tiny Redis client over common/redis.c, for the queue
 * tests: connect to a URL, run one command, print the reply.
 *
 *   redis_probe [options] URL CMD [ARG...]
 *     --ca F --cert F --key F --sni NAME      TLS
 *     --user U --password P --password-file F --password-env NAME
 *     --sentinel-user U --sentinel-password P --sentinel-tls
 *     --timeout MS --max-reply BYTES
 *     --peer               print "peer HOST:PORT" first
 *     --pipeline N         instead of CMD: N pipelined INCRs, replies checked
 *     --script SRC --numkeys N   instead of CMD: EVALSHA/EVAL of SRC, ARGs as keys+args
 *     --watch-failover S   print the peer, PING until the link breaks, then
 *                          reconnect until a different peer answers (at most S
 *                          seconds), print it and run CMD there
 *
 * Replies print one value a line (arrays flattened): strings and status
 * as they are, integers as numbers, "(nil)", "(error) MSG". Exit status:
 * 0 ok, 1 connection/I/O error (message on stderr), 2 error reply,
 * 3 usage, 4 pipeline check failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redis.h"
#include "util.h"

#include "banned.h"

static int print_reply(const redisReply *r)
{
	size_t i;
	int rc = 0;

	switch (r->type) {
	case REDIS_REPLY_STRING:
	case REDIS_REPLY_STATUS:
		fwrite(r->str, 1, r->len, stdout);
		putchar('\n');
		break;
	case REDIS_REPLY_INTEGER:
		printf("%lld\n", r->integer);
		break;
	case REDIS_REPLY_NIL:
		printf("(nil)\n");
		break;
	case REDIS_REPLY_ERROR:
		printf("(error) %s\n", r->str);
		rc = 2;
		break;
	case REDIS_REPLY_ARRAY:
		for (i = 0; i < r->elements; i++)
			if (print_reply(r->element[i]))
				rc = 2;
		break;
	default:
		printf("(unknown type %d)\n", r->type);
	}
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int run_command(struct hd_redis *r, int argc, const char **argv)
{
	redisReply *reply = hd_redis_command(r, argc, argv, NULL);
	int rc;

	if (!reply) {
		fprintf(stderr, "%s\n", hd_redis_error(r));
		return 1;
	}
	rc = print_reply(reply);
	freeReplyObject(reply);
	return rc;
}

static int run_pipeline(struct hd_redis *r, long n)
{
	const char *del[2] = { "DEL", "haidang:probe:pipeline" };
	const char *incr[2] = { "INCR", "haidang:probe:pipeline" };
	redisReply *reply;
	long i;

	if (run_command(r, 2, del) == 1)
		return 1;
	for (i = 0; i < n; i++) {
		if (hd_redis_append(r, 2, incr, NULL)) {
			fprintf(stderr, "%s\n", hd_redis_error(r));
			return 1;
		}
	}
	if (hd_redis_flush(r)) {
		fprintf(stderr, "%s\n", hd_redis_error(r));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (hd_redis_read(r, &reply)) {
			fprintf(stderr, "%s\n", hd_redis_error(r));
			return 1;
		}
		if (reply->type != REDIS_REPLY_INTEGER || reply->integer != i + 1) {
			fprintf(stderr, "pipeline: reply %ld is not %ld\n", i, i + 1);
			freeReplyObject(reply);
			return 4;
		}
		freeReplyObject(reply);
	}
	if (hd_redis_pending(r) != 0) {
		fprintf(stderr, "pipeline: %u replies left\n", hd_redis_pending(r));
		return 4;
	}
	printf("pipeline %ld ok\n", n);
	return 0;
}

static int watch_failover(struct hd_redis *r, long seconds)
{
	const char *ping[1] = { "PING" };
	uint64_t deadline = time_mono_ms() + (uint64_t)seconds * 1000;
	char first[300], err[1024];

	str_copy(first, hd_redis_peer(r), sizeof(first));
	printf("peer %s\n", first);
	fflush(stdout);
	while (time_mono_ms() < deadline) {
		redisReply *reply = hd_redis_command(r, 1, ping, NULL);

		if (reply) {
			freeReplyObject(reply);
			if (strcmp(first, hd_redis_peer(r)))
				break;
			sleep_ms(100);
			continue;
		}
		fprintf(stderr, "lost: %s\n", hd_redis_error(r));
		while (time_mono_ms() < deadline) {
			if (hd_redis_reconnect(r, err, sizeof(err)) == 0)
				break;
			fprintf(stderr, "reconnect: %s\n", err);
			sleep_ms(250);
		}
	}
	if (hd_redis_broken(r) || !strcmp(first, hd_redis_peer(r))) {
		fprintf(stderr, "no failover seen within %ld s\n", seconds);
		return 1;
	}
	printf("peer %s\n", hd_redis_peer(r));
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: redis_probe [--ca F] [--cert F --key F] [--sni NAME] "
		"[--user U] [--password P] [--password-file F] [--password-env NAME] "
		"[--sentinel-user U] [--sentinel-password P] [--sentinel-tls] "
		"[--timeout MS] [--max-reply BYTES] [--peer] [--pipeline N] "
		"[--script SRC --numkeys N] [--watch-failover S] URL [CMD ARG...]\n");
}

int main(int argc, char **argv)
{
	enum { O_CA = 256, O_CERT, O_KEY, O_SNI, O_USER, O_PW, O_PWFILE, O_PWENV, O_SUSER,
	       O_SPW, O_STLS, O_TIMEOUT, O_MAXREPLY, O_PEER, O_PIPE, O_SCRIPT, O_NUMKEYS,
	       O_WATCH };
	static const struct option longopts[] = {
		{ "ca", required_argument, NULL, O_CA },
		{ "cert", required_argument, NULL, O_CERT },
		{ "key", required_argument, NULL, O_KEY },
		{ "sni", required_argument, NULL, O_SNI },
		{ "user", required_argument, NULL, O_USER },
		{ "password", required_argument, NULL, O_PW },
		{ "password-file", required_argument, NULL, O_PWFILE },
		{ "password-env", required_argument, NULL, O_PWENV },
		{ "sentinel-user", required_argument, NULL, O_SUSER },
		{ "sentinel-password", required_argument, NULL, O_SPW },
		{ "sentinel-tls", no_argument, NULL, O_STLS },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "max-reply", required_argument, NULL, O_MAXREPLY },
		{ "peer", no_argument, NULL, O_PEER },
		{ "pipeline", required_argument, NULL, O_PIPE },
		{ "script", required_argument, NULL, O_SCRIPT },
		{ "numkeys", required_argument, NULL, O_NUMKEYS },
		{ "watch-failover", required_argument, NULL, O_WATCH },
		{ NULL, 0, NULL, 0 },
	};
	struct hd_redis_opts o = { 0 };
	struct hd_redis_url url;
	struct hd_redis *r;
	char err[1024];
	const char *script = NULL;
	uint64_t v;
	long pipeline = 0, numkeys = 0, watch = 0;
	bool peer = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_CA: o.tls_ca_file = optarg; break;
		case O_CERT: o.tls_cert_file = optarg; break;
		case O_KEY: o.tls_key_file = optarg; break;
		case O_SNI: o.tls_sni = optarg; break;
		case O_USER: o.user = optarg; break;
		case O_PW: o.password = optarg; break;
		case O_PWFILE: o.password_file = optarg; break;
		case O_PWENV: o.password_env = optarg; break;
		case O_SUSER: o.sentinel_user = optarg; break;
		case O_SPW: o.sentinel_password = optarg; break;
		case O_STLS: o.sentinel_tls = true; break;
		case O_PEER: peer = true; break;
		case O_SCRIPT: script = optarg; break;
		case O_TIMEOUT:
		case O_MAXREPLY:
		case O_PIPE:
		case O_NUMKEYS:
		case O_WATCH:
			if (parse_u64(optarg, 0, INT32_MAX, &v)) {
				fprintf(stderr, "redis_probe: bad number '%s'\n", optarg);
				return 3;
			}
			if (c == O_TIMEOUT)
				o.timeout_ms = (int)v;
			else if (c == O_MAXREPLY)
				o.max_reply = (size_t)v;
			else if (c == O_PIPE)
				pipeline = (long)v;
			else if (c == O_NUMKEYS)
				numkeys = (long)v;
			else
				watch = (long)v;
			break;
		default:
			usage();
			return 3;
		}
	}
	if (optind >= argc || (!pipeline && !script && optind + 1 >= argc)) {
		usage();
		return 3;
	}
	if (hd_redis_url_parse(argv[optind], &url, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	r = hd_redis_connect(&url, &o, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (peer)
		printf("peer %s\n", hd_redis_peer(r));
	if (watch) {
		rc = watch_failover(r, watch);
		if (rc == 0 && optind + 1 < argc)
			rc = run_command(r, argc - optind - 1, (const char **)argv + optind + 1);
	} else if (pipeline) {
		rc = run_pipeline(r, pipeline);
	} else if (script) {
		struct hd_redis_script s;
		redisReply *reply;

		if (hd_redis_script_init(&s, script)) {
			fprintf(stderr, "redis_probe: bad script\n");
			hd_redis_close(r);
			return 3;
		}
		reply = hd_redis_script_call(r, &s, (int)numkeys, argc - optind - 1,
					     (const char **)argv + optind + 1, NULL);
		if (!reply) {
			fprintf(stderr, "%s\n", hd_redis_error(r));
			rc = 1;
		} else {
			rc = print_reply(reply);
			freeReplyObject(reply);
		}
	} else {
		rc = run_command(r, argc - optind - 1, (const char **)argv + optind + 1);
	}
	hd_redis_close(r);
	return rc;
}
