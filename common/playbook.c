/*
 * playbook.c - loads response playbooks (a strict subset of CACAO 2.0
 * JSON) into the checklist model of playbook.h, checking every part of
 * the subset on the way.
 *
 * One pass checks the document top-down (types, required and refused
 * properties, identifiers, timestamps, bilingual text, labels, variables,
 * agents, each workflow step and its references); a second pass walks the
 * workflow from workflow_start in the fixed order the checklist uses and
 * finds cycles, steps shared between branches and unreachable steps.
 * Every problem goes to the caller's report callback with the file and a
 * JSON path; the module never prints and never trusts the input: sizes,
 * counts and string lengths are bounded, duplicate JSON keys are refused,
 * and text must be valid UTF-8. It knows nothing of the console.
 */
#include "playbook.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "category.h"
#include "util.h"
#include "banned.h"

#define PATH_MAX_LEN 512
#define OBJECT_MEMBERS_MAX 300   /* members of any one JSON object */

enum { ST_NEW, ST_OPEN, ST_DONE };

struct ctx {
	const char *file;
	playbook_report_fn report;
	void *arg;
	unsigned problems;
	bool oom;
	struct playbook *pb;
	const cJSON *agents;             /* agent_definitions, or NULL */
	const cJSON *vars;               /* playbook_variables, or NULL */
	size_t nsteps;
	const cJSON *steps[PLAYBOOK_STEPS_MAX];
	struct playbook_step info[PLAYBOOK_STEPS_MAX]; /* parsed; moved to pb when walked */
	unsigned char state[PLAYBOOK_STEPS_MAX];
	size_t order[PLAYBOOK_STEPS_MAX];  /* every step in walk order (start, end too) */
	size_t norder;
};

/* ---- reporting and JSON paths ---- */

static void problem(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct ctx *c, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->problems++;
	if (c->report)
		c->report(c->arg, c->file, path, msg);
}

/* Copies s for a message: printable ASCII kept, every other byte (and
 * quotes, backslashes) as '?', cut at 80 bytes, so that hostile text
 * cannot forge lines or terminal sequences in the report. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; s && s[i] && o + 4 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i >= 80) {
			buf[o++] = '.';
			buf[o++] = '.';
			buf[o++] = '.';
			break;
		}
		buf[o++] = (ch < 0x20 || ch >= 0x7f || ch == '\'' || ch == '\\') ? '?' : (char)ch;
	}
	buf[o] = '\0';
	return buf;
}

static bool plain_key(const char *k)
{
	if (!k || !(isalpha((unsigned char)k[0]) || k[0] == '_'))
		return false;
	for (const char *p = k; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return false;
	return true;
}

static void path_key(char *out, size_t size, const char *base, const char *key)
{
	char k[128];

	int n;

	if (plain_key(key) && strlen(key) < 64)
		n = snprintf(out, size, "%s.%s", base, key);
	else
		n = snprintf(out, size, "%s['%s']", base, shown(key, k, sizeof(k)));
	if (n >= (int)size)
		str_copy(out, "$...", size); /* cannot happen with the limits above */
}

static void path_index(char *out, size_t size, const char *base, size_t i)
{
	if (snprintf(out, size, "%s[%zu]", base, i) >= (int)size)
		str_copy(out, "$...", size); /* cannot happen with the limits above */
}

/* ---- small checks ---- */

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned n;
		uint32_t cp;

		if (*p < 0x80) {
			p++;
			continue;
		} else if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return false;
		}
		p++;
		for (unsigned i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (*p & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

static bool is_hex(char ch)
{
	return isxdigit((unsigned char)ch) != 0;
}

/* "TYPE--UUID" as CACAO's identifier data type; versions is the set of
 * UUID versions accepted ("4", "45", "12345"). *type_len gets the length
 * of the TYPE part. */
static bool id_valid(const char *s, const char *versions, size_t *type_len)
{
	const char *sep = s ? strstr(s, "--") : NULL;
	const char *u;
	size_t tl;

	if (!sep)
		return false;
	tl = (size_t)(sep - s);
	if (tl < 3 || !islower((unsigned char)s[0]) || s[tl - 1] == '-')
		return false;
	for (size_t i = 0; i < tl; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	u = sep + 2;
	if (strlen(u) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return false;
		} else if (!is_hex(u[i])) {
			return false;
		}
	}
	if (!strchr(versions, u[14]) || !strchr("89abAB", u[19]))
		return false;
	if (type_len)
		*type_len = tl;
	return true;
}

/* The UUID part of an identifier (after "--"). */
static const char *id_uuid(const char *id)
{
	const char *sep = strstr(id, "--");

	return sep ? sep + 2 : id;
}

static bool has_prefix(const char *id, const char *type)
{
	size_t n = strlen(type);

	return !strncmp(id, type, n) && id[n] == '-' && id[n + 1] == '-';
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "2026-11-27T08:00:00.000Z": UTC, exactly milliseconds, as CACAO asks
 * of created and modified. */
static bool timestamp_valid(const char *s)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se;

	if (strlen(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[23] != 'Z' || digits(s + 20, 3) < 0)
		return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || se < 0 || se > 60)
		return false;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

static char *dup(struct ctx *c, const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p) {
		c->oom = true;
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *dupz(struct ctx *c, const char *s)
{
	return s ? dup(c, s, strlen(s)) : NULL;
}

/* ---- typed member access ---- */

/* Refuses duplicate keys (cJSON keeps both) and oversized objects, in the
 * whole tree; returns false when it found any. */
static bool check_tree(struct ctx *c, const cJSON *node, const char *path, unsigned depth)
{
	char sub[PATH_MAX_LEN];
	bool ok = true;
	size_t i = 0;

	if (depth > 32) {
		problem(c, path, "nested too deeply");
		return false;
	}
	if (cJSON_IsObject(node) && cJSON_GetArraySize(node) > OBJECT_MEMBERS_MAX) {
		problem(c, path, "more than %d members", OBJECT_MEMBERS_MAX);
		return false;
	}
	for (const cJSON *m = node->child; m; m = m->next, i++) {
		if (cJSON_IsObject(node)) {
			path_key(sub, sizeof(sub), path, m->string);
			for (const cJSON *o = node->child; o != m; o = o->next)
				if (!strcmp(o->string, m->string)) {
					problem(c, sub, "duplicate key");
					ok = false;
					break;
				}
		} else {
			path_index(sub, sizeof(sub), path, i);
		}
		if ((cJSON_IsObject(m) || cJSON_IsArray(m)) && !check_tree(c, m, sub, depth + 1))
			ok = false;
	}
	return ok;
}

static void only_keys(struct ctx *c, const cJSON *obj, const char *path,
		      const char *const *allowed)
{
	char sub[PATH_MAX_LEN];

	for (const cJSON *m = obj->child; m; m = m->next) {
		size_t i;

		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], m->string))
				break;
		if (!allowed[i]) {
			path_key(sub, sizeof(sub), path, m->string);
			problem(c, sub, "not in the supported subset of CACAO 2.0 (see docs/playbooks.md)");
		}
	}
}

/* Member key of obj, its JSON path written to sub; NULL when absent, which
 * is reported when it is required. */
static const cJSON *get_member(struct ctx *c, const cJSON *obj, const char *path,
			       const char *key, bool required, char sub[PATH_MAX_LEN])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	path_key(sub, PATH_MAX_LEN, path, key);
	if (!v && required)
		problem(c, sub, "missing (required)");
	return v;
}

