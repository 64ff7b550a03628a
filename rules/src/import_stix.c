/*
 * import_stix.c - "--from stix": a STIX 2.1 bundle (or one indicator
 * object). Each indicator with pattern_type "stix" whose pattern is a set
 * of alternatives of single-value equality comparisons is imported:
 *   [domain-name:value = 'x']                     -> domain
 *   [ipv4-addr:value = '1.2.3.0/24'], ipv6-addr   -> ip, or cidr with a '/'
 *   [url:value = '...']                           -> url
 *   [file:hashes.MD5 | 'SHA-1' | 'SHA-256' = ...] -> md5, sha1, sha256
 *   [x509-certificate:hashes.'SHA-1' = ...]       -> cert_sha1
 * Alternatives may be joined by OR inside one observation or between
 * observations ("[a = 'x' OR b = 'y'] OR [c = 'z']"), with parentheses.
 * Anything else is reported with the object's JSON path and skipped:
 * other pattern types (snort, yara, sigma, ...), AND and FOLLOWEDBY (all
 * parts must hold, which one indicator value cannot say), qualifiers
 * (WITHIN, START/STOP, REPEATS), operators other than '=', other object
 * paths, and revoked indicators. A pattern that does not parse is a
 * problem. The indicator's name (else its description, else its id) is
 * the description; malware the indicator "indicates" (by relationship)
 * is the detail. STIX has no severity: --severity, else medium.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "rules.h"
#include "banned.h"

#define STIX_FILE_MAX (256u << 20)
#define STIX_MAX_CMP 256

/* ---- patterns ---- */

struct stix_cmp {
	char path[128];
	char op[16];
	char *value;      /* unescaped string literal, or NULL for other constants */
};

struct stix_pattern {
	const char *p;
	struct stix_cmp cmp[STIX_MAX_CMP];
	int n;
	const char *unsupported; /* AND, FOLLOWEDBY, a qualifier: the whole pattern is skipped */
	char err[160];
};

static void pat_free(struct stix_pattern *pt)
{
	for (int i = 0; i < pt->n; i++)
		free(pt->cmp[i].value);
	pt->n = 0;
}

static void ws(struct stix_pattern *pt)
{
	while (isspace((unsigned char)*pt->p))
		pt->p++;
}

/* Accepts keyword kw when it stands alone here. */
static bool keyword(struct stix_pattern *pt, const char *kw)
{
	size_t n = strlen(kw);

	ws(pt);
	if (strncmp(pt->p, kw, n) || isalnum((unsigned char)pt->p[n]) || pt->p[n] == '_')
		return false;
	pt->p += n;
	return true;
}

static int fail(struct stix_pattern *pt, const char *msg)
{
	if (!pt->err[0])
		snprintf(pt->err, sizeof(pt->err), "%s", msg);
	return -EINVAL;
}

/* 'text' with \' and \\ escapes; *out gets a heap copy. */
static int string_literal(struct stix_pattern *pt, char **out)
{
	const char *s = pt->p + 1;
	size_t n = 0, cap = strlen(s) + 1;
	char *v = malloc(cap);

	if (!v)
		return -ENOMEM;
	for (;;) {
		if (*s == '\0') {
			free(v);
			return fail(pt, "unterminated string");
		}
		if (*s == '\'')
			break;
		if (*s == '\\') {
			if (s[1] != '\'' && s[1] != '\\') {
				free(v);
				return fail(pt, "bad escape in string");
			}
			s++;
		}
		v[n++] = *s++;
	}
	v[n] = '\0';
	pt->p = s + 1;
	*out = v;
	return 0;
}

static int comparison(struct stix_pattern *pt);

/* comparison (OR comparison)* inside [ ] or ( ) */
static int cmp_list(struct stix_pattern *pt)
{
	int r = comparison(pt);

	while (!r) {
		if (keyword(pt, "OR"))
			r = comparison(pt);
		else if (keyword(pt, "AND")) {
			pt->unsupported = "AND";
			r = comparison(pt);
		} else
			break;
	}
	return r;
}

