/*
 * tui_data.c - the console's view of the queue: reading tickets into
 * compact rows, the first screen first (the top of every agency's
 * idx:urgent) and the rest in slices between keystrokes, following the
 * agencies' streams so new and changed incidents appear within a second,
 * and the text of the incident, sensor and help screens.
 *
 * Reads only (docs/queue.md); every change goes through actions.h. Never
 * prints: errors become the bottom line's message.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curses.h>

#include "actions.h"
#include "redis.h"
#include "tui.h"
#include "util.h"
#include "banned.h"

const char *const tui_sort_names[TUI_SORT_N] = {
	"severity", "score", "agency", "host", "category", "title", "count", "age",
	"deadline", "assignee", "status", "playbook",
};

int64_t tui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* str_copy that never leaves half a UTF-8 character at the end. */
void tui_copy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (!size)
		return;
	if (str_copy(dst, src, size) < size)
		return;
	n = strlen(dst);
	while (n > 0 && ((unsigned char)dst[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0 && ((unsigned char)dst[n - 1] & 0xc0) == 0xc0)
		n--;
	dst[n] = '\0';
}

/* ---- lines of text ---- */

void tui_lines_clear(struct tui_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	l->n = 0;
}

void tui_lines_add(struct tui_lines *l, int attr, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct tui_line *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return;
		l->v = nv;
		l->cap = nc;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* a cut in the middle of a character would show as '?' */
	{
		char fixed[2048];
		tui_copy(fixed, buf, sizeof(fixed));
		if (!(l->v[l->n].text = strdup(fixed)))
			return;
	}
	l->v[l->n++].attr = attr;
}

/* ---- labels ---- */

const char *tui_state_label(const struct tui_state *s, const char *state)
{
	static const char *const map[][2] = {
		{ "new", "mới" }, { "triaged", "đã phân loại" }, { "in_progress", "đang xử lý" },
		{ "contained", "đã cô lập" }, { "resolved", "đã xử lý xong" },
		{ "false_positive", "báo động nhầm" }, { "duplicate", "trùng lặp" },
		{ "escalated", "đã báo cáo lên" },
	};

	if (!s->t->vi)
		return state;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(map[i][0], state))
			return map[i][1];
	return state;
}

const char *tui_sev_label(const struct tui_state *s, const char *sev)
{
	static const char *const map[][2] = {
		{ "critical", "khẩn cấp" }, { "high", "cao" }, { "medium", "trung bình" },
		{ "low", "thấp" }, { "info", "thông tin" },
	};

	if (!s->t->vi)
		return sev;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(map[i][0], sev))
			return map[i][1];
	return sev;
}

void tui_deadline_text(const struct tui_state *s, int64_t deadline_ms, bool now_flag,
		       int64_t now, char *buf, size_t size)
{
	int64_t left = (deadline_ms - now) / 1000;

	if (now_flag)
		snprintf(buf, size, "%s", TUI_L(s, "REPORT!", "BÁO NGAY"));
	else if (left < 0)
		snprintf(buf, size, "%s", TUI_L(s, "OVERDUE", "QUÁ HẠN"));
	else if (left >= 86400)
		snprintf(buf, size, "%" PRId64 "d%02" PRId64 "h", left / 86400, left % 86400 / 3600);
	else
		snprintf(buf, size, "%" PRId64 "h%02" PRId64 "m", left / 3600, left % 3600 / 60);
}

/* ---- rows and their index ---- */

static uint32_t id_hash(const char *id)
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h;
}

static int hash_put(struct tui_state *s, uint32_t idx);

static int hash_grow(struct tui_state *s)
{
	size_t nc = s->hcap ? s->hcap * 2 : 1024;
	uint32_t *nh = calloc(nc, sizeof(*nh));

	if (!nh)
		return -1;
	free(s->hash);
	s->hash = nh;
	s->hcap = nc;
	for (size_t i = 0; i < s->nrows; i++)
		hash_put(s, (uint32_t)i);
	return 0;
}

static int hash_put(struct tui_state *s, uint32_t idx)
{
	size_t m;

	if ((s->nrows + 1) * 2 > s->hcap && hash_grow(s))
		return -1;
	m = id_hash(s->rows[idx].id) & (s->hcap - 1);
	while (s->hash[m])
		m = (m + 1) & (s->hcap - 1);
	s->hash[m] = idx + 1;
	return 0;
}

struct tui_row *tui_find(struct tui_state *s, const char *id)
{
	size_t m;

	if (!s->hcap)
		return NULL;
	m = id_hash(id) & (s->hcap - 1);
	while (s->hash[m]) {
		struct tui_row *r = &s->rows[s->hash[m] - 1];
		if (!strcmp(r->id, id))
			return r;
		m = (m + 1) & (s->hcap - 1);
	}
	return NULL;
}

/* A new row for id (or the existing one). */
static struct tui_row *row_get(struct tui_state *s, const char *slug, const char *id)
{
	struct tui_row *r = tui_find(s, id);

	if (r)
		return r;
	if (s->nrows == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		struct tui_row *nv = realloc(s->rows, nc * sizeof(*nv));
		if (!nv)
			return NULL;
		s->rows = nv;
		s->cap = nc;
	}
	r = &s->rows[s->nrows];
	memset(r, 0, sizeof(*r));
	str_copy(r->id, id, sizeof(r->id));
	str_copy(r->slug, slug, sizeof(r->slug));
	if (hash_put(s, (uint32_t)s->nrows))
		return NULL;
	s->nrows++;
	return r;
}

/* The fields the queue view needs, without the evidence. */
static const char *const det_fields[] = {
	"agency", "category", "category_vi", "severity", "sev_rank", "score", "host",
	"indicator", "last_seen_ms", "count", "first_seen", "created_ms", "sensor", "last_seen",
};

/* The case hash is read whole (HGETALL): it is small, and its pb:STEP
 * fields are the playbook's ticks (checklist.h). */
static int append_row(struct tui_state *s, const char *slug, const char *id)
{
	char kd[QUEUE_KEY_MAX], kc[QUEUE_KEY_MAX];
	const char *a1[2 + ARRAY_SIZE(det_fields)] = { "HMGET", kd };
	const char *a2[2] = { "HGETALL", kc };

	if (queue_key(kd, sizeof(kd), slug, "det", id) || queue_key(kc, sizeof(kc), slug, "case", id))
		return -1;
	memcpy(a1 + 2, det_fields, sizeof(det_fields));
	if (hd_redis_append(s->t->conn, (int)ARRAY_SIZE(a1), a1, NULL) ||
	    hd_redis_append(s->t->conn, (int)ARRAY_SIZE(a2), a2, NULL))
		return -1;
	return 0;
}

