/*
 * fuzz_ioc.c - libFuzzer target: the indicator CSV reader and index
 * (common/ioc.c). The input is loaded as a rules/ioc (or rules/allow)
 * file, the index is built, and then every token of the input is
 * normalised as each indicator type and looked up the way the sensor
 * looks up what it sees: addresses, names, URLs, hashes.
 *
 * Input: a flag byte (bit 0: the file is an allow list; bit 1: load it a
 * second time as the other kind, so ioc and allow entries meet), then the
 * CSV text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ioc.h"
#include "util.h"

#include "banned.h"

#define MAX_TOKENS 64

static void on_report(void *arg, const char *file, unsigned line, const char *msg)
{
	(void)line;
	if (!file || !msg)
		abort();
	(*(unsigned *)arg)++;
}

static void look_up(const struct ioc_index *x, const char *tok)
{
	char norm[IOC_VALUE_MAX];
	struct hd_addr a;
	const char *why;

	if (!addr_parse(tok, &a))
		ioc_lookup_ip(x, &a);
	ioc_lookup_domain(x, tok);
	ioc_lookup_url(x, tok);
	for (int t = 0; t < IOC__COUNT; t++) {
		ioc_normalize((enum ioc_type)t, tok, norm, sizeof(norm), &why);
		ioc_lookup(x, (enum ioc_type)t, tok);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t flags = fuzz_u8(&in, 0);
	const char *dir = fuzz_scratch();
	struct ioc_load_stats st;
	struct ioc_index *x;
	char path[300], *text, *save = NULL;
	unsigned reports = 0, ntok = 0;

	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s/fuzz.csv", dir);
	if (fuzz_write_file(path, in.p, in.n))
		return 0;
	x = ioc_index_create();
	if (!x)
		return 0;
	/* a fixed clock: "expires" must not depend on the day of the run */
	ioc_index_set_time(x, 1767225600);
	memset(&st, 0, sizeof(st));
	ioc_load_file(x, path, flags & 1, on_report, &reports, &st);
	if (flags & 2)
		ioc_load_file(x, path, !(flags & 1), on_report, &reports, &st);
	if (ioc_index_finish(x)) {
		ioc_index_destroy(x);
		return 0;
	}
	ioc_index_count(x);
	ioc_index_memory(x);
	text = malloc(in.n + 1);
	if (text) {
		memcpy(text, in.p, in.n);
		text[in.n] = '\0';
		for (char *tok = strtok_r(text, ",\n\r\t ", &save); tok && ntok < MAX_TOKENS;
		     tok = strtok_r(NULL, ",\n\r\t ", &save), ntok++)
			look_up(x, tok);
		free(text);
	}
	ioc_index_destroy(x);
	return 0;
}
