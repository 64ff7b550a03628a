/*
 * ioc.h - indicators of compromise: the CSV rule files and one index for
 * every indicator type, shared by the sensor (matching) and haidang-rules
 * (check, stats, import).
 *
 * Files: the .csv files of rules/ioc (indicators) and rules/allow (allow list),
 * header "type,value,severity,source,description", further columns allowed
 * (tags, confidence, expires, tlp, category), '#' starts a comment line.
 * Each bad line is reported through the caller's report function as
 * FILE:LINE: message and skipped; loading goes on.
 *
 * Index: after ioc_index_finish() the index is read-only and may be shared
 * by any number of threads without locks. Lookups are O(1) (hash tables
 * for exact values and addresses; one probe for each label suffix of a
 * domain, each directory of a URL) or O(log n) (CIDRs: one binary search
 * over the disjoint ranges of a family, each labelled with its longest
 * prefix).
 *
 * Ownership: the index owns every entry and string; pointers returned by
 * lookups live as long as the index. Values are normalised on load and on
 * lookup (ioc_normalize), so "HTTP://Example.COM:80/a%7e" and
 * "http://example.com/a~" are the same URL.
 *
 * Matching (docs/ioc-index.md has the whole story):
 *   ip      the address itself, else the longest CIDR holding it;
 *           IPv4-mapped IPv6 addresses are looked up as IPv4.
 *   domain  the name or any parent at a label boundary, most specific
 *           first: "a.b.example.com" matches an indicator "example.com",
 *           "badexample.com" does not.
 *   url     the normalised URL, then the same URL without its query, then
 *           every directory above it: an indicator whose path ends in "/"
 *           ("http://host/dir/", "http://host/") covers everything under it.
 *   others  the exact normalised value.
 * The ioc and the allow side of a hit are found independently; each is the
 * most specific entry of its kind, so an allow entry for "example.com"
 * suppresses an indicator for "evil.example.com".
 *
 * Loading: duplicates (same type and normalised value, same list) keep the
 * entry with the highest severity (the first one on a tie) and are counted.
 * An indicator whose "expires" column (YYYY-MM-DD, or with a time
 * "YYYY-MM-DDTHH:MM:SS[Z|+HH:MM]", UTC when no zone) is not after now is
 * skipped and counted as expired; one notice per file gives the count and
 * the line of the first. The category comes from a "category" column, or
 * else a "category=NAME" tag in "tags"; it must name an entry of
 * category.h (an unknown one is reported and ignored, the line still
 * loads). A file that cannot be opened or whose header is wrong is
 * reported with line 0 or the header's line and skipped whole.
 */
#ifndef HAIDANG_IOC_H
#define HAIDANG_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define IOC_LINE_MAX 8192  /* longer CSV lines are reported and skipped */
#define IOC_VALUE_MAX 4096 /* longest normalised value, NUL included */

enum ioc_type {
	IOC_IP, IOC_CIDR, IOC_DOMAIN, IOC_URL, IOC_MD5, IOC_SHA1, IOC_SHA256,
	IOC_JA3, IOC_JA3S, IOC_CERT_SHA1, IOC__COUNT
};

enum ioc_severity { IOC_SEV_NONE = 0, IOC_SEV_LOW, IOC_SEV_MEDIUM, IOC_SEV_HIGH, IOC_SEV_CRITICAL };

struct ioc_entry {
	enum ioc_type type;
	enum ioc_severity severity;
	bool allow;              /* from rules/allow */
	const char *value;       /* normalised */
	const char *source;      /* feed name; the file's name without .csv when empty */
	const char *description; /* never NULL, may be "" */
	const char *category;    /* haidang category from a "category" column or tags, or NULL */
	const char *file;        /* where it was defined */
	unsigned line;
};

/* What a lookup found: the indicator, and an allow-list entry covering
 * the same value (either may be NULL). A hit with allow != NULL must not
 * raise an incident. */
struct ioc_hit {
	const struct ioc_entry *ioc;
	const struct ioc_entry *allow;
};

/* Counters add up over every load into the same stats: files read, lines
 * read (comments and blank lines too), entries loaded (new unique ones,
 * allow entries included; by_type and allow split them), duplicates, bad
 * lines or files (errors), expired indicators skipped, and warnings
 * (reported, the line still loaded: an unknown category). */
