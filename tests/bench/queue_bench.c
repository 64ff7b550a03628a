/*
 * queue_bench.c - how fast incidents go into the queue: the sensor's own
 * publishing path (queue_record -> ingest script, pipelined 256 at a time,
 * as sensor/publish.c sends them) against a real redis-server.
 *
 *   queue_bench URL [N] [ARGS-FILE]
 *
 * Publishes N synthetic incidents of 250 agencies (creations: the ticket,
 * its first history entry and indexes), then the same N again with higher
 * counts (updates), then the same again (a replay: nothing changes), and
 * prints incidents/s of each. ARGS-FILE gets the arguments of one replayed
 * call, one per line, for redis-benchmark to send the same command
 * (tests/bench/bench.sh compares the two).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "queue.h"
#include "redis.h"
#include "banned.h"

#define BATCH 256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make(struct queue_record *r, unsigned i, uint64_t count)
{
	static const char ev[] =
		"[{\"kind\":\"ioc\",\"type\":\"domain\",\"indicator\":\"update.c2.example\","
		"\"observed\":\"update.c2.example in tls\",\"source\":\"abuse.ch\",\"severity\":\"high\","
		"\"score\":100,\"count\":7,\"first_seen\":\"2026-11-27T06:23:05.058020+00:00\","
		"\"last_seen\":\"2026-11-27T06:23:07.086988+00:00\",\"flow\":{\"flow_id\":1234567,"
		"\"host_ip\":\"10.88.0.10\",\"host_port\":51234,\"peer_ip\":\"203.0.113.66\","
		"\"peer_port\":443,\"app_proto\":\"tls\"}}]";

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%032x", i * 2654435761u);
	snprintf(r->run, sizeof(r->run), "00000000bench000-%u", i);
	snprintf(r->sensor, sizeof(r->sensor), "bench-%u", i % 250);
	snprintf(r->agency, sizeof(r->agency), "Đơn vị số %u", i % 250);
	queue_slug(r->agency, r->slug);
	snprintf(r->category, sizeof(r->category), "c2");
	snprintf(r->category_vi, sizeof(r->category_vi), "Kết nối máy chủ điều khiển (C2)");
	r->national_type = 3;
	snprintf(r->severity, sizeof(r->severity), "high");
	r->sev_rank = 3;
	r->score = 100 + i % 300;
	snprintf(r->host, sizeof(r->host), "10.88.%u.%u", (i >> 8) & 255, i & 255);
	snprintf(r->peer, sizeof(r->peer), "203.0.113.66");
	snprintf(r->indicator, sizeof(r->indicator), "ioc:update.c2.example");
	snprintf(r->first_seen, sizeof(r->first_seen), "2026-11-27T06:23:05.058020+00:00");
	snprintf(r->last_seen, sizeof(r->last_seen), "2026-11-27T06:23:07.086988+00:00");
	r->first_ms = queue_iso_ms(r->first_seen);
	r->last_ms = queue_iso_ms(r->last_seen) + count;
	r->count = count;
	r->evidence = (char *)ev;
	r->evidence_len = sizeof(ev) - 1;
}

/* Appends and sends incidents [from, from + k). */
static int send_batch(struct hd_redis *c, const struct hd_redis_script *s, unsigned from,
		      unsigned k, uint64_t count)
{
	for (unsigned i = 0; i < k; i++) {
		struct queue_record r;

		make(&r, from + i, count);
		if (queue_ingest_append(c, s, &r, 1795000000000LL))
			return -1;
	}
	return hd_redis_flush(c);
}

/* Reads k replies; counts creations. */
static int read_batch(struct hd_redis *c, unsigned k, unsigned *created)
{
	char err[256];

	for (unsigned i = 0; i < k; i++) {
		redisReply *rep;
		bool cr;

		if (hd_redis_read(c, &rep))
			return -1;
		if (queue_ingest_result(rep, &cr, err, sizeof(err)) != QUEUE_OK) {
			fprintf(stderr, "queue_bench: %s\n", err);
			hd_redis_reply_free(rep);
			return -1;
		}
		*created += cr;
		hd_redis_reply_free(rep);
	}
	return 0;
}

/* One pass over n incidents, one batch in flight while the next is made
 * (as a sensor keeps Redis busy); returns incidents/s, or -1. */
static double pass(struct hd_redis *c, const struct hd_redis_script *s, unsigned n, uint64_t count,
		   unsigned *created)
{
	double t0 = now_s();
	unsigned sent = 0, got = 0;

	*created = 0;
	while (got < n) {
		unsigned k = n - sent < BATCH ? n - sent : BATCH;

		if (k && send_batch(c, s, sent, k, count)) {
			fprintf(stderr, "queue_bench: %s\n", hd_redis_error(c));
			return -1;
		}
		sent += k;
		/* the replies of the batch before this one */
		if (sent - got > BATCH || sent == n) {
			unsigned r = sent - got > BATCH ? BATCH : sent - got;

			if (read_batch(c, r, created))
				return -1;
			got += r;
		}
	}
	return n / (now_s() - t0);
}

int main(int argc, char **argv)
{
	struct hd_redis_url u;
	struct hd_redis_script s;
	struct hd_redis *c;
	char err[512];
	unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 100000, created;
	const char *load[3] = { "SCRIPT", "LOAD", queue_ingest_lua };
	redisReply *rep;
	double create_rate, update_rate, same_rate;

	if (argc < 2 || hd_redis_url_parse(argv[1], &u, err, sizeof(err))) {
		fprintf(stderr, "usage: queue_bench URL [N] [ARGS-FILE]%s%s\n", argc < 2 ? "" : ": ",
			argc < 2 ? "" : err);
		return 2;
	}
	if (!(c = hd_redis_connect(&u, NULL, err, sizeof(err)))) {
		fprintf(stderr, "queue_bench: %s\n", err);
		return 1;
	}
	hd_redis_script_init(&s, queue_ingest_lua);
	rep = hd_redis_command(c, 3, load, NULL);
	hd_redis_reply_free(rep);
	create_rate = pass(c, &s, n, 1, &created);
	if (create_rate < 0 || created != n) {
		fprintf(stderr, "queue_bench: %u of %u created\n", created, n);
		return 1;
	}
	update_rate = pass(c, &s, n, 2, &created);
	if (update_rate < 0 || created) {
		fprintf(stderr, "queue_bench: updates created %u tickets\n", created);
		return 1;
	}
	/* the same records again (a replay): the script finds nothing new */
	same_rate = pass(c, &s, n, 2, &created);
	if (same_rate < 0 || created) {
		fprintf(stderr, "queue_bench: a replay created %u tickets\n", created);
		return 1;
	}
	printf("%s: %u incidents: %.0f created/s, %.0f updated/s, %.0f replayed (unchanged)/s\n",
	       hd_redis_peer(c), n, create_rate, update_rate, same_rate);
	if (argc > 3) {
		/* one update of one incident, for redis-benchmark to repeat */
		struct queue_record r;
		struct queue_args a;
		FILE *f = fopen(argv[3], "w");

		make(&r, 0, 2);
		if (!f || queue_ingest_args(&r, &s, 1795000000000LL, &a))
			return 1;
		for (int i = 0; i < a.argc; i++)
			fprintf(f, "%.*s\n", (int)a.lens[i], a.argv[i]);
		fclose(f);
	}
	hd_redis_close(c);
	return 0;
}
