/*
 * actions.c - what an analyst does to a ticket: claim, assign, status,
 * note, merge, escalate, reopen, tick a playbook step; reading and checking the history chain;
 * the reporting deadlines (docs/triage.md).
 *
 * Each change is one Lua script run atomically in Redis on the keys of one
 * ticket (and, for a merge, its survivor), all in the agency's hash slot.
 * The script, not this file, enforces the state machine, the version the
 * analyst read and the claim, so two consoles can never interleave; this
 * file builds the keys, calls the script and turns its answer into a
 * message in the analyst's language. Scripts run with the analyst's ACL
 * rights (docs/queue.md), so they use no deleting command: an entry leaves
 * a status index with SREM, an assignee is released by setting "".
 *
 * Nothing here prints; the verbs (verbs.c) and the TUI decide.
 */
#define _GNU_SOURCE
#include "actions.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "redis.h"
#include "util.h"
#include "banned.h"

/* The scripts' shared part. KEYS 1-5: case, det, hist, notes, stream of
 * the ticket; 6-13: idx:status:S for every state, in TRIAGE_STATES order;
 * a merge adds 14-16: case, det, hist of the survivor. ARGV 1-4: id, who,
 * now (ms), expected version (-1: any); then the action's own.
 * Reply: { 0, "ok"|"already", version [, survivor's version] } or
 * { 1, reason, version, a, b, updated_by, updated_ms }. */
#define LUA_PRELUDE \
"local id, who, now, expect = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])\n" \
"local STATES = { 'new', 'triaged', 'in_progress', 'contained', 'resolved', 'false_positive',\n" \
"  'duplicate', 'escalated' }\n" \
"local pre = string.match(KEYS[2], '^(hd:{[^}]*}):det:')\n" \
"local function keys_ok(base, tid)\n" \
"  return KEYS[base] == pre .. ':case:' .. tid and KEYS[base + 1] == pre .. ':det:' .. tid and\n" \
"    KEYS[base + 2] == pre .. ':hist:' .. tid\n" \
"end\n" \
"if not pre or not now or not expect or not keys_ok(1, id) or KEYS[4] ~= pre .. ':notes:' .. id or\n" \
"    KEYS[5] ~= pre .. ':stream' then\n" \
"  return redis.error_reply('ERR haidang action: keys and id disagree')\n" \
"end\n" \
"local SKEY = {}\n" \
"for i, s in ipairs(STATES) do\n" \
"  if KEYS[5 + i] ~= pre .. ':idx:status:' .. s then\n" \
"    return redis.error_reply('ERR haidang action: status index keys')\n" \
"  end\n" \
"  SKEY[s] = KEYS[5 + i]\n" \
"end\n" \
"local OPEN = { new = true, triaged = true, in_progress = true, contained = true, escalated = true }\n" \
"local NEXT = {\n" \
"  new = { triaged = true, in_progress = true, false_positive = true, escalated = true },\n" \
"  triaged = { in_progress = true, contained = true, false_positive = true, escalated = true },\n" \
"  in_progress = { contained = true, resolved = true, false_positive = true, escalated = true },\n" \
"  contained = { in_progress = true, resolved = true, escalated = true },\n" \
"  escalated = { in_progress = true, contained = true, resolved = true },\n" \
"  resolved = {}, false_positive = {}, duplicate = {},\n" \
"}\n" \
"local function num(x) return string.format('%d', x) end\n" \
"local function load(base)\n" \
"  if redis.call('HEXISTS', KEYS[base + 1], 'id') == 0 then return nil end\n" \
"  local c = redis.call('HMGET', KEYS[base], 'status', 'assignee', 'version', 'updated_by',\n" \
"    'updated_ms', 'merged_into')\n" \
"  local st = c[1]\n" \
"  if not st or st == '' then st = 'new' end\n" \
"  return { status = st, assignee = c[2] or '', version = tonumber(c[3]) or 0, by = c[4] or '',\n" \
"    at = c[5] or '0', merged_into = c[6] or '' }\n" \
"end\n" \
"local function refuse(why, t, a, b)\n" \
"  return { 1, why, t and t.version or 0, a or '', b or '', t and t.by or '', t and t.at or '0' }\n" \
"end\n" \
"local function fresh(t)\n" \
"  if expect >= 0 and t.version ~= expect then return refuse('stale', t, num(expect)) end\n" \
"end\n" \
"local function obj(kv)\n" \
"  local out = {}\n" \
"  for i = 1, #kv, 2 do\n" \
"    local v = kv[i + 1]\n" \
"    out[#out + 1] = cjson.encode(kv[i]) .. ':' .. (type(v) == 'number' and num(v) or cjson.encode(v))\n" \
"  end\n" \
"  return '{' .. table.concat(out, ',') .. '}'\n" \
"end\n" \
"local function chain(kh, action, before, after)\n" \
"  local last, prev = redis.call('LINDEX', kh, -1), ''\n" \
"  if last then prev = string.match(last, '\"hash\":\"(%x+)\"}$') or '' end\n" \
"  local body = '{\"ts\":' .. num(now) .. ',\"who\":' .. cjson.encode(who) .. ',\"action\":' ..\n" \
"    cjson.encode(action) .. ',\"before\":' .. obj(before) .. ',\"after\":' .. obj(after) ..\n" \
"    ',\"prev\":' .. cjson.encode(prev)\n" \
"  local h = redis.sha1hex(prev .. '\\n' .. body .. '}')\n" \
"  redis.call('RPUSH', kh, body .. ',\"hash\":\"' .. h .. '\"}')\n" \
"  return h\n" \
"end\n" \
"local function commit(base, tid, t, action, fields, before, after)\n" \
"  local v = t.version + 1\n" \
"  for _, x in ipairs({ 'version', num(v), 'updated_ms', num(now), 'updated_by', who }) do\n" \
"    fields[#fields + 1] = x\n" \
"  end\n" \
"  redis.call('HSET', KEYS[base], unpack(fields))\n" \
"  before[#before + 1] = 'version'\n" \
"  before[#before + 1] = t.version\n" \
"  after[#after + 1] = 'version'\n" \
"  after[#after + 1] = v\n" \
"  local h = chain(KEYS[base + 2], action, before, after)\n" \
"  redis.call('XADD', KEYS[5], 'MAXLEN', '~', 10000, '*', 'id', tid, 'what', action,\n" \
"    'version', num(v), 'who', who, 'hash', h)\n" \
"  return v\n" \
"end\n" \
"local function move(tid, from, to)\n" \
"  if from ~= to then\n" \
"    redis.call('SREM', SKEY[from], tid)\n" \
"    redis.call('SADD', SKEY[to], tid)\n" \
"  end\n" \
"end\n" \
"local function addnote(text)\n" \
"  redis.call('RPUSH', KEYS[4], obj({ 'ts', now, 'who', who, 'text', text }))\n" \
"end\n" \
"local function set_status(action, t, to, note, from_ok)\n" \
"  if not from_ok[t.status] then return refuse('illegal', t, t.status, to) end\n" \
"  local r = fresh(t)\n" \
"  if r then return r end\n" \
"  local fields, after = { 'status', to }, { 'status', to }\n" \
"  if to == 'escalated' then\n" \
"    fields[#fields + 1] = 'escalated_ms'\n" \
"    fields[#fields + 1] = num(now)\n" \
"  end\n" \
"  if note ~= '' then\n" \
"    addnote(note)\n" \
"    after[#after + 1] = 'note'\n" \
"    after[#after + 1] = note\n" \
"  end\n" \
"  move(id, t.status, to)\n" \
"  return { 0, 'ok', commit(1, id, t, action, fields, { 'status', t.status }, after) }\n" \
"end\n"

