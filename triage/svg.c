/*
 * svg.c - the summaries' SVG writer (svg.h): documents, escaped text,
 * shapes, and the two bar charts.
 *
 * There are no font metrics here: text widths are estimated from the
 * number of characters (0.62 of the font size each, generous for DejaVu
 * Sans), and long labels are cut with an ellipsis, so the layout holds in
 * any of the fallback fonts. Coordinates are written with one decimal, so
 * the same data always gives the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "svg.h"
#include "util.h"
#include "banned.h"

#define CHAR_W 0.62        /* estimated advance of one character, in font sizes */
#define LABEL_COLS 32      /* longer labels are cut */

/* ---- text ---- */

/* The code point of the n-byte sequence at p (valid UTF-8). */
static uint32_t decode(const unsigned char *p, unsigned n)
{
	uint32_t c = n == 1 ? p[0] : n == 2 ? (p[0] & 0x1fu) : n == 3 ? (p[0] & 0x0fu) : (p[0] & 0x07u);

	for (unsigned i = 1; i < n; i++)
		c = (c << 6) | (p[i] & 0x3fu);
	return c;
}

void svg_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p);

	while (left) {
		unsigned n = utf8_seq_len(p, left);
		uint32_t c = n ? decode(p, n) : 0xfffd;

		if (!n)
			n = 1;
		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&apos;", f);
		else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0xfffe || c == 0xffff ||
			 c == 0xfffd)
			fputs("\xef\xbf\xbd", f);   /* U+FFFD */
		else
			fwrite(p, 1, n, f);
		p += n;
		left -= n;
	}
}

size_t svg_text_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), cols = 0;

	while (left) {
		unsigned n = utf8_seq_len(p, left);
		uint32_t c = n ? decode(p, n) : 0;

		if (!n)
			n = 1;
		if (!(c >= 0x300 && c <= 0x36f))   /* combining marks take no room */
			cols++;
		p += n;
		left -= n;
	}
	return cols;
}

/* s cut to at most cols characters, "…" ending a cut one. */
static void clip(char *out, size_t size, const char *s, size_t cols)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), o = 0, used = 0;

	if (svg_text_len(s) <= cols) {
		str_copy(out, s ? s : "", size);
		return;
	}
	while (left && used + 1 < cols) {
		unsigned n = utf8_seq_len(p, left);

		if (!n)
			n = 1;
		if (o + n + 4 > size)
			break;
		if (!(n == 2 && decode(p, n) >= 0x300 && decode(p, n) <= 0x36f))
			used++;
		memcpy(out + o, p, n);
		o += n;
		p += n;
		left -= n;
	}
	memcpy(out + o, "\xe2\x80\xa6", 4);   /* "…" and the terminator */
}

/* ---- the document ---- */

void svg_begin(struct svg *s, FILE *f, double w, double h, const char *title, const char *desc)
{
	s->f = f;
	s->w = w;
	s->h = h;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"" SVG_FONT "\" role=\"img\" "
		"aria-labelledby=\"title%s\">\n<title id=\"title\">", w, h, w, h, desc ? " desc" : "");
	svg_escape(f, title);
	fputs("</title>\n", f);
	if (desc) {
		fputs("<desc id=\"desc\">", f);
		svg_escape(f, desc);
		fputs("</desc>\n", f);
	}
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", w, h);
}

void svg_end(struct svg *s)
{
	fputs("</svg>\n", s->f);
}

void svg_text(struct svg *s, double x, double y, const char *anchor, double size, bool bold,
	      double deg, const char *text)
{
	fprintf(s->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" text-anchor=\"%s\" fill=\"#222222\"%s",
		x, y, size, anchor, bold ? " font-weight=\"bold\"" : "");
	if (deg != 0)
		fprintf(s->f, " transform=\"rotate(%.1f %.1f %.1f)\"", deg, x, y);
	fputc('>', s->f);
	svg_escape(s->f, text);
	fputs("</text>\n", s->f);
}

void svg_rect(struct svg *s, const char *cls, double x, double y, double w, double h,
	      const char *fill, const char *tip)
{
	fputs("<rect", s->f);
	if (cls)
		fprintf(s->f, " class=\"%s\"", cls);
	fprintf(s->f, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"", x, y,
		w < 0 ? 0 : w, h < 0 ? 0 : h, fill);
	if (!tip) {
		fputs("/>\n", s->f);
		return;
	}
	fputs("><title>", s->f);
	svg_escape(s->f, tip);
	fputs("</title></rect>\n", s->f);
}

void svg_line(struct svg *s, double x1, double y1, double x2, double y2, const char *stroke,
	      double width)
{
	fprintf(s->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"%.1f\"/>\n", x1, y1, x2, y2, stroke, width);
}

/* ---- charts ---- */

/* A round step for about five ticks up to max (counts: at least 1), and
 * the axis' top, a whole number of steps. */
static void ticks(double max, double *step, double *top)
{
	double raw = max / 5, mag = 1;

	while (mag * 10 <= raw)
		mag *= 10;
	*step = raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag;
	if (*step < 1)
		*step = 1;
	*top = *step;
	while (*top < max)
		*top += *step;
}

static double max_value(const struct svg_chart *c)
{
	double m = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->bars[i].value > m)
			m = c->bars[i].value;
	return m;
}

static size_t max_label(const struct svg_chart *c)
{
	size_t m = 0;

	for (size_t i = 0; i < c->n; i++) {
		size_t l = svg_text_len(c->bars[i].label);

		if (l > m)
			m = l;
	}
	return m < LABEL_COLS ? m : LABEL_COLS;
}