static const char *el(const redisReply *r, size_t i)
{
	return r->type == REDIS_REPLY_ARRAY && i < r->elements &&
	       r->element[i]->type == REDIS_REPLY_STRING ? r->element[i]->str : "";
}

/* Reads the two replies of append_row into the row of id. 1 if the ticket
 * exists, 0 if not (nothing stored), -1 on an I/O error. */
static int read_row(struct tui_state *s, const char *slug, const char *id, int64_t now)
{
	redisReply *d = NULL, *c = NULL;
	const struct playbook *pb;
	struct ticket k;
	struct tui_row *r;
	size_t pb_done = 0;
	int rc = -1;

	if (hd_redis_read(s->t->conn, &d) || hd_redis_read(s->t->conn, &c))
		goto out;
	rc = 0;
	if (d->type != REDIS_REPLY_ARRAY || !*el(d, 0))
		goto out;
	memset(&k, 0, sizeof(k));
	str_copy(k.id, id, sizeof(k.id));
	str_copy(k.slug, slug, sizeof(k.slug));
	str_copy(k.agency, el(d, 0), sizeof(k.agency));
	str_copy(k.category, el(d, 1), sizeof(k.category));
	str_copy(k.category_vi, el(d, 2), sizeof(k.category_vi));
	str_copy(k.severity, el(d, 3), sizeof(k.severity));
	k.sev_rank = (unsigned)strtoul(el(d, 4), NULL, 10);
	k.score = strtoull(el(d, 5), NULL, 10);
	str_copy(k.host, el(d, 6), sizeof(k.host));
	str_copy(k.indicator, el(d, 7), sizeof(k.indicator));
	k.last_ms = strtoll(el(d, 8), NULL, 10);
	k.count = strtoull(el(d, 9), NULL, 10);
	str_copy(k.first_seen, el(d, 10), sizeof(k.first_seen));
	k.created_ms = strtoll(el(d, 11), NULL, 10);
	str_copy(k.sensor, el(d, 12), sizeof(k.sensor));
	str_copy(k.last_seen, el(d, 13), sizeof(k.last_seen));
	str_copy(k.status, "new", sizeof(k.status));
	pb = checklist_playbook_for(s->t, k.category);
	for (size_t i = 0; c->type == REDIS_REPLY_ARRAY && i + 1 < c->elements; i += 2) {
		const char *f = el(c, i), *v = el(c, i + 1);

		if (!strcmp(f, "status") && *v)
			str_copy(k.status, v, sizeof(k.status));
		else if (!strcmp(f, "assignee"))
			str_copy(k.assignee, v, sizeof(k.assignee));
		else if (!strcmp(f, "version"))
			k.version = strtoull(v, NULL, 10);
		else
			pb_done += checklist_mark_step(pb, f, v) >= 0;
	}
	if (!(r = row_get(s, slug, id)))
		goto out;
	tui_copy(r->agency, k.agency, sizeof(r->agency));
	tui_copy(r->category, k.category, sizeof(r->category));
	tui_copy(r->category_vi, k.category_vi, sizeof(r->category_vi));
	tui_copy(r->severity, k.severity, sizeof(r->severity));
	tui_copy(r->host, k.host, sizeof(r->host));
	tui_copy(r->indicator, k.indicator, sizeof(r->indicator));
	tui_copy(r->status, k.status, sizeof(r->status));
	tui_copy(r->assignee, k.assignee, sizeof(r->assignee));
	r->sev_rank = k.sev_rank;
	r->score = k.score;
	r->count = k.count;
	r->version = k.version;
	r->last_ms = k.last_ms;
	r->deadline_ms = now + actions_deadline_left(&k, now) * 1000;
	r->report_now = actions_report_now(&k);
	r->pb_steps = pb ? (uint16_t)pb->nsteps : 0;
	r->pb_done = (uint16_t)pb_done;
	rc = 1;
out:
	hd_redis_reply_free(d);
	hd_redis_reply_free(c);
	return rc;
}

int tui_refresh_row(struct tui_state *s, const char *slug, const char *id)
{
	if (append_row(s, slug, id))
		return -1;
	return read_row(s, slug, id, tui_now_ms()) < 0 ? -1 : 0;
}

/* ---- loading ---- */

static int read_agencies(struct tui_state *s)
{
	const char *argv[2] = { "SMEMBERS", "hd:agencies" };
	redisReply *r = hd_redis_command(s->t->conn, 2, argv, NULL);
	size_t had = s->nag;

	if (!r)
		return -1;
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		const char *slug = r->element[i]->str;
		bool known = false;
		struct tui_agency *na;

		if (r->element[i]->type != REDIS_REPLY_STRING || r->element[i]->len >= QUEUE_SLUG_MAX)
			continue;
		for (size_t j = 0; j < had && !known; j++)
			known = !strcmp(s->ag[j].slug, slug);
		if (known || !(na = realloc(s->ag, (s->nag + 1) * sizeof(*na))))
			continue;
		s->ag = na;
		na = &s->ag[s->nag];
		str_copy(na->slug, slug, sizeof(na->slug));
		if (queue_key(na->stream, sizeof(na->stream), slug, "stream", NULL))
			continue;
		str_copy(na->last, "0-0", sizeof(na->last));
		s->nag++;
	}
	hd_redis_reply_free(r);
	return (int)(s->nag - had);
}

/* For agencies from index `from` on: pipelined XREVRANGE (the stream's
 * last id, so nothing between this read and the first poll is missed)
 * then ZREVRANGE idx:urgent 0 n-1 WITHSCORES (n 0: all, no scores). The
 * caller reads 2 replies per agency. */
