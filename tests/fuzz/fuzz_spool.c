/*
 * fuzz_spool.c - libFuzzer target: the spool reader (sensor/spool.c) on
 * whatever a disk may hold. The input becomes the segment files (and
 * maybe the ack file) of a spool directory; the spool is opened (scan,
 * torn tail cut, damage skipped), maybe appended to, and replayed into
 * what publish.c does with each record on the way back to Redis: parse it
 * as an incident (queue.c) and build the ingest call.
 *
 * Input: a flag byte, then with bit 1 the 40 bytes of the ack file, then
 * up to three segments, each a 16-bit big-endian length and its bytes.
 * Flags: bit 0 fixes the CRC-32 of every record (and of the ack) the
 * harness can find, so mutations get past the checksum; bit 2 appends a
 * record after the open; bit 3 discards records with an odd sequence
 * number; bit 4 stops delivery once (the consumer is down) and replays
 * again; bits 5-6 replay at most 1, 2 or 3 records per call (0: all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "fuzz.h"
#include "queue.h"
#include "redis.h"
#include "spool.h"

#include "banned.h"

#define HDR 32
#define ACK_LEN 40
#define MAX_SEGMENTS 3

static const char record[] =
	"{\"event_type\":\"incident\",\"incident\":{\"id\":\"0123456789abcdef0123456789abcdef\"}}";

struct consumer {
	uint8_t flags;
	bool refused_once;
	struct hd_redis_script script;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Gives every record found in buf the CRC it should have. */
static void fix_records(uint8_t *buf, size_t n)
{
	size_t o = 0;

	while (n >= HDR && o <= n - HDR) {
		uint32_t len, crc;

		if (memcmp(buf + o, "HDSP", 4)) {
			o++;
			continue;
		}
		len = le32(buf + o + 8);
		if (!len || len > n - HDR - o) {
			o++;
			continue;
		}
		put_le32(buf + o + 12, 0);
		crc = (uint32_t)crc32(0L, buf + o, HDR);
		crc = (uint32_t)crc32(crc, buf + o + HDR, len);
		put_le32(buf + o + 12, crc);
		o += HDR + len;
	}
}

static int deliver(void *arg, const void *data, size_t len, uint64_t seq)
{
	struct consumer *c = arg;
	struct queue_record r;
	struct queue_args a;
	char err[512];
	int rc = SPOOL_DELIVERED;

	if (!data || !len)
		abort(); /* records are never empty */
	if (c->flags & 16 && !c->refused_once) {
		c->refused_once = true;
		return -1;
	}
	if (c->flags & 8 && seq & 1)
		return SPOOL_DISCARD;
	if (queue_record_parse(data, len, &r, err, sizeof(err)))
		return SPOOL_DISCARD;
	if (queue_ingest_args(&r, &c->script, 1767225600000, &a))
		rc = SPOOL_DISCARD;
	queue_record_free(&r);
	return rc;
}

static int write_piece(const char *path, const uint8_t *data, size_t len, bool fix)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	if (!copy)
		return -1;
	memcpy(copy, data, len);
	if (fix)
		fix_records(copy, len);
	rc = fuzz_write_file(path, copy, len);
	free(copy);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t first_seq[MAX_SEGMENTS] = { 1, 100, 200 };
	struct fuzz_in in = { data, size };
	struct consumer c = { .flags = fuzz_u8(&in, 0) };
	struct spool_opts o = { .fsync = SPOOL_FSYNC_NONE, .ack_every = 2,
				.max_bytes = 1 << 20, .segment_bytes = 1 << 16 };
	const char *scratch = fuzz_scratch();
	char dir[300], path[360], err[256];
	struct spool_counters cnt;
	size_t per = (c.flags >> 5) & 3;
	const uint8_t *seg;
	struct spool *sp;
	size_t len;

	if (!scratch || hd_redis_script_init(&c.script, queue_ingest_lua))
		return 0;
	snprintf(dir, sizeof(dir), "%s/spool", scratch);
	mkdir(dir, 0700);
	fuzz_clear_dir(dir, false);
	if (c.flags & 2 && in.n >= ACK_LEN) {
		uint8_t ack[ACK_LEN];

		memcpy(ack, in.p, ACK_LEN);
		in.p += ACK_LEN;
		in.n -= ACK_LEN;
		if (c.flags & 1)
			put_le32(ack + 32, (uint32_t)crc32(0L, ack, 32));
		snprintf(path, sizeof(path), "%s/ack", dir);
		if (fuzz_write_file(path, ack, sizeof(ack)))
			return 0;
	}
	for (int i = 0; i < MAX_SEGMENTS && fuzz_piece(&in, &seg, &len); i++) {
		snprintf(path, sizeof(path), "%s/spool-%020llu.log", dir,
			 (unsigned long long)first_seq[i]);
		if (write_piece(path, seg, len, c.flags & 1))
			return 0;
	}
	sp = spool_open(dir, &o, err, sizeof(err));
	if (sp) {
		if (c.flags & 4)
			spool_append(sp, record, sizeof(record) - 1, err, sizeof(err));
		/* replay until nothing is left, as the publisher does */
		for (int round = 0; round < 64; round++) {
			int n = spool_replay(sp, deliver, &c, per);

			spool_counters(sp, &cnt);
			if (n < 0 || (n == 0 && !(c.flags & 16 && round == 0)) || !cnt.depth_records)
				break;
		}
		spool_last_error(sp, err, sizeof(err));
		spool_close(sp);
	}
	fuzz_clear_dir(dir, false);
	return 0;
}
