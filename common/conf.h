/*
 * conf.h - one table of options drives the config file, the command line,
 * defaults, validation and --help (in English or Vietnamese).
 *
 * A program describes each option once in a `struct conf_opt` table, pointing
 * at a field of its own options struct by offset. conf_load_file() reads
 * "key = value" lines ('#' starts a comment); conf_parse_args() reads
 * "--key VALUE", "--key=VALUE", "-k VALUE", and for booleans "--key" and
 * "--no-key". Command-line values override the file; the first command-line
 * use of a list option replaces the file's list. Every error message names
 * its source: "FILE:LINE: ..." or "option --key: ...".
 *
 * Ownership: strings and lists set through conf_* are heap copies owned by
 * the options struct; conf_free() releases them.
 */
#ifndef HAIDANG_CONF_H
#define HAIDANG_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum conf_type {
	CONF_STR,      /* char * */
	CONF_U64,      /* uint64_t, range min..max */
	CONF_SIZE,     /* uint64_t bytes, "64M" */
	CONF_DURATION, /* uint64_t seconds, "5m" */
	CONF_BOOL,     /* bool */
	CONF_LIST,     /* struct conf_list, repeatable, or comma separated in files */
	CONF_ACTION,   /* command line only, no value: --help, --version */
};

struct conf_list {
	char **v;
	size_t n;
};

struct conf_opt {
	const char *name;
	char short_name;
	enum conf_type type;
	size_t offset;
	const char *def;
	uint64_t min, max;
	const char *arg;  /* metavariable shown in --help */
	const char *help_en;
	const char *help_vi;
	bool cli_only;
};

#define CONF_ERRLEN 512

int conf_set_defaults(const struct conf_opt *t, size_t n, void *base,
		      char *err, size_t errlen);
/* Sets one option from text; err gets a message without location. */
int conf_set(const struct conf_opt *o, void *base, const char *value,
	     char *err, size_t errlen);
const struct conf_opt *conf_find(const struct conf_opt *t, size_t n,
				 const char *name);
int conf_load_file(const struct conf_opt *t, size_t n, void *base,
		   const char *path, char *err, size_t errlen);
/* Parses argv from index 1; stops at the first non-option argument or
 * "--". *next gets the index of the first unparsed argument. When an
 * action option is met, *action gets its name and parsing stops. */
int conf_parse_args(const struct conf_opt *t, size_t n, void *base, int argc,
		    char **argv, int *next, const char **action, char *err,
		    size_t errlen);
void conf_usage(const struct conf_opt *t, size_t n, FILE *out, bool vi);
/* Writes every option with its current value in config-file syntax. */
void conf_dump(const struct conf_opt *t, size_t n, const void *base, FILE *out);
void conf_free(const struct conf_opt *t, size_t n, void *base);

/* true when the user's locale (LC_ALL, LC_MESSAGES, LANG) is Vietnamese */
bool conf_lang_vi(void);

#endif
