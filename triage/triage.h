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
#include "redis.h"

struct hd_redis;

struct triage_options {
	char *config;
	struct hd_redis_settings redis;
	char *as;         /* analyst identity (default: login name) */
	char *lang;       /* vi, en, or "" for the locale */
	bool read_only;
	char *playbooks;  /* directory of the playbooks ("": the default, checklist.c) */
};

struct triage {
	struct triage_options o;
	bool vi;
	struct hd_redis *conn;   /* connected on first use */
	const char *who;
	struct triage_playbooks *pb;  /* the playbooks, read on first use (checklist.c) */
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
	int64_t first_ms, last_ms, created_ms;
	char status[24], assignee[128];
	uint64_t version;
	char merged_into[QUEUE_ID_MAX];   /* status duplicate: the survivor */
	char updated_by[128];             /* the last change to the case: who, when */
	int64_t updated_ms, escalated_ms;
	char playbook[48];                /* the id of the playbook serving it, "" if none */
	unsigned pb_done, pb_steps;       /* its checklist: steps ticked, steps */
};

/* An estimated damage in đồng (digits with '.', ',', ' ' or '_' between
 * groups) into *out; 0 or -1 (summary.c). */
int summary_parse_damage(const char *s, uint64_t *out);

/* Sets the ticket field a detection or case hash field names (the
 * others are ignored). */
void tickets_put_field(struct ticket *k, const char *field, const char *value);

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

/* What a list asks for (the options of "list"); NULL and 0 do not filter.
 * status: a state or "open" (not resolved, false_positive, duplicate);
 * sort: "urgency" (NULL), "time", "count", "score" or "agency"; limit 0:
 * every ticket. The first page by urgency costs the same with 100 or
 * 100,000 tickets (docs/triage.md, Speed). */
struct tickets_query {
	const char *status, *severity, *agency, *category, *search, *sort;
	int64_t since_ms;
	long limit;
};
/* The tickets, sorted and cut to the limit, in a malloc'd array the
 * caller frees (free()). Returns 0, or -1 (message printed). */
int tickets_list(struct triage *t, const struct tickets_query *q, struct ticket **out,
		 size_t *n);

/* A ticket as a JSON object (member key, or NULL in an array) left open:
 * the caller adds fields and closes. What list --json prints, with the
 * deadline at now_ms (deadline_left_s, overdue, report_now). */
struct jw;
void tickets_json_open(struct jw *w, const char *key, const struct ticket *k, int64_t now_ms);

extern const struct triage_cmd cmd_list, cmd_show, cmd_sensors, cmd_admin, cmd_report, cmd_tui;
extern const struct triage_cmd cmd_summary;   /* summary.c */
/* verbs.c */
extern const struct triage_cmd cmd_record;
extern const struct triage_cmd cmd_claim, cmd_assign, cmd_status, cmd_note, cmd_merge,
	cmd_escalate, cmd_reopen, cmd_history, cmd_watch;
/* checklist.c */
extern const struct triage_cmd cmd_playbook;

#endif
