/*
 * behave.c - behaviour signals (see behave.h): port scans, host sweeps,
 * brute force, beaconing, DNS tunnelling and DGA-looking names.
 *
 * Sits beside the flow table's end callback and the DNS parser: every
 * ended flow and every DNS query is summarised here, from every worker
 * thread, under one mutex. State is kept per client host in a seeded hash
 * table with an LRU list. Each host holds, for the connection attempts it
 * made that never became conversations, a port bitmap per peer and a peer
 * bitmap per port (current and previous window); a counter per login
 * service it tried; the (peer, port) pairs it connects to with the start
 * times of their last connections; the domains it sent tunnel-like names
 * under; and the signals it raised recently (one per key per window, a
 * bounded number per kind). The number of hosts and the bytes they hold
 * are capped; the least recently active host goes first and is counted.
 *
 * Time is the traffic's own (flow start, query time), never the wall
 * clock: a host's "now" is the latest start time it was seen with, so
 * flows reported out of order by different workers still count together.
 *
 * It must never call the signal callback with the lock held, keep a
 * pointer into a flow, or let wire data grow its state without bound.
 */
#include "behave.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"
#include "banned.h"

#define PEER_MAX 256          /* peers probed, per host (port bitmaps) */
#define PORT_WORDS 16         /* 1024 port bits per peer and epoch */
#define PORT_MAX 256          /* ports probed, per host (peer bitmaps) */
#define PEER_WORDS 8          /* 512 peer bits per port and epoch */
#define LOGIN_MAX 32          /* (peer, login service) pairs per host */
#define ALL_PEER_WORDS 64     /* 4096 bits: all peers a host probed, per epoch */
#define ALL_PORT_WORDS 16     /* 1024 bits: all ports a host probed, per epoch */
#define SWEEP_ALL_KEY 0xffffffffULL /* the signal key of a many-port sweep */
#define THRESHOLD_MAX 400     /* distinct counts stay accurate up to here */
#define PAIR_MAX 128          /* (peer, port) pairs watched for beaconing per host */
#define BEACON_RING 32        /* start times kept per pair */
#define BEACON_MERGE_MS 1000  /* starts closer than this are one beat */
#define BEACON_REARM_MS (3600 * 1000LL) /* one beaconing signal per pair per hour */
#define DOM_MAX 32            /* tunnel-like domains tracked per host */
#define DOM_NAME_MAX 96       /* registered domain kept (longer: truncated copy) */
#define SUPP_PER_KIND 16      /* signals per kind per host per window */
#define PENDING_MAX 8         /* signals one call can raise */
#define NAME_MAX_LEN 253      /* a DNS name in text form */
#define NAME_BUF 256          /* what is kept of a longer one */
#define NO_DOMAIN "(no registered domain)"
#define TUNNEL_LEFT_LEN 16    /* a leftmost label this long ... */
#define TUNNEL_LEFT_ENTROPY 3.5 /* ... with this entropy is tunnel-like */

enum kind { K_SCAN, K_SWEEP, K_BRUTE, K_BEACON, K_TUNNEL, K_DGA, K__COUNT };

struct bitwin {
	int64_t epoch;            /* index of the current epoch (time / window) */
	int64_t first[2], last;   /* ms: first key of each epoch, last key */
	unsigned set[2], uni;     /* bits set in current, previous, and either */
};

struct peerent {              /* a peer this host probed: which ports */
	uint64_t hash;
	struct hd_addr addr;
	struct bitwin w;
	uint64_t bits[2][PORT_WORDS]; /* current, previous epoch */
};

struct portent {              /* a port this host probed: which peers */
	uint16_t port;
	uint8_t proto;
	struct bitwin w;
	uint64_t bits[2][PEER_WORDS];
};

struct kent {                 /* a key column's entry: an entry's key, last use */
	uint64_t key;
	int64_t used;
};

struct pair {
	struct hd_addr peer;
	uint8_t proto, n, head;
	uint16_t port;
	uint32_t count;           /* connections seen, merged beats excluded */
	int64_t base, last;       /* ms; ring holds offsets from base */
	int32_t *ring;            /* BEACON_RING, allocated at the second beat */
};

/* Two fixed buckets, the current one weighted in full and the previous one
 * by how much of it still overlaps a window ending now. */
struct rate {
	int64_t start;
	uint32_t cur, prev;
};

struct probes {               /* all peers and all ports this host probed */
	struct bitwin wpeer, wport;
	uint64_t peers[2][ALL_PEER_WORDS];
	uint64_t ports[2][ALL_PORT_WORDS];
};

struct login {                /* a login service this host tried */
	struct hd_addr peer;
	uint16_t port;
	int64_t used, first, last;
	struct rate r;
};

struct dom {
	uint64_t key;
	char name[DOM_NAME_MAX];
	struct rate r;
	int64_t last;
	unsigned longest;
};

struct supp {
	uint64_t key;             /* 0 = free */
	int64_t until;
};

struct host {
	struct host *hnext, *older, *newer;
	struct hd_addr addr;
	int64_t now;
	bool have_now;
	struct peerent *peers;
	uint32_t npeers, peers_cap;
	struct portent *ports;
	uint32_t nports, ports_cap;
	/* compact key columns beside the peer, port and pair tables: a look-up
	 * (and, for peers and ports, the search for the least recently used
	 * entry to reuse) scans 8-16 bytes an entry instead of the entries'
	 * ~100-300 */
	struct kent *peer_col, *port_col;
	uint64_t *pair_keys;
	uint32_t peer_kcap, port_kcap, pair_kcap;
	struct login *logins;
	uint32_t nlogins, logins_cap;
	struct probes *probes;    /* on the first probe */
	struct pair *pairs;
	uint32_t npairs, pairs_cap;
	struct dom *doms;
	uint32_t ndoms, doms_cap;
	struct supp *supp;        /* K__COUNT * SUPP_PER_KIND, on the first signal */
	struct rate dga;
	size_t mem;
};

struct behave {
	pthread_mutex_t lock;
	struct behave_config cfg;
	struct host **buckets;
	uint64_t nbuckets;        /* power of two */
	struct host *oldest, *newest;
	uint64_t seed;
	size_t mem;
	struct behave_stats st;
};

struct pending {
	struct signal sig;
	char observed[192];
};

struct batch {
	struct pending p[PENDING_MAX];
	unsigned n;
};

/* ---- configuration ---- */

void behave_config_defaults(struct behave_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->window = 60;
	cfg->scan_ports = 25;
	cfg->sweep_hosts = 25;
	cfg->sweep_hosts_icmp = 12;
	cfg->brute_attempts = 10;
	cfg->beacon_min = 8;
	cfg->beacon_jitter = 0.2;
	cfg->beacon_min_interval = 1;
	cfg->dns_tunnel_queries = 50;
	cfg->dns_label_len = 30;
	cfg->dga_entropy = 2.5;
	cfg->max_hosts = 65536;
	cfg->memcap = 128ULL << 20;
}

static unsigned clamp_u(unsigned v, unsigned def, unsigned lo, unsigned hi)
{
	if (!v)
		v = def;
	return v < lo ? lo : v > hi ? hi : v;
}

