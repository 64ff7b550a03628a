/*
 * test_spool.c - unit tests of the incident spool: records come back in
 * order with their exact bytes after a reopen; a replay stopped part way
 * resumes where it stopped, re-delivering nothing with an ack per record
 * and fewer than ack_every records otherwise; records reported appended by
 * a process killed with SIGKILL at a random moment are all there; a torn
 * tail is cut off and a corrupt middle record skipped and reported by file
 * and offset; the size bound drops the oldest records and counts them
 * exactly, also for a record being delivered and at open; a record the
 * consumer refuses for good is dropped and counted; a failing write (file
 * size limit, full tmpfs) leaves the spool readable and appends work again
 * afterwards; hostile segment files do not crash it; a writer thread and a
 * replaying thread can share it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

#define REC_HDR 32

static char base[256];

/* Deterministic payload i of a run: JSON-ish text, then filler. */
static size_t payload(unsigned run, unsigned i, size_t len, uint8_t *buf)
{
	int n = snprintf((char *)buf, len, "{\"run\":%u,\"id\":%u,\"pad\":\"", run, i);

	if (n < 0 || (size_t)n >= len)
		n = 0;
	for (size_t k = (size_t)n; k < len; k++)
		buf[k] = (uint8_t)('a' + (k * 7 + i * 13 + run) % 26);
	return len;
}

static size_t size_of(unsigned i)
{
	static const size_t sizes[] = { 1, 17, 300, 1000, 4096, 70000, 250000 };

	return sizes[i % 7];
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) && errno == EISDIR)
			rm_dir(p);
	}
	closedir(d);
	rmdir(dir);
}

static void mkdir_fresh(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", base, name);
	rm_dir(out);
}

/* The segment files of dir, sorted; returns how many. */
static int segments(const char *dir, char names[][64], int max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "spool-", 6) && n < max)
			snprintf(names[n++], 64, "%.60s", de->d_name);
	closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char t[64];

			memcpy(t, names[j], 64);
			memcpy(names[j], names[j - 1], 64);
			memcpy(names[j - 1], t, 64);
		}
	return n;
}

static long file_size(const char *dir, const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) ? -1 : (long)st.st_size;
}

/* Reports collected from opts.report. */
static char reports[32][512];
static int nreports;

static void on_report(void *arg, const char *msg)
{
	(void)arg;
	if (nreports < 32)
		snprintf(reports[nreports], sizeof(reports[0]), "%s", msg);
	nreports++;
}

static bool reported(const char *needle)
{
	for (int i = 0; i < nreports && i < 32; i++)
		if (strstr(reports[i], needle))
			return true;
	return false;
}

/* A consumer that checks what it gets against the expected payloads. */
struct sink {
	unsigned run;
	unsigned next;          /* payload index expected next */
	int n;                  /* records taken */
	int fail_after;         /* refuse once n reaches it; -1: never */
	int mismatches;
	uint64_t last_seq;
	unsigned ids[4096];     /* indexes received, in order */
	bool any_order;         /* skip-aware: take ids from the payload */
	size_t (*size_fn)(unsigned);
};

static unsigned id_of(const void *data, size_t len)
{
	char tmp[64];
	size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
	const char *p;

	memcpy(tmp, data, n);
	tmp[n] = 0;
	p = strstr(tmp, "\"id\":");
	return p ? (unsigned)strtoul(p + 5, NULL, 10) : 0xffffffffu;
}

static int deliver(void *arg, const void *data, size_t len, uint64_t seq)
{
	struct sink *s = arg;
	static uint8_t want[300000];
	unsigned id;

	if (s->fail_after >= 0 && s->n >= s->fail_after)
		return -1;
	if (seq <= s->last_seq)
		s->mismatches++;
	s->last_seq = seq;
	id = s->any_order ? id_of(data, len) : s->next;
	if (len > sizeof(want) || len != s->size_fn(id) ||
	    payload(s->run, id, len, want) != len || memcmp(want, data, len))
		s->mismatches++;
	if (s->n < 4096)
		s->ids[s->n] = id;
	s->n++;
	s->next = id + 1;
	return SPOOL_DELIVERED;
}

static void sink_init(struct sink *s, unsigned run, size_t (*fn)(unsigned))
{
	memset(s, 0, sizeof(*s));
	s->run = run;
	s->fail_after = -1;
	s->size_fn = fn;
}

