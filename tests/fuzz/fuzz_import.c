/*
 * fuzz_import.c - libFuzzer target: haidang-rules import (rules/src), the
 * converters of public feeds into the indicator CSV: MISP events, STIX
 * 2.1 bundles, plain lists, Maltrail trails and abuse.ch CSV. The input is
 * written as the feed file and the command is run as a user would run it,
 * its CSV going to /dev/null.
 *
 * Input: a selector byte (low three bits modulo 5: misp, stix, list,
 * maltrail, abusech; bit 3: Vietnamese messages; bit 4: with --severity
 * high and a --description; bits 5-6 with list: --type domain, url, ip),
 * then the feed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "rules.h"

#include "banned.h"

/* haidang-rules' main.c defines this; the target has its own main */
void rules_cmd_usage(const struct rules_cmd *c, FILE *out, bool vi)
{
	fprintf(out, "%s %s\n%s\n", c->name, c->synopsis, vi ? c->summary_vi : c->summary_en);
}

static const char *const formats[] = { "misp", "stix", "list", "maltrail", "abusech" };
static const char *const list_types[] = { NULL, "domain", "url", "ip" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t sel = fuzz_u8(&in, 0);
	const char *dir = fuzz_scratch(), *fmt = formats[(sel & 7) % 5];
	char path[300], *argv[16];
	int argc = 0;

	if (!dir)
		return 0;
	/* maltrail takes the family from a name like this */
	snprintf(path, sizeof(path), "%s/malware__fuzz.txt", dir);
	if (fuzz_write_file(path, in.p, in.n))
		return 0;
	argv[argc++] = "import";
	argv[argc++] = "--from";
	argv[argc++] = (char *)fmt;
	argv[argc++] = "--source";
	argv[argc++] = "fuzz";
	argv[argc++] = "--quiet";
	argv[argc++] = "-o";
	argv[argc++] = "/dev/null";
	if (sel & 16) {
		argv[argc++] = "--severity";
		argv[argc++] = "high";
		argv[argc++] = "--description";
		argv[argc++] = "fuzz, \"quoted\"";
	}
	if (fmt == formats[2] && list_types[(sel >> 5) & 3]) {
		argv[argc++] = "--type";
		argv[argc++] = (char *)list_types[(sel >> 5) & 3];
	}
	argv[argc++] = path;
	argv[argc] = NULL;
	cmd_import.run(argc, argv, sel & 8);
	return 0;
}
