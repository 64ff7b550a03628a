/*
 * summary.c - "summary": the incidents of a period, counted, for the
 * team's management and for the national coordinator.
 *
 *   summary --from DATE --to DATE [--agency A] [--config FILE] -o DIR
 *
 * writes into DIR: summary.md (counts by agency, category, severity and
 * status, time to claim and to resolve, top indicators and rules, ISO
 * weeks, the sensors' state; Vietnamese with the English in brackets),
 * three charts (chart-category.svg, chart-weekly.svg, chart-agencies.svg;
 * svg.c) and mau-05.md, the half-year or annual report of Circular
 * 20/2017/TT-BTTTT (Mẫu số 05) with the table of the ten national incident
 * types. docs/summary.md says what is counted and how.
 *
 * An incident belongs to the period when it was last seen in it (its
 * score in the agency's idx:time), so consecutive periods count each
 * incident once. Dates are Vietnam dates (UTC+07:00), given as dd/mm/yyyy
 * or yyyy-mm-dd, and written ngày/tháng/năm. Tickets are read per agency:
 * ZRANGEBYSCORE of idx:time, then HMGET det, HGETALL case and LRANGE hist
 * for a batch of tickets in one pipeline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>

#include "actions.h"
#include "category.h"
#include "redis.h"
#include "svg.h"
#include "reportcfg.h"
#include "triage.h"
#include "util.h"
#include "banned.h"

#define DEFAULT_REPORT_CONFIG REPORTCFG_DEFAULT
#define VN_OFFSET_S REPORTCFG_VN_OFFSET_S
#define DAY_MS INT64_C(86400000)
#define BATCH 256          /* tickets read in one pipeline */
#define TOP_N 10           /* rows of the top indicators and rules */
#define WEEKS_MAX 106      /* bars of the weekly timeline at most */
#define SEEN_MAX 64        /* distinct indicators and rules counted per ticket */

/* ---- counting by key ---- */

struct tally_item {
	char *key, *label;
	uint64_t n, sum;       /* incidents, occurrences */
};

/* Items by key, in an open-addressing table of indexes + 1. */
struct tally {
	struct tally_item *v;
	size_t n, cap;
	size_t *slot, nslot;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

static int tally_rehash(struct tally *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 64, *slot = calloc(ns, sizeof(*slot));

	if (!slot)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = (size_t)(fnv(t->v[i].key) & (ns - 1));

		while (slot[h])
			h = (h + 1) & (ns - 1);
		slot[h] = i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = ns;
	return 0;
}

/* The index of key's item, made (with label) if new; -1 out of memory. */
static long tally_get(struct tally *t, const char *key, const char *label)
{
	size_t h;

	if ((t->n + 1) * 2 > t->nslot && tally_rehash(t))
		return -1;
	for (h = (size_t)(fnv(key) & (t->nslot - 1)); t->slot[h]; h = (h + 1) & (t->nslot - 1))
		if (!strcmp(t->v[t->slot[h] - 1].key, key))
			return (long)(t->slot[h] - 1);
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		struct tally_item *nv = realloc(t->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n].key = strdup(key);
	t->v[t->n].label = strdup(label ? label : "");
	if (!t->v[t->n].key || !t->v[t->n].label) {
		free(t->v[t->n].key);
		free(t->v[t->n].label);
		return -1;
	}
	t->v[t->n].n = t->v[t->n].sum = 0;
	t->slot[h] = t->n + 1;
	return (long)t->n++;
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].label);
	}
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* Most incidents first, then most occurrences, then by key. */
static int cmp_items(const void *a, const void *b)
{
	const struct tally_item *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	if (x->sum != y->sum)
		return x->sum < y->sum ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Sorts the items (the key index is dropped: no more look-ups after). */
static void tally_sort(struct tally *t)
{
	free(t->slot);
	t->slot = NULL;
	t->nslot = 0;
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_items);
}

/* ---- the period's incidents ---- */

struct srec {
	char id[QUEUE_ID_MAX];
	char agency[256];
	char category[48], category_vi[96];
	char severity[16], status[24];
	unsigned national_type;
	int64_t created_ms, last_ms;
	int64_t claim_ms, resolve_ms;     /* after created; -1 if it never happened */
	bool escalated;
	char help_domestic[256], help_foreign[256];
	bool has_damage;
	uint64_t damage;
};

struct summary {
	struct triage *t;
	int64_t from_ms, to_ms;           /* [from, to) */
	int fy, fm, fd, ty, tm, td;       /* the dates asked for */
	const char *agency;
	const char *dir;
	cJSON *conf;
	int64_t now_ms;
	struct srec *v;
	size_t n, cap;
	size_t duplicates;                /* merged into another: not counted */
	struct tally agencies, categories, indicators, rules;
	unsigned missing;
	bool bad_damage_said;
};

static const char *const sev_names[] = { "critical", "high", "medium", "low", "none" };
static const char *const sev_vi[] = { "khẩn cấp", "cao", "trung bình", "thấp", "không" };

/* ---- time ---- */

/* "dd/mm/yyyy" (with_time: " HH:MM") in Vietnam time. */
static void vn_date(int64_t ms, bool with_time, char *b, size_t n)
{
	struct tm tm;
	char full[96];

	reportcfg_vn_tm(ms, &tm);
	snprintf(full, sizeof(full), "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
	if (!with_time)
		full[10] = '\0';
	str_copy(b, full, n);
}

/* Days since 1970-01-01 of a calendar date; -1 if there is no such date. */
static int64_t civil_days(int y, int m, int d)
{
	struct tm tm = { 0 }, back;
	time_t t;

	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != m - 1)
		return -1;
	return (int64_t)t / 86400;
}

