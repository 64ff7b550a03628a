/*
 * ioc.c - the indicator index (see ioc.h): reads the CSV rule files,
 * normalises every value, and answers the matcher's lookups. It sits in
 * the sensor's match stage and behind haidang-rules' check/stats/import.
 *
 * Layout, built for millions of indicators (docs/ioc-index.md):
 *   - entries in one growing array, strings in a chunked arena; source,
 *     description and file names interned (feeds repeat them);
 *   - one open-addressing table of 12-byte slots keyed by (type,
 *     normalised value), holding the ioc and the allow entry of that key.
 *     Domains are hashed right to left, so the hash of every label suffix
 *     falls out of one pass over the name; URLs and the rest left to right,
 *     so every directory prefix of a URL does too;
 *   - at ioc_index_finish(): exact IPv4 and IPv6 address tables, and for
 *     each family the CIDRs flattened into a sorted array of disjoint
 *     ranges, each labelled with its longest ioc and allow prefix, searched
 *     by bisection.
 *
 * Never prints (bad input goes to the caller's report function), never
 * changes after ioc_index_finish(): lookups only read, from any thread.
 */
#include "ioc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "category.h"
#include "banned.h"

__extension__ typedef unsigned __int128 u128;

#define ARENA_CHUNK (1024 * 1024)
#define READ_BUF (256 * 1024)
#define MAX_COLS 64
#define NONE 0u /* slot and label references are entry index + 1 */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

/* One key of the exact table: the ioc and the allow entry of a (type,
 * value), either may be NONE; a slot with both NONE is empty. */
struct xslot {
	uint32_t hash, ioc, allow;
};

struct islot { /* interned string */
	uint32_t hash, len;
	const char *s;
};

struct v4slot {
	uint32_t addr, ioc, allow;
};

struct v6slot {
	uint8_t addr[16];
	uint32_t ioc, allow;
};

struct label {
	uint32_t ioc, allow;
};

/* CIDRs of one family as disjoint ranges: range i covers start[i] up to
 * start[i + 1] - 1 (the last one up to the end of the address space);
 * start[0] is 0. */
struct ranges {
	u128 *start;
	struct label *lab;
	size_t n, cap;
};

struct ioc_index {
	struct ioc_entry *e;
	size_t n, cap;
	struct xslot *xs;
	size_t xcap, xused; /* xcap is a power of two */
	struct islot *is;
	size_t icap, iused;
	struct arena_chunk *arena;
	size_t arena_bytes;
	int64_t now;
	bool finished;
	size_t by_type[IOC__COUNT];

	struct v4slot *v4;
	size_t v4cap;
	struct v6slot *v6;
	size_t v6cap;
	uint32_t *r4start; /* ranges of IPv4, start narrowed to 32 bits */
	uint32_t *r4dir;   /* 65537: the first range whose start's /16 is >= i */
	struct label *r4lab;
	size_t r4n;
	struct ranges r6;
	/* A blocked Bloom filter over the hashes in xs and the exact IPv4
	 * addresses (v4bloom), built by ioc_index_finish(): most look-ups are
	 * of values that are no indicator, and the filter (16 bits an entry,
	 * 2 MB for a million) answers those from cache where xs (12 bytes a
	 * slot, half empty) would cost a trip to memory. Blocks of 512 bits,
	 * 3 bits each. */
	uint64_t *bloom;
	size_t bloom_blocks;    /* a power of two, or 0: no filter */
};

#define BLOOM_BITS_PER_ENTRY 16

static const char *type_names[IOC__COUNT] = {
	"ip", "cidr", "domain", "url", "md5", "sha1", "sha256", "ja3", "ja3s", "cert_sha1",
};

static const char *sev_names[] = { "", "low", "medium", "high", "critical" };

