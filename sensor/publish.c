/*
 * publish.c - incidents to the provincial queue (docs/queue.md), through
 * the spool (docs/spool.md) whenever Redis cannot take them.
 *
 * Workers call publish_submit(), which copies the incident line into a
 * bounded in-memory list and wakes the publisher thread. The thread alone
 * talks to Redis. Each round it (1) connects if it must, honouring an
 * exponential backoff with jitter; (2) replays the spool, oldest first, if
 * it holds anything; (3) sends what waits in memory, pipelined, one ingest
 * script call per record; (4) writes the heartbeat when due. Whatever
 * cannot be delivered now (no connection, a timeout, READONLY, OOM,
 * NOPERM, ...) goes to the spool at once, so a record waits in memory only
 * while Redis answers. Delivery is at least once and the ingest script is
 * idempotent, so a record sent twice (its reply lost with the connection,
 * then replayed) is counted once.
 */
#define _GNU_SOURCE /* strerrorname_np */
#include "publish.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "queue.h"
#include "util.h"
#include "banned.h"

#define BATCH_MAX 256
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000
#define FAIL_LOG_MS 60000

struct rec {
	struct rec *next;
	size_t len;
	char data[];
};

struct publish {
	struct publish_config cfg;
	char sensor[128], agency[256], version[32], slug[QUEUE_SLUG_MAX];
	struct hd_redis_url url;
	struct hd_redis_script ingest;
	struct spool *spool;

	pthread_t thread;
	bool started;
	pthread_mutex_t mu;        /* guards everything below it */
	pthread_cond_t cv;
	struct rec *head, *tail;
	size_t mem_bytes;
	bool stop;
	struct publish_health health;
	struct publish_stats st;
	bool spool_failing;        /* the last append failed */
	bool fail_logged;          /* and that episode was logged */
	uint64_t failed_before;    /* st.spool_failed when it began */
	int64_t fail_logged_ms;

	/* publisher thread only */
	struct hd_redis *conn;
	bool up;                   /* connected and usable */
	int64_t next_try, pause_until, next_beat, drain_deadline;
	unsigned backoff;
	int64_t started_ms;
	uint64_t rng;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void plog(struct publish *p, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void plog(struct publish *p, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level <= 4) {
		pthread_mutex_lock(&p->mu);
		str_copy(p->st.last_error, msg, sizeof(p->st.last_error));
		pthread_mutex_unlock(&p->mu);
	}
	if (p->cfg.log)
		p->cfg.log(level, msg);
}

static void count(struct publish *p, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&p->mu);
	*field += n;
	pthread_mutex_unlock(&p->mu);
}

static void spool_report(void *arg, const char *msg)
{
	struct publish *p = arg;

	if (p->cfg.log)
		p->cfg.log(4, msg);
}

/* The symbolic name of an error ("ENOSPC"), for logs that are searched
 * by it whatever the locale's wording. */
static const char *errno_name(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "errno";
}

/* A record that cannot be delivered now goes to disk; if even that fails
 * (the disk is full) it is lost, and counted as such. A full disk would
 * make every record fail: the first failure of an episode is logged (the
 * spool directory, the error and its name), the rest only counted, and
 * the first record kept again ends the episode with a line saying how
 * many were lost meanwhile. Every record tries the disk again, so the
 * spool is back as soon as there is room. */
static void to_spool(struct publish *p, const char *data, size_t len)
{
	const char *dir = p->cfg.spool_dir ? p->cfg.spool_dir : SPOOL_DEFAULT_DIR;
	char err[256];
	int rc = spool_append(p->spool, data, len, err, sizeof(err));
	int64_t now = mono_ms();
	uint64_t lost = 0;
	bool say = false;

	pthread_mutex_lock(&p->mu);
	if (rc == 0) {
		p->st.spooled++;
		if (p->spool_failing) {
			p->spool_failing = false;
			say = p->fail_logged;
			lost = p->st.spool_failed - p->failed_before;
		}
	} else {
		p->st.spool_failed++;
		if (!p->spool_failing) {
			p->spool_failing = true;
			p->failed_before = p->st.spool_failed - 1;
			/* a disk that fills and empties over and over is told
			 * about once a minute; the counters have the rest */
			say = p->fail_logged_ms == 0 || now - p->fail_logged_ms >= FAIL_LOG_MS;
			p->fail_logged = say;
			if (say)
				p->fail_logged_ms = now;
		}
	}
	pthread_mutex_unlock(&p->mu);
	if (say && rc == 0)
		plog(p, 6, "spool %s: writable again; %" PRIu64 " incident record(s) could not be kept meanwhile (counted in queue.lost)",
		     dir, lost);
	else if (say)
		plog(p, 3, "spool %s: cannot keep incidents: %s [%s]; capture goes on, and incidents that Redis does not take are lost and counted (queue.lost) until there is room",
		     dir, err, errno_name(-rc));
}

