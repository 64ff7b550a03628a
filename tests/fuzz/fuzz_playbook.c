/*
 * fuzz_playbook.c - libFuzzer target: the playbook loader and checker
 * (common/playbook.c) on one file from memory, or on a directory of a few
 * files (ids unique across files, one playbook per category), and the
 * look-ups the console makes on what loaded.
 *
 * Input: a selector byte; bit 0 clear: the rest is one playbook file;
 * set: the rest is up to four files, each a 16-bit big-endian length and
 * its bytes, written to a scratch directory and loaded with
 * playbook_load_dir().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "playbook.h"

#include "banned.h"

#define MAX_FILES 4

static void on_problem(void *arg, const char *file, const char *path, const char *msg)
{
	unsigned *n = arg;

	/* every report names where it is */
	if (!file || !path || !msg)
		abort();
	(*n)++;
}

static void look_up(const struct playbook_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct playbook *p = set->v[i];

		if (playbook_set_find(set, p->id) != p)
			abort(); /* ids are unique in a set */
		for (size_t k = 0; k < p->ncategories; k++)
			playbook_set_for_category(set, p->categories[k]);
		for (size_t k = 0; k < p->nsteps; k++)
			if (!playbook_step_find(p, p->steps[k].id))
				abort();
	}
	playbook_set_for_category(set, "malware");
}

static void one_file(const uint8_t *data, size_t size)
{
	struct playbook_set set = { NULL, 0 };
	struct playbook *p = NULL;
	unsigned problems = 0;
	int rc;

	rc = playbook_load_buffer("fuzz.json", (const char *)data, size, on_problem,
				  &problems, &p);
	if (rc == 0 && !p)
		abort();
	if (rc != 0 && (p || !problems))
		abort(); /* refused files are reported, and not handed out */
	if (!p)
		return;
	set.v = malloc(sizeof(*set.v));
	if (!set.v) {
		playbook_destroy(p);
		return;
	}
	set.v[0] = p;
	set.n = 1;
	look_up(&set);
	playbook_set_finish(&set);
}

static void directory(struct fuzz_in *in)
{
	const char *scratch = fuzz_scratch();
	struct playbook_set set = { NULL, 0 };
	char dir[300], path[320];
	unsigned problems = 0;
	const uint8_t *file;
	size_t len;

	if (!scratch)
		return;
	snprintf(dir, sizeof(dir), "%s/playbooks", scratch);
	mkdir(dir, 0700);
	fuzz_clear_dir(dir, false);
	for (int i = 0; i < MAX_FILES && fuzz_piece(in, &file, &len); i++) {
		snprintf(path, sizeof(path), "%s/%c.json", dir, 'a' + i);
		if (fuzz_write_file(path, file, len))
			return;
	}
	playbook_load_dir(dir, on_problem, &problems, &set);
	look_up(&set);
	playbook_set_finish(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	if (fuzz_u8(&in, 0) & 1)
		directory(&in);
	else
		one_file(in.p, in.n);
	return 0;
}
