/*
 * main.c - haidang-rules: the tool that keeps a rules directory healthy.
 * "check" finds every broken line, "check-playbooks" every problem in the
 * response playbooks, "stats" counts what is loaded, and
 * "import" converts public feeds (MISP, STIX 2.1, plain lists, Maltrail
 * trails, abuse.ch CSV) into haidang's indicator CSV; "lookup" tells
 * whether the sensor would match a value, and on which rule line.
 *
 * This file only picks the command from cmd_table[] and handles the
 * options that come before it; each command lives in its own file and
 * parses its own options. It never touches the sensor.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "conf.h"
#include "version.h"
#include "rules.h"
#include "banned.h"

static const struct rules_cmd *const cmd_table[] = {
	&cmd_check,
	&cmd_check_playbooks,
	&cmd_stats,
	&cmd_import,
	&cmd_lookup,
};

void rules_cmd_usage(const struct rules_cmd *c, FILE *out, bool vi)
{
	fprintf(out, vi ? "Cách dùng: haidang-rules %s %s\n%s\n"
			: "Usage: haidang-rules %s %s\n%s\n",
		c->name, c->synopsis, vi ? c->summary_vi : c->summary_en);
}

static void usage(FILE *out, bool vi)
{
	fputs(vi ? "Cách dùng: haidang-rules LỆNH [ĐỐI SỐ]...\n"
		   "Kiểm tra, thống kê và nhập luật của haidang (IOC, danh sách cho phép, YARA).\n\n"
		   "Các lệnh:\n"
		 : "Usage: haidang-rules COMMAND [ARGUMENT]...\n"
		   "Check, count and import haidang's rules (indicators, allow list, YARA).\n\n"
		   "Commands:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(cmd_table); i++) {
		const struct rules_cmd *c = cmd_table[i];
		char left[256];

		snprintf(left, sizeof(left), "%s %s", c->name, c->synopsis);
		fprintf(out, "  %s\n      %s\n", left, vi ? c->summary_vi : c->summary_en);
	}
	fputs(vi ? "\nTùy chọn chung:\n"
		   "  -h, --help      in trợ giúp này rồi thoát (LỆNH --help: trợ giúp của lệnh)\n"
		   "      --version   in phiên bản rồi thoát\n\n"
		   "Mã thoát: 0 không có lỗi, 1 có vấn đề (dòng luật hỏng, dữ liệu nhập không dùng được),\n"
		   "2 sai cách dùng hoặc không đọc được thư mục/tệp.\n"
		   "Tiếng Việt khi LANG (hoặc LC_ALL, LC_MESSAGES, HAIDANG_LANG) bắt đầu bằng vi.\n"
		 : "\nGeneral options:\n"
		   "  -h, --help      show this help and exit (COMMAND --help: the command's help)\n"
		   "      --version   show the version and exit\n\n"
		   "Exit status: 0 nothing wrong, 1 problems found (bad rule lines, unusable input),\n"
		   "2 usage error or unreadable directory/file.\n"
		   "Messages are in Vietnamese when LANG (or LC_ALL, LC_MESSAGES, HAIDANG_LANG) starts with vi.\n",
	      out);
}

int main(int argc, char **argv)
{
	bool vi = conf_lang_vi();

	log_init("haidang-rules", LOG_LVL_INFO);
	if (argc < 2) {
		usage(stderr, vi);
		return RULES_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout, vi);
		return RULES_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("haidang-rules %s\n", HAIDANG_VERSION);
		return RULES_EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmd_table); i++)
		if (!strcmp(argv[1], cmd_table[i]->name))
			return cmd_table[i]->run(argc - 1, argv + 1, vi);
	log_err(vi ? "lệnh không rõ '%s' (xem --help)" : "unknown command '%s' (see --help)",
		argv[1]);
	return RULES_EXIT_USAGE;
}
