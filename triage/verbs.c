/*
 * verbs.c - the analyst's changing verbs on the command line: claim,
 * assign, status, note, merge, escalate, reopen; and "history" (prints the
 * audit chain and checks it) and "watch" (follows the agencies' streams).
 *
 * Each changing verb resolves the ID (a unique prefix is enough), calls
 * the action (actions.c: one atomic script in Redis) and reports: a line,
 * or JSON with --json; a refusal goes to stderr in the analyst's language
 * and exits 1 (2: usage, or the queue unreachable). --version N passes the
 * version the analyst read, so a change made since is refused rather than
 * overwritten.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "actions.h"
#include "jsonw.h"
#include "redis.h"
#include "triage.h"
#include "util.h"
#include "banned.h"

struct verb_args {
	const char *pos[2];
	int npos;
	int64_t expect;     /* -1: any */
	bool json;
	const char *note;   /* status --note */
	long count;         /* watch --count */
	const char *help_domestic, *help_foreign, *damage; /* record */
	const char *send, *out, *number, *config;          /* escalate --send */
};

static int usage(const struct triage *t, const struct triage_cmd *c)
{
	fprintf(stderr, "%s: haidang-triage %s %s\n", t->vi ? "Cách dùng" : "Usage", c->name, c->synopsis);
	return 2;
}

/* Positional arguments (exactly want) and the options every verb knows. */
static int parse(const struct triage *t, const struct triage_cmd *c, int argc, char **argv,
		 int want, struct verb_args *a)
{
	memset(a, 0, sizeof(*a));
	a->expect = -1;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		uint64_t v;

		if (!strcmp(o, "--json")) {
			a->json = true;
		} else if (!strcmp(o, "--version") && i + 1 < argc && strstr(c->synopsis, "--version")) {
			if (parse_u64(argv[++i], 0, INT64_MAX, &v)) {
				triage_err(t, "--version: '%s' is not a version number",
					   "--version: '%s' không phải số phiên bản", argv[i]);
				return 2;
			}
			a->expect = (int64_t)v;
		} else if (!strcmp(o, "--note") && i + 1 < argc && strstr(c->synopsis, "--note")) {
			a->note = argv[++i];
		} else if (!strcmp(o, "--help-domestic") && i + 1 < argc && strstr(c->synopsis, o)) {
			a->help_domestic = argv[++i];
		} else if (!strcmp(o, "--help-foreign") && i + 1 < argc && strstr(c->synopsis, o)) {
			a->help_foreign = argv[++i];
		} else if (!strcmp(o, "--damage") && i + 1 < argc && strstr(c->synopsis, o)) {
			a->damage = argv[++i];
		} else if (!strcmp(o, "--send") && i + 1 < argc && strstr(c->synopsis, o)) {
			a->send = argv[++i];
		} else if (!strcmp(o, "-o") && i + 1 < argc && strstr(c->synopsis, "-o FILE")) {
			a->out = argv[++i];
		} else if (!strcmp(o, "--number") && i + 1 < argc && strstr(c->synopsis, o)) {
			a->number = argv[++i];
		} else if (!strcmp(o, "--config") && i + 1 < argc && strstr(c->synopsis, "--config")) {
			a->config = argv[++i];
		} else if (!strcmp(o, "--count") && i + 1 < argc && strstr(c->synopsis, "--count")) {
			if (parse_u64(argv[++i], 1, 1000000000, &v))
				return usage(t, c);
			a->count = (long)v;
		} else if (!strcmp(o, "--")) {
			while (++i < argc && a->npos < want)
				a->pos[a->npos++] = argv[i];
			if (i < argc)
				return usage(t, c);
		} else if (o[0] == '-' && o[1]) {
			return usage(t, c);
		} else if (a->npos < want) {
			a->pos[a->npos++] = o;
		} else {
			return usage(t, c);
		}
	}
	return a->npos == want ? 0 : usage(t, c);
}