struct ioc_load_stats {
	uint64_t files, lines, loaded, duplicates, errors;
	uint64_t by_type[IOC__COUNT];
	uint64_t allow;
	uint64_t expired, warnings;
};

/* Called for each bad line (line > 0) or bad file (line 0, or the line of
 * its header); msg has no file, line or newline. */
typedef void (*ioc_report_fn)(void *arg, const char *file, unsigned line,
			      const char *msg);

struct ioc_index;

struct ioc_index *ioc_index_create(void);
void ioc_index_destroy(struct ioc_index *x); /* accepts NULL */
/* The time "expires" is compared with (seconds since the epoch); the
 * default is the time of ioc_index_create(). */
void ioc_index_set_time(struct ioc_index *x, int64_t now);
/* Loads one CSV file; allow = it is an allow list. Returns 0, or a
 * negative code when the file cannot be read at all or its header is wrong
 * (reported too); -EBUSY after ioc_index_finish(). */
int ioc_load_file(struct ioc_index *x, const char *path, bool allow,
		  ioc_report_fn report, void *arg, struct ioc_load_stats *st);
/* Loads the .csv files of DIR/ioc and DIR/allow, sorted by name (a missing
 * subdirectory holds no files). Goes on past a bad file; returns 0 or the
 * first file's error. */
int ioc_load_rules_dir(struct ioc_index *x, const char *dir, ioc_report_fn report,
		       void *arg, struct ioc_load_stats *st);
/* Builds the lookup structures; no loads after this, no hits before. */
int ioc_index_finish(struct ioc_index *x);
size_t ioc_index_count(const struct ioc_index *x); /* entries, allow ones included */
/* Bytes held by the index (for the benchmark and stats). */
size_t ioc_index_memory(const struct ioc_index *x);

/* Lookups; every function accepts a NULL index (no rules: no hits). */
struct ioc_hit ioc_lookup_ip(const struct ioc_index *x, const struct hd_addr *a);   /* ip, then longest cidr */
struct ioc_hit ioc_lookup_domain(const struct ioc_index *x, const char *name);     /* the name or a parent */
struct ioc_hit ioc_lookup_url(const struct ioc_index *x, const char *url);         /* "host/path?q" or "http://host/path" */
/* hashes, ja3, ja3s, cert_sha1 (and ip, domain, url through the functions
 * above; cidr: that exact network) */
struct ioc_hit ioc_lookup(const struct ioc_index *x, enum ioc_type t, const char *value);

/* Normalises value for type t into out; returns 0 or -EINVAL with a reason
 * in why (a static string; why may be NULL), -ENOSPC when out is too
 * small. Surrounding blanks are ignored. ip/cidr: canonical text
 * (inet_ntop; host bits of a cidr cleared; IPv4-mapped IPv6 as IPv4),
 * "ip:port" refused; domain: lower case, no trailing dot, a leading "*."
 * or "." dropped, labels of 1-63 bytes, at most 253 bytes, letters,
 * digits, '-', '_' and bytes >= 0x80 (IDNA left as is), an IP address
 * refused; url: scheme and host lower-cased, user info and fragment
 * dropped, an empty query dropped, empty path "/",
 * default port dropped, unreserved percent-escapes decoded and other
 * escapes upper-cased, controls, blanks, bytes >= 0x7f and a '%' that
 * starts no escape percent-encoded, trailing dot of the host dropped, no
 * scheme means http ("host/path" and nDPI's "host:port/path" work);
 * hashes, ja3, ja3s: lower-case hex of the right length; cert_sha1:
 * 40 hex digits, colons allowed on input. */
int ioc_normalize(enum ioc_type t, const char *value, char *out, size_t size,
		  const char **why);

const char *ioc_type_name(enum ioc_type t);
int ioc_type_parse(const char *s, enum ioc_type *t);          /* 0 or -EINVAL */
const char *ioc_severity_name(enum ioc_severity s);
int ioc_severity_parse(const char *s, enum ioc_severity *sev); /* "" -> NONE */

#endif
