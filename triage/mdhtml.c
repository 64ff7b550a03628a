/*
 * mdhtml.c - the Markdown that "report" writes, as HTML and as PDF.
 *
 * Only the constructs haidang's own reports use: headings (#, ##), lists
 * ("- "), pipe tables (a "|---|" line after the header row), paragraphs
 * (a line ending in two spaces breaks), "---" rules, **bold**, *italic*,
 * `code`, and the raw <div align="right"> of the forms' corner box. Text
 * is HTML-escaped. The PDF comes from Debian's weasyprint, which shapes
 * Vietnamese correctly with the DejaVu fonts; it is run without a shell.
 */
#include "mdhtml.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "banned.h"

static void esc(FILE *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		default: fputc(s[i], o);
		}
	}
}

/* Inline markup of one line: **bold**, *italic*, `code`. */
static void inl(FILE *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *mark = NULL, *open = NULL, *close = NULL;
		size_t ml = 0;

		if (i + 1 < n && s[i] == '*' && s[i + 1] == '*')
			mark = "**", ml = 2, open = "<strong>", close = "</strong>";
		else if (s[i] == '*' && i + 1 < n && s[i + 1] != ' ' && s[i + 1] != ')')
			mark = "*", ml = 1, open = "<em>", close = "</em>";   /* not the forms' "(*)" */
		else if (s[i] == '`')
			mark = "`", ml = 1, open = "<code>", close = "</code>";
		if (mark) {
			const char *end = NULL;

			for (size_t j = i + ml; j + ml <= n; j++)
				if (!memcmp(s + j, mark, ml) && !(ml == 1 && *mark == '*' &&
								  (s[j - 1] == ' ' || s[j - 1] == '('))) {
					end = s + j;
					break;
				}
			if (end && end > s + i + ml) {
				fputs(open, o);
				inl(o, s + i + ml, (size_t)(end - s - i - ml));
				fputs(close, o);
				i = (size_t)(end - s) + ml;
				continue;
			}
		}
		esc(o, s + i, 1);
		i++;
	}
}

static void cells(FILE *o, const char *s, size_t n, const char *tag)
{
	size_t i = 0;

	/* "| a | b |": the cells between the pipes */
	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == '|')
		i++;
	fputs("<tr>", o);
	while (i < n) {
		size_t j = i;

		while (j < n && s[j] != '|')
			j++;
		if (j >= n && i >= n)
			break;
		{
			size_t a = i, b = j;

			while (a < b && s[a] == ' ')
				a++;
			while (b > a && s[b - 1] == ' ')
				b--;
			if (j < n || b > a) {
				fprintf(o, "<%s>", tag);
				inl(o, s + a, b - a);
				fprintf(o, "</%s>", tag);
			}
		}
		i = j + 1;
	}
	fputs("</tr>\n", o);
}

int mdhtml_write(FILE *o, const char *md, size_t len, const char *title)
{
	enum { NONE, PARA, LIST, TABLE } in = NONE;
	const char *p = md, *end = md + len;

	fputs("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>", o);
	esc(o, title, strlen(title));
	fputs("</title><style>\n"
	      "@page { size: A4; margin: 20mm 18mm; }\n"
	      "body { font-family: 'DejaVu Sans', 'Noto Sans', sans-serif; font-size: 10.5pt; line-height: 1.35; }\n"
	      "h1 { font-size: 15pt; text-align: center; } h2 { font-size: 12pt; margin-top: 1.2em; }\n"
	      "table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #888; padding: 3px 6px; "
	      "vertical-align: top; }\n code { font-family: 'DejaVu Sans Mono', monospace; font-size: 9.5pt; }\n"
	      "</style></head><body>\n", o);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *next = nl ? nl + 1 : end;
		bool blank = n == 0;
		bool row = n && p[0] == '|';
		bool item = n > 1 && p[0] == '-' && p[1] == ' ';

		if ((in == LIST && !item) || (in == TABLE && !row) || (in == PARA && (blank || row || item ||
		    p[0] == '#' || p[0] == '<' || (n == 3 && !memcmp(p, "---", 3))))) {
			fputs(in == LIST ? "</ul>\n" : in == TABLE ? "</table>\n" : "</p>\n", o);
			in = NONE;
		}
		if (blank) {
			/* nothing */
		} else if (n > 2 && !memcmp(p, "# ", 2)) {
			fputs("<h1>", o);
			inl(o, p + 2, n - 2);
			fputs("</h1>\n", o);
		} else if (n > 3 && !memcmp(p, "## ", 3)) {
			fputs("<h2>", o);
			inl(o, p + 3, n - 3);
			fputs("</h2>\n", o);
		} else if (n == 3 && !memcmp(p, "---", 3)) {
			fputs("<hr>\n", o);
		} else if (p[0] == '<') {
			fwrite(p, 1, n, o);   /* our own raw HTML (the corner box) */
			fputc('\n', o);
		} else if (item) {
			if (in != LIST)
				fputs("<ul>\n", o), in = LIST;
			fputs("<li>", o);
			inl(o, p + 2, n - 2);
			fputs("</li>\n", o);
		} else if (row) {
			bool sep = strspn(p, "|-: ") == n;
			const char *nn = next;
			const char *nl2 = nn < end ? memchr(nn, '\n', (size_t)(end - nn)) : NULL;
			size_t n2 = nl2 ? (size_t)(nl2 - nn) : (size_t)(end - nn);
			bool header = nn < end && n2 && nn[0] == '|' && strspn(nn, "|-: ") == n2;

			if (in != TABLE)
				fputs("<table>\n", o), in = TABLE;
			if (!sep)
				cells(o, p, n, header ? "th" : "td");
		} else {
			bool br = n >= 2 && p[n - 1] == ' ' && p[n - 2] == ' ';

			if (in != PARA)
				fputs("<p>", o), in = PARA;
			else
				fputc(' ', o);
			inl(o, p, br ? n - 2 : n);
			if (br)
				fputs("<br>", o);
		}
		p = next;
	}
	if (in != NONE)
		fputs(in == LIST ? "</ul>\n" : in == TABLE ? "</table>\n" : "</p>\n", o);
	fputs("</body></html>\n", o);
	return ferror(o) ? -EIO : 0;
}

int mdhtml_pdf(const char *md, size_t len, const char *title, const char *pdf, char *err, size_t errlen)
{
	char html[] = "/tmp/haidang-report-XXXXXX.html";
	int fd = mkstemps(html, 5), st;
	FILE *f;
	pid_t pid;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot make a temporary file: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (mdhtml_write(f, md, len, title) || fclose(f)) {
		snprintf(err, errlen, "cannot write %s", html);
		unlink(html);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		execlp("weasyprint", "weasyprint", "-q", html, pdf, (char *)NULL);
		_exit(127);
	}
	st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	unlink(html);
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(err, errlen, WIFEXITED(st) && WEXITSTATUS(st) == 127
			 ? "PDF needs Debian's weasyprint (apt-get install weasyprint)"
			 : "weasyprint failed (status %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}