/* What was done, for people. */
static const char *done_text(const struct triage *t, const char *action)
{
	static const struct { const char *action, *en, *vi; } d[] = {
		{ "claim", "claimed", "đã nhận xử lý" },
		{ "assign", "assigned", "đã giao" },
		{ "status", "status set", "đã đổi trạng thái" },
		{ "note", "note added to", "đã thêm ghi chú cho" },
		{ "merge", "merged", "đã gộp" },
		{ "escalate", "escalated (report to the national centre)",
		  "đã chuyển lên cấp trên (báo cáo Trung tâm quốc gia)" },
		{ "reopen", "reopened", "đã mở lại" },
		{ "record", "recorded help and damage for", "đã ghi nhận hỗ trợ và thiệt hại cho" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(d); i++)
		if (!strcmp(d[i].action, action))
			return t->vi ? d[i].vi : d[i].en;
	return action;
}

/* Prints the outcome; returns the exit status. */
static int report(const struct triage *t, const char *action, const char *id,
		  const char *extra, const struct action_result *r, bool json)
{
	if (json) {
		struct jw w;

		jw_init(&w, 1u << 16);
		jw_obj_open(&w, NULL);
		jw_bool(&w, "ok", r->rc == 0);
		jw_str(&w, "action", action);
		jw_str(&w, "id", id);
		jw_str(&w, "result", r->reason);
		jw_uint(&w, "version", r->version);
		if (!strcmp(action, "merge") && r->rc == 0)
			jw_uint(&w, "into_version", r->into_version);
		if (r->holder[0])
			jw_str(&w, "holder", r->holder);
		if (r->rc)
			jw_str(&w, "message", r->msg);
		jw_obj_close(&w);
		fwrite(w.buf, 1, w.len, stdout);
		fputc('\n', stdout);
		jw_finish(&w);
	}
	if (r->rc) {
		fprintf(stderr, "haidang-triage: %s: %s\n", action, r->msg);
		return r->rc;
	}
	if (!json) {
		if (!strcmp(r->reason, "already"))
			printf(t->vi ? "%s: không có gì thay đổi (v%" PRIu64 ")\n"
				     : "%s: nothing to change (v%" PRIu64 ")\n", id, r->version);
		else
			printf("%s %s%s%s (v%" PRIu64 ")\n", done_text(t, action), id,
			       extra ? " " : "", extra ? extra : "", r->version);
	}
	return 0;
}

/* Resolves pos[0] to slug and id; 0, or an exit status. */
static int resolve(struct triage *t, const char *idp, char slug[QUEUE_SLUG_MAX],
		   char id[QUEUE_ID_MAX])
{
	if (!triage_conn(t))
		return 2;
	return tickets_resolve(t, idp, slug, id) ? 1 : 0;
}

static int run_claim(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct action_result r;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX];
	int rc;

	if ((rc = parse(t, &cmd_claim, argc, argv, 1, &a)) || (rc = resolve(t, a.pos[0], slug, id)))
		return rc;
	actions_claim(t, slug, id, a.expect, &r);
	return report(t, "claim", id, NULL, &r, a.json);
}

static int run_assign(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct action_result r;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX], extra[160];
	const char *user;
	int rc;

	if ((rc = parse(t, &cmd_assign, argc, argv, 2, &a)) || (rc = resolve(t, a.pos[0], slug, id)))
		return rc;
	user = !strcmp(a.pos[1], "-") ? "" : a.pos[1];
	actions_assign(t, slug, id, user, a.expect, &r);
	snprintf(extra, sizeof(extra), "→ %s", *user ? user : "-");
	return report(t, "assign", id, extra, &r, a.json);
}

static int run_status(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct action_result r;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX], extra[96];
	int rc;

	if ((rc = parse(t, &cmd_status, argc, argv, 2, &a)))
		return rc;
	if (!actions_state_name(a.pos[1], false)) {
		triage_err(t, "status: '%s' is not a state (new, triaged, in_progress, contained, "
			   "resolved, false_positive, escalated)",
			   "status: '%s' không phải một trạng thái (new, triaged, in_progress, contained, "
			   "resolved, false_positive, escalated)", a.pos[1]);
		return 1;
	}
	if ((rc = resolve(t, a.pos[0], slug, id)))
		return rc;
	actions_status(t, slug, id, a.pos[1], a.note, a.expect, &r);
	snprintf(extra, sizeof(extra), "→ %s", a.pos[1]);
	return report(t, "status", id, extra, &r, a.json);
}

