/*
 * check.c - "haidang-rules check DIR": every problem in a rules directory,
 * one per line as FILE:LINE: message on standard output, exit 1 if any.
 *
 * Each kind of rule file has one checker in checkers[]; a checker loads
 * its files with the same library code the sensor uses (ioc_load_file,
 * yrr_check_file, policy_load), so "check passes" means "the sensor loads
 * every line". A new kind of rule file is one more function and one
 * more row. (Playbooks live outside the rules directory and have their
 * own command, check_playbooks.c.) Warnings (a slow YARA string) are printed
 * with "warning:" and do not fail the check. Nothing here writes to DIR.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "ioc.h"
#include "policy.h"
#include "yararules.h"
#include "rules.h"
#include "banned.h"

struct check {
	const char *dir;
	bool vi;
	unsigned long files, problems, warnings, notices;
	struct ioc_index *ioc;   /* shared by ioc/ and allow/, as the sensor loads them */
};

static void problem(struct check *c, const char *file, unsigned line, const char *msg,
		    bool warning)
{
	if (warning)
		c->warnings++;
	else
		c->problems++;
	if (line)
		printf("%s:%u: %s%s\n", file, line, warning ? "warning: " : "", msg);
	else
		printf("%s: %s%s\n", file, warning ? "warning: " : "", msg);
}

static void ioc_report(void *arg, const char *file, unsigned line, const char *msg)
{
	problem(arg, file, line, msg, false);
}

static void yara_report(void *arg, const char *file, unsigned line, const char *msg, bool warning)
{
	problem(arg, file, line, msg, warning);
}

static int list(struct check *c, const char *sub, const char *const *exts, bool recursive,
		struct pathlist *out)
{
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%s", c->dir, sub);
	r = rulesdir_list(path, exts, recursive, out);
	if (r) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s", strerror(-r));
		problem(c, path, 0, msg, false);
	}
	return r;
}

static void load_csvs(struct check *c, const char *sub, bool allow)
{
	static const char *const exts[] = { ".csv", NULL };
	struct pathlist l = { 0 };

	list(c, sub, exts, false, &l);
	for (size_t i = 0; i < l.n; i++) {
		struct ioc_load_stats st = { 0 };
		unsigned long before = c->problems;

		c->files++;
		/* Every message went out through ioc_report and was counted as a
		 * problem; the loader's own counters say what they were: bad
		 * lines or files (errors), lines loaded with a warning (an
		 * unknown category: a problem too, it is a typo to fix), and
		 * the notice about expired indicators, which is not one. */
		ioc_load_file(c->ioc, l.v[i], allow, ioc_report, c, &st);
		c->problems = before;
		c->problems += st.errors + st.warnings;
		if (st.expired)
			c->notices++;
	}
	pathlist_free(&l);
}

static void check_ioc(struct check *c)
{
	load_csvs(c, "ioc", false);
}

static void check_allow(struct check *c)
{
	load_csvs(c, "allow", true);
}

static void check_yara(struct check *c)
{
	static const char *const exts[] = { ".yar", ".yara", NULL };
	struct pathlist l = { 0 };

	list(c, "yara", exts, true, &l);
	for (size_t i = 0; i < l.n; i++) {
		c->files++;
		yrr_check_file(l.v[i], yara_report, c);
	}
	pathlist_free(&l);
}

static void check_policy(struct check *c)
{
	char path[4096], err[CONF_ERRLEN];
	struct policy p = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/policy.conf", c->dir);
	f = fopen(path, "r");
	if (!f)
		return; /* optional: the defaults apply */
	fclose(f);
	c->files++;
	/* conf_load_file stops at the first bad line: one problem at most */
	if (policy_load(&p, path, err, sizeof(err))) {
		c->problems++;
		printf("%s\n", err);
	}
	conf_free(policy_opts, policy_nopts, &p);
}

/* One row per kind of rule file: a checker reporting through problem(). */
static const struct checker {
	const char *what;
	void (*run)(struct check *c);
} checkers[] = {
	{ "ioc/*.csv", check_ioc },
	{ "allow/*.csv", check_allow },
	{ "yara/**.yar", check_yara },
	{ "policy.conf", check_policy },
};

static int run_check(int argc, char **argv, bool vi)
{
	struct check c = { .vi = vi };

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		rules_cmd_usage(&cmd_check, stdout, vi);
		fputs(vi ? "\nKiểm tra ioc/*.csv, allow/*.csv, yara/**.yar (từng tệp riêng) và policy.conf.\n"
			   "Mỗi vấn đề một dòng TỆP:DÒNG: thông báo trên đầu ra chuẩn; mã thoát 1 nếu có.\n"
			 : "\nChecks ioc/*.csv, allow/*.csv, yara/**.yar (each file alone) and policy.conf.\n"
			   "Each problem is one line FILE:LINE: message on standard output; exit 1 if any.\n",
		      stdout);
		return RULES_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		rules_cmd_usage(&cmd_check, stderr, vi);
		return RULES_EXIT_USAGE;
	}
	c.dir = argv[1];
	if (!rulesdir_is_dir(c.dir)) {
		log_err(vi ? "%s: không phải thư mục" : "%s: not a directory", c.dir);
		return RULES_EXIT_USAGE;
	}
	c.ioc = ioc_index_create();
	if (!c.ioc || yrr_global_init()) {
		log_err(vi ? "không khởi tạo được" : "initialisation failed");
		ioc_index_destroy(c.ioc);
		return RULES_EXIT_USAGE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(checkers); i++)
		checkers[i].run(&c);
	ioc_index_destroy(c.ioc);
	yrr_global_finish();
	fflush(stdout);
	log_info(vi ? "%s: %lu tệp, %lu vấn đề, %lu cảnh báo"
		    : "%s: %lu files, %lu problems, %lu warnings",
		 c.dir, c.files, c.problems, c.warnings);
	return c.problems ? RULES_EXIT_PROBLEMS : RULES_EXIT_OK;
}

const struct rules_cmd cmd_check = {
	.name = "check",
	.synopsis = "DIR",
	.summary_en = "report every problem in the rules directory DIR as FILE:LINE: message; exit 1 if any",
	.summary_vi = "báo mọi vấn đề trong thư mục luật DIR dạng TỆP:DÒNG: thông báo; mã thoát 1 nếu có",
	.run = run_check,
};