static int comparison(struct stix_pattern *pt)
{
	struct stix_cmp *c;
	size_t n = 0;
	bool negate = false;

	ws(pt);
	if (*pt->p == '(') {
		pt->p++;
		if (cmp_list(pt))
			return -EINVAL;
		ws(pt);
		if (*pt->p != ')')
			return fail(pt, "expected ')'");
		pt->p++;
		return 0;
	}
	if (pt->n == STIX_MAX_CMP)
		return fail(pt, "too many comparisons");
	c = &pt->cmp[pt->n];
	memset(c, 0, sizeof(*c));
	/* object path: type:property.path, quoted keys and [*] allowed */
	while (*pt->p && !isspace((unsigned char)*pt->p) && !strchr("=!<>])", *pt->p)) {
		if (*pt->p == '\'') {
			const char *q = strchr(pt->p + 1, '\'');
			if (!q)
				return fail(pt, "unterminated quoted path");
			size_t len = (size_t)(q - pt->p) + 1;
			if (n + len >= sizeof(c->path))
				return fail(pt, "object path too long");
			memcpy(c->path + n, pt->p, len);
			n += len;
			pt->p = q + 1;
			continue;
		}
		if (n + 1 >= sizeof(c->path))
			return fail(pt, "object path too long");
		c->path[n++] = *pt->p++;
	}
	c->path[n] = '\0';
	if (!n || !strchr(c->path, ':'))
		return fail(pt, "expected an object path (type:property)");
	ws(pt);
	if (keyword(pt, "NOT"))
		negate = true;
	ws(pt);
	n = 0;
	if (strchr("=!<>", *pt->p)) {
		while (strchr("=!<>", *pt->p) && *pt->p && n + 1 < sizeof(c->op))
			c->op[n++] = *pt->p++;
	} else {
		while (isalpha((unsigned char)*pt->p) && n + 1 < sizeof(c->op))
			c->op[n++] = *pt->p++;
	}
	c->op[n] = '\0';
	if (!n)
		return fail(pt, "expected a comparison operator");
	if (negate) {
		/* shown as "NOT op"; never supported */
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "NOT %s", c->op);
		str_copy(c->op, tmp, sizeof(c->op));
	}
	ws(pt);
	if (*pt->p == '\'') {
		if (string_literal(pt, &c->value))
			return -EINVAL;
	} else if (*pt->p == '(') {
		/* a set for IN: skip to the closing parenthesis */
		const char *q = strchr(pt->p, ')');
		if (!q)
			return fail(pt, "unterminated set");
		pt->p = q + 1;
	} else if ((*pt->p == 'h' || *pt->p == 'b' || *pt->p == 't') && pt->p[1] == '\'') {
		pt->p++;
		if (string_literal(pt, &c->value))
			return -EINVAL;
		free(c->value);
		c->value = NULL;
	} else if (isalnum((unsigned char)*pt->p) || *pt->p == '-') {
		while (isalnum((unsigned char)*pt->p) || *pt->p == '.' || *pt->p == '-')
			pt->p++;
	} else {
		return fail(pt, "expected a value");
	}
	pt->n++;
	return 0;
}

static int obs_expr(struct stix_pattern *pt);

static int qualifiers(struct stix_pattern *pt)
{
	for (;;) {
		if (keyword(pt, "WITHIN") || keyword(pt, "REPEATS") || keyword(pt, "START")) {
			pt->unsupported = "a qualifier (WITHIN, REPEATS, START/STOP)";
			/* consume up to the next keyword or end */
			while (*pt->p && *pt->p != ']' && *pt->p != ')' && *pt->p != '[' &&
			       strncmp(pt->p, " OR ", 4) && strncmp(pt->p, " AND ", 5))
				pt->p++;
			continue;
		}
		return 0;
	}
}

/* observation (OR|AND|FOLLOWEDBY observation)* */
static int obs_list(struct stix_pattern *pt)
{
	int r = obs_expr(pt);

	while (!r) {
		if (keyword(pt, "OR"))
			r = obs_expr(pt);
		else if (keyword(pt, "AND") || keyword(pt, "FOLLOWEDBY")) {
			pt->unsupported = "AND/FOLLOWEDBY between observations";
			r = obs_expr(pt);
		} else
			break;
	}
	return r;
}

static int obs_expr(struct stix_pattern *pt)
{
	ws(pt);
	if (*pt->p == '(') {
		pt->p++;
		if (obs_list(pt))
			return -EINVAL;
		ws(pt);
		if (*pt->p != ')')
			return fail(pt, "expected ')'");
		pt->p++;
	} else if (*pt->p == '[') {
		pt->p++;
		if (cmp_list(pt))
			return -EINVAL;
		ws(pt);
		if (*pt->p != ']')
			return fail(pt, "expected ']'");
		pt->p++;
	} else {
		return fail(pt, "expected '[' or '('");
	}
	return qualifiers(pt);
}