static void free_list(struct rec *r)
{
	while (r) {
		struct rec *n = r->next;
		free(r);
		r = n;
	}
}

static struct rec *take(struct publish *p, unsigned max)
{
	struct rec *first, *r;
	unsigned n = 1;

	pthread_mutex_lock(&p->mu);
	first = p->head;
	if (!first) {
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	for (r = first; r->next && n < max; r = r->next, n++)
		;
	p->head = r->next;
	if (!p->head)
		p->tail = NULL;
	r->next = NULL;
	for (struct rec *q = first; q; q = q->next) {
		p->mem_bytes -= q->len;
		p->st.memory_records--;
	}
	pthread_mutex_unlock(&p->mu);
	return first;
}

static void spool_list(struct publish *p, struct rec *r)
{
	for (; r; r = r->next)
		to_spool(p, r->data, r->len);
}

/* ---- connection ---- */

static unsigned jitter(struct publish *p, unsigned ms)
{
	/* +-25 %: sensors that lost Redis together do not return together */
	p->rng = p->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return ms * 3 / 4 + (unsigned)((p->rng >> 33) % (ms / 2 + 1));
}

static void went_down(struct publish *p, const char *why)
{
	if (p->up)
		plog(p, 4, "redis %s: %s; incidents go to the spool until it is back",
		     hd_redis_peer(p->conn), why);
	p->up = false;
	count(p, &p->st.redis_errors, 1);
	p->next_try = mono_ms() + jitter(p, p->backoff);
	p->backoff = p->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : p->backoff * 2;
}

static void try_connect(struct publish *p)
{
	char err[512];
	const char *load[3] = { "SCRIPT", "LOAD", p->ingest.src };
	redisReply *rep;

	if (!p->conn) {
		p->conn = hd_redis_connect(&p->url, &p->cfg.redis, err, sizeof(err));
		if (!p->conn) {
			count(p, &p->st.redis_errors, 1);
			plog(p, 4, "%s", err);
			p->next_try = mono_ms() + jitter(p, p->backoff);
			p->backoff = p->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : p->backoff * 2;
			return;
		}
	} else {
		count(p, &p->st.reconnects, 1);
		if (hd_redis_reconnect(p->conn, err, sizeof(err))) {
			count(p, &p->st.redis_errors, 1);
			plog(p, 4, "%s", err);
			p->next_try = mono_ms() + jitter(p, p->backoff);
			p->backoff = p->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : p->backoff * 2;
			return;
		}
	}
	/* scripts do not survive a restart or a failover: load it every time */
	rep = hd_redis_command(p->conn, 3, load, NULL);
	if (!rep || rep->type == REDIS_REPLY_ERROR) {
		snprintf(err, sizeof(err), "loading the ingest script: %s",
			 rep ? rep->str : hd_redis_error(p->conn));
		hd_redis_reply_free(rep);
		p->up = true; /* so went_down logs it */
		went_down(p, err);
		return;
	}
	hd_redis_reply_free(rep);
	p->up = true;
	p->backoff = BACKOFF_MIN_MS;
	p->next_beat = 0;
	plog(p, 6, "redis: connected to %s", hd_redis_peer(p->conn));
}

/* ---- delivery ---- */

/* Spool replay: one blocking script call per record. */
static int deliver_one(void *arg, const void *data, size_t len, uint64_t seq)
{
	struct publish *p = arg;
	struct queue_record r;
	struct queue_args a;
	char err[512];
	redisReply *rep;
	bool created;
	enum queue_reply res;

	(void)seq;
	if (!p->up)
		return -1;
	if (queue_record_parse(data, len, &r, err, sizeof(err))) {
		plog(p, 3, "spool: record %" PRIu64 " discarded: %s", seq, err);
		count(p, &p->st.discarded, 1);
		return SPOOL_DISCARD;
	}
	if (queue_ingest_args(&r, &p->ingest, wall_ms(), &a)) {
		queue_record_free(&r);
		count(p, &p->st.discarded, 1);
		return SPOOL_DISCARD;
	}
	rep = hd_redis_script_call(p->conn, &p->ingest, QUEUE_INGEST_KEYS, a.argc - 3,
				   a.argv + 3, a.lens + 3);
	queue_record_free(&r);
	if (!rep) {
		went_down(p, hd_redis_error(p->conn));
		return -1;
	}
	res = queue_ingest_result(rep, &created, err, sizeof(err));
	hd_redis_reply_free(rep);
	switch (res) {
	case QUEUE_OK:
		pthread_mutex_lock(&p->mu);
		p->st.sent++;
		p->st.replayed++;
		p->st.created += created;
		pthread_mutex_unlock(&p->mu);
		return SPOOL_DELIVERED;
	case QUEUE_REJECTED:
		if (strncmp(err, "NOPERM", 6)) {
			plog(p, 3, "redis refused spooled record %" PRIu64 " for good: %s", seq, err);
			count(p, &p->st.discarded, 1);
			return SPOOL_DISCARD;
		}
		/* a missing right is fixed by an administrator: keep it */
		__attribute__((fallthrough));
	case QUEUE_NOSCRIPT:
	case QUEUE_RETRY:
	default:
		plog(p, 4, "redis refuses incidents for now: %s", err);
		count(p, &p->st.redis_errors, 1);
		p->pause_until = mono_ms() + jitter(p, p->backoff);
		p->backoff = p->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : p->backoff * 2;
		return -1;
	}
}

/* Sends a batch from memory, pipelined. Records not known to be stored
 * go to the spool. */
static void send_batch(struct publish *p, struct rec *batch)
{
	struct rec *r, *sent[BATCH_MAX];
	unsigned n = 0, i;
	char err[512];
	int64_t now = wall_ms();
	bool refused = false;

	for (r = batch; r; r = r->next) {
		struct queue_record q;

		if (queue_record_parse(r->data, r->len, &q, err, sizeof(err))) {
			plog(p, 3, "publish: incident not sent: %s", err);
			count(p, &p->st.discarded, 1);
			continue;
		}
		if (queue_ingest_append(p->conn, &p->ingest, &q, now)) {
			queue_record_free(&q);
			break;
		}
		queue_record_free(&q);
		sent[n++] = r;
	}
	if (r || hd_redis_flush(p->conn)) {
		/* nothing appended was read back: all of the batch to the spool */
		went_down(p, hd_redis_error(p->conn));
		spool_list(p, batch);
		return;
	}
	for (i = 0; i < n; i++) {
		redisReply *rep;
		bool created;

		if (hd_redis_read(p->conn, &rep)) {
			went_down(p, hd_redis_error(p->conn));
			for (; i < n; i++)
				to_spool(p, sent[i]->data, sent[i]->len);
			return;
		}
		switch (queue_ingest_result(rep, &created, err, sizeof(err))) {
		case QUEUE_OK:
			pthread_mutex_lock(&p->mu);
			p->st.sent++;
			p->st.created += created;
			pthread_mutex_unlock(&p->mu);
			break;
		case QUEUE_REJECTED:
			if (strncmp(err, "NOPERM", 6)) {
				plog(p, 3, "redis refused an incident for good: %s", err);
				count(p, &p->st.discarded, 1);
				break;
			}
			__attribute__((fallthrough));
		default:
			/* NOSCRIPT is handled by the replay's EVAL fallback */
			if (!refused)
				plog(p, 4, "redis refuses incidents for now: %s", err);
			refused = true;
			to_spool(p, sent[i]->data, sent[i]->len);
			break;
		}
		hd_redis_reply_free(rep);
	}
	if (refused) {
		count(p, &p->st.redis_errors, 1);
		p->pause_until = mono_ms() + jitter(p, p->backoff);
		p->backoff = p->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : p->backoff * 2;
	} else {
		p->backoff = BACKOFF_MIN_MS;
	}
}

/* ---- heartbeat ---- */

static void heartbeat(struct publish *p)
{
	char key[QUEUE_KEY_MAX], ttl[16], v[20][48], *lasterr;
	struct publish_stats st;
	struct publish_health h;
	int64_t now = wall_ms();
	unsigned hb = p->cfg.heartbeat_s ? p->cfg.heartbeat_s : 10;
	const char *argv[2 + 2 * 24];
	int argc = 0, k = 0;
	redisReply *rep;

	publish_stats(p, &st);
	pthread_mutex_lock(&p->mu);
	h = p->health;
	pthread_mutex_unlock(&p->mu);
	lasterr = st.last_error;
	snprintf(key, sizeof(key), "hd:sensor:%s", p->sensor);
	argv[argc++] = "HSET";
	argv[argc++] = key;
#define FIELD(name, fmt, val) do { \
		snprintf(v[k], sizeof(v[k]), fmt, val); \
		argv[argc++] = name; \
		argv[argc++] = v[k++]; \
	} while (0)
	argv[argc++] = "sensor";
	argv[argc++] = p->sensor;
	argv[argc++] = "agency";
	argv[argc++] = p->agency;
	argv[argc++] = "version";
	argv[argc++] = p->version;
	FIELD("started", "%" PRId64, p->started_ms);
	FIELD("updated", "%" PRId64, now);
	FIELD("uptime_s", "%" PRId64, (now - p->started_ms) / 1000);
	FIELD("heartbeat_s", "%u", hb);
	FIELD("packets", "%" PRIu64, h.packets);
	FIELD("capture_drops", "%" PRIu64, h.capture_drops);
	FIELD("flows", "%" PRIu64, h.flows);
	FIELD("rules_generation", "%" PRIu64, h.rules_generation);
	FIELD("rules_indicators", "%" PRIu64, h.rules_indicators);
	FIELD("rules_yara", "%" PRIu64, h.rules_yara);
	FIELD("incidents_sent", "%" PRIu64, st.sent);
	FIELD("spool_records", "%" PRIu64, st.spool.depth_records);
	FIELD("spool_bytes", "%" PRIu64, st.spool.depth_bytes);
	FIELD("spool_dropped", "%" PRIu64, st.spool.dropped_records);
	FIELD("incidents_lost", "%" PRIu64, st.spool_failed);
	FIELD("spool_writable", "%d", st.spool_writable);
	FIELD("redis_errors", "%" PRIu64, st.redis_errors);
#undef FIELD
	argv[argc++] = "last_error";
	argv[argc++] = lasterr;
	snprintf(ttl, sizeof(ttl), "%u", hb * 3);
	{
		const char *ex[3] = { "EXPIRE", key, ttl };
		const char *s1[3] = { "SADD", "hd:sensors", p->sensor };
		const char *s2[3] = { "SADD", "hd:agencies", p->slug };

		if (hd_redis_append(p->conn, argc, argv, NULL) ||
		    hd_redis_append(p->conn, 3, ex, NULL) ||
		    hd_redis_append(p->conn, 3, s1, NULL) ||
		    hd_redis_append(p->conn, 3, s2, NULL)) {
			went_down(p, hd_redis_error(p->conn));
			return;
		}
	}
	for (int i = 0; i < 4; i++) {
		if (hd_redis_read(p->conn, &rep)) {
			went_down(p, hd_redis_error(p->conn));
			return;
		}
		if (rep->type == REDIS_REPLY_ERROR)
			plog(p, 4, "redis: heartbeat: %s", rep->str);
		hd_redis_reply_free(rep);
	}
	count(p, &p->st.heartbeats, 1);
	p->next_beat = mono_ms() + (int64_t)hb * 1000;
}