static int run_record(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct action_result r;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX];
	uint64_t dmg;
	int rc;

	if ((rc = parse(t, &cmd_record, argc, argv, 1, &a)))
		return rc;
	if (!a.help_domestic && !a.help_foreign && !a.damage)
		return usage(t, &cmd_record);
	if (a.damage && *a.damage && summary_parse_damage(a.damage, &dmg)) {
		triage_err(t, "--damage: '%s' is not an amount in đồng (digits, with . , _ or spaces)",
			   "--damage: '%s' không phải số tiền (đồng)", a.damage);
		return 1;
	}
	if ((rc = resolve(t, a.pos[0], slug, id)))
		return rc;
	actions_record(t, slug, id, a.help_domestic, a.help_foreign, a.damage, a.expect, &r);
	return report(t, "record", id, "", &r, a.json);
}

static int run_note(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct action_result r;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX];
	int rc;

	if ((rc = parse(t, &cmd_note, argc, argv, 2, &a)) || (rc = resolve(t, a.pos[0], slug, id)))
		return rc;
	actions_note(t, slug, id, a.pos[1], &r);
	return report(t, "note", id, NULL, &r, a.json);
}

static int run_merge(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct action_result r;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX], slug2[QUEUE_SLUG_MAX], into[QUEUE_ID_MAX];
	char extra[64];
	int rc;

	if ((rc = parse(t, &cmd_merge, argc, argv, 2, &a)) || (rc = resolve(t, a.pos[0], slug, id)) ||
	    (rc = resolve(t, a.pos[1], slug2, into)))
		return rc;
	if (strcmp(slug, slug2)) {
		memset(&r, 0, sizeof(r));
		r.rc = 1;
		str_copy(r.reason, "agency", sizeof(r.reason));
		snprintf(r.msg, sizeof(r.msg),
			 t->vi ? "không thể gộp sự cố của hai đơn vị khác nhau (%s, %s)"
			       : "cannot merge incidents of two different agencies (%s, %s)", slug, slug2);
		return report(t, "merge", id, NULL, &r, a.json);
	}
	actions_merge(t, slug, id, into, a.expect, &r);
	snprintf(extra, sizeof(extra), "→ %s", into);
	return report(t, "merge", id, extra, &r, a.json);
}

static int run_escalate(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct action_result r;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX];
	int rc;

	if ((rc = parse(t, &cmd_escalate, argc, argv, 1, &a)))
		return rc;
	if (!a.send != !a.out)
		return usage(t, &cmd_escalate);
	if ((rc = resolve(t, a.pos[0], slug, id)))
		return rc;
	actions_escalate(t, slug, id, a.expect, &r);
	rc = report(t, "escalate", id, NULL, &r, a.json);
	if (rc || !a.send)
		return rc;
	/* and the report to the national centre, sent through the configured
	 * transport and recorded in the ticket by "report --send" */
	{
		char *rv[12];
		int n = 0;

		rv[n++] = (char *)"report";
		rv[n++] = id;
		rv[n++] = (char *)"--format";
		rv[n++] = (char *)a.send;
		rv[n++] = (char *)"-o";
		rv[n++] = (char *)a.out;
		rv[n++] = (char *)"--send";
		if (a.number) {
			rv[n++] = (char *)"--number";
			rv[n++] = (char *)a.number;
		}
		if (a.config) {
			rv[n++] = (char *)"--config";
			rv[n++] = (char *)a.config;
		}
		rv[n] = NULL;
		return cmd_report.run(t, n, rv);
	}
}

static int run_reopen(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct action_result r;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX];
	int rc;

	if ((rc = parse(t, &cmd_reopen, argc, argv, 1, &a)) || (rc = resolve(t, a.pos[0], slug, id)))
		return rc;
	actions_reopen(t, slug, id, a.expect, &r);
	return report(t, "reopen", id, NULL, &r, a.json);
}

/* ---- history ---- */

static void ms_text(int64_t ms, char *buf, size_t size)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&s, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		str_copy(buf, "?", size);
}

