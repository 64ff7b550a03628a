/*
 * conf.c - table-driven options (see conf.h). The same table parses the
 * config file and the command line, applies defaults, checks ranges and
 * prints the bilingual --help, so the four can never disagree.
 */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define FIELD(base, o, type) ((type *)((char *)(base) + (o)->offset))

static void list_clear(struct conf_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int list_add(struct conf_list *l, const char *s, size_t len)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	char *c;

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	c = strndup(s, len);
	if (!c)
		return -ENOMEM;
	l->v[l->n++] = c;
	return 0;
}

int conf_set(const struct conf_opt *o, void *base, const char *value,
	     char *err, size_t errlen)
{
	uint64_t v;
	int r = 0;

	switch (o->type) {
	case CONF_STR: {
		char **p = FIELD(base, o, char *);
		char *c = strdup(value);
		if (!c)
			return -ENOMEM;
		free(*p);
		*p = c;
		return 0;
	}
	case CONF_U64:
		r = parse_u64(value, o->min, o->max ? o->max : UINT64_MAX, &v);
		if (r) {
			snprintf(err, errlen, "%s: '%s' is not a number in %llu..%llu",
				 o->name, value, (unsigned long long)o->min,
				 (unsigned long long)(o->max ? o->max : UINT64_MAX));
			return r;
		}
		*FIELD(base, o, uint64_t) = v;
		return 0;
	case CONF_SIZE:
	case CONF_DURATION:
		r = o->type == CONF_SIZE ? parse_size(value, &v) : parse_duration(value, &v);
		if (r || v < o->min || (o->max && v > o->max)) {
			snprintf(err, errlen, "%s: '%s' is not a valid %s%s", o->name,
				 value, o->type == CONF_SIZE ? "size (e.g. 64M)" : "duration (e.g. 30s, 5m)",
				 r ? "" : " in range");
			return r ? r : -ERANGE;
		}
		*FIELD(base, o, uint64_t) = v;
		return 0;
	case CONF_BOOL:
		if (parse_bool(value, FIELD(base, o, bool))) {
			snprintf(err, errlen, "%s: '%s' is not yes/no", o->name, value);
			return -EINVAL;
		}
		return 0;
	case CONF_LIST: {
		struct conf_list *l = FIELD(base, o, struct conf_list);
		return list_add(l, value, strlen(value));
	}
	case CONF_ACTION:
		break;
	}
	snprintf(err, errlen, "%s: cannot be set here", o->name);
	return -EINVAL;
}

int conf_set_defaults(const struct conf_opt *t, size_t n, void *base,
		      char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_opt *o = &t[i];
		int r;

		if (!o->def || o->type == CONF_ACTION)
			continue;
		if (o->type == CONF_LIST) {
			/* defaults of lists are comma separated */
			const char *s = o->def;
			struct conf_list *l = FIELD(base, o, struct conf_list);
			while (*s) {
				size_t len = strcspn(s, ",");
				if (len && (r = list_add(l, s, len)))
					return r;
				s += len;
				if (*s == ',')
					s++;
			}
			continue;
		}
		r = conf_set(o, base, o->def, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

const struct conf_opt *conf_find(const struct conf_opt *t, size_t n,
				 const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int conf_load_file(const struct conf_opt *t, size_t n, void *base,
		   const char *path, char *err, size_t errlen)
{
	char line[4096], msg[CONF_ERRLEN];
	FILE *f = fopen(path, "r");
	unsigned lineno = 0;
	bool *cleared;
	int r = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	cleared = calloc(n, sizeof(*cleared));
	if (!cleared) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		char *k, *v, *eq;
		const struct conf_opt *o;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes",
				 path, lineno, sizeof(line) - 2);
			r = -EINVAL;
			break;
		}
		k = trim(line);
		if (*k == '#' || *k == '\0')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value'", path, lineno);
			r = -EINVAL;
			break;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		/* allow "value" quoting for values with leading spaces or '#' */
		if (*v == '"' && strlen(v) >= 2 && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		o = conf_find(t, n, k);
		if (!o || o->cli_only || o->type == CONF_ACTION) {
			snprintf(err, errlen, "%s:%u: unknown option '%s'", path, lineno, k);
			r = -EINVAL;
			break;
		}
		if (o->type == CONF_LIST) {
			size_t idx = (size_t)(o - t);
			char *s = v;
			if (!cleared[idx]) {
				list_clear(FIELD(base, o, struct conf_list));
				cleared[idx] = true;
			}
			while (*s) {
				size_t len = strcspn(s, ",");
				char *item = s;
				s += len;
				if (*s == ',')
					*s++ = '\0';
				item = trim(item);
				if (*item && (r = list_add(FIELD(base, o, struct conf_list),
							   item, strlen(item))))
					break;
			}
			if (r)
				break;
			continue;
		}
		r = conf_set(o, base, v, msg, sizeof(msg));
		if (r) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			break;
		}
	}
	if (!r && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		r = -EIO;
	}
	free(cleared);
	fclose(f);
	return r;
}