static int append_n(struct spool *sp, unsigned run, unsigned from, unsigned n,
		    size_t (*fn)(unsigned))
{
	static uint8_t buf[300000];
	char err[256];
	int ok = 0;

	for (unsigned i = from; i < from + n; i++) {
		size_t len = payload(run, i, fn(i), buf);

		if (spool_append(sp, buf, len, err, sizeof(err)) == 0)
			ok++;
		else
			fprintf(stderr, "append %u: %s\n", i, err);
	}
	return ok;
}

static size_t size_1000(unsigned i)
{
	(void)i;
	return 1000;
}

static struct spool *open_opts(const char *dir, struct spool_opts *o)
{
	char err[256] = "";
	struct spool *sp;

	o->report = on_report;
	sp = spool_open(dir, o, err, sizeof(err));
	if (!sp)
		fprintf(stderr, "spool_open %s: %s\n", dir, err);
	return sp;
}

static struct spool *open_seg(const char *dir, uint64_t segment_bytes)
{
	struct spool_opts o = { .segment_bytes = segment_bytes };

	return open_opts(dir, &o);
}

static void test_roundtrip(void)
{
	char dir[300], names[64][64];
	struct spool_counters c;
	struct spool *sp, *other;
	struct sink s;
	char err[256];

	mkdir_fresh(dir, sizeof(dir), "roundtrip");
	sp = open_seg(dir, 512 << 10);
	CHECK(sp);
	if (!sp)
		return;
	other = spool_open(dir, NULL, err, sizeof(err));
	CHECK(!other);          /* one process at a time */
	CHECK_CONTAINS(err, "in use");
	CHECK(append_n(sp, 1, 0, 100, size_of) == 100);
	spool_counters(sp, &c);
	CHECK(c.records_appended == 100 && c.depth_records == 100);
	CHECK(c.segments > 1);  /* about 6 MB over 512 KiB segments */
	CHECK(c.disk_bytes == c.depth_bytes);
	spool_close(sp);

	sp = open_seg(dir, 512 << 10);
	CHECK(sp);
	if (!sp)
		return;
	spool_counters(sp, &c);
	CHECK(c.depth_records == 100 && c.corrupt_records == 0 && c.torn_tails == 0);
	sink_init(&s, 1, size_of);
	CHECK(spool_replay(sp, deliver, &s, 0) == 100);
	CHECK(s.n == 100 && s.mismatches == 0);
	spool_counters(sp, &c);
	CHECK(c.records_replayed == 100 && c.depth_records == 0 && c.depth_bytes == 0);
	CHECK(c.segments == 0 && c.disk_bytes == 0);
	CHECK(segments(dir, names, 64) == 0);   /* delivered segments deleted */
	sink_init(&s, 1, size_of);
	CHECK(spool_replay(sp, deliver, &s, 0) == 0);
	spool_close(sp);

	/* Nothing comes back after a reopen; new records continue the seqs. */
	sp = open_seg(dir, 512 << 10);
	CHECK(sp);
	if (!sp)
		return;
	spool_counters(sp, &c);
	CHECK(c.depth_records == 0);
	CHECK(append_n(sp, 2, 0, 3, size_of) == 3);
	sink_init(&s, 2, size_of);
	s.last_seq = 100;       /* seqs never go back */
	CHECK(spool_replay(sp, deliver, &s, 0) == 3 && s.mismatches == 0);
	spool_close(sp);
	rm_dir(dir);
}

/* A stopped replay resumes at the record it stopped at. */
static void test_partial_replay(void)
{
	char dir[300];
	struct spool_counters c;
	struct spool *sp;
	struct sink s;

	mkdir_fresh(dir, sizeof(dir), "partial");
	sp = open_seg(dir, 256 << 10);
	CHECK(sp);
	if (!sp)
		return;
	CHECK(append_n(sp, 3, 0, 50, size_of) == 50);
	sink_init(&s, 3, size_of);
	s.fail_after = 20;      /* the consumer goes down at record 20 */
	CHECK(spool_replay(sp, deliver, &s, 0) == 20);
	CHECK(s.n == 20 && s.mismatches == 0);
	/* still first in line in this process */
	s.fail_after = -1;
	CHECK(spool_replay(sp, deliver, &s, 5) == 5);
	CHECK(s.n == 25 && s.ids[20] == 20 && s.mismatches == 0);
	spool_counters(sp, &c);
	CHECK(c.depth_records == 25);
	spool_close(sp);

	sp = open_seg(dir, 256 << 10);
	CHECK(sp);
	if (!sp)
		return;
	spool_counters(sp, &c);
	CHECK(c.depth_records == 25);
	s.n = 0;
	CHECK(spool_replay(sp, deliver, &s, 0) == 25);
	CHECK(s.ids[0] == 25 && s.ids[24] == 49 && s.mismatches == 0);
	spool_close(sp);
	rm_dir(dir);
}