static int run_history(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct history_entry *v;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX];
	int rc, n, broken = -1;

	if ((rc = parse(t, &cmd_history, argc, argv, 1, &a)) || (rc = resolve(t, a.pos[0], slug, id)))
		return rc;
	if ((n = actions_history(t, slug, id, &v)) < 0) {
		triage_err(t, "history: cannot read it: %s", "history: không đọc được: %s",
			   t->conn ? hd_redis_error(t->conn) : "");
		return 2;
	}
	for (int i = 0; i < n && broken < 0; i++)
		if (!v[i].ok)
			broken = i;
	if (a.json) {
		struct jw w;

		jw_init(&w, 256u << 20);
		jw_obj_open(&w, NULL);
		jw_str(&w, "id", id);
		jw_bool(&w, "ok", broken < 0);
		if (broken >= 0)
			jw_int(&w, "broken_at", broken);
		jw_arr_open(&w, "entries");
		for (int i = 0; i < n; i++) {
			jw_obj_open(&w, NULL);
			jw_int(&w, "ts", v[i].ts_ms);
			jw_str(&w, "who", v[i].who);
			jw_str(&w, "action", v[i].action);
			jw_json(&w, "before", v[i].before ? v[i].before : "null",
				strlen(v[i].before ? v[i].before : "null"));
			jw_json(&w, "after", v[i].after ? v[i].after : "null",
				strlen(v[i].after ? v[i].after : "null"));
			jw_bool(&w, "ok", v[i].ok);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
		jw_obj_close(&w);
		fwrite(w.buf, 1, w.len, stdout);
		fputc('\n', stdout);
		jw_finish(&w);
	} else {
		for (int i = 0; i < n; i++) {
			char ts[32];

			ms_text(v[i].ts_ms, ts, sizeof(ts));
			printf("%3d %s  %-20s %-9s %s -> %s%s\n", i + 1, ts, v[i].who, v[i].action,
			       v[i].before ? v[i].before : "", v[i].after ? v[i].after : "",
			       i == broken ? (t->vi ? "   <-- HỎNG" : "   <-- BROKEN") : "");
		}
		if (broken < 0)
			printf(t->vi ? "chuỗi lịch sử hợp lệ: %d mục\n" : "history chain verified: %d entries\n", n);
	}
	actions_history_free(v, n);
	if (broken >= 0) {
		triage_err(t, "history of %s is broken at entry %d: an entry was changed, removed or reordered",
			   "lịch sử của %s bị hỏng tại mục %d: có mục đã bị sửa, xóa hoặc đổi thứ tự",
			   id, broken + 1);
		return 1;
	}
	return 0;
}

/* ---- watch ---- */

static volatile sig_atomic_t watch_stop;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

#define WATCH_BLOCK_MS 1000
#define WATCH_MAX_AGENCIES 4096

struct watched {
	char slug[QUEUE_SLUG_MAX];
	char key[QUEUE_KEY_MAX];
	char last[48];
};

/* The newest entry id of a stream, "0-0" if empty. */
static void stream_tail(struct triage *t, struct watched *w)
{
	const char *argv[6] = { "XREVRANGE", w->key, "+", "-", "COUNT", "1" };
	redisReply *r = hd_redis_command(t->conn, 6, argv, NULL);

	str_copy(w->last, "0-0", sizeof(w->last));
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements >= 1)
		str_copy(w->last, r->element[0]->element[0]->str, sizeof(w->last));
	hd_redis_reply_free(r);
}

/* Adds agencies that appeared; the first time, following from their tail. */
static int watch_agencies(struct triage *t, struct watched **wv, size_t *nw, bool first)
{
	size_t n;
	char **ag = tickets_agencies(t, &n);

	if (!ag)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		struct watched *nv;

		for (size_t j = 0; j < *nw && !known; j++)
			known = !strcmp((*wv)[j].slug, ag[i]);
		if (known || *nw >= WATCH_MAX_AGENCIES)
			continue;
		if (!(nv = realloc(*wv, (*nw + 1) * sizeof(**wv))))
			break;
		*wv = nv;
		str_copy(nv[*nw].slug, ag[i], sizeof(nv[*nw].slug));
		if (queue_key(nv[*nw].key, sizeof(nv[*nw].key), ag[i], "stream", NULL))
			continue;
		if (first)
			stream_tail(t, &nv[*nw]);
		else
			str_copy(nv[*nw].last, "0-0", sizeof(nv[*nw].last));
		(*nw)++;
	}
	tickets_free_agencies(ag, n);
	return 0;
}