/* 0 means the default; out-of-range values are brought into range. */
static void config_fix(struct behave_config *c, const struct behave_config *in)
{
	struct behave_config d;

	behave_config_defaults(&d);
	c->window = clamp_u(in->window, d.window, 1, 86400);
	c->scan_ports = clamp_u(in->scan_ports, d.scan_ports, 2, THRESHOLD_MAX);
	c->sweep_hosts = clamp_u(in->sweep_hosts, d.sweep_hosts, 2, THRESHOLD_MAX);
	c->sweep_hosts_icmp = clamp_u(in->sweep_hosts_icmp, d.sweep_hosts_icmp, 2, THRESHOLD_MAX);
	c->brute_attempts = clamp_u(in->brute_attempts, d.brute_attempts, 2, 1u << 20);
	c->beacon_min = clamp_u(in->beacon_min, d.beacon_min, 3, BEACON_RING);
	c->beacon_jitter = in->beacon_jitter > 0 ? in->beacon_jitter : d.beacon_jitter;
	c->beacon_min_interval = clamp_u(in->beacon_min_interval, d.beacon_min_interval, 1, 86400);
	c->dns_tunnel_queries = clamp_u(in->dns_tunnel_queries, d.dns_tunnel_queries, 1, 1u << 20);
	c->dns_label_len = clamp_u(in->dns_label_len, d.dns_label_len, 8, 63);
	c->dga_entropy = in->dga_entropy > 0 ? in->dga_entropy : d.dga_entropy;
	c->max_hosts = clamp_u(in->max_hosts, d.max_hosts, 16, 1u << 24);
	c->memcap = in->memcap ? in->memcap : d.memcap;
	if (c->memcap < (1u << 20))
		c->memcap = 1u << 20;
}

/* ---- small helpers ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t addr_hash(uint64_t seed, const struct hd_addr *a)
{
	uint64_t w0, w1;

	memcpy(&w0, a->a, 8);
	memcpy(&w1, a->a + 8, 8);
	return mix64(seed ^ mix64(w0 ^ a->family) ^ mix64(w1 + 0x9e3779b97f4a7c15ULL));
}

static uint64_t str_hash(uint64_t seed, const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix64(h);
}

static uint64_t nonzero(uint64_t k)
{
	return k ? k : 1;
}

/* A copy with the unused bytes of an IPv4 address zeroed. */
static struct hd_addr addr_canon(const struct hd_addr *a)
{
	struct hd_addr c;

	memset(&c, 0, sizeof(c));
	c.family = a->family;
	memcpy(c.a, a->a, a->family == 4 ? 4 : 16);
	return c;
}

static int64_t tv_ms(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000 + tv->tv_usec / 1000;
}

static const char *proto_name(uint8_t proto, char *buf, size_t size)
{
	if (proto == 1 || proto == 58)
		return "icmp";
	if (proto == 6)
		return "tcp";
	if (proto == 17)
		return "udp";
	snprintf(buf, size, "ip%u", proto);
	return buf;
}

static bool addr_group(const struct hd_addr *a)
{
	if (a->family == 4)
		return (a->a[0] & 0xf0) == 0xe0 ||
		       (a->a[0] == 255 && a->a[1] == 255 && a->a[2] == 255 && a->a[3] == 255);
	return a->family == 6 && a->a[0] == 0xff;
}

static unsigned secs(int64_t ms)
{
	return ms <= 0 ? 0 : (unsigned)((ms + 500) / 1000);
}

static void rate_add(struct rate *r, int64_t now, int64_t w)
{
	if (!r->start && !r->cur && !r->prev)
		r->start = now;
	if (now >= r->start + w) {
		int64_t k = (now - r->start) / w;
		r->prev = k == 1 ? r->cur : 0;
		r->cur = 0;
		r->start += k * w;
	}
	r->cur++;
}

static unsigned rate_estimate(const struct rate *r, int64_t now, int64_t w)
{
	int64_t into = now - r->start;
	double est;

	if (into >= 2 * w)
		return 0;
	if (into >= w)
		return (unsigned)((double)r->cur * (double)(2 * w - into) / (double)w + 1e-9);
	if (into < 0)
		into = 0;
	est = r->cur + (double)r->prev * (double)(w - into) / (double)w;
	return (unsigned)(est + 1e-9); /* rounded down: never above the true count */
}

/* ---- names: registered domain, entropy, the DGA heuristic ---- */

static const char *const generic_sld[] = {
	"ac", "biz", "co", "com", "edu", "gob", "go", "gov", "gv", "health", "in", "info",
	"int", "ltd", "mil", "name", "ne", "net", "nic", "nom", "or", "org", "plc", "pro", "sch",
};

/* Dynamic-DNS zones: their subdomains are registered by end users. */
static const char *const ddns_zones[] = {
	"3utilities.com", "changeip.com", "ddns.net", "ddnsking.com", "duckdns.org",
	"dynu.net", "dyndns.org", "freeddns.org", "gotdns.ch", "hopto.org", "linkpc.net",
	"myftp.biz", "myftp.org", "no-ip.biz", "no-ip.com", "no-ip.info", "no-ip.org",
	"publicvm.com", "redirectme.net", "servebeer.com", "serveftp.com", "sytes.net",
	"zapto.org",
};

static bool in_list(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && !memcmp(list[i], s, len))
			return true;
	return false;
}

/* Lowercases name into buf (>= NAME_BUF bytes) without the final dot.
 * Returns its length, or 0 when it is not a name worth judging: empty, an
 * empty label, or a single label. Names longer than DNS allows (a parser's
 * cut, or a caller's own) keep their first NAME_BUF - 1 bytes and set
 * *oversize. */
static size_t name_normalise(const char *name, char *buf, bool *oversize)
{
	size_t n = 0, label = 0, labels = 1;

	*oversize = false;
	if (!name)
		return 0;
	for (const char *p = name; *p; p++) {
		if (n >= NAME_BUF - 1) {
			*oversize = true;
			break;
		}
		if (*p == '.') {
			if (!label)
				return 0;
			if (!p[1])
				break;
			label = 0;
			labels++;
		} else {
			label++;
		}
		buf[n++] = (char)tolower((unsigned char)*p);
	}
	buf[n] = '\0';
	if (!n || !label || labels < 2)
		return 0;
	if (n > NAME_MAX_LEN)
		*oversize = true;
	return n;
}

/* Whether the last label can be a top-level domain: letters only, or an
 * IDN ("xn--"). Names ending otherwise (a tunnel talking straight to its
 * server, an address typed as a name, a name cut short) have no registered
 * domain. */
static bool tld_plausible(const char *s, size_t len)
{
	size_t start = len, n;
	const char *t;

	while (start > 0 && s[start - 1] != '.')
		start--;
	t = s + start;
	n = len - start;

	if (n >= 4 && !memcmp(t, "xn--", 4))
		return true;
	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (t[i] < 'a' || t[i] > 'z')
			return false;
	return true;
}

/* Offset of the registered domain in a normalised name. */
static size_t regdom_offset(const char *s, size_t len)
{
	size_t dots[3] = { 0, 0, 0 }; /* positions of the last three dots */
	unsigned nd = 0;
	size_t tld, sld_len;

	for (size_t i = len; i-- > 0;)
		if (s[i] == '.' && nd < 3)
			dots[nd++] = i;
	if (nd < 2)
		return 0;
	tld = len - dots[0] - 1;
	sld_len = dots[0] - dots[1] - 1;
	if (in_list(ddns_zones, ARRAY_SIZE(ddns_zones), s + dots[1] + 1, len - dots[1] - 1) ||
	    (tld == 2 && in_list(generic_sld, ARRAY_SIZE(generic_sld), s + dots[1] + 1, sld_len)))
		return nd == 3 ? dots[2] + 1 : 0;
	return dots[1] + 1;
}

const char *behave_registered_domain(const char *name, char *buf, size_t size)
{
	char n[NAME_BUF];
	bool oversize;
	size_t len = name_normalise(name, n, &oversize), off;

	if (!len || oversize || !tld_plausible(n, len))
		return NULL;
	off = regdom_offset(n, len);
	if (len - off + 1 > size)
		return NULL;
	memcpy(buf, n + off, len - off + 1);
	return buf;
}

