/*
 * rules.h - haidang-rules' internal contract: the command table entry
 * (one file per command, collected in main.c as tmux collects cmd-*.c),
 * the exit codes every command shares, listing the files of a rules
 * directory, one-line CSV splitting, and the importer contract (import.c
 * drives a run; one import_*.c per feed format reads it).
 *
 * Ownership: a struct pathlist owns its strings (pathlist_free). Strings
 * an importer passes to import_add() are borrowed for the call; import.c
 * copies what it keeps. csv_split() points into the line it was given.
 */
#ifndef HAIDANG_RULES_H
#define HAIDANG_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ioc.h"

/* Exit status of every command. */
enum {
	RULES_EXIT_OK = 0,       /* nothing wrong */
	RULES_EXIT_PROBLEMS = 1, /* problems found (bad rule lines, unusable input) */
	RULES_EXIT_USAGE = 2,    /* bad command line, unreadable directory or file */
};

struct rules_cmd {
	const char *name;
	const char *synopsis;             /* arguments, e.g. "DIR" */
	const char *summary_en, *summary_vi;
	/* argv[0] is the command's name; vi = Vietnamese messages */
	int (*run)(int argc, char **argv, bool vi);
};

extern const struct rules_cmd cmd_check, cmd_check_playbooks, cmd_stats, cmd_import, cmd_lookup;

/* Prints "Usage: haidang-rules NAME SYNOPSIS" and the summary (main.c). */
void rules_cmd_usage(const struct rules_cmd *c, FILE *out, bool vi);

/* ---- rulesdir.c: the files of a rules directory ---- */

struct pathlist {
	char **v;
	size_t n;
};

/* Appends the files below dir whose names end in one of exts (NULL
 * terminated, e.g. ".csv"), sorted by path; recursive descends into
 * subdirectories. A missing dir adds nothing and returns 0; otherwise
 * 0 or a negative errno. Paths are "dir/name". */
int rulesdir_list(const char *dir, const char *const *exts, bool recursive,
		  struct pathlist *out);
void pathlist_free(struct pathlist *l);
bool rulesdir_is_dir(const char *path);

/* ---- csvline.c: one line of CSV ---- */

#define CSV_MAX_FIELDS 32

/* Splits line in place into at most max fields at commas; a field may be
 * double-quoted ("" inside is a quote). Unquoted fields are trimmed of
 * spaces. Returns the number of fields, or -EINVAL for an unterminated
 * quote or more than max fields. */
int csv_split(char *line, char **fields, int max);
/* Writes s as one CSV field: quoted when it holds a comma, quote or
 * leading/trailing space. */
void csv_put_field(FILE *f, const char *s);

/* ---- import.c: a conversion run, used by the import_*.c readers ---- */

struct import;

/* One indicator as an importer found it. */
struct import_rec {
	enum ioc_type type;
	const char *value;          /* as in the input; import_add normalises */
	enum ioc_severity severity; /* the feed's (--severity replaces it); NONE: medium */
	const char *description;    /* the feed's (--description replaces it), or NULL */
	const char *detail;         /* per-item detail ("port 443"), or NULL */
};

struct importer {
	const char *name;           /* --from NAME */
	const char *help_en, *help_vi;
	/* Reads path and calls import_add/import_problem/import_skip for
	 * each item. Returns 0, or a negative code when the file could not
	 * be read at all (already reported). */
	int (*read)(struct import *im, const char *path);
};

extern const struct importer import_misp, import_stix, import_list,
	import_maltrail, import_abusech;

/* Adds one indicator found at where (a line number "12" or a JSON path
 * "Event.Attribute[3]"). The value is normalised with ioc_normalize; an
 * unusable value is reported as a problem and -EINVAL returned. The same
 * type and value twice is merged into the first record (highest severity,
 * details joined). */
int import_add(struct import *im, const char *where, const struct import_rec *r);
/* An item of the input that cannot be used: "FILE:WHERE: message" on
 * stderr; makes the run exit 1. */
void import_problem(struct import *im, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An item that is valid in its format but has no haidang equivalent, or
 * is marked not for detection: reported as "FILE:WHERE: skipped: message"
 * and counted; does not change the exit status. */
void import_skip(struct import *im, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The fixed --type, if given. */
bool import_fixed_type(const struct import *im, enum ioc_type *t);
/* Vietnamese messages wanted. */
bool import_vi(const struct import *im);

/* Reads a whole file (at most max bytes) into a NUL-terminated heap
 * buffer; reports through im. Returns NULL on failure. */
char *import_slurp(struct import *im, const char *path, size_t max, size_t *len);

/* Reads a whole file (at most max bytes) as one JSON document. Returns 0
 * with *root set (free it with cJSON_Delete); 0 with *root NULL when the
 * text is not JSON, reported as a problem at its line; -EIO when the file
 * could not be read (already reported). */
struct cJSON;
int import_json(struct import *im, const char *path, size_t max, struct cJSON **root);

/* Longest line import_lines() accepts; a longer one is a problem. */
#define IMPORT_LINE_MAX 65536

/* Reads a text file line by line and calls fn for each line that is not
 * blank, with where its line number, the line end removed and line
 * starting at its first non-blank character (fn may modify it). fn
 * returns 0 to go on, anything else to stop reading. Returns 0, or a
 * negative code when the file could not be read (already reported). */
int import_lines(struct import *im, const char *path,
		 int (*fn)(struct import *im, const char *where, char *line, void *arg), void *arg);

/* Splits a line of a one-value-per-line list, "VALUE [# comment]" (no
 * leading blanks, as import_lines gives it), in place. Returns 1 with
 * *value and *comment set (the comment without '#' and the blanks around
 * it; NULL when there is none or it is empty); 0 for a '#' comment line;
 * -EINVAL when other text follows the value, reported as a problem "text
 * after the NOUN" (noun_en, or noun_vi in Vietnamese). */
int import_split_comment(struct import *im, const char *where, char *line, const char *noun_en,
			 const char *noun_vi, char **value, char **comment);

/* Guesses the type of a bare value: ip, cidr, md5/sha1/sha256 by hex
 * length, cert_sha1 in colon form, url (has "://" or a '/'), domain.
 * Returns false when nothing fits. */
bool import_guess_type(const char *value, enum ioc_type *t);

#endif