/* ---- small helpers ---- */

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_blank((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_blank((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static size_t round_pow2(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

/* ---- hashing: FNV-1a steps, then a strong finaliser ---- */

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static inline uint64_t fnv_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

static inline uint32_t hash_final(uint64_t h, enum ioc_type t, size_t len)
{
	h ^= ((uint64_t)t << 56) ^ (uint64_t)len;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Domains right to left (every label suffix is a step of the same walk),
 * everything else left to right (every URL prefix is). */
static uint32_t key_hash(enum ioc_type t, const char *s, size_t len)
{
	uint64_t h = FNV_OFFSET;

	if (t == IOC_DOMAIN)
		for (size_t i = len; i-- > 0;)
			h = fnv_step(h, (unsigned char)s[i]);
	else
		for (size_t i = 0; i < len; i++)
			h = fnv_step(h, (unsigned char)s[i]);
	return hash_final(h, t, len);
}

static inline uint32_t mix32(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x7feb352dU;
	v ^= v >> 15;
	v *= 0x846ca68bU;
	v ^= v >> 16;
	return v;
}

static uint32_t addr6_hash(const uint8_t *a)
{
	uint64_t h = FNV_OFFSET;

	for (int i = 0; i < 16; i++)
		h = fnv_step(h, a[i]);
	return hash_final(h, IOC_IP, 16);
}

/* ---- arena and interned strings ---- */

static const char *arena_dup(struct ioc_index *x, const char *s, size_t len)
{
	struct arena_chunk *c = x->arena;
	char *p;

	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > ARENA_CHUNK / 4 ? len + 1 : ARENA_CHUNK;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = x->arena;
		x->arena = c;
		x->arena_bytes += sizeof(*c) + size;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

static int intern_grow(struct ioc_index *x)
{
	size_t cap = x->icap ? x->icap * 2 : 256;
	struct islot *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < x->icap; i++) {
		size_t j;
		if (!x->is[i].s)
			continue;
		for (j = x->is[i].hash & (cap - 1); t[j].s; j = (j + 1) & (cap - 1))
			;
		t[j] = x->is[i];
	}
	free(x->is);
	x->is = t;
	x->icap = cap;
	return 0;
}

static const char *intern(struct ioc_index *x, const char *s, size_t len)
{
	uint32_t h;
	size_t j;

	if ((x->iused + 1) * 2 > x->icap && intern_grow(x))
		return NULL;
	h = key_hash(IOC__COUNT, s, len);
	for (j = h & (x->icap - 1); x->is[j].s; j = (j + 1) & (x->icap - 1))
		if (x->is[j].hash == h && x->is[j].len == len && !memcmp(x->is[j].s, s, len))
			return x->is[j].s;
	if (len > UINT32_MAX)
		return NULL;
	x->is[j].s = arena_dup(x, s, len);
	if (!x->is[j].s)
		return NULL;
	x->is[j].hash = h;
	x->is[j].len = (uint32_t)len;
	x->iused++;
	return x->is[j].s;
}

/* ---- the exact table ---- */

static bool key_equal(const char *value, const char *key, size_t len)
{
	return !strncmp(value, key, len) && value[len] == '\0';
}

/* The block and the three bits of a hash in the Bloom filter. */
static const uint64_t *bloom_block(const struct ioc_index *x, uint32_t hash, unsigned bit[3])
{
	uint64_t h = (uint64_t)hash * 0x9e3779b97f4a7c15ULL;

	bit[0] = (unsigned)(h & 511);
	bit[1] = (unsigned)(h >> 9 & 511);
	bit[2] = (unsigned)(h >> 18 & 511);
	return x->bloom + ((h >> 32) & (x->bloom_blocks - 1)) * 8;
}

static void bloom_add(struct ioc_index *x, uint32_t hash)
{
	unsigned bit[3];
	uint64_t *b;

	if (!x->bloom_blocks)
		return;
	b = (uint64_t *)bloom_block(x, hash, bit);
	for (int i = 0; i < 3; i++)
		b[bit[i] / 64] |= (uint64_t)1 << (bit[i] % 64);
}

/* An IPv4 address's key in the Bloom filter (its text form has another) */
static uint32_t v4bloom(uint32_t k)
{
	return mix32(k ^ 0x9e3779b9u) ^ 0x85ebca6bu;
}

static bool bloom_maybe(const struct ioc_index *x, uint32_t hash)
{
	unsigned bit[3];
	const uint64_t *b = bloom_block(x, hash, bit);

	for (int i = 0; i < 3; i++)
		if (!(b[bit[i] / 64] >> (bit[i] % 64) & 1))
			return false;
	return true;
}

static const struct xslot *xfind(const struct ioc_index *x, enum ioc_type t,
				 const char *key, size_t len, uint32_t hash)
{
	size_t mask = x->xcap - 1;

	if (!x->xcap || (x->bloom_blocks && !bloom_maybe(x, hash)))
		return NULL;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		const struct xslot *s = &x->xs[i];
		const struct ioc_entry *e;

		if (s->ioc == NONE && s->allow == NONE)
			return NULL;
		if (s->hash != hash)
			continue;
		e = &x->e[(s->ioc != NONE ? s->ioc : s->allow) - 1];
		if (e->type == t && key_equal(e->value, key, len))
			return s;
	}
}

static int xgrow(struct ioc_index *x)
{
	size_t cap = x->xcap ? x->xcap * 2 : 1024;
	struct xslot *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < x->xcap; i++) {
		const struct xslot *s = &x->xs[i];
		size_t j;
		if (s->ioc == NONE && s->allow == NONE)
			continue;
		for (j = s->hash & (cap - 1); t[j].ioc != NONE || t[j].allow != NONE;
		     j = (j + 1) & (cap - 1))
			;
		t[j] = *s;
	}
	free(x->xs);
	x->xs = t;
	x->xcap = cap;
	return 0;
}

/* Adds e (its value not yet copied) or merges it into the entry with the
 * same key. *dup tells which. */
static int index_add(struct ioc_index *x, const struct ioc_entry *e, size_t vlen, bool *dup)
{
	uint32_t h = key_hash(e->type, e->value, vlen);
	struct xslot *s;
	uint32_t *ref;

	*dup = false;
	if ((x->xused + 1) * 4 > x->xcap * 3 && xgrow(x))
		return -ENOMEM;
	s = (struct xslot *)xfind(x, e->type, e->value, vlen, h);
	if (!s) {
		size_t mask = x->xcap - 1, i;
		for (i = h & mask; x->xs[i].ioc != NONE || x->xs[i].allow != NONE; i = (i + 1) & mask)
			;
		s = &x->xs[i];
		s->hash = h;
	}
	ref = e->allow ? &s->allow : &s->ioc;
	if (*ref != NONE) {
		struct ioc_entry *old = &x->e[*ref - 1];
		*dup = true;
		if (e->severity > old->severity) {
			const char *v = old->value;
			*old = *e;
			old->value = v;
		}
		return 0;
	}
	if (x->n >= UINT32_MAX - 1)
		return -ENOMEM;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 1024;
		struct ioc_entry *t = realloc(x->e, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		x->e = t;
		x->cap = cap;
	}
	x->e[x->n] = *e;
	x->e[x->n].value = arena_dup(x, e->value, vlen);
	if (!x->e[x->n].value)
		return -ENOMEM;
	if (s->ioc == NONE && s->allow == NONE)
		x->xused++;
	*ref = (uint32_t)++x->n;
	x->by_type[e->type]++;
	return 0;
}

/* ---- names ---- */

const char *ioc_type_name(enum ioc_type t)
{
	return (unsigned)t < IOC__COUNT ? type_names[t] : "?";
}

int ioc_type_parse(const char *s, enum ioc_type *t)
{
	for (unsigned i = 0; i < IOC__COUNT; i++) {
		if (!strcasecmp(s, type_names[i])) {
			*t = (enum ioc_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ioc_severity_name(enum ioc_severity s)
{
	return (unsigned)s < ARRAY_SIZE(sev_names) ? sev_names[s] : "?";
}

int ioc_severity_parse(const char *s, enum ioc_severity *sev)
{
	for (unsigned i = 0; i < ARRAY_SIZE(sev_names); i++) {
		if (!strcasecmp(s, sev_names[i])) {
			*sev = (enum ioc_severity)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- normalisation ---- */

/* A bounded output: a unit that does not fit is not written, and sets
 * over; what was written before is always whole. */
struct wbuf {
	char *p;
	size_t size, len;
	bool over;
};

static void wput(struct wbuf *w, const char *s, size_t n)
{
	if (w->over || w->len + n >= w->size) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

static void wputc(struct wbuf *w, char c)
{
	wput(w, &c, 1);
}

static void wput_pct(struct wbuf *w, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char t[3] = { '%', hex[c >> 4], hex[c & 15] };

	wput(w, t, 3);
}

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

static int norm_hex(const char *s, size_t n, size_t digits, bool colons, struct wbuf *w,
		    const char **why)
{
	size_t got = 0;
	char out[64];

	for (size_t i = 0; i < n; i++) {
		if (colons && s[i] == ':')
			continue;
		if (hd_hexval((unsigned char)s[i]) < 0)
			return fail(why, "not a hexadecimal digit");
		if (got == digits)
			return fail(why, "too many hexadecimal digits");
		out[got++] = lower(s[i]);
	}
	if (got != digits)
		return fail(why, "too few hexadecimal digits");
	wput(w, out, got);
	return 0;
}

/* IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4; returns the bits
 * consumed by the mapping prefix (96) or 0. */
static unsigned unmap_v4(struct hd_addr *a)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family != 6 || memcmp(a->a, pfx, 12))
		return 0;
	memmove(a->a, a->a + 12, 4);
	memset(a->a + 4, 0, 12);
	a->family = 4;
	return 96;
}

static int norm_ip(const char *s, size_t n, struct wbuf *w, const char **why)
{
	char tmp[64], text[HD_ADDRSTRLEN];
	struct hd_addr a;
	const char *colon;

	if (n == 0 || n >= sizeof(tmp))
		return fail(why, "not an IP address");
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (addr_parse(tmp, &a)) {
		colon = strchr(tmp, ':');
		if (colon && strchr(tmp, '.') && !strchr(colon + 1, ':'))
			return fail(why, "ip:port is not supported, give the address alone");
		if (strchr(tmp, '/'))
			return fail(why, "a network is type cidr");
		return fail(why, "not an IP address");
	}
	unmap_v4(&a);
	addr_format(&a, text, sizeof(text));
	wput(w, text, strlen(text));
	return 0;
}

static int norm_cidr(const char *s, size_t n, struct wbuf *w, const char **why)
{
	char tmp[64], text[HD_ADDRSTRLEN + 8];
	struct cidr c;
	unsigned bits;
	size_t len;

	if (n == 0 || n >= sizeof(tmp))
		return fail(why, "not a CIDR network");
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!strchr(tmp, '/'))
		return fail(why, "no /prefix length (a single address is type ip)");
	if (cidr_parse(tmp, &c))
		return fail(why, "not a CIDR network");
	bits = c.bits;
	if (c.net.family == 6 && bits >= 96 && unmap_v4(&c.net))
		bits -= 96;
	addr_format(&c.net, text, sizeof(text));
	len = strlen(text);
	snprintf(text + len, sizeof(text) - len, "/%u", bits);
	wput(w, text, strlen(text));
	return 0;
}

static bool domain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c >= 0x80;
}

/* A host name: lower case, one trailing dot dropped, labels checked. */
static int norm_hostname(const char *s, size_t n, struct wbuf *w, const char **why)
{
	char out[256];
	size_t label = 0;

	if (n && s[n - 1] == '.')
		n--;
	if (n == 0)
		return fail(why, "empty name");
	if (n > 253)
		return fail(why, "name longer than 253 bytes");
	for (size_t i = 0; i < n; i++) {
		char c = lower(s[i]);
		if (c == '.') {
			if (label == 0)
				return fail(why, "empty label");
			label = 0;
		} else if (!domain_char((unsigned char)c)) {
			return fail(why, "character not allowed in a name");
		} else if (++label > 63) {
			return fail(why, "label longer than 63 bytes");
		}
		out[i] = c;
	}
	if (label == 0)
		return fail(why, "empty label");
	wput(w, out, n);
	return 0;
}

static int norm_domain(const char *s, size_t n, struct wbuf *w, const char **why)
{
	char tmp[256];
	struct hd_addr a;
	size_t start = w->len;
	int r;

	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		n -= 2;
	} else if (n >= 1 && s[0] == '.') {
		s++;
		n--;
	}
	r = norm_hostname(s, n, w, why);
	if (r)
		return r;
	if (!w->over && w->len - start < sizeof(tmp)) {
		memcpy(tmp, w->p + start, w->len - start);
		tmp[w->len - start] = '\0';
		if (!addr_parse(tmp, &a))
			return fail(why, "an IP address is type ip");
	}
	return 0;
}

static bool unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Path or query bytes, escapes normalised, up to the first of stop. */
static size_t norm_pct(const char *s, size_t n, const char *stop, struct wbuf *w)
{
	size_t i;

	for (i = 0; i < n && !strchr(stop, s[i]); i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && hd_hexval((unsigned char)s[i + 1]) >= 0 &&
		    hd_hexval((unsigned char)s[i + 2]) >= 0) {
			int v = hd_hexval((unsigned char)s[i + 1]) * 16 + hd_hexval((unsigned char)s[i + 2]);
			if (unreserved(v))
				wputc(w, (char)v);
			else
				wput_pct(w, (unsigned char)v);
			i += 2;
		} else if (c <= 0x20 || c >= 0x7f || c == '%') {
			wput_pct(w, c);
		} else {
			wputc(w, (char)c);
		}
	}
	return i;
}

static unsigned default_port(const char *scheme)
{
	static const struct { const char *name; unsigned port; } ports[] = {
		{ "http", 80 }, { "https", 443 }, { "ws", 80 }, { "wss", 443 }, { "ftp", 21 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		if (!strcmp(scheme, ports[i].name))
			return ports[i].port;
	return 0;
}

/* Where the parts of a normalised URL start in the output. */
struct url_parts {
	size_t path, query; /* query: offset of '?', or the length when none */
};

static int norm_url(const char *s, size_t n, struct wbuf *w, struct url_parts *parts,
		    const char **why)
{
	char scheme[17];
	size_t i = 0, slen = 0, auth, aend, hstart, hend;
	const char *at, *port = NULL;
	size_t portlen = 0;

	/* scheme */
	while (i < n && i < sizeof(scheme) - 1 &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		(i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' ||
			   s[i] == '.'))))
		i++;
	if (i > 0 && n - i >= 3 && !memcmp(s + i, "://", 3)) {
		for (slen = 0; slen < i; slen++)
			scheme[slen] = lower(s[slen]);
		scheme[slen] = '\0';
		auth = i + 3;
	} else {
		memcpy(scheme, "http", 5);
		slen = 4;
		auth = 0;
	}
	for (aend = auth; aend < n && s[aend] != '/' && s[aend] != '?' && s[aend] != '#'; aend++)
		;
	/* user info */
	hstart = auth;
	at = memchr(s + auth, '@', aend - auth);
	while (at) {
		hstart = (size_t)(at - s) + 1;
		at = memchr(s + hstart, '@', aend - hstart);
	}
	wput(w, scheme, slen);
	wput(w, "://", 3);
	if (hstart < aend && s[hstart] == '[') {
		char tmp[64], text[HD_ADDRSTRLEN];
		struct hd_addr a;
		const char *close = memchr(s + hstart, ']', aend - hstart);
		size_t alen;

		if (!close)
			return fail(why, "unterminated [IPv6] host");
		alen = (size_t)(close - s) - hstart - 1;
		if (alen == 0 || alen >= sizeof(tmp))
			return fail(why, "bad [IPv6] host");
		memcpy(tmp, s + hstart + 1, alen);
		tmp[alen] = '\0';
		if (addr_parse(tmp, &a) || a.family != 6)
			return fail(why, "bad [IPv6] host");
		hend = (size_t)(close - s) + 1;
		if (hend < aend) {
			if (s[hend] != ':')
				return fail(why, "text after [IPv6] host");
			port = s + hend + 1;
			portlen = aend - hend - 1;
		}
		if (unmap_v4(&a)) {
			addr_format(&a, text, sizeof(text));
			wput(w, text, strlen(text));
		} else {
			addr_format(&a, text, sizeof(text));
			wputc(w, '[');
			wput(w, text, strlen(text));
			wputc(w, ']');
		}
	} else {
		const char *colon = memchr(s + hstart, ':', aend - hstart);
		size_t hlen, hpos = w->len;
		char tmp[256];
		struct hd_addr a;
		int r;

		hend = colon ? (size_t)(colon - s) : aend;
		if (colon) {
			port = colon + 1;
			portlen = aend - hend - 1;
		}
		hlen = hend - hstart;
		if (hlen == 0 || (hlen == 1 && s[hstart] == '.'))
			return fail(why, "no host");
		r = norm_hostname(s + hstart, hlen, w, why);
		if (r)
			return r;
		if (w->over)
			return -ENOSPC;
		/* dotted IPv4 in canonical form */
		if (w->len - hpos < sizeof(tmp)) {
			memcpy(tmp, w->p + hpos, w->len - hpos);
			tmp[w->len - hpos] = '\0';
			if (!addr_parse(tmp, &a) && a.family == 4) {
				char text[HD_ADDRSTRLEN];
				w->len = hpos;
				addr_format(&a, text, sizeof(text));
				wput(w, text, strlen(text));
			}
		}
	}
	if (port && portlen) {
		uint64_t v = 0;
		for (size_t k = 0; k < portlen; k++) {
			if (port[k] < '0' || port[k] > '9' || k >= 5)
				return fail(why, "bad port");
			v = v * 10 + (uint64_t)(port[k] - '0');
		}
		if (v == 0 || v > 65535)
			return fail(why, "bad port");
		if (v != default_port(scheme)) {
			char t[8];
			snprintf(t, sizeof(t), ":%u", (unsigned)v);
			wput(w, t, strlen(t));
		}
	}
	if (w->over)
		return -ENOSPC;
	/* path, query; the fragment is dropped */
	parts->path = w->len;
	i = aend;
	if (i >= n || s[i] != '/')
		wputc(w, '/');
	i += norm_pct(s + i, n - i, "?#", w);
	parts->query = w->len;
	if (i < n && s[i] == '?') {
		size_t qpos = w->len;
		wputc(w, '?');
		i++;
		norm_pct(s + i, n - i, "#", w);
		if (w->len == qpos + 1) { /* an empty query is no query */
			w->len = qpos;
			w->p[qpos] = '\0';
		}
	}
	if (parts->query > w->len)
		parts->query = w->len;
	return w->over ? -ENOSPC : 0;
}

static int normalize(enum ioc_type t, const char *s, size_t n, struct wbuf *w,
		     struct url_parts *parts, const char **why)
{
	struct url_parts dummy;

	trim(&s, &n);
	if (n == 0)
		return fail(why, "empty value");
	switch (t) {
	case IOC_IP:
		return norm_ip(s, n, w, why);
	case IOC_CIDR:
		return norm_cidr(s, n, w, why);
	case IOC_DOMAIN:
		return norm_domain(s, n, w, why);
	case IOC_URL:
		return norm_url(s, n, w, parts ? parts : &dummy, why);
	case IOC_MD5:
	case IOC_JA3:
	case IOC_JA3S:
		return norm_hex(s, n, 32, false, w, why);
	case IOC_SHA1:
		return norm_hex(s, n, 40, false, w, why);
	case IOC_CERT_SHA1:
		return norm_hex(s, n, 40, true, w, why);
	case IOC_SHA256:
		return norm_hex(s, n, 64, false, w, why);
	default:
		return fail(why, "unknown type");
	}
}

int ioc_normalize(enum ioc_type t, const char *value, char *out, size_t size,
		  const char **why)
{
	struct wbuf w = { out, size, 0, false };
	int r;

	if (size == 0)
		return -ENOSPC;
	out[0] = '\0';
	r = normalize(t, value, strlen(value), &w, NULL, why);
	if (!r && w.over)
		r = -ENOSPC;
	if (r == -ENOSPC && why)
		*why = "value too long";
	if (r)
		out[0] = '\0';
	return r;
}

/* ---- index life ---- */

struct ioc_index *ioc_index_create(void)
{
	struct ioc_index *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->now = (int64_t)time(NULL);
	return x;
}

void ioc_index_destroy(struct ioc_index *x)
{
	if (!x)
		return;
	while (x->arena) {
		struct arena_chunk *c = x->arena;
		x->arena = c->next;
		free(c);
	}
	free(x->e);
	free(x->xs);
	free(x->is);
	free(x->v4);
	free(x->v6);
	free(x->r4start);
	free(x->r4dir);
	free(x->r4lab);
	free(x->r6.start);
	free(x->r6.lab);
	free(x->bloom);
	free(x);
}

void ioc_index_set_time(struct ioc_index *x, int64_t now)
{
	if (x)
		x->now = now;
}

size_t ioc_index_count(const struct ioc_index *x)
{
	return x ? x->n : 0;
}

size_t ioc_index_memory(const struct ioc_index *x)
{
	if (!x)
		return 0;
	return sizeof(*x) + x->cap * sizeof(*x->e) + x->xcap * sizeof(*x->xs) +
	       x->icap * sizeof(*x->is) + x->arena_bytes + x->v4cap * sizeof(*x->v4) +
	       x->v6cap * sizeof(*x->v6) + x->r4n * (sizeof(*x->r4start) + sizeof(*x->r4lab)) +
	       (x->r4dir ? 65537 * sizeof(*x->r4dir) : 0) +
	       x->r6.cap * (sizeof(*x->r6.start) + sizeof(*x->r6.lab)) +
	       x->bloom_blocks * 8 * sizeof(*x->bloom);
}

/* ---- CSV ---- */

struct loader {
	struct ioc_index *x;
	const char *file; /* interned */
	bool allow;
	ioc_report_fn report;
	void *arg;
	struct ioc_load_stats *st;
	unsigned line;
	int ncols, col_tags, col_expires, col_category;
	const char *default_source;
	uint64_t expired;
	unsigned first_expired;
};

static void say(struct loader *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct loader *l, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!l->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->report(l->arg, l->file, line, msg);
}

/* A short, printable copy of s for a message. */
static const char *excerpt(const char *s, char *buf, size_t size)
{
	size_t n = 0, max = size - 4;

	for (; *s && n < max; s++)
		buf[n++] = (unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f ? '?' : *s;
	if (*s) {
		while (n && ((unsigned char)buf[n - 1] & 0xc0) == 0x80) /* no cut character */
			n--;
		if (n && ((unsigned char)buf[n - 1] & 0xc0) == 0xc0)
			n--;
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* Splits a line in place into at most max fields; returns their number
 * or -1 with err set. Blanks around fields are dropped; a quoted field
 * may hold commas and doubled quotes. */
static int csv_split(char *p, char **f, int max, const char **err)
{
	int n = 0;

	for (;;) {
		char *start, *out;

		while (*p == ' ' || *p == '\t')
			p++;
		if (n == max) {
			*err = "too many columns";
			return -1;
		}
		if (*p == '"') {
			start = out = ++p;
			for (;;) {
				if (*p == '\0') {
					*err = "unterminated quoted field";
					return -1;
				}
				if (*p == '"') {
					if (p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*out++ = *p++;
			}
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0') {
				*err = "text after a closing quote";
				return -1;
			}
			f[n++] = start;
			if (*p == '\0') {
				*out = '\0';
				return n;
			}
			*out = '\0'; /* out < p: the comma survives */
			p++;
		} else {
			char *end;
			start = p;
			while (*p && *p != ',') {
				if (*p == '"') {
					*err = "quote inside an unquoted field";
					return -1;
				}
				p++;
			}
			end = p;
			while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			f[n++] = start;
			if (*p == '\0') {
				*end = '\0';
				return n;
			}
			*end = '\0';
			p++;
		}
	}
}

static const char *required[] = { "type", "value", "severity", "source", "description" };

static int parse_header(struct loader *l, char **f, int n)
{
	l->col_tags = l->col_expires = l->col_category = -1;
	if (n < (int)ARRAY_SIZE(required))
		goto bad;
	for (int i = 0; i < n; i++) {
		for (char *c = f[i]; *c; c++)
			*c = lower(*c);
		if (i < (int)ARRAY_SIZE(required) && strcmp(f[i], required[i]))
			goto bad;
		for (int j = 0; j < i; j++) {
			if (*f[i] && !strcmp(f[i], f[j])) {
				say(l, l->line, "column \"%s\" twice in the header", f[i]);
				return -EINVAL;
			}
		}
		if (!strcmp(f[i], "tags"))
			l->col_tags = i;
		else if (!strcmp(f[i], "expires"))
			l->col_expires = i;
		else if (!strcmp(f[i], "category"))
			l->col_category = i;
	}
	l->ncols = n;
	return 0;
bad:
	say(l, l->line, "bad header: the columns must start with "
	    "type,value,severity,source,description; file skipped");
	return -EINVAL;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD[T ]HH:MM:SS[Z|+HH:MM|-HH:MM]" (UTC without a
 * zone) to seconds since the epoch. */
static int parse_expires(const char *s, int64_t *out)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h = 0, mi = 0, se = 0, zh, zm;
	int64_t t, zone = 0;
	size_t n = strlen(s);

	if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return -EINVAL;
	s += 10;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		if (strlen(s) < 9 || !digits(s + 1, 2, &h) || s[3] != ':' ||
		    !digits(s + 4, 2, &mi) || s[6] != ':' || !digits(s + 7, 2, &se) ||
		    h > 23 || mi > 59 || se > 60)
			return -EINVAL;
		s += 9;
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			if (strlen(s) != 6 || !digits(s + 1, 2, &zh) || s[3] != ':' ||
			    !digits(s + 4, 2, &zm) || zh > 23 || zm > 59)
				return -EINVAL;
			zone = (int64_t)(zh * 3600 + zm * 60) * (*s == '+' ? 1 : -1);
			s += 6;
		}
	}
	if (*s)
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - zone;
	*out = t;
	return 0;
}

/* The category of a "category=NAME" (or "category:NAME") tag. */
static const char *tag_category(char *tags)
{
	for (char *tok = tags; *tok;) {
		size_t len = strcspn(tok, ",; |\t");
		char save = tok[len];
		if (len > 9 && !strncasecmp(tok, "category", 8) && (tok[8] == '=' || tok[8] == ':')) {
			tok[len] = '\0';
			return tok + 9;
		}
		tok += len;
		if (save)
			tok++;
	}
	return NULL;
}

static void load_line(struct loader *l, char **f, int nf)
{
	struct ioc_load_stats *st = l->st;
	struct ioc_index *x = l->x;
	struct ioc_entry e;
	char value[IOC_VALUE_MAX], ex[80];
	struct wbuf w = { value, sizeof(value), 0, false };
	const char *why = NULL, *cat = NULL;
	bool dup;
	int r;

	if (nf < (int)ARRAY_SIZE(required)) {
		say(l, l->line, "missing columns: %d of at least %zu "
		    "(type,value,severity,source,description)", nf, ARRAY_SIZE(required));
		goto bad;
	}
	if (nf > l->ncols) {
		say(l, l->line, "too many columns: %d, the header has %d (quote fields "
		    "holding commas)", nf, l->ncols);
		goto bad;
	}
	memset(&e, 0, sizeof(e));
	e.allow = l->allow;
	if (ioc_type_parse(f[0], &e.type)) {
		say(l, l->line, "unknown type \"%s\"", excerpt(f[0], ex, sizeof(ex)));
		goto bad;
	}
	r = normalize(e.type, f[1], strlen(f[1]), &w, NULL, &why);
	if (!r && w.over)
		r = -ENOSPC;
	if (r) {
		say(l, l->line, "invalid %s \"%s\": %s", type_names[e.type],
		    excerpt(f[1], ex, sizeof(ex)), r == -ENOSPC ? "value too long" : why);
		goto bad;
	}
	if (ioc_severity_parse(f[2], &e.severity)) {
		say(l, l->line, "unknown severity \"%s\" (low, medium, high, critical)",
		    excerpt(f[2], ex, sizeof(ex)));
		goto bad;
	}
	if (e.severity == IOC_SEV_NONE && !l->allow) {
		say(l, l->line, "missing severity (low, medium, high, critical)");
		goto bad;
	}
	if (l->col_expires >= 0 && l->col_expires < nf && *f[l->col_expires]) {
		int64_t t;
		if (parse_expires(f[l->col_expires], &t)) {
			say(l, l->line, "invalid expires \"%s\" (YYYY-MM-DD or "
			    "YYYY-MM-DDTHH:MM:SSZ)", excerpt(f[l->col_expires], ex, sizeof(ex)));
			goto bad;
		}
		if (t <= x->now) {
			if (!l->expired++)
				l->first_expired = l->line;
			st->expired++;
			return;
		}
	}
	if (l->col_category >= 0 && l->col_category < nf && *f[l->col_category])
		cat = f[l->col_category];
	else if (l->col_tags >= 0 && l->col_tags < nf)
		cat = tag_category(f[l->col_tags]);
	if (cat) {
		char name[32];
		size_t i;
		const struct category *c = NULL;
		for (i = 0; cat[i] && i < sizeof(name) - 1; i++)
			name[i] = lower(cat[i]);
		name[i] = '\0';
		if (!cat[i])
			c = category_find(name);
		if (c) {
			e.category = c->name;
		} else {
			say(l, l->line, "unknown category \"%s\", ignored",
			    excerpt(cat, ex, sizeof(ex)));
			st->warnings++;
		}
	}
	e.value = value;
	e.source = *f[3] ? intern(x, f[3], strlen(f[3])) : l->default_source;
	e.description = intern(x, f[4], strlen(f[4]));
	e.file = l->file;
	e.line = l->line;
	if (!e.source || !e.description || index_add(x, &e, w.len, &dup)) {
		say(l, l->line, "out of memory");
		goto bad;
	}
	if (dup) {
		st->duplicates++;
		return;
	}
	st->loaded++;
	st->by_type[e.type]++;
	if (l->allow)
		st->allow++;
	return;
bad:
	st->errors++;
}

static int open_loader(struct loader *l, struct ioc_index *x, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && !strcasecmp(base + n - 4, ".csv"))
		n -= 4;
	l->file = intern(x, path, strlen(path));
	l->default_source = intern(x, base, n);
	return l->file && l->default_source ? 0 : -ENOMEM;
}

int ioc_load_file(struct ioc_index *x, const char *path, bool allow,
		  ioc_report_fn report, void *arg, struct ioc_load_stats *st)
{
	struct ioc_load_stats dummy;
	struct loader l;
	char *buf, *f[MAX_COLS];
	size_t start = 0, end = 0;
	bool eof = false, skipping = false, header = false;
	int fd, ret = 0;

	memset(&l, 0, sizeof(l));
	if (!st) {
		memset(&dummy, 0, sizeof(dummy));
		st = &dummy;
	}
	l.x = x;
	l.allow = allow;
	l.report = report;
	l.arg = arg;
	l.st = st;
	l.file = path;
	if (!x)
		return -EINVAL;
	if (x->finished) {
		say(&l, 0, "the index is already built, file not loaded");
		st->errors++;
		return -EBUSY;
	}
	if (open_loader(&l, x, path)) {
		l.file = path;
		say(&l, 0, "out of memory");
		st->errors++;
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		say(&l, 0, "cannot open: %s", strerror(-ret));
		st->errors++;
		return ret;
	}
	buf = malloc(READ_BUF);
	if (!buf) {
		close(fd);
		say(&l, 0, "out of memory");
		st->errors++;
		return -ENOMEM;
	}
	st->files++;
	for (;;) {
		char *line, *nl, *p;
		size_t len;
		const char *err = NULL;
		int nf;

		nl = memchr(buf + start, '\n', end - start);
		if (!nl && !eof) {
			if (end - start > IOC_LINE_MAX) {
				skipping = true; /* an overlong line: drop it up to its end */
				start = end = 0;
			}
			memmove(buf, buf + start, end - start);
			end -= start;
			start = 0;
			ssize_t k = read(fd, buf + end, READ_BUF - 1 - end);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				ret = -errno;
				say(&l, l.line + 1, "read error: %s", strerror(-ret));
				st->errors++;
				break;
			}
			if (k == 0)
				eof = true;
			end += (size_t)k;
			continue;
		}
		if (!nl && start == end && !skipping)
			break;
		line = buf + start;
		if (nl) {
			len = (size_t)(nl - line);
			start = (size_t)(nl - buf) + 1;
		} else {
			len = end - start;
			start = end;
		}
		line[len] = '\0';
		l.line++;
		st->lines++;
		if (skipping || len > IOC_LINE_MAX) {
			skipping = false;
			say(&l, l.line, "line longer than %d bytes, skipped", IOC_LINE_MAX);
			st->errors++;
			continue;
		}
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (l.line == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			line += 3;
			len -= 3;
		}
		if (memchr(line, '\0', len)) {
			say(&l, l.line, "NUL byte in line");
			st->errors++;
			continue;
		}
		for (p = line; is_blank((unsigned char)*p); p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		nf = csv_split(line, f, MAX_COLS, &err);
		if (!header) {
			if (nf < 0) {
				say(&l, l.line, "bad header: %s; file skipped", err);
				ret = -EINVAL;
			} else {
				ret = parse_header(&l, f, nf);
			}
			if (ret) {
				st->errors++;
				break;
			}
			header = true;
			continue;
		}
		if (nf < 0) {
			say(&l, l.line, "malformed CSV: %s", err);
			st->errors++;
			continue;
		}
		load_line(&l, f, nf);
	}
	if (!header && !ret) {
		say(&l, 0, "no header line (type,value,severity,source,description)");
		st->errors++;
		ret = -EINVAL;
	}
	if (l.expired)
		say(&l, l.first_expired, "%llu expired indicator(s) skipped, the first here",
		    (unsigned long long)l.expired);
	free(buf);
	close(fd);
	return ret;
}

static int csv_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 && !strcmp(d->d_name + n - 4, ".csv");
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int ioc_load_rules_dir(struct ioc_index *x, const char *dir, ioc_report_fn report,
		       void *arg, struct ioc_load_stats *st)
{
	static const char *subs[] = { "ioc", "allow" };
	char path[4096];
	int ret = 0;

	for (size_t s = 0; s < ARRAY_SIZE(subs); s++) {
		struct dirent **names;
		int n;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, subs[s]) >= sizeof(path))
			return -ENAMETOOLONG;
		n = scandir(path, &names, csv_filter, by_name);
		if (n < 0) {
			if (errno == ENOENT)
				continue;
			int r = -errno;
			if (report) {
				char msg[256];
				snprintf(msg, sizeof(msg), "cannot read the directory: %s", strerror(-r));
				report(arg, path, 0, msg);
			}
			if (st)
				st->errors++;
			if (!ret)
				ret = r;
			continue;
		}
		for (int i = 0; i < n; i++) {
			char file[4096];
			int r;
			if ((size_t)snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name) <
			    sizeof(file)) {
				r = ioc_load_file(x, file, s == 1, report, arg, st);
				if (r && !ret)
					ret = r;
			}
			free(names[i]);
		}
		free(names);
	}
	return ret;
}

/* ---- building the address structures ---- */

static uint32_t v4key(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static u128 v6key(const uint8_t *a)
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | a[i];
	return v;
}

struct node {
	u128 start, end;
	uint32_t ioc, allow;
	uint8_t bits;
};

static int node_cmp(const void *pa, const void *pb)
{
	const struct node *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (int)a->bits - (int)b->bits;
}

static int range_emit(struct ranges *r, u128 start, struct label lab)
{
	if (r->n && r->start[r->n - 1] == start)
		r->n--;
	if (r->n && r->lab[r->n - 1].ioc == lab.ioc && r->lab[r->n - 1].allow == lab.allow)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		u128 *s = realloc(r->start, cap * sizeof(*s));
		struct label *l;
		if (!s)
			return -ENOMEM;
		r->start = s;
		l = realloc(r->lab, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		r->lab = l;
		r->cap = cap;
	}
	r->start[r->n] = start;
	r->lab[r->n++] = lab;
	return 0;
}

/* CIDRs form a laminar family (two are nested or disjoint): sorted by
 * start, widest first, a stack of open networks gives every boundary. */
static int build_ranges(struct node *nodes, size_t n, unsigned width, struct ranges *r)
{
	struct { u128 end; struct label lab; } st[130];
	const struct label none = { NONE, NONE };
	u128 max = width == 128 ? ~(u128)0 : (((u128)1 << width) - 1);
	size_t sp = 0;
	int err = range_emit(r, 0, none);

	qsort(nodes, n, sizeof(*nodes), node_cmp);
	for (size_t i = 0; i <= n && !err; i++) {
		while (sp && (i == n || st[sp - 1].end < nodes[i].start) && !err) {
			u128 e = st[--sp].end;
			if (e != max)
				err = range_emit(r, e + 1, sp ? st[sp - 1].lab : none);
		}
		if (i == n || err)
			break;
		if (sp == ARRAY_SIZE(st)) /* deeper than any prefix length: cannot be */
			continue;
		struct label lab = {
			nodes[i].ioc != NONE ? nodes[i].ioc : (sp ? st[sp - 1].lab.ioc : NONE),
			nodes[i].allow != NONE ? nodes[i].allow : (sp ? st[sp - 1].lab.allow : NONE),
		};
		err = range_emit(r, nodes[i].start, lab);
		st[sp].end = nodes[i].end;
		st[sp++].lab = lab;
	}
	return err;
}

static int build_addresses(struct ioc_index *x)
{
	size_t n4 = 0, n6 = 0, c4 = 0, c6 = 0;
	struct node *nodes4 = NULL, *nodes6 = NULL;
	struct ranges r4 = { 0 };
	int err = -ENOMEM;

	for (size_t i = 0; i < x->xcap; i++) {
		const struct xslot *s = &x->xs[i];
		const struct ioc_entry *e;
		if (s->ioc == NONE && s->allow == NONE)
			continue;
		e = &x->e[(s->ioc != NONE ? s->ioc : s->allow) - 1];
		if (e->type == IOC_IP)
			*(strchr(e->value, ':') ? &n6 : &n4) += 1;
		else if (e->type == IOC_CIDR)
			*(strchr(e->value, ':') ? &c6 : &c4) += 1;
	}
	x->v4cap = round_pow2(n4 * 2);
	x->v6cap = round_pow2(n6 * 2);
	x->v4 = calloc(x->v4cap, sizeof(*x->v4));
	x->v6 = calloc(x->v6cap, sizeof(*x->v6));
	nodes4 = malloc((c4 + 1) * sizeof(*nodes4));
	nodes6 = malloc((c6 + 1) * sizeof(*nodes6));
	if (!x->v4 || !x->v6 || !nodes4 || !nodes6)
		goto out;
	c4 = c6 = 0;
	for (size_t i = 0; i < x->xcap; i++) {
		const struct xslot *s = &x->xs[i];
		const struct ioc_entry *e;
		if (s->ioc == NONE && s->allow == NONE)
			continue;
		e = &x->e[(s->ioc != NONE ? s->ioc : s->allow) - 1];
		if (e->type == IOC_IP) {
			struct hd_addr a;
			if (addr_parse(e->value, &a))
				continue;
			if (a.family == 4) {
				uint32_t k = v4key(a.a);
				size_t j, m = x->v4cap - 1;
				for (j = mix32(k) & m; x->v4[j].ioc || x->v4[j].allow; j = (j + 1) & m)
					;
				x->v4[j].addr = k;
				x->v4[j].ioc = s->ioc;
				x->v4[j].allow = s->allow;
				bloom_add(x, v4bloom(k));
			} else {
				size_t j, m = x->v6cap - 1;
				for (j = addr6_hash(a.a) & m; x->v6[j].ioc || x->v6[j].allow;
				     j = (j + 1) & m)
					;
				memcpy(x->v6[j].addr, a.a, 16);
				x->v6[j].ioc = s->ioc;
				x->v6[j].allow = s->allow;
			}
		} else if (e->type == IOC_CIDR) {
			struct cidr c;
			struct node *nd;
			unsigned width;
			if (cidr_parse(e->value, &c))
				continue;
			width = c.net.family == 4 ? 32 : 128;
			nd = c.net.family == 4 ? &nodes4[c4++] : &nodes6[c6++];
			nd->start = c.net.family == 4 ? v4key(c.net.a) : v6key(c.net.a);
			nd->end = nd->start |
				  (c.bits == 0 ? (width == 128 ? ~(u128)0 : 0xffffffffu)
					       : (((u128)1 << (width - c.bits)) - 1));
			nd->bits = c.bits;
			nd->ioc = s->ioc;
			nd->allow = s->allow;
		}
	}
	if (build_ranges(nodes4, c4, 32, &r4) || build_ranges(nodes6, c6, 128, &x->r6))
		goto out;
	x->r4start = malloc(r4.n * sizeof(*x->r4start));
	x->r4lab = malloc(r4.n * sizeof(*x->r4lab));
	if (!x->r4start || !x->r4lab)
		goto out;
	for (size_t i = 0; i < r4.n; i++) {
		x->r4start[i] = (uint32_t)r4.start[i];
		x->r4lab[i] = r4.lab[i];
	}
	x->r4n = r4.n;
	/* a /16 directory narrows each look-up's binary search to the ranges
	 * starting in the address's /16 (and the one before) */
	x->r4dir = malloc(65537 * sizeof(*x->r4dir));
	if (x->r4dir) {
		size_t i = 0;
		for (uint32_t p16 = 0; p16 <= 65536; p16++) {
			while (i < r4.n && (x->r4start[i] >> 16) < p16)
				i++;
			x->r4dir[p16] = (uint32_t)i;
		}
	}
	err = 0;
out:
	free(r4.start);
	free(r4.lab);
	free(nodes4);
	free(nodes6);
	return err;
}

static void bloom_build(struct ioc_index *x)
{
	size_t want = x->xused * BLOOM_BITS_PER_ENTRY / 512 + 1, n = 1;

	while (n < want)
		n *= 2;
	x->bloom = calloc(n * 8, sizeof(uint64_t));
	if (!x->bloom)
		return;
	x->bloom_blocks = n;
	for (size_t i = 0; i < x->xcap; i++)
		if (x->xs[i].ioc != NONE || x->xs[i].allow != NONE)
			bloom_add(x, x->xs[i].hash);
}

int ioc_index_finish(struct ioc_index *x)
{
	int err;

	if (!x)
		return -EINVAL;
	if (x->finished)
		return 0;
	if (!x->xcap && xgrow(x)) /* lookups need a table, even an empty one */
		return -ENOMEM;
	bloom_build(x); /* without memory for it, look-ups just go to the tables */
	err = build_addresses(x); /* adds the IPv4 addresses to the filter */
	if (err)
		return err;
	if (x->cap > x->n && x->n) { /* give back the doubling's slack */
		struct ioc_entry *t = realloc(x->e, x->n * sizeof(*t));
		if (t) {
			x->e = t;
			x->cap = x->n;
		}
	}
	x->finished = true;
	return 0;
}

/* ---- lookups ---- */

static const struct ioc_entry *ent(const struct ioc_index *x, uint32_t ref)
{
	return ref != NONE ? &x->e[ref - 1] : NULL;
}

static void take(struct ioc_hit *h, const struct ioc_index *x, uint32_t ioc, uint32_t allow)
{
	if (!h->ioc)
		h->ioc = ent(x, ioc);
	if (!h->allow)
		h->allow = ent(x, allow);
}

struct ioc_hit ioc_lookup_ip(const struct ioc_index *x, const struct hd_addr *addr)
{
	struct ioc_hit h = { NULL, NULL };
	struct hd_addr a;

	if (!x || !x->finished || !addr)
		return h;
	a = *addr;
	unmap_v4(&a);
	if (a.family == 4) {
		uint32_t k = v4key(a.a);
		size_t lo = 0, hi = x->r4n, m = x->v4cap - 1;
		bool listed = !x->bloom_blocks || bloom_maybe(x, v4bloom(k));

		for (size_t j = mix32(k) & m; listed && (x->v4[j].ioc || x->v4[j].allow);
		     j = (j + 1) & m) {
			if (x->v4[j].addr == k) {
				take(&h, x, x->v4[j].ioc, x->v4[j].allow);
				break;
			}
		}
		if (h.ioc && h.allow)
			return h;
		if (x->r4dir) {
			lo = x->r4dir[k >> 16];
			lo = lo ? lo - 1 : 0;
			hi = x->r4dir[(k >> 16) + 1];
			if (hi <= lo)
				hi = lo + 1;
		}
		while (hi - lo > 1) { /* the last range starting at or before k */
			size_t mid = lo + (hi - lo) / 2;
			if (x->r4start[mid] <= k)
				lo = mid;
			else
				hi = mid;
		}
		if (x->r4n)
			take(&h, x, x->r4lab[lo].ioc, x->r4lab[lo].allow);
	} else if (a.family == 6) {
		u128 k = v6key(a.a);
		size_t lo = 0, hi = x->r6.n, m = x->v6cap - 1;
		for (size_t j = addr6_hash(a.a) & m; x->v6[j].ioc || x->v6[j].allow;
		     j = (j + 1) & m) {
			if (!memcmp(x->v6[j].addr, a.a, 16)) {
				take(&h, x, x->v6[j].ioc, x->v6[j].allow);
				break;
			}
		}
		if (h.ioc && h.allow)
			return h;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (x->r6.start[mid] <= k)
				lo = mid;
			else
				hi = mid;
		}
		if (x->r6.n)
			take(&h, x, x->r6.lab[lo].ioc, x->r6.lab[lo].allow);
	}
	return h;
}

/* The name and each parent, by one right-to-left pass; the longest match
 * of each kind wins. */
static struct ioc_hit domain_walk(const struct ioc_index *x, const char *s, size_t len)
{
	struct ioc_hit h = { NULL, NULL };
	uint64_t st = FNV_OFFSET;

	for (size_t i = len; i-- > 0;) {
		const struct xslot *slot;
		st = fnv_step(st, (unsigned char)s[i]);
		if (i > 0 && s[i - 1] != '.')
			continue;
		if (s[i] == '.') /* an empty label: no name can match below it */
			continue;
		slot = xfind(x, IOC_DOMAIN, s + i, len - i, hash_final(st, IOC_DOMAIN, len - i));
		if (slot) {
			if (slot->ioc != NONE)
				h.ioc = ent(x, slot->ioc);
			if (slot->allow != NONE)
				h.allow = ent(x, slot->allow);
		}
	}
	return h;
}

struct ioc_hit ioc_lookup_domain(const struct ioc_index *x, const char *name)
{
	struct ioc_hit none = { NULL, NULL };
	char buf[1024];
	size_t n, k;

	if (!x || !x->finished || !name || !x->by_type[IOC_DOMAIN])
		return none;
	n = strlen(name);
	if (n && name[n - 1] == '.')
		n--;
	if (n >= sizeof(buf)) { /* no real name is this long: keep its last labels */
		const char *dot = memchr(name + n - (sizeof(buf) - 1), '.', sizeof(buf) - 1);
		if (!dot)
			return none;
		k = (size_t)(dot + 1 - name);
		name += k;
		n -= k;
	}
	for (k = 0; k < n; k++)
		buf[k] = lower(name[k]);
	buf[n] = '\0';
	return domain_walk(x, buf, n);
}

static void url_probe(const struct ioc_index *x, struct ioc_hit *h, const char *s, size_t len,
		      uint64_t st)
{
	const struct xslot *slot = xfind(x, IOC_URL, s, len, hash_final(st, IOC_URL, len));

	if (slot)
		take(h, x, slot->ioc, slot->allow);
}

struct ioc_hit ioc_lookup_url(const struct ioc_index *x, const char *url)
{
	struct ioc_hit h = { NULL, NULL };
	char buf[IOC_VALUE_MAX];
	struct wbuf w = { buf, sizeof(buf), 0, false };
	struct url_parts parts = { 0, 0 };
	uint64_t st = FNV_OFFSET, dir_st[128];
	size_t dir_len[128], ndirs = 0, len;
	uint64_t query_st = 0;
	bool whole;
	int r;

	if (!x || !x->finished || !url || !x->by_type[IOC_URL])
		return h;
	r = normalize(IOC_URL, url, strlen(url), &w, &parts, NULL);
	if (r && r != -ENOSPC)
		return h;
	if (r == -ENOSPC && (parts.path == 0 || w.len <= parts.path))
		return h; /* the host did not fit */
	whole = r == 0;
	len = w.len;
	/* prefix states: at each '/' of the path and at the '?' */
	for (size_t i = 0; i < len; i++) {
		if (i == parts.query)
			query_st = st;
		st = fnv_step(st, (unsigned char)buf[i]);
		if (i >= parts.path && i < parts.query && buf[i] == '/' &&
		    ndirs < ARRAY_SIZE(dir_len)) {
			dir_len[ndirs] = i + 1;
			dir_st[ndirs++] = st;
		}
	}
	if (whole)
		url_probe(x, &h, buf, len, st);
	if (parts.query < len) /* whole up to its '?' even when cut later */
		url_probe(x, &h, buf, parts.query, query_st);
	while (ndirs-- > 0 && !(h.ioc && h.allow)) {
		if (dir_len[ndirs] == len && whole)
			continue; /* the whole URL, probed already */
		if (dir_len[ndirs] == parts.query && parts.query < len)
			continue;
		url_probe(x, &h, buf, dir_len[ndirs], dir_st[ndirs]);
	}
	return h;
}

struct ioc_hit ioc_lookup(const struct ioc_index *x, enum ioc_type t, const char *value)
{
	struct ioc_hit h = { NULL, NULL };
	char buf[IOC_VALUE_MAX];
	struct wbuf w = { buf, sizeof(buf), 0, false };
	const struct xslot *slot;
	struct hd_addr a;

	if (!x || !x->finished || !value || (unsigned)t >= IOC__COUNT)
		return h;
	switch (t) {
	case IOC_IP:
		return addr_parse(value, &a) ? h : ioc_lookup_ip(x, &a);
	case IOC_DOMAIN:
		return ioc_lookup_domain(x, value);
	case IOC_URL:
		return ioc_lookup_url(x, value);
	default:
		break;
	}
	if (!x->by_type[t])
		return h;
	if (normalize(t, value, strlen(value), &w, NULL, NULL) || w.over)
		return h;
	slot = xfind(x, t, buf, w.len, key_hash(t, buf, w.len));
	if (slot)
		take(&h, x, slot->ioc, slot->allow);
	return h;
}