static double entropy(const char *s, size_t n)
{
	unsigned cnt[256] = { 0 };
	double h = 0;

	for (size_t i = 0; i < n; i++)
		cnt[(unsigned char)s[i]]++;
	for (size_t i = 0; i < 256; i++)
		if (cnt[i]) {
			double p = (double)cnt[i] / (double)n;
			h -= p * log2(p);
		}
	return h;
}

/* The common bigrams of English text, the core of any frequency table:
 * what names built from words are made of and random strings are not. */
static const char common_bigrams[] =
	"th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha "
	"as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el "
	"ta la ns di fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa "
	"ge ie wh ee wi em ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id os "
	"iv ia am fi ci vi pl ig tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo "
	"av ag if ap gr od bo sp rd do uc bu ei ov by rm ep tt oc fa ef cu rn sc gi da "
	"yo cr cl du ga qu ue ff ba ey ls va um pp ua up lu go ht ru ug ds lt pi rc rr "
	"eg au ck ew mu br bi pt ak pu ui rg ib tl ny ki rk ys ob mm fu ph og ms ye ud "
	"mb ip ub oi rl gu dr hr cc tw ft wn nu af hu nn eo vo rv nf xp gn sm fl iz ok "
	"nl my gl aw ju oa eq sy sl ps jo lf nv je nk kn gs dy hy ze ks xt bs ik dd cy "
	"rp sk";

static uint32_t bigram_bits[26];
static pthread_once_t bigram_once = PTHREAD_ONCE_INIT;

static void bigram_init(void)
{
	for (const char *p = common_bigrams; p[0] && p[1]; p += 2) {
		bigram_bits[p[0] - 'a'] |= 1u << (p[1] - 'a');
		if (*(p + 2) == ' ')
			p++;
	}
}

static bool is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/*
 * One label (lowercase) looks generated when it is at least 8 characters,
 * has no hyphen (words joined by hyphens, IDN "xn--"), its character
 * entropy reaches min_entropy, and at least one of: few of its letter
 * bigrams are common English ones (<= 40%, or <= 60% for 12+ characters),
 * letters and digits alternate 3 or more times, or 7 consonants in a row.
 */
static bool dga_label(const char *s, size_t n, double min_entropy, double *ent)
{
	unsigned lb = 0, common = 0, switches = 0, run = 0, maxrun = 0;
	double cf;

	*ent = 0;
	if (n < 8 || memchr(s, '-', n))
		return false;
	*ent = entropy(s, n);
	if (*ent < min_entropy)
		return false;
	pthread_once(&bigram_once, bigram_init);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool letter = c >= 'a' && c <= 'z';
		if (letter && !is_vowel(c) && c != 'y') {
			if (++run > maxrun)
				maxrun = run;
		} else {
			run = 0;
		}
		if (i + 1 < n) {
			char d = s[i + 1];
			bool dletter = d >= 'a' && d <= 'z';
			bool digit = c >= '0' && c <= '9', ddigit = d >= '0' && d <= '9';
			if ((digit && dletter) || (letter && ddigit))
				switches++;
			if (letter && dletter) {
				lb++;
				if (bigram_bits[c - 'a'] & (1u << (d - 'a')))
					common++;
			}
		}
	}
	/* the bigram test needs letters: all-digit names (common in China) stay */
	cf = lb >= 4 ? (double)common / lb : 1;
	return cf <= 0.4 || (n >= 12 && cf <= 0.6) || switches >= 3 || maxrun >= 7;
}

/* The label the DGA heuristic judges: the first of the registered domain. */
static bool dga_name(const char *n, size_t len, double min_entropy, double *ent,
		     size_t *regoff)
{
	size_t off = regdom_offset(n, len);
	const char *dot = memchr(n + off, '.', len - off);

	*regoff = off;
	*ent = 0;
	return dot && dga_label(n + off, (size_t)(dot - (n + off)), min_entropy, ent);
}

bool behave_dga_check(const char *name, double min_entropy)
{
	char n[NAME_BUF];
	bool oversize;
	size_t len = name_normalise(name, n, &oversize), off;
	double ent;

	if (!len || oversize || !tld_plausible(n, len))
		return false;
	if (min_entropy <= 0)
		min_entropy = 2.5;
	return dga_name(n, len, min_entropy, &ent, &off);
}

static bool tunnel_like(const struct behave_config *c, const char *sub, size_t len,
			unsigned *longest)
{
	size_t start = 0, left = 0;

	*longest = 0;
	for (size_t i = 0; i <= len; i++)
		if (i == len || sub[i] == '.') {
			size_t l = i - start;
			if (!start)
				left = l;
			if (l > *longest)
				*longest = (unsigned)l;
			start = i + 1;
		}
	return *longest >= c->dns_label_len ||
	       (left >= TUNNEL_LEFT_LEN && entropy(sub, left) >= TUNNEL_LEFT_ENTROPY);
}

/* ---- memory accounting ---- */

static void *grow(struct behave *b, struct host *h, void *p, size_t oldn, size_t newn,
		  size_t elsz)
{
	void *np = realloc(p, newn * elsz);

	if (!np)
		return NULL;
	memset((char *)np + oldn * elsz, 0, (newn - oldn) * elsz);
	h->mem += (newn - oldn) * elsz;
	b->mem += (newn - oldn) * elsz;
	return np;
}

/* Doubles a host's full table (arr, n entries of *cap; first: its first
 * size) while it holds fewer than max. Returns the new array, for the
 * caller to store, with *cap updated; NULL when the table was not grown
 * (not full, at max, or out of memory). */
static void *table_grow(struct behave *b, struct host *h, void *arr, uint32_t n, uint32_t *cap,
			uint32_t max, uint32_t first, size_t elsz)
{
	uint32_t nc;
	void *na;

	if (n != *cap || *cap >= max)
		return NULL;
	nc = *cap ? *cap * 2 : first;
	na = grow(b, h, arr, *cap, nc, elsz);
	if (na)
		*cap = nc;
	return na;
}

/* The entry of arr (n entries of elsz bytes) whose int64_t time at offset
 * stamp is the oldest, the first of equals; NULL when n is 0. */
static void *table_oldest(void *arr, uint32_t n, size_t elsz, size_t stamp)
{
	char *e = arr, *old = NULL;
	int64_t t, ot = 0;

	for (uint32_t i = 0; i < n; i++, e += elsz) {
		memcpy(&t, e + stamp, sizeof(t));
		if (!old || t < ot) {
			old = e;
			ot = t;
		}
	}
	return old;
}

/* A zeroed slot for a new entry in a host's table (n entries of *cap,
 * arr): the table grown while under max, else its oldest entry (by the
 * int64_t at stamp) reused. *arr gets the possibly moved array. NULL when
 * there is neither. */
static void *table_slot(struct behave *b, struct host *h, void **arr, uint32_t *n,
			uint32_t *cap, uint32_t max, uint32_t first, size_t elsz, size_t stamp)
{
	void *na = table_grow(b, h, *arr, *n, cap, max, first, elsz), *e;

	if (na)
		*arr = na;
	if (*n < *cap)
		e = (char *)*arr + (size_t)(*n)++ * elsz;
	else if (!(e = table_oldest(*arr, *n, elsz, stamp)))
		return NULL;
	memset(e, 0, elsz);
	return e;
}

/* Makes a key column hold as many keys as its table will after its next
 * growth (n entries of cap, growing to twice cap or first, up to max), so
 * that the column never lags the table. false when out of memory. */
static bool keys_reserve(struct behave *b, struct host *h, void **keys, uint32_t *kcap,
			 uint32_t n, uint32_t cap, uint32_t max, uint32_t first, size_t elsz)
{
	uint32_t want = n < cap || cap >= max ? cap : (cap ? cap * 2 : first);
	void *nk;

	if (want <= *kcap)
		return true;
	nk = grow(b, h, *keys, *kcap, want, elsz);
	if (!nk)
		return false;
	*keys = nk;
	*kcap = want;
	return true;
}

