/*
 * spool.c - the on-disk incident spool (see spool.h, docs/spool.md).
 *
 * The output stage appends here when Redis will not take an incident, and
 * replays from here when it will again. The spool is a directory holding
 * segment files "spool-<first seq, 20 digits>.log", a small "ack" file and
 * a "lock" file. A segment is a run of records, each a 32-byte header
 * followed by its payload; all integers are little-endian:
 *
 *   0  u32 magic "HDSP"     8  u32 payload length   16 u64 sequence number
 *   4  u8  version (1)     12  u32 CRC-32 (zlib)    24 u64 append time, µs
 *   5  u8  flags (0)                                        since the epoch
 *   6  u16 reserved (0)
 *
 * The CRC covers the header (its own field zeroed) and the payload.
 * Sequence numbers rise by one per record for the life of the spool; a
 * segment is named after its first. The ack file (40 bytes: "HDAK",
 * version, the last delivered seq, the segment and offset where replay
 * goes on, CRC) is replaced by write-temp, fsync, rename, fsync-directory;
 * on open the seq alone decides what was delivered.
 *
 * Open scans every segment and checks every record, so the counters are
 * exact and the replay cursor is placed after the acknowledged seq. A bad
 * region is skipped by searching for the next magic that starts a valid
 * record (valid header, length inside the file, seq above the last good
 * one, CRC); if none follows in the newest segment the region is a torn
 * tail left by a crash mid-append and is cut off. Appends write at the
 * segment's known end with pwrite, so a failed write is undone by
 * truncating back to it. This module never prints; it counts and reports.
 */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"
#include "banned.h"

#define REC_MAGIC 0x50534448u   /* "HDSP" on disk */
#define ACK_MAGIC 0x4b414448u   /* "HDAK" on disk */
#define REC_VERSION 1
#define HDR_LEN 32
#define ACK_LEN 40
#define SEG_NAME_LEN 30         /* "spool-" + 20 digits + ".log" */
#define SCRATCH_LEN (64u << 10)
#define MSG_LEN 512

struct seg {
	uint64_t id;        /* first seq; the file name */
	uint64_t disk;      /* bytes in the file */
	uint64_t end;       /* readable end: after the last valid record */
	uint64_t checked;   /* damage before this offset is already counted */
	uint64_t nrec;      /* valid records */
	uint64_t bytes;     /* their bytes, headers included */
};

/* Where replay goes on: the next record is at segs[si], offset off. */
struct cursor {
	size_t si;
	uint64_t off;
	uint64_t done_rec, done_bytes;  /* of segs[si], before off */
	uint64_t prev_seq;              /* seq of the record before off */
	uint64_t gen;                   /* bumped when a drop moves the cursor */
};

struct rhdr {
	uint32_t len;
	uint32_t crc;
	uint64_t seq;
	uint64_t time_us;
};

struct spool {
	pthread_mutex_t mu;
	int dirfd, lockfd;
	struct spool_opts o;

	struct seg *segs;
	size_t nsegs, capsegs;
	int wfd;                /* open for append: the last segment, or -1 */
	int rfd;                /* open for replay reads, or -1 */
	uint64_t rfd_id;

	uint64_t next_seq;
	uint64_t ack_seq;       /* last delivered */
	uint64_t ack_written;   /* ack_seq in the ack file */
	unsigned since_ack;
	struct cursor cur;
	bool replaying;
	uint64_t last_sync_ms;
	bool dirty;             /* appended since the last fsync */

	uint8_t *rbuf;          /* one record, for replay */
	size_t rbufcap;
	uint8_t scratch[SCRATCH_LEN];

