/*
 * checklist.c - an incident's response playbook as a checklist, and the
 * "playbook" verb that shows it and ticks or unticks its steps
 * (docs/triage.md, docs/playbooks.md).
 *
 * The playbooks are loaded once per run with the common loader
 * (common/playbook.c), on first use: a list or show that never needs them
 * does not read them. The ticket's category picks the playbook (each
 * category is served by exactly one). Ticks live in the ticket's case hash
 * (pb:STEP-ID = "MS|WHO"); reading them is here, writing them is one
 * atomic script in actions.c, like every other change, so a tick has a
 * version check, a hash-chained history entry and a stream entry.
 *
 * The library part prints nothing; only run_playbook (the verb) does.
 */
#define _GNU_SOURCE
#include "checklist.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "actions.h"
#include "jsonw.h"
#include "redis.h"
#include "util.h"
#include "banned.h"

/* Where an installed haidang keeps them (meson: datadir/haidang/playbooks);
 * HAIDANG_PLAYBOOKS_SRC is the source tree's playbooks/, for a build run
 * before it is installed. Both come from triage/meson.build. */
#ifndef HAIDANG_PLAYBOOKS_DIR
#define HAIDANG_PLAYBOOKS_DIR "/usr/share/haidang/playbooks"
#endif

#define CHECKLIST_DIR_MAX 4096

struct triage_playbooks {
	char dir[CHECKLIST_DIR_MAX];
	struct playbook_set set;
	int rc;                 /* playbook_load_dir's answer */
	size_t problems;
	bool loaded;
};

static bool is_dir(const char *p)
{
	struct stat st;

	return p && *p && !stat(p, &st) && S_ISDIR(st.st_mode);
}

const char *checklist_dir(struct triage *t)
{
	const char *env = getenv("HAIDANG_PLAYBOOKS");

	if (t->o.playbooks && *t->o.playbooks)
		return t->o.playbooks;
	if (env && *env)
		return env;
#ifdef HAIDANG_PLAYBOOKS_SRC
	if (!is_dir(HAIDANG_PLAYBOOKS_DIR) && is_dir(HAIDANG_PLAYBOOKS_SRC))
		return HAIDANG_PLAYBOOKS_SRC;
#endif
	return HAIDANG_PLAYBOOKS_DIR;
}

static void count_problem(void *arg, const char *file, const char *path, const char *msg)
{
	(void)file;
	(void)path;
	(void)msg;
	(*(size_t *)arg)++;
}

const struct playbook_set *checklist_playbooks(struct triage *t, size_t *problems)
{
	struct triage_playbooks *p = t->pb;

	if (!p && !(p = t->pb = calloc(1, sizeof(*p))))
		return NULL;
	if (!p->loaded) {
		p->loaded = true;
		str_copy(p->dir, checklist_dir(t), sizeof(p->dir));
		p->rc = is_dir(p->dir) ? playbook_load_dir(p->dir, count_problem, &p->problems, &p->set)
				       : -ENOENT;
	}
	if (problems)
		*problems = p->problems;
	return p->rc == 0 || p->rc == -EINVAL ? &p->set : NULL;
}

const struct playbook *checklist_playbook_for(struct triage *t, const char *category)
{
	const struct playbook_set *set = checklist_playbooks(t, NULL);

	return set && category && *category ? playbook_set_for_category(set, category) : NULL;
}

void checklist_unload(struct triage *t)
{
	if (!t->pb)
		return;
	playbook_set_finish(&t->pb->set);
	free(t->pb);
	t->pb = NULL;
}

long checklist_mark_step(const struct playbook *p, const char *field, const char *value)
{
	size_t fl = sizeof(CHECKLIST_FIELD) - 1;

	if (!p || !value || !*value || strncmp(field, CHECKLIST_FIELD, fl))
		return -1;
	for (size_t i = 0; i < p->nsteps; i++)
		if (!strcmp(p->steps[i].id, field + fl))
			return (long)i;
	return -1;
}

int checklist_init(struct checklist *c, const struct playbook *p)
{
	memset(c, 0, sizeof(*c));
	c->pb = p;
	if (p && p->nsteps && !(c->marks = calloc(p->nsteps, sizeof(*c->marks))))
		return -ENOMEM;
	return 0;
}