/* The index of key in a key column of n entries, from i on; n if none. */
static uint32_t keys_find(const uint64_t *keys, uint32_t n, uint32_t i, uint64_t key)
{
	for (; i < n; i++)
		if (keys[i] == key)
			break;
	return i;
}

static uint32_t kent_find(const struct kent *col, uint32_t n, uint32_t i, uint64_t key)
{
	for (; i < n; i++)
		if (col[i].key == key)
			break;
	return i;
}

/* A zeroed entry for key in a table with a kent column (n entries of
 * *cap, elsz bytes each): the table grown while under max, else its least
 * recently used entry reused. Returns its index, or -1 when out of memory. */
static int64_t keyed_slot(struct behave *b, struct host *h, void **arr, struct kent **col,
			  uint32_t *kcap, uint32_t *n, uint32_t *cap, uint32_t max, size_t elsz,
			  uint64_t key, int64_t now)
{
	void *na;
	uint32_t i;

	if (!keys_reserve(b, h, (void **)col, kcap, *n, *cap, max, 2, sizeof(**col)))
		return -1;
	na = table_grow(b, h, *arr, *n, cap, max, 2, elsz);
	if (na)
		*arr = na;
	if (*n < *cap)
		i = (*n)++;
	else if (*n)
		i = (uint32_t)((struct kent *)table_oldest(*col, *n, sizeof(**col),
							   offsetof(struct kent, used)) - *col);
	else
		return -1;
	memset((char *)*arr + (size_t)i * elsz, 0, elsz);
	(*col)[i].key = key;
	(*col)[i].used = now;
	return i;
}

/* ---- hosts: hash table and LRU ---- */

static struct host **bucket_of(struct behave *b, const struct hd_addr *a)
{
	return &b->buckets[addr_hash(b->seed, a) & (b->nbuckets - 1)];
}

static void lru_unlink(struct behave *b, struct host *h)
{
	if (h->older)
		h->older->newer = h->newer;
	else
		b->oldest = h->newer;
	if (h->newer)
		h->newer->older = h->older;
	else
		b->newest = h->older;
	h->older = h->newer = NULL;
}

static void lru_push(struct behave *b, struct host *h)
{
	h->older = b->newest;
	h->newer = NULL;
	if (b->newest)
		b->newest->newer = h;
	else
		b->oldest = h;
	b->newest = h;
}

static void host_free(struct behave *b, struct host *h)
{
	for (uint32_t i = 0; i < h->npairs; i++)
		free(h->pairs[i].ring);
	free(h->pairs);
	free(h->peers);
	free(h->ports);
	free(h->peer_col);
	free(h->port_col);
	free(h->pair_keys);
	free(h->logins);
	free(h->probes);
	free(h->doms);
	free(h->supp);
	b->mem -= h->mem;
	free(h);
}

static void host_evict(struct behave *b, struct host *h)
{
	struct host **pp = bucket_of(b, &h->addr);

	while (*pp && *pp != h)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = h->hnext;
	lru_unlink(b, h);
	host_free(b, h);
	b->st.hosts--;
	b->st.evicted++;
}

static struct host *host_get(struct behave *b, const struct hd_addr *addr)
{
	struct hd_addr a = addr_canon(addr);
	struct host **pp = bucket_of(b, &a), *h;

	for (h = *pp; h; h = h->hnext)
		if (addr_equal(&h->addr, &a)) {
			lru_unlink(b, h);
			lru_push(b, h);
			return h;
		}
	while (b->st.hosts >= b->cfg.max_hosts && b->oldest)
		host_evict(b, b->oldest);
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->addr = a;
	h->mem = sizeof(*h);
	b->mem += h->mem;
	h->hnext = *pp;
	*pp = h;
	lru_push(b, h);
	b->st.hosts++;
	return h;
}

/* After h grew: older hosts make room under the memory cap. */
static void enforce_memcap(struct behave *b, const struct host *keep)
{
	while (b->mem > b->cfg.memcap && b->oldest && b->oldest != keep)
		host_evict(b, b->oldest);
}

static void host_time(struct host *h, int64_t t)
{
	if (!h->have_now || t > h->now)
		h->now = t;
	h->have_now = true;
}

/* ---- signal budget: one signal per key per window, SUPP_PER_KIND per kind ---- */

static bool supp_active(const struct host *h, enum kind k, uint64_t key, int64_t now)
{
	const struct supp *s;

	if (!h->supp)
		return false;
	s = h->supp + k * SUPP_PER_KIND;
	for (unsigned i = 0; i < SUPP_PER_KIND; i++)
		if (s[i].key == key && s[i].until > now)
			return true;
	return false;
}

enum arm { ARM_DUP, ARM_FULL, ARM_GO };

/* Whether a signal for key may go out now (then recorded until `until`),
 * was already raised in its window, or finds this kind's budget spent. */
static enum arm supp_try(struct behave *b, struct host *h, enum kind k, uint64_t key,
			 int64_t now, int64_t until)
{
	struct supp *s, *slot = NULL;

	if (!h->supp) {
		h->supp = grow(b, h, NULL, 0, K__COUNT * SUPP_PER_KIND, sizeof(*h->supp));
		if (!h->supp)
			return ARM_FULL;
	}
	s = h->supp + k * SUPP_PER_KIND;
	for (unsigned i = 0; i < SUPP_PER_KIND; i++) {
		if (s[i].key == key) {
			if (s[i].until > now)
				return ARM_DUP;
			slot = &s[i];
			break;
		}
		if (!slot && (!s[i].key || s[i].until <= now))
			slot = &s[i];
	}
	if (!slot) {
		b->st.suppressed++;
		return ARM_FULL;
	}
	slot->key = key;
	slot->until = until;
	return ARM_GO;
}

static bool supp_arm(struct behave *b, struct host *h, enum kind k, uint64_t key, int64_t now,
		     int64_t until)
{
	return supp_try(b, h, k, key, now, until) == ARM_GO;
}

/* ---- signals ---- */

static struct pending *batch_add(struct batch *bt, const char *rule, const char *category,
				 enum signal_severity sev, const struct timeval *ts)
{
	struct pending *p;

	if (bt->n >= PENDING_MAX)
		return NULL;
	p = &bt->p[bt->n++];
	memset(p, 0, sizeof(*p));
	p->sig.kind = SIG_BEHAVIOUR;
	p->sig.severity = sev;
	p->sig.rule = rule;
	p->sig.source = "behaviour";
	p->sig.category = category;
	p->sig.observed = p->observed;
	p->sig.ts = *ts;
	return p;
}

/* host = the home end; when both or neither are home, the client. */
static void flow_ends(struct pending *p, const struct behave_flow *f, bool *host_is_client)
{
	bool client = f->client_home || !f->server_home;

	p->sig.host = addr_canon(client ? &f->src : &f->dst);
	p->sig.peer = addr_canon(client ? &f->dst : &f->src);
	p->sig.proto = f->proto;
	p->sig.app_proto = f->app_proto;
	p->sig.flow_id = f->flow_id;
	*host_is_client = client;
}

static void emit(struct batch *bt, signal_fn fn, void *arg)
{
	for (unsigned i = 0; fn && i < bt->n; i++)
		fn(arg, &bt->p[i].sig);
}

/* ---- flows: what counts ---- */

struct auth_port {
	uint16_t port;
	const char *name;
};

static const struct auth_port auth_ports[] = {
	{ 21, "ftp" }, { 22, "ssh" }, { 23, "telnet" }, { 25, "smtp" }, { 110, "pop3" },
	{ 143, "imap" }, { 465, "smtps" }, { 587, "submission" }, { 993, "imaps" },
	{ 995, "pop3s" }, { 3389, "rdp" },
};

