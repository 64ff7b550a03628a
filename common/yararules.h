/*
 * yararules.h - YARA rules: compiling a rules directory file by file, and
 * scanning buffers. Shared by the sensor and haidang-rules. This is the
 * only file of the project that includes yara.h.
 *
 * Compiling: every rules/yara/ **.yar file is first compiled on its own;
 * a file with errors is reported (FILE:LINE: message) and left out, and
 * the good ones are compiled together. One broken file never costs the
 * others. Each file gets its own namespace, named by its path below the
 * rules directory ("webshell/php.yar"), so two files may reuse a rule name.
 *
 * Scanning: compiled rules are read-only and shared by all threads; each
 * thread scans through its own scanner, with SCAN_FLAGS_NO_TRYCATCH and a
 * timeout per scan. libyara 4.2 itself has no per-rules thread limit; we
 * keep the historical one (YRR_MAX_SCANNERS live scanners per rule set) to
 * bound memory.
 *
 * Ownership: yrr_rules owns the compiled rules and must outlive its
 * scanners; match callbacks and report callbacks get strings valid only
 * during the call. Nothing here prints: problems go to the report callback.
 */
#ifndef HAIDANG_YARARULES_H
#define HAIDANG_YARARULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct yrr_rules;
struct yrr_scanner;

#define YRR_MAX_SCANNERS 32             /* live scanners per rule set */
#define YRR_MAX_FILE_SIZE (16u << 20)   /* larger rule files are refused */
#define YRR_MAX_FILES 10000             /* rule files per directory tree */
#define YRR_MAX_DEPTH 32                /* directory nesting below the root */

struct yrr_stats {
	uint64_t files, files_bad, rules, warnings;
	/* Added: errors reported (all files), and why yrr_compile_dir returned
	 * NULL: -ENOENT / -ENOTDIR / -EACCES (the directory itself),
	 * -ENODATA (no rule file in it), -EINVAL (every file was broken),
	 * -ENOMEM; 0 when rules were returned. */
	uint64_t errors;
	int err;
};

struct yrr_match {
	const char *rule;        /* rule identifier */
	const char *ns;          /* namespace: the file's path below the rules dir */
	const char *severity;    /* meta "severity" (low|medium|high|critical) or NULL */
	const char *category;    /* meta "category" or NULL */
	const char *description; /* meta "description" or NULL */
	const char *tags;        /* space-separated tags, "" if none */
	/* Added fields. */
	const char *description_vi; /* meta "description_vi" (Vietnamese) or NULL */
	const char *reference;      /* meta "reference" or NULL */
	const char *string;         /* identifier of the earliest matching string
				     * ("$eval"), NULL for condition-only rules */
	int64_t offset;             /* its offset in the buffer, -1 if none */
};

/*
 * severity: "low", "medium", "high" or "critical" in any case, normalised
 * to lower case. Third-party rules without it but with an integer `score`
 * (signature-base's convention) get one: >= 80 high, >= 60 medium, else
 * low. Any other value is reported as a warning at compile time and
 * yields NULL.
 * category: one of malware, c2, webshell, defacement, exploit, phishing,
 * scanning, mining, tunnelling, policy (lower case); anything else is
 * reported as a warning at compile time and yields NULL.
 */

/* file is the rule file (or the directory, or an included file); line is
 * 0 when the message is not about one line. */
typedef void (*yrr_report_fn)(void *arg, const char *file, unsigned line,
			      const char *msg, bool warning);
/* Return false to stop the scan. */
typedef bool (*yrr_match_fn)(void *arg, const struct yrr_match *m);

/* libyara global set-up; call once from the main thread before anything
 * else here, and yrr_global_finish() at exit. Returns 0 or -ENOMEM. */
int yrr_global_init(void);
void yrr_global_finish(void);

/* Compiles every *.yar / *.yara below dir (recursively, sorted by byte
 * value; hidden entries skipped; symlinks followed, loops refused). Returns
 * NULL only when nothing could be compiled at all (then st->err tells why
 * and report() was told in words). report may be NULL; st may be NULL. */
struct yrr_rules *yrr_compile_dir(const char *dir, yrr_report_fn report, void *arg,
				  struct yrr_stats *st);
/* Checks one file alone (haidang-rules check): reports errors and warnings
 * (including bad severity/category meta); returns the error count, 1 when
 * the file cannot be read. */
int yrr_check_file(const char *path, yrr_report_fn report, void *arg);
void yrr_rules_destroy(struct yrr_rules *r);   /* accepts NULL */
unsigned yrr_rules_count(const struct yrr_rules *r);
/* Calls fn once per public rule, in compile order, with its metadata
 * (string NULL, offset -1): for "haidang-rules list" and tests. Stops
 * when fn returns false. */
void yrr_rules_each(const struct yrr_rules *r, yrr_match_fn fn, void *arg);

/* NULL when out of memory or YRR_MAX_SCANNERS scanners already exist.
 * timeout_s 0 = no timeout. */
struct yrr_scanner *yrr_scanner_create(struct yrr_rules *r, unsigned timeout_s);
void yrr_scanner_destroy(struct yrr_scanner *s);   /* accepts NULL */
/* Scans buf; calls fn per matching rule. Returns 0 (also when fn stopped
 * the scan), -ETIMEDOUT when the scan ran out of time (libyara then
 * reports no match at all for this buffer), or another negative code
 * (-ENOMEM, -EIO). */
int yrr_scan(struct yrr_scanner *s, const uint8_t *buf, size_t len,
	     yrr_match_fn fn, void *arg);

#endif
