/*
 * yararules.c - the YARA matcher's rule loading and scanning: the match
 * stage runs reassembled stream chunks and extracted files through it,
 * haidang-rules uses it to check rule files.
 *
 * A rules directory is walked (sorted, so the order never depends on the
 * file system), each rule file is read once into memory, compiled alone to
 * find its errors, and the good ones are compiled again together, each in
 * its own namespace. The same bytes feed both passes, so a file being
 * edited meanwhile cannot make the second pass differ from the first
 * (files it includes are read by libyara, each time).
 *
 * This file must never print, never abort on a bad rule file, and never
 * block on something in the rules directory that is not a regular file
 * (a FIFO named x.yar). It is the only includer of yara.h.
 */
#include "yararules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yara.h>

#include "util.h"
#include "banned.h"

struct yrr_rules {
	YR_RULES *rules;
	unsigned count;
	atomic_uint scanners;
};

struct yrr_scanner {
	YR_SCANNER *sc;
	struct yrr_rules *r;
	yrr_match_fn fn;
	void *arg;
	char tags[256];
};

/* One rule file, read into memory. */
struct rfile {
	char *path;     /* as opened: dir/rel */
	char *ns;       /* rel: the namespace */
	char *text;
	size_t len;
	bool bad;
};

struct rlist {
	struct rfile *v;
	size_t n, cap;
};

static const char *const categories[] = {
	"malware", "c2", "webshell", "defacement", "exploit", "phishing",
	"scanning", "mining", "tunnelling", "policy",
};
static const char *const severities[] = { "low", "medium", "high", "critical" };

int yrr_global_init(void)
{
	return yr_initialize() == ERROR_SUCCESS ? 0 : -ENOMEM;
}

void yrr_global_finish(void)
{
	yr_finalize();
}

/* ---- reporting ---------------------------------------------------------- */

struct report_ctx {
	yrr_report_fn fn;
	void *arg;
	bool quiet_warnings;   /* second pass: warnings were reported already */
	unsigned errors, warnings;
};

static void report(struct report_ctx *c, const char *file, unsigned line,
		   bool warning, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(struct report_ctx *c, const char *file, unsigned line,
		   bool warning, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (warning)
		c->warnings++;
	else
		c->errors++;
	if (!c->fn || (warning && c->quiet_warnings))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->fn(c->arg, file, line, msg, warning);
}

static void compiler_cb(int level, const char *file, int line, const YR_RULE *rule,
			const char *message, void *user)
{
	(void)rule;
	report(user, file ? file : "(rules)", line > 0 ? (unsigned)line : 0,
	       level == YARA_ERROR_LEVEL_WARNING, "%s", message);
}

/* ---- meta ----------------------------------------------------------------- */

static const char *pick(const char *const *tab, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(tab[i], s))
			return tab[i];
	return NULL;
}

struct rule_meta {
	const char *severity, *category, *description, *description_vi, *reference;
	const char *bad_severity, *bad_category;   /* present but not valid */
};

static void rule_meta(const YR_RULE *rule, struct rule_meta *m)
{
	const YR_META *meta;
	int64_t score = -1;

	memset(m, 0, sizeof(*m));
	yr_rule_metas_foreach(rule, meta) {
		const char *id = meta->identifier;

		if (meta->type == META_TYPE_INTEGER && !strcmp(id, "score")) {
			score = meta->integer;
			continue;
		}
		if (meta->type != META_TYPE_STRING)
			continue;
		if (!strcmp(id, "severity")) {
			m->severity = pick(severities, ARRAY_SIZE(severities), meta->string);
			if (!m->severity)
				m->bad_severity = meta->string;
		} else if (!strcmp(id, "category")) {
			m->category = pick(categories, ARRAY_SIZE(categories), meta->string);
			if (!m->category)
				m->bad_category = meta->string;
		} else if (!strcmp(id, "description")) {
			m->description = meta->string;
		} else if (!strcmp(id, "description_vi")) {
			m->description_vi = meta->string;
		} else if (!strcmp(id, "reference")) {
			m->reference = meta->string;
		}
	}
	if (!m->severity && !m->bad_severity && score >= 0)
		m->severity = score >= 80 ? "high" : score >= 60 ? "medium" : "low";
}

