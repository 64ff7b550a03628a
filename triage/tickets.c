/*
 * tickets.c - reading the queue: "list" (most urgent first, filtered),
 * "show" (one ticket whole: detection, case, evidence, history, notes) and
 * "sensors" (heartbeats; silent sensors stand out). Every command prints
 * a table for people or, with --json, JSON for scripts.
 *
 * Tickets are read per agency (docs/queue.md: one hash slot each), with
 * the commands pipelined so a list of thousands takes a few round trips,
 * and only the fields a list shows (HMGET: the evidence stays in Redis;
 * the case hash whole, small, for its playbook ticks: checklist.h).
 * The first page by urgency, the usual view, reads only the top of each
 * agency's urgency index and the tickets that make the page, so it costs
 * the same with 100 or 100,000 incidents in the queue.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>

#include "actions.h"
#include "checklist.h"
#include "jsonw.h"
#include "redis.h"
#include "triage.h"
#include "util.h"
#include "banned.h"

/* Prints s in a column of w terminal columns and a space. */
static void col(const char *s, unsigned w)
{
	char b[512];

	utf8_fit(b, sizeof(b), s, w);
	fputs(b, stdout);
	fputc(' ', stdout);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One command, checked: NULL (message printed) on an I/O error or an
 * error reply. */
static redisReply *cmd(struct triage *t, int argc, const char **argv)
{
	redisReply *r = hd_redis_command(t->conn, argc, argv, NULL);

	if (!r) {
		triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		triage_err(t, "queue refused: %s", "hàng đợi từ chối: %s", r->str);
		hd_redis_reply_free(r);
		return NULL;
	}
	return r;
}

char **tickets_agencies(struct triage *t, size_t *n)
{
	const char *argv[2] = { "SMEMBERS", "hd:agencies" };
	redisReply *r = cmd(t, 2, argv);
	char **v;

	*n = 0;
	if (!r)
		return NULL;
	v = calloc(r->elements + 1, sizeof(*v));
	for (size_t i = 0; v && i < r->elements; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    r->element[i]->len < QUEUE_SLUG_MAX && (v[*n] = strdup(r->element[i]->str)))
			(*n)++;
	hd_redis_reply_free(r);
	if (!v)
		triage_err(t, "out of memory", "hết bộ nhớ");
	return v;
}

void tickets_free_agencies(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int tickets_resolve(struct triage *t, const char *idp, char slug[QUEUE_SLUG_MAX],
		    char id[QUEUE_ID_MAX])
{
	size_t n, found = 0;
	char **ag;
	char lo[QUEUE_ID_MAX + 2], hi[QUEUE_ID_MAX + 3], key[QUEUE_KEY_MAX];
	int rc = -1;

	if (!*idp || strlen(idp) >= QUEUE_ID_MAX || strspn(idp, "0123456789abcdef") != strlen(idp)) {
		triage_err(t, "'%s' is not an incident id (hex digits)", "'%s' không phải mã sự cố (chữ số hex)", idp);
		return -1;
	}
	if (!(ag = tickets_agencies(t, &n)))
		return -1;
	snprintf(lo, sizeof(lo), "[%s", idp);
	snprintf(hi, sizeof(hi), "[%s\xff", idp);
	/* one ZRANGE BYLEX per agency, pipelined: a reply for every one sent */
	for (size_t i = 0; i < n; i++) {
		const char *argv[8] = { "ZRANGE", key, lo, hi, "BYLEX", "LIMIT", "0", "2" };

		if (queue_key(key, sizeof(key), ag[i], "idx", "id") ||
		    hd_redis_append(t->conn, 8, argv, NULL)) {
			triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		redisReply *r;

		if (hd_redis_read(t->conn, &r)) {
			triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
			found = 0;
			goto out;
		}
		if (r->type == REDIS_REPLY_ARRAY)
			for (size_t j = 0; j < r->elements; j++) {
				if (found++ == 0) {
					str_copy(slug, ag[i], QUEUE_SLUG_MAX);
					str_copy(id, r->element[j]->str, QUEUE_ID_MAX);
				}
			}
		hd_redis_reply_free(r);
	}
	if (found == 1)
		rc = 0;
	else if (found == 0)
		triage_err(t, "no incident %s", "không có sự cố %s", idp);
	else {
		triage_err(t, "%s matches several incidents: give more digits",
			   "%s khớp nhiều sự cố: hãy gõ thêm chữ số", idp);
		rc = -2;
	}
out:
	tickets_free_agencies(ag, n);
	return rc;
}

/* ---- filling a ticket from HGETALL replies ---- */

void tickets_put_field(struct ticket *k, const char *f, const char *v)
{
#define S(name) if (!strcmp(f, #name)) { str_copy(k->name, v, sizeof(k->name)); return; }
	S(agency) S(sensor) S(category) S(category_vi) S(severity) S(host) S(peer)
	S(indicator) S(first_seen) S(last_seen) S(status) S(assignee) S(merged_into) S(updated_by)
#undef S
	if (!strcmp(f, "national_type"))
		k->national_type = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(f, "sev_rank"))
		k->sev_rank = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(f, "score"))
		k->score = strtoull(v, NULL, 10);
	else if (!strcmp(f, "count"))
		k->count = strtoull(v, NULL, 10);
	else if (!strcmp(f, "last_seen_ms"))
		k->last_ms = strtoll(v, NULL, 10);
	else if (!strcmp(f, "first_seen_ms"))
		k->first_ms = strtoll(v, NULL, 10);
	else if (!strcmp(f, "created_ms"))
		k->created_ms = strtoll(v, NULL, 10);
	else if (!strcmp(f, "version"))
		k->version = strtoull(v, NULL, 10);
	else if (!strcmp(f, "updated_ms"))
		k->updated_ms = strtoll(v, NULL, 10);
	else if (!strcmp(f, "escalated_ms"))
		k->escalated_ms = strtoll(v, NULL, 10);
}

/* The fields a ticket is read with; "id" first: present iff it exists. */
static const char *const det_fields[] = {
	"id", "agency", "sensor", "category", "category_vi", "national_type", "severity",
	"sev_rank", "score", "host", "peer", "indicator", "first_seen", "last_seen",
	"first_seen_ms", "last_seen_ms", "created_ms", "count",
};

/* Fills k from the reply to HMGET key names... */
static void fill(struct ticket *k, const redisReply *r, const char *const *names, size_t n)
{
	if (r->type != REDIS_REPLY_ARRAY)
		return;
	for (size_t i = 0; i < r->elements && i < n; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING)
			tickets_put_field(k, names[i], r->element[i]->str);
	if (!k->status[0])
		str_copy(k->status, "new", sizeof(k->status));
}

static void ticket_init(struct ticket *k, const char *slug, const char *id)
{
	memset(k, 0, sizeof(*k));
	str_copy(k->slug, slug, sizeof(k->slug));
	str_copy(k->id, id, sizeof(k->id));
	str_copy(k->status, "new", sizeof(k->status));
}

/* Fills k from the reply to HGETALL of the case hash, and counts the
 * ticks of the playbook serving k's category (known from det, read first). */
static void fill_case(struct triage *t, struct ticket *k, const redisReply *r)
{
	const struct playbook *p = checklist_playbook_for(t, k->category);

	if (p) {
		str_copy(k->playbook, p->id, sizeof(k->playbook));
		k->pb_steps = (unsigned)p->nsteps;
	}
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
		const char *f = r->element[i]->str, *v = r->element[i + 1]->str;

		if (r->element[i]->type != REDIS_REPLY_STRING ||
		    r->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		if (!strncmp(f, CHECKLIST_FIELD, sizeof(CHECKLIST_FIELD) - 1))
			k->pb_done += checklist_mark_step(p, f, v) >= 0;
		else
			tickets_put_field(k, f, v);
	}
	if (!k->status[0])
		str_copy(k->status, "new", sizeof(k->status));
}

/* Appends HMGET det and HGETALL case of one ticket. */
static int append_ticket(struct triage *t, const char *slug, const char *id)
{
	char kd[QUEUE_KEY_MAX], kc[QUEUE_KEY_MAX];
	const char *a1[2 + ARRAY_SIZE(det_fields)] = { "HMGET", kd }, *a2[2] = { "HGETALL", kc };

	if (queue_key(kd, sizeof(kd), slug, "det", id) || queue_key(kc, sizeof(kc), slug, "case", id))
		return -1;
	memcpy(a1 + 2, det_fields, sizeof(det_fields));
	return hd_redis_append(t->conn, (int)ARRAY_SIZE(a1), a1, NULL) ||
	       hd_redis_append(t->conn, (int)ARRAY_SIZE(a2), a2, NULL) ? -1 : 0;
}

/* Reads the two replies of append_ticket. 1: the ticket exists. */
static int read_ticket(struct triage *t, struct ticket *k)
{
	redisReply *d, *c;
	int exists;

	if (hd_redis_read(t->conn, &d))
		return -1;
	if (hd_redis_read(t->conn, &c)) {
		hd_redis_reply_free(d);
		return -1;
	}
	exists = d->type == REDIS_REPLY_ARRAY && d->elements > 0 &&
		 d->element[0]->type == REDIS_REPLY_STRING;
	fill(k, d, det_fields, ARRAY_SIZE(det_fields));
	fill_case(t, k, c);
	hd_redis_reply_free(d);
	hd_redis_reply_free(c);
	return exists;
}

int tickets_read(struct triage *t, const char *slug, const char *id, struct ticket *k)
{
	int rc;

	ticket_init(k, slug, id);
	if (append_ticket(t, slug, id) || (rc = read_ticket(t, k)) < 0) {
		triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
		return -1;
	}
	if (!rc) {
		triage_err(t, "no incident %s", "không có sự cố %s", id);
		return -1;
	}
	return 0;
}

/* ---- list ---- */

static const char *sort_key;

static int cmp_tickets(const void *a, const void *b)
{
	const struct ticket *x = a, *y = b;

	if (!strcmp(sort_key, "time") || !strcmp(sort_key, "age"))
		return x->last_ms < y->last_ms ? 1 : x->last_ms > y->last_ms ? -1 : 0;
	if (!strcmp(sort_key, "count"))
		return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
	if (!strcmp(sort_key, "score"))
		return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
	if (!strcmp(sort_key, "agency")) {
		int c = strcmp(x->agency, y->agency);
		if (c)
			return c;
	}
	/* urgency as idx:urgent scores it (docs/queue.md), then the newest */
	if (x->sev_rank * 1000 + x->score != y->sev_rank * 1000 + y->score)
		return x->sev_rank * 1000 + x->score < y->sev_rank * 1000 + y->score ? 1 : -1;
	if (x->last_ms != y->last_ms)
		return x->last_ms < y->last_ms ? 1 : -1;
	return strcmp(x->id, y->id);   /* the same order on every path */
}

/* Whether the list needs to read tickets to choose them. */
static bool filtered(const struct tickets_query *a)
{
	return a->status || a->severity || a->category || a->since_ms || a->search;
}

static bool wanted(const struct tickets_query *a, const struct ticket *k)
{
	if (a->status && (!strcmp(a->status, "open") ? !actions_state_open(k->status)
						     : strcmp(a->status, k->status)))
		return false;
	if (a->severity && strcmp(a->severity, k->severity))
		return false;
	if (a->category && strcmp(a->category, k->category))
		return false;
	if (a->since_ms && k->last_ms < a->since_ms)
		return false;
	if (a->search && !strcasestr(k->indicator, a->search) && !strstr(k->host, a->search) &&
	    !strstr(k->peer, a->search) && !strcasestr(k->category, a->search) &&
	    !strcasestr(k->agency, a->search) && strncmp(k->id, a->search, strlen(a->search)))
		return false;
	return true;
}

/* "24h", "7d", "30m", or an ISO 8601 time; 0 on error. */
static int64_t parse_since(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	int64_t ms;

	if (end != s && *end && !end[1]) {
		int64_t unit = *end == 's' ? 1000 : *end == 'm' ? 60000 : *end == 'h' ? 3600000 :
			       *end == 'd' ? 86400000 : 0;
		if (unit && v >= 0)
			return now_ms() - (int64_t)(v * (double)unit);
		return 0;
	}
	ms = queue_iso_ms(s);
	if (ms < 0 && strlen(s) == 10) {
		char buf[40];
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		ms = queue_iso_ms(buf);
	}
	return ms < 0 ? 0 : ms;
}

void tickets_json_open(struct jw *w, const char *key, const struct ticket *k, int64_t now)
{
	int64_t left = actions_deadline_left(k, now);

	jw_obj_open(w, key);
	jw_str(w, "id", k->id);
	jw_str(w, "agency", k->agency);
	jw_str(w, "agency_key", k->slug);
	jw_str(w, "sensor", k->sensor);
	jw_str(w, "category", k->category);
	jw_str(w, "category_vi", k->category_vi);
	jw_uint(w, "national_type", k->national_type);
	jw_str(w, "severity", k->severity);
	jw_uint(w, "score", k->score);
	jw_str(w, "host", k->host);
	if (k->peer[0])
		jw_str(w, "peer", k->peer);
	jw_str(w, "indicator", k->indicator);
	jw_str(w, "first_seen", k->first_seen);
	jw_str(w, "last_seen", k->last_seen);
	jw_uint(w, "count", k->count);
	jw_str(w, "status", k->status);
	if (k->assignee[0])
		jw_str(w, "assignee", k->assignee);
	jw_uint(w, "version", k->version);
	if (k->merged_into[0])
		jw_str(w, "merged_into", k->merged_into);
	if (k->updated_by[0]) {
		jw_str(w, "updated_by", k->updated_by);
		jw_int(w, "updated_ms", k->updated_ms);
	}
	if (k->escalated_ms)
		jw_int(w, "escalated_ms", k->escalated_ms);
	if (left == ACTIONS_NO_DEADLINE)
		jw_null(w, "deadline_left_s");
	else
		jw_int(w, "deadline_left_s", left);
	jw_bool(w, "overdue", left != ACTIONS_NO_DEADLINE && left < 0);
	jw_bool(w, "report_now", actions_report_now(k));
	if (k->playbook[0])
		jw_str(w, "playbook", k->playbook);
	else
		jw_null(w, "playbook");
	jw_uint(w, "playbook_done", k->pb_done);
	jw_uint(w, "playbook_steps", k->pb_steps);
}

/* The deadline column: "NOW" (report at once), "OVERDUE", "4d03h", "-". */
static void deadline_text(const struct triage *t, const struct ticket *k, int64_t now,
			  char *buf, size_t size)
{
	int64_t left = actions_deadline_left(k, now);

	if (actions_report_now(k))
		str_copy(buf, t->vi ? "BÁO NGAY" : "NOW", size);
	else if (left == ACTIONS_NO_DEADLINE)
		str_copy(buf, "-", size);
	else if (left < 0)
		str_copy(buf, t->vi ? "QUÁ HẠN" : "OVERDUE", size);
	else if (left >= 86400)
		snprintf(buf, size, "%" PRId64 "d%02" PRId64 "h", left / 86400, left % 86400 / 3600);
	else
		snprintf(buf, size, "%" PRId64 "h%02" PRId64 "m", left / 3600, left % 3600 / 60);
}

/* ---- choosing the tickets of a list ---- */

struct tvec {
	struct ticket *v;
	size_t n, cap;
};

static int tvec_push(struct tvec *tv, const struct ticket *k)
{
	if (tv->n == tv->cap) {
		size_t nc = tv->cap ? tv->cap * 2 : 64;
		struct ticket *nv = realloc(tv->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		tv->v = nv;
		tv->cap = nc;
	}
	tv->v[tv->n++] = *k;
	return 0;
}

/* A ticket known by its place in an agency's urgency index. */
struct cand {
	size_t ag;
	char id[QUEUE_ID_MAX];
	double score;
};

struct cvec {
	struct cand *v;
	size_t n, cap;
};

static int cvec_push(struct cvec *cv, size_t ag, const char *id, double score)
{
	if (cv->n == cv->cap) {
		size_t nc = cv->cap ? cv->cap * 2 : 256;
		struct cand *nv = realloc(cv->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		cv->v = nv;
		cv->cap = nc;
	}
	cv->v[cv->n].ag = ag;
	str_copy(cv->v[cv->n].id, id, QUEUE_ID_MAX);
	cv->v[cv->n++].score = score;
	return 0;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
}

#define READ_BATCH 1024   /* tickets asked for in one pipeline */

/* Reads the tickets c[0..n) and keeps in tv those the filters want;
 * kept[i] (kept may be NULL) says whether c[i] was. */
static int read_cands(struct triage *t, char **ag, const struct cand *c, size_t n,
		      const struct tickets_query *a, struct tvec *tv, bool *kept)
{
	for (size_t b = 0; b < n; b += READ_BATCH) {
		size_t m = n - b < READ_BATCH ? n - b : READ_BATCH;

		for (size_t i = 0; i < m; i++)
			if (append_ticket(t, ag[c[b + i].ag], c[b + i].id))
				goto fail;
		for (size_t i = 0; i < m; i++) {
			struct ticket k;
			int e;
			bool keep;

			ticket_init(&k, ag[c[b + i].ag], c[b + i].id);
			if ((e = read_ticket(t, &k)) < 0)
				goto fail;
			keep = e > 0 && wanted(a, &k);
			if (kept)
				kept[b + i] = keep;
			if (keep && tvec_push(tv, &k)) {
				triage_err(t, "out of memory", "hết bộ nhớ");
				return -1;
			}
		}
	}
	return 0;
fail:
	triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
	return -1;
}

/* Appends ZREVRANGE idx:urgent from..to WITHSCORES of agency slug. */
static int append_urgent(struct triage *t, const char *slug, long from, long to)
{
	char key[QUEUE_KEY_MAX], f[24], l[24];
	const char *zr[5] = { "ZREVRANGE", key, f, l, "WITHSCORES" };

	snprintf(f, sizeof(f), "%ld", from);
	snprintf(l, sizeof(l), "%ld", to);
	if (queue_key(key, sizeof(key), slug, "idx", "urgent"))
		return -1;
	return hd_redis_append(t->conn, 5, zr, NULL);
}

/* Reads a reply of id, score pairs into cv; *n gets the pairs, *last the
 * last score. */
static int read_pairs(struct triage *t, size_t ag, struct cvec *cv, size_t *n, double *last)
{
	redisReply *r;
	int rc = 0;

	*n = 0;
	if (hd_redis_read(t->conn, &r)) {
		triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		triage_err(t, "queue refused: %s", "hàng đợi từ chối: %s", r->str);
		rc = -1;
	}
	for (size_t j = 0; r->type == REDIS_REPLY_ARRAY && j + 1 < r->elements; j += 2) {
		*last = strtod(r->element[j + 1]->str, NULL);
		if (cvec_push(cv, ag, r->element[j]->str, *last)) {
			rc = -1;
			break;
		}
		(*n)++;
	}
	hd_redis_reply_free(r);
	return rc;
}

/* No filter, by urgency: the top `limit` of each agency's urgency index,
 * cut at the limit-th score overall, plus the ties at that score; only
 * those tickets are read. */
static int collect_top(struct triage *t, char **ag, size_t nag, const struct tickets_query *a,
		       struct tvec *tv)
{
	struct cvec cv = { 0 };
	size_t *nret = calloc(nag ? nag : 1, sizeof(*nret)), lim = (size_t)a->limit;
	double *last = calloc(nag ? nag : 1, sizeof(*last)), cut;
	int rc = -1;

	if (!nret || !last)
		goto out;
	for (size_t i = 0; i < nag; i++)
		if (append_urgent(t, ag[i], 0, a->limit - 1))
			goto out;
	for (size_t i = 0; i < nag; i++)
		if (read_pairs(t, i, &cv, &nret[i], &last[i]))
			goto out;
	if (cv.n)
		qsort(cv.v, cv.n, sizeof(*cv.v), cmp_cand);
	if (cv.n >= lim) {
		char s[40];
		size_t have = cv.n, pending = 0;

		cut = cv.v[lim - 1].score;
		snprintf(s, sizeof(s), "%.17g", cut);
		for (size_t i = 0; i < nag; i++) {
			char key[QUEUE_KEY_MAX];
			const char *zr[5] = { "ZREVRANGEBYSCORE", key, s, s, "WITHSCORES" };

			if (nret[i] < lim || last[i] != cut)
				continue;
			if (queue_key(key, sizeof(key), ag[i], "idx", "urgent") ||
			    hd_redis_append(t->conn, 5, zr, NULL))
				goto out;
			nret[i] = SIZE_MAX;
			pending++;
		}
		for (size_t i = 0; i < nag && pending; i++) {
			size_t n0 = cv.n, got;
			double l;

			if (nret[i] != SIZE_MAX)
				continue;
			pending--;
			if (read_pairs(t, i, &cv, &got, &l))
				goto out;
			/* drop the ties already read from the top */
			for (size_t j = n0; j < cv.n; j++) {
				bool dup = false;

				for (size_t q = 0; q < have && !dup; q++)
					dup = cv.v[q].ag == i && !strcmp(cv.v[q].id, cv.v[j].id);
				if (dup)
					cv.v[j--] = cv.v[--cv.n];
			}
		}
		if (cv.n)
			qsort(cv.v, cv.n, sizeof(*cv.v), cmp_cand);
		while (cv.n > lim && cv.v[cv.n - 1].score < cut)
			cv.n--;
	}
	rc = read_cands(t, ag, cv.v, cv.n, a, tv, NULL);
out:
	free(cv.v);
	free(nret);
	free(last);
	return rc;
}

static int sev_rank_of(const char *s)
{
	static const char *const names[] = { "none", "low", "medium", "high", "critical" };

	for (size_t i = 0; s && i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

/* The limit-th highest of the scores of the wanted tickets so far
 * (-1 if fewer). */
static double threshold(const struct cand *c, const bool *kept, size_t n, size_t lim,
			double *best, size_t *nbest)
{
	/* best[] keeps the lim highest scores seen, in no order */
	for (size_t j = 0; j < n; j++) {
		size_t lo = 0;

		if (!kept[j])
			continue;
		if (*nbest < lim) {
			best[(*nbest)++] = c[j].score;
			continue;
		}
		for (size_t q = 1; q < lim; q++)
			if (best[q] < best[lo])
				lo = q;
		if (c[j].score > best[lo])
			best[lo] = c[j].score;
	}
	if (*nbest < lim)
		return -1;
	{
		double m = best[0];

		for (size_t q = 1; q < lim; q++)
			if (best[q] < m)
				m = best[q];
		return m;
	}
}

/* Filters, by urgency: each agency's index is read from the top, a page
 * at a time (pages growing from a few per agency), until its next entries
 * score below the limit-th wanted ticket found over all agencies (ties
 * included), or it is exhausted. */
static int collect_scan(struct triage *t, char **ag, size_t nag, const struct tickets_query *a,
			struct tvec *tv)
{
	struct scan {
		long off;
		bool done;
		double last;
	} *sc = calloc(nag ? nag : 1, sizeof(*sc));
	struct cvec cv = { 0 };
	bool *kept = NULL;
	size_t lim = (size_t)a->limit, nbest = 0;
	long chunk = (long)(2 * lim / (nag ? nag : 1)) + 8;
	double *best = calloc(lim, sizeof(*best)), g;
	/* idx:urgent is sev_rank x 1000 + score: below rank x 1000, no
	 * ticket can have the wanted severity */
	double floor_score = a->severity && sev_rank_of(a->severity) >= 0 ?
			     sev_rank_of(a->severity) * 1000.0 : -1;
	int rc = -1;

	if (!sc || !best)
		goto out;
	for (;;) {
		size_t active = 0;

		cv.n = 0;
		for (size_t i = 0; i < nag; i++) {
			if (sc[i].done)
				continue;
			if (append_urgent(t, ag[i], sc[i].off, sc[i].off + chunk - 1))
				goto out;
			active++;
		}
		if (!active)
			break;
		for (size_t i = 0; i < nag; i++) {
			size_t got;

			if (sc[i].done)
				continue;
			if (read_pairs(t, i, &cv, &got, &sc[i].last))
				goto out;
			sc[i].off += (long)got;
			if ((long)got < chunk)
				sc[i].done = true;
		}
		free(kept);
		if (!(kept = calloc(cv.n ? cv.n : 1, sizeof(*kept))) ||
		    read_cands(t, ag, cv.v, cv.n, a, tv, kept))
			goto out;
		g = threshold(cv.v, kept, cv.n, lim, best, &nbest);
		for (size_t i = 0; i < nag; i++)
			if ((g >= 0 && sc[i].last < g) || sc[i].last < floor_score)
				sc[i].done = true;
		if (chunk < 4096)
			chunk *= 4;
	}
	rc = 0;
out:
	free(kept);
	free(cv.v);
	free(sc);
	free(best);
	return rc;
}

#define STATUS_SET_MAX 20000   /* beyond this, a status filter scans the index */

/* A status filter: the tickets of the status index sets (docs/queue.md),
 * when they hold at most STATUS_SET_MAX; 1 when they hold more (the
 * caller reads another way). Each ticket is still checked against its
 * case, so the index can only make the list shorter, never wrong. */
static int collect_status(struct triage *t, char **ag, size_t nag, const struct tickets_query *a,
			  struct tvec *tv)
{
	static const char *const open[] = { "new", "triaged", "in_progress", "contained", "escalated" };
	const char *const *st = open;
	size_t ns = ARRAY_SIZE(open);
	long long total = 0;
	struct cvec cv = { 0 };
	int rc = -1;

	if (strcmp(a->status, "open"))
		st = &a->status, ns = 1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nag; i++)
			for (size_t j = 0; j < ns; j++) {
				char key[QUEUE_KEY_MAX], what[48];
				const char *av[2] = { pass ? "SMEMBERS" : "SCARD", key };

				snprintf(what, sizeof(what), "idx:status:%s", st[j]);
				if (queue_key(key, sizeof(key), ag[i], what, NULL) ||
				    hd_redis_append(t->conn, 2, av, NULL))
					goto fail;
			}
		for (size_t i = 0; i < nag; i++)
			for (size_t j = 0; j < ns; j++) {
				redisReply *r;

				if (hd_redis_read(t->conn, &r))
					goto fail;
				if (r->type == REDIS_REPLY_INTEGER)
					total += r->integer;
				for (size_t q = 0; r->type == REDIS_REPLY_ARRAY && q < r->elements; q++)
					if (r->element[q]->type == REDIS_REPLY_STRING &&
					    cvec_push(&cv, i, r->element[q]->str, 0)) {
						hd_redis_reply_free(r);
						goto out;
					}
				hd_redis_reply_free(r);
			}
		if (!pass && total > STATUS_SET_MAX)
			return 1;
	}
	rc = read_cands(t, ag, cv.v, cv.n, a, tv, NULL);
	goto out;
fail:
	triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
out:
	free(cv.v);
	return rc;
}

/* Every ticket of the agencies (other sorts, or no limit). */
static int collect_all(struct triage *t, char **ag, size_t nag, const struct tickets_query *a,
		       struct tvec *tv)
{
	struct cvec cv = { 0 };
	int rc = -1;

	for (size_t i = 0; i < nag; i++) {
		size_t got;
		double l;

		if (append_urgent(t, ag[i], 0, -1) || read_pairs(t, i, &cv, &got, &l))
			goto out;
	}
	rc = read_cands(t, ag, cv.v, cv.n, a, tv, NULL);
out:
	free(cv.v);
	return rc;
}

static void print_json(struct jw *w)
{
	fwrite(w->buf, 1, w->len, stdout);
	fputc('\n', stdout);
}

int tickets_list(struct triage *t, const struct tickets_query *query, struct ticket **out,
		 size_t *n)
{
	struct tickets_query a = *query;
	struct tvec tv = { 0 };
	size_t nag, nsel;
	char **ag, *tmp;
	int e;

	*out = NULL;
	*n = 0;
	if (!a.sort)
		a.sort = "urgency";
	sort_key = a.sort;
	if (!triage_conn(t) || !(ag = tickets_agencies(t, &nag)))
		return -1;
	if (a.agency) {
		char slug[QUEUE_SLUG_MAX];
		size_t k = 0;

		queue_slug(a.agency, slug);
		for (size_t i = 0; i < nag; i++) {
			if (!strcmp(ag[i], slug))
				tmp = ag[k], ag[k] = ag[i], ag[i] = tmp, k++;
		}
		nsel = k;
	} else {
		nsel = nag;
	}
	e = a.status ? collect_status(t, ag, nsel, &a, &tv) : 1;
	if (e == 1 && !strcmp(a.sort, "urgency") && a.limit > 0)
		e = filtered(&a) ? collect_scan(t, ag, nsel, &a, &tv) : collect_top(t, ag, nsel, &a, &tv);
	else if (e == 1)
		e = collect_all(t, ag, nsel, &a, &tv);
	tickets_free_agencies(ag, nag);
	if (e) {
		free(tv.v);
		return -1;
	}
	if (tv.n)
		qsort(tv.v, tv.n, sizeof(*tv.v), cmp_tickets);
	if (a.limit > 0 && tv.n > (size_t)a.limit)
		tv.n = (size_t)a.limit;
	*out = tv.v;
	*n = tv.n;
	return 0;
}

static int run_list(struct triage *t, int argc, char **argv)
{
	struct tickets_query a = { .limit = 50, .sort = "urgency" };
	struct ticket *v = NULL;
	size_t nv = 0;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (!strcmp(o, "--json"))
			json = true, takes = false;
		else if (!val)
			goto usage;
		else if (!strcmp(o, "--status"))
			a.status = val;
		else if (!strcmp(o, "--severity"))
			a.severity = val;
		else if (!strcmp(o, "--agency"))
			a.agency = val;
		else if (!strcmp(o, "--category"))
			a.category = val;
		else if (!strcmp(o, "--search"))
			a.search = val;
		else if (!strcmp(o, "--sort"))
			a.sort = val;
		else if (!strcmp(o, "--limit"))
			a.limit = strtol(val, NULL, 10);
		else if (!strcmp(o, "--since")) {
			if (!(a.since_ms = parse_since(val))) {
				triage_err(t, "--since: '%s' is not a time (24h, 7d, 2026-11-27, ISO 8601)",
					   "--since: '%s' không phải thời điểm (24h, 7d, 2026-11-27, ISO 8601)", val);
				return 2;
			}
		} else
			goto usage;
		if (takes)
			i++;
	}
	if (strcmp(a.sort, "urgency") && strcmp(a.sort, "time") && strcmp(a.sort, "age") &&
	    strcmp(a.sort, "count") && strcmp(a.sort, "score") && strcmp(a.sort, "agency")) {
		triage_err(t, "--sort: urgency, time, count, score or agency", "--sort: urgency, time, count, score hoặc agency");
		return 2;
	}
	if (!triage_conn(t) || tickets_list(t, &a, &v, &nv))
		return 2;
	if (json) {
		struct jw w;
		int64_t now = now_ms();

		jw_init(&w, 256u << 20);
		jw_arr_open(&w, NULL);
		for (size_t i = 0; i < nv; i++) {
			tickets_json_open(&w, NULL, &v[i], now);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
		print_json(&w);
		jw_finish(&w);
	} else {
		int64_t now = now_ms();

		col(t->vi ? "MÃ" : "ID", 12);
		col(t->vi ? "MỨC" : "SEVERITY", 8);
		col(t->vi ? "ĐIỂM" : "SCORE", 5);
		col(t->vi ? "ĐƠN VỊ" : "AGENCY", 16);
		col(t->vi ? "MÁY" : "HOST", 15);
		col(t->vi ? "LOẠI" : "CATEGORY", 12);
		col(t->vi ? "SỐ LẦN" : "COUNT", 6);
		col(t->vi ? "TUỔI" : "AGE", 5);
		col(t->vi ? "TRẠNG THÁI" : "STATUS", 11);
		col(t->vi ? "HẠN B.CÁO" : "DEADLINE", 9);
		col(t->vi ? "NGƯỜI NHẬN" : "CLAIMED", 10);
		col(t->vi ? "QT" : "PB", 5);
		printf("%s\n", t->vi ? "DẤU HIỆU" : "INDICATOR");
		for (size_t i = 0; i < nv; i++) {
			const struct ticket *k = &v[i];
			int64_t age = (now - k->last_ms) / 1000;
			char ages[24];

			if (age < 3600)
				snprintf(ages, sizeof(ages), "%" PRId64 "m", age / 60);
			else if (age < 172800)
				snprintf(ages, sizeof(ages), "%" PRId64 "h", age / 3600);
			else
				snprintf(ages, sizeof(ages), "%" PRId64 "d", age / 86400);
			char num[2][24], dl[24], pb[24];

			snprintf(num[0], sizeof(num[0]), "%5" PRIu64, k->score);
			snprintf(num[1], sizeof(num[1]), "%6" PRIu64, k->count);
			col(k->id, 12);
			col(k->severity, 8);
			col(num[0], 5);
			col(k->agency, 16);
			col(k->host, 15);
			col(t->vi ? k->category_vi : k->category, 12);
			col(num[1], 6);
			col(ages, 5);
			col(k->status, 11);
			deadline_text(t, k, now, dl, sizeof(dl));
			col(dl, 9);
			col(k->assignee[0] ? k->assignee : "-", 10);
			if (k->pb_steps)
				snprintf(pb, sizeof(pb), "%u/%u", k->pb_done, k->pb_steps);
			else
				str_copy(pb, "-", sizeof(pb));
			col(pb, 5);
			printf("%.80s\n", k->indicator);
		}
	}
	free(v);
	return 0;
usage:
	fprintf(stderr, "%s: haidang-triage list %s\n", t->vi ? "Cách dùng" : "Usage", cmd_list.synopsis);
	return 2;
}

const struct triage_cmd cmd_list = {
	"list",
	"[--status S] [--severity S] [--agency A] [--category C] [--since T] [--search TEXT] "
	"[--sort urgency|time|count|score|agency] [--limit N] [--json]",
	"incidents in the queue, most urgent first",
	"các sự cố trong hàng đợi, khẩn cấp nhất trước",
	false, run_list,
};

/* ---- show ---- */

static redisReply *lrange(struct triage *t, const char *slug, const char *what, const char *id)
{
	char key[QUEUE_KEY_MAX];
	const char *argv[4] = { "LRANGE", key, "0", "-1" };

	if (queue_key(key, sizeof(key), slug, what, id))
		return NULL;
	return cmd(t, 4, argv);
}

static redisReply *hget(struct triage *t, const char *slug, const char *id, const char *field)
{
	char key[QUEUE_KEY_MAX];
	const char *argv[3] = { "HGET", key, field };

	if (queue_key(key, sizeof(key), slug, "det", id))
		return NULL;
	return cmd(t, 3, argv);
}

/* One history entry: when, who, what, before -> after. */
static void print_history(const char *entry)
{
	cJSON *h = cJSON_Parse(entry);
	const cJSON *ts = cJSON_GetObjectItem(h, "ts"), *who = cJSON_GetObjectItem(h, "who"),
		    *act = cJSON_GetObjectItem(h, "action");
	char when[HD_TSLEN] = "?", *before = NULL, *after = NULL;

	if (!h) {
		printf("  %s\n", entry);
		return;
	}
	if (cJSON_IsNumber(ts)) {
		struct timeval tv = { (time_t)(ts->valuedouble / 1000),
				      (suseconds_t)((int64_t)ts->valuedouble % 1000 * 1000) };
		ts_format(&tv, when, sizeof(when));
		when[19] = '\0';
	}
	before = cJSON_PrintUnformatted(cJSON_GetObjectItem(h, "before"));
	after = cJSON_PrintUnformatted(cJSON_GetObjectItem(h, "after"));
	printf("  %s  %-20s %-10s %s -> %s\n", when, cJSON_IsString(who) ? who->valuestring : "?",
	       cJSON_IsString(act) ? act->valuestring : "?", before ? before : "",
	       after ? after : "");
	free(before);
	free(after);
	cJSON_Delete(h);
}

static int run_show(struct triage *t, int argc, char **argv)
{
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX];
	struct ticket k;
	redisReply *ev = NULL, *hist = NULL, *notes = NULL;
	const struct playbook *pb;
	bool json = false;
	const char *idp = NULL;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!idp && argv[i][0] != '-')
			idp = argv[i];
		else {
			fprintf(stderr, "%s: haidang-triage show %s\n", t->vi ? "Cách dùng" : "Usage",
				cmd_show.synopsis);
			return 2;
		}
	}
	if (!idp) {
		fprintf(stderr, "%s: haidang-triage show %s\n", t->vi ? "Cách dùng" : "Usage", cmd_show.synopsis);
		return 2;
	}
	if (!triage_conn(t))
		return 2;
	if (tickets_resolve(t, idp, slug, id) || tickets_read(t, slug, id, &k))
		return 1;
	pb = checklist_playbook_for(t, k.category);
	if (!(ev = hget(t, slug, id, "evidence")) || !(hist = lrange(t, slug, "hist", id)) ||
	    !(notes = lrange(t, slug, "notes", id)))
		goto out;
	if (json) {
		struct jw w;

		jw_init(&w, 256u << 20);
		tickets_json_open(&w, NULL, &k, now_ms());
		if (pb) {
			jw_str(&w, "playbook_name", checklist_playbook_name(pb, t->vi));
			jw_str(&w, "playbook_name_vi", pb->name_vi);
			jw_str(&w, "playbook_name_en", pb->name_en);
		}
		if (ev->type == REDIS_REPLY_STRING)
			jw_json(&w, "evidence", ev->str, ev->len);
		jw_arr_open(&w, "history");
		for (size_t i = 0; i < hist->elements; i++)
			jw_json(&w, NULL, hist->element[i]->str, hist->element[i]->len);
		jw_arr_close(&w);
		jw_arr_open(&w, "notes");
		for (size_t i = 0; i < notes->elements; i++)
			jw_json(&w, NULL, notes->element[i]->str, notes->element[i]->len);
		jw_arr_close(&w);
		jw_obj_close(&w);
		print_json(&w);
		jw_finish(&w);
	} else {
		cJSON *e = ev->type == REDIS_REPLY_STRING ? cJSON_Parse(ev->str) : NULL;
		const cJSON *it;

		printf("%s %s\n", t->vi ? "Sự cố" : "Incident", k.id);
		printf("  %-14s %s (%s)\n", t->vi ? "Đơn vị:" : "Agency:", k.agency, k.sensor);
		printf("  %-14s %s / %s, %s %u\n", t->vi ? "Loại:" : "Category:", k.category,
		       k.category_vi, t->vi ? "loại quốc gia" : "national type", k.national_type);
		printf("  %-14s %s, %s %" PRIu64 "\n", t->vi ? "Mức độ:" : "Severity:", k.severity,
		       t->vi ? "điểm" : "score", k.score);
		printf("  %-14s %s%s%s\n", t->vi ? "Máy:" : "Host:", k.host, k.peer[0] ? " ↔ " : "", k.peer);
		printf("  %-14s %s\n", t->vi ? "Dấu hiệu:" : "Indicator:", k.indicator);
		printf("  %-14s %s … %s, %" PRIu64 " %s\n", t->vi ? "Thời gian:" : "Seen:", k.first_seen,
		       k.last_seen, k.count, t->vi ? "lần" : "times");
		printf("  %-14s %s%s%s (v%" PRIu64 ")\n", t->vi ? "Trạng thái:" : "Status:", k.status,
		       k.assignee[0] ? ", " : "", k.assignee, k.version);
		if (k.merged_into[0])
			printf("  %-14s %s\n", t->vi ? "Gộp vào:" : "Merged into:", k.merged_into);
		{
			int64_t left = actions_deadline_left(&k, now_ms());
			char dl[24];

			deadline_text(t, &k, now_ms(), dl, sizeof(dl));
			if (actions_report_now(&k))
				printf("  %-14s %s\n", t->vi ? "Hạn báo cáo:" : "Report:",
				       t->vi ? "BÁO CÁO NGAY (mức nghiêm trọng)" : "REPORT NOW (critical severity)");
			else if (left == ACTIONS_NO_DEADLINE)
				printf("  %-14s -\n", t->vi ? "Hạn báo cáo:" : "Report:");
			else if (left < 0)
				printf("  %-14s %s %" PRId64 "h\n", t->vi ? "Hạn báo cáo:" : "Report:",
				       t->vi ? "QUÁ HẠN 5 ngày, trễ" : "OVERDUE (5 days), late by",
				       -left / 3600);
			else
				printf("  %-14s %s %s\n", t->vi ? "Hạn báo cáo:" : "Report:", dl,
				       t->vi ? "còn lại (5 ngày từ khi phát hiện)" : "left (5 days from discovery)");
		}
		if (pb)
			printf("  %-14s %s — %u/%u %s (haidang-triage playbook %.12s)\n",
			       t->vi ? "Quy trình:" : "Playbook:", checklist_playbook_name(pb, t->vi),
			       k.pb_done, k.pb_steps, t->vi ? "bước đã xong" : "done", k.id);
		else
			printf("  %-14s %s\n", t->vi ? "Quy trình:" : "Playbook:",
			       t->vi ? "- (không có quy trình cho loại này)" : "- (none for this category)");
		printf("%s\n", t->vi ? "Bằng chứng:" : "Evidence:");
		cJSON_ArrayForEach(it, e) {
			const cJSON *kind = cJSON_GetObjectItem(it, "kind"), *rule = cJSON_GetObjectItem(it, "rule"),
				    *ind = cJSON_GetObjectItem(it, "indicator"), *obs = cJSON_GetObjectItem(it, "observed"),
				    *src = cJSON_GetObjectItem(it, "source"), *cnt = cJSON_GetObjectItem(it, "count");
			printf("  - %s %s%s%s [%s] ×%.0f\n", cJSON_IsString(kind) ? kind->valuestring : "?",
			       cJSON_IsString(ind) ? ind->valuestring : cJSON_IsString(rule) ? rule->valuestring : "",
			       cJSON_IsString(obs) ? ": " : "", cJSON_IsString(obs) ? obs->valuestring : "",
			       cJSON_IsString(src) ? src->valuestring : "", cJSON_IsNumber(cnt) ? cnt->valuedouble : 0);
		}
		cJSON_Delete(e);
		printf("%s\n", t->vi ? "Lịch sử:" : "History:");
		for (size_t i = 0; i < hist->elements; i++)
			print_history(hist->element[i]->str);
		if (notes->elements) {
			printf("%s\n", t->vi ? "Ghi chú:" : "Notes:");
			for (size_t i = 0; i < notes->elements; i++)
				printf("  %s\n", notes->element[i]->str);
		}
	}
	rc = 0;
out:
	hd_redis_reply_free(ev);
	hd_redis_reply_free(hist);
	hd_redis_reply_free(notes);
	return rc;
}

