/*
 * test_yararules.c - the YARA matcher: the starter rule set compiles with
 * no error and no warning, every rule fires on its positive sample and
 * nothing fires on the benign ones (tests/data/yara-samples/expected.tsv),
 * a broken rule file is reported as FILE:LINE and skipped while the good
 * ones work, hostile rule directories are refused cleanly, a runaway rule
 * times out with -ETIMEDOUT, and two threads scan at once with a scanner
 * each. It ends by printing the starter set's throughput on 64 KiB chunks
 * of the repo's captures and benign samples.
 *
 *     test_yararules [REPO_ROOT]          (else $HAIDANG_SRC, else ../..)
 *     test_yararules --bench [--threads N] [--chunk BYTES] [--rules DIR] PATH...
 *         scans the files (directories recursively) in chunks and prints MB/s
 */
#define _GNU_SOURCE   /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "util.h"
#include "yararules.h"
#include "banned.h"

static char repo[1024];

/* ---- helpers ---------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Everything the report callback was told, one "FILE:LINE: [warning: ]msg"
 * per line. */
struct reports {
	char text[16384];
	size_t len;
	unsigned errors, warnings;
};

static void collect(void *arg, const char *file, unsigned line, const char *msg, bool warning)
{
	struct reports *r = arg;
	int n;

	if (warning)
		r->warnings++;
	else
		r->errors++;
	n = snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s:%u: %s%s\n", file, line,
		     warning ? "warning: " : "", msg);
	if (n > 0 && (size_t)n < sizeof(r->text) - r->len)
		r->len += (size_t)n;
	if (getenv("HAIDANG_TEST_VERBOSE"))
		fprintf(stderr, "report: %s:%u: %s%s\n", file, line, warning ? "warning: " : "", msg);
}

/* Matches of one scan, as a sorted comma-separated list of rule names. */
struct hits {
	char names[64][96];
	char ns[64][96];
	unsigned n;
	bool meta_ok;      /* every match had severity, category, both descriptions */
	bool offsets_ok;   /* string and offset agree */
};