static const char *const auth_apps[] = {
	"ssh", "rdp", "ftp", "ftp_control", "telnet", "smtp", "smtps", "pop3", "pop3s",
	"pops", "imap", "imaps",
};

/* The login service a flow went to, or NULL. */
static const char *auth_service(const struct behave_flow *f)
{
	if (f->proto != 6)
		return NULL;
	if (f->http_login || f->http_status == 401 || f->http_status == 403)
		return "http login";
	if (f->app_proto)
		for (size_t i = 0; i < ARRAY_SIZE(auth_apps); i++)
			if (!strcasecmp(f->app_proto, auth_apps[i]))
				return auth_apps[i];
	for (size_t i = 0; i < ARRAY_SIZE(auth_ports); i++)
		if (f->dport == auth_ports[i].port)
			return auth_ports[i].name;
	return NULL;
}

/* A login attempt: an HTTP login or refusal, or a short conversation with
 * a login service (the server answered, little was exchanged). */
static bool auth_attempt(const struct behave_flow *f, const char *svc)
{
	if (!svc)
		return false;
	if (!strcmp(svc, "http login"))
		return true;
	return f->pkts[1] >= 3 && f->pkts[0] + f->pkts[1] <= 80 && f->bytes[0] <= 12000 &&
	       f->bytes[1] <= 24000;
}

/* A probe: a connection attempt that never became a conversation. TCP:
 * the server sent at most two packets (nothing, a RST, SYN-ACK then RST,
 * SYN-ACK and a banner); UDP: no answer at all. Traceroute's UDP ports are
 * left out (their answers are ICMP, in other flows). */
static bool probe(const struct behave_flow *f)
{
	if (f->pkts[0] > 8 || addr_group(&f->dst))
		return false;
	if (f->proto == 6)
		return f->pkts[1] <= 2;
	if (f->proto == 17)
		return f->pkts[1] == 0 && !(f->dport >= 33434 && f->dport <= 33534);
	/* ping sweeps: a few echoes to one address, answered or not */
	if (f->proto == 1 || f->proto == 58)
		return f->pkts[0] <= 4 && f->pkts[1] <= 4;
	return false;
}

/* Protocols periodic by design, left out of beaconing. */
static const uint16_t periodic_udp[] = { 53, 67, 68, 123, 137, 138, 1900, 5353, 5355 };

static bool beacon_candidate(const struct behave_flow *f)
{
	if (f->server_home || addr_group(&f->dst))
		return false;
	if (f->proto == 17) {
		for (size_t i = 0; i < ARRAY_SIZE(periodic_udp); i++)
			if (f->dport == periodic_udp[i])
				return false;
		return true;
	}
	return f->proto == 6;
}

/* ---- distinct counts over a sliding window: scans and sweeps ----
 *
 * Keys (ports of a peer, peers on a port) are hashed into a bitmap per
 * epoch of one window; the current and the previous epoch are kept. The
 * count is the current epoch's distinct keys plus those seen only in the
 * previous one, weighted by how much of it still lies in a window ending
 * now. Distinct keys are estimated from the bitmap's empty bits (linear
 * counting), close to exact at the thresholds used here.
 */

static int64_t epoch_of(int64_t t, int64_t w)
{
	return t >= 0 ? t / w : -1 - (-1 - t) / w;
}

static double linear_count(unsigned set, unsigned bits)
{
	if (set >= bits)
		return bits * log((double)bits); /* saturated: a floor, plenty above thresholds */
	return -(double)bits * log((double)(bits - set) / bits);
}

/* cur and prev are words long each. */
static void bitwin_add(struct bitwin *bw, uint64_t *cur, uint64_t *prev, unsigned words,
		       uint64_t key_hash, int64_t t, int64_t w)
{
	int64_t e = epoch_of(t, w);
	unsigned bit = (unsigned)(key_hash % (words * 64u));
	unsigned which;
	uint64_t *m;

	uint64_t *other, b1 = 1ULL << (bit % 64);

	if (e > bw->epoch) {
		if (e == bw->epoch + 1) {
			memcpy(prev, cur, words * sizeof(uint64_t));
			bw->first[1] = bw->first[0];
			bw->set[1] = bw->set[0];
		} else {
			memset(prev, 0, words * sizeof(uint64_t));
			bw->set[1] = 0;
		}
		memset(cur, 0, words * sizeof(uint64_t));
		bw->set[0] = 0;
		bw->uni = bw->set[1];
		bw->epoch = e;
	}
	if (e == bw->epoch)
		which = 0, m = cur, other = prev;
	else if (e == bw->epoch - 1)
		which = 1, m = prev, other = cur;
	else
		return; /* older than the window */
	if (!bw->set[which] || t < bw->first[which])
		bw->first[which] = t;
	if (!bw->uni || t > bw->last)
		bw->last = t;
	if (!(m[bit / 64] & b1)) {
		m[bit / 64] |= b1;
		bw->set[which]++;
		if (!(other[bit / 64] & b1))
			bw->uni++;
	}
}

/* Seconds from the first key still counted to the last. */
static unsigned bitwin_span(const struct bitwin *bw, int64_t now, int64_t w)
{
	int64_t first = bw->last;

	if (bw->set[0] && bw->first[0] < first)
		first = bw->first[0];
	if (bw->set[1] && bw->first[1] < first)
		first = bw->first[1];
	if (first < now - w)
		first = now - w;
	return secs(bw->last - first);
}

static unsigned bitwin_count(const struct bitwin *bw, unsigned words, int64_t now, int64_t w)
{
	int64_t e = epoch_of(now, w);
	double left = 1.0 - (double)(now - e * w) / (double)w; /* of the previous epoch */
	double dc, du;

	if (e == bw->epoch) {
		dc = linear_count(bw->set[0], words * 64);
		du = linear_count(bw->uni, words * 64);
		return (unsigned)(dc + (du - dc) * left + 1e-9);
	}
	if (e == bw->epoch + 1)
		return (unsigned)(linear_count(bw->set[0], words * 64) * left +
				  1e-9);
	return 0;
}

static struct peerent *peer_get(struct behave *b, struct host *h, const struct hd_addr *peer,
				uint64_t hash, int64_t now)
{
	struct peerent *p;
	void *arr = h->peers;
	int64_t k;

	for (uint32_t i = kent_find(h->peer_col, h->npeers, 0, hash); i < h->npeers;
	     i = kent_find(h->peer_col, h->npeers, i + 1, hash))
		if (addr_equal(&h->peers[i].addr, peer)) {
			h->peer_col[i].used = now;
			return &h->peers[i];
		}
	k = keyed_slot(b, h, &arr, &h->peer_col, &h->peer_kcap, &h->npeers, &h->peers_cap,
		       PEER_MAX, sizeof(*p), hash, now);
	h->peers = arr;
	if (k < 0)
		return NULL;
	p = &h->peers[k];
	p->addr = *peer;
	p->hash = hash;
	p->w.epoch = INT64_MIN / 2;
	return p;
}

static struct portent *port_get(struct behave *b, struct host *h, uint8_t proto, uint16_t port,
				int64_t now)
{
	struct portent *p;
	void *arr = h->ports;
	uint64_t key = (uint64_t)proto << 16 | port;
	uint32_t i = kent_find(h->port_col, h->nports, 0, key);
	int64_t k;

	if (i < h->nports) {
		h->port_col[i].used = now;
		return &h->ports[i];
	}
	k = keyed_slot(b, h, &arr, &h->port_col, &h->port_kcap, &h->nports, &h->ports_cap,
		       PORT_MAX, sizeof(*p), key, now);
	h->ports = arr;
	if (k < 0)
		return NULL;
	p = &h->ports[k];
	p->port = port;
	p->proto = proto;
	p->w.epoch = INT64_MIN / 2;
	return p;
}