void checklist_take(struct checklist *c, const char *field, const char *value)
{
	long i = c->marks ? checklist_mark_step(c->pb, field, value) : -1;
	const char *bar;

	if (i < 0 || c->marks[i].done)
		return;
	c->marks[i].done = true;
	c->marks[i].ms = strtoll(value, NULL, 10);
	bar = strchr(value, '|');
	str_copy(c->marks[i].who, bar ? bar + 1 : "?", sizeof(c->marks[i].who));
	c->done++;
}

void checklist_finish(struct checklist *c)
{
	free(c->marks);
	memset(c, 0, sizeof(*c));
}

long checklist_step_arg(const struct playbook *p, const char *arg)
{
	uint64_t n;

	if (!p || !arg || !*arg)
		return -1;
	if (strspn(arg, "0123456789") == strlen(arg))
		return parse_u64(arg, 1, p->nsteps, &n) || !p->nsteps ? -1 : (long)n - 1;
	for (size_t i = 0; i < p->nsteps; i++)
		if (!strcmp(p->steps[i].id, arg))
			return (long)i;
	return -1;
}

const char *checklist_step_name(const struct playbook_step *st, bool vi)
{
	return vi ? st->name_vi : st->name_en;
}

const char *checklist_playbook_name(const struct playbook *p, bool vi)
{
	return vi ? p->name_vi : p->name_en;
}

/* ---- the "playbook" verb ---- */

/* The ticks of one ticket, from its case hash. 0, or -1 (message printed). */
static int read_marks(struct triage *t, const char *slug, const char *id, struct checklist *c)
{
	char key[QUEUE_KEY_MAX];
	const char *argv[2] = { "HGETALL", key };
	redisReply *r;

	if (queue_key(key, sizeof(key), slug, "case", id))
		return -1;
	r = hd_redis_command(t->conn, 2, argv, NULL);
	if (!r || r->type != REDIS_REPLY_ARRAY) {
		triage_err(t, "queue: %s", "hàng đợi: %s",
			   r && r->type == REDIS_REPLY_ERROR ? r->str : hd_redis_error(t->conn));
		hd_redis_reply_free(r);
		return -1;
	}
	for (size_t i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    r->element[i + 1]->type == REDIS_REPLY_STRING)
			checklist_take(c, r->element[i]->str, r->element[i + 1]->str);
	hd_redis_reply_free(r);
	return 0;
}

static void when_utc(int64_t ms, char *buf, size_t size)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&s, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		str_copy(buf, "?", size);
}

static const char *branch_tag(const struct playbook_step *st, bool vi)
{
	if (st->branch == PLAYBOOK_BRANCH_TRUE)
		return vi ? "có: " : "yes: ";
	if (st->branch == PLAYBOOK_BRANCH_FALSE)
		return vi ? "không: " : "no: ";
	return "";
}

static const char *file_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void print_text(const struct triage *t, const struct ticket *k, const struct checklist *c)
{
	const struct playbook *p = c->pb;
	char ph[64], name[1024], when[40];

	printf("%s %s · %s %s — %zu/%zu %s (v%" PRIu64 ")\n", t->vi ? "Sự cố" : "Incident", k->id,
	       t->vi ? "Quy trình:" : "Playbook:", checklist_playbook_name(p, t->vi), c->done,
	       p->nsteps, t->vi ? "bước đã xong" : "done", k->version);
	printf("  %s, %s %s (%s)\n", file_base(p->file), t->vi ? "cho loại" : "for category",
	       k->category, p->id);
	utf8_fit(ph, sizeof(ph), t->vi ? "GIAI ĐOẠN" : "PHASE", 10);
	printf("  %3s %s %-4s %s\n", "#", ph, t->vi ? "XONG" : "DONE",
	       t->vi ? "BƯỚC · AI, LÚC NÀO" : "STEP · WHO, WHEN");
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct playbook_step *st = &p->steps[i];
		const struct checklist_mark *m = &c->marks[i];

		utf8_fit(ph, sizeof(ph), st->type == PLAYBOOK_STEP_IF ? (t->vi ? "câu hỏi" : "question") :
			 playbook_phase_label(st->phase, t->vi), 10);
		snprintf(name, sizeof(name), "%*s%s%s%s", (int)(2 * st->depth), "", branch_tag(st, t->vi),
			 checklist_step_name(st, t->vi), st->type == PLAYBOOK_STEP_IF &&
			 !strchr(checklist_step_name(st, t->vi), '?') ? "?" : "");
		printf("  %3zu %s %-4s %s", i + 1, ph, m->done ? "[x]" : "[ ]", name);
		if (m->done) {
			when_utc(m->ms, when, sizeof(when));
			printf(" · %s, %s", m->who, when);
		}
		putchar('\n');
	}
}