static bool on_match(void *arg, const struct yrr_match *m)
{
	struct hits *h = arg;

	if (h->n < 64) {
		str_copy(h->names[h->n], m->rule, sizeof(h->names[0]));
		str_copy(h->ns[h->n], m->ns, sizeof(h->ns[0]));
		h->n++;
	}
	if (!m->severity || !m->category || !m->description || !m->description_vi || !m->tags)
		h->meta_ok = false;
	if ((m->string == NULL) != (m->offset < 0))
		h->offsets_ok = false;
	return true;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void hits_join(struct hits *h, char *out, size_t size)
{
	size_t used = 0;

	qsort(h->names, h->n, sizeof(h->names[0]), cmp_name);
	out[0] = '\0';
	for (unsigned i = 0; i < h->n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "", h->names[i]);
	if (!h->n)
		str_copy(out, "-", size);
}

static bool has_hit(const struct hits *h, const char *rule, const char *ns)
{
	for (unsigned i = 0; i < h->n; i++)
		if (!strcmp(h->names[i], rule) && (!ns || !strcmp(h->ns[i], ns)))
			return true;
	return false;
}

static void scan_buf(struct yrr_scanner *s, const void *buf, size_t len, struct hits *h, int *rc)
{
	memset(h, 0, sizeof(*h));
	h->meta_ok = h->offsets_ok = true;
	*rc = yrr_scan(s, buf, len, on_match, h);
}

/* ---- the starter set ---------------------------------------------------------- */

struct rule_list {
	char names[256][96];
	unsigned n;
	unsigned meta_missing;
};

static bool list_rule(void *arg, const struct yrr_match *m)
{
	struct rule_list *l = arg;

	if (l->n < 256)
		str_copy(l->names[l->n++], m->rule, sizeof(l->names[0]));
	if (!m->severity || !m->category || !m->description || !m->description_vi || !m->reference) {
		fprintf(stderr, "rule %s (%s): severity, category, description, description_vi "
			"or reference missing or invalid\n", m->rule, m->ns);
		l->meta_missing++;
	}
	return true;
}

static struct yrr_rules *compile_starter(struct yrr_stats *st)
{
	char dir[1100];
	struct reports rep = { 0 };
	struct yrr_rules *r;
	double t0 = now_s();

	snprintf(dir, sizeof(dir), "%s/rules/yara", repo);
	r = yrr_compile_dir(dir, collect, &rep, st);
	printf("starter set: %" PRIu64 " files, %" PRIu64 " rules, %" PRIu64 " broken, "
	       "%" PRIu64 " errors, %" PRIu64 " warnings, compiled in %.0f ms\n",
	       st->files, st->rules, st->files_bad, st->errors, st->warnings,
	       (now_s() - t0) * 1000);
	if (rep.len)
		fprintf(stderr, "%s", rep.text);
	return r;
}

static void test_starter_and_samples(struct yrr_rules *r, const struct yrr_stats *st)
{
	char path[2200], line[1024], got[2048];
	struct rule_list *all = calloc(1, sizeof(*all));
	bool *covered = calloc(256, sizeof(bool));
	struct yrr_scanner *s;
	unsigned npos = 0, nneg = 0;
	FILE *f;

	CHECK(r != NULL);
	if (!r || !all || !covered)
		goto out;
	CHECK(st->files >= 10);
	CHECK(st->files_bad == 0);
	CHECK(st->errors == 0);
	CHECK(st->warnings == 0);
	CHECK(st->err == 0);
	CHECK(st->rules >= 30);
	CHECK(yrr_rules_count(r) == st->rules);

	yrr_rules_each(r, list_rule, all);
	CHECK(all->meta_missing == 0);
	CHECK(all->n >= 30 && all->n < st->rules + 1);

	s = yrr_scanner_create(r, 5);
	CHECK(s != NULL);
	if (!s)
		goto out;
	snprintf(path, sizeof(path), "%s/tests/data/yara-samples/expected.tsv", repo);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *want, *nl;
		struct hits h;
		uint8_t *buf;
		size_t len;
		int rc;

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		want = tab + 1;
		if ((nl = strchr(want, '\n')))
			*nl = '\0';
		snprintf(path, sizeof(path), "%s/tests/data/yara-samples/%s", repo, line);
		buf = read_all(path, &len);
		CHECK(buf != NULL);
		if (!buf) {
			fprintf(stderr, "cannot read %s\n", path);
			continue;
		}
		scan_buf(s, buf, len, &h, &rc);
		CHECK(rc == 0);
		hits_join(&h, got, sizeof(got));
		if (strcmp(got, want)) {
			fprintf(stderr, "%s: matched %s, expected %s\n", line, got, want);
			check_failures++;
		}
		CHECK(h.meta_ok);
		CHECK(h.offsets_ok);
		for (unsigned i = 0; i < h.n; i++)
			for (unsigned j = 0; j < all->n; j++)
				if (!strcmp(h.names[i], all->names[j]))
					covered[j] = true;
		if (strcmp(want, "-"))
			npos++;
		else
			nneg++;
		free(buf);
	}
	if (f)
		fclose(f);
	printf("samples: %u positive, %u negative checked\n", npos, nneg);
	CHECK(npos >= 40 && nneg >= 10);
	for (unsigned j = 0; j < all->n; j++)
		if (!covered[j]) {
			fprintf(stderr, "rule %s has no positive sample\n", all->names[j]);
			check_failures++;
		}

	/* a match reports its namespace, meta and first string */
	{
		static const char oneliner[] = "<?php @eval($_POST['x']); ?>";
		struct hits h;
		int rc;

		scan_buf(s, oneliner, sizeof(oneliner) - 1, &h, &rc);
		CHECK(rc == 0);
		CHECK(has_hit(&h, "webshell_php_eval_request", "webshell/php.yar"));
	}
	/* an empty buffer, and NULL, scan cleanly */
	{
		struct hits h;
		int rc;

		scan_buf(s, NULL, 0, &h, &rc);
		CHECK(rc == 0 && h.n == 0);
		scan_buf(s, "", 0, &h, &rc);
		CHECK(rc == 0 && h.n == 0);
	}
	yrr_scanner_destroy(s);
out:
	free(all);
	free(covered);
}