static bool is_ident(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Line of "rule NAME" in a file's text, 0 if not found. Only for messages. */
static unsigned rule_line(const char *text, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	unsigned line = 1;

	for (size_t i = 0; i + 5 + nlen <= len; i++) {
		size_t j = i + 4;

		if (text[i] == '\n') {
			line++;
			continue;
		}
		if (memcmp(text + i, "rule", 4) || (i > 0 && is_ident(text[i - 1])) ||
		    (text[j] != ' ' && text[j] != '\t'))
			continue;
		while (j < len && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (j + nlen <= len && !memcmp(text + j, name, nlen) &&
		    (j + nlen == len || !is_ident(text[j + nlen])))
			return line;
	}
	return 0;
}

/* Warns about severity/category values we would drop; counts the rules. */
static unsigned lint_rules(YR_RULES *rules, const struct rfile *f, struct report_ctx *c)
{
	const YR_RULE *rule;
	unsigned n = 0;

	yr_rules_foreach(rules, rule) {
		struct rule_meta m;

		n++;
		rule_meta(rule, &m);
		if (m.bad_severity)
			report(c, f->path, rule_line(f->text, f->len, rule->identifier), true,
			       "rule %s: severity \"%s\" is not low, medium, high or critical",
			       rule->identifier, m.bad_severity);
		if (m.bad_category)
			report(c, f->path, rule_line(f->text, f->len, rule->identifier), true,
			       "rule %s: unknown category \"%s\"", rule->identifier,
			       m.bad_category);
	}
	return n;
}

/* ---- reading rule files --------------------------------------------------- */

/* Reads a regular file of at most YRR_MAX_FILE_SIZE bytes; 0 or -errno
 * (-EFBIG, -EISDIR/-EINVAL for "not a regular file"). */
static int read_file(const char *path, char **text, size_t *len)
{
	struct stat sb;
	char *buf = NULL;
	size_t n = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		err = -errno;
		goto out_close;
	}
	if (!S_ISREG(sb.st_mode)) {
		err = S_ISDIR(sb.st_mode) ? -EISDIR : -EINVAL;
		goto out_close;
	}
	if (sb.st_size > (off_t)YRR_MAX_FILE_SIZE) {
		err = -EFBIG;
		goto out_close;
	}
	/* +1: notice a file that grew past the limit while we read it */
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, (size_t)sb.st_size + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto out_free;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)sb.st_size) {  /* grew: read no more than we sized */
			n = (size_t)sb.st_size;
			break;
		}
	}
	*text = buf;
	*len = n;
	close(fd);
	return 0;
out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}

static const char *read_error(int err)
{
	switch (err) {
	case -EFBIG: return "rule file larger than the limit (16 MiB), skipped";
	case -EINVAL: return "not a regular file, skipped";
	default: return strerror(-err);
	}
}

static bool is_rule_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && !strcasecmp(name + n - 4, ".yar")) ||
	       (n > 5 && !strcasecmp(name + n - 5, ".yara"));
}

static int rlist_add(struct rlist *l, const char *path, const char *rel)
{
	struct rfile *f;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct rfile *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	f = &l->v[l->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->ns = strdup(rel);
	if (!f->path || !f->ns) {
		free(f->path);
		free(f->ns);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static void rlist_free(struct rlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].ns);
		free(l->v[i].text);
	}
	free(l->v);
}

struct walk {
	struct rlist *list;
	struct report_ctx *rc;
	uint64_t seen;                  /* rule files found, also the unreadable */
	dev_t dev[YRR_MAX_DEPTH + 1];   /* the directories above: loop check */
	ino_t ino[YRR_MAX_DEPTH + 1];
	bool full;
};