/* A replaying process dies inside the callback of record `die_at`.
 * Returns the first id replayed after a reopen. */
struct crash_sink {
	struct sink s;
	int die_at;
};

static int deliver_or_die(void *arg, const void *data, size_t len, uint64_t seq)
{
	struct crash_sink *cs = arg;

	if (cs->s.n == cs->die_at)
		raise(SIGKILL);
	return deliver(&cs->s, data, len, seq);
}

static int first_after_crash(unsigned ack_every, int die_at)
{
	char dir[300];
	struct spool_opts o = { .segment_bytes = 64 << 10, .ack_every = ack_every };
	struct spool *sp;
	struct sink s;
	pid_t pid;
	int st, n, first = -1;

	mkdir_fresh(dir, sizeof(dir), "ackcrash");
	sp = open_opts(dir, &o);
	if (!sp)
		return -1;
	CHECK(append_n(sp, 4, 0, 60, size_1000) == 60);
	spool_close(sp);
	pid = fork();
	if (pid == 0) {
		struct crash_sink cs;

		sp = open_opts(dir, &o);
		sink_init(&cs.s, 4, size_1000);
		cs.die_at = die_at;
		if (sp)
			spool_replay(sp, deliver_or_die, &cs, 0);
		_exit(3);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st));
	sp = open_opts(dir, &o);
	CHECK(sp);
	if (!sp)
		return -1;
	sink_init(&s, 4, size_1000);
	s.any_order = true;
	n = spool_replay(sp, deliver, &s, 0);
	CHECK(n == s.n && s.mismatches == 0);
	if (s.n > 0) {
		first = (int)s.ids[0];
		CHECK(s.ids[s.n - 1] == 59 && s.n == 60 - first);
	}
	spool_close(sp);
	rm_dir(dir);
	return first;
}

static void test_ack_window(void)
{
	int f;

	/* An ack per record: the crash re-delivers nothing. */
	f = first_after_crash(1, 37);
	CHECK(f == 37);
	/* ack_every 8: 32 acknowledged, 32..36 delivered again (5 < 8). */
	f = first_after_crash(8, 37);
	CHECK(f == 32);
	CHECK(f >= 37 - 7 && f <= 37);
}

/* SIGKILL of an appending process at a random moment loses nothing,
 * whatever the fsync policy. */
static void test_crash_append(void)
{
	char dir[300];
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid(), torn = 0;

	mkdir_fresh(dir, sizeof(dir), "crash");
	fprintf(stderr, "crash test: seed %u\n", seed);
	srand(seed);
	for (unsigned round = 0; round < 9; round++) {
		static const enum spool_fsync pols[] = {
			SPOOL_FSYNC_ALWAYS, SPOOL_FSYNC_NONE, SPOOL_FSYNC_BATCH };
		enum spool_fsync pol = pols[round % 3];
		struct spool_opts o = { .segment_bytes = 1 << 20, .fsync = pol };
		struct spool_counters c;
		struct spool *sp;
		struct sink s;
		int pfd[2], st;
		unsigned reported_n = 0, v;
		pid_t pid;

		if (pipe(pfd))
			return;
		pid = fork();
		if (pid == 0) {
			static uint8_t buf[300000];

			close(pfd[0]);
			sp = open_opts(dir, &o);
			if (!sp)
				_exit(2);
			for (unsigned i = 0;; i++) {
				size_t len = payload(100 + round, i, size_of(i), buf);

				if (spool_append(sp, buf, len, NULL, 0))
					_exit(2);
				if (write(pfd[1], &i, sizeof(i)) != sizeof(i))
					_exit(2);
			}
		}
		close(pfd[1]);
		/* the child is appending once it reported its first record */
		if (read(pfd[0], &v, sizeof(v)) == sizeof(v))
			reported_n = v + 1;
		usleep((useconds_t)(rand() % 100000));
		kill(pid, SIGKILL);
		CHECK(waitpid(pid, &st, 0) == pid);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		while (read(pfd[0], &v, sizeof(v)) == sizeof(v))
			reported_n = v + 1;
		close(pfd[0]);
		CHECK(reported_n > 0);

		nreports = 0;
		sp = open_opts(dir, &o);
		CHECK(sp);
		if (!sp)
			return;
		spool_counters(sp, &c);
		CHECK(c.corrupt_records == 0 && c.torn_tails <= 1);
		torn += c.torn_tails;
		CHECK(c.depth_records >= reported_n && c.depth_records <= reported_n + 1);
		sink_init(&s, 100 + round, size_of);
		CHECK(spool_replay(sp, deliver, &s, 0) == (int)c.depth_records);
		CHECK(s.mismatches == 0 && s.n >= (int)reported_n);
		spool_counters(sp, &c);
		CHECK(c.depth_records == 0 && c.segments == 0);
		spool_close(sp);
	}
	fprintf(stderr, "crash test: %u of 9 kills left a torn tail\n", torn);
	rm_dir(dir);
}