static int append_tops(struct tui_state *s, size_t from, long n)
{
	for (size_t i = from; i < s->nag; i++) {
		char key[QUEUE_KEY_MAX], stop[24];
		const char *xr[6] = { "XREVRANGE", s->ag[i].stream, "+", "-", "COUNT", "1" };
		const char *zr[5] = { "ZREVRANGE", key, "0", stop, "WITHSCORES" };

		if (queue_key(key, sizeof(key), s->ag[i].slug, "idx", "urgent"))
			return -1;
		snprintf(stop, sizeof(stop), "%ld", n > 0 ? n - 1 : -1L);
		if (hd_redis_append(s->t->conn, 6, xr, NULL) ||
		    hd_redis_append(s->t->conn, n > 0 ? 5 : 4, zr, NULL))
			return -1;
	}
	return 0;
}

static void take_last_id(struct tui_agency *a, const redisReply *x)
{
	if (x->type == REDIS_REPLY_ARRAY && x->elements == 1 &&
	    x->element[0]->type == REDIS_REPLY_ARRAY && x->element[0]->elements >= 1 &&
	    x->element[0]->element[0]->type == REDIS_REPLY_STRING)
		str_copy(a->last, x->element[0]->element[0]->str, sizeof(a->last));
}

struct top { double score; uint32_t ag; char id[QUEUE_ID_MAX]; };

static int cmp_top(const void *a, const void *b)
{
	const struct top *x = a, *y = b;

	return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
}

int tui_load_first(struct tui_state *s, unsigned n)
{
	struct top *tops = NULL;
	size_t nt = 0, cap = 0;
	int64_t now = tui_now_ms();
	int rc = -1;

	if (read_agencies(s) < 0 || append_tops(s, 0, n))
		return -1;
	for (size_t i = 0; i < s->nag; i++) {
		redisReply *x, *z;

		if (hd_redis_read(s->t->conn, &x))
			goto out;
		take_last_id(&s->ag[i], x);
		hd_redis_reply_free(x);
		if (hd_redis_read(s->t->conn, &z))
			goto out;
		for (size_t j = 0; z->type == REDIS_REPLY_ARRAY && j + 1 < z->elements; j += 2) {
			if (nt == cap) {
				struct top *nv = realloc(tops, (cap = cap ? cap * 2 : 256) * sizeof(*nv));
				if (!nv) {
					hd_redis_reply_free(z);
					goto out;
				}
				tops = nv;
			}
			tops[nt].score = strtod(z->element[j + 1]->str, NULL);
			tops[nt].ag = (uint32_t)i;
			str_copy(tops[nt].id, z->element[j]->str, sizeof(tops[nt].id));
			nt++;
		}
		hd_redis_reply_free(z);
	}
	if (nt)
		qsort(tops, nt, sizeof(*tops), cmp_top);
	if (nt > n)
		nt = n;
	for (size_t i = 0; i < nt; i++)
		if (append_row(s, s->ag[tops[i].ag].slug, tops[i].id))
			goto out;
	for (size_t i = 0; i < nt; i++)
		if (read_row(s, s->ag[tops[i].ag].slug, tops[i].id, now) < 0)
			goto out;
	rc = 0;
out:
	free(tops);
	return rc;
}

/* Lists every ticket id of the agencies from `from` on into the pending
 * list (those not yet in memory). */
static int pend_agencies(struct tui_state *s, size_t from)
{
	for (size_t i = from; i < s->nag; i++) {
		char key[QUEUE_KEY_MAX];
		const char *zr[4] = { "ZREVRANGE", key, "0", "-1" };

		if (queue_key(key, sizeof(key), s->ag[i].slug, "idx", "urgent") ||
		    hd_redis_append(s->t->conn, 4, zr, NULL))
			return -1;
	}
	for (size_t i = from; i < s->nag; i++) {
		redisReply *z;

		if (hd_redis_read(s->t->conn, &z))
			return -1;
		for (size_t j = 0; z->type == REDIS_REPLY_ARRAY && j < z->elements; j++) {
			const char *id = z->element[j]->str;

			if (z->element[j]->type != REDIS_REPLY_STRING || tui_find(s, id))
				continue;
			if (s->npend % 4096 == 0) {
				struct tui_pending *np = realloc(s->pend, (s->npend + 4096) * sizeof(*np));
				if (!np) {
					hd_redis_reply_free(z);
					return -1;
				}
				s->pend = np;
			}
			str_copy(s->pend[s->npend].id, id, sizeof(s->pend[s->npend].id));
			s->pend[s->npend++].ag = (uint32_t)i;
		}
		hd_redis_reply_free(z);
	}
	s->loading = s->ppos < s->npend;
	return 0;
}

int tui_load_start(struct tui_state *s)
{
	return pend_agencies(s, 0);
}

/* Reads up to max pending tickets. Returns 1 while more remain. */
int tui_load_step(struct tui_state *s, size_t max)
{
	size_t end = s->ppos + max < s->npend ? s->ppos + max : s->npend;
	int64_t now = tui_now_ms();

	for (size_t i = s->ppos; i < end; i++)
		if (append_row(s, s->ag[s->pend[i].ag].slug, s->pend[i].id))
			return -1;
	for (size_t i = s->ppos; i < end; i++) {
		/* a ticket the live poll already read is fresher than this one */
		bool fresh = tui_find(s, s->pend[i].id) != NULL;
		struct tui_row keep;
		struct tui_row *r;

		if (fresh)
			keep = *tui_find(s, s->pend[i].id);
		if (read_row(s, s->ag[s->pend[i].ag].slug, s->pend[i].id, now) < 0)
			return -1;
		if (fresh && (r = tui_find(s, s->pend[i].id)))
			*r = keep;
	}
	s->ppos = end;
	if (s->ppos >= s->npend) {
		free(s->pend);
		s->pend = NULL;
		s->npend = s->ppos = 0;
		s->loading = false;
		return 0;
	}
	return 1;
}

/* ---- following the streams ---- */

