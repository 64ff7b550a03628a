/*
 * svg.h - a small SVG writer for the summaries' charts: a document with
 * its <title> and <desc>, escaped UTF-8 text, rectangles and lines, and
 * two ready charts (vertical bars, horizontal bars) with axes, ticks and
 * axis labels. No library: plain SVG 1.1 that browsers and librsvg open.
 *
 * Every file is self-contained (no external fonts, styles or images); text
 * uses the font-family "DejaVu Sans, Noto Sans, sans-serif", which Debian
 * and Windows browsers both resolve to a font with Vietnamese letters.
 */
#ifndef HAIDANG_SVG_H
#define HAIDANG_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SVG_FONT "DejaVu Sans, Noto Sans, sans-serif"

struct svg {
	FILE *f;
	double w, h;
};

/* Writes the XML declaration, the <svg> element of w x h pixels, its
 * <title> and (desc non-NULL) <desc>, and a white background. */
void svg_begin(struct svg *s, FILE *f, double w, double h, const char *title, const char *desc);
/* Closes the document. */
void svg_end(struct svg *s);

/* Writes s as XML character data: & < > " ' escaped, invalid UTF-8 and
 * characters XML forbids (controls, U+FFFE, U+FFFF) become U+FFFD. */
void svg_escape(FILE *f, const char *s);
/* Columns a text takes, roughly: code points, combining marks excluded. */
size_t svg_text_len(const char *s);

/* Text at (x, y); anchor "start", "middle" or "end"; rotated by deg
 * around (x, y) when deg is not 0; bold or not. */
void svg_text(struct svg *s, double x, double y, const char *anchor, double size, bool bold,
	      double deg, const char *text);
/* A rectangle; cls (may be NULL) is its class; tip (may be NULL) becomes
 * a <title> child, the tooltip browsers show. */
void svg_rect(struct svg *s, const char *cls, double x, double y, double w, double h,
	      const char *fill, const char *tip);
void svg_line(struct svg *s, double x1, double y1, double x2, double y2, const char *stroke,
	      double width);

/* One bar of a chart: its label and its value (>= 0). */
struct svg_bar {
	const char *label;
	double value;
};

struct svg_chart {
	const char *title;     /* the heading in the picture and its <title> */
	const char *desc;      /* its <desc> (may be NULL) */
	const char *xlabel, *ylabel;
	const struct svg_bar *bars;
	size_t n;
	bool horizontal;       /* bars from the left, labels at the left (a ranking) */
	unsigned label_every;  /* vertical: label every k-th bar only (0 or 1: all) */
	const char *color;     /* the bars' fill */
	const char *empty;     /* the text shown when n is 0 */
};

/* Writes the chart to path (through path.tmp, renamed when complete).
 * Every bar is a <rect class="bar">, zero-valued bars included (of zero
 * size), so a reader can count them. Returns 0, or -1 with the reason in
 * err. */
int svg_chart_write(const char *path, const struct svg_chart *c, char *err, size_t errlen);

#endif
