/*
 * playbook.h - response playbooks (the JSON files in playbooks/, a strict
 * subset of OASIS CACAO 2.0) loaded as the checklists the console shows.
 *
 * A playbook file is checked in full before it is used: every problem is
 * handed to a report callback with the file and the JSON path where it
 * sits ("$.workflow['action--...'].on_completion: no such step ..."), and
 * a file with any problem is not loaded. What of CACAO is accepted is
 * described in docs/playbooks.md; in short: start, action, if-condition
 * and end steps, manual commands only, no loops, every text bilingual
 * ("Vietnamese / English" names; "Vietnamese\n\nEnglish" descriptions),
 * labels "haidang-category:CAT" naming the categories it serves.
 *
 * The checklist is the workflow walked from workflow_start: a step, then
 * for an if-condition its true branch, its false branch, and then its
 * on_completion; action and if-condition steps are listed (start and end
 * steps are structure, not tasks). The order is therefore fixed by the
 * file, whatever order its JSON keys come in.
 *
 * Ownership: a struct playbook owns every string in it
 * (playbook_destroy); a struct playbook_set owns its playbooks
 * (playbook_set_finish). Nothing here prints.
 */
#ifndef HAIDANG_PLAYBOOK_H
#define HAIDANG_PLAYBOOK_H

#include <stdbool.h>
#include <stddef.h>

/* Limits on hostile or runaway input; a file beyond them is refused. */
#define PLAYBOOK_FILE_MAX (1024 * 1024)  /* bytes of one file */
#define PLAYBOOK_STEPS_MAX 256           /* workflow steps of one playbook */
#define PLAYBOOK_COMMANDS_MAX 16         /* commands of one step */
#define PLAYBOOK_VARS_MAX 64
#define PLAYBOOK_LABELS_MAX 64
#define PLAYBOOK_AGENTS_MAX 16
#define PLAYBOOK_TEXT_MAX 8192           /* bytes of one string */
#define PLAYBOOK_DIR_MAX 256             /* playbook files in a directory */

/* The phase a step belongs to, from the "[phase] " tag that starts the
 * name of every action step. */
enum playbook_phase {
	PLAYBOOK_PHASE_NONE = 0,  /* if-condition steps */
	PLAYBOOK_PHASE_IDENTIFY,
	PLAYBOOK_PHASE_CONTAIN,
	PLAYBOOK_PHASE_ERADICATE,
	PLAYBOOK_PHASE_RECOVER,
	PLAYBOOK_PHASE_REPORT,
};

enum playbook_step_type {
	PLAYBOOK_STEP_ACTION,
	PLAYBOOK_STEP_IF,        /* a question; its branches follow it */
};

/* Where a step sits relative to the if-conditions above it. */
enum playbook_branch {
	PLAYBOOK_BRANCH_MAIN,    /* the main line (depth 0) */
	PLAYBOOK_BRANCH_TRUE,    /* in the on_true branch of the if above */
	PLAYBOOK_BRANCH_FALSE,   /* in the on_false branch */
};

struct playbook_step {
	char *id;                /* "action--<uuid>", "if-condition--<uuid>" */
	enum playbook_step_type type;
	enum playbook_phase phase;
	char *name_vi, *name_en; /* without the phase tag */
	char *desc_vi, *desc_en;
	char *agent;             /* action: id in agent_definitions; else NULL */
	char *agent_name;        /* its name as written ("Vietnamese / English") */
	char *condition;         /* if-condition: the condition text; else NULL */
	char **commands;         /* action: the manual commands' text */
	size_t ncommands;
	unsigned depth;          /* number of if-conditions enclosing it */
	enum playbook_branch branch;
};

struct playbook_var {
	char *name;              /* "__host__" */
	char *type;              /* "string", "ipv4-addr", ... */
	char *description;
};

struct playbook {
	char *file;              /* as given to the loader */
	char *id;                /* "playbook--<uuid>" */
	char *name_vi, *name_en;
	char *desc_vi, *desc_en;
	char *created, *modified;
	char **categories;       /* haidang category names, in label order */
	size_t ncategories;
	struct playbook_step *steps; /* the checklist, in walk order */
	size_t nsteps;
	struct playbook_var *vars;
	size_t nvars;
};

struct playbook_set {
	struct playbook **v;     /* sorted by file name */
	size_t n;
};

/* Receives one problem: file, JSON path ("$" for the whole file) and a
 * message in English. */
typedef void (*playbook_report_fn)(void *arg, const char *file, const char *path,
				   const char *msg);

/* Loads and checks one playbook file. Returns 0 with *out set; -EINVAL
 * when the file has problems (each reported, *out NULL); another
 * negative errno when it could not be read (reported at "$"). */
int playbook_load_file(const char *path, playbook_report_fn report, void *arg,
		       struct playbook **out);
/* Checks one playbook from memory (buf need not be NUL-terminated); file
 * names it in reports. Same returns as playbook_load_file. */
int playbook_load_buffer(const char *file, const char *buf, size_t len,
			 playbook_report_fn report, void *arg, struct playbook **out);
void playbook_destroy(struct playbook *p);

/* Loads every *.json file of dir (not its subdirectories), in name order,
 * into set (which starts zeroed). Beyond each file's own checks, ids
 * (playbooks and steps) must be unique across the files, and a category
 * may be served by one playbook only. Files with problems are reported
 * and left out. Returns 0 when every file loaded, -EINVAL when some had
 * problems, another negative errno when dir cannot be read. */
int playbook_load_dir(const char *dir, playbook_report_fn report, void *arg,
		      struct playbook_set *set);
void playbook_set_finish(struct playbook_set *set);

/* The playbook serving this haidang category, or NULL. */
const struct playbook *playbook_set_for_category(const struct playbook_set *set,
						 const char *category);
const struct playbook *playbook_set_find(const struct playbook_set *set, const char *id);
const struct playbook_step *playbook_step_find(const struct playbook *p, const char *id);

/* "identify", ... (the tag), or its Vietnamese / English label. */
const char *playbook_phase_tag(enum playbook_phase ph);
const char *playbook_phase_label(enum playbook_phase ph, bool vi);

#endif