/* "dd/mm/yyyy" or "yyyy-mm-dd": 0 and the date, or -1. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	char tail;

	if ((sscanf(s, "%2d/%2d/%4d%c", d, m, y, &tail) == 3 && strlen(s) >= 8) ||
	    (sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) == 3 && strlen(s) == 10))
		return civil_days(*y, *m, *d) < 0 ? -1 : 0;
	return -1;
}

/* A duration for people: "3 ngày 04 giờ", "2 giờ 05 phút", "4 phút 10 giây". */
static void duration(int64_t ms, char *b, size_t n)
{
	int64_t s = ms / 1000;

	if (s >= 86400)
		snprintf(b, n, "%" PRId64 " ngày %02" PRId64 " giờ", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(b, n, "%" PRId64 " giờ %02" PRId64 " phút", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(b, n, "%" PRId64 " phút %02" PRId64 " giây", s / 60, s % 60);
	else
		snprintf(b, n, "%" PRId64 " giây", s);
}

/* 1234567 -> "1.234.567" (the Vietnamese thousands separator). */
static void thousands(uint64_t v, char *b, size_t n)
{
	char raw[32];
	size_t len, o = 0;

	snprintf(raw, sizeof(raw), "%" PRIu64, v);
	len = strlen(raw);
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			b[o++] = '.';
		b[o++] = raw[i];
	}
	b[o] = '\0';
}

/* ---- configuration (the report configuration of "report") ---- */

/* A mandatory field of Mẫu 05: its value, or a visible flag. */
static const char *must(struct summary *S, const char *path, char *flag, size_t n)
{
	const char *v = reportcfg_str(S->conf, path);

	if (v)
		return v;
	S->missing++;
	fprintf(stderr, "haidang-triage: summary: missing mandatory field: %s (report configuration)\n", path);
	snprintf(flag, n, "**[THIẾU / MISSING: %s]**", path);
	return flag;
}

/* ---- reading the queue ---- */

static const char *const det_fields[] = {
	"id", "agency", "category", "category_vi", "national_type", "severity", "created_ms",
	"last_seen_ms", "indicator", "evidence",
};

static int push(struct summary *S, const struct srec *r)
{
	if (S->n == S->cap) {
		size_t nc = S->cap ? S->cap * 2 : 128;
		struct srec *nv = realloc(S->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		S->v = nv;
		S->cap = nc;
	}
	S->v[S->n++] = *r;
	return 0;
}

static const char *elem(const redisReply *r, size_t i)
{
	return r->type == REDIS_REPLY_ARRAY && i < r->elements &&
	       r->element[i]->type == REDIS_REPLY_STRING ? r->element[i]->str : NULL;
}

/* An estimated damage in đồng: digits, with '.', ',', ' ' or '_' between
 * thousands. */
int summary_parse_damage(const char *s, uint64_t *out)
{
	char digits[32];
	size_t o = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9' && o + 1 < sizeof(digits))
			digits[o++] = *s;
		else if (!strchr(".,_ ", *s))
			return -1;
	}
	digits[o] = '\0';
	return o ? parse_u64(digits, 0, UINT64_MAX, out) : -1;
}

/* Counts one ticket's distinct indicators and rules (its evidence, else
 * its indicator field): each once per incident, with the highest count
 * of its evidence records as the incident's occurrences. */
static int count_evidence(struct summary *S, const char *evidence, const char *indicator)
{
	cJSON *ev = evidence ? cJSON_Parse(evidence) : NULL;
	const cJSON *e;
	struct {
		struct tally *t;
		long i;
		uint64_t count;
	} seen[SEEN_MAX];
	size_t nseen = 0;
	int rc = 0;

	cJSON_ArrayForEach(e, ev) {
		const char *kind = reportcfg_str(e, "kind"), *ind = reportcfg_str(e, "indicator"),
			   *rule = reportcfg_str(e, "rule"), *type = reportcfg_str(e, "type");
		const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(e, "count");
		uint64_t c = cJSON_IsNumber(cnt) && cnt->valuedouble > 0 ? (uint64_t)cnt->valuedouble : 1;
		struct tally *t = NULL;
		char key[512];
		size_t q;
		long i;

		if (kind && !strcmp(kind, "ioc") && ind) {
			t = &S->indicators;
			str_copy(key, ind, sizeof(key));
		} else if (kind && rule) {
			t = &S->rules;
			snprintf(key, sizeof(key), "%s:%s", kind, rule);
		}
		if (!t)
			continue;
		if ((i = tally_get(t, key, t == &S->indicators ? (type ? type : "") : kind)) < 0) {
			rc = -1;
			break;
		}
		for (q = 0; q < nseen && !(seen[q].t == t && seen[q].i == i); q++)
			;
		if (q < nseen) {
			if (c > seen[q].count)
				seen[q].count = c;
		} else if (nseen < SEEN_MAX) {
			seen[nseen].t = t;
			seen[nseen].i = i;
			seen[nseen++].count = c;
		}
	}
	for (size_t q = 0; q < nseen; q++) {
		seen[q].t->v[seen[q].i].n++;
		seen[q].t->v[seen[q].i].sum += seen[q].count;
	}
	if (!nseen && indicator && *indicator) {
		const char *colon = strchr(indicator, ':');
		bool ioc = !strncmp(indicator, "ioc:", 4);
		struct tally *t = ioc ? &S->indicators : &S->rules;
		char kind[32] = "";
		long i;

		if (!ioc && colon)
			snprintf(kind, sizeof(kind), "%.*s", (int)(colon - indicator), indicator);
		i = tally_get(t, ioc ? indicator + 4 : indicator, kind);
		if (i < 0)
			rc = -1;
		else
			t->v[i].n++, t->v[i].sum++;
	}
	cJSON_Delete(ev);
	return rc;
}

/* The history: the first claim, the first move to resolved or
 * false_positive, any escalation. */
static void read_history(const redisReply *h, struct srec *r)
{
	int64_t first_ts = -1;

	for (size_t i = 0; h->type == REDIS_REPLY_ARRAY && i < h->elements; i++) {
		cJSON *e;
		const cJSON *ts, *act, *after, *st;
		int64_t when;

		if (h->element[i]->type != REDIS_REPLY_STRING ||
		    !(e = cJSON_ParseWithLength(h->element[i]->str, h->element[i]->len)))
			continue;
		ts = cJSON_GetObjectItemCaseSensitive(e, "ts");
		act = cJSON_GetObjectItemCaseSensitive(e, "action");
		after = cJSON_GetObjectItemCaseSensitive(e, "after");
		st = cJSON_GetObjectItemCaseSensitive(after, "status");
		when = cJSON_IsNumber(ts) ? (int64_t)ts->valuedouble : -1;
		if (first_ts < 0)
			first_ts = when;
		if (cJSON_IsString(act) && !strcmp(act->valuestring, "claim") && r->claim_ms < 0)
			r->claim_ms = when;
		if (cJSON_IsString(act) && !strcmp(act->valuestring, "escalate"))
			r->escalated = true;
		if (cJSON_IsString(st)) {
			if (!strcmp(st->valuestring, "escalated"))
				r->escalated = true;
			if ((!strcmp(st->valuestring, "resolved") || !strcmp(st->valuestring, "false_positive")) &&
			    r->resolve_ms < 0)
				r->resolve_ms = when;
		}
		cJSON_Delete(e);
	}
	if (!r->created_ms && first_ts > 0)
		r->created_ms = first_ts;
}

/* Reads the three replies of one ticket; 1 if it was taken, 0 if not
 * (gone, or a duplicate), -1 on an error. */
static int read_one(struct summary *S, const char *slug, const char *id)
{
	redisReply *d = NULL, *c = NULL, *h = NULL;
	struct srec r;
	const char *v;
	long i;
	int rc = -1;

	if (hd_redis_read(S->t->conn, &d) || hd_redis_read(S->t->conn, &c) ||
	    hd_redis_read(S->t->conn, &h)) {
		triage_err(S->t, "queue: %s", "hàng đợi: %s", hd_redis_error(S->t->conn));
		goto out;
	}
	if (d->type == REDIS_REPLY_ERROR || c->type == REDIS_REPLY_ERROR || h->type == REDIS_REPLY_ERROR) {
		triage_err(S->t, "queue refused: %s", "hàng đợi từ chối: %s",
			   d->type == REDIS_REPLY_ERROR ? d->str : c->type == REDIS_REPLY_ERROR ? c->str : h->str);
		goto out;
	}
	rc = 0;
	if (!elem(d, 0))
		goto out;   /* listed in the index, but no detection (any more) */
	memset(&r, 0, sizeof(r));
	str_copy(r.id, id, sizeof(r.id));
	str_copy(r.agency, (v = elem(d, 1)) ? v : slug, sizeof(r.agency));
	str_copy(r.category, (v = elem(d, 2)) ? v : "other", sizeof(r.category));
	str_copy(r.category_vi, (v = elem(d, 3)) ? v : "", sizeof(r.category_vi));
	r.national_type = (v = elem(d, 4)) ? (unsigned)strtoul(v, NULL, 10) : 0;
	str_copy(r.severity, (v = elem(d, 5)) ? v : "none", sizeof(r.severity));
	r.created_ms = (v = elem(d, 6)) ? strtoll(v, NULL, 10) : 0;
	r.last_ms = (v = elem(d, 7)) ? strtoll(v, NULL, 10) : 0;
	str_copy(r.status, "new", sizeof(r.status));
	r.claim_ms = r.resolve_ms = -1;
	for (size_t j = 0; c->type == REDIS_REPLY_ARRAY && j + 1 < c->elements; j += 2) {
		const char *f = c->element[j]->str, *val = c->element[j + 1]->str;

		if (!f || !val)
			continue;
		if (!strcmp(f, "status") && *val)
			str_copy(r.status, val, sizeof(r.status));
		else if (!strcmp(f, "escalated_ms") && strtoll(val, NULL, 10) > 0)
			r.escalated = true;
		else if (!strcmp(f, "help_domestic"))
			str_copy(r.help_domestic, val, sizeof(r.help_domestic));
		else if (!strcmp(f, "help_foreign"))
			str_copy(r.help_foreign, val, sizeof(r.help_foreign));
		else if (!strcmp(f, "damage") && *val) {
			if (!summary_parse_damage(val, &r.damage))
				r.has_damage = true;
			else if (!S->bad_damage_said) {
				S->bad_damage_said = true;
				triage_err(S->t, "summary: %s: damage '%s' is not an amount in đồng (digits); not counted",
					   "summary: %s: thiệt hại '%s' không phải số tiền (đồng); không tính", id, val);
			}
		}
	}
	if (!strcmp(r.status, "duplicate")) {
		S->duplicates++;
		goto out;
	}
	read_history(h, &r);
	if (r.claim_ms >= 0 && r.claim_ms < r.created_ms)
		r.claim_ms = r.created_ms;
	if (r.resolve_ms >= 0 && r.resolve_ms < r.created_ms)
		r.resolve_ms = r.created_ms;
	rc = -1;
	if ((i = tally_get(&S->agencies, r.agency, r.agency)) < 0)
		goto oom;
	S->agencies.v[i].n++;
	if ((i = tally_get(&S->categories, r.category, r.category_vi[0] ? r.category_vi : r.category)) < 0)
		goto oom;
	S->categories.v[i].n++;
	if (count_evidence(S, elem(d, 9), elem(d, 8)) || push(S, &r))
		goto oom;
	rc = 1;
	goto out;
oom:
	triage_err(S->t, "out of memory", "hết bộ nhớ");
out:
	hd_redis_reply_free(d);
	hd_redis_reply_free(c);
	hd_redis_reply_free(h);
	return rc;
}

struct cand {
	size_t ag;
	char id[QUEUE_ID_MAX];
};

static int append_one(struct summary *S, const char *slug, const char *id)
{
	char kd[QUEUE_KEY_MAX], kc[QUEUE_KEY_MAX], kh[QUEUE_KEY_MAX];
	const char *hm[2 + ARRAY_SIZE(det_fields)] = { "HMGET", kd };
	const char *hg[2] = { "HGETALL", kc }, *lr[4] = { "LRANGE", kh, "0", "-1" };

	if (queue_key(kd, sizeof(kd), slug, "det", id) || queue_key(kc, sizeof(kc), slug, "case", id) ||
	    queue_key(kh, sizeof(kh), slug, "hist", id))
		return -1;
	memcpy(hm + 2, det_fields, sizeof(det_fields));
	return hd_redis_append(S->t->conn, (int)ARRAY_SIZE(hm), hm, NULL) ||
	       hd_redis_append(S->t->conn, 2, hg, NULL) || hd_redis_append(S->t->conn, 4, lr, NULL) ? -1 : 0;
}

/* Every ticket of the chosen agencies last seen in the period. */
static int read_period(struct summary *S)
{
	struct triage *t = S->t;
	struct cand *cv = NULL;
	size_t nag, nsel = 0, nc = 0, cc = 0;
	char **ag, slug[QUEUE_SLUG_MAX], lo[32], hi[32];
	int rc = -1;

	if (!(ag = tickets_agencies(t, &nag)))
		return -1;
	if (S->agency)
		queue_slug(S->agency, slug);
	for (size_t i = 0; i < nag; i++)
		if (!S->agency || !strcmp(ag[i], slug)) {
			char *tmp = ag[nsel];

			ag[nsel++] = ag[i];
			ag[i] = tmp;
		}
	snprintf(lo, sizeof(lo), "%" PRId64, S->from_ms);
	snprintf(hi, sizeof(hi), "(%" PRId64, S->to_ms);
	for (size_t i = 0; i < nsel; i++) {
		char key[QUEUE_KEY_MAX];
		const char *zr[4] = { "ZRANGEBYSCORE", key, lo, hi };

		if (queue_key(key, sizeof(key), ag[i], "idx", "time") || hd_redis_append(t->conn, 4, zr, NULL))
			goto io;
	}
	for (size_t i = 0; i < nsel; i++) {
		redisReply *r;

		if (hd_redis_read(t->conn, &r))
			goto io;
		for (size_t j = 0; r->type == REDIS_REPLY_ARRAY && j < r->elements; j++) {
			if (r->element[j]->type != REDIS_REPLY_STRING || r->element[j]->len >= QUEUE_ID_MAX)
				continue;
			if (nc == cc) {
				struct cand *n2 = realloc(cv, (cc = cc ? cc * 2 : 256) * sizeof(*n2));

				if (!n2) {
					hd_redis_reply_free(r);
					triage_err(t, "out of memory", "hết bộ nhớ");
					goto out;
				}
				cv = n2;
			}
			cv[nc].ag = i;
			str_copy(cv[nc++].id, r->element[j]->str, QUEUE_ID_MAX);
		}
		if (r->type == REDIS_REPLY_ERROR)
			triage_err(t, "queue refused: %s", "hàng đợi từ chối: %s", r->str);
		hd_redis_reply_free(r);
	}
	for (size_t b = 0; b < nc; b += BATCH) {
		size_t m = nc - b < BATCH ? nc - b : BATCH;

		for (size_t i = 0; i < m; i++)
			if (append_one(S, ag[cv[b + i].ag], cv[b + i].id))
				goto io;
		for (size_t i = 0; i < m; i++)
			if (read_one(S, ag[cv[b + i].ag], cv[b + i].id) < 0)
				goto out;   /* the pipeline is broken: stop */
	}
	rc = 0;
	goto out;
io:
	triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
out:
	free(cv);
	tickets_free_agencies(ag, nag);
	return rc;
}

/* ---- Markdown ---- */

/* Table cell text: '|' escaped, line breaks as spaces. */
static void md_cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else
			fputc(*s, f);
	}
}