static int pattern_parse(struct stix_pattern *pt, const char *s)
{
	memset(pt, 0, sizeof(*pt));
	pt->p = s;
	if (obs_list(pt) == 0) {
		ws(pt);
		if (*pt->p == '\0')
			return 0;
		fail(pt, "unexpected text");
	}
	/* say where, counted from the pattern's start */
	{
		char msg[sizeof(pt->err)];
		snprintf(msg, sizeof(msg), "%s", pt->err);
		snprintf(pt->err, sizeof(pt->err), "%.100s at character %td", msg, pt->p - s + 1);
	}
	pat_free(pt);
	return -EINVAL;
}

/* Maps an object path to an indicator type. */
static bool path_type(const char *path, enum ioc_type *t)
{
	char key[64];
	size_t n = 0;
	const char *h;

	if (!strcmp(path, "domain-name:value")) {
		*t = IOC_DOMAIN;
		return true;
	}
	if (!strcmp(path, "ipv4-addr:value") || !strcmp(path, "ipv6-addr:value")) {
		*t = IOC_IP;
		return true;
	}
	if (!strcmp(path, "url:value")) {
		*t = IOC_URL;
		return true;
	}
	if (!strncmp(path, "file:hashes.", 12))
		h = path + 12;
	else if (!strncmp(path, "x509-certificate:hashes.", 24))
		h = path + 24;
	else
		return false;
	/* MD5, 'MD5', 'SHA-1', SHA1, 'SHA-256', SHA256 */
	for (; *h && n + 1 < sizeof(key); h++)
		if (*h != '\'' && *h != '-')
			key[n++] = (char)toupper((unsigned char)*h);
	key[n] = '\0';
	if (path[0] == 'x') {
		if (strcmp(key, "SHA1"))
			return false;
		*t = IOC_CERT_SHA1;
		return true;
	}
	if (!strcmp(key, "MD5"))
		*t = IOC_MD5;
	else if (!strcmp(key, "SHA1"))
		*t = IOC_SHA1;
	else if (!strcmp(key, "SHA256"))
		*t = IOC_SHA256;
	else
		return false;
	return true;
}

/* ---- the bundle ---- */

struct indicates {
	const char *indicator; /* id */
	const char *name;      /* the malware's (or tool's, actor's) name */
};

static int cmp_indicates(const void *a, const void *b)
{
	return strcmp(((const struct indicates *)a)->indicator, ((const struct indicates *)b)->indicator);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *object_name(const cJSON *objects, const char *id)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, objects) {
		const char *oid = jstr(o, "id");
		if (oid && !strcmp(oid, id))
			return jstr(o, "name");
	}
	return NULL;
}

/* "indicates" relationships, sorted by indicator id. O(r x n) to find the
 * names; bundles with thousands of relationships are rare in practice. */
static struct indicates *collect_indicates(const cJSON *objects, size_t *count)
{
	struct indicates *v = NULL;
	size_t n = 0;
	const cJSON *o;

	cJSON_ArrayForEach(o, objects) {
		const char *type = jstr(o, "type"), *rt = jstr(o, "relationship_type");
		const char *src = jstr(o, "source_ref"), *dst = jstr(o, "target_ref"), *name;
		struct indicates *nv;

		if (!type || strcmp(type, "relationship") || !rt || strcmp(rt, "indicates") ||
		    !src || !dst || strncmp(src, "indicator--", 11))
			continue;
		name = object_name(objects, dst);
		if (!name)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[n].indicator = src;
		v[n].name = name;
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_indicates);
	*count = n;
	return v;
}

