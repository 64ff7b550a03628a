/*
 * triage.h - what the parts of haidang-triage share: the connection and
 * settings every command gets, the command table, and the ticket as read
 * from the queue (docs/queue.md).
 */
#ifndef HAIDANG_TRIAGE_H
#define HAIDANG_TRIAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "queue.h"

struct hd_redis;

struct triage_options {
	char *config;
	char *redis;
	char *redis_user, *redis_password_file, *redis_ca, *redis_cert, *redis_key, *redis_sni;
	uint64_t redis_timeout_ms;
	char *as;         /* analyst identity (default: login name) */
	char *lang;       /* vi, en, or "" for the locale */
	bool read_only;
};

struct triage {
	struct triage_options o;
	bool vi;
	struct hd_redis *conn;   /* connected on first use */
	const char *who;
};

struct triage_cmd {
	const char *name;
	const char *synopsis;
	const char *summary_en, *summary_vi;
	bool writes;   /* refused under --read-only */
	int (*run)(struct triage *t, int argc, char **argv);
};

/* Connects (once) with the global options; prints the reason and returns
 * NULL when it cannot. */
struct hd_redis *triage_conn(struct triage *t);
/* One message in the user's language, to stderr, "haidang-triage: ...". */
void triage_err(const struct triage *t, const char *en, const char *vi, ...);

/* A ticket: the detection hash joined with the case hash. */
struct ticket {
	char id[QUEUE_ID_MAX];
	char slug[QUEUE_SLUG_MAX];
	char agency[256], sensor[128];
	char category[48], category_vi[96];
	unsigned national_type;
	char severity[16];
	unsigned sev_rank;
	uint64_t score, count;
	char host[64], peer[64];
	char indicator[1024];
	char first_seen[40], last_seen[40];
	int64_t last_ms, created_ms;
	char status[24], assignee[128];
	uint64_t version;
};

/* The slugs of every agency in the queue (hd:agencies); *n gets the count.
 * Returns a malloc'd array of malloc'd strings, or NULL (message printed). */
char **tickets_agencies(struct triage *t, size_t *n);
void tickets_free_agencies(char **v, size_t n);
/* Finds the ticket whose id is or starts with idp; fills slug and the full
 * id. Returns 0, -1 if none (message printed), -2 if ambiguous. */
int tickets_resolve(struct triage *t, const char *idp, char slug[QUEUE_SLUG_MAX],
		    char id[QUEUE_ID_MAX]);
/* Reads one ticket. Returns 0 or -1 (message printed). */
int tickets_read(struct triage *t, const char *slug, const char *id, struct ticket *k);

extern const struct triage_cmd cmd_list, cmd_show, cmd_sensors, cmd_admin, cmd_tui;

#endif
