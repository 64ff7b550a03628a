/*
 * check.h - the few assertion macros haidang's unit tests share. A failed
 * check prints file:line and the expression, counts, and the test goes on,
 * so one run shows every failure; CHECK_DONE() gives main's exit status.
 */
#ifndef HAIDANG_CHECK_H
#define HAIDANG_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		check_failures++; \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!g_ || strcmp(g_, w_)) { \
		fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__, \
			__LINE__, #got, g_ ? g_ : "(null)", w_); \
		check_failures++; \
	} \
} while (0)

#define CHECK_CONTAINS(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) { \
		fprintf(stderr, "%s:%d: %s does not contain \"%s\": \"%s\"\n", __FILE__, \
			__LINE__, #hay, n_, h_ ? h_ : "(null)"); \
		check_failures++; \
	} \
} while (0)

#define CHECK_DONE() (check_failures ? (fprintf(stderr, "%d check(s) failed\n", \
	check_failures), 1) : 0)

#endif