int tui_poll(struct tui_state *s)
{
	const char **argv;
	redisReply *r;
	size_t argc = 4 + 2 * s->nag, changed = 0;
	int64_t now = tui_now_ms();
	bool inc_seen = false;
	int added;

	/* new agencies: every few seconds (a new agency is rare) */
	if (now - s->last_agencies > 3000) {
		size_t from = s->nag;

		s->last_agencies = now;
		if ((added = read_agencies(s)) < 0)
			return -1;
		if (added > 0) {
			/* their stream position first, then every ticket they have */
			for (size_t i = from; i < s->nag; i++) {
				const char *xr[6] = { "XREVRANGE", s->ag[i].stream, "+", "-", "COUNT", "1" };
				redisReply *x = hd_redis_command(s->t->conn, 6, xr, NULL);
				if (!x)
					return -1;
				take_last_id(&s->ag[i], x);
				hd_redis_reply_free(x);
			}
			if (pend_agencies(s, from))
				return -1;
			changed++;
		}
		argc = 4 + 2 * s->nag;
	}
	if (!s->nag)
		return 0;
	if (!(argv = calloc(argc, sizeof(*argv))))
		return -1;
	argv[0] = "XREAD";
	argv[1] = "COUNT";
	argv[2] = "2000";
	argv[3] = "STREAMS";
	for (size_t i = 0; i < s->nag; i++) {
		argv[4 + i] = s->ag[i].stream;
		argv[4 + s->nag + i] = s->ag[i].last;
	}
	r = hd_redis_command(s->t->conn, (int)argc, argv, NULL);
	free(argv);
	if (!r)
		return -1;
	/* [[stream, [[entry-id, [field, value, ...]], ...]], ...] */
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		const redisReply *st = r->element[i], *ents;
		struct tui_agency *a = NULL;

		if (st->type != REDIS_REPLY_ARRAY || st->elements != 2)
			continue;
		for (size_t j = 0; j < s->nag && !a; j++)
			if (!strcmp(s->ag[j].stream, st->element[0]->str))
				a = &s->ag[j];
		ents = st->element[1];
		if (!a || ents->type != REDIS_REPLY_ARRAY)
			continue;
		for (size_t j = 0; j < ents->elements; j++) {
			const redisReply *e = ents->element[j];

			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
				continue;
			str_copy(a->last, e->element[0]->str, sizeof(a->last));
			for (size_t f = 0; e->element[1]->type == REDIS_REPLY_ARRAY &&
			     f + 1 < e->element[1]->elements; f += 2) {
				const char *id = e->element[1]->element[f + 1]->str;

				if (strcmp(e->element[1]->element[f]->str, "id"))
					continue;
				if (tui_refresh_row(s, a->slug, id)) {
					hd_redis_reply_free(r);
					return -1;
				}
				if (s->screen == TUI_INCIDENT && !strcmp(id, s->inc.id))
					inc_seen = true;
				changed++;
			}
		}
	}
	hd_redis_reply_free(r);
	if (inc_seen)
		s->inc_changed = true;
	return (int)changed;
}

/* ---- filter and sort ---- */

static const struct tui_state *cmp_state;

static int cmp_str(const char *a, const char *b)
{
	return strcoll(a, b);
}

static int cmp_urgency(const struct tui_row *x, const struct tui_row *y)
{
	if (x->sev_rank != y->sev_rank)
		return x->sev_rank < y->sev_rank ? 1 : -1;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if (x->last_ms != y->last_ms)
		return x->last_ms < y->last_ms ? 1 : -1;
	return strcmp(x->id, y->id);
}

static int cmp_rows(const void *a, const void *b)
{
	const struct tui_state *s = cmp_state;
	const struct tui_row *x = &s->rows[*(const uint32_t *)a], *y = &s->rows[*(const uint32_t *)b];
	int c = 0;

	switch (s->sort) {
	case TUI_SORT_SEVERITY: break;
	case TUI_SORT_SCORE: c = x->score < y->score ? 1 : x->score > y->score ? -1 : 0; break;
	case TUI_SORT_AGENCY: c = cmp_str(x->agency, y->agency); break;
	case TUI_SORT_HOST: c = cmp_str(x->host, y->host); break;
	case TUI_SORT_CATEGORY:
		c = cmp_str(s->t->vi ? x->category_vi : x->category, s->t->vi ? y->category_vi : y->category);
		break;
	case TUI_SORT_TITLE: c = cmp_str(x->indicator, y->indicator); break;
	case TUI_SORT_COUNT: c = x->count < y->count ? 1 : x->count > y->count ? -1 : 0; break;
	case TUI_SORT_AGE: c = x->last_ms < y->last_ms ? 1 : x->last_ms > y->last_ms ? -1 : 0; break;
	case TUI_SORT_DEADLINE:
		c = x->report_now != y->report_now ? (x->report_now ? -1 : 1) :
		    x->deadline_ms < y->deadline_ms ? -1 : x->deadline_ms > y->deadline_ms ? 1 : 0;
		break;
	case TUI_SORT_ASSIGNEE: c = cmp_str(x->assignee, y->assignee); break;
	case TUI_SORT_STATUS: c = cmp_str(x->status, y->status); break;
	case TUI_SORT_PLAYBOOK: {
		/* the most done first; no playbook last */
		double fx = x->pb_steps ? (double)x->pb_done / x->pb_steps : -1,
		       fy = y->pb_steps ? (double)y->pb_done / y->pb_steps : -1;

		c = fx < fy ? 1 : fx > fy ? -1 : 0;
		break;
	}
	case TUI_SORT_N: break;
	}
	if (!c)
		c = cmp_urgency(x, y);
	return s->reverse ? -c : c;
}

static bool matches(const struct tui_state *s, const struct tui_row *r)
{
	const char *f = s->filter;

	if (*s->status_filter && strcmp(s->status_filter, r->status))
		return false;
	if (!*f)
		return true;
	return strcasestr(r->indicator, f) || strcasestr(r->host, f) || strcasestr(r->agency, f) ||
	       strcasestr(r->category, f) || strcasestr(r->category_vi, f) ||
	       strcasestr(r->severity, f) || strcasestr(r->status, f) ||
	       strcasestr(r->assignee, f) || !strncmp(r->id, f, strlen(f)) ||
	       strcasestr(tui_state_label(s, r->status), f) ||
	       strcasestr(tui_sev_label(s, r->severity), f);
}

/* Rebuilds the visible rows; the selected incident stays selected, on the
 * same screen line when it can. */