/* A code span (indicators, rule names): backticks become quotes. */
static void md_code(FILE *f, const char *s)
{
	fputc('`', f);
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '`' || *s == '\n' || *s == '\r')
			fputc(*s == '`' ? '\'' : ' ', f);
		else
			fputc(*s, f);
	}
	fputc('`', f);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank p-th percentile of sorted v[0..n). */
static int64_t pct(const int64_t *v, size_t n, unsigned p)
{
	size_t rank = (p * n + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

static void times_row(FILE *f, const char *what, int64_t *v, size_t n)
{
	char a[64], b[64];

	if (!n) {
		fprintf(f, "| %s | 0 | — | — |\n", what);
		return;
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	duration(pct(v, n, 50), a, sizeof(a));
	duration(pct(v, n, 90), b, sizeof(b));
	fprintf(f, "| %s | %zu | %s (%" PRId64 " s) | %s (%" PRId64 " s) |\n", what, n, a,
		pct(v, n, 50) / 1000, b, pct(v, n, 90) / 1000);
}

/* ---- weeks ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The day number (since 1970-01-01) of the Monday of ms's ISO week, in
 * Vietnam time. */
static int64_t week_monday(int64_t ms)
{
	int64_t day = floor_div(ms + VN_OFFSET_S * INT64_C(1000), DAY_MS);

	return day - ((day + 3) % 7 + 7) % 7;   /* 1970-01-01 was a Thursday */
}

/* "2026-W48" of the week starting on day monday. */
static void iso_week(int64_t monday, char *b, size_t n)
{
	time_t thu = (time_t)((monday + 3) * 86400);   /* the Thursday names the year */
	struct tm tm;

	gmtime_r(&thu, &tm);
	snprintf(b, n, "%04d-W%02d", tm.tm_year + 1900, tm.tm_yday / 7 + 1);
}

struct weeks {
	int64_t first;        /* Monday of the first bar */
	size_t n;             /* bars */
	unsigned per;         /* weeks per bar */
	uint64_t *count;
	char (*label)[24];
	struct svg_bar *bars;
};

static int weeks_build(const struct summary *S, struct weeks *w)
{
	int64_t first = week_monday(S->from_ms), last = week_monday(S->to_ms - 1);
	size_t nw = (size_t)((last - first) / 7 + 1);

	memset(w, 0, sizeof(*w));
	if (nw > WEEKS_MAX && S->n) {   /* a wide period: only the weeks with incidents */
		int64_t lo = INT64_MAX, hi = INT64_MIN;

		for (size_t i = 0; i < S->n; i++) {
			int64_t m = week_monday(S->v[i].last_ms);

			lo = m < lo ? m : lo;
			hi = m > hi ? m : hi;
		}
		first = lo;
		nw = (size_t)((hi - lo) / 7 + 1);
	}
	w->per = (unsigned)((nw + WEEKS_MAX - 1) / WEEKS_MAX);
	w->first = first;
	w->n = (nw + w->per - 1) / w->per;
	w->count = calloc(w->n, sizeof(*w->count));
	w->label = calloc(w->n, sizeof(*w->label));
	w->bars = calloc(w->n, sizeof(*w->bars));
	if (!w->count || !w->label || !w->bars)
		return -1;
	for (size_t i = 0; i < S->n; i++) {
		int64_t k = (week_monday(S->v[i].last_ms) - first) / 7 / (int64_t)w->per;

		if (k >= 0 && (size_t)k < w->n)
			w->count[k]++;
	}
	for (size_t i = 0; i < w->n; i++) {
		iso_week(first + (int64_t)(i * w->per) * 7, w->label[i], sizeof(w->label[i]));
		w->bars[i].label = w->label[i];
		w->bars[i].value = (double)w->count[i];
	}
	return 0;
}

static void weeks_free(struct weeks *w)
{
	free(w->count);
	free(w->label);
	free(w->bars);
}

/* ---- the charts ---- */

static int write_charts(struct summary *S, const struct weeks *w, const char *period)
{
	struct svg_bar *cb = calloc(S->categories.n + 1, sizeof(*cb)),
		       *ab = calloc(S->agencies.n + 1, sizeof(*ab));
	char path[4096], title[3][256], err[512], xl[128];
	struct svg_chart ch[3] = {
		{ title[0], "Số sự cố theo loại trong kỳ báo cáo (incidents by category in the period)",
		  "Loại sự cố (category)", "Số sự cố (incidents)", cb, S->categories.n, false, 1,
		  "#2b6cb0", "Không có sự cố (no incidents)" },
		{ title[1], "Số sự cố theo tuần ISO, theo thời điểm thấy lần cuối, giờ Việt Nam "
		  "(incidents per ISO week, by last seen, Vietnam time)",
		  xl, "Số sự cố (incidents)", w->bars, w->n, false,
		  (unsigned)(w->n > 26 ? (w->n + 25) / 26 : 1), "#c05621", "Không có sự cố (no incidents)" },
		{ title[2], "Các đơn vị xếp theo số sự cố (agencies ranked by incidents)",
		  "Số sự cố (incidents)", "Đơn vị (agency)", ab, S->agencies.n, true, 1, "#2f855a",
		  "Không có sự cố (no incidents)" },
	};
	static const char *const names[3] = { "chart-category.svg", "chart-weekly.svg", "chart-agencies.svg" };
	int rc = 0;

	if (!cb || !ab) {
		free(cb);
		free(ab);
		triage_err(S->t, "out of memory", "hết bộ nhớ");
		return -1;
	}
	for (size_t i = 0; i < S->categories.n; i++)
		cb[i] = (struct svg_bar){ S->categories.v[i].label, (double)S->categories.v[i].n };
	for (size_t i = 0; i < S->agencies.n; i++)
		ab[i] = (struct svg_bar){ S->agencies.v[i].label, (double)S->agencies.v[i].n };
	snprintf(title[0], sizeof(title[0]), "Sự cố theo loại (by category), %s", period);
	snprintf(title[1], sizeof(title[1]), "Sự cố theo tuần (per ISO week), %s", period);
	snprintf(title[2], sizeof(title[2]), "Xếp hạng đơn vị (agencies ranked), %s", period);
	if (w->per > 1)
		snprintf(xl, sizeof(xl), "Tuần ISO, mỗi cột %u tuần (ISO week, %u weeks per bar)", w->per, w->per);
	else
		str_copy(xl, "Tuần ISO (ISO week)", sizeof(xl));
	for (int i = 0; i < 3 && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", S->dir, names[i]);
		if ((rc = svg_chart_write(path, &ch[i], err, sizeof(err))))
			triage_err(S->t, "%s", "%s", err);
	}
	free(cb);
	free(ab);
	return rc;
}

/* ---- summary.md ---- */

static int cmp_reply_str(const void *a, const void *b)
{
	const redisReply *x = *(redisReply *const *)a, *y = *(redisReply *const *)b;

	return strcmp(x->str ? x->str : "", y->str ? y->str : "");
}

static void sensors_section(struct summary *S, FILE *f)
{
	const char *sm[2] = { "SMEMBERS", "hd:sensors" };
	redisReply *names = hd_redis_command(S->t->conn, 2, sm, NULL);
	char slug[QUEUE_SLUG_MAX], aslug[QUEUE_SLUG_MAX];
	size_t shown = 0;

	fputs("## 9. Cảm biến (Sensors)\n\n"
	      "Trạng thái hiện tại theo nhịp tim của từng cảm biến (`hd:sensor:NAME`), lúc lập báo cáo — "
	      "không phải lịch sử của cả kỳ. *(The sensors' state now, from their heartbeats: a snapshot "
	      "at the time of this report, not a history of the period.)*\n\n", f);
	if (!names || names->type != REDIS_REPLY_ARRAY) {
		fputs("Không đọc được danh sách cảm biến (the sensor list could not be read).\n\n", f);
		hd_redis_reply_free(names);
		return;
	}
	if (S->agency)
		queue_slug(S->agency, slug);
	if (names->elements)
		qsort(names->element, names->elements, sizeof(*names->element), cmp_reply_str);
	for (size_t i = 0; i < names->elements; i++) {
		char key[QUEUE_KEY_MAX];
		const char *hg[2] = { "HGETALL", key };

		snprintf(key, sizeof(key), "hd:sensor:%s", names->element[i]->str);
		if (hd_redis_append(S->t->conn, 2, hg, NULL))
			break;
	}
	fputs("| Cảm biến (Sensor) | Đơn vị (Agency) | Tình trạng (State) | Khởi động (Started) | "
	      "Thời gian chạy (Uptime) | Gói tin (Packets) | Mất gói (Capture drops) | Tỉ lệ mất (Drop rate) | "
	      "Nhịp tim cuối (Last heartbeat) |\n|---|---|---|---|---|---:|---:|---:|---|\n", f);
	for (size_t i = 0; i < names->elements; i++) {
		redisReply *h;
		const char *agency = NULL;
		int64_t started = 0, updated = 0, up = 0, hb = 10;
		uint64_t packets = 0, drops = 0;
		char st[32] = "—", upd[32] = "—", ups[64] = "—", rate[32] = "—";
		const char *state;

		if (hd_redis_read(S->t->conn, &h)) {
			triage_err(S->t, "queue: %s", "hàng đợi: %s", hd_redis_error(S->t->conn));
			break;
		}
		for (size_t j = 0; h->type == REDIS_REPLY_ARRAY && j + 1 < h->elements; j += 2) {
			const char *k = h->element[j]->str, *v = h->element[j + 1]->str;

			if (!k || !v)
				continue;
			if (!strcmp(k, "agency"))
				agency = v;
			else if (!strcmp(k, "started"))
				started = strtoll(v, NULL, 10);
			else if (!strcmp(k, "updated"))
				updated = strtoll(v, NULL, 10);
			else if (!strcmp(k, "uptime_s"))
				up = strtoll(v, NULL, 10);
			else if (!strcmp(k, "heartbeat_s"))
				hb = strtoll(v, NULL, 10);
			else if (!strcmp(k, "packets"))
				packets = strtoull(v, NULL, 10);
			else if (!strcmp(k, "capture_drops"))
				drops = strtoull(v, NULL, 10);
		}
		if (S->agency) {
			queue_slug(agency ? agency : "", aslug);
			if (!agency || strcmp(aslug, slug)) {
				hd_redis_reply_free(h);
				continue;
			}
		}
		state = !agency && !updated ? "im lặng (silent)" :
			S->now_ms - updated > 3 * hb * 1000 ? "trễ (stale)" : "hoạt động (ok)";
		if (started)
			vn_date(started, true, st, sizeof(st));
		if (updated) {
			vn_date(updated, true, upd, sizeof(upd));
			duration(up * 1000, ups, sizeof(ups));
			snprintf(rate, sizeof(rate), "%.2f %%",
				 packets + drops ? 100.0 * (double)drops / (double)(packets + drops) : 0.0);
		}
		fputs("| ", f);
		md_cell(f, names->element[i]->str);
		fputs(" | ", f);
		md_cell(f, agency ? agency : "—");
		fprintf(f, " | %s | %s | %s | %" PRIu64 " | %" PRIu64 " | %s | %s |\n", state, st, ups,
			packets, drops, rate, upd);
		shown++;
		hd_redis_reply_free(h);
	}
	if (!shown)
		fputs("| — | | | | | | | | |\n", f);
	fputs("\nCảm biến im lặng: nhịp tim đã hết hạn (quá ba chu kỳ không báo). *(Silent: the heartbeat "
	      "expired, three beats missed.)*", f);
	if (S->agency)
		fputs(" Với --agency, cảm biến im lặng không rõ đơn vị nên không được liệt kê. *(With --agency, "
		      "silent sensors, whose agency is no longer known, are not listed.)*", f);
	fputs("\n\n", f);
	hd_redis_reply_free(names);
}

/* rules: the keys are "kind:rule", shown as the rule with its kind. */
static void top_table(FILE *f, const char *title, const char *col, const char *kind_col,
		      const struct tally *t, bool rules)
{
	fprintf(f, "%s\n\n| # | %s | %s | Số sự cố (Incidents) | Số lần (Occurrences) |\n|---:|---|---|---:|---:|\n",
		title, col, kind_col);
	for (size_t i = 0; i < t->n && i < TOP_N; i++) {
		const char *k = t->v[i].key, *colon = strchr(k, ':');

		fprintf(f, "| %zu | ", i + 1);
		md_code(f, rules && colon ? colon + 1 : k);
		fputs(" | ", f);
		md_cell(f, *t->v[i].label ? t->v[i].label : "—");
		fprintf(f, " | %" PRIu64 " | %" PRIu64 " |\n", t->v[i].n, t->v[i].sum);
	}
	if (!t->n)
		fputs("| — | — | — | 0 | 0 |\n", f);
	fputc('\n', f);
}

static int write_summary(struct summary *S, const struct weeks *w, const char *period)
{
	char path[4096], tmp[4200], now[32], a[32], b[32];
	size_t n_sev[ARRAY_SIZE(sev_names) + 1] = { 0 }, n_open = 0, n_closed = 0, n_esc = 0, n_fp = 0;
	int64_t *claim = calloc(S->n + 1, sizeof(*claim)), *resolve = calloc(S->n + 1, sizeof(*resolve));
	size_t nclaim = 0, nresolve = 0;
	static const char *const states[] = { "new", "triaged", "in_progress", "contained", "escalated",
					      "resolved", "false_positive" };
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/summary.md", S->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!claim || !resolve || !(f = fopen(tmp, "w"))) {
		free(claim);
		free(resolve);
		triage_err(S->t, "%s: cannot write", "%s: không ghi được", path);
		return -1;
	}
	for (size_t i = 0; i < S->n; i++) {
		const struct srec *r = &S->v[i];
		size_t s = 0;

		while (s < ARRAY_SIZE(sev_names) && strcmp(r->severity, sev_names[s]))
			s++;
		n_sev[s]++;
		if (actions_state_open(r->status))
			n_open++;
		else
			n_closed++;
		n_fp += !strcmp(r->status, "false_positive");
		n_esc += r->escalated;
		if (r->claim_ms >= 0)
			claim[nclaim++] = r->claim_ms - r->created_ms;
		if (r->resolve_ms >= 0)
			resolve[nresolve++] = r->resolve_ms - r->created_ms;
	}
	vn_date(S->now_ms, true, now, sizeof(now));
	fprintf(f, "# BÁO CÁO TỔNG HỢP SỰ CỐ AN TOÀN THÔNG TIN MẠNG\n\n*(Network-security incident summary)*\n\n"
		"- Kỳ báo cáo (Period): %s (giờ Việt Nam, UTC+07:00)\n- Đơn vị (Agency): ", period);
	md_cell(f, S->agency ? S->agency : "tất cả các đơn vị (all agencies)");
	fprintf(f, "\n- Lập lúc (Generated): %s (UTC+07:00)\n- Nguồn (Source): hàng đợi sự cố haidang; một sự cố "
		"thuộc kỳ khi được thấy lần cuối trong kỳ *(the incident queue; an incident belongs to the period "
		"in which it was last seen)*\n\n", now);

	fprintf(f, "## 1. Tổng quan (Overview)\n\n| Chỉ số (Measure) | Số lượng (Count) |\n|---|---:|\n"
		"| Tổng số sự cố (Incidents) | %zu |\n| Đang mở (Open) | %zu |\n"
		"| Đã đóng: khắc phục hoặc cảnh báo nhầm (Closed: resolved or false positive) | %zu |\n"
		"| Trong đó cảnh báo nhầm (of which false positives) | %zu |\n"
		"| Đã báo cáo lên cấp trên (Escalated) | %zu |\n"
		"| Trùng lặp đã gộp, không tính ở trên (Duplicates merged, not counted above) | %zu |\n\n",
		S->n, n_open, n_closed, n_fp, n_esc, S->duplicates);

	fputs("## 2. Theo đơn vị (By agency)\n\n| Đơn vị (Agency) | Số sự cố (Incidents) |\n|---|---:|\n", f);
	for (size_t i = 0; i < S->agencies.n; i++) {
		fputs("| ", f);
		md_cell(f, S->agencies.v[i].label);
		fprintf(f, " | %" PRIu64 " |\n", S->agencies.v[i].n);
	}
	fprintf(f, "| **Tổng số (Total)** | **%zu** |\n\n![Xếp hạng đơn vị (agencies ranked)](chart-agencies.svg)\n\n",
		S->n);

	fputs("## 3. Theo loại (By category)\n\n| Loại (Category) | Mã (Code) | Số sự cố (Incidents) |\n|---|---|---:|\n", f);
	for (size_t i = 0; i < S->categories.n; i++) {
		fputs("| ", f);
		md_cell(f, S->categories.v[i].label);
		fputs(" | ", f);
		md_code(f, S->categories.v[i].key);
		fprintf(f, " | %" PRIu64 " |\n", S->categories.v[i].n);
	}
	fprintf(f, "| **Tổng số (Total)** | | **%zu** |\n\n![Sự cố theo loại (by category)](chart-category.svg)\n\n", S->n);

	fputs("## 4. Theo mức độ (By severity)\n\n| Mức độ (Severity) | Số sự cố (Incidents) |\n|---|---:|\n", f);
	for (size_t s = 0; s < ARRAY_SIZE(sev_names); s++)
		fprintf(f, "| %s (%s) | %zu |\n", sev_vi[s], sev_names[s], n_sev[s]);
	if (n_sev[ARRAY_SIZE(sev_names)])
		fprintf(f, "| khác (other) | %zu |\n", n_sev[ARRAY_SIZE(sev_names)]);
	fputs("\n## 5. Theo trạng thái (By status)\n\n| Trạng thái (Status) | Số sự cố (Incidents) |\n|---|---:|\n", f);
	for (size_t s = 0; s < ARRAY_SIZE(states); s++) {
		size_t c = 0;

		for (size_t i = 0; i < S->n; i++)
			c += !strcmp(S->v[i].status, states[s]);
		fprintf(f, "| %s (%s) | %zu |\n", actions_state_name(states[s], true), states[s], c);
	}

	fputs("\n## 6. Thời gian xử lý (Response times)\n\nTính từ khi hàng đợi nhận sự cố (`created_ms`); "
	      "trung vị và phân vị 90 theo thứ hạng gần nhất. *(From the queue's receipt of the incident; median "
	      "and 90th percentile by nearest rank.)*\n\n| Chỉ số (Measure) | Số sự cố (n) | Trung vị (Median) | "
	      "Phân vị 90 (90th percentile) |\n|---|---:|---|---|\n", f);
	times_row(f, "Đến khi nhận xử lý (Time to claim)", claim, nclaim);
	times_row(f, "Đến khi khắc phục hoặc kết luận nhầm (Time to resolve)", resolve, nresolve);
	fputc('\n', f);

	top_table(f, "## 7. Dấu hiệu hàng đầu (Top indicators)", "Dấu hiệu (Indicator)", "Kiểu (Type)",
		  &S->indicators, false);
	top_table(f, "## 8. Luật phát hiện hàng đầu (Top rules)", "Luật (Rule)", "Nguồn (Kind)", &S->rules, true);
	sensors_section(S, f);

	fprintf(f, "## 10. Theo tuần (By ISO week)\n\nTuần có sự cố; thời điểm thấy lần cuối, giờ Việt Nam. "
		"*(Weeks with incidents, by last seen, Vietnam time.)*\n\n| Tuần (ISO week) | Từ ngày (From) | "
		"Đến ngày (To) | Số sự cố (Incidents) |\n|---|---|---|---:|\n");
	for (size_t i = 0; i < w->n; i++) {
		int64_t mon = w->first + (int64_t)(i * w->per) * 7;

		if (!w->count[i])
			continue;
		vn_date(mon * DAY_MS - VN_OFFSET_S * INT64_C(1000), false, a, sizeof(a));
		vn_date((mon + 7 * (int64_t)w->per - 1) * DAY_MS - VN_OFFSET_S * INT64_C(1000), false, b, sizeof(b));
		fprintf(f, "| %s | %s | %s | %" PRIu64 " |\n", w->label[i], a, b, w->count[i]);
	}
	fputs("\n![Sự cố theo tuần (per ISO week)](chart-weekly.svg)\n\n"
	      "Báo cáo gửi Cơ quan điều phối quốc gia (Mẫu số 05): `mau-05.md`. *(The report to the national "
	      "coordinator, Form 05.)*\n", f);
	bad = ferror(f);
	free(claim);
	free(resolve);
	if (fclose(f) || bad || rename(tmp, path)) {
		remove(tmp);
		triage_err(S->t, "%s: cannot write", "%s: không ghi được", path);
		return -1;
	}
	return 0;
}

/* ---- Mẫu số 05 ---- */

struct m05row {
	uint64_t n, self, domestic, foreign, vncert, damage;
	bool has_damage;
};

/* Names of the organisations that helped (a case field: names separated
 * by ';' or ','), each once. */
static void helpers(struct tally *t, const char *s)
{
	char buf[256], *save = NULL, *tok;

	str_copy(buf, s, sizeof(buf));
	for (tok = strtok_r(buf, ";,", &save); tok; tok = strtok_r(NULL, ";,", &save)) {
		long i;

		while (*tok == ' ')
			tok++;
		for (size_t l = strlen(tok); l && tok[l - 1] == ' '; l--)
			tok[l - 1] = '\0';
		if (*tok && strcmp(tok, "1") && strcasecmp(tok, "yes") && strcasecmp(tok, "true") &&
		    (i = tally_get(t, tok, tok)) >= 0)
			t->v[i].n++;
	}
}

static void damage_cell(FILE *f, const struct m05row *r)
{
	char b[40];

	if (!r->has_damage) {
		fputs("—", f);
		return;
	}
	thousands(r->damage, b, sizeof(b));
	fprintf(f, "%s đồng", b);
}

static void helper_list(FILE *f, const struct tally *t)
{
	if (!t->n) {
		fputs("Không có (none).\n\n", f);
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		fprintf(f, "%zu. ", i + 1);
		md_cell(f, t->v[i].key);
		fprintf(f, " — %" PRIu64 " sự cố (incidents)\n", t->v[i].n);
	}
	fputc('\n', f);
}

static int write_mau05(struct summary *S)
{
	struct m05row rows[11], tot;
	struct tally dom = { 0 }, fgn = { 0 };
	char path[4096], tmp[4200], fl[4][160], d1[32], d2[32], today[32];
	size_t fp = 0, open_ = 0, mapped = 0;
	int64_t span_days = (S->to_ms - S->from_ms) / DAY_MS;
	bool annual = span_days > 200;
	const char *place = reportcfg_str(S->conf, "reporter.place");
	struct tm now;
	FILE *f;
	int bad;

	memset(rows, 0, sizeof(rows));
	memset(&tot, 0, sizeof(tot));
	for (size_t i = 0; i < S->n; i++) {
		const struct srec *r = &S->v[i];
		unsigned ty = r->national_type >= 1 && r->national_type <= 10 ? r->national_type : 10;
		bool handled = !strcmp(r->status, "resolved") || !strcmp(r->status, "contained");
		bool helped = r->help_domestic[0] || r->help_foreign[0];
		struct m05row *row = &rows[ty];

		if (!strcmp(r->status, "false_positive")) {
			fp++;
			continue;
		}
		mapped += ty != r->national_type;
		row->n++;
		row->self += handled && !r->escalated && !helped;
		row->domestic += r->help_domestic[0] != '\0';
		row->foreign += r->help_foreign[0] != '\0';
		row->vncert += r->escalated;
		open_ += !(handled || r->escalated || helped);
		if (r->has_damage) {
			row->has_damage = true;
			row->damage += r->damage;
		}
		if (r->help_domestic[0])
			helpers(&dom, r->help_domestic);
		if (r->help_foreign[0])
			helpers(&fgn, r->help_foreign);
	}
	tally_sort(&dom);
	tally_sort(&fgn);
	snprintf(path, sizeof(path), "%s/mau-05.md", S->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		tally_free(&dom);
		tally_free(&fgn);
		triage_err(S->t, "%s: cannot write", "%s: không ghi được", path);
		return -1;
	}
	vn_date(S->from_ms, false, d1, sizeof(d1));
	vn_date(S->to_ms - 1, false, d2, sizeof(d2));
	reportcfg_vn_tm(S->now_ms, &now);
	vn_date(S->now_ms, false, today, sizeof(today));
	fputs("<div align=\"right\">Mẫu số 05<br>Ban hành kèm theo Thông tư số 20/2017/TT-BTTTT ngày 12/9/2017 "
	      "của Bộ Thông tin và Truyền thông</div>\n\n"
	      "<div align=\"center\"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b>"
	      "<br>---------------</div>\n\n", f);
	fputs("**Kính gửi:** ", f);
	md_cell(f, must(S, "national_center.name", fl[0], sizeof(fl[0])));
	if (reportcfg_str(S->conf, "national_center.address")) {
		fputs(" — ", f);
		md_cell(f, reportcfg_str(S->conf, "national_center.address"));
	}
	fprintf(f, "\n\n# BÁO CÁO TỔNG HỢP %s VỀ HOẠT ĐỘNG TIẾP NHẬN VÀ XỬ LÝ SỰ CỐ\n\n"
		"%s 06 tháng   %s 01 năm\n\n"
		"☒ Từ tháng %02d/%04d đến tháng %02d/%04d (từ ngày %s đến ngày %s, giờ Việt Nam UTC+07:00)\n\n",
		annual ? "01 NĂM" : "06 THÁNG", annual ? "☐" : "☒", annual ? "☒" : "☐",
		S->fm, S->fy, S->tm, S->ty, d1, d2);
	fputs("- Tên cơ quan/tổ chức: ", f);
	md_cell(f, must(S, "reporter.name", fl[1], sizeof(fl[1])));
	fputs("\n- Địa chỉ: ", f);
	md_cell(f, must(S, "reporter.address", fl[2], sizeof(fl[2])));
	fputs("\n- Mã thành viên mạng lưới: ", f);
	md_cell(f, must(S, "reporter.member_code", fl[3], sizeof(fl[3])));
	if (S->agency) {
		fputs("\n- Phạm vi (scope): chỉ đơn vị ", f);
		md_cell(f, S->agency);
	}
	fputs("\n\n## 1. Số lượng sự cố và cách thức xử lý\n\n"
	      "| STT | Loại sự cố/tấn công mạng | Số lượng | Số sự cố tự xử lý | "
	      "Số sự cố có sự hỗ trợ xử lý từ các tổ chức khác | Số sự cố có hỗ trợ xử lý từ tổ chức nước ngoài | "
	      "Số sự cố đề nghị VNCERT hỗ trợ xử lý | Thiệt hại ước tính |\n"
	      "|---:|---|---:|---:|---:|---:|---:|---:|\n", f);
	for (unsigned ty = 1; ty <= 10; ty++) {
		const struct m05row *r = &rows[ty];

		fprintf(f, "| %u | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | ",
			ty, category_national_name((int)ty), r->n, r->self, r->domestic, r->foreign, r->vncert);
		damage_cell(f, r);
		fputs(" |\n", f);
		tot.n += r->n;
		tot.self += r->self;
		tot.domestic += r->domestic;
		tot.foreign += r->foreign;
		tot.vncert += r->vncert;
		tot.damage += r->damage;
		tot.has_damage |= r->has_damage;
	}
	fprintf(f, "| | **Tổng số** | **%" PRIu64 "** | **%" PRIu64 "** | **%" PRIu64 "** | **%" PRIu64 "** | **%" PRIu64
		"** | **", tot.n, tot.self, tot.domestic, tot.foreign, tot.vncert);
	damage_cell(f, &tot);
	fputs("** |\n\n", f);
	fprintf(f, "*Ghi chú (notes):* số liệu lấy từ hàng đợi sự cố; một sự cố thuộc kỳ khi được thấy lần cuối trong kỳ. "
		"Không tính %zu cảnh báo nhầm và %zu sự cố trùng lặp đã gộp. %zu sự cố chưa xử lý xong (còn đang xử lý). "
		"\"Tự xử lý\": đã khắc phục hoặc đã ngăn chặn, không chuyển lên cấp trên, không có tổ chức khác hỗ trợ. "
		"\"Đề nghị VNCERT hỗ trợ\": đã chuyển lên Cơ quan điều phối quốc gia. *(Counts from the incident queue; "
		"%zu false positives and %zu merged duplicates left out; %zu incidents still being handled.)*",
		fp, S->duplicates, open_, fp, S->duplicates, open_);
	if (mapped)
		fprintf(f, " %zu sự cố không có loại quốc gia hợp lệ được tính vào dòng 10. *(%zu without a valid "
			"national type counted in row 10.)*", mapped, mapped);
	fputs("\n\n## 2. Danh sách các tổ chức hỗ trợ xử lý sự cố\n\n", f);
	helper_list(f, &dom);
	fputs("## 3. Danh sách các tổ chức nước ngoài hỗ trợ xử lý sự cố\n\n", f);
	helper_list(f, &fgn);
	fputs("## 4. Đề xuất kiến nghị\n\n", f);
	if (reportcfg_str(S->conf, "proposals"))
		md_cell(f, reportcfg_str(S->conf, "proposals"));
	else
		fputs("……", f);
	fprintf(f, "\n\n<div align=\"right\">%s, ngày %02d tháng %02d năm %04d<br><b>NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT</b>"
		"<br>(Đóng dấu hoặc sử dụng chữ ký số)</div>\n\n", place ? place : "……", now.tm_mday,
		now.tm_mon + 1, now.tm_year + 1900);
	fprintf(f, "---\n\n*Hạn gửi (deadlines, Thông tư 20/2017/TT-BTTTT):* báo cáo 06 tháng gửi trước ngày 20 tháng 6, "
		"báo cáo năm gửi trước ngày 15 tháng 12, tới Cơ quan điều phối quốc gia qua Internet hoặc bưu chính "
		"*(the half-year report is due before 20 June, the annual report before 15 December)*. "
		"Kỳ này (this period): %s trước ngày %s/%04d. Lập lúc %s.\n",
		annual ? "báo cáo năm," : "báo cáo 06 tháng,",
		annual || S->fm > 6 ? "15/12" : "20/06", annual ? S->ty : S->fy, today);
	bad = ferror(f);
	tally_free(&dom);
	tally_free(&fgn);
	if (fclose(f) || bad || rename(tmp, path)) {
		remove(tmp);
		triage_err(S->t, "%s: cannot write", "%s: không ghi được", path);
		return -1;
	}
	return 0;
}

/* ---- the command ---- */

static int run_summary(struct triage *t, int argc, char **argv)
{
	struct summary S;
	const char *from = NULL, *to = NULL, *confp = NULL;
	char err[512], period[128], d1[32], d2[32];
	struct weeks w = { 0 };
	struct stat st;
	int rc = 2;

	memset(&S, 0, sizeof(S));
	S.t = t;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			goto usage;
		if (!strcmp(a, "--from"))
			from = v;
		else if (!strcmp(a, "--to"))
			to = v;
		else if (!strcmp(a, "--agency"))
			S.agency = v;
		else if (!strcmp(a, "-o"))
			S.dir = v;
		else if (!strcmp(a, "--config"))
			confp = v;
		else
			goto usage;
		i++;
	}
	if (!from || !to || !S.dir)
		goto usage;
	if (parse_date(from, &S.fy, &S.fm, &S.fd) || parse_date(to, &S.ty, &S.tm, &S.td)) {
		triage_err(t, "--from/--to: a date as dd/mm/yyyy or yyyy-mm-dd (Vietnam date)",
			   "--from/--to: ngày dạng dd/mm/yyyy hoặc yyyy-mm-dd (ngày giờ Việt Nam)");
		return 2;
	}
	S.from_ms = civil_days(S.fy, S.fm, S.fd) * DAY_MS - VN_OFFSET_S * INT64_C(1000);
	S.to_ms = (civil_days(S.ty, S.tm, S.td) + 1) * DAY_MS - VN_OFFSET_S * INT64_C(1000);
	if (S.to_ms <= S.from_ms) {
		triage_err(t, "--to is before --from", "--to trước --from");
		return 2;
	}
	if (!confp && access(DEFAULT_REPORT_CONFIG, R_OK) == 0)
		confp = DEFAULT_REPORT_CONFIG;
	if (confp && !(S.conf = reportcfg_load(confp, err, sizeof(err)))) {
		triage_err(t, "report configuration: %s", "cấu hình báo cáo: %s", err);
		return 2;
	}
	if (!confp)
		triage_err(t, "no report configuration (--config, or " DEFAULT_REPORT_CONFIG "): "
			   "Mẫu 05's mandatory fields are flagged as missing",
			   "không có cấu hình báo cáo (--config, hoặc " DEFAULT_REPORT_CONFIG "): "
			   "các trường bắt buộc của Mẫu 05 được đánh dấu là còn thiếu");
	if (mkdir(S.dir, 0755) && errno != EEXIST) {
		triage_err(t, "%s: cannot create (%s)", "%s: không tạo được (%s)", S.dir, strerror(errno));
		goto out;
	}
	if (stat(S.dir, &st) || !S_ISDIR(st.st_mode)) {
		triage_err(t, "%s: not a directory", "%s: không phải thư mục", S.dir);
		goto out;
	}
	S.now_ms = (int64_t)time(NULL) * 1000;
	if (!triage_conn(t))
		goto out;
	rc = 1;
	if (read_period(&S))
		goto out;
	tally_sort(&S.agencies);
	tally_sort(&S.categories);
	tally_sort(&S.indicators);
	tally_sort(&S.rules);
	vn_date(S.from_ms, false, d1, sizeof(d1));
	vn_date(S.to_ms - 1, false, d2, sizeof(d2));
	snprintf(period, sizeof(period), "%s – %s", d1, d2);
	if (weeks_build(&S, &w)) {
		triage_err(t, "out of memory", "hết bộ nhớ");
		goto out;
	}
	if (write_charts(&S, &w, period) || write_summary(&S, &w, period) || write_mau05(&S))
		goto out;
	printf("%s/summary.md\n%s/mau-05.md\n%s/chart-category.svg\n%s/chart-weekly.svg\n%s/chart-agencies.svg\n",
	       S.dir, S.dir, S.dir, S.dir, S.dir);
	if (S.missing)
		triage_err(t, "%u mandatory field(s) flagged as missing: fill them in the report configuration",
			   "%u trường bắt buộc còn thiếu (đã đánh dấu): hãy điền trong cấu hình báo cáo", S.missing);
	rc = 0;
out:
	weeks_free(&w);
	tally_free(&S.agencies);
	tally_free(&S.categories);
	tally_free(&S.indicators);
	tally_free(&S.rules);
	free(S.v);
	cJSON_Delete(S.conf);
	return rc;
usage:
	fprintf(stderr, "%s: haidang-triage summary %s\n", t->vi ? "Cách dùng" : "Usage", cmd_summary.synopsis);
	return 2;
}

const struct triage_cmd cmd_summary = {
	"summary",
	"--from DATE --to DATE [--agency A] [--config FILE] -o DIR",
	"the period's incidents counted, with charts, and the half-year/annual report (Mẫu 05)",
	"thống kê sự cố trong kỳ, kèm biểu đồ, và báo cáo 06 tháng/năm (Mẫu 05)",
	false, run_summary,
};
