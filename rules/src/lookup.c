/*
 * lookup.c - "haidang-rules lookup DIR TYPE VALUE...": would the sensor
 * match these values, and on which rule line? Loads DIR's indicators and
 * allow list into the same index the sensor builds and asks it the way
 * the sensor does (an address finds its CIDR, a host finds a parent
 * domain, a URL finds a directory above it). For an analyst checking an
 * observable from a report, and for the ground-truth test of the starter
 * set. Exit 0 when every value matched an indicator, 1 when one did not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ioc.h"
#include "util.h"
#include "rules.h"
#include "banned.h"

static void quiet_report(void *arg, const char *file, unsigned line, const char *msg)
{
	unsigned long *bad = arg;

	(void)file;
	(void)line;
	(void)msg;
	(*bad)++;
}

static void print_entry(const char *kind, const struct ioc_entry *e)
{
	printf("  %s %s:%u: %s %s %s %s", kind, e->file, e->line, ioc_type_name(e->type), e->value,
	       e->severity ? ioc_severity_name(e->severity) : "-", e->source);
	if (e->category)
		printf(" category=%s", e->category);
	if (*e->description)
		printf(" \"%s\"", e->description);
	putchar('\n');
}

static int run_lookup(int argc, char **argv, bool vi)
{
	struct ioc_load_stats st = { 0 };
	struct ioc_index *x;
	unsigned long bad = 0;
	enum ioc_type t;
	int missing = 0;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		rules_cmd_usage(&cmd_lookup, stdout, vi);
		fputs(vi ? "\nMỗi giá trị in một dòng: match/allowed/no match, rồi dòng luật khớp (TỆP:DÒNG).\n"
			   "Mã thoát 0 khi mọi giá trị khớp một dấu hiệu, 1 khi có giá trị không khớp.\n"
			 : "\nEach value prints one line: match/allowed/no match, then the rule lines\n"
			   "that matched (FILE:LINE). Exit 0 when every value matched an indicator, 1 otherwise.\n",
		      stdout);
		return RULES_EXIT_OK;
	}
	if (argc < 4) {
		rules_cmd_usage(&cmd_lookup, stderr, vi);
		return RULES_EXIT_USAGE;
	}
	if (ioc_type_parse(argv[2], &t)) {
		log_err(vi ? "kiểu không rõ '%s'" : "unknown type '%s'", argv[2]);
		return RULES_EXIT_USAGE;
	}
	if (!rulesdir_is_dir(argv[1])) {
		log_err(vi ? "%s: không phải thư mục" : "%s: not a directory", argv[1]);
		return RULES_EXIT_USAGE;
	}
	x = ioc_index_create();
	if (!x) {
		log_err(vi ? "hết bộ nhớ" : "out of memory");
		return RULES_EXIT_USAGE;
	}
	ioc_load_rules_dir(x, argv[1], quiet_report, &bad, &st);
	ioc_index_finish(x);
	if (bad)
		log_warn(vi ? "%s: %lu dòng luật có vấn đề (xem: haidang-rules check)"
			    : "%s: %lu rule lines with problems (see: haidang-rules check)", argv[1], bad);
	for (int i = 3; i < argc; i++) {
		const char *v = argv[i];
		struct ioc_hit h = { 0 };
		struct hd_addr a;

		switch (t) {
		case IOC_IP:
			if (!addr_parse(v, &a))
				h = ioc_lookup_ip(x, &a);
			break;
		case IOC_DOMAIN:
			h = ioc_lookup_domain(x, v);
			break;
		case IOC_URL:
			h = ioc_lookup_url(x, v);
			break;
		default:
			h = ioc_lookup(x, t, v);
			break;
		}
		printf("%s %s: %s\n", ioc_type_name(t), v,
		       h.ioc && h.allow ? (vi ? "khớp nhưng được cho phép" : "match, allowed")
		       : h.ioc ? (vi ? "khớp" : "match")
		       : h.allow ? (vi ? "chỉ có trong danh sách cho phép" : "allow list only")
		       : (vi ? "không khớp" : "no match"));
		if (h.ioc)
			print_entry("ioc", h.ioc);
		if (h.allow)
			print_entry("allow", h.allow);
		if (!h.ioc)
			missing++;
	}
	ioc_index_destroy(x);
	return missing ? RULES_EXIT_PROBLEMS : RULES_EXIT_OK;
}

const struct rules_cmd cmd_lookup = {
	.name = "lookup",
	.synopsis = "DIR TYPE VALUE...",
	.summary_en = "match values against DIR's indicators and allow list as the sensor does; "
		      "print the rule lines found",
	.summary_vi = "so giá trị với dấu hiệu và danh sách cho phép trong DIR như cảm biến làm; "
		      "in các dòng luật khớp",
	.run = run_lookup,
};