/* ---- the thread ---- */

static bool spool_waiting(struct publish *p)
{
	struct spool_counters c;

	spool_counters(p->spool, &c);
	return c.depth_records > 0;
}

static void *publisher(void *arg)
{
	struct publish *p = arg;

	for (;;) {
		int64_t now = mono_ms(), wait_ms = 100;
		bool stopping, mem;
		struct rec *batch;

		pthread_mutex_lock(&p->mu);
		stopping = p->stop;
		mem = p->head != NULL;
		pthread_mutex_unlock(&p->mu);
		if (stopping && now >= p->drain_deadline)
			break;
		if (p->up && hd_redis_broken(p->conn))
			went_down(p, hd_redis_error(p->conn));
		if (!p->up && now >= p->next_try)
			try_connect(p);
		if (!p->up || now < p->pause_until) {
			/* nothing waits in memory while Redis cannot take it */
			spool_list(p, batch = take(p, UINT32_MAX));
			free_list(batch);
			if (stopping) {
				if (!spool_waiting(p))
					break;
				/* until the drain deadline, try again often */
				if (p->next_try > now + 500)
					p->next_try = now + 500;
				if (p->pause_until > now + 500)
					p->pause_until = now + 500;
			}
			wait_ms = (p->up ? p->pause_until : p->next_try) - now;
		} else {
			if (spool_waiting(p))
				spool_replay(p->spool, deliver_one, p, 512);
			if (p->up && (batch = take(p, BATCH_MAX))) {
				send_batch(p, batch);
				free_list(batch);
				continue;
			}
			if (p->up && now >= p->next_beat)
				heartbeat(p);
			if (stopping && !mem && !spool_waiting(p))
				break;
			if (p->up && spool_waiting(p) && now >= p->pause_until)
				continue;
		}
		if (wait_ms > 200)
			wait_ms = 200;
		if (wait_ms < 1)
			wait_ms = 1;
		pthread_mutex_lock(&p->mu);
		if (!p->head) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)(wait_ms % 1000) * 1000000;
			ts.tv_sec += wait_ms / 1000 + ts.tv_nsec / 1000000000;
			ts.tv_nsec %= 1000000000;
			pthread_cond_timedwait(&p->cv, &p->mu, &ts);
		}
		pthread_mutex_unlock(&p->mu);
	}
	/* what could not be delivered in time waits on disk for the next run */
	{
		struct rec *rest = take(p, UINT32_MAX);

		spool_list(p, rest);
		free_list(rest);
	}
	if (p->up)
		heartbeat(p);
	return NULL;
}

