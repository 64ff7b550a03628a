/*
 * ruleset.c - loading the rules directory as one immutable unit (see
 * ruleset.h). Every problem found while loading is counted, and logged
 * with its file and line up to a bound; none of them stops the sensor. A
 * reload refuses a set missing a whole indicator file, since the running
 * set is there to fall back on. Loading runs beside capture (the reload
 * thread); it must never run on the packet path.
 */
#include "ruleset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"
#include "banned.h"

static void ioc_report(void *arg, const char *file, unsigned line, const char *msg)
{
	struct ruleset *r = arg;

	/* a huge file of bad lines must not become a flood of log lines */
	if (++r->warnings > RULESET_MAX_WARNINGS)
		return;
	if (line)
		log_warn("%s:%u: %s", file, line, msg);
	else
		log_warn("%s: %s", file, msg);
}

static void yara_report(void *arg, const char *file, unsigned line, const char *msg,
			bool warning)
{
	struct ruleset *r = arg;

	if (warning)
		return;
	if (++r->warnings > RULESET_MAX_WARNINGS)
		return;
	log_warn("%s:%u: %s", file, line, msg);
}

struct ruleset *ruleset_load(const char *dir, uint64_t generation, bool whole_files)
{
	struct ruleset *r = calloc(1, sizeof(*r));
	char path[4096], err[CONF_ERRLEN];
	struct stat st;
	uint64_t t0 = time_mono_ms();

	if (!r)
		return NULL;
	atomic_init(&r->refs, 1);
	r->generation = generation;
	if (dir)
		str_copy(r->dir, dir, sizeof(r->dir));
	if (!dir) {
		policy_load(&r->policy, NULL, err, sizeof(err));
		return r;
	}
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	if (policy_load(&r->policy, stat(path, &st) ? NULL : path, err, sizeof(err))) {
		log_err("%s", err);
		free(r);
		return NULL;
	}
	r->ioc = ioc_index_create();
	if (!r->ioc) {
		free(r);
		return NULL;
	}
	if (ioc_load_rules_dir(r->ioc, dir, ioc_report, r, &r->ioc_stats) && whole_files) {
		log_err("%s: an indicator file could not be loaded whole (see above)", dir);
		ruleset_unref(r);
		return NULL;
	}
	if (ioc_index_finish(r->ioc)) {
		log_err("%s: cannot build the indicator index", dir);
		ruleset_unref(r);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/yara", dir);
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		r->yara = yrr_compile_dir(path, yara_report, r, &r->yara_stats);
	if (r->warnings > RULESET_MAX_WARNINGS)
		log_warn("%s: %u more problems not shown (haidang-rules check %s lists them all)",
			 dir, r->warnings - RULESET_MAX_WARNINGS, dir);
	r->load_ms = time_mono_ms() - t0;
	return r;
}

struct ruleset *ruleset_ref(struct ruleset *r)
{
	if (r)
		atomic_fetch_add(&r->refs, 1);
	return r;
}

void ruleset_unref(struct ruleset *r)
{
	if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	ioc_index_destroy(r->ioc);
	yrr_rules_destroy(r->yara);
	free(r);
}

void ruleset_slot_init(struct ruleset_slot *s, struct ruleset *r)
{
	pthread_mutex_init(&s->mu, NULL);
	s->cur = r;
	atomic_init(&s->generation, r ? r->generation : 0);
}

void ruleset_slot_finish(struct ruleset_slot *s)
{
	ruleset_unref(s->cur);
	s->cur = NULL;
	pthread_mutex_destroy(&s->mu);
}

void ruleset_slot_publish(struct ruleset_slot *s, struct ruleset *r)
{
	struct ruleset *old;

	pthread_mutex_lock(&s->mu);
	old = s->cur;
	s->cur = r;
	atomic_store(&s->generation, r->generation);
	pthread_mutex_unlock(&s->mu);
	ruleset_unref(old);
}

struct ruleset *ruleset_slot_refresh(struct ruleset_slot *s, struct ruleset **held)
{
	struct ruleset *old = *held;

	if (old && old->generation == atomic_load_explicit(&s->generation, memory_order_acquire))
		return NULL;
	pthread_mutex_lock(&s->mu);
	*held = ruleset_ref(s->cur);
	pthread_mutex_unlock(&s->mu);
	return old;
}