#define LUA_CLAIM \
"local t = load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"if not OPEN[t.status] then return refuse('closed', t, t.status) end\n" \
"if t.assignee ~= '' and t.assignee ~= who then return refuse('held', t, t.assignee) end\n" \
"if t.assignee == who then return { 0, 'already', t.version } end\n" \
"local r = fresh(t)\n" \
"if r then return r end\n" \
"return { 0, 'ok', commit(1, id, t, 'claim', { 'assignee', who }, { 'assignee', t.assignee },\n" \
"  { 'assignee', who }) }\n"

#define LUA_ASSIGN \
"local user, t = ARGV[5], load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"if not OPEN[t.status] then return refuse('closed', t, t.status) end\n" \
"local r = fresh(t)\n" \
"if r then return r end\n" \
"if t.assignee == user then return { 0, 'already', t.version } end\n" \
"return { 0, 'ok', commit(1, id, t, 'assign', { 'assignee', user }, { 'assignee', t.assignee },\n" \
"  { 'assignee', user }) }\n"

#define LUA_STATUS \
"local to, t = ARGV[5], load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"if not SKEY[to] then return refuse('badstate', t, t.status, to) end\n" \
"if to == 'duplicate' then return refuse('usemerge', t, t.status, to) end\n" \
"if t.status == to then return refuse('same', t, t.status, to) end\n" \
"local from = {}\n" \
"for s, nx in pairs(NEXT) do from[s] = nx[to] end\n" \
"return set_status('status', t, to, ARGV[6], from)\n"