void tui_visible(struct tui_state *s)
{
	size_t line = s->cur >= s->top ? s->cur - s->top : 0;
	uint32_t *nv = realloc(s->vis, (s->nrows + 1) * sizeof(*nv));

	if (!nv)
		return;
	s->vis = nv;
	s->nvis = 0;
	for (size_t i = 0; i < s->nrows; i++)
		if (matches(s, &s->rows[i]))
			s->vis[s->nvis++] = (uint32_t)i;
	cmp_state = s;
	if (s->nvis)
		qsort(s->vis, s->nvis, sizeof(*s->vis), cmp_rows);
	if (*s->sel) {
		for (size_t i = 0; i < s->nvis; i++)
			if (!strcmp(s->rows[s->vis[i]].id, s->sel)) {
				size_t h = LINES > 4 ? (size_t)LINES - 3 : 1;

				s->cur = i;
				s->top = i >= line ? i - line : 0;
				/* no blank lines below while rows are hidden above */
				if (s->top + h > s->nvis)
					s->top = s->nvis > h ? s->nvis - h : 0;
				if (s->top > s->cur)
					s->top = s->cur;
				return;
			}
	}
	if (s->cur >= s->nvis)
		s->cur = s->nvis ? s->nvis - 1 : 0;
	if (s->top > s->cur)
		s->top = s->cur;
	if (s->nvis)
		str_copy(s->sel, s->rows[s->vis[s->cur]].id, sizeof(s->sel));
}

/* An id in one agency from a prefix (the merge target). 0, -1 none, -2 several. */
int tui_resolve_in(struct tui_state *s, const char *slug, const char *prefix,
		   char id[QUEUE_ID_MAX])
{
	char key[QUEUE_KEY_MAX], lo[QUEUE_ID_MAX + 2], hi[QUEUE_ID_MAX + 3];
	const char *argv[8] = { "ZRANGE", key, lo, hi, "BYLEX", "LIMIT", "0", "2" };
	redisReply *r;
	int rc;

	if (!*prefix || strlen(prefix) >= QUEUE_ID_MAX ||
	    strspn(prefix, "0123456789abcdef") != strlen(prefix) ||
	    queue_key(key, sizeof(key), slug, "idx", "id"))
		return -1;
	snprintf(lo, sizeof(lo), "[%s", prefix);
	snprintf(hi, sizeof(hi), "[%s\xff", prefix);
	if (!(r = hd_redis_command(s->t->conn, 8, argv, NULL)))
		return -1;
	rc = r->type != REDIS_REPLY_ARRAY || !r->elements ? -1 : r->elements > 1 ? -2 : 0;
	if (!rc)
		str_copy(id, r->element[0]->str, QUEUE_ID_MAX);
	hd_redis_reply_free(r);
	return rc;
}

/* ---- the incident screen ---- */

static void fill_ticket(struct ticket *k, const redisReply *r, char **evidence, char *merged,
			size_t msize, int64_t *escalated)
{
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
		const char *f = r->element[i]->str, *v = r->element[i + 1]->str;

		if (r->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		tickets_put_field(k, f, v);
		if (!strcmp(f, "evidence") && evidence && !*evidence)
			*evidence = strdup(v);
	}
	if (merged)
		str_copy(merged, k->merged_into, msize);
	if (escalated)
		*escalated = k->escalated_ms;
}

static void when_text(int64_t ms, char *buf, size_t size)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000 * 1000) };
	char ts[HD_TSLEN];

	ts_format(&tv, ts, sizeof(ts));
	ts[19] = '\0';
	ts[10] = ' ';
	snprintf(buf, size, "%s", ts);
}