static struct login *login_get(struct behave *b, struct host *h, const struct hd_addr *peer,
			       uint16_t port, int64_t now)
{
	struct login *l;
	void *arr = h->logins;

	for (uint32_t i = 0; i < h->nlogins; i++)
		if (h->logins[i].port == port && addr_equal(&h->logins[i].peer, peer)) {
			h->logins[i].used = now;
			return &h->logins[i];
		}
	l = table_slot(b, h, &arr, &h->nlogins, &h->logins_cap, LOGIN_MAX, 2, sizeof(*l),
		       offsetof(struct login, used));
	h->logins = arr;
	if (!l)
		return NULL;
	l->peer = *peer;
	l->port = port;
	l->used = now;
	return l;
}

static enum signal_severity scan_severity(const struct behave_flow *f)
{
	if (f->client_home)
		return SIG_SEV_HIGH;   /* one of ours scans: likely compromised */
	return f->server_home ? SIG_SEV_LOW : SIG_SEV_MEDIUM; /* internet noise */
}

static void check_scan(struct behave *b, struct host *h, const struct behave_flow *f,
		       const struct hd_addr *peer, int64_t t, int64_t w, struct batch *bt)
{
	uint64_t ph = nonzero(addr_hash(b->seed, peer));
	struct peerent *p = peer_get(b, h, peer, ph, h->now);
	unsigned n;
	struct pending *pd;
	bool hc;
	char a[HD_ADDRSTRLEN];

	if (!p)
		return;
	bitwin_add(&p->w, p->bits[0], p->bits[1], PORT_WORDS,
		   mix64(b->seed ^ ((uint64_t)f->proto << 16 | f->dport)), t, w);
	if (supp_active(h, K_SCAN, ph, h->now))
		return;
	n = bitwin_count(&p->w, PORT_WORDS, h->now, w);
	if (n < b->cfg.scan_ports || !supp_arm(b, h, K_SCAN, ph, h->now, h->now + w))
		return;
	pd = batch_add(bt, "port_scan", "scanning", scan_severity(f), &f->end);
	if (!pd)
		return;
	flow_ends(pd, f, &hc);
	snprintf(pd->observed, sizeof(pd->observed), "%u ports of %s in %u s", n,
		 addr_format(peer, a, sizeof(a)),
		 bitwin_span(&p->w, h->now, w));
	b->st.scans++;
}

static void check_sweep(struct behave *b, struct host *h, const struct behave_flow *f,
			const struct hd_addr *peer, int64_t t, int64_t w, struct batch *bt)
{
	uint64_t key = nonzero((uint64_t)f->proto << 16 | f->dport);
	struct portent *p = port_get(b, h, f->proto, f->dport, h->now);
	unsigned n;
	struct pending *pd;
	bool hc;
	char pn[8];

	if (!p)
		return;
	bitwin_add(&p->w, p->bits[0], p->bits[1], PEER_WORDS, addr_hash(b->seed ^ 1, peer), t, w);
	if (supp_active(h, K_SWEEP, key, h->now) || supp_active(h, K_SWEEP, SWEEP_ALL_KEY, h->now))
		return;
	n = bitwin_count(&p->w, PEER_WORDS, h->now, w);
	if (n < (f->proto == 1 || f->proto == 58 ? b->cfg.sweep_hosts_icmp : b->cfg.sweep_hosts) ||
	    !supp_arm(b, h, K_SWEEP, key, h->now, h->now + w))
		return;
	pd = batch_add(bt, "host_sweep", "scanning", scan_severity(f), &f->end);
	if (!pd)
		return;
	flow_ends(pd, f, &hc);
	if (hc) {
		/* our host (or an unplaced one) sweeps: many peers, none named */
		memset(&pd->sig.peer, 0, sizeof(pd->sig.peer));
		pd->sig.peer_port = f->dport;
	} else {
		/* swept from outside: the host is the last of ours it touched */
		pd->sig.host_port = f->dport;
	}
	snprintf(pd->observed, sizeof(pd->observed), "%u hosts on port %u/%s in %u s", n,
		 f->dport, proto_name(f->proto, pn, sizeof(pn)),
		 bitwin_span(&p->w, h->now, w));
	b->st.sweeps++;
}

/* Whether any sweep signal of this host is still in its window. */
static bool sweep_raised(const struct host *h, int64_t now)
{
	const struct supp *s = h->supp ? h->supp + K_SWEEP * SUPP_PER_KIND : NULL;

	for (unsigned i = 0; s && i < SUPP_PER_KIND; i++)
		if (s[i].key && s[i].until > now)
			return true;
	return false;
}

/*
 * A sweep over many ports at once (masscan and the like: thousands of
 * peers, hundreds of ports interleaved) is too spread for the per-port
 * table. Counted over all the host probed: many peers, and ports that
 * repeat (at most a quarter as many ports as peers; a peer-to-peer client
 * failing to reach peers on their own random ports has about as many
 * ports as peers and is left alone).
 */
static void check_sweep_all(struct behave *b, struct host *h, const struct behave_flow *f,
			    const struct hd_addr *peer, int64_t t, int64_t w, struct batch *bt)
{
	struct probes *pr = h->probes;
	unsigned npeers, nports;
	struct pending *pd;
	bool hc;

	if (!pr) {
		pr = h->probes = grow(b, h, NULL, 0, 1, sizeof(*pr));
		if (!pr)
			return;
		pr->wpeer.epoch = pr->wport.epoch = INT64_MIN / 2;
	}
	bitwin_add(&pr->wpeer, pr->peers[0], pr->peers[1], ALL_PEER_WORDS,
		   addr_hash(b->seed ^ 2, peer), t, w);
	bitwin_add(&pr->wport, pr->ports[0], pr->ports[1], ALL_PORT_WORDS,
		   mix64(b->seed ^ 3 ^ ((uint64_t)f->proto << 16 | f->dport)), t, w);
	if (sweep_raised(h, h->now))
		return;
	npeers = bitwin_count(&pr->wpeer, ALL_PEER_WORDS, h->now, w);
	if (npeers < b->cfg.sweep_hosts)
		return;
	nports = bitwin_count(&pr->wport, ALL_PORT_WORDS, h->now, w);
	if (nports < 2 || nports * 4 > npeers ||
	    !supp_arm(b, h, K_SWEEP, SWEEP_ALL_KEY, h->now, h->now + w))
		return;
	pd = batch_add(bt, "host_sweep", "scanning", scan_severity(f), &f->end);
	if (!pd)
		return;
	flow_ends(pd, f, &hc);
	if (hc)
		memset(&pd->sig.peer, 0, sizeof(pd->sig.peer));
	snprintf(pd->observed, sizeof(pd->observed), "%u hosts on %u ports in %u s", npeers,
		 nports, bitwin_span(&pr->wpeer, h->now, w));
	b->st.sweeps++;
}

static void check_brute(struct behave *b, struct host *h, const struct behave_flow *f,
			const struct hd_addr *peer, const char *svc, int64_t t, int64_t w,
			struct batch *bt)
{
	uint64_t key = nonzero(addr_hash(b->seed, peer) ^ f->dport);
	struct login *l = login_get(b, h, peer, f->dport, h->now);
	unsigned n;
	struct pending *pd;
	bool hc;
	char a[HD_ADDRSTRLEN];