#define LUA_ESCALATE \
"local t = load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"if t.status == 'escalated' then return refuse('same', t, t.status, 'escalated') end\n" \
"return set_status('escalate', t, 'escalated', '',\n" \
"  { new = true, triaged = true, in_progress = true, contained = true })\n"

#define LUA_REOPEN \
"local t = load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"if t.status == 'duplicate' then return refuse('mergedfinal', t, t.merged_into) end\n" \
"return set_status('reopen', t, 'triaged', '', { resolved = true, false_positive = true })\n"

#define LUA_NOTE \
"local text, t = ARGV[5], load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"addnote(text)\n" \
"return { 0, 'ok', commit(1, id, t, 'note', {}, {}, { 'note', text }) }\n"

/* ARGV 5-7: help_domestic, help_foreign, damage; "\1" leaves one as it is. */
#define LUA_RECORD \
"local t = load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"local r = fresh(t)\n" \
"if r then return r end\n" \
"local names = { 'help_domestic', 'help_foreign', 'damage' }\n" \
"local cur = redis.call('HMGET', KEYS[1], unpack(names))\n" \
"local fields, before, after = {}, {}, {}\n" \
"for i, n in ipairs(names) do\n" \
"  local v, old = ARGV[4 + i], cur[i] or ''\n" \
"  if v ~= '\\1' and v ~= old then\n" \
"    fields[#fields + 1] = n\n" \
"    fields[#fields + 1] = v\n" \
"    before[#before + 1] = n\n" \
"    before[#before + 1] = old\n" \
"    after[#after + 1] = n\n" \
"    after[#after + 1] = v\n" \
"  end\n" \
"end\n" \
"if #fields == 0 then return { 0, 'already', t.version } end\n" \
"return { 0, 'ok', commit(1, id, t, 'record', fields, before, after) }\n"

#define LUA_MERGE \
"local into, keep = ARGV[5], tonumber(ARGV[6]) or 50\n" \
"if not keys_ok(14, into) then return redis.error_reply('ERR haidang merge: keys and id disagree') end\n" \
"local function items(s, out, seen)\n" \
"  local depth, instr, esc, start = 0, false, false, 1\n" \
"  local function take(i)\n" \
"    local e = string.match(string.sub(s, start, i - 1), '^%s*(.-)%s*$')\n" \
"    if e ~= '' and not seen[e] then\n" \
"      seen[e] = true\n" \
"      local ok, d = pcall(cjson.decode, e)\n" \
"      local ls = ok and type(d) == 'table' and type(d.last_seen) == 'string' and d.last_seen or ''\n" \
"      out[#out + 1] = { e = e, t = ls, n = #out }\n" \
"    end\n" \
"  end\n" \
"  if type(s) ~= 'string' then return end\n" \
"  for i = 1, #s do\n" \
"    local c = string.byte(s, i)\n" \
"    if instr then\n" \
"      if esc then esc = false elseif c == 92 then esc = true elseif c == 34 then instr = false end\n" \
"    elseif c == 34 then instr = true\n" \
"    elseif c == 91 or c == 123 then\n" \
"      depth = depth + 1\n" \
"      if depth == 1 then start = i + 1 end\n" \
"    elseif c == 93 or c == 125 then\n" \
"      if depth == 1 then take(i) end\n" \
"      depth = depth - 1\n" \
"    elseif c == 44 and depth == 1 then\n" \
"      take(i)\n" \
"      start = i + 1\n" \
"    end\n" \
"  end\n" \
"end\n" \
"if into == id then return refuse('self', nil, id) end\n" \
"local t = load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"if t.status == 'duplicate' then return refuse('merged', t, t.merged_into) end\n" \
"local u = load(14)\n" \
"if not u then return refuse('nointo', t, into) end\n" \
"if u.status == 'duplicate' then return refuse('intodup', t, into, u.merged_into) end\n" \
"local r = fresh(t)\n" \
"if r then return r end\n" \
"local c1 = tonumber(redis.call('HGET', KEYS[2], 'count')) or 0\n" \
"local c2 = tonumber(redis.call('HGET', KEYS[15], 'count')) or 0\n" \
"redis.call('HINCRBY', KEYS[15], 'count', c1)\n" \
"local all, seen = {}, {}\n" \
"items(redis.call('HGET', KEYS[15], 'evidence'), all, seen)\n" \
"items(redis.call('HGET', KEYS[2], 'evidence'), all, seen)\n" \
"table.sort(all, function(x, y) if x.t ~= y.t then return x.t < y.t end return x.n < y.n end)\n" \
"local ev = {}\n" \
"for i = math.max(1, #all - keep + 1), #all do ev[#ev + 1] = all[i].e end\n" \
"redis.call('HSET', KEYS[15], 'evidence', '[' .. table.concat(ev, ',') .. ']')\n" \
"move(id, t.status, 'duplicate')\n" \
"local v1 = commit(1, id, t, 'merge', { 'status', 'duplicate', 'merged_into', into },\n" \
"  { 'status', t.status }, { 'status', 'duplicate', 'merged_into', into })\n" \
"local v2 = commit(14, into, u, 'merge_in', {}, { 'count', c2 },\n" \
"  { 'count', c2 + c1, 'merged_from', id })\n" \
"return { 0, 'ok', v1, v2 }\n"

/* ARGV 5-9: step id, "1" tick / "0" untick, step number, step name,
 * playbook id. The tick is field pb:STEP of the case hash, "MS|WHO", and
 * "" once unticked (no HDEL: analysts have no deleting command). Whether
 * the step is in the ticket's playbook is checked by the caller, which has
 * the playbook; the script checks that it is shaped as a step id. */
#define LUA_PLAYBOOK \
"local step, done, no, name, pbid = ARGV[5], ARGV[6] == '1', tonumber(ARGV[7]), ARGV[8], ARGV[9]\n" \
"if not no or not string.match(step, '^[a-z-]+%-%-%x+%-%x+%-%x+%-%x+%-%x+$') then\n" \
"  return redis.error_reply('ERR haidang playbook: not a step id')\n" \
"end\n" \
"local t = load(1)\n" \
"if not t then return refuse('nodet') end\n" \
"if t.status == 'duplicate' then return refuse('pbdup', t, t.merged_into) end\n" \
"local field = 'pb:' .. step\n" \
"local cur = redis.call('HGET', KEYS[1], field)\n" \
"if (type(cur) == 'string' and cur ~= '') == done then return { 0, 'already', t.version } end\n" \
"local r = fresh(t)\n" \
"if r then return r end\n" \
"return { 0, 'ok', commit(1, id, t, 'playbook', { field, done and (num(now) .. '|' .. who) or '' },\n" \
"  { step, not done }, { step, done, 'step_no', no, 'step_name', name, 'playbook', pbid }) }\n"

enum action { A_CLAIM, A_ASSIGN, A_STATUS, A_NOTE, A_MERGE, A_ESCALATE, A_REOPEN, A_PLAYBOOK, A_RECORD,
	      A__COUNT };

static const char *const action_src[A__COUNT] = {
	[A_CLAIM] = LUA_PRELUDE LUA_CLAIM,
	[A_ASSIGN] = LUA_PRELUDE LUA_ASSIGN,
	[A_STATUS] = LUA_PRELUDE LUA_STATUS,
	[A_NOTE] = LUA_PRELUDE LUA_NOTE,
	[A_MERGE] = LUA_PRELUDE LUA_MERGE,
	[A_ESCALATE] = LUA_PRELUDE LUA_ESCALATE,
	[A_REOPEN] = LUA_PRELUDE LUA_REOPEN,
	[A_PLAYBOOK] = LUA_PRELUDE LUA_PLAYBOOK,
	[A_RECORD] = LUA_PRELUDE LUA_RECORD,
};

static struct hd_redis_script scripts[A__COUNT];
static bool scripts_ready;

#define MERGE_KEEP "50"        /* evidence records a survivor keeps */
#define NOTE_MAX 4096          /* bytes of one note */
#define BASE_KEYS 13
#define MAX_KEYS 16

static const char *const states[] = { TRIAGE_STATES };
static const char *const states_vi[] = {
	"mới", "đã phân loại", "đang xử lý", "đã ngăn chặn", "đã khắc phục",
	"cảnh báo nhầm", "trùng lặp (đã gộp)", "đã báo cáo lên cấp trên",
};

const char *actions_state_name(const char *state, bool vi)
{
	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		if (!strcmp(state, states[i]))
			return vi ? states_vi[i] : states[i];
	return NULL;
}

bool actions_state_open(const char *state)
{
	return strcmp(state, "resolved") && strcmp(state, "false_positive") &&
	       strcmp(state, "duplicate");
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- calling a script ---- */

struct call {
	char keys[MAX_KEYS][QUEUE_KEY_MAX];
	const char *argv[MAX_KEYS + 8];
	size_t lens[MAX_KEYS + 8];
	int nkeys, argc;
	char now[24], expect[24];
};

static int ticket_keys(struct call *c, int base, const char *slug, const char *id)
{
	return queue_key(c->keys[base], QUEUE_KEY_MAX, slug, "case", id) ||
	       queue_key(c->keys[base + 1], QUEUE_KEY_MAX, slug, "det", id) ||
	       queue_key(c->keys[base + 2], QUEUE_KEY_MAX, slug, "hist", id) ? -1 : 0;
}

static int call_init(struct call *c, struct triage *t, const char *slug, const char *id,
		     int64_t expect)
{
	char what[48];

	memset(c, 0, sizeof(*c));
	if (ticket_keys(c, 0, slug, id) || queue_key(c->keys[3], QUEUE_KEY_MAX, slug, "notes", id) ||
	    queue_key(c->keys[4], QUEUE_KEY_MAX, slug, "stream", NULL))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		snprintf(what, sizeof(what), "idx:status:%s", states[i]);
		if (queue_key(c->keys[5 + i], QUEUE_KEY_MAX, slug, what, NULL))
			return -1;
	}
	c->nkeys = BASE_KEYS;
	snprintf(c->now, sizeof(c->now), "%" PRId64, wall_ms());
	snprintf(c->expect, sizeof(c->expect), "%" PRId64, expect < 0 ? (int64_t)-1 : expect);
	c->argv[0] = id;
	c->argv[1] = t->who ? t->who : "";
	c->argv[2] = c->now;
	c->argv[3] = c->expect;
	c->argc = 4;
	return 0;
}

static void arg(struct call *c, const char *s)
{
	c->argv[c->argc++] = s;
}

static void result_set(struct action_result *r, int rc, const char *reason)
{
	r->rc = rc;
	str_copy(r->reason, reason, sizeof(r->reason));
}

static void say(const struct triage *t, struct action_result *r, const char *en, const char *vi, ...)
{
	va_list ap;

	va_start(ap, vi);
	vsnprintf(r->msg, sizeof(r->msg), t->vi ? vi : en, ap);
	va_end(ap);
}

/* An element of the reply as text ("" if absent). */
static const char *el(const redisReply *rep, size_t i, char *buf, size_t size)
{
	const redisReply *e;

	buf[0] = '\0';
	if (i >= rep->elements)
		return buf;
	e = rep->element[i];
	if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS)
		str_copy(buf, e->str, size);
	else if (e->type == REDIS_REPLY_INTEGER)
		snprintf(buf, size, "%lld", e->integer);
	return buf;
}

static const char *when(const char *ms, char *buf, size_t size)
{
	time_t s = (time_t)(strtoll(ms, NULL, 10) / 1000);
	struct tm tm;

	if (s <= 0 || !localtime_r(&s, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S %Z", &tm))
		str_copy(buf, "?", size);
	return buf;
}

static const char *sname(const struct triage *t, const char *state, char *buf, size_t size)
{
	const char *n = actions_state_name(state, true);

	if (t->vi && n)
		snprintf(buf, size, "«%s» (%s)", n, state);
	else
		snprintf(buf, size, "%s", state);
	return buf;
}

/* The refusal's message, both languages. */
static void explain(const struct triage *t, struct action_result *r, const char *id,
		    const redisReply *rep)
{
	char why[24], a[160], b[160], by[160], at[24], tm[64], s1[96], s2[96];

	el(rep, 1, why, sizeof(why));
	el(rep, 3, a, sizeof(a));
	el(rep, 4, b, sizeof(b));
	el(rep, 5, by, sizeof(by));
	el(rep, 6, at, sizeof(at));
	result_set(r, 1, why);
	if (!strcmp(why, "nodet"))
		say(t, r, "no incident %s", "không có sự cố %s", id);
	else if (!strcmp(why, "stale"))
		say(t, r, "%s was changed by %s at %s since you read it (v%s → v%" PRIu64 "); reload",
		    "sự cố %s đã được %s thay đổi lúc %s sau khi bạn đọc (v%s → v%" PRIu64 "); hãy tải lại",
		    id, *by ? by : "?", when(at, tm, sizeof(tm)), a, r->version);
	else if (!strcmp(why, "held")) {
		str_copy(r->holder, a, sizeof(r->holder));
		say(t, r, "%s is already claimed by %s", "sự cố %s đã được %s nhận xử lý", id, a);
	} else if (!strcmp(why, "closed"))
		say(t, r, "%s is %s: reopen it first", "sự cố %s đang ở trạng thái %s: hãy mở lại trước",
		    id, sname(t, a, s1, sizeof(s1)));
	else if (!strcmp(why, "illegal"))
		say(t, r, "%s cannot go from %s to %s (docs/triage.md, state machine)",
		    "sự cố %s không thể chuyển từ %s sang %s (xem docs/triage.md, sơ đồ trạng thái)",
		    id, sname(t, a, s1, sizeof(s1)), sname(t, b, s2, sizeof(s2)));
	else if (!strcmp(why, "same"))
		say(t, r, "%s is already %s", "sự cố %s đã ở trạng thái %s", id, sname(t, b, s2, sizeof(s2)));
	else if (!strcmp(why, "usemerge"))
		say(t, r, "an incident becomes a duplicate only by 'merge ID INTO-ID'",
		    "chỉ lệnh 'merge ID INTO-ID' mới đánh dấu một sự cố là trùng lặp");
	else if (!strcmp(why, "badstate"))
		say(t, r, "'%s' is not a state", "'%s' không phải một trạng thái", b);
	else if (!strcmp(why, "mergedfinal"))
		say(t, r, "%s was merged into %s; a merge cannot be undone",
		    "sự cố %s đã được gộp vào %s; không thể hủy việc gộp", id, a);
	else if (!strcmp(why, "self"))
		say(t, r, "cannot merge %s into itself", "không thể gộp sự cố %s vào chính nó", id);
	else if (!strcmp(why, "merged"))
		say(t, r, "%s is already merged into %s; it cannot be merged twice",
		    "sự cố %s đã được gộp vào %s; không thể gộp hai lần", id, a);
	else if (!strcmp(why, "nointo"))
		say(t, r, "no incident %s to merge into", "không có sự cố %s để gộp vào", a);
	else if (!strcmp(why, "pbdup"))
		say(t, r, "%s was merged into %s: follow the playbook there",
		    "sự cố %s đã được gộp vào %s: hãy theo quy trình ở sự cố đó", id, a);
	else if (!strcmp(why, "intodup"))
		say(t, r, "%s is itself a duplicate of %s: merge into %s instead",
		    "sự cố %s cũng là bản trùng của %s: hãy gộp vào %s", a, b, b);
	else
		say(t, r, "refused (%s)", "bị từ chối (%s)", why);
}

static int run(struct triage *t, enum action a, struct call *c, const char *id,
	       struct action_result *r)
{
	redisReply *rep;
	char code[8];

	if (!scripts_ready) {
		for (int i = 0; i < A__COUNT; i++)
			if (hd_redis_script_init(&scripts[i], action_src[i])) {
				result_set(r, 2, "queue");
				say(t, r, "out of memory", "hết bộ nhớ");
				return r->rc;
			}
		scripts_ready = true;
	}
	if (!triage_conn(t)) {
		result_set(r, 2, "queue");
		say(t, r, "cannot reach the queue", "không kết nối được hàng đợi");
		return r->rc;
	}
	for (int i = 0; i < c->nkeys; i++)
		c->lens[i] = strlen(c->keys[i]);
	for (int i = 0; i < c->argc; i++)
		c->lens[c->nkeys + i] = strlen(c->argv[i]);
	{
		const char *av[MAX_KEYS + 8];

		for (int i = 0; i < c->nkeys; i++)
			av[i] = c->keys[i];
		for (int i = 0; i < c->argc; i++)
			av[c->nkeys + i] = c->argv[i];
		rep = hd_redis_script_call(t->conn, &scripts[a], c->nkeys, c->nkeys + c->argc, av, c->lens);
	}
	if (!rep) {
		result_set(r, 2, "queue");
		say(t, r, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
		return r->rc;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		result_set(r, 2, "queue");
		say(t, r, "queue refused: %s", "hàng đợi từ chối: %s", rep->str);
	} else if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 3 ||
		   rep->element[2]->type != REDIS_REPLY_INTEGER) {
		result_set(r, 2, "queue");
		say(t, r, "unexpected answer from the queue", "hàng đợi trả lời không như mong đợi");
	} else {
		r->version = (uint64_t)rep->element[2]->integer;
		if (rep->elements > 3 && rep->element[3]->type == REDIS_REPLY_INTEGER)
			r->into_version = (uint64_t)rep->element[3]->integer;
		if (!strcmp(el(rep, 0, code, sizeof(code)), "0")) {
			char why[16];

			result_set(r, 0, el(rep, 1, why, sizeof(why)));
			r->msg[0] = '\0';
		} else {
			explain(t, r, id, rep);
		}
	}
	hd_redis_reply_free(rep);
	return r->rc;
}

static int prepare(struct triage *t, struct call *c, const char *slug, const char *id,
		   int64_t expect, struct action_result *r)
{
	memset(r, 0, sizeof(*r));
	if (call_init(c, t, slug, id, expect)) {
		result_set(r, 1, "nodet");
		say(t, r, "no incident %s", "không có sự cố %s", id);
		return -1;
	}
	return 0;
}

int actions_claim(struct triage *t, const char *slug, const char *id, int64_t expect,
		  struct action_result *r)
{
	struct call c;

	if (prepare(t, &c, slug, id, expect, r))
		return r->rc;
	return run(t, A_CLAIM, &c, id, r);
}

int actions_assign(struct triage *t, const char *slug, const char *id, const char *user,
		   int64_t expect, struct action_result *r)
{
	struct call c;

	if (prepare(t, &c, slug, id, expect, r))
		return r->rc;
	arg(&c, user ? user : "");
	return run(t, A_ASSIGN, &c, id, r);
}

int actions_status(struct triage *t, const char *slug, const char *id, const char *state,
		   const char *note, int64_t expect, struct action_result *r)
{
	struct call c;

	if (prepare(t, &c, slug, id, expect, r))
		return r->rc;
	if (!actions_state_name(state, false)) {
		result_set(r, 1, "badstate");
		say(t, r, "'%s' is not a state (%s)", "'%s' không phải một trạng thái (%s)", state,
		    "new, triaged, in_progress, contained, resolved, false_positive, escalated");
		return r->rc;
	}
	if (note && strlen(note) > NOTE_MAX) {
		result_set(r, 1, "toolong");
		say(t, r, "a note is at most %d bytes", "ghi chú dài tối đa %d byte", NOTE_MAX);
		return r->rc;
	}
	arg(&c, state);
	arg(&c, note ? note : "");
	return run(t, A_STATUS, &c, id, r);
}

int actions_note(struct triage *t, const char *slug, const char *id, const char *text,
		 struct action_result *r)
{
	struct call c;

	if (prepare(t, &c, slug, id, -1, r))
		return r->rc;
	if (!text || !*text || strlen(text) > NOTE_MAX) {
		result_set(r, 1, "toolong");
		say(t, r, "a note is 1 to %d bytes", "ghi chú dài từ 1 đến %d byte", NOTE_MAX);
		return r->rc;
	}
	arg(&c, text);
	return run(t, A_NOTE, &c, id, r);
}

int actions_merge(struct triage *t, const char *slug, const char *id, const char *into_id,
		  int64_t expect, struct action_result *r)
{
	struct call c;

	if (prepare(t, &c, slug, id, expect, r))
		return r->rc;
	if (ticket_keys(&c, BASE_KEYS, slug, into_id)) {
		result_set(r, 1, "nointo");
		say(t, r, "no incident %s to merge into", "không có sự cố %s để gộp vào", into_id);
		return r->rc;
	}
	c.nkeys = MAX_KEYS;
	arg(&c, into_id);
	arg(&c, MERGE_KEEP);
	return run(t, A_MERGE, &c, id, r);
}

int actions_record(struct triage *t, const char *slug, const char *id, const char *help_domestic,
		   const char *help_foreign, const char *damage, int64_t expect,
		   struct action_result *r)
{
	struct call c;

	if (prepare(t, &c, slug, id, expect, r))
		return r->rc;
	arg(&c, help_domestic ? help_domestic : "\1");
	arg(&c, help_foreign ? help_foreign : "\1");
	arg(&c, damage ? damage : "\1");
	return run(t, A_RECORD, &c, id, r);
}

int actions_escalate(struct triage *t, const char *slug, const char *id, int64_t expect,
		     struct action_result *r)
{
	struct call c;

	if (prepare(t, &c, slug, id, expect, r))
		return r->rc;
	return run(t, A_ESCALATE, &c, id, r);
}

int actions_reopen(struct triage *t, const char *slug, const char *id, int64_t expect,
		   struct action_result *r)
{
	struct call c;

	if (prepare(t, &c, slug, id, expect, r))
		return r->rc;
	return run(t, A_REOPEN, &c, id, r);
}

int actions_playbook_step(struct triage *t, const char *slug, const char *id,
			  const struct playbook *p, size_t step, bool done, int64_t expect,
			  struct action_result *r)
{
	struct call c;
	char no[24], name[2 * PLAYBOOK_TEXT_MAX + 4];
	const struct playbook_step *st;

	if (prepare(t, &c, slug, id, expect, r))
		return r->rc;
	if (!p || step >= p->nsteps) {
		result_set(r, 1, "nostep");
		say(t, r, "no such step in the playbook of %s", "quy trình của sự cố %s không có bước này", id);
		return r->rc;
	}
	st = &p->steps[step];
	snprintf(no, sizeof(no), "%zu", step + 1);
	snprintf(name, sizeof(name), "%s / %s", st->name_vi, st->name_en);
	arg(&c, st->id);
	arg(&c, done ? "1" : "0");
	arg(&c, no);
	arg(&c, name);
	arg(&c, p->id);
	return run(t, A_PLAYBOOK, &c, id, r);
}

/* ---- history ---- */

/* "...,"hash":"<40 hex>"}": the body before it and the hash; false if the
 * entry does not end so. */
static bool split_entry(const char *raw, size_t len, size_t *body_len, char hash[41])
{
	static const char tag[] = ",\"hash\":\"";
	size_t tl = sizeof(tag) - 1, n = tl + 40 + 2;

	if (len < n || memcmp(raw + len - n, tag, tl) || memcmp(raw + len - 2, "\"}", 2))
		return false;
	memcpy(hash, raw + len - 42, 40);
	hash[40] = '\0';
	if (strspn(hash, "0123456789abcdef") != 40)
		return false;
	*body_len = len - n;
	return true;
}

/* Checks one entry against the previous hash; fills e. Returns whether
 * its link and hash verify; *hash gets its stored hash ("" if none). */
static bool check_entry(const char *raw, size_t len, const char *prev, char hash[41],
			struct history_entry *e)
{
	cJSON *j = cJSON_ParseWithLength(raw, len);
	const cJSON *ts, *who, *act, *pv;
	size_t body_len = 0, plen = strlen(prev);
	char calc[41];
	char *buf;
	bool ok = false;

	hash[0] = '\0';
	e->raw = strndup(raw, len);
	if (!j) {
		e->before = strdup("{}");
		e->after = strdup("{}");
		return false;
	}
	ts = cJSON_GetObjectItemCaseSensitive(j, "ts");
	who = cJSON_GetObjectItemCaseSensitive(j, "who");
	act = cJSON_GetObjectItemCaseSensitive(j, "action");
	pv = cJSON_GetObjectItemCaseSensitive(j, "prev");
	e->ts_ms = cJSON_IsNumber(ts) ? (int64_t)ts->valuedouble : 0;
	str_copy(e->who, cJSON_IsString(who) ? who->valuestring : "?", sizeof(e->who));
	str_copy(e->action, cJSON_IsString(act) ? act->valuestring : "?", sizeof(e->action));
	e->before = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j, "before"));
	e->after = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j, "after"));
	if (split_entry(raw, len, &body_len, hash) && cJSON_IsString(pv) &&
	    !strcmp(pv->valuestring, prev) && (buf = malloc(plen + 1 + body_len + 1))) {
		memcpy(buf, prev, plen);
		buf[plen] = '\n';
		memcpy(buf + plen + 1, raw, body_len);
		buf[plen + 1 + body_len] = '}';
		ok = !hd_redis_sha1hex(buf, plen + body_len + 2, calc) && !strcmp(calc, hash);
		free(buf);
	}
	cJSON_Delete(j);
	return ok;
}