/* A string member: NULL (reported) when required and missing, or when
 * it is not a non-empty valid UTF-8 string of bounded length. */
static const char *get_str(struct ctx *c, const cJSON *obj, const char *path,
			   const char *key, bool required)
{
	char sub[PATH_MAX_LEN];
	const cJSON *v = get_member(c, obj, path, key, required, sub);

	if (!v)
		return NULL;
	if (!cJSON_IsString(v) || !v->valuestring) {
		problem(c, sub, "must be a string");
		return NULL;
	}
	if (!v->valuestring[0]) {
		problem(c, sub, "must not be empty");
		return NULL;
	}
	if (strlen(v->valuestring) > PLAYBOOK_TEXT_MAX) {
		problem(c, sub, "longer than %d bytes", PLAYBOOK_TEXT_MAX);
		return NULL;
	}
	if (!utf8_valid(v->valuestring)) {
		problem(c, sub, "not valid UTF-8");
		return NULL;
	}
	return v->valuestring;
}

static const cJSON *get_typed(struct ctx *c, const cJSON *obj, const char *path,
			      const char *key, bool required, int type)
{
	char sub[PATH_MAX_LEN];
	const cJSON *v = get_member(c, obj, path, key, required, sub);

	if (!v)
		return NULL;
	if (type == (cJSON_True | cJSON_False) ? !cJSON_IsBool(v) : (v->type & 0xff) != type) {
		problem(c, sub, "must be %s", type == cJSON_Object ? "an object"
			: type == cJSON_Array ? "an array" : "a boolean");
		return NULL;
	}
	return v;
}

static void check_const(struct ctx *c, const cJSON *obj, const char *path, const char *key,
			const char *want)
{
	const char *s = get_str(c, obj, path, key, true);
	char sub[PATH_MAX_LEN], b[128];

	if (s && strcmp(s, want)) {
		path_key(sub, sizeof(sub), path, key);
		problem(c, sub, "must be '%s', not '%s'", want, shown(s, b, sizeof(b)));
	}
}

/* ---- bilingual text ---- */

static const char *const phase_tags[] = {
	[PLAYBOOK_PHASE_NONE] = "",
	[PLAYBOOK_PHASE_IDENTIFY] = "identify",
	[PLAYBOOK_PHASE_CONTAIN] = "contain",
	[PLAYBOOK_PHASE_ERADICATE] = "eradicate",
	[PLAYBOOK_PHASE_RECOVER] = "recover",
	[PLAYBOOK_PHASE_REPORT] = "report",
};

/* Splits text at the one separator sep into two non-empty halves without
 * blanks at their edges. */
static bool split_two(struct ctx *c, const char *text, const char *sep, const char *path,
		      const char *what, char **vi, char **en)
{
	const char *at = strstr(text, sep);
	size_t sl = strlen(sep), vl;
	const char *e;

	*vi = *en = NULL;
	if (!at || strstr(at + sl, sep)) {
		problem(c, path, "%s must be Vietnamese and English separated by exactly one %s",
			what, sl == 2 ? "blank line" : "' / '");
		return false;
	}
	vl = (size_t)(at - text);
	e = at + sl;
	if (!vl || !*e || isspace((unsigned char)text[0]) || isspace((unsigned char)text[vl - 1]) ||
	    isspace((unsigned char)e[0]) || isspace((unsigned char)e[strlen(e) - 1])) {
		problem(c, path, "%s: the Vietnamese or the English part is empty or has blanks at its ends",
			what);
		return false;
	}
	*vi = dup(c, text, vl);
	*en = dupz(c, e);
	return *vi && *en;
}