static const char *js(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(o, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void evidence_lines(struct tui_state *s, const char *evidence)
{
	cJSON *e = evidence ? cJSON_Parse(evidence) : NULL;
	const cJSON *it;
	struct tui_lines *l = &s->lines;
	int head = tui_attr_head(s);
	size_t n = 0;

	tui_lines_add(l, 0, "%s", "");
	tui_lines_add(l, head, "%s", TUI_L(s, "Evidence", "Bằng chứng"));
	cJSON_ArrayForEach(it, e) {
		const cJSON *fl = cJSON_GetObjectItem(it, "flow");
		const char *what = *js(it, "indicator") ? js(it, "indicator") : js(it, "rule");

		n++;
		tui_lines_add(l, 0, "  %zu. %s %s%s%s  [%s] %s, %s %.0f, ×%.0f", n, js(it, "kind"),
			      *js(it, "type") ? js(it, "type") : "", *js(it, "type") ? " " : "", what,
			      js(it, "source"), js(it, "severity"), TUI_L(s, "score", "điểm"),
			      jnum(it, "score"), jnum(it, "count"));
		if (*js(it, "observed"))
			tui_lines_add(l, 0, "     %s %s", TUI_L(s, "seen:", "thấy:"), js(it, "observed"));
		if (*js(it, "first_seen"))
			tui_lines_add(l, 0, "     %s … %s", js(it, "first_seen"), js(it, "last_seen"));
		if (cJSON_IsObject(fl))
			tui_lines_add(l, 0, "     %s %s:%.0f → %s:%.0f %s (flow %.0f)",
				      TUI_L(s, "flow:", "luồng:"), js(fl, "host_ip"), jnum(fl, "host_port"),
				      js(fl, "peer_ip"), jnum(fl, "peer_port"), js(fl, "app_proto"),
				      jnum(fl, "flow_id"));
	}
	if (!n)
		tui_lines_add(l, 0, "  %s", TUI_L(s, "(none recorded)", "(không có)"));
	/* what matched, once each */
	tui_lines_add(l, 0, "%s", "");
	tui_lines_add(l, head, "%s", TUI_L(s, "Matched indicators and rules", "Dấu hiệu và luật đã khớp"));
	n = 0;
	cJSON_ArrayForEach(it, e) {
		const char *ind = js(it, "indicator"), *rule = js(it, "rule");

		if (*ind)
			tui_lines_add(l, 0, "  %s %s %s (%s)", TUI_L(s, "indicator", "dấu hiệu"),
				      js(it, "type"), ind, js(it, "source")), n++;
		if (*rule)
			tui_lines_add(l, 0, "  %s %s (%s)", TUI_L(s, "rule", "luật"), rule, js(it, "kind")), n++;
	}
	if (!n)
		tui_lines_add(l, 0, "  %s", TUI_L(s, "(behaviour only)", "(chỉ theo hành vi)"));
	cJSON_Delete(e);
}

/* A label padded to 14 terminal columns (printf's %-14s counts bytes). */
static const char *lbl(const struct tui_state *s, const char *en, const char *vi)
{
	static char ring[4][96];
	static unsigned n;
	char *b = ring[n++ % 4];

	utf8_fit(b, sizeof(ring[0]), s->t->vi ? vi : en, 14);
	return b;
}

/* The incident's playbook as a checklist, from its case hash c (HGETALL);
 * keeps it in s->inc_pb for the p key. */
static void checklist_lines(struct tui_state *s, const redisReply *c)
{
	const struct playbook *p = checklist_playbook_for(s->t, s->inc.category);
	struct checklist *cl = &s->inc_pb;
	struct tui_lines *l = &s->lines;
	char ph[64], ph2[40], when[256];

	checklist_finish(cl);
	if (!p || checklist_init(cl, p)) {
		tui_lines_add(l, tui_attr_head(s), "%s", TUI_L(s, "Playbook", "Quy trình xử lý"));
		tui_lines_add(l, 0, "  %s %s (%s)", TUI_L(s, "(no playbook for category", "(không có quy trình cho loại"),
			      s->inc.category, checklist_dir(s->t));
		return;
	}
	for (size_t i = 0; c->type == REDIS_REPLY_ARRAY && i + 1 < c->elements; i += 2)
		if (c->element[i]->type == REDIS_REPLY_STRING && c->element[i + 1]->type == REDIS_REPLY_STRING)
			checklist_take(cl, c->element[i]->str, c->element[i + 1]->str);
	tui_lines_add(l, tui_attr_head(s), "%s %s — %zu/%zu %s", TUI_L(s, "Playbook:", "Quy trình:"),
		      checklist_playbook_name(p, s->t->vi), cl->done, p->nsteps,
		      TUI_L(s, "done (p N ticks or unticks step N)", "bước đã xong (p N: đánh dấu/bỏ bước N)"));
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct playbook_step *st = &p->steps[i];
		const struct checklist_mark *m = &cl->marks[i];

		utf8_fit(ph, sizeof(ph), st->type == PLAYBOOK_STEP_IF ? TUI_L(s, "question", "câu hỏi") :
			 playbook_phase_label(st->phase, s->t->vi), 10);
		when[0] = '\0';
		if (m->done) {
			when_text(m->ms, ph2, sizeof(ph2));
			snprintf(when, sizeof(when), " · %s, %s UTC", m->who, ph2);
		}
		tui_lines_add(l, m->done ? tui_attr_ok(s) : 0, "  %3zu [%s] %s %*s%s%s%s", i + 1,
			      m->done ? "x" : " ", ph, (int)(2 * st->depth), "",
			      st->branch == PLAYBOOK_BRANCH_TRUE ? TUI_L(s, "yes: ", "có: ") :
			      st->branch == PLAYBOOK_BRANCH_FALSE ? TUI_L(s, "no: ", "không: ") : "",
			      checklist_step_name(st, s->t->vi), when);
	}
}

int tui_incident_lines(struct tui_state *s, const char *slug_in, const char *id_in)
{
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX];
	char kd[QUEUE_KEY_MAX], kc[QUEUE_KEY_MAX], kn[QUEUE_KEY_MAX];
	const char *a1[2] = { "HGETALL", kd }, *a2[2] = { "HGETALL", kc };
	const char *a3[4] = { "LRANGE", kn, "0", "-1" };
	redisReply *d = NULL, *c = NULL, *notes = NULL;
	struct ticket *k = &s->inc;
	struct tui_lines *l = &s->lines;
	struct history_entry *h = NULL;
	char *evidence = NULL, merged[QUEUE_ID_MAX] = "", buf[64], dl[32];
	int64_t escalated = 0, now = tui_now_ms();
	int nh, head = tui_attr_head(s), rc = -1;

	/* the caller may pass s->inc's own fields, which are rewritten below */
	str_copy(slug, slug_in, sizeof(slug));
	str_copy(id, id_in, sizeof(id));
	if (queue_key(kd, sizeof(kd), slug, "det", id) || queue_key(kc, sizeof(kc), slug, "case", id) ||
	    queue_key(kn, sizeof(kn), slug, "notes", id))
		return -1;
	if (hd_redis_append(s->t->conn, 2, a1, NULL) || hd_redis_append(s->t->conn, 2, a2, NULL) ||
	    hd_redis_append(s->t->conn, 4, a3, NULL) || hd_redis_read(s->t->conn, &d) ||
	    hd_redis_read(s->t->conn, &c) || hd_redis_read(s->t->conn, &notes))
		goto out;
	if (d->type != REDIS_REPLY_ARRAY || !d->elements) {
		rc = -2;
		goto out;
	}
	memset(k, 0, sizeof(*k));
	str_copy(k->id, id, sizeof(k->id));
	str_copy(k->slug, slug, sizeof(k->slug));
	str_copy(k->status, "new", sizeof(k->status));
	fill_ticket(k, d, &evidence, NULL, 0, NULL);
	fill_ticket(k, c, NULL, merged, sizeof(merged), &escalated);
	tui_lines_clear(l);
	tui_lines_add(l, head | tui_attr_sev(s, k->sev_rank), "%s %s  %s",
		      TUI_L(s, "Incident", "Sự cố"), k->id, tui_sev_label(s, k->severity));
	tui_lines_add(l, 0, "  %s %s", lbl(s, "Agency:", "Đơn vị:"), k->agency);
	tui_lines_add(l, 0, "  %s %s / %s", lbl(s, "Category:", "Loại:"), k->category, k->category_vi);
	tui_lines_add(l, tui_attr_sev(s, k->sev_rank), "  %s %s, %s %" PRIu64,
		      lbl(s, "Severity:", "Mức độ:"), tui_sev_label(s, k->severity),
		      TUI_L(s, "score", "điểm"), k->score);
	tui_lines_add(l, 0, "  %s %s%s%s", lbl(s, "Host:", "Máy:"), k->host,
		      *k->peer ? " ↔ " : "", k->peer);
	tui_lines_add(l, 0, "  %s %s", lbl(s, "Indicator:", "Dấu hiệu:"), k->indicator);
	tui_lines_add(l, 0, "  %s %s … %s, %" PRIu64 " %s", lbl(s, "Seen:", "Thời gian:"),
		      k->first_seen, k->last_seen, k->count, TUI_L(s, "times", "lần"));
	tui_lines_add(l, tui_attr_ok(s) | A_BOLD, "  %s %s%s%s  (v%" PRIu64 ")",
		      lbl(s, "Status:", "Trạng thái:"), tui_state_label(s, k->status),
		      *k->assignee ? ", " : "", k->assignee, k->version);
	tui_deadline_text(s, now + actions_deadline_left(k, now) * 1000, actions_report_now(k), now,
			  dl, sizeof(dl));
	tui_lines_add(l, actions_report_now(k) || actions_deadline_left(k, now) < 0 ?
		      tui_attr_alert(s) : 0, "  %s %s (%s)", lbl(s, "Report due:", "Hạn báo cáo:"),
		      dl, TUI_L(s, "5-day initial report", "báo cáo ban đầu trong 5 ngày"));
	if (*merged)
		tui_lines_add(l, 0, "  %s %s", lbl(s, "Merged into:", "Gộp vào:"), merged);
	if (escalated) {
		when_text(escalated, buf, sizeof(buf));
		tui_lines_add(l, 0, "  %s %s", lbl(s, "Escalated:", "Báo cáo lên:"), buf);
	}
	evidence_lines(s, evidence);
	tui_lines_add(l, 0, "%s", "");
	tui_lines_add(l, head, "%s", TUI_L(s, "Metadata", "Thông tin thêm"));
	tui_lines_add(l, 0, "  %s %s", lbl(s, "Sensor:", "Cảm biến:"), k->sensor);
	tui_lines_add(l, 0, "  %s %u", lbl(s, "National type:", "Loại quốc gia:"), k->national_type);
	when_text(k->created_ms, buf, sizeof(buf));
	tui_lines_add(l, 0, "  %s %s UTC", lbl(s, "Created:", "Tạo lúc:"), buf);
	tui_lines_add(l, 0, "  %s hd:{%s}", lbl(s, "Queue key:", "Khóa:"), k->slug);
	tui_lines_add(l, 0, "%s", "");
	nh = actions_history(s->t, slug, id, &h);
	{
		bool all_ok = true;
		for (int i = 0; i < nh; i++)
			all_ok = all_ok && h[i].ok;
		tui_lines_add(l, head, "%s %s", TUI_L(s, "History", "Lịch sử"),
			      nh < 0 ? "?" : all_ok ? TUI_L(s, "✓ chain verified", "✓ chuỗi băm khớp") :
			      TUI_L(s, "✗ CHAIN BROKEN", "✗ CHUỖI BĂM SAI"));
	}
	for (int i = 0; i < nh; i++) {
		when_text(h[i].ts_ms, buf, sizeof(buf));
		tui_lines_add(l, h[i].ok ? 0 : tui_attr_alert(s), "  %s %s %-16s %-10s %s → %s", h[i].ok ? "✓" : "✗",
			      buf, h[i].who, h[i].action, h[i].before ? h[i].before : "",
			      h[i].after ? h[i].after : "");
	}
	if (nh > 0)
		actions_history_free(h, nh);
	tui_lines_add(l, 0, "%s", "");
	tui_lines_add(l, head, "%s", TUI_L(s, "Notes", "Ghi chú"));
	for (size_t i = 0; notes->type == REDIS_REPLY_ARRAY && i < notes->elements; i++) {
		cJSON *n = cJSON_Parse(notes->element[i]->str);

		if (n) {
			when_text((int64_t)jnum(n, "ts"), buf, sizeof(buf));
			tui_lines_add(l, 0, "  %s %s: %s", buf, js(n, "who"), js(n, "text"));
			cJSON_Delete(n);
		} else
			tui_lines_add(l, 0, "  %s", notes->element[i]->str);
	}
	if (notes->type != REDIS_REPLY_ARRAY || !notes->elements)
		tui_lines_add(l, 0, "  %s", TUI_L(s, "(none; n adds one)", "(chưa có; n để thêm)"));
	tui_lines_add(l, 0, "%s", "");
	checklist_lines(s, c);
	rc = 0;
out:
	free(evidence);
	hd_redis_reply_free(d);
	hd_redis_reply_free(c);
	hd_redis_reply_free(notes);
	return rc;
}