static void test_torn_tail(void)
{
	char dir[300], names[8][64], p[512];
	struct spool_counters c;
	struct spool *sp;
	struct sink s;
	long sz;

	for (int cut = 0; cut < 2; cut++) {
		mkdir_fresh(dir, sizeof(dir), "torn");
		sp = open_seg(dir, 1 << 20);
		CHECK(sp);
		if (!sp)
			return;
		CHECK(append_n(sp, 5, 0, 10, size_1000) == 10);
		spool_close(sp);
		CHECK(segments(dir, names, 8) == 1);
		sz = file_size(dir, names[0]);
		CHECK(sz == 10 * (REC_HDR + 1000));
		/* inside the last payload, then inside the last header */
		snprintf(p, sizeof(p), "%s/%s", dir, names[0]);
		CHECK(truncate(p, cut ? sz - 1000 - 20 : sz - 400) == 0);

		nreports = 0;
		sp = open_seg(dir, 1 << 20);
		CHECK(sp);
		if (!sp)
			return;
		spool_counters(sp, &c);
		CHECK(c.torn_tails == 1 && c.corrupt_records == 0);
		CHECK(c.depth_records == 9);
		CHECK(reported("torn tail") && reported(names[0]));
		CHECK(file_size(dir, names[0]) == 9 * (REC_HDR + 1000));
		sink_init(&s, 5, size_1000);
		CHECK(spool_replay(sp, deliver, &s, 0) == 9 && s.mismatches == 0);
		spool_close(sp);
	}
	rm_dir(dir);
}

static void flip(const char *dir, const char *name, long off)
{
	char p[512];
	uint8_t b;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_RDWR);
	CHECK(fd >= 0);
	CHECK(pread(fd, &b, 1, off) == 1);
	b ^= 0x10;
	CHECK(pwrite(fd, &b, 1, off) == 1);
	close(fd);
}

static void test_corrupt_middle(void)
{
	const long rl = REC_HDR + 1000;
	char dir[300], names[8][64], want[128], last[512];
	struct spool_counters c;
	struct spool *sp;
	struct sink s;

	mkdir_fresh(dir, sizeof(dir), "corrupt");
	sp = open_seg(dir, 1 << 20);
	CHECK(sp);
	if (!sp)
		return;
	CHECK(append_n(sp, 6, 0, 10, size_1000) == 10);
	spool_close(sp);
	CHECK(segments(dir, names, 8) == 1);
	flip(dir, names[0], 4 * rl + 500);      /* payload of record 4 */
	flip(dir, names[0], 7 * rl + 9);        /* length field of record 7 */

	nreports = 0;
	sp = open_seg(dir, 1 << 20);
	CHECK(sp);
	if (!sp)
		return;
	spool_counters(sp, &c);
	CHECK(c.corrupt_records == 2 && c.torn_tails == 0 && c.depth_records == 8);
	snprintf(want, sizeof(want), "%s: offset %ld:", names[0], 4 * rl);
	CHECK(reported(want));
	snprintf(want, sizeof(want), "%s: offset %ld:", names[0], 7 * rl);
	CHECK(reported(want));
	spool_last_error(sp, last, sizeof(last));
	CHECK_CONTAINS(last, want);
	sink_init(&s, 6, size_1000);
	s.any_order = true;
	CHECK(spool_replay(sp, deliver, &s, 0) == 8 && s.mismatches == 0);
	CHECK(s.ids[3] == 3 && s.ids[4] == 5 && s.ids[5] == 6 && s.ids[6] == 8);
	spool_counters(sp, &c);
	CHECK(c.corrupt_records == 2);  /* replay does not count them again */
	spool_close(sp);
	rm_dir(dir);
}