static void checklist_json(struct jw *w, const struct triage *t, const struct ticket *k,
			   const struct checklist *c)
{
	static const char *const branches[] = { "main", "true", "false" };
	const struct playbook *p = c->pb;

	jw_obj_open(w, NULL);
	jw_str(w, "id", k->id);
	jw_str(w, "agency_key", k->slug);
	jw_str(w, "category", k->category);
	jw_str(w, "status", k->status);
	jw_uint(w, "version", k->version);
	jw_obj_open(w, "playbook");
	jw_str(w, "id", p->id);
	jw_str(w, "name", checklist_playbook_name(p, t->vi));
	jw_str(w, "name_vi", p->name_vi);
	jw_str(w, "name_en", p->name_en);
	jw_str(w, "file", file_base(p->file));
	jw_obj_close(w);
	jw_uint(w, "done", c->done);
	jw_uint(w, "steps", p->nsteps);
	jw_arr_open(w, "checklist");
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct playbook_step *st = &p->steps[i];
		const struct checklist_mark *m = &c->marks[i];

		jw_obj_open(w, NULL);
		jw_uint(w, "no", i + 1);
		jw_str(w, "step", st->id);
		jw_str(w, "type", st->type == PLAYBOOK_STEP_IF ? "if-condition" : "action");
		if (st->type == PLAYBOOK_STEP_ACTION) {
			jw_str(w, "phase", playbook_phase_tag(st->phase));
			jw_str(w, "phase_label", playbook_phase_label(st->phase, t->vi));
		}
		jw_str(w, "name", checklist_step_name(st, t->vi));
		jw_str(w, "name_vi", st->name_vi);
		jw_str(w, "name_en", st->name_en);
		jw_uint(w, "depth", st->depth);
		jw_str(w, "branch", branches[st->branch <= PLAYBOOK_BRANCH_FALSE ? st->branch : 0]);
		jw_bool(w, "done", m->done);
		if (m->done) {
			jw_str(w, "who", m->who);
			jw_int(w, "ts", m->ms);
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

static void print_jw(struct jw *w)
{
	fwrite(w->buf, 1, w->len, stdout);
	fputc('\n', stdout);
}

static int usage(const struct triage *t)
{
	fprintf(stderr, "%s: haidang-triage playbook %s\n", t->vi ? "Cách dùng" : "Usage",
		cmd_playbook.synopsis);
	return 2;
}

/* A refusal before any script ran: the changing verbs' JSON and exit 1. */
static int refuse(const struct ticket *k, bool json, const char *why, const char *msg)
{
	if (json) {
		struct jw w;

		jw_init(&w, 1u << 16);
		jw_obj_open(&w, NULL);
		jw_bool(&w, "ok", false);
		jw_str(&w, "action", "playbook");
		jw_str(&w, "id", k->id);
		jw_str(&w, "result", why);
		jw_uint(&w, "version", k->version);
		jw_str(&w, "message", msg);
		jw_obj_close(&w);
		print_jw(&w);
		jw_finish(&w);
	}
	fprintf(stderr, "haidang-triage: playbook: %s\n", msg);
	return 1;
}

static int run_playbook(struct triage *t, int argc, char **argv)
{
	const char *idp = NULL, *step_arg = NULL;
	bool json = false, done = true;
	int64_t expect = -1;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX], msg[1024];
	const struct playbook *p;
	struct checklist c;
	struct ticket k;
	size_t problems = 0;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		uint64_t v;

		if (!strcmp(o, "--json")) {
			json = true;
		} else if ((!strcmp(o, "--done") || !strcmp(o, "--undo")) && i + 1 < argc) {
			if (step_arg)
				return usage(t);
			done = !strcmp(o, "--done");
			step_arg = argv[++i];
		} else if (!strcmp(o, "--version") && i + 1 < argc) {
			if (parse_u64(argv[++i], 0, INT64_MAX, &v)) {
				triage_err(t, "--version: '%s' is not a version number",
					   "--version: '%s' không phải số phiên bản", argv[i]);
				return 2;
			}
			expect = (int64_t)v;
		} else if (o[0] == '-' || idp) {
			return usage(t);
		} else {
			idp = o;
		}
	}
	if (!idp)
		return usage(t);
	if (step_arg && t->o.read_only) {
		triage_err(t, "playbook: refused, --read-only is set",
			   "playbook: bị từ chối vì đang ở chế độ --read-only");
		return 1;
	}
	if (!triage_conn(t))
		return 2;
	if (tickets_resolve(t, idp, slug, id) || tickets_read(t, slug, id, &k))
		return 1;
	if (!checklist_playbooks(t, &problems)) {
		triage_err(t, "playbook: cannot read the playbooks in %s (--playbooks DIR)",
			   "playbook: không đọc được các quy trình trong %s (--playbooks THƯ_MỤC)",
			   checklist_dir(t));
		return 2;
	}
	if (problems)
		triage_err(t, "warning: %zu problems in the playbooks of %s; files with problems are "
			   "left out (haidang-rules check-playbooks %s)",
			   "cảnh báo: %zu lỗi trong các quy trình ở %s; tệp có lỗi bị bỏ qua "
			   "(haidang-rules check-playbooks %s)", problems, checklist_dir(t), checklist_dir(t));
	if (!(p = checklist_playbook_for(t, k.category))) {
		snprintf(msg, sizeof(msg), t->vi ? "không có quy trình nào cho loại sự cố '%s' (trong %s)"
						 : "no playbook serves category '%s' (in %s)",
			 k.category, checklist_dir(t));
		return refuse(&k, json, "noplaybook", msg);
	}
	if (step_arg) {
		struct action_result r;
		long s = checklist_step_arg(p, step_arg);

		if (s < 0) {
			snprintf(msg, sizeof(msg),
				 t->vi ? "'%s' không phải một bước của quy trình «%s» (số thứ tự 1-%zu hoặc mã bước)"
				       : "'%s' is not a step of the playbook '%s' (a number 1-%zu or a step id)",
				 step_arg, checklist_playbook_name(p, t->vi), p->nsteps);
			return refuse(&k, json, "nostep", msg);
		}
		actions_playbook_step(t, slug, id, p, (size_t)s, done, expect, &r);
		if (json) {
			struct jw w;

			jw_init(&w, 1u << 16);
			jw_obj_open(&w, NULL);
			jw_bool(&w, "ok", r.rc == 0);
			jw_str(&w, "action", "playbook");
			jw_str(&w, "id", id);
			jw_str(&w, "result", r.reason);
			jw_uint(&w, "version", r.version);
			jw_uint(&w, "step_no", (uint64_t)s + 1);
			jw_str(&w, "step", p->steps[s].id);
			jw_bool(&w, "done", done);
			if (r.rc)
				jw_str(&w, "message", r.msg);
			jw_obj_close(&w);
			print_jw(&w);
			jw_finish(&w);
		}
		if (r.rc) {
			fprintf(stderr, "haidang-triage: playbook: %s\n", r.msg);
			return r.rc;
		}
		if (json)
			return 0;
		if (!strcmp(r.reason, "already"))
			printf(t->vi ? "bước %ld đã %s rồi: không có gì thay đổi (v%" PRIu64 ")\n"
				     : "step %ld is %s already: nothing to change (v%" PRIu64 ")\n", s + 1,
			       done ? (t->vi ? "xong" : "done") : (t->vi ? "chưa xong" : "not done"), r.version);
		else
			printf(t->vi ? "%s bước %ld của %s (v%" PRIu64 ")\n" : "%s step %ld of %s (v%" PRIu64 ")\n",
			       done ? (t->vi ? "đã đánh dấu xong" : "ticked") : (t->vi ? "đã bỏ đánh dấu" : "unticked"),
			       s + 1, id, r.version);
		if (tickets_read(t, slug, id, &k))
			return 1;
	}
	if (checklist_init(&c, p))
		return 2;
	if (read_marks(t, slug, id, &c)) {
		checklist_finish(&c);
		return 2;
	}
	if (json) {
		struct jw w;

		jw_init(&w, 16u << 20);
		checklist_json(&w, t, &k, &c);
		print_jw(&w);
		jw_finish(&w);
	} else {
		print_text(t, &k, &c);
	}
	checklist_finish(&c);
	return 0;
}

const struct triage_cmd cmd_playbook = {
	"playbook", "ID [--done STEP | --undo STEP] [--version N] [--json]",
	"an incident's playbook as a checklist; tick (--done) or untick (--undo) a step by number or id",
	"quy trình xử lý của sự cố dưới dạng danh mục; đánh dấu (--done) hoặc bỏ đánh dấu (--undo) một bước theo số thứ tự hoặc mã",
	false, run_playbook,
};
