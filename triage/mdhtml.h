/*
 * mdhtml.h - a report's Markdown as an HTML page or a PDF (mdhtml.c).
 */
#ifndef HAIDANG_TRIAGE_MDHTML_H
#define HAIDANG_TRIAGE_MDHTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes md (len bytes) as a whole HTML page titled title. 0 or -EIO. */
int mdhtml_write(FILE *out, const char *md, size_t len, const char *title);
/* Renders md to the PDF file pdf with weasyprint. 0, or -1 with why in err. */
int mdhtml_pdf(const char *md, size_t len, const char *title, const char *pdf, char *err,
	       size_t errlen);

#endif