/* The bound: a model of whole-segment drops gives the exact counters. */
static void test_bound(void)
{
	const uint64_t max = 64 << 10, seg = 16 << 10, rl = REC_HDR + 1000;
	uint64_t model[64], disk = 0, dropped = 0, first = 0;
	int nseg = 0;
	char dir[300], last[512];
	struct spool_opts o = { .max_bytes = max, .segment_bytes = 1 << 20 };
	struct spool_counters c;
	struct spool *sp;
	struct sink s;

	/* model: per-segment record counts, oldest first */
	for (unsigned i = 0; i < 200; i++) {
		if (nseg == 0 || model[nseg - 1] * rl + rl > seg)
			model[nseg++] = 0;      /* rotation */
		while (disk + rl > max) {
			dropped += model[0];
			first += model[0];
			disk -= model[0] * rl;
			memmove(model, model + 1, (size_t)(nseg - 1) * sizeof(model[0]));
			nseg--;
		}
		model[nseg - 1]++;
		disk += rl;
	}

	mkdir_fresh(dir, sizeof(dir), "bound");
	nreports = 0;
	sp = open_opts(dir, &o);        /* segment_bytes is clamped to max / 4 */
	CHECK(sp);
	if (!sp)
		return;
	CHECK(append_n(sp, 7, 0, 200, size_1000) == 200);
	spool_counters(sp, &c);
	CHECK(c.disk_bytes <= max && c.disk_bytes == disk);
	CHECK(c.dropped_records == dropped && c.dropped_bytes == dropped * rl);
	CHECK(c.depth_records == 200 - dropped);
	CHECK(dropped > 0 && c.records_appended == 200);
	spool_last_error(sp, last, sizeof(last));
	CHECK_CONTAINS(last, "dropped");
	CHECK(reported("max_bytes"));
	sink_init(&s, 7, size_1000);
	s.next = (unsigned)first;       /* the newest survive, in order */
	CHECK(spool_replay(sp, deliver, &s, 0) == (int)(200 - dropped));
	CHECK(s.mismatches == 0 && s.next == 200);

	/* too large for the spool at all: refused, counted */
	{
		static uint8_t big[70000];

		CHECK(spool_append(sp, big, sizeof(big), NULL, 0) == -EMSGSIZE);
		spool_counters(sp, &c);
		CHECK(c.rejected_records == 1);
	}
	spool_close(sp);
	rm_dir(dir);
}

/* The consumer can refuse a record for good; the bound can drop the
 * record being delivered; a smaller bound at open drops the oldest. */
struct dropper {
	struct sink s;
	struct spool *sp;
	int discard_id;         /* answer SPOOL_DISCARD for this id */
	bool flood;             /* append enough in the first call to drop it */
};

static int deliver_drop(void *arg, const void *data, size_t len, uint64_t seq)
{
	struct dropper *d = arg;

	if (d->s.n == 0 && d->flood) {
		d->flood = false;
		/* legal: the callback runs without the spool's lock */
		CHECK(append_n(d->sp, 13, 1000, 80, size_1000) == 80);
	}
	if ((int)id_of(data, len) == d->discard_id) {
		d->discard_id = -1;
		return SPOOL_DISCARD;
	}
	return deliver(&d->s, data, len, seq);
}