struct first_match {
	struct yrr_match m;
	char rule[96], ns[96], severity[16], category[16], string[64], tags[128];
	unsigned calls;
};

static bool keep_first(void *arg, const struct yrr_match *m)
{
	struct first_match *fm = arg;

	fm->calls++;
	str_copy(fm->rule, m->rule, sizeof(fm->rule));
	str_copy(fm->ns, m->ns, sizeof(fm->ns));
	str_copy(fm->severity, m->severity ? m->severity : "(null)", sizeof(fm->severity));
	str_copy(fm->category, m->category ? m->category : "(null)", sizeof(fm->category));
	str_copy(fm->string, m->string ? m->string : "(null)", sizeof(fm->string));
	str_copy(fm->tags, m->tags, sizeof(fm->tags));
	fm->m.offset = m->offset;
	return false;   /* stop after the first */
}

static void test_match_fields(struct yrr_rules *r)
{
	/* two rules match this body; the callback stops the scan after one */
	static const char body[] =
		"haidang=@eval(base64_decode($_POST[z0]));&z0=QGluaV9zZXQoImRpc3BsYXlfZXJyb3JzIiwiMCIpOw==";
	struct yrr_scanner *s = yrr_scanner_create(r, 5);
	struct first_match fm = { 0 };

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(yrr_scan(s, (const uint8_t *)body, sizeof(body) - 1, keep_first, &fm) == 0);
	CHECK(fm.calls == 1);
	CHECK_STR(fm.ns, "webshell/php.yar");
	CHECK_STR(fm.severity, "critical");
	CHECK_STR(fm.category, "webshell");
	CHECK_CONTAINS(fm.tags, "webshell");
	CHECK(fm.m.offset >= 8 && fm.m.offset <= 9);   /* "@eval" or "eval" */
	yrr_scanner_destroy(s);
}

/* ---- broken and hostile rule directories ---------------------------------------- */

static const char good_rule[] =
	"rule good_rule : t1 t2\n"
	"{\n"
	"\tmeta:\n"
	"\t\tseverity = \"HIGH\"\n"
	"\t\tcategory = \"exploit\"\n"
	"\t\tdescription = \"good\"\n"
	"\tstrings:\n"
	"\t\t$a = \"haidang-good-marker\"\n"
	"\tcondition:\n"
	"\t\t$a\n"
	"}\n";

/* line 4 is where the parser notices: "condition" is missing its colon */
static const char bad_rule[] =
	"rule bad_rule {\n"
	"\tstrings:\n"
	"\t\t$a = \"x\"\n"
	"\tcondition $a\n"
	"}\n";

static const char nested_rule[] =
	"// same rule name as good.yar: another namespace, so no clash\n"
	"rule good_rule { strings: $b = \"haidang-nested-marker\" condition: $b }\n"
	"rule score_only { meta: score = 75 strings: $c = \"haidang-score-marker\" condition: $c }\n";

static const char meta_warn_rule[] =
	"rule odd_meta\n"
	"{\n"
	"\tmeta:\n"
	"\t\tseverity = \"urgent\"\n"
	"\t\tcategory = \"hacking\"\n"
	"\tcondition:\n"
	"\t\tfalse\n"
	"}\n";