/* A name "[phase] Vietnamese / English" (want_phase) or "Vietnamese /
 * English". */
static bool split_name(struct ctx *c, const char *text, const char *path, bool want_phase,
		       enum playbook_phase *ph, char **vi, char **en)
{
	if (want_phase) {
		size_t i;

		*ph = PLAYBOOK_PHASE_NONE;
		for (i = PLAYBOOK_PHASE_IDENTIFY; i < ARRAY_SIZE(phase_tags); i++) {
			size_t n = strlen(phase_tags[i]);

			if (text[0] == '[' && !strncmp(text + 1, phase_tags[i], n) &&
			    text[n + 1] == ']' && text[n + 2] == ' ') {
				*ph = (enum playbook_phase)i;
				text += n + 3;
				break;
			}
		}
		if (*ph == PLAYBOOK_PHASE_NONE) {
			problem(c, path, "an action's name must start with its phase: [identify], "
				"[contain], [eradicate], [recover] or [report] and a space");
			*vi = *en = NULL;
			return false;
		}
	}
	return split_two(c, text, " / ", path, "the name", vi, en);
}

/* Every "__name__:value" in text must name a declared variable. */
static void check_var_refs(struct ctx *c, const char *text, const char *path)
{
	for (const char *p = strstr(text, ":value"); p; p = strstr(p + 1, ":value")) {
		const char *b = p;
		char name[256], nb[128];
		size_t n;

		while (b > text && (isalnum((unsigned char)b[-1]) || b[-1] == '_' || b[-1] == '-'))
			b--;
		n = (size_t)(p - b);
		if (n < 5 || strncmp(b, "__", 2) || strncmp(p - 2, "__", 2) || n >= sizeof(name))
			continue;
		memcpy(name, b, n);
		name[n] = '\0';
		if (!c->vars || !cJSON_GetObjectItemCaseSensitive(c->vars, name))
			problem(c, path, "variable '%s' is not declared in playbook_variables",
				shown(name, nb, sizeof(nb)));
	}
}

static bool desc_field(struct ctx *c, const cJSON *obj, const char *path, bool required,
		       char **vi, char **en)
{
	const char *s = get_str(c, obj, path, "description", required);
	char sub[PATH_MAX_LEN];

	*vi = *en = NULL;
	if (!s)
		return !required && !cJSON_GetObjectItemCaseSensitive(obj, "description");
	path_key(sub, sizeof(sub), path, "description");
	check_var_refs(c, s, sub);
	return split_two(c, s, "\n\n", sub, "the description", vi, en);
}

/* ---- the parts of a playbook ---- */

static void check_labels(struct ctx *c, const cJSON *root)
{
	const cJSON *labels = get_typed(c, root, "$", "labels", true, cJSON_Array);
	char path[PATH_MAX_LEN], b[128];
	unsigned before = c->problems;
	size_t i = 0;

	if (!labels)
		return;
	if (cJSON_GetArraySize(labels) > PLAYBOOK_LABELS_MAX) {
		problem(c, "$.labels", "more than %d labels", PLAYBOOK_LABELS_MAX);
		return;
	}
	c->pb->categories = calloc(PLAYBOOK_LABELS_MAX, sizeof(char *));
	if (!c->pb->categories) {
		c->oom = true;
		return;
	}
	for (const cJSON *l = labels->child; l; l = l->next, i++) {
		const char *s = l->valuestring, *cat;

		path_index(path, sizeof(path), "$.labels", i);
		if (!cJSON_IsString(l) || !s || !s[0]) {
			problem(c, path, "must be a non-empty string");
			continue;
		}
		if (strncmp(s, "haidang-category:", 17))
			continue;
		cat = s + 17;
		if (!category_find(cat)) {
			problem(c, path, "'%s' is not a haidang category (see common/category.c)",
				shown(cat, b, sizeof(b)));
			continue;
		}
		for (size_t j = 0; j < c->pb->ncategories; j++)
			if (!strcmp(c->pb->categories[j], cat)) {
				problem(c, path, "category '%s' is listed twice", cat);
				cat = NULL;
				break;
			}
		if (cat)
			c->pb->categories[c->pb->ncategories++] = dupz(c, cat);
	}
	if (!i)
		problem(c, "$.labels", "must not be empty");
	else if (!c->pb->ncategories && c->problems == before)
		problem(c, "$.labels", "no 'haidang-category:CATEGORY' label: the playbook serves no category");
}

static void check_types(struct ctx *c, const cJSON *root)
{
	static const char *const vocab[] = { "attack", "detection", "engagement", "investigation",
		"mitigation", "notification", "prevention", "remediation", NULL };
	const cJSON *t = get_typed(c, root, "$", "playbook_types", true, cJSON_Array);
	char path[PATH_MAX_LEN], b[128];
	size_t i = 0;

	if (!t)
		return;
	for (const cJSON *v = t->child; v; v = v->next, i++) {
		size_t k;

		path_index(path, sizeof(path), "$.playbook_types", i);
		if (!cJSON_IsString(v) || !v->valuestring) {
			problem(c, path, "must be a string");
			continue;
		}
		for (k = 0; vocab[k] && strcmp(vocab[k], v->valuestring); k++)
			;
		if (!vocab[k])
			problem(c, path, "'%s' is not in CACAO's playbook-type vocabulary",
				shown(v->valuestring, b, sizeof(b)));
	}
	if (!i)
		problem(c, "$.playbook_types", "must not be empty");
}