	struct spool_counters c;
	char last_error[MSG_LEN];
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void seg_name(uint64_t id, char *buf, size_t size)
{
	snprintf(buf, size, "spool-%020llu.log", (unsigned long long)id);
}

static bool parse_seg_name(const char *name, uint64_t *id)
{
	uint64_t v = 0;

	if (strlen(name) != SEG_NAME_LEN || memcmp(name, "spool-", 6) ||
	    strcmp(name + 26, ".log"))
		return false;
	for (int i = 6; i < 26; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	*id = v;
	return true;
}

/* Records a loss or damage: the last error, and the caller's report hook. */
__attribute__((format(printf, 2, 3)))
static void note(struct spool *sp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sp->last_error, sizeof(sp->last_error), fmt, ap);
	va_end(ap);
	if (sp->o.report)
		sp->o.report(sp->o.report_arg, sp->last_error);
}

/* An error returned to the caller: the last error and err. */
__attribute__((format(printf, 4, 5)))
static void fail(struct spool *sp, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sp->last_error, sizeof(sp->last_error), fmt, ap);
	va_end(ap);
	if (err && errlen)
		str_copy(err, sp->last_error, errlen);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int read_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;    /* the file shrank under us */
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int fsync_dir(struct spool *sp)
{
	if (sp->o.fsync == SPOOL_FSYNC_NONE)
		return 0;
	return fsync(sp->dirfd) ? -errno : 0;
}

static void encode_hdr(uint8_t *h, const struct rhdr *r)
{
	put32(h, REC_MAGIC);
	h[4] = REC_VERSION;
	h[5] = 0;
	h[6] = h[7] = 0;
	put32(h + 8, r->len);
	put32(h + 12, 0);
	put64(h + 16, r->seq);
	put64(h + 24, r->time_us);
}

/* Parses a header found at off in a file whose readable end is end.
 * Checks everything but the CRC. */
static bool decode_hdr(const uint8_t *h, uint64_t off, uint64_t end,
		       uint64_t prev_seq, struct rhdr *r)
{
	if (get32(h) != REC_MAGIC || h[4] != REC_VERSION || h[5] || h[6] || h[7])
		return false;
	r->len = get32(h + 8);
	r->crc = get32(h + 12);
	r->seq = get64(h + 16);
	r->time_us = get64(h + 24);
	if (r->len == 0 || r->len > SPOOL_MAX_RECORD)
		return false;
	if (off + HDR_LEN + r->len > end)
		return false;
	return r->seq > prev_seq && r->seq != UINT64_MAX;
}

static uint32_t hdr_crc(const uint8_t *h)
{
	uint8_t z[HDR_LEN];

	memcpy(z, h, HDR_LEN);
	put32(z + 12, 0);
	return (uint32_t)crc32(0L, z, HDR_LEN);
}

/* Is there a valid record at off? With load, its payload is left in
 * sp->rbuf; without, the CRC is computed through the fixed scratch buffer.
 * Returns 1 valid, 0 not, or a negative errno for a read error. */
static int check_at(struct spool *sp, int fd, uint64_t off, uint64_t end,
		    uint64_t prev_seq, bool load, struct rhdr *r)
{
	uint8_t h[HDR_LEN];
	uint32_t crc;
	int rc;

	if (end < HDR_LEN || off > end - HDR_LEN)
		return 0;
	rc = read_full(fd, h, HDR_LEN, off);
	if (rc)
		return rc;
	if (!decode_hdr(h, off, end, prev_seq, r))
		return 0;
	crc = hdr_crc(h);
	if (load) {
		if (r->len > sp->rbufcap) {
			uint8_t *nb = realloc(sp->rbuf, r->len);

			if (!nb)
				return -ENOMEM;
			sp->rbuf = nb;
			sp->rbufcap = r->len;
		}
		rc = read_full(fd, sp->rbuf, r->len, off + HDR_LEN);
		if (rc)
			return rc;
		crc = (uint32_t)crc32(crc, sp->rbuf, r->len);
	} else {
		uint64_t pos = off + HDR_LEN, left = r->len;

		while (left) {
			size_t n = left < SCRATCH_LEN ? (size_t)left : SCRATCH_LEN;

			rc = read_full(fd, sp->scratch, n, pos);
			if (rc)
				return rc;
			crc = (uint32_t)crc32(crc, sp->scratch, (uInt)n);
			pos += n;
			left -= n;
		}
	}
	return crc == r->crc;
}

/* The offset of the next valid record after a bad one at bad, or end. The
 * search reads the file in scratch-sized windows and tries each magic. */
static int64_t resync(struct spool *sp, int fd, uint64_t bad, uint64_t end,
		      uint64_t prev_seq)
{
	uint64_t pos = bad + 1;
	uint8_t win[4096 + 3];
	struct rhdr r;

	while (end >= HDR_LEN && pos <= end - HDR_LEN) {
		uint64_t avail = end - pos;
		size_t n = avail < sizeof(win) ? (size_t)avail : sizeof(win);
		int rc = read_full(fd, win, n, pos);

		if (rc)
			return rc;
		for (size_t i = 0; i + 4 <= n; i++) {
			if (get32(win + i) != REC_MAGIC)
				continue;
			rc = check_at(sp, fd, pos + i, end, prev_seq, false, &r);
			if (rc < 0)
				return rc;
			if (rc == 1)
				return (int64_t)(pos + i);
		}
		if (n < 4)
			break;
		pos += n - 3;   /* a magic may straddle two windows */
	}
	return (int64_t)end;
}

static int seg_open(struct spool *sp, uint64_t id, int flags)
{
	char name[SEG_NAME_LEN + 1];

	seg_name(id, name, sizeof(name));
	return openat(sp->dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/* Closes the segment being appended to; it will never grow again. */
static int close_writer(struct spool *sp)
{
	int rc = 0;

	if (sp->wfd < 0)
		return 0;
	if (sp->o.fsync != SPOOL_FSYNC_NONE && sp->dirty && fsync(sp->wfd))
		rc = -errno;
	close(sp->wfd);
	sp->wfd = -1;
	sp->dirty = false;
	return rc;
}

/* Removes segs[i] (file and index entry); the caller fixes the cursor. */
static void seg_remove(struct spool *sp, size_t i)
{
	char name[SEG_NAME_LEN + 1];
	struct seg *s = &sp->segs[i];

	if (i == sp->nsegs - 1)
		close_writer(sp);
	if (sp->rfd >= 0 && sp->rfd_id == s->id) {
		close(sp->rfd);
		sp->rfd = -1;
	}
	seg_name(s->id, name, sizeof(name));
	if (unlinkat(sp->dirfd, name, 0) && errno != ENOENT)
		note(sp, "%s: cannot delete: %s", name, strerror(errno));
	sp->c.disk_bytes -= s->disk;
	memmove(&sp->segs[i], &sp->segs[i + 1], (sp->nsegs - i - 1) * sizeof(*s));
	sp->nsegs--;
}

static void cursor_reset(struct spool *sp)
{
	sp->cur.si = 0;
	sp->cur.off = 0;
	sp->cur.done_rec = sp->cur.done_bytes = 0;
	sp->cur.gen++;
}

/* Drops the oldest segment to make room; its undelivered records are lost. */
static void drop_oldest(struct spool *sp, const char *why)
{
	struct seg *s = &sp->segs[0];
	uint64_t rec = 0, bytes = 0;
	char name[SEG_NAME_LEN + 1];

	if (sp->cur.si == 0) {
		rec = s->nrec - sp->cur.done_rec;
		bytes = s->bytes - sp->cur.done_bytes;
	}
	sp->c.dropped_records += rec;
	sp->c.dropped_bytes += bytes;
	sp->c.depth_records -= rec;
	sp->c.depth_bytes -= bytes;
	seg_name(s->id, name, sizeof(name));
	if (rec)
		note(sp, "%s: dropped %llu undelivered records (%llu bytes): %s",
		     name, (unsigned long long)rec, (unsigned long long)bytes, why);
	seg_remove(sp, 0);
	if (sp->cur.si == 0)
		cursor_reset(sp);
	else
		sp->cur.si--;
}

static int seg_push(struct spool *sp, const struct seg *s)
{
	if (sp->nsegs == sp->capsegs) {
		size_t ncap = sp->capsegs ? sp->capsegs * 2 : 16;
		struct seg *n = realloc(sp->segs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		sp->segs = n;
		sp->capsegs = ncap;
	}
	sp->segs[sp->nsegs++] = *s;
	return 0;
}

static int write_ack(struct spool *sp)
{
	uint8_t a[ACK_LEN];
	uint64_t segid = 0, off = 0;
	int fd, rc;

	if (sp->cur.si < sp->nsegs) {
		segid = sp->segs[sp->cur.si].id;
		off = sp->cur.off;
	}
	memset(a, 0, sizeof(a));
	put32(a, ACK_MAGIC);
	a[4] = 1;
	put64(a + 8, sp->ack_seq);
	put64(a + 16, segid);
	put64(a + 24, off);
	put32(a + 32, (uint32_t)crc32(0L, a, 32));

	fd = openat(sp->dirfd, "ack.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = write_full(fd, a, sizeof(a), 0);
	if (!rc && sp->o.fsync != SPOOL_FSYNC_NONE && fsync(fd))
		rc = -errno;
	close(fd);
	if (!rc && renameat(sp->dirfd, "ack.tmp", sp->dirfd, "ack"))
		rc = -errno;
	if (!rc)
		rc = fsync_dir(sp);
	if (!rc) {
		sp->ack_written = sp->ack_seq;
		sp->since_ack = 0;
		return 0;
	}
fail:
	sp->c.write_errors++;
	note(sp, "ack: cannot write: %s (delivered records may be delivered again)",
	     strerror(-rc));
	return rc;
}

/* Reads the ack file; a missing or damaged one means nothing acknowledged
 * (everything is replayed: duplicates, never loss). */
static void read_ack(struct spool *sp)
{
	uint8_t a[ACK_LEN + 1];
	int fd = openat(sp->dirfd, "ack", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	unlinkat(sp->dirfd, "ack.tmp", 0);
	if (fd < 0) {
		if (errno != ENOENT)
			note(sp, "ack: %s; replaying everything", strerror(errno));
		return;
	}
	n = read(fd, a, sizeof(a));
	close(fd);
	if (n != ACK_LEN || get32(a) != ACK_MAGIC || a[4] != 1 ||
	    get32(a + 32) != (uint32_t)crc32(0L, a, 32)) {
		note(sp, "ack: damaged; replaying everything (duplicates possible)");
		return;
	}
	sp->ack_seq = sp->ack_written = get64(a + 8);
}

/* Scans segs[i], open as fd, counting its records and damage; *last is
 * the seq of the last valid record seen in the segments before. */
static int scan_seg(struct spool *sp, size_t i, int fd, bool newest,
		    uint64_t *last, bool *cursor_set)
{
	struct seg *s = &sp->segs[i];
	char name[SEG_NAME_LEN + 1];
	uint64_t off = 0;
	struct rhdr r;

	seg_name(s->id, name, sizeof(name));
	while (off < s->end) {
		int rc = check_at(sp, fd, off, s->end, *last, false, &r);
		int64_t next;

		if (rc < 0)
			return rc;
		if (rc == 1) {
			uint64_t rl = HDR_LEN + (uint64_t)r.len;

			if (r.seq > sp->ack_seq && !*cursor_set) {
				/* The first record not yet delivered. */
				*cursor_set = true;
				sp->cur.si = i;
				sp->cur.off = off;
				sp->cur.done_rec = s->nrec;
				sp->cur.done_bytes = s->bytes;
				sp->cur.prev_seq = *last;
			}
			if (*cursor_set) {
				sp->c.depth_records++;
				sp->c.depth_bytes += rl;
			}
			if (r.seq >= sp->next_seq)
				sp->next_seq = r.seq + 1;
			*last = r.seq;
			s->nrec++;
			s->bytes += rl;
			off += rl;
			continue;
		}
		next = resync(sp, fd, off, s->end, *last);
		if (next < 0)
			return (int)next;
		if ((uint64_t)next == s->end && newest) {
			if (ftruncate(fd, (off_t)off))
				return -errno;
			/* durably, or a power cut brings the tail back behind
			 * the segments this process goes on to write */
			if (sp->o.fsync != SPOOL_FSYNC_NONE && fsync(fd))
				return -errno;
			sp->c.torn_tails++;
			note(sp, "%s: offset %llu: torn tail of %llu bytes cut off (interrupted write)",
			     name, (unsigned long long)off,
			     (unsigned long long)(s->end - off));
			sp->c.disk_bytes -= s->end - off;
			s->disk = s->end = off;
			break;
		}
		sp->c.corrupt_records++;
		note(sp, "%s: offset %llu: %llu unreadable bytes skipped (bad header or checksum)",
		     name, (unsigned long long)off, (unsigned long long)((uint64_t)next - off));
		if ((uint64_t)next == s->end)
			s->end = off;   /* nothing valid after: stop reading there */
		else
			off = (uint64_t)next;
	}
	s->checked = s->disk;
	return 0;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int load_segments(struct spool *sp, char *err, size_t errlen)
{
	int dfd = dup(sp->dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	bool cursor_set = false;
	uint64_t last = 0;

	if (!d) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		fail(sp, err, errlen, "cannot list the spool: %s", strerror(e));
		return -e;
	}
	while ((de = readdir(d))) {
		struct seg s;
		struct stat st;

		memset(&s, 0, sizeof(s));
		if (!parse_seg_name(de->d_name, &s.id))
			continue;
		if (fstatat(sp->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		s.disk = s.end = (uint64_t)st.st_size;
		if (seg_push(sp, &s)) {
			closedir(d);
			fail(sp, err, errlen, "out of memory");
			return -ENOMEM;
		}
		sp->c.disk_bytes += s.disk;
	}
	closedir(d);
	if (sp->nsegs)
		qsort(sp->segs, sp->nsegs, sizeof(*sp->segs), cmp_seg);

	sp->next_seq = sp->ack_seq + 1;
	for (size_t i = 0; i < sp->nsegs; i++) {
		bool newest = i == sp->nsegs - 1;
		int fd = seg_open(sp, sp->segs[i].id, newest ? O_RDWR : O_RDONLY);
		char name[SEG_NAME_LEN + 1];
		int rc;

		seg_name(sp->segs[i].id, name, sizeof(name));
		if (fd < 0) {
			rc = -errno;
			fail(sp, err, errlen, "%s: %s", name, strerror(-rc));
			return rc;
		}
		rc = scan_seg(sp, i, fd, newest, &last, &cursor_set);
		close(fd);
		if (rc) {
			fail(sp, err, errlen, "%s: %s", name, strerror(-rc));
			return rc;
		}
		if (sp->segs[i].id >= sp->next_seq)
			sp->next_seq = sp->segs[i].id + 1;
	}
	if (!cursor_set) {
		/* Everything was delivered (or nothing is readable). */
		while (sp->nsegs)
			seg_remove(sp, 0);
		cursor_reset(sp);
		sp->cur.prev_seq = last;
	}
	/* Segments before the cursor were delivered before a crash; segments
	 * left empty (a torn first record) hold nothing. */
	for (size_t i = 0; i < sp->nsegs;) {
		if (i < sp->cur.si || sp->segs[i].disk == 0) {
			seg_remove(sp, i);
			if (sp->cur.si > i)
				sp->cur.si--;
		} else {
			i++;
		}
	}
	while (sp->nsegs && sp->c.disk_bytes > sp->o.max_bytes)
		drop_oldest(sp, "over max_bytes at open");
	return 0;
}

static int mkdir_p(const char *dir)
{
	char path[4096];
	size_t n = str_copy(path, dir, sizeof(path));

	if (n >= sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

struct spool *spool_open(const char *dir, const struct spool_opts *opts,
			 char *err, size_t errlen)
{
	struct spool *sp = calloc(1, sizeof(*sp));
	int rc;

	if (!sp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opts)
		sp->o = *opts;
	if (!sp->o.max_bytes)
		sp->o.max_bytes = 1ull << 30;
	if (!sp->o.segment_bytes)
		sp->o.segment_bytes = 4ull << 20;
	if (sp->o.segment_bytes > sp->o.max_bytes / 4)
		sp->o.segment_bytes = sp->o.max_bytes / 4 ? sp->o.max_bytes / 4 : 1;
	if (!sp->o.max_record || sp->o.max_record > SPOOL_MAX_RECORD)
		sp->o.max_record = SPOOL_MAX_RECORD;
	if (!sp->o.fsync_interval_ms)
		sp->o.fsync_interval_ms = 200;
	if (!sp->o.ack_every)
		sp->o.ack_every = 64;
	sp->dirfd = sp->lockfd = sp->wfd = sp->rfd = -1;
	if (pthread_mutex_init(&sp->mu, NULL)) {
		snprintf(err, errlen, "mutex: out of resources");
		free(sp);
		return NULL;
	}

	rc = mkdir_p(dir);
	if (rc) {
		snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(-rc));
		goto fail;
	}
	sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	sp->lockfd = openat(sp->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sp->lockfd < 0) {
		snprintf(err, errlen, "%s/lock: %s", dir, strerror(errno));
		goto fail;
	}
	if (flock(sp->lockfd, LOCK_EX | LOCK_NB)) {
		snprintf(err, errlen, "%s: in use by another process (%s)", dir,
			 strerror(errno));
		goto fail;
	}
	read_ack(sp);
	if (load_segments(sp, err, errlen))
		goto fail;
	sp->last_sync_ms = time_mono_ms();
	return sp;

fail:
	spool_close(sp);
	return NULL;
}

/* Opens a new segment for appending, named after the next seq. */
static int open_writer(struct spool *sp, char *err, size_t errlen)
{
	struct seg s;
	char name[SEG_NAME_LEN + 1];
	int rc;

	memset(&s, 0, sizeof(s));
	s.id = sp->next_seq;
	seg_name(s.id, name, sizeof(name));
	sp->wfd = seg_open(sp, s.id, O_WRONLY | O_CREAT | O_EXCL);
	if (sp->wfd < 0) {
		rc = -errno;
		fail(sp, err, errlen, "%s: cannot create: %s", name, strerror(-rc));
		return rc;
	}
	rc = seg_push(sp, &s);
	if (rc) {
		close(sp->wfd);
		sp->wfd = -1;
		unlinkat(sp->dirfd, name, 0);
		fail(sp, err, errlen, "out of memory");
		return rc;
	}
	rc = fsync_dir(sp);
	if (rc) {
		fail(sp, err, errlen, "%s: fsync of the directory: %s", name,
		     strerror(-rc));
		close(sp->wfd);
		sp->wfd = -1;
		seg_remove(sp, sp->nsegs - 1);
	}
	return rc;
}

static int append_locked(struct spool *sp, const void *data, size_t len,
			 char *err, size_t errlen)
{
	uint64_t reclen = HDR_LEN + (uint64_t)len;
	uint8_t h[HDR_LEN];
	struct rhdr r;
	struct seg *s;
	char name[SEG_NAME_LEN + 1];
	uint32_t crc;
	int rc;

	if (len == 0 || len > sp->o.max_record || reclen > sp->o.max_bytes) {
		sp->c.rejected_records++;
		fail(sp, err, errlen, "record of %zu bytes refused (limits: 1..%u, spool %llu)",
		     len, sp->o.max_record, (unsigned long long)sp->o.max_bytes);
		return -EMSGSIZE;
	}
	if (sp->wfd >= 0 && sp->segs[sp->nsegs - 1].disk > 0 &&
	    sp->segs[sp->nsegs - 1].disk + reclen > sp->o.segment_bytes) {
		rc = close_writer(sp);
		if (rc) {
			sp->c.write_errors++;
			note(sp, "segment fsync at rotation: %s", strerror(-rc));
		}
	}
	while (sp->nsegs && sp->c.disk_bytes + reclen > sp->o.max_bytes)
		drop_oldest(sp, "spool full (max_bytes)");
	if (sp->wfd < 0) {
		rc = open_writer(sp, err, errlen);
		if (rc) {
			sp->c.write_errors++;
			return rc;
		}
	}
	s = &sp->segs[sp->nsegs - 1];
	seg_name(s->id, name, sizeof(name));

	r.len = (uint32_t)len;
	r.seq = sp->next_seq;
	r.time_us = now_us();
	encode_hdr(h, &r);
	crc = (uint32_t)crc32(0L, h, HDR_LEN);
	crc = (uint32_t)crc32(crc, data, (uInt)len);
	put32(h + 12, crc);

	rc = write_full(sp->wfd, h, HDR_LEN, s->disk);
	if (!rc)
		rc = write_full(sp->wfd, data, len, s->disk + HDR_LEN);
	if (!rc && sp->o.fsync == SPOOL_FSYNC_ALWAYS && fdatasync(sp->wfd))
		rc = -errno;
	if (rc) {
		/* Leave no part of the record behind. */
		sp->c.write_errors++;
		fail(sp, err, errlen, "%s: append: %s", name, strerror(-rc));
		if (ftruncate(sp->wfd, (off_t)s->disk)) {
			/* Cannot cut it: never write to this file again; the
			 * readers stop at s->end and the next open skips it. */
			close_writer(sp);
		}
		if (s->disk == 0) {
			close_writer(sp);
			seg_remove(sp, sp->nsegs - 1);
			if (sp->cur.si > sp->nsegs)
				sp->cur.si = sp->nsegs;
		}
		return rc;
	}
	s->disk += reclen;
	s->end = s->disk;
	s->nrec++;
	s->bytes += reclen;
	sp->c.disk_bytes += reclen;
	sp->c.depth_records++;
	sp->c.depth_bytes += reclen;
	sp->c.records_appended++;
	sp->next_seq++;
	sp->dirty = sp->o.fsync != SPOOL_FSYNC_ALWAYS;
	if (sp->o.fsync == SPOOL_FSYNC_BATCH &&
	    time_mono_ms() - sp->last_sync_ms >= sp->o.fsync_interval_ms) {
		sp->last_sync_ms = time_mono_ms();
		if (fdatasync(sp->wfd)) {
			sp->c.write_errors++;
			note(sp, "%s: fsync: %s", name, strerror(errno));
		} else {
			sp->dirty = false;
		}
	}
	return 0;
}

int spool_append(struct spool *sp, const void *data, size_t len,
		 char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&sp->mu);
	rc = append_locked(sp, data, len, err, errlen);
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

/* Moves the cursor to the next valid record and loads it into rbuf.
 * Returns 1 with *r filled, 0 if none waits, or a negative errno. */
static int next_record(struct spool *sp, struct rhdr *r)
{
	for (;;) {
		struct seg *s;
		char name[SEG_NAME_LEN + 1];
		int64_t next;
		int rc;

		if (sp->cur.si >= sp->nsegs)
			return 0;
		s = &sp->segs[sp->cur.si];
		if (sp->cur.off >= s->end) {
			if (sp->cur.si + 1 >= sp->nsegs)
				return 0;
			sp->cur.si++;
			sp->cur.off = 0;
			sp->cur.done_rec = sp->cur.done_bytes = 0;
			continue;
		}
		if (sp->rfd < 0 || sp->rfd_id != s->id) {
			if (sp->rfd >= 0)
				close(sp->rfd);
			sp->rfd = seg_open(sp, s->id, O_RDONLY);
			if (sp->rfd < 0)
				return -errno;
			sp->rfd_id = s->id;
		}
		rc = check_at(sp, sp->rfd, sp->cur.off, s->end, sp->cur.prev_seq, true, r);
		if (rc)
			return rc;
		next = resync(sp, sp->rfd, sp->cur.off, s->end, sp->cur.prev_seq);
		if (next < 0)
			return (int)next;
		if (sp->cur.off >= s->checked) {
			seg_name(s->id, name, sizeof(name));
			sp->c.corrupt_records++;
			note(sp, "%s: offset %llu: %llu unreadable bytes skipped (bad header or checksum)",
			     name, (unsigned long long)sp->cur.off,
			     (unsigned long long)((uint64_t)next - sp->cur.off));
			s->checked = (uint64_t)next;
		}
		sp->cur.off = (uint64_t)next;
	}
}

/* Deletes the segments the cursor has passed; the write segment too once
 * everything in it is delivered. */
static void remove_delivered(struct spool *sp)
{
	while (sp->cur.si > 0) {
		seg_remove(sp, 0);
		sp->cur.si--;
	}
	while (sp->nsegs && sp->cur.off >= sp->segs[0].end) {
		seg_remove(sp, 0);
		sp->cur.off = sp->cur.done_rec = sp->cur.done_bytes = 0;
	}
}

int spool_replay(struct spool *sp, spool_deliver_fn deliver, void *arg,
		 size_t max_records)
{
	int n = 0, rc = 0;

	pthread_mutex_lock(&sp->mu);
	if (sp->replaying) {
		pthread_mutex_unlock(&sp->mu);
		return -EBUSY;
	}
	sp->replaying = true;
	while (!max_records || (size_t)n < max_records) {
		struct rhdr r;
		uint64_t gen;
		int ans;

		rc = next_record(sp, &r);
		if (rc < 0) {
			note(sp, "replay: read error: %s", strerror(-rc));
			break;
		}
		if (rc == 0)
			break;
		gen = sp->cur.gen;
		pthread_mutex_unlock(&sp->mu);
		ans = deliver(arg, sp->rbuf, r.len, r.seq);
		pthread_mutex_lock(&sp->mu);
		if (ans < 0)
			break;
		n++;
		if (sp->ack_seq < r.seq)
			sp->ack_seq = r.seq;
		if (gen == sp->cur.gen) {
			/* Still where it was: not dropped while delivered. */
			sp->cur.off += HDR_LEN + (uint64_t)r.len;
			sp->cur.done_rec++;
			sp->cur.done_bytes += HDR_LEN + (uint64_t)r.len;
			sp->cur.prev_seq = r.seq;
			sp->c.depth_records--;
			sp->c.depth_bytes -= HDR_LEN + (uint64_t)r.len;
			if (ans > 0) {
				sp->c.dropped_records++;
				sp->c.dropped_bytes += HDR_LEN + (uint64_t)r.len;
				note(sp, "record %llu (%u bytes) discarded by the consumer",
				     (unsigned long long)r.seq, r.len);
			}
		}
		if (ans == 0)
			sp->c.records_replayed++;
		if (++sp->since_ack >= sp->o.ack_every)
			write_ack(sp);
	}
	/* Deleting delivered records is safe before the ack is durable (a
	 * stale ack re-delivers, never loses), and on a full disk it frees
	 * the room the ack file needs. */
	if (sp->ack_written != sp->ack_seq)
		write_ack(sp);
	remove_delivered(sp);
	if (sp->ack_written != sp->ack_seq)
		write_ack(sp);
	sp->replaying = false;
	pthread_mutex_unlock(&sp->mu);
	return n;
}

int spool_sync(struct spool *sp)
{
	int rc = 0;

	pthread_mutex_lock(&sp->mu);
	if (sp->wfd >= 0 && fdatasync(sp->wfd)) {
		rc = -errno;
		sp->c.write_errors++;
		note(sp, "fsync: %s", strerror(errno));
	} else {
		sp->dirty = false;
		sp->last_sync_ms = time_mono_ms();
	}
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

void spool_counters(struct spool *sp, struct spool_counters *out)
{
	pthread_mutex_lock(&sp->mu);
	*out = sp->c;
	out->segments = sp->nsegs;
	pthread_mutex_unlock(&sp->mu);
}

void spool_last_error(struct spool *sp, char *buf, size_t size)
{
	pthread_mutex_lock(&sp->mu);
	str_copy(buf, sp->last_error, size);
	pthread_mutex_unlock(&sp->mu);
}

void spool_close(struct spool *sp)
{
	if (!sp)
		return;
	if (sp->dirfd >= 0 && sp->ack_written != sp->ack_seq)
		write_ack(sp);
	close_writer(sp);
	if (sp->rfd >= 0)
		close(sp->rfd);
	if (sp->lockfd >= 0)
		close(sp->lockfd);  /* releases the lock */
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	pthread_mutex_destroy(&sp->mu);
	free(sp->segs);
	free(sp->rbuf);
	free(sp);
}