/* ---- the sensors screen ---- */

int tui_sensor_lines(struct tui_state *s)
{
	const char *sm[2] = { "SMEMBERS", "hd:sensors" };
	static const char *const get[] = { "agency", "updated", "heartbeat_s", "packets",
					   "capture_drops", "spool_records", "rules_generation",
					   "last_error" };
	redisReply *names = hd_redis_command(s->t->conn, 2, sm, NULL);
	struct tui_lines *l = &s->lines;
	int64_t now = tui_now_ms();
	int cols = COLS;

	if (!names)
		return -1;
	tui_lines_clear(l);
	{
		char h[9][48];
		const char *hs[9] = {
			TUI_L(s, "SENSOR", "CẢM BIẾN"), TUI_L(s, "AGENCY", "ĐƠN VỊ"),
			TUI_L(s, "STATE", "TÌNH TRẠNG"), TUI_L(s, "BEAT", "NHỊP"),
			TUI_L(s, "PACKETS", "GÓI TIN"), TUI_L(s, "DROPS", "MẤT GÓI"),
			"SPOOL", TUI_L(s, "RULES", "LUẬT"), TUI_L(s, "LAST ERROR", "LỖI GẦN NHẤT"),
		};
		const unsigned w[9] = { 14, cols >= 100 ? 20 : 12, 10, 6, 10, 7, 6, 5, 30 };

		for (int i = 0; i < 9; i++)
			utf8_fit(h[i], sizeof(h[i]), hs[i], w[i]);
		tui_lines_add(l, tui_attr_head(s), "%s %s %s %s %s %s %s %s %s", h[0], h[1], h[2], h[3],
			      h[4], h[5], h[6], h[7], h[8]);
	}
	for (size_t i = 0; names->type == REDIS_REPLY_ARRAY && i < names->elements; i++) {
		char key[QUEUE_KEY_MAX];
		const char *hm[2 + ARRAY_SIZE(get)] = { "HMGET", key };

		snprintf(key, sizeof(key), "hd:sensor:%s", names->element[i]->str);
		memcpy(hm + 2, get, sizeof(get));
		if (hd_redis_append(s->t->conn, (int)ARRAY_SIZE(hm), hm, NULL))
			break;
	}
	for (size_t i = 0; names->type == REDIS_REPLY_ARRAY && i < names->elements; i++) {
		redisReply *h;
		char c[9][256], age[24];
		const char *state;
		int64_t upd, hb, a;
		bool silent;
		const unsigned w[9] = { 14, cols >= 100 ? 20 : 12, 10, 6, 10, 7, 6, 5, 60 };

		if (hd_redis_read(s->t->conn, &h)) {
			hd_redis_reply_free(names);
			return -1;
		}
		silent = !*el(h, 1);
		upd = strtoll(el(h, 1), NULL, 10);
		hb = *el(h, 2) ? strtoll(el(h, 2), NULL, 10) : 10;
		/* the same definitions as "haidang-triage sensors" */
		state = silent ? TUI_L(s, "SILENT", "IM LẶNG") :
			now - upd > 3 * hb * 1000 ? TUI_L(s, "STALE", "TRỄ") : TUI_L(s, "ok", "tốt");
		a = (now - upd) / 1000;
		if (silent)
			snprintf(age, sizeof(age), "-");
		else if (a < 120)
			snprintf(age, sizeof(age), "%" PRId64 "s", a < 0 ? 0 : a);
		else if (a < 7200)
			snprintf(age, sizeof(age), "%" PRId64 "m", a / 60);
		else
			snprintf(age, sizeof(age), "%" PRId64 "h", a / 3600);
		utf8_fit(c[0], sizeof(c[0]), names->element[i]->str, w[0]);
		utf8_fit(c[1], sizeof(c[1]), el(h, 0), w[1]);
		utf8_fit(c[2], sizeof(c[2]), state, w[2]);
		utf8_fit(c[3], sizeof(c[3]), age, w[3]);
		utf8_fit(c[4], sizeof(c[4]), el(h, 3), w[4]);
		utf8_fit(c[5], sizeof(c[5]), el(h, 4), w[5]);
		utf8_fit(c[6], sizeof(c[6]), el(h, 5), w[6]);
		utf8_fit(c[7], sizeof(c[7]), el(h, 6), w[7]);
		tui_copy(c[8], el(h, 7), 120);
		tui_lines_add(l, strcmp(state, TUI_L(s, "ok", "tốt")) ? tui_attr_alert(s) : 0,
			      "%s %s %s %s %s %s %s %s %s", c[0], c[1], c[2], c[3], c[4], c[5], c[6],
			      c[7], c[8]);
		hd_redis_reply_free(h);
	}
	if (names->type != REDIS_REPLY_ARRAY || !names->elements)
		tui_lines_add(l, 0, "%s", TUI_L(s, "(no sensor has reported)", "(chưa cảm biến nào báo về)"));
	tui_lines_add(l, 0, "%s", "");
	tui_lines_add(l, 0, "%s", TUI_L(s, "STALE: no heartbeat for 3 beats; SILENT: its heartbeat key expired.",
					"TRỄ: quá 3 nhịp không báo; IM LẶNG: khóa nhịp tim đã hết hạn."));
	hd_redis_reply_free(names);
	return 0;
}