static void check_vars(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "type", "description", "value", "constant",
		"external", NULL };
	const cJSON *vars = get_typed(c, root, "$", "playbook_variables", false, cJSON_Object);
	char path[PATH_MAX_LEN], sub[PATH_MAX_LEN];
	size_t n = 0;

	if (!vars)
		return;
	c->vars = vars;
	if (cJSON_GetArraySize(vars) > PLAYBOOK_VARS_MAX) {
		problem(c, "$.playbook_variables", "more than %d variables", PLAYBOOK_VARS_MAX);
		return;
	}
	c->pb->vars = calloc(PLAYBOOK_VARS_MAX, sizeof(*c->pb->vars));
	if (!c->pb->vars) {
		c->oom = true;
		return;
	}
	for (const cJSON *v = vars->child; v; v = v->next) {
		const char *k = v->string, *type, *desc;
		size_t len = strlen(k);
		bool ok = len >= 5 && len <= 250 && !strncmp(k, "__", 2) &&
			  !strcmp(k + len - 2, "__") && isalpha((unsigned char)k[2]);
		const cJSON *val;

		for (size_t i = 2; ok && i < len - 2; i++)
			ok = isalnum((unsigned char)k[i]) || k[i] == '_' || k[i] == '-';
		path_key(path, sizeof(path), "$.playbook_variables", k);
		if (!ok) {
			problem(c, path, "a variable name is __name__: a letter, then letters, digits, '_' or '-'");
			continue;
		}
		if (!cJSON_IsObject(v)) {
			problem(c, path, "must be an object");
			continue;
		}
		only_keys(c, v, path, keys);
		type = get_str(c, v, path, "type", true);
		desc = get_str(c, v, path, "description", false);
		val = cJSON_GetObjectItemCaseSensitive(v, "value");
		if (val && !cJSON_IsString(val) && !cJSON_IsNull(val)) {
			path_key(sub, sizeof(sub), path, "value");
			problem(c, sub, "must be a string or null");
		}
		get_typed(c, v, path, "constant", false, cJSON_True | cJSON_False);
		get_typed(c, v, path, "external", false, cJSON_True | cJSON_False);
		if (type) {
			struct playbook_var *pv = &c->pb->vars[n++];

			pv->name = dupz(c, k);
			pv->type = dupz(c, type);
			pv->description = dupz(c, desc);
		}
	}
	c->pb->nvars = n;
}

static void check_agents(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "type", "name", NULL };
	static const char *const types[] = { "organization", "group", "individual", NULL };
	const cJSON *a = get_typed(c, root, "$", "agent_definitions", true, cJSON_Object);
	char path[PATH_MAX_LEN], sub[PATH_MAX_LEN], b[128];

	if (!a)
		return;
	c->agents = a;
	if (cJSON_GetArraySize(a) > PLAYBOOK_AGENTS_MAX) {
		problem(c, "$.agent_definitions", "more than %d agents", PLAYBOOK_AGENTS_MAX);
		return;
	}
	if (!a->child)
		problem(c, "$.agent_definitions", "must not be empty");
	for (const cJSON *m = a->child; m; m = m->next) {
		const char *type;
		size_t tl = 0, i;

		path_key(path, sizeof(path), "$.agent_definitions", m->string);
		if (!id_valid(m->string, "12345", &tl)) {
			problem(c, path, "not a CACAO identifier (TYPE--UUID)");
			continue;
		}
		for (i = 0; types[i] && !has_prefix(m->string, types[i]); i++)
			;
		if (!types[i]) {
			problem(c, path, "agent type '%.*s' is outside the supported subset "
				"(organization, group, individual)", (int)(tl < 40 ? tl : 40), m->string);
			continue;
		}
		if (!cJSON_IsObject(m)) {
			problem(c, path, "must be an object");
			continue;
		}
		only_keys(c, m, path, keys);
		type = get_str(c, m, path, "type", true);
		get_str(c, m, path, "name", true);
		if (type && strcmp(type, types[i])) {
			path_key(sub, sizeof(sub), path, "type");
			problem(c, sub, "'%s' does not match the id's type '%s'",
				shown(type, b, sizeof(b)), types[i]);
		}
	}
}

/* ---- workflow steps ---- */

static int step_index(const struct ctx *c, const char *id)
{
	for (size_t i = 0; i < c->nsteps; i++)
		if (!strcmp(c->steps[i]->string, id))
			return (int)i;
	return -1;
}

static const char *step_type_of(const char *id)
{
	static const char *const known[] = { "start", "end", "action", "if-condition", NULL };

	for (size_t i = 0; known[i]; i++)
		if (has_prefix(id, known[i]))
			return known[i];
	return NULL;
}

/* A reference to another step: a string naming a step of the workflow. */
static void check_ref(struct ctx *c, const cJSON *step, const char *path, const char *key,
		      bool required)
{
	const char *s = get_str(c, step, path, key, required);
	char sub[PATH_MAX_LEN], b[128];

	if (s && step_index(c, s) < 0) {
		path_key(sub, sizeof(sub), path, key);
		problem(c, sub, "no such step '%s'", shown(s, b, sizeof(b)));
	}
}