static void test_broken_dir(void)
{
	char dir[] = "/tmp/haidang-yrr-XXXXXX", path[4096];
	struct reports rep = { 0 };
	struct yrr_stats st;
	struct yrr_rules *r;
	struct yrr_scanner *s;
	struct hits h;
	int rc;

	CHECK(mkdtemp(dir) != NULL);
	write_file(dir, "good.yar", good_rule);
	write_file(dir, "bad.yar", bad_rule);
	write_file(dir, "empty.yar", "");
	write_file(dir, "comments.yar", "// rules come later\nimport \"math\"\n");
	write_file(dir, "include-missing.yara", "include \"nowhere.yar\"\nrule inc { condition: true }\n");
	write_file(dir, "meta.yar", meta_warn_rule);
	write_file(dir, ".hidden.yar", "this is not YARA at all\n");   /* skipped: hidden */
	write_file(dir, "notes.txt", "not a rule file\n");            /* skipped: extension */
	write_file(dir, "r\xe9gles-latin1.yar",                       /* not UTF-8 */
		   "rule latin1_name { strings: $a = \"haidang-latin1-marker\" condition: $a }\n");
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/sub/dir", dir);
	CHECK(mkdir(path, 0755) == 0);
	write_file(path, "nested.yara", nested_rule);
	snprintf(path, sizeof(path), "%s/sub/loop", dir);              /* a directory loop */
	CHECK(symlink("..", path) == 0);
	snprintf(path, sizeof(path), "%s/fifo.yar", dir);              /* would block a reader */
	CHECK(mkfifo(path, 0644) == 0);
	snprintf(path, sizeof(path), "%s/dangling.yar", dir);
	CHECK(symlink("/nonexistent/haidang.yar", path) == 0);

	r = yrr_compile_dir(dir, collect, &rep, &st);
	CHECK(r != NULL);
	/* good, bad, empty, comments, include-missing, meta, latin1, nested, fifo,
	 * dangling */
	CHECK(st.files == 10);
	CHECK(st.files_bad == 4);   /* bad, include-missing, fifo, dangling */
	CHECK(st.rules == 5);       /* good_rule x2, score_only, odd_meta, latin1_name */
	CHECK(st.err == 0);
	snprintf(path, sizeof(path), "%s/bad.yar:4: ", dir);
	CHECK_CONTAINS(rep.text, path);
	snprintf(path, sizeof(path), "%s/include-missing.yara:1: ", dir);
	CHECK_CONTAINS(rep.text, path);
	snprintf(path, sizeof(path), "%s/empty.yar:0: warning: empty rule file", dir);
	CHECK_CONTAINS(rep.text, path);
	snprintf(path, sizeof(path), "%s/comments.yar:0: warning: no rule in this file", dir);
	CHECK_CONTAINS(rep.text, path);
	snprintf(path, sizeof(path), "%s/meta.yar:1: warning: rule odd_meta: severity \"urgent\"", dir);
	CHECK_CONTAINS(rep.text, path);
	snprintf(path, sizeof(path), "%s/meta.yar:1: warning: rule odd_meta: unknown category \"hacking\"", dir);
	CHECK_CONTAINS(rep.text, path);
	snprintf(path, sizeof(path), "%s/fifo.yar:0: not a regular file", dir);
	CHECK_CONTAINS(rep.text, path);
	snprintf(path, sizeof(path), "%s/dangling.yar:0: No such file", dir);
	CHECK_CONTAINS(rep.text, path);
	CHECK_CONTAINS(rep.text, "directory loop, skipped");
	CHECK(strstr(rep.text, ".hidden") == NULL);
	CHECK(st.errors == rep.errors);
	CHECK(st.warnings == rep.warnings);

	s = yrr_scanner_create(r, 5);
	CHECK(s != NULL);
	if (s) {
		static const char data[] = "xx haidang-good-marker yy haidang-nested-marker "
					   "haidang-latin1-marker haidang-score-marker";
		struct first_match fm = { 0 };

		scan_buf(s, data, sizeof(data) - 1, &h, &rc);
		CHECK(rc == 0);
		CHECK(h.n == 4);
		CHECK(has_hit(&h, "good_rule", "good.yar"));
		CHECK(has_hit(&h, "good_rule", "sub/dir/nested.yara"));
		CHECK(has_hit(&h, "latin1_name", "r\xe9gles-latin1.yar"));
		CHECK(has_hit(&h, "score_only", "sub/dir/nested.yara"));
		/* severity normalised to lower case; tags joined; score mapped */
		CHECK(yrr_scan(s, (const uint8_t *)"haidang-good-marker", 19, keep_first, &fm) == 0);
		CHECK_STR(fm.severity, "high");
		CHECK_STR(fm.tags, "t1 t2");
		CHECK_STR(fm.string, "$a");
		CHECK(fm.m.offset == 0);
		CHECK(yrr_scan(s, (const uint8_t *)"haidang-score-marker", 20, keep_first, &fm) == 0);
		CHECK_STR(fm.severity, "medium");
		CHECK_STR(fm.category, "(null)");
		yrr_scanner_destroy(s);
	}
	yrr_rules_destroy(r);

	/* haidang-rules check: one file at a time */
	memset(&rep, 0, sizeof(rep));
	snprintf(path, sizeof(path), "%s/bad.yar", dir);
	CHECK(yrr_check_file(path, collect, &rep) >= 1);
	snprintf(path, sizeof(path), "%s/bad.yar:4: ", dir);
	CHECK_CONTAINS(rep.text, path);
	memset(&rep, 0, sizeof(rep));
	snprintf(path, sizeof(path), "%s/good.yar", dir);
	CHECK(yrr_check_file(path, collect, &rep) == 0);
	CHECK(rep.errors == 0 && rep.warnings == 0);
	snprintf(path, sizeof(path), "%s/meta.yar", dir);
	CHECK(yrr_check_file(path, collect, &rep) == 0);
	CHECK(rep.warnings == 2);
	snprintf(path, sizeof(path), "%s/fifo.yar", dir);
	CHECK(yrr_check_file(path, collect, &rep) == 1);
	CHECK(yrr_check_file("/nonexistent/x.yar", NULL, NULL) == 1);

	rm_tree(dir);
}

