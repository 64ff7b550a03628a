/*
 * stats.c - "haidang-rules stats DIR": what the sensor would load from a
 * rules directory: indicators per type, severity and source, allow-list
 * entries, YARA files and rules; as text, or as JSON with --json.
 *
 * The loader's counters give lines, duplicates, expired and bad rows. The
 * index does not hand its entries out, so the tables are made by reading
 * the rows again and looking each one up in the finished index: a row
 * counts when the entry found is the one defined on that row (not a
 * duplicate, not expired, not bad), and then with the entry's own type,
 * severity, source and category, exactly as the sensor will use it. Bad
 * rows are counted, not printed: "check" is the command that lists them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "ioc.h"
#include "yararules.h"
#include "rules.h"
#include "banned.h"

struct count {
	char *name;
	unsigned long n;
};

struct counts {
	struct count *v;
	size_t n;
};

/* what one side (ioc/ or allow/) holds */
struct side {
	unsigned long files;
	struct ioc_load_stats st;
	unsigned long entries, type[IOC__COUNT], sev[IOC_SEV_CRITICAL + 1];
	struct counts sources, categories;
	struct pathlist paths;
};

struct stats {
	const char *dir;
	struct side ioc, allow;
	struct yrr_stats yara;
	unsigned yara_rules;
	unsigned long problems;
};

static void counts_add(struct counts *c, const char *name)
{
	struct count *nv;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name)) {
			c->v[i].n++;
			return;
		}
	nv = realloc(c->v, (c->n + 1) * sizeof(*nv));
	if (!nv)
		return;
	c->v = nv;
	c->v[c->n].name = strdup(name);
	if (!c->v[c->n].name)
		return;
	c->v[c->n++].n = 1;
}

static int cmp_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void counts_free(struct counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
}

static void note_bad(void *arg, const char *file, unsigned line, const char *msg)
{
	(void)arg;
	(void)file;
	(void)line;
	(void)msg;
}

static void note_yara(void *arg, const char *file, unsigned line, const char *msg, bool warning)
{
	(void)arg;
	(void)file;
	(void)line;
	(void)msg;
	(void)warning;
}

static int col(char **f, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(f[i], name))
			return i;
	return -1;
}

/* The entry the index kept for this row, if this row is the one it kept
 * (not a duplicate, not expired, not bad). */
static const struct ioc_entry *kept_entry(const struct ioc_index *x, const char *path,
					  unsigned line, bool allow, const char *type,
					  const char *value)
{
	static char norm[IOC_VALUE_MAX];
	enum ioc_type t;
	struct ioc_hit h;
	const struct ioc_entry *e;

	if (ioc_type_parse(type, &t) || ioc_normalize(t, value, norm, sizeof(norm), NULL))
		return NULL;
	if (t == IOC_IP) {
		struct hd_addr a;
		if (addr_parse(norm, &a))
			return NULL;
		h = ioc_lookup_ip(x, &a);
	} else {
		h = ioc_lookup(x, t, norm);
	}
	e = allow ? h.allow : h.ioc;
	if (!e || e->line != line || strcmp(e->file, path) || e->type != t)
		return NULL;
	return e;
}

/* Counts severity, source and category of the rows the index kept. */
static void count_rows(const struct ioc_index *x, const char *path, bool allow,
		       struct side *side)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int ctype = -1, cval = -1;
	bool header = false;

	if (!f)
		return;
	while (getline(&line, &cap, f) >= 0) {
		char *fields[CSV_MAX_FIELDS], *p = line;
		const struct ioc_entry *e;
		int n;

		lineno++;
		p += strspn(p, " \t");
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		n = csv_split(p, fields, CSV_MAX_FIELDS);
		if (!header) {
			header = true;
			ctype = n > 0 ? col(fields, n, "type") : -1;
			cval = n > 0 ? col(fields, n, "value") : -1;
			if (ctype < 0 || cval < 0)
				break; /* the loader refused the file */
			continue;
		}
		if (n <= ctype || n <= cval)
			continue;
		e = kept_entry(x, path, lineno, allow, fields[ctype], fields[cval]);
		if (!e)
			continue;
		side->entries++;
		side->type[e->type]++;
		side->sev[e->severity]++;
		counts_add(&side->sources, e->source ? e->source : "");
		counts_add(&side->categories, e->category ? e->category : "");
	}
	free(line);
	fclose(f);
}

