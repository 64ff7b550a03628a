/*
 * util.c - bounded strings, checked number parsing, timestamps and address
 * formatting shared by the sensor, the rules tool and the triage console.
 * Nothing here prints or allocates.
 */
#define _GNU_SOURCE
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <wchar.h>

#include "banned.h"

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_scaled(const char *s, const char *units, const uint64_t *mult,
			uint64_t *out)
{
	char num[32];
	size_t len = strlen(s);
	uint64_t m = 1, v;
	const char *u;
	int r;

	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	u = strchr(units, tolower((unsigned char)num[len - 1]));
	if (u && num[len - 1] != '\0') {
		m = mult[u - units];
		num[len - 1] = '\0';
		/* accept "64MB"/"64MiB"-less simple forms only */
	}
	r = parse_u64(num, 0, UINT64_MAX, &v);
	if (r)
		return r;
	if (m && v > UINT64_MAX / m)
		return -ERANGE;
	*out = v * m;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const uint64_t mult[] = { 1024ULL, 1024ULL << 10, 1024ULL << 20,
					 1024ULL << 30, 1 };
	return parse_scaled(s, "kmgtb", mult, out);
}

int parse_duration(const char *s, uint64_t *out)
{
	static const uint64_t mult[] = { 1, 60, 3600, 86400 };
	return parse_scaled(s, "smhd", mult, out);
}

int parse_bool(const char *s, bool *out)
{
	static const char *yes[] = { "1", "yes", "true", "on" };
	static const char *no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* v in exactly w decimal digits (w 2 or 4; years past 9999 wrap) */
static void ts_digits(char *p, int v, int w)
{
	unsigned u = v < 0 ? 0 : (unsigned)v;

	for (int i = w - 1; i >= 0; i--) {
		p[i] = (char)('0' + u % 10);
		u /= 10;
	}
}

void ts_format(const struct timeval *tv, char *buf, size_t size)
{
	/* the date and time of one second, reused while the second lasts:
	 * gmtime_r takes a lock in glibc and events come thousands a second */
	static __thread time_t cached_sec = -1;
	static __thread char cached[64];
	struct tm tm;
	time_t t = tv->tv_sec;
	long usec = tv->tv_usec;

	if (usec < 0 || usec > 999999)
		usec = 0;
	if (t != cached_sec) {
		if (!gmtime_r(&t, &tm))
			memset(&tm, 0, sizeof(tm));
		ts_digits(cached, tm.tm_year + 1900, 4);
		cached[4] = '-';
		ts_digits(cached + 5, tm.tm_mon + 1, 2);
		cached[7] = '-';
		ts_digits(cached + 8, tm.tm_mday, 2);
		cached[10] = 'T';
		ts_digits(cached + 11, tm.tm_hour, 2);
		cached[13] = ':';
		ts_digits(cached + 14, tm.tm_min, 2);
		cached[16] = ':';
		ts_digits(cached + 17, tm.tm_sec, 2);
		cached[19] = '\0';
		cached_sec = t;
	}
	if (size < HD_TSLEN) {
		if (size)
			buf[0] = '\0';
		return;
	}
	memcpy(buf, cached, 19);
	buf[19] = '.';
	for (int i = 25; i >= 20; i--) {
		buf[i] = (char)('0' + usec % 10);
		usec /= 10;
	}
	memcpy(buf + 26, "+00:00", 7);
}

const char *addr_format(const struct hd_addr *a, char *buf, size_t size)
{
	if (a->family == 4 && size >= 16) {
		char *p = buf;
		for (int i = 0; i < 4; i++) {
			unsigned v = a->a[i];
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
	} else if (a->family == 4) {
		str_copy(buf, "?", size);
	} else if (a->family == 6) {
		if (!inet_ntop(AF_INET6, a->a, buf, size))
			str_copy(buf, "?", size);
	} else {
		str_copy(buf, "", size);
	}
	return buf;
}

int hd_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void hd_hex(char *out, const uint8_t *d, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

size_t hd_utoa(char *out, uint64_t v)
{
	char t[20];
	size_t n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = t[n - 1 - i];
	out[n] = '\0';
	return n;
}

const char *addr_format_full(const struct hd_addr *a, char *buf, size_t size)
{
	char *p = buf;

	if (a->family != 6)
		return addr_format(a, buf, size);
	if (size < 40) {
		str_copy(buf, "?", size);
		return buf;
	}
	for (int i = 0; i < 16; i += 2) {
		hd_hex(p, a->a + i, 2);
		p[4] = i < 14 ? ':' : '\0';
		p += 5;
	}
	return buf;
}

int addr_parse(const char *s, struct hd_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = 6;
		return 0;
	}
	return -EINVAL;
}

bool addr_equal(const struct hd_addr *x, const struct hd_addr *y)
{
	return x->family == y->family &&
	       !memcmp(x->a, y->a, x->family == 4 ? 4 : 16);
}

int addr_compare(const struct hd_addr *x, const struct hd_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, x->family == 4 ? 4 : 16);
}

int cidr_parse(const char *s, struct cidr *c)
{
	char host[HD_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t bits;

	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (addr_parse(host, &c->net))
		return -EINVAL;
	bits = c->net.family == 4 ? 32 : 128;
	if (slash && parse_u64(slash + 1, 0, bits, &bits))
		return -EINVAL;
	c->bits = (uint8_t)bits;
	/* clear host bits so contains() can compare bytes */
	for (unsigned i = c->bits; i < (c->net.family == 4 ? 32u : 128u); i++)
		c->net.a[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return 0;
}

bool cidr_contains(const struct cidr *c, const struct hd_addr *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (a->family != c->net.family)
		return false;
	if (memcmp(a->a, c->net.a, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff00u >> rest);
		if ((a->a[full] & mask) != c->net.a[full])
			return false;
	}
	return true;
}

bool cidr_list_contains(const struct cidr *list, size_t n, const struct hd_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (cidr_contains(&list[i], a))
			return true;
	return false;
}

uint64_t time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int hd_mutex_init_busy(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int rc;

	if ((rc = pthread_mutexattr_init(&a)))
		return rc;
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
	rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
}

void hd_thread_name(pthread_t t, const char *name)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%s", name);
	(void)pthread_setname_np(t, buf);
}

size_t utf8_fit(char *out, size_t size, const char *s, unsigned width)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;
	unsigned used = 0;

	if (!size)
		return 0;
	while (*p) {
		unsigned n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
			     (*p & 0xf8) == 0xf0 ? 4 : 0;
		const char *put = (const char *)p;
		unsigned putn;
		wchar_t wc;
		int w;

		for (unsigned i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				n = 0;
		if (!n) {                       /* not UTF-8: one '?' per byte */
			put = "?", putn = 1, w = 1, n = 1;
		} else {
			wc = n == 1 ? *p : n == 2 ? (*p & 0x1f) : n == 3 ? (*p & 0x0f) : (*p & 0x07);
			for (unsigned i = 1; i < n; i++)
				wc = (wchar_t)((wc << 6) | (p[i] & 0x3f));
			putn = n;
			if (wc < 0x20 || wc == 0x7f) {
				put = " ", putn = 1, w = 1;
			} else if ((w = wcwidth(wc)) < 0) {
				w = 1;
			}
		}
		if (used + (unsigned)w > width || o + putn >= size)
			break;
		memcpy(out + o, put, putn);
		o += putn;
		used += (unsigned)w;
		p += n;
	}
	while (used < width && o + 1 < size) {
		out[o++] = ' ';
		used++;
	}
	out[o] = '\0';
	return o;
}
