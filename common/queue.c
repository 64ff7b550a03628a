/*
 * queue.c - the incident queue's schema: key names, the ingest script, and
 * the translation of a sensor's incident event into the script's arguments
 * (docs/queue.md).
 *
 * The ingest script is the only writer of detection data. It runs inside
 * Redis, atomically, on the keys of one agency (one hash slot), and is
 * idempotent: a record delivered twice changes nothing the second time,
 * because each sensor run's count is kept apart (field c:RUN) and only the
 * growth of that count is added to the ticket's total.
 */
#include "queue.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>

#include "redis.h"
#include "util.h"
#include "banned.h"

/* KEYS: det (hd:{A}:det:ID). The other keys (hist, idx:*, stream) are
 * named from it and share its hash tag, so they live in its slot; they are
 * not declared because a declared key needs read and write rights, and a
 * sensor may only write them (docs/queue.md, Access rights).
 * ARGV: id run count first_ms last_ms first_iso last_iso sev_rank severity
 *       score now_ms sensor agency category category_vi national_type host
 *       peer indicator evidence
 * Returns { created (0/1), changed (0/1), total count }. */
const char queue_ingest_lua[] =
"local det, id, run = KEYS[1], ARGV[1], ARGV[2]\n"
"local pre = string.match(det, '^(hd:{[^}]*}):det:')\n"
"if not pre or det ~= pre .. ':det:' .. id then\n"
"  return redis.error_reply('ERR haidang ingest: key and id disagree')\n"
"end\n"
"local hist, itime, iurg, iid, inew, stream = pre .. ':hist:' .. id, pre .. ':idx:time',\n"
"  pre .. ':idx:urgent', pre .. ':idx:id', pre .. ':idx:status:new', pre .. ':stream'\n"
"local cnt, first, last = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])\n"
"local rank, score, now = tonumber(ARGV[8]), tonumber(ARGV[10]), tonumber(ARGV[11])\n"
"if not (cnt and first and last and rank and score and now) or #id ~= 32 then\n"
"  return redis.error_reply('ERR haidang ingest: malformed record')\n"
"end\n"
"local created = redis.call('HSETNX', det, 'id', id)\n"
"local changed = created == 1\n"
"if created == 1 then\n"
"  redis.call('HSET', det, 'sensor', ARGV[12], 'agency', ARGV[13], 'category', ARGV[14],\n"
"    'category_vi', ARGV[15], 'national_type', ARGV[16], 'host', ARGV[17], 'peer', ARGV[18],\n"
"    'indicator', ARGV[19], 'created_ms', now, 'count', 0,\n"
"    'first_seen_ms', first, 'first_seen', ARGV[6], 'last_seen_ms', last, 'last_seen', ARGV[7],\n"
"    'sev_rank', rank, 'severity', ARGV[9], 'score', score, 'evidence', ARGV[20])\n"
"  local body = '{\"ts\":' .. string.format('%d', now) .. ',\"who\":' ..\n"
"    cjson.encode('sensor:' .. ARGV[12]) ..\n"
"    ',\"action\":\"created\",\"before\":{},\"after\":{\"status\":\"new\"},\"prev\":\"\"'\n"
"  redis.call('RPUSH', hist, body .. ',\"hash\":\"' .. redis.sha1hex('\\n' .. body .. '}') .. '\"}')\n"
"  redis.call('SADD', inew, id)\n"
"end\n"
"local cur = redis.call('HMGET', det, 'c:' .. run, 'first_seen_ms', 'last_seen_ms', 'sev_rank', 'score')\n"
"local prev = tonumber(cur[1]) or 0\n"
"if cnt > prev then\n"
"  redis.call('HSET', det, 'c:' .. run, cnt)\n"
"  redis.call('HINCRBY', det, 'count', cnt - prev)\n"
"  changed = true\n"
"end\n"
"if created == 0 then\n"
"  local f, l = tonumber(cur[2]), tonumber(cur[3])\n"
"  if not f or first < f then\n"
"    redis.call('HSET', det, 'first_seen_ms', first, 'first_seen', ARGV[6])\n"
"    changed = true\n"
"  end\n"
"  if not l or last > l or (last == l and cnt > prev) then\n"
"    redis.call('HSET', det, 'last_seen_ms', math.max(last, l or 0), 'evidence', ARGV[20])\n"
"    if not l or last > l then redis.call('HSET', det, 'last_seen', ARGV[7]) end\n"
"    changed = true\n"
"  end\n"
"  if rank > (tonumber(cur[4]) or 0) then\n"
"    redis.call('HSET', det, 'sev_rank', rank, 'severity', ARGV[9])\n"
"    changed = true\n"
"  end\n"
"  if score > (tonumber(cur[5]) or 0) then\n"
"    redis.call('HSET', det, 'score', score)\n"
"    changed = true\n"
"  end\n"
"end\n"
"local v = redis.call('HMGET', det, 'last_seen_ms', 'sev_rank', 'score', 'count')\n"
"if changed then\n"
"  redis.call('HSET', det, 'updated_ms', now)\n"
"  redis.call('ZADD', itime, v[1], id)\n"
"  redis.call('ZADD', iurg, tonumber(v[2]) * 1000 + tonumber(v[3]), id)\n"
"  redis.call('ZADD', iid, 0, id)\n"
"  redis.call('XADD', stream, 'MAXLEN', '~', 10000, '*', 'id', id,\n"
"    'what', created == 1 and 'created' or 'updated', 'count', v[4])\n"
"end\n"
"return { created, changed and 1 or 0, tonumber(v[4]) }\n";

