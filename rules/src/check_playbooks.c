/*
 * check_playbooks.c - "haidang-rules check-playbooks DIR": every problem
 * in a directory of response playbooks (CACAO 2.0 subset, docs/playbooks.md),
 * one per line as "FILE: JSON-PATH: message" on standard output, exit 1
 * if any; then a summary on standard error: how many playbooks and
 * checklist steps loaded, which categories they cover and which
 * categories have no playbook.
 *
 * The checks are those of common/playbook.c, the loader the console
 * uses, so "check-playbooks passes" means "the console loads every
 * playbook". Nothing here writes to DIR.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "category.h"
#include "log.h"
#include "playbook.h"
#include "rules.h"
#include "banned.h"

struct pbcheck {
	unsigned long problems;
};

static void report(void *arg, const char *file, const char *path, const char *msg)
{
	struct pbcheck *c = arg;

	c->problems++;
	printf("%s: %s: %s\n", file, path, msg);
}

static void summary(const struct playbook_set *set, const struct pbcheck *c, const char *dir,
		    bool vi)
{
	char covered[1024] = "", missing[1024] = "";
	size_t steps = 0, ncov = 0, nmiss = 0;

	for (size_t i = 0; i < set->n; i++)
		steps += set->v[i]->nsteps;
	for (const struct category *cat = category_table; cat->name; cat++) {
		bool has = playbook_set_for_category(set, cat->name) != NULL;
		char *buf = has ? covered : missing;
		size_t len = strlen(buf);

		snprintf(buf + len, sizeof(covered) - len, "%s%s", len ? ", " : "", cat->name);
		if (has)
			ncov++;
		else
			nmiss++;
	}
	log_info(vi ? "%s: %zu quy trình, %zu bước, %lu vấn đề"
		    : "%s: %zu playbooks, %zu steps, %lu problems",
		 dir, set->n, steps, c->problems);
	log_info(vi ? "nhóm sự cố có quy trình (%zu): %s" : "categories covered (%zu): %s",
		 ncov, ncov ? covered : "-");
	log_info(vi ? "nhóm sự cố chưa có quy trình (%zu): %s" : "categories with no playbook (%zu): %s",
		 nmiss, nmiss ? missing : "-");
}

static int run_check_playbooks(int argc, char **argv, bool vi)
{
	struct playbook_set set = { 0 };
	struct pbcheck c = { 0 };
	int r;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		rules_cmd_usage(&cmd_check_playbooks, stdout, vi);
		fputs(vi ? "\nKiểm tra mọi tệp DIR/*.json theo tập con CACAO 2.0 của haidang (docs/playbooks.md).\n"
			   "Mỗi vấn đề một dòng TỆP: ĐƯỜNG-DẪN-JSON: thông báo trên đầu ra chuẩn; mã thoát 1 nếu có.\n"
			   "Tóm tắt (số quy trình, số bước, nhóm sự cố có và chưa có quy trình) trên đầu ra lỗi.\n"
			 : "\nChecks every DIR/*.json file against haidang's subset of CACAO 2.0 (docs/playbooks.md).\n"
			   "Each problem is one line FILE: JSON-PATH: message on standard output; exit 1 if any.\n"
			   "A summary (playbooks, steps, categories covered and not) goes to standard error.\n",
		      stdout);
		return RULES_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		rules_cmd_usage(&cmd_check_playbooks, stderr, vi);
		return RULES_EXIT_USAGE;
	}
	if (!rulesdir_is_dir(argv[1])) {
		log_err(vi ? "%s: không phải thư mục" : "%s: not a directory", argv[1]);
		return RULES_EXIT_USAGE;
	}
	r = playbook_load_dir(argv[1], report, &c, &set);
	fflush(stdout);
	summary(&set, &c, argv[1], vi);
	playbook_set_finish(&set);
	if (r && r != -EINVAL) {
		/* the directory itself could not be read (reported above), or no memory */
		log_err(vi ? "%s: không đọc được" : "%s: cannot be read", argv[1]);
		return RULES_EXIT_USAGE;
	}
	return c.problems || r ? RULES_EXIT_PROBLEMS : RULES_EXIT_OK;
}

const struct rules_cmd cmd_check_playbooks = {
	.name = "check-playbooks",
	.synopsis = "DIR",
	.summary_en = "report every problem in the playbooks in DIR as FILE: JSON-PATH: message; exit 1 if any",
	.summary_vi = "báo mọi vấn đề trong các quy trình ứng cứu ở DIR dạng TỆP: ĐƯỜNG-DẪN-JSON: thông báo; mã thoát 1 nếu có",
	.run = run_check_playbooks,
};