static const char *field(const redisReply *kv, const char *name)
{
	for (size_t i = 0; kv->type == REDIS_REPLY_ARRAY && i + 1 < kv->elements; i += 2)
		if (!strcmp(kv->element[i]->str, name))
			return kv->element[i + 1]->str;
	return "";
}

static void watch_print(struct triage *t, const char *slug, const char *sid, const redisReply *kv,
			bool json)
{
	const char *id = field(kv, "id"), *what = field(kv, "what"), *who = field(kv, "who"),
		   *ver = field(kv, "version"), *cnt = field(kv, "count");
	struct ticket k;
	bool have = strlen(id) == QUEUE_ID_MAX - 1 && !tickets_read(t, slug, id, &k);
	int64_t now = (int64_t)time(NULL) * 1000;

	if (json) {
		struct jw w;

		jw_init(&w, 1u << 20);
		jw_obj_open(&w, NULL);
		jw_str(&w, "event", what);
		jw_str(&w, "stream_id", sid);
		jw_str(&w, "agency_key", slug);
		jw_str(&w, "id", id);
		if (*who)
			jw_str(&w, "who", who);
		if (*ver)
			jw_uint(&w, "version", strtoull(ver, NULL, 10));
		if (*cnt)
			jw_uint(&w, "count", strtoull(cnt, NULL, 10));
		if (have) {
			tickets_json_open(&w, "incident", &k, now);
			jw_obj_close(&w);
		}
		jw_obj_close(&w);
		fwrite(w.buf, 1, w.len, stdout);
		fputc('\n', stdout);
		jw_finish(&w);
	} else {
		char ts[32], ag[96], cat[96];

		ms_text(strtoll(sid, NULL, 10), ts, sizeof(ts));
		utf8_fit(ag, sizeof(ag), have ? k.agency : slug, 16);
		utf8_fit(cat, sizeof(cat), have ? (t->vi ? k.category_vi : k.category) : "", 12);
		printf("%s %-9s %.12s %-8s %s %-15s %s %-14s %s%s%s\n", ts, what, id,
		       have ? k.severity : "?", ag, have ? k.host : "", cat, have ? k.status : "",
		       *who ? who : "", *ver ? " v" : "", ver);
	}
	fflush(stdout);
}

static int run_watch(struct triage *t, int argc, char **argv)
{
	struct verb_args a;
	struct watched *wv = NULL;
	size_t nw = 0;
	long seen = 0;
	int rc, ret = 0;
	struct sigaction sa;

	if ((rc = parse(t, &cmd_watch, argc, argv, 0, &a)))
		return rc;
	if (!triage_conn(t))
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	hd_redis_set_timeout(t->conn, WATCH_BLOCK_MS + 5000);
	if (watch_agencies(t, &wv, &nw, true))
		return 2;
	while (!watch_stop && (!a.count || seen < a.count)) {
		const char **av = calloc(6 + 2 * nw, sizeof(*av));
		char block[16];
		redisReply *r;
		int n = 0;

		if (!av) {
			ret = 2;
			break;
		}
		snprintf(block, sizeof(block), "%d", WATCH_BLOCK_MS);
		av[n++] = "XREAD";
		av[n++] = "COUNT";
		av[n++] = "100";
		av[n++] = "BLOCK";
		av[n++] = block;
		av[n++] = "STREAMS";
		for (size_t i = 0; i < nw; i++)
			av[n++] = wv[i].key;
		for (size_t i = 0; i < nw; i++)
			av[n++] = wv[i].last;
		r = nw ? hd_redis_command(t->conn, n, av, NULL) : NULL;
		free(av);
		if (!nw) {
			struct timespec ts = { 1, 0 };

			nanosleep(&ts, NULL);
		} else if (!r) {
			if (watch_stop)
				break;
			triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
			ret = 2;
			break;
		} else if (r->type == REDIS_REPLY_ERROR) {
			triage_err(t, "queue refused: %s", "hàng đợi từ chối: %s", r->str);
			hd_redis_reply_free(r);
			ret = 2;
			break;
		} else if (r->type == REDIS_REPLY_ARRAY) {
			for (size_t i = 0; i < r->elements; i++) {
				const redisReply *s = r->element[i], *ents;
				struct watched *w = NULL;

				if (s->type != REDIS_REPLY_ARRAY || s->elements != 2)
					continue;
				for (size_t j = 0; j < nw && !w; j++)
					if (!strcmp(wv[j].key, s->element[0]->str))
						w = &wv[j];
				ents = s->element[1];
				for (size_t j = 0; w && j < ents->elements; j++) {
					const redisReply *e = ents->element[j];

					if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
						continue;
					str_copy(w->last, e->element[0]->str, sizeof(w->last));
					if (!a.count || seen < a.count) {
						watch_print(t, w->slug, e->element[0]->str, e->element[1], a.json);
						seen++;
					}
				}
			}
		}
		hd_redis_reply_free(r);
		if (watch_agencies(t, &wv, &nw, false)) {
			ret = 2;
			break;
		}
	}
	free(wv);
	return ret;
}