int actions_history(struct triage *t, const char *slug, const char *id,
		    struct history_entry **out)
{
	char key[QUEUE_KEY_MAX], prev[41] = "", hash[41];
	const char *argv[4] = { "LRANGE", key, "0", "-1" };
	struct history_entry *v;
	redisReply *rep;
	bool chain_ok = true;
	int n;

	*out = NULL;
	if (queue_key(key, sizeof(key), slug, "hist", id) || !triage_conn(t))
		return -1;
	rep = hd_redis_command(t->conn, 4, argv, NULL);
	if (!rep || rep->type != REDIS_REPLY_ARRAY) {
		hd_redis_reply_free(rep);
		return -1;
	}
	n = (int)rep->elements;
	v = calloc(n ? (size_t)n : 1, sizeof(*v));
	if (!v) {
		hd_redis_reply_free(rep);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const redisReply *e = rep->element[i];
		bool ok;

		hash[0] = '\0';
		ok = e->type == REDIS_REPLY_STRING &&
			  check_entry(e->str, e->len, prev, hash, &v[i]);

		chain_ok = chain_ok && ok;
		v[i].ok = chain_ok;
		str_copy(prev, hash, sizeof(prev));
	}
	hd_redis_reply_free(rep);
	*out = v;
	return n;
}

void actions_history_free(struct history_entry *v, int n)
{
	for (int i = 0; v && i < n; i++) {
		free(v[i].before);
		free(v[i].after);
		free(v[i].raw);
	}
	free(v);
}

/* ---- deadlines ---- */

/* The 5-day report runs while the unit works the incident itself. */
static bool deadline_runs(const char *status)
{
	return !strcmp(status, "new") || !strcmp(status, "triaged") ||
	       !strcmp(status, "in_progress") || !strcmp(status, "contained");
}

int64_t actions_deadline_left(const struct ticket *k, int64_t now_ms)
{
	int64_t found = k->created_ms > 0 ? k->created_ms : k->first_ms, due;

	if (!deadline_runs(k->status) || found <= 0)
		return ACTIONS_NO_DEADLINE;
	due = found + (int64_t)ACTIONS_REPORT_DAYS * 86400 * 1000;
	return due >= now_ms ? (due - now_ms) / 1000 : -((now_ms - due + 999) / 1000);
}

bool actions_report_now(const struct ticket *k)
{
	return k->sev_rank >= 4 && deadline_runs(k->status);
}