static void read_indicator(struct import *im, const char *where, const cJSON *o,
			   const struct indicates *ind, size_t nind)
{
	bool vi = import_vi(im);
	const char *ptype = jstr(o, "pattern_type"), *pattern = jstr(o, "pattern");
	const char *id = jstr(o, "id"), *desc = jstr(o, "name");
	const cJSON *revoked = cJSON_GetObjectItemCaseSensitive(o, "revoked");
	struct stix_pattern *pt;
	char detail[512] = "", pwhere[160];
	size_t dl = 0;

	snprintf(pwhere, sizeof(pwhere), "%s.pattern", where);
	if (cJSON_IsTrue(revoked)) {
		import_skip(im, where, vi ? "chỉ báo đã thu hồi (revoked)" : "revoked indicator");
		return;
	}
	/* STIX 2.0 had no pattern_type: its patterns are STIX patterns */
	if (ptype && strcmp(ptype, "stix")) {
		import_skip(im, where, vi ? "pattern_type '%.40s' không được hỗ trợ (chỉ stix)"
					  : "pattern_type '%.40s' is not supported (only stix)", ptype);
		return;
	}
	if (!pattern) {
		import_problem(im, where, vi ? "chỉ báo không có \"pattern\" dạng chuỗi"
					     : "indicator without a string \"pattern\"");
		return;
	}
	if (!desc)
		desc = jstr(o, "description");
	if (!desc)
		desc = id ? id : "STIX indicator";
	if (id && nind) {
		struct indicates key = { .indicator = id };
		const struct indicates *f = bsearch(&key, ind, nind, sizeof(*ind), cmp_indicates);
		/* bsearch finds any of the equal ones: back up to the first */
		while (f && f > ind && !strcmp(f[-1].indicator, id))
			f--;
		for (; f && f < ind + nind && !strcmp(f->indicator, id); f++)
			if (dl < sizeof(detail))
				dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "%s%s",
						       dl ? ", " : (vi ? "chỉ ra " : "indicates "),
						       f->name);
	}
	pt = malloc(sizeof(*pt));
	if (!pt)
		return;
	if (pattern_parse(pt, pattern)) {
		import_problem(im, pwhere, vi ? "mẫu STIX không hợp lệ: %s" : "bad STIX pattern: %s",
			       pt->err);
		free(pt);
		return;
	}
	if (pt->unsupported) {
		import_skip(im, pwhere, vi ? "mẫu dùng %s; một dấu hiệu đơn không diễn tả được"
					   : "pattern uses %s, which a single-value indicator cannot express",
			    pt->unsupported);
		pat_free(pt);
		free(pt);
		return;
	}
	for (int i = 0; i < pt->n; i++) {
		const struct stix_cmp *c = &pt->cmp[i];
		struct import_rec r = { .description = desc, .detail = dl ? detail : NULL };

		if (!path_type(c->path, &r.type)) {
			import_skip(im, pwhere, vi ? "đường dẫn đối tượng '%s' không được hỗ trợ"
						   : "object path '%s' is not supported", c->path);
			continue;
		}
		if (strcmp(c->op, "=")) {
			import_skip(im, pwhere, vi ? "toán tử '%s' không được hỗ trợ (chỉ =) cho %s"
						   : "operator '%s' is not supported (only =) for %s",
				    c->op, c->path);
			continue;
		}
		if (!c->value) {
			import_problem(im, pwhere, vi ? "%s cần một chuỗi '...'" : "%s needs a string '...'",
				       c->path);
			continue;
		}
		if (r.type == IOC_IP && strchr(c->value, '/'))
			r.type = IOC_CIDR;
		r.value = c->value;
		import_add(im, pwhere, &r);
	}
	pat_free(pt);
	free(pt);
}

static int stix_read(struct import *im, const char *path)
{
	bool vi = import_vi(im);
	const char *type;
	const cJSON *objects, *o;
	struct indicates *ind = NULL;
	size_t nind = 0;
	cJSON *root;
	int i = 0, rc = import_json(im, path, STIX_FILE_MAX, &root);

	if (!root)
		return rc;
	type = jstr(root, "type");
	if (type && !strcmp(type, "indicator")) {
		read_indicator(im, "(indicator)", root, NULL, 0);
		goto done;
	}
	objects = cJSON_GetObjectItemCaseSensitive(root, "objects");
	if (!type || strcmp(type, "bundle") || !cJSON_IsArray(objects)) {
		import_problem(im, "1", vi ? "không phải bundle STIX (type \"bundle\" với mảng objects)"
					   : "not a STIX bundle (type \"bundle\" with an objects array)");
		goto done;
	}
	ind = collect_indicates(objects, &nind);
	cJSON_ArrayForEach(o, objects) {
		char where[64];
		const char *ot = jstr(o, "type");

		snprintf(where, sizeof(where), "objects[%d]", i++);
		if (!ot) {
			import_problem(im, where, vi ? "đối tượng không có \"type\"" : "object without a \"type\"");
			continue;
		}
		/* other objects (malware, relationship, identity, ...) are context */
		if (!strcmp(ot, "indicator"))
			read_indicator(im, where, o, ind, nind);
	}
done:
	free(ind);
	cJSON_Delete(root);
	return 0;
}

const struct importer import_stix = {
	.name = "stix",
	.help_en = "STIX 2.1 bundle: indicators with simple '=' patterns on domain-name, "
		   "ipv4/ipv6-addr, url, file hashes, x509 SHA-1; others are skipped",
	.help_vi = "bundle STIX 2.1: chỉ báo có mẫu '=' đơn giản trên domain-name, ipv4/ipv6-addr, "
		   "url, hash tệp, SHA-1 x509; còn lại bị bỏ qua",
	.read = stix_read,
};