const struct triage_cmd cmd_show = {
	"show", "ID [--json]",
	"one incident whole: evidence, history, notes",
	"toàn bộ một sự cố: bằng chứng, lịch sử, ghi chú",
	false, run_show,
};

/* ---- sensors ---- */

static int run_sensors(struct triage *t, int argc, char **argv)
{
	const char *sm[2] = { "SMEMBERS", "hd:sensors" };
	redisReply *names;
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	int64_t now = now_ms();
	struct jw w;

	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, "%s: haidang-triage sensors [--json]\n", t->vi ? "Cách dùng" : "Usage");
		return 2;
	}
	if (!triage_conn(t) || !(names = cmd(t, 2, sm)))
		return 2;
	for (size_t i = 0; i < names->elements; i++) {
		char key[QUEUE_KEY_MAX];
		const char *hg[2] = { "HGETALL", key };

		snprintf(key, sizeof(key), "hd:sensor:%s", names->element[i]->str);
		if (hd_redis_append(t->conn, 2, hg, NULL))
			break;
	}
	if (json) {
		jw_init(&w, 64u << 20);
		jw_arr_open(&w, NULL);
	} else {
		col(t->vi ? "CẢM BIẾN" : "SENSOR", 16);
		col(t->vi ? "ĐƠN VỊ" : "AGENCY", 20);
		col(t->vi ? "TÌNH TRẠNG" : "STATE", 10);
		col(t->vi ? "GÓI TIN" : "PACKETS", 12);
		col(t->vi ? "MẤT GÓI" : "DROPS", 8);
		col("SPOOL", 6);
		col(t->vi ? "LUẬT" : "RULES", 5);
		printf("%s\n", t->vi ? "LỖI GẦN NHẤT" : "LAST ERROR");
	}
	for (size_t i = 0; i < names->elements; i++) {
		redisReply *h;
		const char *f[32] = { 0 }, *val[32] = { 0 };
		size_t nf = 0;
		int64_t upd = 0, hb = 10;
		const char *state;

		if (hd_redis_read(t->conn, &h)) {
			triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
			hd_redis_reply_free(names);
			if (json)
				jw_finish(&w);
			return 2;
		}
		for (size_t j = 0; h->type == REDIS_REPLY_ARRAY && j + 1 < h->elements && nf < 32; j += 2, nf++) {
			f[nf] = h->element[j]->str;
			val[nf] = h->element[j + 1]->str;
			if (!strcmp(f[nf], "updated"))
				upd = strtoll(val[nf], NULL, 10);
			if (!strcmp(f[nf], "heartbeat_s"))
				hb = strtoll(val[nf], NULL, 10);
		}
		/* silent: the heartbeat expired; stale: late by more than two beats */
		state = !nf ? "silent" : now - upd > 3 * hb * 1000 ? "stale" : "ok";
		if (json) {
			jw_obj_open(&w, NULL);
			jw_str(&w, "sensor", names->element[i]->str);
			jw_str(&w, "state", state);
			for (size_t j = 0; j < nf; j++)
				if (strcmp(f[j], "sensor"))
					jw_str(&w, f[j], val[j]);
			jw_obj_close(&w);
		} else {
			const char *get[7] = { "agency", "packets", "capture_drops", "spool_records",
					       "rules_generation", "last_error", "updated" };
			const char *g[7] = { "", "", "", "", "", "", "" };

			for (size_t j = 0; j < nf; j++)
				for (int q = 0; q < 7; q++)
					if (!strcmp(f[j], get[q]))
						g[q] = val[j];
			col(names->element[i]->str, 16);
			col(g[0], 20);
			col(!strcmp(state, "ok") ? (t->vi ? "tốt" : "ok") :
			    !strcmp(state, "stale") ? (t->vi ? "TRỄ" : "STALE") : (t->vi ? "IM LẶNG" : "SILENT"), 10);
			col(g[1], 12);
			col(g[2], 8);
			col(g[3], 6);
			col(g[4], 5);
			printf("%.60s\n", g[5]);
		}
		hd_redis_reply_free(h);
	}
	if (json) {
		jw_arr_close(&w);
		print_json(&w);
		jw_finish(&w);
	}
	hd_redis_reply_free(names);
	return 0;
}

const struct triage_cmd cmd_sensors = {
	"sensors", "[--json]",
	"every sensor's heartbeat; silent and late ones stand out",
	"nhịp tim của mọi cảm biến; cảm biến im lặng hoặc trễ được đánh dấu",
	false, run_sensors,
};