/* ---- help ---- */

void tui_help_lines(struct tui_state *s)
{
	struct tui_lines *l = &s->lines;
	static const char *const keys[][3] = {
		{ NULL, "Queue", "Hàng đợi" },
		{ "j k ↑ ↓", "move", "di chuyển" },
		{ "g G", "first, last", "đầu, cuối danh sách" },
		{ "PgUp PgDn", "page", "trang trước, trang sau" },
		{ "Enter", "open the incident", "mở sự cố" },
		{ "/", "filter (text anywhere in the row); Esc clears", "lọc (chữ bất kỳ trong dòng); Esc để xóa" },
		{ "s  R", "next sort column; reverse the order", "cột sắp xếp kế tiếp; đảo thứ tự" },
		{ "S", "sensor health", "tình trạng cảm biến" },
		{ ":", "a command (below)", "gõ lệnh (bên dưới)" },
		{ "? q", "this help; quit", "trợ giúp này; thoát" },
		{ NULL, "Incident", "Sự cố" },
		{ "c", "claim (it becomes yours)", "nhận xử lý (giao cho bạn)" },
		{ "s", "change the status (a menu)", "đổi trạng thái (chọn từ danh sách)" },
		{ "n", "add a note", "thêm ghi chú" },
		{ "a", "assign to an analyst", "giao cho cán bộ khác" },
		{ "m", "merge into another incident (asks the id)", "gộp vào sự cố khác (hỏi mã)" },
		{ "e", "escalate: report to the national centre", "báo cáo lên trung tâm quốc gia" },
		{ "r", "how to write its reports (national form, STIX, MISP)", "cách lập báo cáo (mẫu quốc gia, STIX, MISP)" },
		{ "p N", "tick playbook step N, or untick it (the checklist is at the end: G)",
		  "đánh dấu xong bước N của quy trình, hoặc bỏ đánh dấu (danh mục ở cuối: G)" },
		{ "j k PgUp PgDn", "scroll", "cuộn" },
		{ "q Esc", "back to the queue", "quay lại hàng đợi" },
		{ NULL, "Commands", "Lệnh" },
		{ ":sort KEY", "severity score agency host category title count age deadline assignee status playbook",
		  "severity score agency host category title count age deadline assignee status playbook" },
		{ ":status S", "show only status S (queue); set the status (incident); :status alone: all",
		  "chỉ hiện trạng thái S (hàng đợi); đổi trạng thái (sự cố); :status không có S: tất cả" },
		{ ":filter TEXT", "as /", "như /" },
		{ ":sensors :help :q", "screens; quit", "các màn hình; thoát" },
	};

	tui_lines_clear(l);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char k[64];

		if (!keys[i][0]) {
			tui_lines_add(l, 0, "%s", "");
			tui_lines_add(l, tui_attr_head(s), "%s", TUI_L(s, keys[i][1], keys[i][2]));
			continue;
		}
		utf8_fit(k, sizeof(k), keys[i][0], 18);
		tui_lines_add(l, 0, "  %s %s", k, TUI_L(s, keys[i][1], keys[i][2]));
	}
	tui_lines_add(l, 0, "%s", "");
	tui_lines_add(l, 0, "%s", TUI_L(s, "Severity colours: critical red, high magenta, medium yellow, low cyan.",
					"Màu mức độ: khẩn cấp đỏ, cao tím, trung bình vàng, thấp xanh."));
	if (s->t->o.read_only)
		tui_lines_add(l, tui_attr_alert(s), "%s", TUI_L(s, "Read-only: changing keys are off.",
								"Chế độ chỉ đọc: các phím thay đổi bị tắt."));
}
