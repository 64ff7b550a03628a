/*
 * import_list.c - "--from list": one value per line, as most block lists
 * are published (URLhaus host lists, hash lists, hand-kept lists).
 *
 * Blank lines and lines starting with '#' are ignored. The value is the
 * first word of the line; a comment after it ("1.2.3.4  # scanner") is
 * kept as the indicator's detail, anything else after the value is an
 * error. With --type every line has that type; without it each line's
 * type is guessed (import_guess_type: note that a 32-digit hex value is
 * taken as md5, so JA3 lists need --type ja3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rules.h"
#include "banned.h"

/* One line: desc is the file's name. */
static int list_line(struct import *im, const char *where, char *line, void *desc)
{
	bool vi = import_vi(im);
	struct import_rec r = { .description = desc };
	char *v, *comment;

	if (import_split_comment(im, where, line, "value", "giá trị", &v, &comment) <= 0)
		return 0;
	r.detail = comment;
	r.value = v;
	if (!import_fixed_type(im, &r.type) && !import_guess_type(v, &r.type)) {
		import_problem(im, where, vi ? "không đoán được kiểu của '%.100s' (dùng --type)"
					     : "cannot guess the type of '%.100s' (use --type)", v);
		return 0;
	}
	import_add(im, where, &r);
	return 0;
}

static int list_read(struct import *im, const char *path)
{
	const char *b = strrchr(path, '/');
	char desc[256];

	snprintf(desc, sizeof(desc), "%s", b ? b + 1 : path);
	return import_lines(im, path, list_line, desc);
}

const struct importer import_list = {
	.name = "list",
	.help_en = "one value per line, '#' comments; --type T, or the type guessed per line",
	.help_vi = "mỗi dòng một giá trị, chú thích '#'; --type T, hoặc đoán kiểu từng dòng",
	.read = list_read,
};