static void bar_tip(char *tip, size_t size, const struct svg_bar *b)
{
	snprintf(tip, size, "%s: %.0f", b->label ? b->label : "", b->value);
}

static void draw_vertical(struct svg *s, const struct svg_chart *c, double left, double top,
			  double pw, double ph, double slot)
{
	double step, ymax, base = top + ph;
	unsigned every = c->label_every > 1 ? c->label_every : 1;
	char num[32], lab[160], tip[256];

	ticks(max_value(c), &step, &ymax);
	for (double v = 0; v <= ymax + step / 2; v += step) {
		double y = base - v / ymax * ph;

		svg_line(s, left, y, left + pw, y, v == 0 ? "#444444" : "#dddddd", 1);
		snprintf(num, sizeof(num), "%.0f", v);
		svg_text(s, left - 6, y + 4, "end", 11, false, 0, num);
	}
	svg_line(s, left, top, left, base, "#444444", 1);
	for (size_t i = 0; i < c->n; i++) {
		double h = c->bars[i].value / ymax * ph, x = left + (double)i * slot;

		bar_tip(tip, sizeof(tip), &c->bars[i]);
		svg_rect(s, "bar", x + slot * 0.15, base - h, slot * 0.7, h, c->color, tip);
		if (c->bars[i].value > 0 && slot >= 18) {
			snprintf(num, sizeof(num), "%.0f", c->bars[i].value);
			svg_text(s, x + slot / 2, base - h - 4, "middle", 10, false, 0, num);
		}
		if (i % every == 0) {
			clip(lab, sizeof(lab), c->bars[i].label, LABEL_COLS);
			svg_line(s, x + slot / 2, base, x + slot / 2, base + 4, "#444444", 1);
			svg_text(s, x + slot / 2 + 4, base + 12, "end", 11, false, -45, lab);
		}
	}
}

static void draw_horizontal(struct svg *s, const struct svg_chart *c, double left, double top,
			    double pw, double ph, double slot)
{
	double step, xmax, base = top + ph;
	char num[32], lab[160], tip[256];

	ticks(max_value(c), &step, &xmax);
	for (double v = 0; v <= xmax + step / 2; v += step) {
		double x = left + v / xmax * pw;

		svg_line(s, x, top, x, base, v == 0 ? "#444444" : "#dddddd", 1);
		snprintf(num, sizeof(num), "%.0f", v);
		svg_text(s, x, base + 16, "middle", 11, false, 0, num);
	}
	svg_line(s, left, base, left + pw, base, "#444444", 1);
	for (size_t i = 0; i < c->n; i++) {
		double w = c->bars[i].value / xmax * pw, y = top + (double)i * slot;

		bar_tip(tip, sizeof(tip), &c->bars[i]);
		svg_rect(s, "bar", left, y + slot * 0.15, w, slot * 0.7, c->color, tip);
		snprintf(num, sizeof(num), "%.0f", c->bars[i].value);
		svg_text(s, left + w + 5, y + slot / 2 + 4, "start", 11, false, 0, num);
		clip(lab, sizeof(lab), c->bars[i].label, LABEL_COLS);
		svg_text(s, left - 8, y + slot / 2 + 4, "end", 12, false, 0, lab);
	}
}

int svg_chart_write(const char *path, const struct svg_chart *c, char *err, size_t errlen)
{
	char tmp[4096];
	struct svg s;
	FILE *f;
	double label_w = (double)max_label(c) * 11 * CHAR_W, left, top = 56, pw, ph, slot, w, h;
	double title_w = (double)svg_text_len(c->title) * 16 * CHAR_W + 40;
	int bad;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (c->horizontal) {
		top = 72;
		slot = 28;
		left = 24 + (double)max_label(c) * 12 * CHAR_W;
		pw = 480;
		ph = slot * (double)(c->n ? c->n : 1);
		w = left + pw + 60;
		h = top + ph + 62;
	} else {
		slot = c->n <= 16 ? 56 : c->n <= 40 ? 28 : 18;
		left = 72;
		pw = slot * (double)(c->n ? c->n : 1);
		if (pw < 360)
			pw = 360, slot = c->n ? pw / (double)c->n : pw;
		ph = 300;
		w = left + pw + 40;
		h = top + ph + 20 + label_w * 0.62 + 36;
	}
	if (w < title_w)
		w = title_w;
	if (!(f = fopen(tmp, "w"))) {
		snprintf(err, errlen, "%s: cannot create", tmp);
		return -1;
	}
	svg_begin(&s, f, w, h, c->title, c->desc);
	svg_text(&s, w / 2, 30, "middle", 16, true, 0, c->title);
	if (c->n == 0)
		svg_text(&s, left + pw / 2, top + ph / 2, "middle", 13, false, 0, c->empty ? c->empty : "");
	if (c->horizontal) {
		draw_horizontal(&s, c, left, top, pw, ph, slot);
		svg_text(&s, left + pw / 2, h - 14, "middle", 12, true, 0, c->xlabel);
		svg_text(&s, 14, top - 10, "start", 12, true, 0, c->ylabel);
	} else {
		draw_vertical(&s, c, left, top, pw, ph, slot);
		svg_text(&s, left + pw / 2, h - 12, "middle", 12, true, 0, c->xlabel);
		svg_text(&s, 20, top + ph / 2, "middle", 12, true, -90, c->ylabel);
	}
	svg_end(&s);
	bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path)) {
		remove(tmp);
		snprintf(err, errlen, "%s: cannot write", path);
		return -1;
	}
	return 0;
}