/* ---- agency slug ---- */

/* Latin letters with marks, as used in Vietnamese (and Latin-1), folded to
 * their base letter. Each string lists code points' UTF-8 forms. */
static const struct { char base; const char *forms; } fold[] = {
	{ 'a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬäåÄÅ" },
	{ 'e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆëË" },
	{ 'i', "ìíỉĩịÌÍỈĨỊîïÎÏ" },
	{ 'o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢöÖ" },
	{ 'u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰûüÛÜ" },
	{ 'y', "ỳýỷỹỵỲÝỶỸỴ" },
	{ 'd', "đĐ" },
	{ 'c', "çÇ" },
	{ 'n', "ñÑ" },
};

/* The length of the UTF-8 sequence at s (1 for a stray byte). */
static size_t seq_len(const unsigned char *s)
{
	size_t n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 :
		   (*s & 0xf8) == 0xf0 ? 4 : 1;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

static char fold_char(const unsigned char *s, size_t n)
{
	if (n == 1) {
		if (*s >= 'A' && *s <= 'Z')
			return (char)(*s - 'A' + 'a');
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			return (char)*s;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fold); i++) {
		const unsigned char *f = (const unsigned char *)fold[i].forms;

		while (*f) {
			size_t m = seq_len(f);

			if (m == n && !memcmp(f, s, n))
				return fold[i].base;
			f += m;
		}
	}
	return 0;
}

void queue_slug(const char *agency, char out[QUEUE_SLUG_MAX])
{
	const unsigned char *s = (const unsigned char *)(agency ? agency : "");
	size_t len = 0;
	bool dash = false;

	while (*s && len < QUEUE_SLUG_MAX - 1) {
		size_t n = seq_len(s);
		char c = fold_char(s, n);

		s += n;
		if (!c) {
			dash = len > 0;
			continue;
		}
		if (dash) {
			if (len + 2 > QUEUE_SLUG_MAX - 1)
				break;
			out[len++] = '-';
			dash = false;
		}
		out[len++] = c;
	}
	out[len] = '\0';
	if (!len)
		str_copy(out, "unknown", QUEUE_SLUG_MAX);
}

int queue_key(char *buf, size_t size, const char *slug, const char *what, const char *id)
{
	int n = id ? snprintf(buf, size, "hd:{%s}:%s:%s", slug, what, id)
		   : snprintf(buf, size, "hd:{%s}:%s", slug, what);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ---- records ---- */

int64_t queue_iso_ms(const char *s)
{
	struct tm tm;
	int64_t frac = 0, scale = 1000000;
	int off = 0;
	char *end;
	const char *p;
	time_t t;

	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)strtol(s, NULL, 10) - 1900;
	tm.tm_mon = (int)strtol(s + 5, NULL, 10) - 1;
	tm.tm_mday = (int)strtol(s + 8, NULL, 10);
	tm.tm_hour = (int)strtol(s + 11, NULL, 10);
	tm.tm_min = (int)strtol(s + 14, NULL, 10);
	tm.tm_sec = (int)strtol(s + 17, NULL, 10);
	p = s + 19;
	if (*p == '.') {
		frac = strtoll(p + 1, &end, 10);
		scale = 1;
		for (const char *q = p + 1; q < end; q++)
			scale *= 10;
		if (end == p + 1 || end - p - 1 > 9)
			return -1;
		p = end;
	}
	if (*p == '+' || *p == '-') {
		if (strlen(p) != 6 || p[3] != ':')
			return -1;
		off = (int)strtol(p + 1, NULL, 10) * 3600 + (int)strtol(p + 4, NULL, 10) * 60;
		if (*p == '-')
			off = -off;
	} else if (*p == 'Z') {
		off = 0;
	} else if (*p) {
		return -1;
	}
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	return ((int64_t)t - off) * 1000 + frac * 1000 / scale;
}

static const char *const sev_order[] = { "none", "low", "medium", "high", "critical" };

/* Copies the string member name of o into dst; required: an error if absent. */
static int get_str(const cJSON *o, const char *name, char *dst, size_t size, bool required,
		   char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) || !v->valuestring) {
		dst[0] = '\0';
		if (required) {
			snprintf(err, errlen, "incident field \"%s\" missing", name);
			return -1;
		}
		return 0;
	}
	if (strlen(v->valuestring) >= size) {
		snprintf(err, errlen, "incident field \"%s\" longer than %zu bytes", name, size - 1);
		return -1;
	}
	str_copy(dst, v->valuestring, size);
	return 0;
}

static int get_uint(const cJSON *o, const char *name, uint64_t *out, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0) {
		snprintf(err, errlen, "incident field \"%s\" missing or not a count", name);
		return -1;
	}
	*out = (uint64_t)v->valuedouble;
	return 0;
}

int queue_record_parse(const char *line, size_t len, struct queue_record *r,
		       char *err, size_t errlen)
{
	cJSON *root = cJSON_ParseWithLength(line, len);
	const cJSON *inc, *ev, *type;
	uint64_t nt = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!root) {
		snprintf(err, errlen, "not JSON");
		return -1;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "event_type");
	inc = cJSON_GetObjectItemCaseSensitive(root, "incident");
	if (!cJSON_IsString(type) || strcmp(type->valuestring, "incident") || !cJSON_IsObject(inc)) {
		snprintf(err, errlen, "not an incident event");
		goto out;
	}
	if (get_str(inc, "id", r->id, sizeof(r->id), true, err, errlen) ||
	    get_str(inc, "run", r->run, sizeof(r->run), true, err, errlen) ||
	    get_str(inc, "sensor", r->sensor, sizeof(r->sensor), true, err, errlen) ||
	    get_str(inc, "agency", r->agency, sizeof(r->agency), false, err, errlen) ||
	    get_str(inc, "category", r->category, sizeof(r->category), true, err, errlen) ||
	    get_str(inc, "category_vi", r->category_vi, sizeof(r->category_vi), false, err, errlen) ||
	    get_str(inc, "severity", r->severity, sizeof(r->severity), true, err, errlen) ||
	    get_str(inc, "host", r->host, sizeof(r->host), true, err, errlen) ||
	    get_str(inc, "peer", r->peer, sizeof(r->peer), false, err, errlen) ||
	    get_str(inc, "indicator", r->indicator, sizeof(r->indicator), true, err, errlen) ||
	    get_str(inc, "first_seen", r->first_seen, sizeof(r->first_seen), true, err, errlen) ||
	    get_str(inc, "last_seen", r->last_seen, sizeof(r->last_seen), true, err, errlen) ||
	    get_uint(inc, "score", &r->score, err, errlen) ||
	    get_uint(inc, "count", &r->count, err, errlen) ||
	    get_uint(inc, "national_type", &nt, err, errlen))
		goto out;
	if (strlen(r->id) != 32 || strspn(r->id, "0123456789abcdef") != 32) {
		snprintf(err, errlen, "incident id is not 32 hex digits");
		goto out;
	}
	r->national_type = (unsigned)(nt > 10 ? 10 : nt);
	r->sev_rank = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(sev_order); i++)
		if (!strcmp(r->severity, sev_order[i]))
			r->sev_rank = i;
	r->first_ms = queue_iso_ms(r->first_seen);
	r->last_ms = queue_iso_ms(r->last_seen);
	if (r->first_ms < 0 || r->last_ms < 0) {
		snprintf(err, errlen, "incident first_seen/last_seen is not an ISO 8601 time");
		goto out;
	}
	queue_slug(r->agency, r->slug);
	ev = cJSON_GetObjectItemCaseSensitive(inc, "evidence");
	r->evidence = cJSON_IsArray(ev) ? cJSON_PrintUnformatted(ev) : NULL;
	if (!r->evidence && !(r->evidence = strdup("[]"))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r->evidence_len = strlen(r->evidence);
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

void queue_record_free(struct queue_record *r)
{
	free(r->evidence);
	r->evidence = NULL;
}

int queue_ingest_args(const struct queue_record *r, const struct hd_redis_script *s,
		      int64_t now_ms, struct queue_args *a)
{
	int n = 0;

	if (queue_key(a->keys[0], sizeof(a->keys[0]), r->slug, "det", r->id))
		return -1;
	snprintf(a->num[0], sizeof(a->num[0]), "%" PRIu64, r->count);
	snprintf(a->num[1], sizeof(a->num[1]), "%" PRId64, r->first_ms);
	snprintf(a->num[2], sizeof(a->num[2]), "%" PRId64, r->last_ms);
	snprintf(a->num[3], sizeof(a->num[3]), "%u", r->sev_rank);
	snprintf(a->num[4], sizeof(a->num[4]), "%" PRIu64, r->score);
	snprintf(a->num[5], sizeof(a->num[5]), "%" PRId64, now_ms);
	snprintf(a->num[6], sizeof(a->num[6]), "%u", r->national_type);
	a->argv[n++] = "EVALSHA";
	a->argv[n++] = s->sha1;
	a->argv[n++] = "1";
	for (int i = 0; i < QUEUE_INGEST_KEYS; i++)
		a->argv[n++] = a->keys[i];
	a->argv[n++] = r->id;
	a->argv[n++] = r->run;
	a->argv[n++] = a->num[0];
	a->argv[n++] = a->num[1];
	a->argv[n++] = a->num[2];
	a->argv[n++] = r->first_seen;
	a->argv[n++] = r->last_seen;
	a->argv[n++] = a->num[3];
	a->argv[n++] = r->severity;
	a->argv[n++] = a->num[4];
	a->argv[n++] = a->num[5];
	a->argv[n++] = r->sensor;
	a->argv[n++] = r->agency;
	a->argv[n++] = r->category;
	a->argv[n++] = r->category_vi;
	a->argv[n++] = a->num[6];
	a->argv[n++] = r->host;
	a->argv[n++] = r->peer;
	a->argv[n++] = r->indicator;
	for (int i = 0; i < n; i++)
		a->lens[i] = strlen(a->argv[i]);
	a->argv[n] = r->evidence ? r->evidence : "[]";
	a->lens[n] = r->evidence ? r->evidence_len : 2;
	a->argc = n + 1;
	return 0;
}

int queue_ingest_append(struct hd_redis *c, const struct hd_redis_script *s,
			const struct queue_record *r, int64_t now_ms)
{
	struct queue_args a;

	if (queue_ingest_args(r, s, now_ms, &a))
		return -1;
	return hd_redis_append(c, a.argc, a.argv, a.lens);
}

enum queue_reply queue_ingest_result(const struct redisReply *rep, bool *created,
				     char *err, size_t errlen)
{
	static const char *const later[] = {
		"READONLY", "OOM", "LOADING", "BUSY", "MISCONF", "TRYAGAIN", "MASTERDOWN",
		"NOREPLICAS", "CLUSTERDOWN",
	};

	*created = false;
	if (!rep) {
		snprintf(err, errlen, "no reply");
		return QUEUE_RETRY;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%.*s", (int)(rep->len > 400 ? 400 : rep->len), rep->str);
		if (!strncmp(rep->str, "NOSCRIPT", 8))
			return QUEUE_NOSCRIPT;
		for (size_t i = 0; i < ARRAY_SIZE(later); i++)
			if (!strncmp(rep->str, later[i], strlen(later[i])))
				return QUEUE_RETRY;
		return QUEUE_REJECTED;
	}
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
	    rep->element[0]->type != REDIS_REPLY_INTEGER) {
		snprintf(err, errlen, "unexpected reply to the ingest script");
		return QUEUE_REJECTED;
	}
	*created = rep->element[0]->integer == 1;
	err[0] = '\0';
	return QUEUE_OK;
}