static void test_discard_and_drop(void)
{
	const uint64_t rl = REC_HDR + 1000;
	char dir[300], last[512];
	struct spool_opts o = { .max_bytes = 64 << 10 };
	struct spool_counters c;
	struct dropper d;

	mkdir_fresh(dir, sizeof(dir), "discard");
	d.sp = open_opts(dir, &o);
	CHECK(d.sp);
	if (!d.sp)
		return;
	CHECK(append_n(d.sp, 13, 0, 10, size_1000) == 10);
	sink_init(&d.s, 13, size_1000);
	d.s.any_order = true;
	d.discard_id = 4;
	d.flood = false;
	CHECK(spool_replay(d.sp, deliver_drop, &d, 0) == 10);
	CHECK(d.s.n == 9 && d.s.mismatches == 0 && d.s.ids[4] == 5);
	spool_counters(d.sp, &c);
	CHECK(c.dropped_records == 1 && c.dropped_bytes == rl && c.records_replayed == 9);
	CHECK(c.depth_records == 0);
	spool_last_error(d.sp, last, sizeof(last));
	CHECK_CONTAINS(last, "discarded by the consumer");

	/* 10 records waiting; while the first is delivered, 80 more arrive
	 * and push out the oldest segments, the first one's included */
	CHECK(append_n(d.sp, 13, 0, 10, size_1000) == 10);
	sink_init(&d.s, 13, size_1000);
	d.s.any_order = true;
	d.discard_id = -1;
	d.flood = true;
	CHECK(spool_replay(d.sp, deliver_drop, &d, 0) > 0);
	spool_counters(d.sp, &c);
	CHECK(c.depth_records == 0 && c.depth_bytes == 0 && c.segments == 0);
	CHECK(c.disk_bytes == 0 && d.s.mismatches == 0);
	/* delivered: record 0 (in flight when dropped) and the survivors;
	 * everything else of the 90 was dropped, and counted */
	CHECK((uint64_t)d.s.n + (c.dropped_records - 1) == 90 + 1);
	CHECK(d.s.ids[0] == 0 && d.s.ids[d.s.n - 1] == 1079);
	for (int i = 2; i < d.s.n; i++)
		CHECK(d.s.ids[i] == d.s.ids[i - 1] + 1);
	spool_close(d.sp);

	/* a smaller bound at the next open drops the oldest there */
	d.sp = open_opts(dir, &o);
	CHECK(d.sp);
	if (!d.sp)
		return;
	CHECK(append_n(d.sp, 13, 2000, 60, size_1000) == 60);
	spool_close(d.sp);
	o.max_bytes = 32 << 10;
	nreports = 0;
	d.sp = open_opts(dir, &o);
	CHECK(d.sp);
	if (!d.sp)
		return;
	spool_counters(d.sp, &c);
	CHECK(c.disk_bytes <= o.max_bytes && c.dropped_records > 0);
	CHECK(c.dropped_records + c.depth_records == 60);
	CHECK(reported("at open"));
	sink_init(&d.s, 13, size_1000);
	d.s.next = 2000 + (unsigned)c.dropped_records;
	CHECK(spool_replay(d.sp, deliver, &d.s, 0) == (int)(60 - c.dropped_records));
	CHECK(d.s.mismatches == 0 && d.s.next == 2060);
	spool_close(d.sp);
	rm_dir(dir);
}

/* RLIMIT_FSIZE makes writes fail with EFBIG, as a full disk would. */
static void test_write_failure(void)
{
	const long rl = REC_HDR + 1000;
	char dir[300], names[8][64], err[256];
	struct spool_counters c;
	struct rlimit old, lim;
	struct spool *sp;
	struct sink s;
	uint8_t buf[1000];
	int rc;

	signal(SIGXFSZ, SIG_IGN);
	CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	mkdir_fresh(dir, sizeof(dir), "efbig");
	sp = open_seg(dir, 1 << 20);
	CHECK(sp);
	if (!sp)
		return;
	CHECK(append_n(sp, 8, 0, 5, size_1000) == 5);

	lim = old;
	lim.rlim_cur = (rlim_t)(5 * rl + 500);  /* the next record fits half */
	CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	payload(8, 5, sizeof(buf), buf);
	rc = spool_append(sp, buf, sizeof(buf), err, sizeof(err));
	CHECK(rc == -EFBIG);
	CHECK_CONTAINS(err, "File too large");
	rc = spool_append(sp, buf, sizeof(buf), err, sizeof(err));
	CHECK(rc == -EFBIG);
	CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
	spool_counters(sp, &c);
	CHECK(c.write_errors == 2 && c.depth_records == 5 && c.records_appended == 5);
	CHECK(segments(dir, names, 8) == 1);
	CHECK(file_size(dir, names[0]) == 5 * rl);      /* nothing half-written */

	CHECK(append_n(sp, 8, 5, 3, size_1000) == 3);   /* space is back */
	spool_close(sp);

	sp = open_seg(dir, 1 << 20);
	CHECK(sp);
	if (!sp)
		return;
	spool_counters(sp, &c);
	CHECK(c.depth_records == 8 && c.torn_tails == 0 && c.corrupt_records == 0);
	sink_init(&s, 8, size_1000);
	CHECK(spool_replay(sp, deliver, &s, 0) == 8 && s.mismatches == 0);

	/* A failure on a fresh segment leaves no file behind. */
	lim.rlim_cur = 10;
	CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	CHECK(spool_append(sp, buf, sizeof(buf), NULL, 0) == -EFBIG);
	CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
	CHECK(segments(dir, names, 8) == 0);
	CHECK(spool_append(sp, buf, sizeof(buf), NULL, 0) == 0);
	spool_counters(sp, &c);
	CHECK(c.write_errors == 1 && c.depth_records == 1);
	spool_close(sp);
	signal(SIGXFSZ, SIG_DFL);
	rm_dir(dir);
}