int conf_parse_args(const struct conf_opt *t, size_t n, void *base, int argc,
		    char **argv, int *next, const char **action, char *err,
		    size_t errlen)
{
	char msg[CONF_ERRLEN];
	bool *cleared = calloc(n, sizeof(*cleared));
	int i, r = 0;

	if (!cleared)
		return -ENOMEM;
	*action = NULL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct conf_opt *o = NULL;
		char name[64];
		bool negate = false;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (len >= sizeof(name)) {
				snprintf(err, errlen, "unknown option '%s'", a);
				r = -EINVAL;
				break;
			}
			memcpy(name, a + 2, len);
			name[len] = '\0';
			if (eq)
				val = eq + 1;
			o = conf_find(t, n, name);
			if (!o && !strncmp(name, "no-", 3)) {
				o = conf_find(t, n, name + 3);
				if (o && o->type == CONF_BOOL && !val)
					negate = true;
				else
					o = NULL;
			}
		} else {
			for (size_t j = 0; j < n; j++)
				if (t[j].short_name && t[j].short_name == a[1])
					o = &t[j];
			if (o && a[2])
				val = a + 2;
			snprintf(name, sizeof(name), "%c", a[1]);
		}
		if (!o) {
			snprintf(err, errlen, "unknown option '%s' (see --help)", a);
			r = -EINVAL;
			break;
		}
		if (o->type == CONF_ACTION) {
			*action = o->name;
			i++;
			break;
		}
		if (o->type == CONF_BOOL && !val) {
			*FIELD(base, o, bool) = !negate;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "option --%s needs a value (%s)",
					 o->name, o->arg ? o->arg : "VALUE");
				r = -EINVAL;
				break;
			}
			val = argv[++i];
		}
		if (o->type == CONF_LIST && !cleared[o - t]) {
			list_clear(FIELD(base, o, struct conf_list));
			cleared[o - t] = true;
		}
		r = conf_set(o, base, val, msg, sizeof(msg));
		if (r) {
			snprintf(err, errlen, "option --%s", msg);
			break;
		}
	}
	free(cleared);
	*next = i;
	return r;
}

void conf_usage(const struct conf_opt *t, size_t n, FILE *out, bool vi)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_opt *o = &t[i];
		char left[80];
		int len;

		if (o->short_name)
			len = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name, o->name);
		else
			len = snprintf(left, sizeof(left), "      --%s", o->name);
		if (o->type != CONF_BOOL && o->type != CONF_ACTION && len > 0 &&
		    (size_t)len < sizeof(left))
			snprintf(left + len, sizeof(left) - (size_t)len, " %s",
				 o->arg ? o->arg : "VALUE");
		fprintf(out, "%-30s %s", left, vi && o->help_vi ? o->help_vi : o->help_en);
		if (o->def && *o->def)
			fprintf(out, vi ? " (mặc định: %s)" : " (default: %s)", o->def);
		fputc('\n', out);
	}
}

void conf_dump(const struct conf_opt *t, size_t n, const void *base, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_opt *o = &t[i];
		const void *p = (const char *)base + o->offset;

		if (o->cli_only || o->type == CONF_ACTION)
			continue;
		fprintf(out, "%s = ", o->name);
		switch (o->type) {
		case CONF_STR:
			fprintf(out, "%s", *(char *const *)p ? *(char *const *)p : "");
			break;
		case CONF_U64:
		case CONF_SIZE:
		case CONF_DURATION:
			fprintf(out, "%llu", (unsigned long long)*(const uint64_t *)p);
			break;
		case CONF_BOOL:
			fprintf(out, "%s", *(const bool *)p ? "yes" : "no");
			break;
		case CONF_LIST: {
			const struct conf_list *l = p;
			for (size_t j = 0; j < l->n; j++)
				fprintf(out, "%s%s", j ? "," : "", l->v[j]);
			break;
		}
		case CONF_ACTION:
			break;
		}
		fputc('\n', out);
	}
}

void conf_free(const struct conf_opt *t, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_opt *o = &t[i];
		if (o->type == CONF_STR) {
			free(*FIELD(base, o, char *));
			*FIELD(base, o, char *) = NULL;
		} else if (o->type == CONF_LIST) {
			list_clear(FIELD(base, o, struct conf_list));
		}
	}
}

bool conf_lang_vi(void)
{
	const char *vars[] = { "HAIDANG_LANG", "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return !strncmp(v, "vi", 2);
	}
	return false;
}
