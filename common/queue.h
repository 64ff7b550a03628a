/*
 * queue.h - the incident queue's schema in Redis, shared by the sensor
 * (which publishes) and the triage console (which reads and changes).
 *
 * docs/queue.md is the reference: key names, the ingest script and its
 * idempotence, the access rights. This module knows the key names, turns a
 * sensor's EVE incident event into the ingest script's arguments, and
 * interprets the script's reply. It does no I/O of its own beyond the
 * commands it appends to a connection the caller owns.
 */
#ifndef HAIDANG_QUEUE_H
#define HAIDANG_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hd_redis;
struct hd_redis_script;
struct redisReply;

#define QUEUE_SLUG_MAX 49    /* 48 characters and the terminator */
#define QUEUE_ID_MAX 33      /* 32 hex digits */
#define QUEUE_KEY_MAX 192

/* The agency's key tag: letters folded to ASCII [a-z0-9] (Vietnamese marks
 * dropped, đ -> d), other runs of characters to one '-', trimmed, at most
 * 48 characters; "unknown" when nothing is left. */
void queue_slug(const char *agency, char out[QUEUE_SLUG_MAX]);

/* "hd:{slug}:what:id" (id NULL: "hd:{slug}:what"). Returns 0, or -1 if the
 * key does not fit in size. */
int queue_key(char *buf, size_t size, const char *slug, const char *what, const char *id);

/* One incident record as a sensor publishes it: the "incident" object of
 * an EVE incident event. Strings are bounded copies; evidence is the JSON
 * text of the evidence array, owned (queue_record_free). */
struct queue_record {
	char id[QUEUE_ID_MAX];
	char run[48];              /* sensor run and incident incarnation */
	char sensor[128];
	char agency[256];
	char slug[QUEUE_SLUG_MAX];
	char category[48];
	char category_vi[96];
	unsigned national_type;
	char severity[16];
	unsigned sev_rank;         /* 0 none .. 4 critical */
	uint64_t score;
	char host[64], peer[64];
	char indicator[1024];
	char first_seen[40], last_seen[40];
	int64_t first_ms, last_ms;
	uint64_t count;
	char *evidence;
	size_t evidence_len;
};

/* Parses one EVE line (an incident event). Returns 0, or -1 with a reason
 * in err (not JSON, not an incident, a field missing or out of range). */
int queue_record_parse(const char *line, size_t len, struct queue_record *r,
		       char *err, size_t errlen);
void queue_record_free(struct queue_record *r);

/* The ingest script (docs/queue.md), for hd_redis_script_init. */
extern const char queue_ingest_lua[];

/* The ingest script's call for r: argv[0..2] are EVALSHA, the script's
 * SHA-1 and the key count, then the keys and the arguments (so argv + 3 is
 * what hd_redis_script_call takes). Points into r and into itself. */
#define QUEUE_INGEST_KEYS 1
struct queue_args {
	int argc;
	const char *argv[3 + QUEUE_INGEST_KEYS + 20];
	size_t lens[3 + QUEUE_INGEST_KEYS + 20];
	char keys[QUEUE_INGEST_KEYS][QUEUE_KEY_MAX];
	char num[7][24];
};
/* Returns 0, or -1 if a key does not fit. now_ms is the wall clock. */
int queue_ingest_args(const struct queue_record *r, const struct hd_redis_script *s,
		      int64_t now_ms, struct queue_args *a);
/* Appends (pipelines) the call on c. Returns 0 or -1 (hd_redis_error). */
int queue_ingest_append(struct hd_redis *c, const struct hd_redis_script *s,
			const struct queue_record *r, int64_t now_ms);

/* What one ingest reply means. */
enum queue_reply {
	QUEUE_OK,           /* stored; *created says whether the ticket is new */
	QUEUE_NOSCRIPT,     /* the server lost the script: load it, send again */
	QUEUE_RETRY,        /* refused for now (READONLY, OOM, LOADING, BUSY, MISCONF,
			       TRYAGAIN, ...): spool and send later */
	QUEUE_REJECTED,     /* refused for good (NOPERM, a script error): keep and report */
};
enum queue_reply queue_ingest_result(const struct redisReply *rep, bool *created,
				     char *err, size_t errlen);

/* Milliseconds since the epoch of an ISO 8601 time as the sensor writes it
 * ("2026-11-27T06:23:05.058020+00:00"); -1 if it is not one. */
int64_t queue_iso_ms(const char *s);

#endif