static int skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Byte order, not the locale's collation: the same on every machine. */
static int by_bytes(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk_dir(struct walk *w, const char *path, const char *rel, int depth)
{
	struct dirent **names;
	int n, err = 0;

	n = scandir(path, &names, skip_hidden, by_bytes);
	if (n < 0) {
		report(w->rc, path, 0, true, "cannot read directory: %s, skipped",
		       strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char child[PATH_MAX], crel[PATH_MAX];
		struct stat sb;

		if (err || w->full)
			continue;   /* free the rest */
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", path,
				     path[strlen(path) - 1] == '/' ? "" : "/", name) >= sizeof(child) ||
		    (size_t)snprintf(crel, sizeof(crel), "%s%s%s", rel, *rel ? "/" : "",
				     name) >= sizeof(crel)) {
			report(w->rc, path, 0, true, "path too long below here, skipped");
			continue;
		}
		if (stat(child, &sb) < 0) {
			if (is_rule_name(name)) {
				w->seen++;
				report(w->rc, child, 0, false, "%s, skipped", strerror(errno));
			}
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			bool loop = false;

			for (int d = 0; d <= depth; d++)
				if (w->dev[d] == sb.st_dev && w->ino[d] == sb.st_ino)
					loop = true;
			if (loop) {
				report(w->rc, child, 0, true, "directory loop, skipped");
			} else if (depth + 1 > YRR_MAX_DEPTH) {
				report(w->rc, child, 0, true,
				       "more than %d directories deep, skipped", YRR_MAX_DEPTH);
			} else {
				w->dev[depth + 1] = sb.st_dev;
				w->ino[depth + 1] = sb.st_ino;
				err = walk_dir(w, child, crel, depth + 1);
			}
			continue;
		}
		if (!is_rule_name(name))
			continue;
		if (w->list->n >= YRR_MAX_FILES) {
			report(w->rc, path, 0, false,
			       "more than %d rule files, the rest are skipped", YRR_MAX_FILES);
			w->full = true;
			continue;
		}
		w->seen++;
		err = rlist_add(w->list, child, crel);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

/* ---- compiling ------------------------------------------------------------ */

/* Compiles f alone. Returns the number of errors (or -ENOMEM); *nrules
 * gets the rule count of a good file. */
static int compile_alone(struct rfile *f, struct report_ctx *rc, unsigned *nrules)
{
	YR_COMPILER *comp;
	YR_RULES *rules;
	unsigned before = rc->errors;
	FILE *fp;
	int r;

	*nrules = 0;
	if (f->len == 0) {
		report(rc, f->path, 0, true, "empty rule file");
		return 0;
	}
	if (yr_compiler_create(&comp) != ERROR_SUCCESS)
		return -ENOMEM;
	yr_compiler_set_callback(comp, compiler_cb, rc);
	fp = fmemopen(f->text, f->len, "r");
	if (!fp) {
		yr_compiler_destroy(comp);
		return -ENOMEM;
	}
	yr_compiler_add_file(comp, fp, f->ns, f->path);
	fclose(fp);
	if (rc->errors == before) {
		r = yr_compiler_get_rules(comp, &rules);
		if (r == ERROR_SUCCESS) {
			*nrules = lint_rules(rules, f, rc);
			if (*nrules == 0)
				report(rc, f->path, 0, true, "no rule in this file");
			yr_rules_destroy(rules);
		} else {
			report(rc, f->path, 0, false, "cannot build the rules (libyara error %d)", r);
		}
	}
	yr_compiler_destroy(comp);
	return (int)(rc->errors - before);
}

/* All good files in one compiler. A file failing here (it should not: it
 * compiled alone) is marked bad and the whole pass starts again. */
static int compile_together(struct rlist *l, struct report_ctx *rc, YR_RULES **out,
			    uint64_t *files_bad)
{
	for (;;) {
		YR_COMPILER *comp;
		size_t failed = l->n;
		int r;

		if (yr_compiler_create(&comp) != ERROR_SUCCESS)
			return -ENOMEM;
		yr_compiler_set_callback(comp, compiler_cb, rc);
		for (size_t i = 0; i < l->n && failed == l->n; i++) {
			struct rfile *f = &l->v[i];
			FILE *fp;

			if (f->bad || f->len == 0)
				continue;
			fp = fmemopen(f->text, f->len, "r");
			if (!fp) {
				yr_compiler_destroy(comp);
				return -ENOMEM;
			}
			if (yr_compiler_add_file(comp, fp, f->ns, f->path) != 0)
				failed = i;
			fclose(fp);
		}
		if (failed < l->n) {
			l->v[failed].bad = true;
			(*files_bad)++;
			yr_compiler_destroy(comp);
			continue;
		}
		r = yr_compiler_get_rules(comp, out);
		yr_compiler_destroy(comp);
		return r == ERROR_SUCCESS ? 0 : -ENOMEM;
	}
}

struct yrr_rules *yrr_compile_dir(const char *dir, yrr_report_fn fn, void *arg,
				  struct yrr_stats *stp)
{
	struct report_ctx rc = { .fn = fn, .arg = arg };
	struct yrr_stats dummy, *st = stp ? stp : &dummy;
	struct rlist list = { 0 };
	struct walk w = { .list = &list, .rc = &rc };
	struct yrr_rules *r = NULL;
	YR_RULES *rules = NULL;
	const YR_RULE *rule;
	size_t good = 0;
	struct stat sb;
	int err;

	memset(st, 0, sizeof(*st));
	if (stat(dir, &sb) < 0)
		err = -errno;
	else if (!S_ISDIR(sb.st_mode))
		err = -ENOTDIR;
	else
		err = 0;
	if (err) {
		report(&rc, dir, 0, false, "cannot use as the YARA rules directory: %s",
		       strerror(-err));
		goto out;
	}
	w.dev[0] = sb.st_dev;
	w.ino[0] = sb.st_ino;
	err = walk_dir(&w, dir, "", 0);
	if (err)
		goto out;
	st->files = w.seen;
	st->files_bad = w.seen - list.n;   /* found but unreadable */

	for (size_t i = 0; i < list.n; i++) {
		struct rfile *f = &list.v[i];
		unsigned nrules;
		int e = read_file(f->path, &f->text, &f->len);

		if (e == 0)
			e = compile_alone(f, &rc, &nrules);
		else
			report(&rc, f->path, 0, false, "%s", read_error(e));
		if (e == -ENOMEM) {
			err = -ENOMEM;
			goto out;
		}
		if (e != 0) {
			f->bad = true;
			st->files_bad++;
		} else {
			good++;
		}
	}
	if (st->files == 0) {
		err = -ENODATA;
		report(&rc, dir, 0, false, "no *.yar or *.yara rule file below this directory");
		goto out;
	}
	if (good == 0) {
		err = -EINVAL;
		report(&rc, dir, 0, false, "all %" PRIu64 " rule files are broken",
		       st->files);
		goto out;
	}
	rc.quiet_warnings = true;
	err = compile_together(&list, &rc, &rules, &st->files_bad);
	if (err)
		goto out;
	r = calloc(1, sizeof(*r));
	if (!r) {
		yr_rules_destroy(rules);
		err = -ENOMEM;
		goto out;
	}
	r->rules = rules;
	yr_rules_foreach(rules, rule)
		r->count++;
	st->rules = r->count;
out:
	if (err == -ENOMEM)
		report(&rc, dir, 0, false, "out of memory compiling the rules");
	st->errors = rc.errors;
	st->warnings = rc.warnings;
	st->err = r ? 0 : err;
	rlist_free(&list);
	return r;
}

int yrr_check_file(const char *path, yrr_report_fn fn, void *arg)
{
	struct report_ctx rc = { .fn = fn, .arg = arg };
	struct rfile f = { .path = (char *)path };
	const char *slash = strrchr(path, '/');
	unsigned nrules;
	int e;

	f.ns = (char *)(slash ? slash + 1 : path);
	e = read_file(path, &f.text, &f.len);
	if (e) {
		report(&rc, path, 0, false, "%s", read_error(e));
		return 1;
	}
	e = compile_alone(&f, &rc, &nrules);
	free(f.text);
	if (e < 0) {
		report(&rc, path, 0, false, "out of memory");
		return 1;
	}
	return e;
}

void yrr_rules_destroy(struct yrr_rules *r)
{
	if (!r)
		return;
	yr_rules_destroy(r->rules);
	free(r);
}

unsigned yrr_rules_count(const struct yrr_rules *r)
{
	return r ? r->count : 0;
}

/* ---- scanning ------------------------------------------------------------- */

/* Fills m from a rule's metadata; tags are joined into tags[size]. */
static void match_fill(const YR_RULE *rule, struct yrr_match *m, char *tags, size_t size)
{
	struct rule_meta meta;
	const char *tag;
	size_t used = 0;

	rule_meta(rule, &meta);
	tags[0] = '\0';
	yr_rule_tags_foreach(rule, tag) {
		int k = snprintf(tags + used, size - used, "%s%s", used ? " " : "", tag);

		if (k < 0 || (size_t)k >= size - used) {
			tags[used] = '\0';
			break;   /* keep the tags that fit whole */
		}
		used += (size_t)k;
	}
	*m = (struct yrr_match){
		.rule = rule->identifier,
		.ns = rule->ns->name,
		.severity = meta.severity,
		.category = meta.category,
		.description = meta.description,
		.tags = tags,
		.description_vi = meta.description_vi,
		.reference = meta.reference,
		.string = NULL,
		.offset = -1,
	};
}

void yrr_rules_each(const struct yrr_rules *r, yrr_match_fn fn, void *arg)
{
	const YR_RULE *rule;
	char tags[256];

	if (!r)
		return;
	yr_rules_foreach(r->rules, rule) {
		struct yrr_match m;

		if (RULE_IS_PRIVATE(rule))
			continue;
		match_fill(rule, &m, tags, sizeof(tags));
		if (!fn(arg, &m))
			return;
	}
}

static int scan_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	struct yrr_scanner *s = user;
	const YR_RULE *rule = data;
	const YR_STRING *string;
	struct yrr_match m;

	if (message != CALLBACK_MSG_RULE_MATCHING || !s->fn)
		return CALLBACK_CONTINUE;
	match_fill(rule, &m, s->tags, sizeof(s->tags));
	yr_rule_strings_foreach(rule, string) {
		/* libyara 4.2's notebook hands out YR_MATCHes at unaligned
		 * addresses (each follows a variable-length data copy): read them
		 * by memcpy, not through the pointer. A string's matches come in
		 * offset order, so the first public one is its earliest. */
		const YR_MATCH *p = ctx->matches[string->idx].head;

		while (p) {
			YR_MATCH match;

			memcpy(&match, p, sizeof(match));
			if (!match.is_private) {
				int64_t off = match.base + match.offset;

				if (m.offset < 0 || off < m.offset) {
					m.offset = off;
					m.string = string->identifier;
				}
				break;
			}
			p = match.next;
		}
	}
	return s->fn(s->arg, &m) ? CALLBACK_CONTINUE : CALLBACK_ABORT;
}

struct yrr_scanner *yrr_scanner_create(struct yrr_rules *r, unsigned timeout_s)
{
	struct yrr_scanner *s;

	if (!r)
		return NULL;
	if (atomic_fetch_add(&r->scanners, 1) >= YRR_MAX_SCANNERS)
		goto out_count;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto out_count;
	if (yr_scanner_create(r->rules, &s->sc) != ERROR_SUCCESS)
		goto out_free;
	s->r = r;
	yr_scanner_set_callback(s->sc, scan_cb, s);
	yr_scanner_set_flags(s->sc, SCAN_FLAGS_NO_TRYCATCH | SCAN_FLAGS_REPORT_RULES_MATCHING);
	yr_scanner_set_timeout(s->sc, timeout_s > 86400 ? 86400 : (int)timeout_s);
	return s;
out_free:
	free(s);
out_count:
	atomic_fetch_sub(&r->scanners, 1);
	return NULL;
}

void yrr_scanner_destroy(struct yrr_scanner *s)
{
	if (!s)
		return;
	yr_scanner_destroy(s->sc);
	atomic_fetch_sub(&s->r->scanners, 1);
	free(s);
}

int yrr_scan(struct yrr_scanner *s, const uint8_t *buf, size_t len,
	     yrr_match_fn fn, void *arg)
{
	static const uint8_t empty[1];
	int r;

	if (!buf)
		buf = empty, len = 0;
	s->fn = fn;
	s->arg = arg;
	r = yr_scanner_scan_mem(s->sc, buf, len);
	s->fn = NULL;
	s->arg = NULL;
	switch (r) {
	case ERROR_SUCCESS: return 0;
	case ERROR_SCAN_TIMEOUT: return -ETIMEDOUT;
	case ERROR_INSUFFICIENT_MEMORY: return -ENOMEM;
	default: return -EIO;
	}
}