static void check_commands(struct ctx *c, const cJSON *step, const char *path,
			   struct playbook_step *ps)
{
	static const char *const keys[] = { "type", "command", "description", "playbook_activity",
		NULL };
	const cJSON *cmds = get_typed(c, step, path, "commands", true, cJSON_Array);
	char cpath[PATH_MAX_LEN], item[PATH_MAX_LEN], sub[PATH_MAX_LEN], b[128];
	size_t i = 0;

	if (!cmds)
		return;
	path_key(cpath, sizeof(cpath), path, "commands");
	if (cJSON_GetArraySize(cmds) > PLAYBOOK_COMMANDS_MAX) {
		problem(c, cpath, "more than %d commands", PLAYBOOK_COMMANDS_MAX);
		return;
	}
	ps->commands = calloc(PLAYBOOK_COMMANDS_MAX, sizeof(char *));
	if (!ps->commands) {
		c->oom = true;
		return;
	}
	for (const cJSON *cmd = cmds->child; cmd; cmd = cmd->next, i++) {
		const char *type, *text;

		path_index(item, sizeof(item), cpath, i);
		if (!cJSON_IsObject(cmd)) {
			problem(c, item, "must be an object");
			continue;
		}
		type = get_str(c, cmd, item, "type", true);
		if (type && strcmp(type, "manual")) {
			path_key(sub, sizeof(sub), item, "type");
			problem(c, sub, "command type '%s' is outside the supported subset (only 'manual')",
				shown(type, b, sizeof(b)));
			continue;
		}
		only_keys(c, cmd, item, keys);
		get_str(c, cmd, item, "description", false);
		get_str(c, cmd, item, "playbook_activity", false);
		text = get_str(c, cmd, item, "command", true);
		if (text) {
			path_key(sub, sizeof(sub), item, "command");
			check_var_refs(c, text, sub);
			ps->commands[ps->ncommands++] = dupz(c, text);
		}
	}
	if (!i)
		problem(c, cpath, "must not be empty");
}

static void check_step(struct ctx *c, size_t idx)
{
	static const char *const start_keys[] = { "type", "name", "description", "on_completion", NULL };
	static const char *const end_keys[] = { "type", "name", "description", NULL };
	static const char *const action_keys[] = { "type", "name", "description", "on_completion",
		"commands", "agent", NULL };
	static const char *const if_keys[] = { "type", "name", "description", "on_completion",
		"condition", "on_true", "on_false", NULL };
	const cJSON *s = c->steps[idx];
	struct playbook_step *ps = &c->info[idx];
	const char *id = s->string, *kind = step_type_of(id), *type, *name, *agent;
	char path[PATH_MAX_LEN], sub[PATH_MAX_LEN], b[128];
	size_t tl;

	path_key(path, sizeof(path), "$.workflow", id);
	if (!id_valid(id, "12345", &tl)) {
		problem(c, path, "not a CACAO identifier (TYPE--UUID)");
		return;
	}
	if (!kind) {
		static const char *const refused[] = { "parallel", "playbook-action", "while-condition",
			"switch-condition", NULL };
		bool known = false;

		for (size_t i = 0; refused[i]; i++)
			known |= has_prefix(id, refused[i]);
		problem(c, path, known ? "step type '%.*s' is outside the supported subset "
				 "(start, action, if-condition, end)"
			: "unknown step type '%.*s'", (int)(tl < 40 ? tl : 40), id);
		return;
	}
	if (!id_valid(id, "4", NULL)) {
		problem(c, path, "a step's id must use a version 4 UUID");
		return;
	}
	if (!cJSON_IsObject(s)) {
		problem(c, path, "must be an object");
		return;
	}
	type = get_str(c, s, path, "type", true);
	if (type && strcmp(type, kind)) {
		path_key(sub, sizeof(sub), path, "type");
		problem(c, sub, "'%s' does not match the step id's type '%s'", shown(type, b, sizeof(b)),
			kind);
		return;
	}
	ps->id = dupz(c, id);
	if (!strcmp(kind, "start") || !strcmp(kind, "end")) {
		bool start = kind[0] == 's';

		only_keys(c, s, path, start ? start_keys : end_keys);
		get_str(c, s, path, "name", false);
		get_str(c, s, path, "description", false);
		if (start)
			check_ref(c, s, path, "on_completion", true);
		return;
	}
	ps->type = !strcmp(kind, "action") ? PLAYBOOK_STEP_ACTION : PLAYBOOK_STEP_IF;
	only_keys(c, s, path, ps->type == PLAYBOOK_STEP_ACTION ? action_keys : if_keys);
	name = get_str(c, s, path, "name", true);
	if (name) {
		path_key(sub, sizeof(sub), path, "name");
		check_var_refs(c, name, sub);
		split_name(c, name, sub, ps->type == PLAYBOOK_STEP_ACTION, &ps->phase, &ps->name_vi,
			   &ps->name_en);
	}
	desc_field(c, s, path, true, &ps->desc_vi, &ps->desc_en);
	check_ref(c, s, path, "on_completion", true);
	if (ps->type == PLAYBOOK_STEP_IF) {
		const char *cond = get_str(c, s, path, "condition", true);

		if (cond) {
			path_key(sub, sizeof(sub), path, "condition");
			check_var_refs(c, cond, sub);
			ps->condition = dupz(c, cond);
		}
		check_ref(c, s, path, "on_true", true);
		check_ref(c, s, path, "on_false", false);
		return;
	}
	check_commands(c, s, path, ps);
	agent = get_str(c, s, path, "agent", true);
	if (agent) {
		path_key(sub, sizeof(sub), path, "agent");
		if (!c->agents || !cJSON_GetObjectItemCaseSensitive(c->agents, agent))
			problem(c, sub, "no such agent '%s' in agent_definitions", shown(agent, b, sizeof(b)));
		else {
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->agents, agent);
			const cJSON *an = cJSON_GetObjectItemCaseSensitive(a, "name");

			ps->agent = dupz(c, agent);
			ps->agent_name = dupz(c, cJSON_IsString(an) ? an->valuestring : NULL);
		}
	}
}

