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

#define LIST_LINE_MAX 65536

static char *skip_space(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int list_read(struct import *im, const char *path)
{
	bool vi = import_vi(im);
	FILE *f = fopen(path, "r");
	char *line = NULL, where[24], desc[256];
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t len;

	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return -errno;
	}
	{
		const char *b = strrchr(path, '/');
		snprintf(desc, sizeof(desc), "%s", b ? b + 1 : path);
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct import_rec r = { .description = desc };
		char *v, *rest;

		lineno++;
		snprintf(where, sizeof(where), "%u", lineno);
		if (len > LIST_LINE_MAX) {
			import_problem(im, where, vi ? "dòng dài hơn %d byte" : "line longer than %d bytes",
				       LIST_LINE_MAX);
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		v = skip_space(line);
		if (*v == '\0' || *v == '#')
			continue;
		rest = v + strcspn(v, " \t");
		if (*rest) {
			*rest++ = '\0';
			rest = skip_space(rest);
		}
		if (*rest == '#')
			rest = skip_space(rest + 1);
		else if (*rest) {
			import_problem(im, where, vi ? "thừa nội dung sau giá trị: '%.60s'"
						     : "text after the value: '%.60s'", rest);
			continue;
		}
		{
			char *e = rest + strlen(rest);
			while (e > rest && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
		}
		r.detail = *rest ? rest : NULL;
		r.value = v;
		if (!import_fixed_type(im, &r.type) && !import_guess_type(v, &r.type)) {
			import_problem(im, where, vi ? "không đoán được kiểu của '%.100s' (dùng --type)"
						     : "cannot guess the type of '%.100s' (use --type)", v);
			continue;
		}
		import_add(im, where, &r);
	}
	free(line);
	if (ferror(f)) {
		log_err("%s: %s", path, strerror(errno));
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

const struct importer import_list = {
	.name = "list",
	.help_en = "one value per line, '#' comments; --type T, or the type guessed per line",
	.help_vi = "mỗi dòng một giá trị, chú thích '#'; --type T, hoặc đoán kiểu từng dòng",
	.read = list_read,
};