static size_t size_4000(unsigned i)
{
	(void)i;
	return 4000;
}

/* A real full file system: a small tmpfs in a private mount namespace
 * (root only; skipped where mounting is not allowed). */
static void test_full_tmpfs(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		char dir[300];
		struct spool_counters c;
		struct spool *sp;
		struct sink s;
		uint8_t buf[4000];
		int rc = 0, ok = 0;

		snprintf(dir, sizeof(dir), "%s/tmpfs", base);
		if (unshare(CLONE_NEWNS) ||
		    /* the type is ignored here, but memcheck reads it */
		    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) ||
		    mkdir(dir, 0700) ||
		    mount("tmpfs", dir, "tmpfs", 0, "size=256k"))
			_exit(77);
		sp = open_seg(dir, 64 << 10);
		if (!sp)
			_exit(1);
		for (unsigned i = 0; i < 1000; i++) {
			payload(9, i, sizeof(buf), buf);
			rc = spool_append(sp, buf, sizeof(buf), NULL, 0);
			if (rc)
				break;
			ok++;
		}
		CHECK(rc == -ENOSPC && ok > 10);
		CHECK(spool_append(sp, buf, sizeof(buf), NULL, 0) == -ENOSPC);
		spool_counters(sp, &c);
		CHECK(c.write_errors == 2 && c.depth_records == (uint64_t)ok);
		spool_close(sp);

		/* readable, nothing torn; delivering frees space for new appends */
		sp = open_seg(dir, 64 << 10);
		if (!sp)
			_exit(1);
		spool_counters(sp, &c);
		CHECK(c.depth_records == (uint64_t)ok && c.torn_tails == 0 &&
		      c.corrupt_records == 0);
		sink_init(&s, 9, size_4000);
		CHECK(spool_replay(sp, deliver, &s, 0) == ok && s.mismatches == 0);
		CHECK(append_n(sp, 10, 0, 20, size_4000) == 20);
		spool_close(sp);
		sp = open_seg(dir, 64 << 10);
		if (!sp)
			_exit(1);
		sink_init(&s, 10, size_4000);
		CHECK(spool_replay(sp, deliver, &s, 0) == 20 && s.mismatches == 0);
		spool_close(sp);
		umount(dir);
		rmdir(dir);
		_exit(check_failures ? 1 : 0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	if (WIFSIGNALED(st))
		fprintf(stderr, "full tmpfs: child killed by signal %d\n", WTERMSIG(st));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		fprintf(stderr, "full tmpfs: skipped (cannot mount here)\n");
	else
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, data, len) == (ssize_t)len);
	close(fd);
}

/* A header with the magic and a length that cannot be. */
static void hostile_hdr(uint8_t *h, uint32_t len)
{
	memset(h, 0, REC_HDR);
	memcpy(h, "HDSP", 4);
	h[4] = 1;
	for (int i = 0; i < 4; i++)
		h[8 + i] = (uint8_t)(len >> (8 * i));
	h[16] = 5;      /* seq */
}