/* ---- entry points ---- */

struct publish *publish_start(const struct publish_config *cfg, char *err, size_t errlen)
{
	struct publish *p = calloc(1, sizeof(*p));
	struct spool_opts so;
	sigset_t all, old;
	char e[512];
	int rc;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	str_copy(p->sensor, cfg->sensor_id ? cfg->sensor_id : "sensor", sizeof(p->sensor));
	str_copy(p->agency, cfg->agency ? cfg->agency : "", sizeof(p->agency));
	str_copy(p->version, cfg->version ? cfg->version : "", sizeof(p->version));
	queue_slug(p->agency, p->slug);
	if (!p->cfg.max_memory)
		p->cfg.max_memory = 64u << 20;
	if (hd_redis_url_parse(cfg->url, &p->url, e, sizeof(e))) {
		snprintf(err, errlen, "--redis: %s", e);
		goto fail;
	}
	if (hd_redis_script_init(&p->ingest, queue_ingest_lua)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	so = cfg->spool;
	so.report = spool_report;
	so.report_arg = p;
	p->spool = spool_open(cfg->spool_dir ? cfg->spool_dir : SPOOL_DEFAULT_DIR, &so, e, sizeof(e));
	if (!p->spool) {
		snprintf(err, errlen, "spool: %s", e);
		goto fail;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->backoff = BACKOFF_MIN_MS;
	p->started_ms = wall_ms();
	if (getrandom(&p->rng, sizeof(p->rng), GRND_NONBLOCK) != sizeof(p->rng))
		p->rng = (uint64_t)p->started_ms;
	/* signals are the main and signal threads' business: the publisher
	 * starts with all of them blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&p->thread, NULL, publisher, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start the publisher thread");
		spool_close(p->spool);
		goto fail;
	}
	hd_thread_name(p->thread, "hd-publish");
	p->started = true;
	return p;
fail:
	free(p);
	return NULL;
}

void publish_submit(struct publish *p, const char *line, size_t len)
{
	struct rec *r;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len)
		return;
	pthread_mutex_lock(&p->mu);
	p->st.submitted++;
	if (p->mem_bytes + len > p->cfg.max_memory || !(r = malloc(sizeof(*r) + len))) {
		/* the publisher is far behind: keep it on disk instead */
		pthread_mutex_unlock(&p->mu);
		to_spool(p, line, len);
		return;
	}
	r->next = NULL;
	r->len = len;
	memcpy(r->data, line, len);
	if (p->tail)
		p->tail->next = r;
	else
		p->head = r;
	p->tail = r;
	p->mem_bytes += len;
	p->st.memory_records++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void publish_set_health(struct publish *p, const struct publish_health *h)
{
	pthread_mutex_lock(&p->mu);
	p->health = *h;
	pthread_mutex_unlock(&p->mu);
}

void publish_stats(struct publish *p, struct publish_stats *st)
{
	pthread_mutex_lock(&p->mu);
	*st = p->st;
	st->spool_writable = !p->spool_failing;
	pthread_mutex_unlock(&p->mu);
	spool_counters(p->spool, &st->spool);
}

void publish_stop(struct publish *p)
{
	if (!p || !p->started)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	p->drain_deadline = mono_ms() + (p->cfg.drain_ms ? p->cfg.drain_ms : 10000);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	p->started = false;
	hd_redis_close(p->conn);
	p->conn = NULL;
	p->up = false;
}

void publish_free(struct publish *p)
{
	if (!p)
		return;
	publish_stop(p);
	spool_close(p->spool);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