static void load_side(struct stats *s, struct ioc_index *x, const char *sub, bool allow,
		      struct side *side)
{
	static const char *const exts[] = { ".csv", NULL };
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", s->dir, sub);
	if (rulesdir_list(path, exts, false, &side->paths))
		s->problems++;
	for (size_t i = 0; i < side->paths.n; i++) {
		side->files++;
		ioc_load_file(x, side->paths.v[i], allow, note_bad, s, &side->st);
	}
	s->problems += side->st.errors + side->st.warnings;
}

static void count_side(const struct ioc_index *x, bool allow, struct side *side)
{
	for (size_t i = 0; i < side->paths.n; i++)
		count_rows(x, side->paths.v[i], allow, side);
	qsort(side->sources.v, side->sources.n, sizeof(*side->sources.v), cmp_count);
	qsort(side->categories.v, side->categories.n, sizeof(*side->categories.v), cmp_count);
}

static int name_width(const struct counts *c, int w)
{
	for (size_t i = 0; i < c->n; i++)
		if ((int)strlen(c->v[i].name) > w)
			w = (int)strlen(c->v[i].name);
	return w;
}

static void print_counts(const struct counts *c, int w)
{
	for (size_t i = 0; i < c->n; i++)
		printf("    %-*s %8lu\n", w, *c->v[i].name ? c->v[i].name : "(none)", c->v[i].n);
}

static void print_side(const struct side *d, const char *title_en, const char *title_vi,
		       bool vi)
{
	int w = name_width(&d->categories, name_width(&d->sources, 10));

	printf(vi ? "%s: %lu tệp, %llu dòng, %lu đã nạp, %llu trùng, %llu hết hạn, %llu lỗi, "
		    "%llu cảnh báo\n"
		  : "%s: %lu files, %llu lines, %lu loaded, %llu duplicates, %llu expired, %llu errors, "
		    "%llu warnings\n",
	       vi ? title_vi : title_en, d->files, (unsigned long long)d->st.lines, d->entries,
	       (unsigned long long)d->st.duplicates, (unsigned long long)d->st.expired,
	       (unsigned long long)d->st.errors, (unsigned long long)d->st.warnings);
	printf(vi ? "  theo kiểu:\n" : "  by type:\n");
	for (int t = 0; t < IOC__COUNT; t++)
		if (d->type[t])
			printf("    %-*s %8lu\n", w, ioc_type_name((enum ioc_type)t), d->type[t]);
	printf(vi ? "  theo mức độ:\n" : "  by severity:\n");
	for (int v = IOC_SEV_CRITICAL; v >= IOC_SEV_NONE; v--)
		if (d->sev[v])
			printf("    %-*s %8lu\n", w,
			       v ? ioc_severity_name((enum ioc_severity)v) : "(none)", d->sev[v]);
	printf(vi ? "  theo nguồn:\n" : "  by source:\n");
	print_counts(&d->sources, w);
	printf(vi ? "  theo loại sự cố:\n" : "  by category:\n");
	print_counts(&d->categories, w);
}

static cJSON *json_side(const struct side *d)
{
	cJSON *o = cJSON_CreateObject(), *t = cJSON_CreateObject(), *sv = cJSON_CreateObject(),
	      *src = cJSON_CreateObject(), *cat = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "files", (double)d->files);
	cJSON_AddNumberToObject(o, "lines", (double)d->st.lines);
	cJSON_AddNumberToObject(o, "loaded", (double)d->entries);
	cJSON_AddNumberToObject(o, "duplicates", (double)d->st.duplicates);
	cJSON_AddNumberToObject(o, "expired", (double)d->st.expired);
	cJSON_AddNumberToObject(o, "errors", (double)d->st.errors);
	cJSON_AddNumberToObject(o, "warnings", (double)d->st.warnings);
	for (int i = 0; i < IOC__COUNT; i++)
		if (d->type[i])
			cJSON_AddNumberToObject(t, ioc_type_name((enum ioc_type)i), (double)d->type[i]);
	for (int v = IOC_SEV_CRITICAL; v >= IOC_SEV_NONE; v--)
		if (d->sev[v])
			cJSON_AddNumberToObject(sv, v ? ioc_severity_name((enum ioc_severity)v) : "none",
						(double)d->sev[v]);
	for (size_t i = 0; i < d->sources.n; i++)
		cJSON_AddNumberToObject(src, d->sources.v[i].name, (double)d->sources.v[i].n);
	for (size_t i = 0; i < d->categories.n; i++)
		cJSON_AddNumberToObject(cat, *d->categories.v[i].name ? d->categories.v[i].name : "none",
					(double)d->categories.v[i].n);
	cJSON_AddItemToObject(o, "by_type", t);
	cJSON_AddItemToObject(o, "by_severity", sv);
	cJSON_AddItemToObject(o, "by_source", src);
	cJSON_AddItemToObject(o, "by_category", cat);
	return o;
}