	if (!l)
		return;
	if (!l->r.cur && !l->r.prev)
		l->first = t;
	else if (t < l->first)
		l->first = t;
	if (t > l->last)
		l->last = t;
	rate_add(&l->r, h->now, w);
	if (supp_active(h, K_BRUTE, key, h->now))
		return;
	n = rate_estimate(&l->r, h->now, w);
	if (n < b->cfg.brute_attempts || !supp_arm(b, h, K_BRUTE, key, h->now, h->now + w))
		return;
	pd = batch_add(bt, "brute_force", "brute_force",
		       f->client_home ? SIG_SEV_HIGH : SIG_SEV_MEDIUM, &f->end);
	if (!pd)
		return;
	flow_ends(pd, f, &hc);
	if (hc)
		pd->sig.peer_port = f->dport;
	else
		pd->sig.host_port = f->dport;
	snprintf(pd->observed, sizeof(pd->observed), "%u %s attempts on %s port %u in %u s", n,
		 svc, addr_format(peer, a, sizeof(a)), f->dport, secs(l->last - l->first));
	b->st.brute++;
}

/* ---- beaconing ---- */

static struct pair *pair_get(struct behave *b, struct host *h, const struct hd_addr *peer,
			     uint8_t proto, uint16_t port, int64_t t)
{
	struct pair *p, *np, *victim = NULL;
	uint64_t key = mix64(addr_hash(b->seed, peer) ^ ((uint64_t)proto << 16 | port));

	for (uint32_t i = keys_find(h->pair_keys, h->npairs, 0, key); i < h->npairs;
	     i = keys_find(h->pair_keys, h->npairs, i + 1, key)) {
		p = &h->pairs[i];
		if (p->port == port && p->proto == proto && addr_equal(&p->peer, peer))
			return p;
	}
	if (!keys_reserve(b, h, (void **)&h->pair_keys, &h->pair_kcap, h->npairs, h->pairs_cap,
			  PAIR_MAX, 4, sizeof(*h->pair_keys)))
		return NULL;
	np = table_grow(b, h, h->pairs, h->npairs, &h->pairs_cap, PAIR_MAX, 4, sizeof(*np));
	if (np)
		h->pairs = np;
	if (h->npairs < h->pairs_cap) {
		p = &h->pairs[h->npairs++];
	} else if (h->npairs) {
		/* full: the stalest one-off pair goes, else the stalest pair */
		for (uint32_t i = 0; i < h->npairs; i++) {
			p = &h->pairs[i];
			if (!victim || (p->count < 3 && victim->count >= 3) ||
			    ((p->count < 3) == (victim->count < 3) && p->last < victim->last))
				victim = p;
		}
		p = victim;
		if (p->ring) {
			free(p->ring);
			h->mem -= BEACON_RING * sizeof(int32_t);
			b->mem -= BEACON_RING * sizeof(int32_t);
		}
	} else {
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	p->peer = *peer;
	p->proto = proto;
	p->port = port;
	p->base = p->last = t;
	h->pair_keys[p - h->pairs] = key;
	return p;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, c = *(const int64_t *)y;

	return a < c ? -1 : a > c;
}

static double median_sorted(const int64_t *v, unsigned n)
{
	return n & 1 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

/* Median interval and median absolute deviation of the pair's starts;
 * returns the time from the first start kept to the last. */
static int64_t pair_intervals(const struct pair *p, double *med, double *mad)
{
	int64_t t[BEACON_RING], d[BEACON_RING];
	unsigned n = p->n;

	for (unsigned i = 0; i < n; i++)
		t[i] = p->base + p->ring[i];
	qsort(t, n, sizeof(t[0]), cmp_i64);
	for (unsigned i = 0; i + 1 < n; i++)
		d[i] = t[i + 1] - t[i];
	qsort(d, n - 1, sizeof(d[0]), cmp_i64);
	*med = median_sorted(d, n - 1);
	for (unsigned i = 0; i + 1 < n; i++) {
		double x = (double)d[i] - *med;
		d[i] = (int64_t)llround(x < 0 ? -x : x);
	}
	qsort(d, n - 1, sizeof(d[0]), cmp_i64);
	*mad = median_sorted(d, n - 1);
	return t[n - 1] - t[0];
}

static void check_beacon(struct behave *b, struct host *h, const struct behave_flow *f,
			 struct batch *bt)
{
	struct hd_addr peer = addr_canon(&f->dst);
	int64_t t = tv_ms(&f->start);
	struct pair *p = pair_get(b, h, &peer, f->proto, f->dport, t);
	double med, mad;
	uint64_t key;
	struct pending *pd;
	bool hc;
	char a[HD_ADDRSTRLEN], pn[8];

	if (!p)
		return;
	if (t - p->base > INT32_MAX || p->base - t > INT32_MAX) {
		/* weeks apart: start over */
		p->n = p->head = 0;
		p->count = 0;
		p->base = t;
	}
	if (t > p->last)
		p->last = t;
	if (!p->ring && p->count && t - p->base < BEACON_MERGE_MS && p->base - t < BEACON_MERGE_MS)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		int64_t d = p->base + p->ring[i] - t;
		if (d < BEACON_MERGE_MS && d > -BEACON_MERGE_MS)
			return; /* the same beat (parallel connections, a long flow's report) */
	}
	p->count++;
	if (!p->ring) {
		if (p->count == 1) {
			/* one-off pairs keep no ring: the first start is base */
			return;
		}
		p->ring = malloc(BEACON_RING * sizeof(int32_t));
		if (!p->ring)
			return;
		h->mem += BEACON_RING * sizeof(int32_t);
		b->mem += BEACON_RING * sizeof(int32_t);
		p->ring[0] = 0; /* the first start */
		p->n = 1;
		p->head = 0;    /* the oldest, once the ring is full */
	}
	if (p->n < BEACON_RING) {
		p->ring[p->n++] = (int32_t)(t - p->base);
	} else {
		p->ring[p->head] = (int32_t)(t - p->base);
		p->head = (uint8_t)((p->head + 1) % BEACON_RING);
	}
	if (p->n < b->cfg.beacon_min)
		return;
	/* regular for at least a window: a burst of connections is not a beacon */
	if (pair_intervals(p, &med, &mad) < (int64_t)b->cfg.window * 1000 ||
	    med < b->cfg.beacon_min_interval * 1000.0 || mad > b->cfg.beacon_jitter * med)
		return;
	key = nonzero(addr_hash(b->seed, &peer) ^ ((uint64_t)f->proto << 16 | f->dport));
	if (!supp_arm(b, h, K_BEACON, key, h->now, h->now + BEACON_REARM_MS))
		return;
	pd = batch_add(bt, "beaconing", "c2", SIG_SEV_MEDIUM, &f->end);
	if (!pd)
		return;
	flow_ends(pd, f, &hc);
	pd->sig.peer_port = f->dport;
	snprintf(pd->observed, sizeof(pd->observed),
		 "%u connections to %s port %u/%s every %.1f s (deviation %.1f s)", p->n,
		 addr_format(&peer, a, sizeof(a)), f->dport, proto_name(f->proto, pn, sizeof(pn)),
		 med / 1000, mad / 1000);
	b->st.beacons++;
}

/* ---- entry points ---- */

struct behave *behave_create(const struct behave_config *cfg)
{
	struct behave *b = calloc(1, sizeof(*b));
	struct behave_config d;

	if (!b)
		return NULL;
	if (!cfg) {
		behave_config_defaults(&d);
		cfg = &d;
	}
	config_fix(&b->cfg, cfg);
	b->nbuckets = 64;
	while (b->nbuckets < b->cfg.max_hosts)
		b->nbuckets <<= 1;
	b->buckets = calloc(b->nbuckets, sizeof(*b->buckets));
	if (!b->buckets)
		goto free_b;
	if (getrandom(&b->seed, sizeof(b->seed), GRND_NONBLOCK) != sizeof(b->seed))
		b->seed = mix64((uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)b);
	if (hd_mutex_init_busy(&b->lock))
		goto free_buckets;
	b->mem = b->nbuckets * sizeof(*b->buckets);
	return b;

free_buckets:
	free(b->buckets);
free_b:
	free(b);
	return NULL;
}

void behave_destroy(struct behave *b)
{
	if (!b)
		return;
	while (b->oldest) {
		struct host *h = b->oldest;
		lru_unlink(b, h);
		host_free(b, h);
	}
	free(b->buckets);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

bool behave_reconfigure(struct behave *b, const struct behave_config *cfg)
{
	struct behave_config c, d;
	bool fresh;

	if (!cfg) {
		behave_config_defaults(&d);
		cfg = &d;
	}
	config_fix(&c, cfg);
	pthread_mutex_lock(&b->lock);
	/* counts kept per epoch of the old window mean nothing in the new one */
	fresh = c.window != b->cfg.window;
	b->cfg = c;
	if (fresh) {
		while (b->oldest) {
			struct host *h = b->oldest;
			lru_unlink(b, h);
			host_free(b, h);
		}
		memset(b->buckets, 0, b->nbuckets * sizeof(*b->buckets));
		b->st.hosts = 0;
	}
	pthread_mutex_unlock(&b->lock);
	return fresh;
}

void behave_flow(struct behave *b, const struct behave_flow *f, signal_fn fn, void *arg)
{
	struct batch bt;
	const char *svc;
	bool is_probe, is_auth, is_beacon;
	struct host *h;
	struct hd_addr peer;
	int64_t t, w = (int64_t)b->cfg.window * 1000;

	bt.n = 0;
	is_probe = probe(f);
	svc = auth_service(f);
	is_auth = auth_attempt(f, svc);
	is_beacon = beacon_candidate(f);
	pthread_mutex_lock(&b->lock);
	b->st.flows++;
	if ((f->src.family != 4 && f->src.family != 6) ||
	    (f->dst.family != 4 && f->dst.family != 6) || !(is_probe || is_auth || is_beacon))
		goto unlock;
	h = host_get(b, &f->src);
	if (!h)
		goto unlock;
	t = tv_ms(&f->start);
	host_time(h, t);
	peer = addr_canon(&f->dst);
	if (is_probe) {
		check_scan(b, h, f, &peer, t, w, &bt);
		check_sweep(b, h, f, &peer, t, w, &bt);
		check_sweep_all(b, h, f, &peer, t, w, &bt);
	}
	if (is_auth)
		check_brute(b, h, f, &peer, svc, t, w, &bt);
	if (is_beacon)
		check_beacon(b, h, f, &bt);
	enforce_memcap(b, h);
unlock:
	pthread_mutex_unlock(&b->lock);
	emit(&bt, fn, arg);
}

static struct dom *dom_get(struct behave *b, struct host *h, const char *name, int64_t now)
{
	uint64_t key = nonzero(str_hash(b->seed, name));
	struct dom *d;
	void *arr = h->doms;

	for (uint32_t i = 0; i < h->ndoms; i++)
		if (h->doms[i].key == key && !strncmp(h->doms[i].name, name, DOM_NAME_MAX - 1))
			return &h->doms[i];
	d = table_slot(b, h, &arr, &h->ndoms, &h->doms_cap, DOM_MAX, 2, sizeof(*d),
		       offsetof(struct dom, last));
	h->doms = arr;
	if (!d)
		return NULL;
	d->key = key;
	str_copy(d->name, name, sizeof(d->name));
	d->last = now;
	return d;
}

/* A printable copy of a wire name for the observed text. */
static void printable(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (src[i] >= 0x21 && src[i] <= 0x7e && src[i] != '"' && src[i] != '\\') ?
			 src[i] : '?';
	dst[i] = '\0';
}

void behave_dns_query(struct behave *b, const struct hd_addr *host, const char *qname,
		      const struct timeval *ts, signal_fn fn, void *arg)
{
	char n[NAME_BUF], reg[DOM_NAME_MAX];
	bool oversize;
	size_t len = name_normalise(qname, n, &oversize), off = 0;
	bool dga = false, tunnel = false;
	unsigned longest = 0;
	double ent = 0;
	struct batch bt;
	struct host *h;
	int64_t now, w = (int64_t)b->cfg.window * 1000;

	bt.n = 0;
	if (len && !(len >= 5 && !strcmp(n + len - 5, ".arpa")) &&
	    !(len >= 6 && !strcmp(n + len - 6, ".local"))) {
		if (oversize || !tld_plausible(n, len)) {
			/* no registered domain: the whole name is judged, counted
			 * under one pseudo-domain per host */
			tunnel = tunnel_like(&b->cfg, n, len, &longest) || oversize;
			str_copy(reg, NO_DOMAIN, sizeof(reg));
		} else {
			dga = dga_name(n, len, b->cfg.dga_entropy, &ent, &off);
			tunnel = off > 1 && tunnel_like(&b->cfg, n, off - 1, &longest);
			printable(reg, n + off, sizeof(reg));
		}
	}
	pthread_mutex_lock(&b->lock);
	b->st.dns++;
	if (!(dga || tunnel) || !host || (host->family != 4 && host->family != 6))
		goto unlock;
	h = host_get(b, host);
	if (!h)
		goto unlock;
	host_time(h, tv_ms(ts));
	now = h->now;
	if (tunnel) {
		struct dom *d = dom_get(b, h, reg, now);
		if (d) {
			unsigned est;
			rate_add(&d->r, now, w);
			d->last = now;
			if (longest > d->longest)
				d->longest = longest;
			est = rate_estimate(&d->r, now, w);
			if (est >= b->cfg.dns_tunnel_queries &&
			    supp_arm(b, h, K_TUNNEL, d->key, now, now + w)) {
				struct pending *p = batch_add(&bt, "dns_tunnelling", "tunnelling",
							      SIG_SEV_HIGH, ts);
				if (p) {
					p->sig.host = addr_canon(host);
					p->sig.proto = 17;
					p->sig.peer_port = 53;
					p->sig.app_proto = "dns";
					snprintf(p->observed, sizeof(p->observed),
						 "%u long or random names under %s in %u s "
						 "(longest label %u)", est, reg, b->cfg.window,
						 d->longest);
					b->st.dns_tunnels++;
				}
			}
		}
	}
	if (dga) {
		uint64_t key = nonzero(str_hash(b->seed, reg));
		enum arm arm = supp_try(b, h, K_DGA, key, now, now + w);
		if (arm != ARM_DUP)
			rate_add(&h->dga, now, w); /* a name new in the window */
		if (arm == ARM_GO) {
			unsigned nd = rate_estimate(&h->dga, now, w);
			struct pending *p;
			p = batch_add(&bt, BEHAVE_DGA, "malware",
				      nd >= 10 ? SIG_SEV_HIGH : nd >= 3 ? SIG_SEV_MEDIUM : SIG_SEV_LOW,
				      ts);
			if (p) {
				p->sig.host = addr_canon(host);
				p->sig.proto = 17;
				p->sig.peer_port = 53;
				p->sig.app_proto = "dns";
				snprintf(p->observed, sizeof(p->observed),
					 "%s (entropy %.2f bits/char; %u DGA-like name%s in %u s)",
					 reg, ent, nd ? nd : 1, nd > 1 ? "s" : "", b->cfg.window);
				b->st.dga++;
			}
		}
	}
	enforce_memcap(b, h);
unlock:
	pthread_mutex_unlock(&b->lock);
	emit(&bt, fn, arg);
}

void behave_stats_get(struct behave *b, struct behave_stats *st)
{
	pthread_mutex_lock(&b->lock);
	*st = b->st;
	st->mem = b->mem;
	pthread_mutex_unlock(&b->lock);
}
