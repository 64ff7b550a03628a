/*
 * csvline.c - one line of CSV, both ways: splitting a line of a feed or a
 * rule file into fields (RFC 4180 quoting, no field spans lines), and
 * writing one field of haidang's indicator CSV so that a description with
 * a comma or a quote survives the round trip.
 */
#include <errno.h>
#include <string.h>

#include "rules.h"
#include "banned.h"

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int csv_split(char *line, char **fields, int max)
{
	char *p = line;
	int n = 0;

	for (;;) {
		char *start;

		if (n >= max)
			return -EINVAL;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			/* quoted: copy down over the doubled quotes */
			char *w;
			start = w = ++p;
			for (;;) {
				if (*p == '\0')
					return -EINVAL;
				if (*p == '"') {
					if (p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
				p++;
			if (*p != ',' && *p != '\0')
				return -EINVAL;
			*w = '\0';
			fields[n++] = start;
		} else {
			start = p;
			p += strcspn(p, ",");
			if (*p == ',')
				*p++ = '\0';
			else
				p = NULL;
			fields[n++] = trim(start);
			if (!p)
				return n;
			continue;
		}
		if (*p == ',') {
			p++;
			continue;
		}
		return n;
	}
}

void csv_put_field(FILE *f, const char *s)
{
	size_t n = strlen(s);
	bool quote = strpbrk(s, ",\"") != NULL ||
		     (n && (s[0] == ' ' || s[n - 1] == ' '));

	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