/* Garbage, impossible lengths and a replayed copy of valid records. */
static void test_hostile(void)
{
	static uint8_t junk[200000], valid[20000];
	char dir[300], p[512], names[8][64];
	struct spool_counters c;
	struct spool *sp;
	struct sink s;
	long vlen;
	int fd;

	mkdir_fresh(dir, sizeof(dir), "hostile");
	sp = open_seg(dir, 1 << 20);
	CHECK(sp);
	if (!sp)
		return;
	CHECK(append_n(sp, 11, 0, 3, size_of) == 3);    /* 1 + 17 + 300 bytes */
	spool_close(sp);
	CHECK(segments(dir, names, 8) == 1);
	vlen = file_size(dir, names[0]);
	snprintf(p, sizeof(p), "%s/%s", dir, names[0]);
	fd = open(p, O_RDONLY);
	CHECK(fd >= 0 && vlen > 0 && (size_t)vlen < sizeof(valid) &&
	      read(fd, valid, (size_t)vlen) == vlen);
	close(fd);
	/* the valid segment is 1; it becomes the newest, 9 */
	{
		char from[512];

		snprintf(from, sizeof(from), "%s/%s", dir, names[0]);
		snprintf(p, sizeof(p), "%s/spool-00000000000000000009.log", dir);
		CHECK(rename(from, p) == 0);
	}

	srand(7);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rand();
	for (size_t i = 0; i + REC_HDR < sizeof(junk); i += 997)
		hostile_hdr(junk + i, (uint32_t)rand() | 0x100u);
	hostile_hdr(junk + 5000, 0xffffffffu);
	hostile_hdr(junk + 6000, 15u << 20);
	write_file(dir, "spool-00000000000000000002.log", junk, sizeof(junk));
	hostile_hdr(junk, 0xffffffffu);
	write_file(dir, "spool-00000000000000000003.log", junk, REC_HDR + 10);
	hostile_hdr(junk, 15u << 20);
	write_file(dir, "spool-00000000000000000004.log", junk, REC_HDR + 100);
	/* valid records with seqs already seen: stale copies */
	memcpy(junk, valid, (size_t)vlen);
	memcpy(junk + vlen, valid, (size_t)vlen);
	write_file(dir, "spool-00000000000000000005.log", junk, (size_t)vlen * 2);
	write_file(dir, "spool-00000000000000000006.log", "", 0);
	write_file(dir, "spool-junk.log", "x", 1);
	snprintf(p, sizeof(p), "%s/spool-00000000000000000007.log", dir);
	CHECK(mkdir(p, 0700) == 0);
	write_file(dir, "ack", junk + 100, 40);

	nreports = 0;
	sp = open_seg(dir, 1 << 20);
	CHECK(sp);
	if (!sp)
		return;
	spool_counters(sp, &c);
	CHECK(reported("ack: damaged"));
	/* segments 2, 3 and 4 are damage; the first copy in segment 5 is
	 * replayed, the second repeats its seqs and is damage too; the
	 * newest, 9, repeats them again and is cut off as a torn tail */
	CHECK(c.corrupt_records == 4 && c.torn_tails == 1);
	CHECK(c.depth_records == 3 && c.segments == 1);
	sink_init(&s, 11, size_of);
	CHECK(spool_replay(sp, deliver, &s, 0) == 3 && s.mismatches == 0);
	spool_counters(sp, &c);
	CHECK(c.depth_records == 0 && c.segments == 0);
	spool_close(sp);
	rmdir(p);
	rm_dir(dir);
}

/* One thread appends while another replays. */
struct writer_arg {
	struct spool *sp;
	unsigned n;
};

static void *writer(void *arg)
{
	struct writer_arg *w = arg;

	append_n(w->sp, 12, 0, w->n, size_1000);
	return NULL;
}

static void test_threads(void)
{
	char dir[300];
	struct writer_arg w;
	struct spool_counters c;
	pthread_t t;
	struct sink s;
	int got = 0, spins = 0;

	mkdir_fresh(dir, sizeof(dir), "threads");
	w.sp = open_seg(dir, 64 << 10);
	w.n = 3000;
	CHECK(w.sp);
	if (!w.sp)
		return;
	sink_init(&s, 12, size_1000);
	CHECK(pthread_create(&t, NULL, writer, &w) == 0);
	while (got < 3000 && spins++ < 60000) {
		int n = spool_replay(w.sp, deliver, &s, 100);

		CHECK(n >= 0);
		got += n > 0 ? n : 0;
		if (n == 0)
			usleep(1000);
	}
	pthread_join(t, NULL);
	CHECK(got == 3000 && s.mismatches == 0 && s.next == 3000);
	spool_counters(w.sp, &c);
	CHECK(c.depth_records == 0 && c.records_replayed == 3000);
	spool_close(w.sp);
	rm_dir(dir);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/haidang-spool-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	test_roundtrip();
	test_partial_replay();
	test_ack_window();
	test_crash_append();
	test_torn_tail();
	test_corrupt_middle();
	test_bound();
	test_discard_and_drop();
	test_write_failure();
	test_full_tmpfs();
	test_hostile();
	test_threads();
	rm_dir(base);
	return CHECK_DONE();
}