static int print_json(const struct stats *s)
{
	cJSON *root = cJSON_CreateObject(), *y = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(root, "dir", s->dir);
	cJSON_AddItemToObject(root, "ioc", json_side(&s->ioc));
	cJSON_AddItemToObject(root, "allow", json_side(&s->allow));
	cJSON_AddNumberToObject(y, "files", (double)s->yara.files);
	cJSON_AddNumberToObject(y, "files_bad", (double)s->yara.files_bad);
	cJSON_AddNumberToObject(y, "rules", (double)s->yara_rules);
	cJSON_AddNumberToObject(y, "warnings", (double)s->yara.warnings);
	cJSON_AddItemToObject(root, "yara", y);
	cJSON_AddNumberToObject(root, "problems", (double)s->problems);
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return -ENOMEM;
	puts(text);
	cJSON_free(text);
	return 0;
}

static int run_stats(int argc, char **argv, bool vi)
{
	struct stats s = { 0 };
	struct ioc_index *x;
	struct yrr_rules *yr;
	bool json = false;
	char path[4096];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			rules_cmd_usage(&cmd_stats, stdout, vi);
			fputs(vi ? "\n      --json   in dạng JSON\n" : "\n      --json   print JSON\n", stdout);
			return RULES_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (argv[i][0] != '-' && !s.dir) {
			s.dir = argv[i];
		} else {
			rules_cmd_usage(&cmd_stats, stderr, vi);
			return RULES_EXIT_USAGE;
		}
	}
	if (!s.dir) {
		rules_cmd_usage(&cmd_stats, stderr, vi);
		return RULES_EXIT_USAGE;
	}
	if (!rulesdir_is_dir(s.dir)) {
		log_err(vi ? "%s: không phải thư mục" : "%s: not a directory", s.dir);
		return RULES_EXIT_USAGE;
	}
	x = ioc_index_create();
	if (!x || yrr_global_init()) {
		log_err(vi ? "không khởi tạo được" : "initialisation failed");
		ioc_index_destroy(x);
		return RULES_EXIT_USAGE;
	}
	load_side(&s, x, "ioc", false, &s.ioc);
	load_side(&s, x, "allow", true, &s.allow);
	ioc_index_finish(x);
	count_side(x, false, &s.ioc);
	count_side(x, true, &s.allow);
	ioc_index_destroy(x);
	snprintf(path, sizeof(path), "%s/yara", s.dir);
	if (rulesdir_is_dir(path)) {
		yr = yrr_compile_dir(path, note_yara, &s, &s.yara);
		s.yara_rules = yr ? yrr_rules_count(yr) : 0;
		yrr_rules_destroy(yr);
		s.problems += s.yara.files_bad;
	}
	yrr_global_finish();

	if (json) {
		print_json(&s);
	} else {
		printf(vi ? "thư mục luật: %s\n" : "rules directory: %s\n", s.dir);
		print_side(&s.ioc, "indicators", "dấu hiệu (ioc)", vi);
		print_side(&s.allow, "allow list", "danh sách cho phép (allow)", vi);
		printf(vi ? "yara: %llu tệp (%llu lỗi), %u luật, %llu cảnh báo\n"
			  : "yara: %llu files (%llu with errors), %u rules, %llu warnings\n",
		       (unsigned long long)s.yara.files, (unsigned long long)s.yara.files_bad,
		       s.yara_rules, (unsigned long long)s.yara.warnings);
		if (s.problems)
			printf(vi ? "vấn đề: %lu (xem: haidang-rules check %s)\n"
				  : "problems: %lu (see: haidang-rules check %s)\n", s.problems, s.dir);
	}
	for (int i = 0; i < 2; i++) {
		struct side *d = i ? &s.allow : &s.ioc;
		counts_free(&d->sources);
		counts_free(&d->categories);
		pathlist_free(&d->paths);
	}
	return s.problems ? RULES_EXIT_PROBLEMS : RULES_EXIT_OK;
}

const struct rules_cmd cmd_stats = {
	.name = "stats",
	.synopsis = "[--json] DIR",
	.summary_en = "count indicators per type, severity and source, allow entries, YARA files and rules",
	.summary_vi = "đếm dấu hiệu theo kiểu, mức độ và nguồn, mục cho phép, tệp và luật YARA",
	.run = run_stats,
};