/* ---- the walk ---- */

/* The step that step from's key names, when it may be visited now. */
static int follow(struct ctx *c, size_t from, const char *key)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(c->steps[from], key);
	char path[PATH_MAX_LEN], sub[PATH_MAX_LEN], b[128];
	int t;

	if (!cJSON_IsString(ref) || !ref->valuestring || (t = step_index(c, ref->valuestring)) < 0)
		return -1; /* reported by check_step */
	if (c->state[t] == ST_NEW)
		return t;
	path_key(path, sizeof(path), "$.workflow", c->steps[from]->string);
	path_key(sub, sizeof(sub), path, key);
	if (c->state[t] == ST_OPEN)
		problem(c, sub, "'%s' leads back to an earlier step: a cycle (loops are outside "
			"the supported subset)", shown(ref->valuestring, b, sizeof(b)));
	else
		problem(c, sub, "'%s' is reached a second time: each branch needs its own steps "
			"and its own end step", shown(ref->valuestring, b, sizeof(b)));
	return -1;
}

static void emit(struct ctx *c, size_t i, unsigned depth, enum playbook_branch br)
{
	struct playbook_step *ps = &c->info[i];
	const char *kind = step_type_of(c->steps[i]->string);

	c->state[i] = ST_OPEN;
	c->order[c->norder++] = i;
	if (!kind || !strcmp(kind, "start") || !strcmp(kind, "end"))
		return;
	ps->depth = depth;
	ps->branch = br;
	c->pb->steps[c->pb->nsteps++] = *ps;
	memset(ps, 0, sizeof(*ps)); /* moved */
}

/* Walks one chain of steps from step i to its end step; an if-condition
 * walks its true branch, its false branch, then goes on. */
static void walk_chain(struct ctx *c, int i, unsigned depth, enum playbook_branch br)
{
	size_t first = c->norder;

	while (i >= 0) {
		const char *kind = step_type_of(c->steps[i]->string);

		emit(c, (size_t)i, depth, br);
		if (!kind || !strcmp(kind, "end"))
			break;
		if (!strcmp(kind, "if-condition")) {
			/* follow each branch only when the one before it is walked:
			 * the false branch may not reuse the true branch's steps */
			int t = follow(c, (size_t)i, "on_true"), f;

			if (t >= 0)
				walk_chain(c, t, depth + 1, PLAYBOOK_BRANCH_TRUE);
			f = cJSON_GetObjectItemCaseSensitive(c->steps[i], "on_false")
				? follow(c, (size_t)i, "on_false") : -1;
			if (f >= 0)
				walk_chain(c, f, depth + 1, PLAYBOOK_BRANCH_FALSE);
		}
		i = follow(c, (size_t)i, "on_completion");
	}
	for (size_t k = first; k < c->norder; k++)
		c->state[c->order[k]] = ST_DONE;
}

static void check_workflow(struct ctx *c, const cJSON *root)
{
	const cJSON *wf = get_typed(c, root, "$", "workflow", true, cJSON_Object);
	const char *start = get_str(c, root, "$", "workflow_start", true);
	unsigned before;
	size_t nstart = 0, nend = 0, naction = 0;
	char path[PATH_MAX_LEN], b[128];
	int si;

	if (!wf)
		return;
	before = c->problems;
	if (cJSON_GetArraySize(wf) > PLAYBOOK_STEPS_MAX) {
		problem(c, "$.workflow", "more than %d steps", PLAYBOOK_STEPS_MAX);
		return;
	}
	for (const cJSON *s = wf->child; s; s = s->next)
		c->steps[c->nsteps++] = s;
	c->pb->steps = calloc(c->nsteps ? c->nsteps : 1, sizeof(*c->pb->steps));
	if (!c->pb->steps) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < c->nsteps; i++) {
		const char *id = c->steps[i]->string;

		check_step(c, i);
		nstart += has_prefix(id, "start");
		nend += has_prefix(id, "end");
		naction += has_prefix(id, "action");
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(id_uuid(c->steps[j]->string), id_uuid(id))) {
				path_key(path, sizeof(path), "$.workflow", id);
				problem(c, path, "its UUID is also that of '%s'",
					shown(c->steps[j]->string, b, sizeof(b)));
				break;
			}
	}
	if (nstart != 1)
		problem(c, "$.workflow", "must have exactly one start step (has %zu)", nstart);
	if (!nend)
		problem(c, "$.workflow", "has no end step");
	if (!naction)
		problem(c, "$.workflow", "has no action step");
	if (!start)
		return;
	si = step_index(c, start);
	if (si < 0) {
		problem(c, "$.workflow_start", "no such step '%s'", shown(start, b, sizeof(b)));
		return;
	}
	if (!has_prefix(start, "start")) {
		problem(c, "$.workflow_start", "'%s' is not a start step", shown(start, b, sizeof(b)));
		return;
	}
	walk_chain(c, si, 0, PLAYBOOK_BRANCH_MAIN);
	if (c->problems != before)
		return; /* steps may be unreachable only because of those problems */
	for (size_t i = 0; i < c->nsteps; i++)
		if (c->state[i] == ST_NEW) {
			path_key(path, sizeof(path), "$.workflow", c->steps[i]->string);
			problem(c, path, "not reachable from workflow_start");
		}
}

