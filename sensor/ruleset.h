/*
 * ruleset.h - everything the detection stages read: the IOC index, the
 * compiled YARA rules and the scoring policy, loaded together from the
 * rules directory (--rules DIR) and swapped as one on SIGHUP.
 *
 * A ruleset is immutable once loaded and reference-counted: the capture
 * thread publishes a new one, each worker picks it up between batches and
 * drops its reference to the old one, which is freed by the last holder.
 * A reload that fails leaves the running ruleset in place.
 */
#ifndef HAIDANG_RULESET_H
#define HAIDANG_RULESET_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ioc.h"
#include "policy.h"
#include "yararules.h"

struct ruleset {
	atomic_uint refs;
	uint64_t generation;
	struct ioc_index *ioc;       /* NULL when there are no indicator files */
	struct yrr_rules *yara;      /* NULL when there are no YARA rules */
	struct policy policy;
	struct ioc_load_stats ioc_stats;
	struct yrr_stats yara_stats;
	uint64_t load_ms;
	unsigned warnings;           /* bad lines and files skipped while loading */
	char dir[4096];              /* where it was loaded from ("" for none) */
};

/* Loads dir (NULL: an empty ruleset with the default policy). Problems in
 * single lines or files are logged as warnings (the first
 * RULESET_MAX_WARNINGS of a load, then one line with how many more) and
 * skipped; NULL when the policy file is unusable or memory runs out, and,
 * with whole_files (a reload, where the running rules are the fallback),
 * also when an indicator file cannot be read or its header is wrong: a
 * reload never swaps in a set that silently lacks a whole file. */
#define RULESET_MAX_WARNINGS 100
struct ruleset *ruleset_load(const char *dir, uint64_t generation, bool whole_files);
struct ruleset *ruleset_ref(struct ruleset *r);
void ruleset_unref(struct ruleset *r); /* accepts NULL */

/* Where the current ruleset is published for the workers. */
struct ruleset_slot {
	pthread_mutex_t mu;
	struct ruleset *cur;        /* the slot's own reference */
	atomic_uint_fast64_t generation;
};

void ruleset_slot_init(struct ruleset_slot *s, struct ruleset *r); /* takes r's reference */
void ruleset_slot_finish(struct ruleset_slot *s);
/* Replaces the current ruleset (takes r's reference). */
void ruleset_slot_publish(struct ruleset_slot *s, struct ruleset *r);
/* If the slot holds a newer ruleset than *held, swaps *held for it and
 * returns the old reference, for the caller to drop (ruleset_unref) once
 * nothing built on it is left: a YARA scanner made from the old rules
 * must be destroyed first. NULL when nothing changed; cheap then. */
struct ruleset *ruleset_slot_refresh(struct ruleset_slot *s, struct ruleset **held);

#endif