static void test_hostile_dirs(void)
{
	char dir[] = "/tmp/haidang-yrr-XXXXXX", path[4096];
	struct reports rep = { 0 };
	struct yrr_stats st;

	/* absent */
	CHECK(yrr_compile_dir("/nonexistent/haidang/rules", collect, &rep, &st) == NULL);
	CHECK(st.err == -ENOENT);
	CHECK_CONTAINS(rep.text, "/nonexistent/haidang/rules:0: cannot use as the YARA rules "
			 "directory: No such file or directory");
	/* a file, not a directory; no callback and no stats wanted */
	CHECK(yrr_compile_dir("/etc/hostname", NULL, NULL, NULL) == NULL);
	CHECK(yrr_compile_dir("/etc/hostname", NULL, NULL, &st) == NULL);
	CHECK(st.err == -ENOTDIR);

	CHECK(mkdtemp(dir) != NULL);
	/* empty */
	memset(&rep, 0, sizeof(rep));
	CHECK(yrr_compile_dir(dir, collect, &rep, &st) == NULL);
	CHECK(st.err == -ENODATA && st.files == 0);
	CHECK_CONTAINS(rep.text, "no *.yar or *.yara rule file");
	/* only broken files */
	write_file(dir, "a.yar", bad_rule);
	write_file(dir, "b.yar", "rule {\n");
	memset(&rep, 0, sizeof(rep));
	CHECK(yrr_compile_dir(dir, collect, &rep, &st) == NULL);
	CHECK(st.err == -EINVAL && st.files == 2 && st.files_bad == 2);
	CHECK_CONTAINS(rep.text, "all 2 rule files are broken");
	/* only empty files: an empty rule set, not an error */
	rm_tree(dir);
	CHECK(mkdir(dir, 0700) == 0);
	write_file(dir, "empty.yar", "");
	{
		struct yrr_rules *r = yrr_compile_dir(dir, NULL, NULL, &st);
		struct yrr_scanner *s = yrr_scanner_create(r, 1);
		struct hits h;
		int rc;

		CHECK(r != NULL && st.rules == 0 && st.warnings == 1);
		CHECK(s != NULL);
		if (s) {
			scan_buf(s, "abc", 3, &h, &rc);
			CHECK(rc == 0 && h.n == 0);
		}
		yrr_scanner_destroy(s);
		yrr_rules_destroy(r);
	}
	/* binary garbage and an oversized file */
	write_file(dir, "garbage.yar", "\xff\xfe\x00rule \x80\x81 {");
	snprintf(path, sizeof(path), "%s/huge.yar", dir);
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		CHECK(fd >= 0 && ftruncate(fd, (off_t)YRR_MAX_FILE_SIZE + 1) == 0);
		if (fd >= 0)
			close(fd);
	}
	memset(&rep, 0, sizeof(rep));
	{
		struct yrr_rules *r = yrr_compile_dir(dir, collect, &rep, &st);

		CHECK(r != NULL);   /* empty.yar still counts as a good file */
		yrr_rules_destroy(r);
	}
	CHECK(st.files == 3 && st.files_bad == 2);
	CHECK_CONTAINS(rep.text, "larger than the limit");
	rm_tree(dir);
	yrr_rules_destroy(NULL);
	yrr_scanner_destroy(NULL);
}