const struct triage_cmd cmd_claim = {
	"claim", "ID [--version N] [--json]",
	"take an incident: you become its assignee unless someone already is",
	"nhận xử lý sự cố: bạn được giao nếu chưa có ai nhận", true, run_claim,
};
const struct triage_cmd cmd_record = {
	"record", "ID [--help-domestic ORGS] [--help-foreign ORGS] [--damage AMOUNT] [--version N] [--json]",
	"what the half-year report counts: who helped (at home, abroad), the estimated damage in đồng",
	"số liệu cho báo cáo 6 tháng/năm: tổ chức hỗ trợ (trong, ngoài nước), thiệt hại ước tính (đồng)",
	true, run_record,
};
const struct triage_cmd cmd_assign = {
	"assign", "ID USER|- [--version N] [--json]",
	"give an incident to USER (- : nobody)", "giao sự cố cho USER (- : bỏ giao)", true, run_assign,
};
const struct triage_cmd cmd_status = {
	"status", "ID STATE [--note TEXT] [--version N] [--json]",
	"move an incident to STATE (the state machine in docs/triage.md)",
	"chuyển sự cố sang trạng thái STATE (sơ đồ trạng thái trong docs/triage.md)", true, run_status,
};
const struct triage_cmd cmd_note = {
	"note", "ID TEXT [--json]", "add a note", "thêm ghi chú", true, run_note,
};
const struct triage_cmd cmd_merge = {
	"merge", "ID INTO-ID [--version N] [--json]",
	"mark ID a duplicate of INTO-ID (same agency); its count and evidence move there",
	"đánh dấu ID là bản trùng của INTO-ID (cùng đơn vị); số lần và bằng chứng được chuyển sang",
	true, run_merge,
};
const struct triage_cmd cmd_escalate = {
	"escalate", "ID [--send vn|vn-final|stix|misp|md -o FILE [--number N] [--config FILE]] [--version N] [--json]",
	"report an incident the unit cannot handle to the national centre",
	"báo cáo sự cố vượt khả năng xử lý lên Trung tâm quốc gia", true, run_escalate,
};
const struct triage_cmd cmd_reopen = {
	"reopen", "ID [--version N] [--json]",
	"reopen a resolved or false-positive incident", "mở lại sự cố đã khắc phục hoặc cảnh báo nhầm",
	true, run_reopen,
};
const struct triage_cmd cmd_history = {
	"history", "ID [--json]", "the audit history, with its hash chain checked",
	"lịch sử thao tác, có kiểm tra chuỗi băm", false, run_history,
};
const struct triage_cmd cmd_watch = {
	"watch", "[--count N] [--json]", "follow new and changed incidents (Ctrl-C stops)",
	"theo dõi sự cố mới và thay đổi (Ctrl-C để dừng)", false, run_watch,
};