/* ---- the playbook ---- */

static void check_root(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = { "type", "spec_version", "id", "name", "description",
		"playbook_types", "created_by", "created", "modified", "labels", "playbook_variables",
		"agent_definitions", "workflow_start", "workflow", NULL };
	struct playbook *pb = c->pb;
	const char *id, *name, *by;
	char b[128];

	only_keys(c, root, "$", keys);
	check_const(c, root, "$", "type", "playbook");
	check_const(c, root, "$", "spec_version", "cacao-2.0");
	id = get_str(c, root, "$", "id", true);
	if (id && (!id_valid(id, "45", NULL) || !has_prefix(id, "playbook")))
		problem(c, "$.id", "'%s' is not playbook--UUID (UUID version 4 or 5)",
			shown(id, b, sizeof(b)));
	else if (id)
		pb->id = dupz(c, id);
	name = get_str(c, root, "$", "name", true);
	if (name)
		split_name(c, name, "$.name", false, NULL, &pb->name_vi, &pb->name_en);
	desc_field(c, root, "$", true, &pb->desc_vi, &pb->desc_en);
	check_types(c, root);
	by = get_str(c, root, "$", "created_by", true);
	if (by && (!id_valid(by, "12345", NULL) || !has_prefix(by, "identity")))
		problem(c, "$.created_by", "'%s' is not identity--UUID", shown(by, b, sizeof(b)));
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "modified" : "created";
		const char *t = get_str(c, root, "$", k, true);
		char path[64];

		snprintf(path, sizeof(path), "$.%s", k);
		if (t && !timestamp_valid(t))
			problem(c, path, "'%s' is not a UTC timestamp with milliseconds "
				"(2026-11-27T08:00:00.000Z)", shown(t, b, sizeof(b)));
		else if (t)
			*(i ? &pb->modified : &pb->created) = dupz(c, t);
	}
	if (pb->created && pb->modified && strcmp(pb->modified, pb->created) < 0)
		problem(c, "$.modified", "earlier than created");
	check_labels(c, root);
	check_vars(c, root);
	check_agents(c, root);
	check_workflow(c, root);
}

static void step_free(struct playbook_step *s)
{
	free(s->id);
	free(s->name_vi);
	free(s->name_en);
	free(s->desc_vi);
	free(s->desc_en);
	free(s->agent);
	free(s->agent_name);
	free(s->condition);
	for (size_t i = 0; i < s->ncommands; i++)
		free(s->commands[i]);
	free(s->commands);
}

void playbook_destroy(struct playbook *p)
{
	if (!p)
		return;
	free(p->file);
	free(p->id);
	free(p->name_vi);
	free(p->name_en);
	free(p->desc_vi);
	free(p->desc_en);
	free(p->created);
	free(p->modified);
	for (size_t i = 0; i < p->ncategories; i++)
		free(p->categories[i]);
	free(p->categories);
	for (size_t i = 0; i < p->nsteps; i++)
		step_free(&p->steps[i]);
	free(p->steps);
	for (size_t i = 0; i < p->nvars; i++) {
		free(p->vars[i].name);
		free(p->vars[i].type);
		free(p->vars[i].description);
	}
	free(p->vars);
	free(p);
}

int playbook_load_buffer(const char *file, const char *buf, size_t len,
			 playbook_report_fn report, void *arg, struct playbook **out)
{
	struct ctx *c;
	cJSON *root;
	const char *end = NULL;
	int r;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->file = file;
	c->report = report;
	c->arg = arg;
	if (len > PLAYBOOK_FILE_MAX) {
		problem(c, "$", "larger than %d bytes", PLAYBOOK_FILE_MAX);
		free(c);
		return -EINVAL;
	}
	root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	if (root && end) {
		/* only blanks may follow the document */
		const char *p = end;

		while (p < buf + len && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p < buf + len)
			end = p;
		else
			end = NULL;
	}
	if (!root || end) {
		const char *at = root ? end : cJSON_GetErrorPtr();
		unsigned line = 1, col = 1;

		for (const char *p = buf; at && p >= buf && p < at && p < buf + len; p++) {
			col++;
			if (*p == '\n') {
				line++;
				col = 1;
			}
		}
		problem(c, "$", root ? "text after the JSON document at line %u, column %u"
				    : "not valid JSON: error at line %u, column %u", line, col);
		cJSON_Delete(root);
		free(c);
		return -EINVAL;
	}
	c->pb = calloc(1, sizeof(*c->pb));
	if (!c->pb) {
		cJSON_Delete(root);
		free(c);
		return -ENOMEM;
	}
	c->pb->file = dupz(c, file);
	if (!cJSON_IsObject(root))
		problem(c, "$", "must be a JSON object (a CACAO playbook)");
	else if (check_tree(c, root, "$", 0))
		check_root(c, root);
	for (size_t i = 0; i < c->nsteps; i++)
		step_free(&c->info[i]);
	cJSON_Delete(root);
	r = c->oom ? -ENOMEM : c->problems ? -EINVAL : 0;
	if (r)
		playbook_destroy(c->pb);
	else
		*out = c->pb;
	free(c);
	return r;
}