/* ---- timeout ---------------------------------------------------------------------- */

static void test_timeout(void)
{
	char dir[] = "/tmp/haidang-yrr-XXXXXX";
	struct yrr_rules *r;
	struct yrr_scanner *s;
	const size_t len = 4u << 20;
	uint8_t *buf = calloc(1, len);
	struct hits h;
	double t0, dt;
	int rc;

	CHECK(mkdtemp(dir) != NULL);
	/* quadratic in the buffer size, and never true: 4 MiB is ~10^13 steps */
	write_file(dir, "slow.yar",
		   "rule runaway { condition: for any i in (0..filesize - 1) : "
		   "(for any j in (0..filesize - 1) : (uint8(i) + uint8(j) == 600)) }\n"
		   "rule quick { strings: $a = \"haidang\" condition: $a }\n");
	r = yrr_compile_dir(dir, NULL, NULL, NULL);
	CHECK(r != NULL);
	s = yrr_scanner_create(r, 1);
	CHECK(s != NULL && buf != NULL);
	if (s && buf) {
		memcpy(buf, "haidang", 7);
		t0 = now_s();
		scan_buf(s, buf, len, &h, &rc);
		dt = now_s() - t0;
		printf("timeout: runaway rule stopped after %.2f s (limit 1 s), rc %d\n", dt, rc);
		CHECK(rc == -ETIMEDOUT);
		CHECK(dt >= 0.9 && dt < 10);
		CHECK(h.n == 0);   /* libyara reports nothing for a scan that timed out */
		/* the scanner is still usable */
		scan_buf(s, "xx haidang", 10, &h, &rc);
		CHECK(rc == 0 && h.n == 1 && has_hit(&h, "quick", "slow.yar"));
	}
	yrr_scanner_destroy(s);
	yrr_rules_destroy(r);
	free(buf);
	rm_tree(dir);
}

/* ---- threads ---------------------------------------------------------------------- */

struct sample {
	uint8_t *buf;
	size_t len;
};

struct worker {
	struct yrr_rules *r;
	struct sample *samples;
	unsigned nsamples, rounds;
	unsigned long matches;
	int errors;
};

static bool count_match(void *arg, const struct yrr_match *m)
{
	(void)m;
	((struct worker *)arg)->matches++;
	return true;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct yrr_scanner *s = yrr_scanner_create(w->r, 5);

	if (!s) {
		w->errors++;
		return NULL;
	}
	for (unsigned k = 0; k < w->rounds; k++)
		for (unsigned i = 0; i < w->nsamples; i++)
			if (yrr_scan(s, w->samples[i].buf, w->samples[i].len, count_match, w))
				w->errors++;
	yrr_scanner_destroy(s);
	return NULL;
}

