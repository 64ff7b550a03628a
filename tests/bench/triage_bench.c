/*
 * triage_bench.c - how long an analyst waits for a change: the round trip
 * of the action scripts (triage/actions.c) against a real redis-server,
 * measured in-process so the figure is Redis plus the script, without the
 * start of a program.
 *
 *   triage_bench URL [N]
 *
 * Takes N tickets already in the queue (queue_bench fills one) and on each
 * does claim, status triaged, status in_progress (each with the version it
 * read) and a note, timing every call; prints the median, p90 and p99 in
 * milliseconds of each action.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "redis.h"
#include "triage.h"
#include "util.h"
#include "banned.h"

/* What main.c gives the commands, reduced to one connection made here. */
struct hd_redis *triage_conn(struct triage *t)
{
	return t->conn;
}

void triage_err(const struct triage *t, const char *en, const char *vi, ...)
{
	va_list ap;

	va_start(ap, vi);
	vfprintf(stderr, t->vi ? vi : en, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const char *what, double *v, size_t n)
{
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_d);
	printf("%-18s n=%zu median %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n", what, n,
	       v[n / 2], v[n * 9 / 10], v[n * 99 / 100], v[n - 1]);
}

int main(int argc, char **argv)
{
	struct triage t;
	struct hd_redis_url u;
	char err[512];
	size_t want = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000, n = 0, nag;
	char (*ids)[QUEUE_ID_MAX], (*slugs)[QUEUE_SLUG_MAX], **ag;
	double *lat[4];
	static const char *const names[4] = { "claim", "status triaged", "status in_progress", "note" };
	int bad = 0;

	memset(&t, 0, sizeof(t));
	t.who = "bench";
	if (argc < 2 || hd_redis_url_parse(argv[1], &u, err, sizeof(err))) {
		fprintf(stderr, "usage: triage_bench URL [N]\n");
		return 2;
	}
	if (!(t.conn = hd_redis_connect(&u, NULL, err, sizeof(err)))) {
		fprintf(stderr, "triage_bench: %s\n", err);
		return 1;
	}
	ids = calloc(want, sizeof(*ids));
	slugs = calloc(want, sizeof(*slugs));
	for (int i = 0; i < 4; i++)
		lat[i] = calloc(want, sizeof(double));
	if (!ids || !slugs || !lat[0] || !lat[1] || !lat[2] || !lat[3] || !(ag = tickets_agencies(&t, &nag)))
		return 1;
	for (size_t i = 0; i < nag && n < want; i++) {
		char key[QUEUE_KEY_MAX];
		const char *zr[4] = { "ZRANGE", key, "0", "-1" };
		redisReply *r;

		if (queue_key(key, sizeof(key), ag[i], "idx", "id") ||
		    !(r = hd_redis_command(t.conn, 4, zr, NULL)))
			continue;
		for (size_t j = 0; r->type == REDIS_REPLY_ARRAY && j < r->elements && n < want; j++, n++) {
			str_copy(ids[n], r->element[j]->str, QUEUE_ID_MAX);
			str_copy(slugs[n], ag[i], QUEUE_SLUG_MAX);
		}
		hd_redis_reply_free(r);
	}
	tickets_free_agencies(ag, nag);
	for (size_t i = 0; i < n; i++) {
		struct action_result r;
		double t0;

		t0 = now_ms();
		actions_claim(&t, slugs[i], ids[i], -1, &r);
		lat[0][i] = now_ms() - t0;
		bad += r.rc != 0;
		t0 = now_ms();
		actions_status(&t, slugs[i], ids[i], "triaged", NULL, (int64_t)r.version, &r);
		lat[1][i] = now_ms() - t0;
		bad += r.rc != 0;
		t0 = now_ms();
		actions_status(&t, slugs[i], ids[i], "in_progress", NULL, (int64_t)r.version, &r);
		lat[2][i] = now_ms() - t0;
		bad += r.rc != 0;
		t0 = now_ms();
		actions_note(&t, slugs[i], ids[i], "benchmark note / ghi chú thử", &r);
		lat[3][i] = now_ms() - t0;
		bad += r.rc != 0;
		if (r.rc)
			fprintf(stderr, "triage_bench: %s: %s\n", ids[i], r.msg);
	}
	printf("%zu tickets, %d refused or failed (expected 0)\n", n, bad);
	for (int i = 0; i < 4; i++)
		stats(names[i], lat[i], n);
	for (int i = 0; i < 4; i++)
		free(lat[i]);
	free(ids);
	free(slugs);
	hd_redis_close(t.conn);
	return bad ? 1 : 0;
}
