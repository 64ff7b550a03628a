/*
 * checklist.h - an incident's response playbook as a checklist
 * (docs/playbooks.md, docs/triage.md "playbook"): which playbook serves a
 * ticket (by its category), which of its steps are ticked, and progress.
 *
 * The playbooks are read once per run, on first use, from the directory
 * checklist_dir() names (--playbooks, then $HAIDANG_PLAYBOOKS, then the
 * installed datadir, then the source tree of an uninstalled build). A
 * step's tick lives in the ticket's case hash, field "pb:STEP-ID" =
 * "MS|WHO" (ticked at MS by WHO), "" once unticked; only
 * actions_playbook_step() writes it. Marks of steps the playbook no longer
 * has are ignored.
 *
 * Ownership: the loaded set belongs to struct triage (checklist_unload);
 * a struct checklist borrows its playbook and owns its marks
 * (checklist_finish). Nothing here prints except the "playbook" verb.
 */
#ifndef HAIDANG_TRIAGE_CHECKLIST_H
#define HAIDANG_TRIAGE_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "playbook.h"
#include "triage.h"

#define CHECKLIST_FIELD "pb:"    /* case hash field prefix */

struct checklist_mark {
	bool done;
	int64_t ms;               /* when it was ticked */
	char who[128];            /* by whom */
};

struct checklist {
	const struct playbook *pb;      /* NULL: no playbook serves the category */
	struct checklist_mark *marks;   /* pb->nsteps of them */
	size_t done;
};

/* The directory the playbooks are (or would be) read from. */
const char *checklist_dir(struct triage *t);
/* The loaded set (loading it the first time); NULL when the directory
 * cannot be read. *problems gets the number of problems reported (files
 * with problems are left out), when not NULL. */
const struct playbook_set *checklist_playbooks(struct triage *t, size_t *problems);
/* The playbook serving category, or NULL. */
const struct playbook *checklist_playbook_for(struct triage *t, const char *category);
void checklist_unload(struct triage *t);

/* The index of the step a mark field names ("pb:STEP-ID") when value
 * says it is ticked; -1 otherwise (unticked, not a mark, or a step p does
 * not have). */
long checklist_mark_step(const struct playbook *p, const char *field, const char *value);

/* Starts an empty checklist of p (NULL allowed). 0 or -ENOMEM. */
int checklist_init(struct checklist *c, const struct playbook *p);
/* Records one case hash field (ignored unless a tick of c's playbook). */
void checklist_take(struct checklist *c, const char *field, const char *value);
void checklist_finish(struct checklist *c);

/* STEP as the analyst typed it: a step number (1-based, the checklist's
 * order) or a step id. The step's index, or -1. */
long checklist_step_arg(const struct playbook *p, const char *arg);
/* A step's name, or a playbook's, in the analyst's language. */
const char *checklist_step_name(const struct playbook_step *st, bool vi);
const char *checklist_playbook_name(const struct playbook *p, bool vi);

#endif
