/*
 * actions.h - what an analyst does to a ticket, each change one atomic
 * Lua script in Redis (docs/triage.md has the state machine).
 *
 * Every change checks the version the analyst read (expect >= 0; -1 means
 * "whatever it is now", for scripts and the CLI without --version), bumps
 * the version, appends a hash-chained history entry (who, when, what,
 * before -> after) and a stream entry for watchers. A refusal (an illegal
 * transition, a claim someone else holds, a stale version, a merge into a
 * merged ticket) changes nothing and says why in both languages.
 *
 * Thread-safety: as the connection (one thread).
 */
#ifndef HAIDANG_TRIAGE_ACTIONS_H
#define HAIDANG_TRIAGE_ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "playbook.h"
#include "triage.h"

/* States, in the order of the usual path. */
#define TRIAGE_STATES "new", "triaged", "in_progress", "contained", "resolved", \
	"false_positive", "duplicate", "escalated"

struct action_result {
	int rc;               /* 0 done, 1 refused (msg says why), 2 could not ask Redis */
	char reason[16];      /* rc 0: "ok" or "already" (nothing to change); rc 1: "nodet",
				 "stale", "held", "closed", "illegal", "same", "usemerge",
				 "mergedfinal", "self", "merged", "nointo", "intodup",
				 "agency", "badstate", "pbdup", "nostep"; rc 2: "queue" */
	char msg[512];        /* in the analyst's language */
	uint64_t version;     /* the ticket's version after (or at) the attempt */
	uint64_t into_version; /* merge: the survivor's version after */
	char holder[128];     /* claim refused: who has it */
};

/* A state's name for people: the English key itself, or the Vietnamese
 * term ("đang xử lý"); NULL if state is not one of TRIAGE_STATES. */
const char *actions_state_name(const char *state, bool vi);
/* True for the states work still goes on in (not resolved, false_positive,
 * duplicate): what "list --status open" shows. */
bool actions_state_open(const char *state);

int actions_claim(struct triage *t, const char *slug, const char *id, int64_t expect,
		  struct action_result *r);
int actions_assign(struct triage *t, const char *slug, const char *id, const char *user,
		   int64_t expect, struct action_result *r);
int actions_status(struct triage *t, const char *slug, const char *id, const char *state,
		   const char *note, int64_t expect, struct action_result *r);
int actions_note(struct triage *t, const char *slug, const char *id, const char *text,
		 struct action_result *r);
/* id into into_id (same agency): id becomes "duplicate" pointing at the
 * survivor, whose count and evidence take id's in. */
int actions_merge(struct triage *t, const char *slug, const char *id, const char *into_id,
		  int64_t expect, struct action_result *r);
/* What the national half-year/annual report (Mẫu 05) counts besides the
 * state: organisations that helped, at home and abroad, and the estimated
 * damage in đồng (docs/summary.md). NULL leaves a field as it is, "" clears
 * it. A change is versioned and in the history like the others. */
int actions_record(struct triage *t, const char *slug, const char *id, const char *help_domestic,
		   const char *help_foreign, const char *damage, int64_t expect,
		   struct action_result *r);
int actions_escalate(struct triage *t, const char *slug, const char *id, int64_t expect,
		     struct action_result *r);
int actions_reopen(struct triage *t, const char *slug, const char *id, int64_t expect,
		   struct action_result *r);
/* Ticks (done) or unticks step (an index into p->steps, the checklist's
 * order) of the ticket's playbook p: the case hash field pb:STEP-ID, a
 * history entry "playbook" ({STEP-ID: false} -> {STEP-ID: true, step_no,
 * step_name, playbook}) and a stream entry. "already" when the step is
 * so already; refused on a duplicate (its survivor has the work). The
 * caller picks p from the ticket's category (checklist.h). */
int actions_playbook_step(struct triage *t, const char *slug, const char *id,
			  const struct playbook *p, size_t step, bool done, int64_t expect,
			  struct action_result *r);

/* History entries, oldest first, each checked against the chain: *ok is
 * false from the first entry whose hash or link does not match. Returns
 * the number of entries, or -1. Caller frees with actions_history_free. */
struct history_entry {
	int64_t ts_ms;
	char who[128], action[32];
	char *before, *after;     /* JSON text */
	char *raw;                /* the stored entry */
	bool ok;                  /* its hash and link verify */
};
int actions_history(struct triage *t, const char *slug, const char *id,
		    struct history_entry **out);
void actions_history_free(struct history_entry *v, int n);

/* Deadlines (docs/triage.md): seconds left before the report due 5 days
 * after discovery (created_ms, else first_ms) — negative: overdue — or
 * ACTIONS_NO_DEADLINE when none runs (escalated, i.e. reported; resolved,
 * false_positive, duplicate). actions_report_now: must be reported at
 * once, not in 5 days: critical severity and not escalated yet. */
#define ACTIONS_REPORT_DAYS 5
#define ACTIONS_NO_DEADLINE INT64_MAX
int64_t actions_deadline_left(const struct ticket *k, int64_t now_ms);
bool actions_report_now(const struct ticket *k);

#endif
