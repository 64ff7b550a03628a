/*
 * util.h - small helpers every haidang program uses: bounded string copy,
 * number/size/duration parsing with range checks, RFC 3339 timestamps and
 * IP address formatting.
 *
 * Ownership: nothing here allocates; every output goes into a buffer the
 * caller owns, whose size the caller passes.
 */
#ifndef HAIDANG_UTIL_H
#define HAIDANG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* An IPv4 or IPv6 address; IPv4 lives in the first four bytes of a[]. */
struct hd_addr {
	uint8_t family; /* 4 or 6; 0 = unset */
	uint8_t a[16];
};

#define HD_ADDRSTRLEN 46

/* Copies at most size-1 bytes of src and always terminates; returns the
 * length of src so the caller can detect truncation (like strlcpy). */
size_t str_copy(char *dst, const char *src, size_t size);

/* Parse a whole string; return 0 or -EINVAL / -ERANGE. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Fast formatting for hot paths (no printf): out gets the lower-case hex
 * of d[0..n) and a NUL (2n + 1 bytes); hd_utoa writes v in decimal with a
 * NUL (at most 21 bytes) and returns the digits written. */
void hd_hex(char *out, const uint8_t *d, size_t n);
/* The value of the hex digit c (either case), or -1. */
int hd_hexval(int c);
size_t hd_utoa(char *out, uint64_t v);
/* "64M", "1G", "512k", "1048576" (binary units) */
int parse_size(const char *s, uint64_t *out);
/* "30", "30s", "5m", "2h", "1d" -> seconds */
int parse_duration(const char *s, uint64_t *out);
int parse_bool(const char *s, bool *out);

/* "2024-01-02T03:04:05.123456+00:00" (UTC, microseconds); buf >= 33 bytes. */
#define HD_TSLEN 33
void ts_format(const struct timeval *tv, char *buf, size_t size);

/* Formats an address; returns buf. */
const char *addr_format(const struct hd_addr *a, char *buf, size_t size);
/* IPv6 written out in full ("2001:0db8:0000:..."), as Suricata's EVE
 * writes it; IPv4 as usual. */
const char *addr_format_full(const struct hd_addr *a, char *buf, size_t size);
/* Parses a dotted or colon address into *a; returns 0 or -EINVAL. */
int addr_parse(const char *s, struct hd_addr *a);
bool addr_equal(const struct hd_addr *x, const struct hd_addr *y);
int addr_compare(const struct hd_addr *x, const struct hd_addr *y);

/* A CIDR list, e.g. the home network. */
struct cidr {
	struct hd_addr net;
	uint8_t bits;
};
int cidr_parse(const char *s, struct cidr *c);
bool cidr_contains(const struct cidr *c, const struct hd_addr *a);
/* True if any of the n ranges holds a (the home network test). */
bool cidr_list_contains(const struct cidr *list, size_t n, const struct hd_addr *a);

/* Monotonic clock in milliseconds. */
uint64_t time_mono_ms(void);

/* Initialises a mutex that worker threads take briefly and often: it spins
 * a little before sleeping in the kernel (glibc's adaptive kind), which
 * saves a futex round trip per short critical section under contention.
 * Returns 0 or an errno value, as pthread_mutex_init. */
int hd_mutex_init_busy(pthread_mutex_t *m);

/* Names thread t (at most 15 bytes are kept) so that top -H, ps -L and
 * perf tell the capture, worker, publisher and reload threads apart. Call
 * it from the thread that created t: for another thread glibc writes
 * /proc/self/task/TID/comm, where naming oneself would need prctl, which
 * the sensor's seccomp filter does not allow. Best effort: a failure
 * changes nothing else. */
void hd_thread_name(pthread_t t, const char *name);

/* Copies s into out (size bytes) cut to at most width terminal columns
 * and padded with spaces to exactly width: wide characters (CJK) count two,
 * combining marks (Vietnamese tone marks written apart) none, and a
 * character is never cut in half. Invalid UTF-8 bytes show as '?'. Needs
 * a UTF-8 LC_CTYPE for wcwidth(). Returns the bytes written. */
size_t utf8_fit(char *out, size_t size, const char *s, unsigned width);

#endif