int playbook_load_file(const char *path, playbook_report_fn report, void *arg,
		       struct playbook **out)
{
	FILE *f = fopen(path, "rb");
	struct stat st = { 0 };
	char *buf, msg[256];
	size_t n;
	int r;

	*out = NULL;
	if (!f) {
		r = -errno;
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(-r));
		if (report)
			report(arg, path, "$", msg);
		return r;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > PLAYBOOK_FILE_MAX) {
		bool big = S_ISREG(st.st_mode) && st.st_size > PLAYBOOK_FILE_MAX;

		snprintf(msg, sizeof(msg), big ? "larger than %d bytes" : "not a regular file",
			 PLAYBOOK_FILE_MAX);
		if (report)
			report(arg, path, "$", msg);
		fclose(f);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		r = -EIO;
		if (report)
			report(arg, path, "$", "read error");
		free(buf);
		fclose(f);
		return r;
	}
	fclose(f);
	buf[n] = '\0';
	r = playbook_load_buffer(path, buf, n, report, arg, out);
	free(buf);
	return r;
}

/* ---- a directory of playbooks ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks p against the playbooks already in set; reports and returns
 * false on a clash. */
static bool fits_set(const struct playbook_set *set, const struct playbook *p,
		     playbook_report_fn report, void *arg)
{
	char path[PATH_MAX_LEN], msg[1024];
	bool ok = true;

	for (size_t i = 0; i < set->n; i++) {
		const struct playbook *q = set->v[i];

		if (!strcasecmp(id_uuid(q->id), id_uuid(p->id))) {
			snprintf(msg, sizeof(msg), "the id's UUID is already used by %s", q->file);
			report(arg, p->file, "$.id", msg);
			ok = false;
		}
		for (size_t s = 0; s < p->nsteps; s++)
			for (size_t t = 0; t < q->nsteps; t++)
				if (!strcasecmp(id_uuid(p->steps[s].id), id_uuid(q->steps[t].id))) {
					path_key(path, sizeof(path), "$.workflow", p->steps[s].id);
					snprintf(msg, sizeof(msg), "the step id's UUID is already used in %s",
						 q->file);
					report(arg, p->file, path, msg);
					ok = false;
				}
		for (size_t k = 0; k < p->ncategories; k++)
			for (size_t l = 0; l < q->ncategories; l++)
				if (!strcmp(p->categories[k], q->categories[l])) {
					snprintf(msg, sizeof(msg), "category '%s' is already served by %s",
						 p->categories[k], q->file);
					report(arg, p->file, "$.labels", msg);
					ok = false;
				}
	}
	return ok;
}

int playbook_load_dir(const char *dir, playbook_report_fn report, void *arg,
		      struct playbook_set *set)
{
	char **names = NULL, path[4096];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d) {
		r = -errno;
		snprintf(path, sizeof(path), "cannot open directory: %s", strerror(-r));
		if (report)
			report(arg, dir, "$", path);
		return r;
	}
	names = calloc(PLAYBOOK_DIR_MAX, sizeof(char *));
	if (!names) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		if (n == PLAYBOOK_DIR_MAX) {
			if (report)
				report(arg, dir, "$", "more playbook files than the limit; the rest are ignored");
			r = -EINVAL;
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);
	set->v = calloc(n ? n : 1, sizeof(*set->v));
	if (!set->v && r != -ENOMEM)
		r = -ENOMEM;
	for (size_t i = 0; i < n && r != -ENOMEM; i++) {
		struct playbook *p;
		int lr;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		lr = playbook_load_file(path, report, arg, &p);
		if (lr == -ENOMEM)
			r = lr;
		else if (lr)
			r = -EINVAL;
		else if (!fits_set(set, p, report, arg)) {
			playbook_destroy(p);
			r = -EINVAL;
		} else {
			set->v[set->n++] = p;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

void playbook_set_finish(struct playbook_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		playbook_destroy(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

const struct playbook *playbook_set_for_category(const struct playbook_set *set,
						 const char *category)
{
	for (size_t i = 0; category && i < set->n; i++)
		for (size_t k = 0; k < set->v[i]->ncategories; k++)
			if (!strcmp(set->v[i]->categories[k], category))
				return set->v[i];
	return NULL;
}

const struct playbook *playbook_set_find(const struct playbook_set *set, const char *id)
{
	for (size_t i = 0; id && i < set->n; i++)
		if (!strcmp(set->v[i]->id, id))
			return set->v[i];
	return NULL;
}

const struct playbook_step *playbook_step_find(const struct playbook *p, const char *id)
{
	for (size_t i = 0; id && i < p->nsteps; i++)
		if (!strcmp(p->steps[i].id, id))
			return &p->steps[i];
	return NULL;
}

const char *playbook_phase_tag(enum playbook_phase ph)
{
	return (size_t)ph < ARRAY_SIZE(phase_tags) ? phase_tags[ph] : "";
}

const char *playbook_phase_label(enum playbook_phase ph, bool vi)
{
	static const char *const en[] = { "", "Identify", "Contain", "Eradicate", "Recover", "Report" };
	static const char *const vn[] = { "", "Xác định", "Ngăn chặn", "Loại bỏ", "Khôi phục",
		"Báo cáo" };

	if ((size_t)ph >= ARRAY_SIZE(en))
		return "";
	return vi ? vn[ph] : en[ph];
}