static unsigned load_samples(struct sample *out, unsigned max)
{
	char path[1400];
	unsigned n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/tests/data/yara-samples/positive", repo);
	d = opendir(path);
	CHECK(d != NULL);
	while (d && (e = readdir(d)) && n < max) {
		char p[2800];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		out[n].buf = read_all(p, &out[n].len);
		if (out[n].buf)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static void test_threads(struct yrr_rules *r)
{
	struct sample samples[128];
	unsigned n = load_samples(samples, 128);
	struct worker one = { .r = r, .samples = samples, .nsamples = n, .rounds = 1 };
	struct worker w[2];
	pthread_t t[2];
	struct yrr_scanner *many[YRR_MAX_SCANNERS + 1];

	CHECK(n >= 40);
	worker_run(&one);
	CHECK(one.errors == 0 && one.matches >= n);
	for (int i = 0; i < 2; i++) {
		w[i] = one;
		w[i].matches = 0;
		w[i].rounds = 20;
		CHECK(pthread_create(&t[i], NULL, worker_run, &w[i]) == 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CHECK(w[i].errors == 0);
		CHECK(w[i].matches == one.matches * 20);
	}
	printf("threads: 2 x %u scans, %lu + %lu matches (%lu each expected)\n",
	       20 * n, w[0].matches, w[1].matches, one.matches * 20);

	/* at most YRR_MAX_SCANNERS live scanners per rule set */
	for (int i = 0; i < YRR_MAX_SCANNERS; i++) {
		many[i] = yrr_scanner_create(r, 1);
		CHECK(many[i] != NULL);
	}
	CHECK(yrr_scanner_create(r, 1) == NULL);
	yrr_scanner_destroy(many[0]);
	many[0] = yrr_scanner_create(r, 1);
	CHECK(many[0] != NULL);
	for (int i = 0; i < YRR_MAX_SCANNERS; i++)
		yrr_scanner_destroy(many[i]);
	for (unsigned i = 0; i < n; i++)
		free(samples[i].buf);
}

/* ---- throughput ----------------------------------------------------------------------- */

struct corpus {
	uint8_t *buf;
	size_t len, cap;
};

static struct corpus *bench_corpus;

static int add_file(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	struct corpus *c = bench_corpus;
	uint8_t *data;
	size_t len;

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(sb->st_mode))
		return 0;
	data = read_all(path, &len);
	if (!data)
		return 0;
	if (c->len + len > c->cap) {
		size_t cap = (c->len + len) * 2;
		uint8_t *nb = realloc(c->buf, cap);

		if (!nb) {
			free(data);
			return 1;
		}
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, data, len);
	c->len += len;
	free(data);
	return 0;
}

struct bench_worker {
	struct yrr_rules *r;
	const uint8_t *buf;
	size_t len, chunk;
	unsigned long matches, scans, timeouts;
};

static void *bench_run(void *arg)
{
	struct bench_worker *w = arg;
	struct yrr_scanner *s = yrr_scanner_create(w->r, 10);

	if (!s)
		return NULL;
	for (size_t off = 0; off < w->len; off += w->chunk) {
		size_t n = w->len - off < w->chunk ? w->len - off : w->chunk;
		struct worker cw = { 0 };

		if (yrr_scan(s, w->buf + off, n, count_match, &cw) == -ETIMEDOUT)
			w->timeouts++;
		w->matches += cw.matches;
		w->scans++;
	}
	yrr_scanner_destroy(s);
	return NULL;
}

/* Scans c in chunks, split over nthreads; returns MB/s (10^6 bytes). */
static double bench(struct yrr_rules *r, const struct corpus *c, size_t chunk, unsigned nthreads,
		    unsigned long *matches)
{
	struct bench_worker w[16];
	pthread_t t[16];
	size_t per = (c->len / nthreads / chunk + 1) * chunk;
	double t0 = now_s(), dt;

	*matches = 0;
	for (unsigned i = 0; i < nthreads; i++) {
		size_t off = per * i < c->len ? per * i : c->len;

		w[i] = (struct bench_worker){ .r = r, .buf = c->buf + off, .chunk = chunk,
					      .len = c->len - off < per ? c->len - off : per };
		pthread_create(&t[i], NULL, bench_run, &w[i]);
	}
	for (unsigned i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		*matches += w[i].matches;
	}
	dt = now_s() - t0;
	return c->len / 1e6 / dt;
}

static void test_throughput(struct yrr_rules *r)
{
	struct corpus c = { 0 };
	const size_t target = 32u << 20;
	char path[1400];
	unsigned long m64, m1500;
	double mbs64, mbs1500;
	size_t base;

	/* the repo's own captures (headers and all) and the benign samples,
	 * repeated to 32 MiB: the agency traffic the rules meet every day */
	bench_corpus = &c;
	snprintf(path, sizeof(path), "%s/tests/data", repo);
	{
		DIR *d = opendir(path);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			size_t n = strlen(e->d_name);
			char p[2800];

			if (n > 5 && !strcmp(e->d_name + n - 5, ".pcap")) {
				struct stat sb;

				snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
				if (stat(p, &sb) == 0)
					add_file(p, &sb, FTW_F, NULL);
			}
		}
		if (d)
			closedir(d);
	}
	snprintf(path, sizeof(path), "%s/tests/data/yara-samples/negative", repo);
	nftw(path, add_file, 16, FTW_PHYS);
	CHECK(c.len > 100000);
	if (c.len == 0)
		return;
	base = c.len;
	while (c.len < target) {
		size_t n = base < target - c.len ? base : target - c.len;

		if (c.len + n > c.cap) {
			uint8_t *nb = realloc(c.buf, target);

			if (!nb)
				break;
			c.buf = nb;
			c.cap = target;
		}
		memcpy(c.buf + c.len, c.buf, n);
		c.len += n;
	}
	mbs64 = bench(r, &c, 65536, 1, &m64);
	mbs1500 = bench(r, &c, 1500, 1, &m1500);
	printf("throughput (%u rules, %.1f MB of captures + benign samples, 1 thread): "
	       "64 KiB chunks %.0f MB/s, 1500-byte chunks %.0f MB/s; matches %lu / %lu\n",
	       yrr_rules_count(r), c.len / 1e6, mbs64, mbs1500, m64, m1500);
	CHECK(m64 == 0 && m1500 == 0);   /* benign: nothing may fire */
	free(c.buf);
}

/* ---- --bench ---------------------------------------------------------------------------- */

static int bench_main(int argc, char **argv)
{
	const char *rules_dir = NULL;
	char dflt[1100];
	unsigned nthreads = 1;
	size_t chunk = 65536;
	struct corpus c = { 0 };
	struct yrr_stats st;
	struct yrr_rules *r;
	struct reports rep = { 0 };
	unsigned long matches;
	int i;

	for (i = 2; i < argc; i++) {
		uint64_t v;

		if (!strcmp(argv[i], "--threads") && i + 1 < argc &&
		    parse_u64(argv[i + 1], 1, 16, &v) == 0)
			nthreads = (unsigned)v, i++;
		else if (!strcmp(argv[i], "--chunk") && i + 1 < argc &&
			 parse_size(argv[i + 1], &v) == 0 && v > 0)
			chunk = (size_t)v, i++;
		else if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			rules_dir = argv[++i];
		else
			break;
	}
	if (!rules_dir) {
		snprintf(dflt, sizeof(dflt), "%s/rules/yara", repo);
		rules_dir = dflt;
	}
	bench_corpus = &c;
	for (; i < argc; i++)
		nftw(argv[i], add_file, 16, FTW_PHYS);
	if (!c.len) {
		fprintf(stderr, "--bench: nothing to scan\n");
		return 2;
	}
	r = yrr_compile_dir(rules_dir, collect, &rep, &st);
	fprintf(stderr, "%s", rep.text);
	if (!r)
		return 1;
	for (int pass = 0; pass < 2; pass++) {   /* first pass warms the caches */
		double mbs = bench(r, &c, chunk, nthreads, &matches);

		if (pass)
			printf("%s: %" PRIu64 " files, %u rules; %.1f MB in %zu-byte chunks, "
			       "%u thread(s): %.0f MB/s, %lu matches\n", rules_dir, st.files,
			       yrr_rules_count(r), c.len / 1e6, chunk, nthreads, mbs, matches);
	}
	yrr_rules_destroy(r);
	free(c.buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *src = getenv("HAIDANG_SRC");
	struct yrr_stats st;
	struct yrr_rules *r;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "--bench"))
		src = argv[1];
	str_copy(repo, src && *src ? src : "../..", sizeof(repo));
	if (yrr_global_init()) {
		fprintf(stderr, "yrr_global_init failed\n");
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		rc = bench_main(argc, argv);
		yrr_global_finish();
		return rc;
	}

	r = compile_starter(&st);
	test_starter_and_samples(r, &st);
	if (r) {
		test_match_fields(r);
		test_threads(r);
		test_throughput(r);
	}
	yrr_rules_destroy(r);
	test_broken_dir();
	test_hostile_dirs();
	test_timeout();
	yrr_global_finish();
	return CHECK_DONE();
}
