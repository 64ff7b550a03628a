/*
 * ioc_bench.c - the indicator index at feed scale: writes N mixed
 * indicators (default 1,000,000) as one rules CSV in a temporary
 * directory, loads and builds the index, and measures the load (wall
 * time), the memory (ioc_index_memory and the process's peak RSS), and
 * lookups per second, hits and misses, for each type. Prints one table.
 *
 * The mix follows real feeds: 40% domains, 25% addresses (a tenth of them
 * IPv6), 5% CIDRs (a tenth IPv6), 15% URLs, 10% SHA-256, 5% MD5 and JA3;
 * 1% of the lines repeat an earlier indicator, as overlapping feeds do.
 * Every value is a function of its line number, so lookups regenerate
 * their inputs instead of keeping them.
 *
 * Usage: ioc_bench [N] [--keep] [--no-check]. Exits 1 when the load takes
 * 2 s or more, or the index or the process peak reaches 200 MB (the
 * issue's budget), unless built with a sanitizer or given --no-check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ioc.h"
#include "util.h"
#include "banned.h"

#define BUDGET_LOAD_S 2.0
#define BUDGET_MB 200.0
#define BATCH 4096
#define LOOKUPS 1000000

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

enum kind { K_DOMAIN, K_IP4, K_IP6, K_CIDR4, K_CIDR6, K_URL, K_SHA256, K_MD5, K_JA3, K__COUNT };

static const char *kind_type[K__COUNT] = {
	"domain", "ip", "ip", "cidr", "cidr", "url", "sha256", "md5", "ja3",
};

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

static unsigned below(struct rng *r, unsigned n)
{
	return (unsigned)(rnd(r) % n);
}

/* The kind of line i (per mille). */
static enum kind kind_of(uint64_t i)
{
	unsigned p = (unsigned)(mix64(i ^ 0x5eed) % 1000);

	if (p < 400)
		return K_DOMAIN;
	if (p < 625)
		return K_IP4;
	if (p < 650)
		return K_IP6;
	if (p < 695)
		return K_CIDR4;
	if (p < 700)
		return K_CIDR6;
	if (p < 850)
		return K_URL;
	if (p < 950)
		return K_SHA256;
	if (p < 975)
		return K_MD5;
	return K_JA3;
}

static size_t put_label(struct rng *r, char *p, unsigned min, unsigned max)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned n = min + below(r, max - min + 1);

	for (unsigned i = 0; i < n; i++)
		p[i] = cs[i == 0 ? below(r, 26) : below(r, sizeof(cs) - 1)];
	return n;
}

static size_t gen_domain(struct rng *r, char *p)
{
	static const char *tlds[] = { "com", "net", "org", "ru", "info", "xyz", "top", "vn",
				      "com.vn", "co.uk", "cn", "io", "biz", "online", "de" };
	size_t n = 0;
	unsigned labels = 1 + (below(r, 10) < 3); /* 30% have a subdomain */
	const char *tld = tlds[below(r, ARRAY_SIZE(tlds))];

	for (unsigned i = 0; i < labels; i++) {
		n += put_label(r, p + n, i + 1 < labels ? 3 : 6, i + 1 < labels ? 8 : 16);
		p[n++] = '.';
	}
	memcpy(p + n, tld, strlen(tld));
	return n + strlen(tld);
}

static size_t gen_hex(struct rng *r, char *p, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < digits; i++)
		p[i] = hex[below(r, 16)];
	return digits;
}

/* The value of line i, of kind k, into p (at least 512 bytes). */
static void gen_value(uint64_t i, enum kind k, char *p)
{
	struct rng r = { mix64(i * 0x2545f4914f6cdd1dULL + 17) };
	size_t n = 0;

	switch (k) {
	case K_DOMAIN:
		n = gen_domain(&r, p);
		break;
	case K_IP4:
		n = (size_t)snprintf(p, 64, "%u.%u.%u.%u", 1 + below(&r, 223), below(&r, 256),
				     below(&r, 256), 1 + below(&r, 254));
		break;
	case K_IP6:
		n = (size_t)snprintf(p, 64, "2a0%x:%x:%x:%x::%x", below(&r, 16), below(&r, 65536),
				     below(&r, 65536), below(&r, 65536), 1 + below(&r, 65535));
		break;
	case K_CIDR4: {
		static const unsigned lens[] = { 16, 20, 22, 23, 24, 24, 24, 24, 24, 24, 24, 24,
						 25, 26, 27, 28, 29, 30, 32, 24 };
		unsigned bits = lens[below(&r, ARRAY_SIZE(lens))];
		uint32_t a = (uint32_t)rnd(&r) & (bits ? ~0u << (32 - bits) : 0);
		if ((a >> 24) == 0 || (a >> 24) >= 224)
			a = (a & 0x00ffffffu) | (45u << 24);
		n = (size_t)snprintf(p, 64, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
				     a & 255, bits);
		break;
	}
	case K_CIDR6: {
		static const unsigned lens[] = { 32, 40, 48, 48, 56, 64, 64, 64 };
		unsigned bits = lens[below(&r, ARRAY_SIZE(lens))];
		unsigned h2 = below(&r, 65536), h3 = below(&r, 65536), h4 = below(&r, 65536);
		if (bits <= 32)
			h3 = h4 = 0;
		else if (bits < 48)
			h3 &= 0xff00, h4 = 0;
		else if (bits == 48)
			h4 = 0;
		else if (bits < 64)
			h4 &= 0xff00;
		n = (size_t)snprintf(p, 64, "2a0%x:%x:%x:%x::/%u", below(&r, 16), h2, h3, h4, bits);
		break;
	}
	case K_URL: {
		static const char *ext[] = { ".php", ".exe", ".zip", "/", ".js", ".html", ".doc", "" };
		bool https = below(&r, 10) < 2;
		unsigned segs = 1 + below(&r, 3);
		memcpy(p, https ? "https://" : "http://", https ? 8 : 7);
		n = https ? 8 : 7;
		if (below(&r, 10) < 2)
			n += (size_t)snprintf(p + n, 64, "%u.%u.%u.%u", 1 + below(&r, 223),
					      below(&r, 256), below(&r, 256), 1 + below(&r, 254));
		else
			n += gen_domain(&r, p + n);
		if (below(&r, 10) < 1)
			n += (size_t)snprintf(p + n, 16, ":%u", 8000 + below(&r, 1000));
		for (unsigned s = 0; s < segs; s++) {
			p[n++] = '/';
			n += put_label(&r, p + n, 3, 12);
		}
		{
			const char *e = ext[below(&r, ARRAY_SIZE(ext))];
			memcpy(p + n, e, strlen(e));
			n += strlen(e);
		}
		if (below(&r, 10) < 3)
			n += (size_t)snprintf(p + n, 32, "?id=%u", below(&r, 1000000));
		break;
	}
	case K_SHA256:
		n = gen_hex(&r, p, 64);
		break;
	case K_MD5:
	case K_JA3:
		n = gen_hex(&r, p, 32);
		break;
	default:
		break;
	}
	p[n] = '\0';
}

/* 1% of the lines repeat an earlier one. */
static uint64_t value_index(uint64_t i)
{
	return i > 100 && mix64(i ^ 0xd0b) % 100 == 0 ? mix64(i) % (i / 2) : i;
}

static const char *sev[] = { "low", "medium", "high", "critical" };
static const char *sources[] = { "maltrail", "urlhaus", "feodotracker", "threatfox", "sslbl",
				 "misp-local", "vncert", "team" };
static const char *descs[] = {
	"Emotet C2", "\"Qakbot payload, stage 2\"", "phishing kit", "Cobalt Strike beacon",
	"web shell upload", "mass scanner", "TrickBot", "Dridex", "AsyncRAT C&C",
	"\"said \"\"urgent invoice\"\"\"", "coin miner pool", "tor exit", "IcedID",
	"ransomware note host", "exploit kit landing", "",
};
static const char *cats[] = { "malware", "c2", "phishing", "webshell", "scanning", "mining",
			      "ransomware", "" };

static int write_feed(const char *path, uint64_t n, uint64_t *bytes)
{
	FILE *f = fopen(path, "w");
	static char fbuf[1 << 20];
	char v[512];

	if (!f)
		return -errno;
	setvbuf(f, fbuf, _IOFBF, sizeof(fbuf));
	fputs("# generated by ioc_bench\n"
	      "type,value,severity,source,description,tags,confidence,category\n", f);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t j = value_index(i);
		enum kind k = kind_of(j);
		uint64_t m = mix64(i ^ 0xabc);
		gen_value(j, k, v);
		fprintf(f, "%s,%s,%s,%s,%s,bench;%s,%u,%s\n", kind_type[k], v, sev[m & 3],
			sources[(m >> 2) % ARRAY_SIZE(sources)], descs[(m >> 8) % ARRAY_SIZE(descs)],
			kind_type[k], (unsigned)(m >> 16) % 101, cats[(m >> 24) % ARRAY_SIZE(cats)]);
	}
	*bytes = (uint64_t)ftell(f);
	if (fclose(f))
		return -errno;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double max_rss_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

static void report(void *arg, const char *file, unsigned line, const char *msg)
{
	unsigned *count = arg;

	if ((*count)++ < 10)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
}

/* ---- lookups ---- */

enum probe {
	P_DOMAIN, P_SUBDOMAIN, P_IP4, P_IP6, P_CIDR4, P_CIDR6, P_URL, P_URL_NDPI, P_SHA256,
	P_MD5, P_JA3, P__COUNT
};

static const struct {
	const char *name;
	enum kind kind;
} probes[P__COUNT] = {
	{ "domain", K_DOMAIN }, { "domain (parent)", K_DOMAIN }, { "ip v4", K_IP4 },
	{ "ip v6", K_IP6 }, { "cidr v4 (LPM)", K_CIDR4 }, { "cidr v6 (LPM)", K_CIDR6 },
	{ "url", K_URL }, { "url (nDPI form)", K_URL }, { "sha256", K_SHA256 }, { "md5", K_MD5 },
	{ "ja3", K_JA3 },
};

struct input {
	char s[512];
	struct hd_addr a;
};

/* A line of kind k that holds its own value, for hits. */
static uint64_t pick(struct rng *r, uint64_t n, enum kind k)
{
	for (;;) {
		uint64_t i = rnd(r) % n;
		if (kind_of(i) == k && value_index(i) == i) /* not a repeat line */
			return i;
	}
}

static void make_input(enum probe p, bool hit, uint64_t n, struct rng *r, struct input *in)
{
	enum kind k = probes[p].kind;
	uint64_t i = hit ? pick(r, n, k) : (1ULL << 40) + rnd(r) % (1ULL << 40);
	char v[512];

	gen_value(i, k, v);
	switch (p) {
	case P_SUBDOMAIN:
		snprintf(in->s, sizeof(in->s), "www.%.400s", v);
		break;
	case P_IP4:
	case P_IP6:
		addr_parse(v, &in->a);
		break;
	case P_CIDR4:
	case P_CIDR6: {
		struct cidr c;
		cidr_parse(v, &c);
		in->a = c.net;
		for (unsigned b = c.bits; b < (c.net.family == 4 ? 32u : 128u); b++)
			if (rnd(r) & 1)
				in->a.a[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		break;
	}
	case P_URL_NDPI: /* nDPI's "host/path" */
		str_copy(in->s, strncmp(v, "http://", 7) ? v : v + 7, sizeof(in->s));
		break;
	default:
		str_copy(in->s, v, sizeof(in->s));
		break;
	}
}

static bool lookup(const struct ioc_index *x, enum probe p, const struct input *in)
{
	switch (p) {
	case P_DOMAIN:
	case P_SUBDOMAIN:
		return ioc_lookup_domain(x, in->s).ioc != NULL;
	case P_IP4:
	case P_IP6:
	case P_CIDR4:
	case P_CIDR6:
		return ioc_lookup_ip(x, &in->a).ioc != NULL;
	case P_URL:
	case P_URL_NDPI:
		return ioc_lookup_url(x, in->s).ioc != NULL;
	case P_SHA256:
		return ioc_lookup(x, IOC_SHA256, in->s).ioc != NULL;
	case P_MD5:
		return ioc_lookup(x, IOC_MD5, in->s).ioc != NULL;
	case P_JA3:
		return ioc_lookup(x, IOC_JA3, in->s).ioc != NULL;
	default:
		return false;
	}
}

/* Lookups per second and the share that hit. */
static void measure(const struct ioc_index *x, enum probe p, bool hit, uint64_t n,
		    double *rate, double *hit_share)
{
	static struct input in[BATCH];
	struct rng r = { 0x1234 + (uint64_t)p * 2 + hit };
	double t = 0;
	uint64_t hits = 0, done = 0;

	while (done < LOOKUPS) {
		double t0;
		for (int i = 0; i < BATCH; i++)
			make_input(p, hit, n, &r, &in[i]);
		t0 = now_s();
		for (int i = 0; i < BATCH; i++)
			hits += lookup(x, p, &in[i]);
		t += now_s() - t0;
		done += BATCH;
	}
	*rate = (double)done / t;
	*hit_share = (double)hits / (double)done;
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000, bytes = 0;
	bool keep = false, check = !SANITIZED;
	char dir[256], path[512];
	struct ioc_load_stats st;
	struct ioc_index *x;
	double t0, t_gen, t_load, t_finish, rss_before, rss_after, index_mb;
	unsigned reports = 0;
	int fail = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep"))
			keep = true;
		else if (!strcmp(argv[i], "--no-check"))
			check = false;
		else if (parse_u64(argv[i], 1, 100000000, &n)) {
			fprintf(stderr, "usage: %s [N] [--keep] [--no-check]\n", argv[0]);
			return 2;
		}
	}
	snprintf(dir, sizeof(dir), "%s/ioc_bench.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/bench.csv", dir);
	t0 = now_s();
	if (write_feed(path, n, &bytes)) {
		perror(path);
		return 2;
	}
	t_gen = now_s() - t0;
	rss_before = max_rss_mb();

	memset(&st, 0, sizeof(st));
	t0 = now_s();
	x = ioc_index_create();
	if (!x || ioc_load_file(x, path, false, report, &reports, &st)) {
		fprintf(stderr, "ioc_bench: load failed\n");
		return 2;
	}
	t_load = now_s() - t0;
	t0 = now_s();
	if (ioc_index_finish(x)) {
		fprintf(stderr, "ioc_bench: finish failed\n");
		return 2;
	}
	t_finish = now_s() - t0;
	rss_after = max_rss_mb();
	index_mb = (double)ioc_index_memory(x) / (1024.0 * 1024.0);

	printf("ioc_bench: %llu indicators, %.1f MB of CSV (written in %.2f s)%s\n",
	       (unsigned long long)n, (double)bytes / 1e6, t_gen,
	       SANITIZED ? " [sanitizer build: budgets not checked]" : "");
	printf("  loaded %llu unique (domain %llu, ip %llu, cidr %llu, url %llu, sha256 %llu, "
	       "md5 %llu, ja3 %llu), %llu duplicates, %llu errors\n",
	       (unsigned long long)st.loaded, (unsigned long long)st.by_type[IOC_DOMAIN],
	       (unsigned long long)st.by_type[IOC_IP], (unsigned long long)st.by_type[IOC_CIDR],
	       (unsigned long long)st.by_type[IOC_URL], (unsigned long long)st.by_type[IOC_SHA256],
	       (unsigned long long)st.by_type[IOC_MD5], (unsigned long long)st.by_type[IOC_JA3],
	       (unsigned long long)st.duplicates, (unsigned long long)st.errors);
	printf("\n  %-28s %12s %10s\n", "measure", "value", "budget");
	printf("  %-28s %10.3f s %10s\n", "load (parse+normalise+hash)", t_load, "");
	printf("  %-28s %10.3f s %10s\n", "finish (ip tables, ranges)", t_finish, "");
	printf("  %-28s %10.3f s %8.1f s\n", "load + finish", t_load + t_finish, BUDGET_LOAD_S);
	printf("  %-28s %10.0f /s\n", "lines loaded per second", (double)n / (t_load + t_finish));
	printf("  %-28s %9.1f MB %7.0f MB\n", "ioc_index_memory", index_mb, BUDGET_MB);
	printf("  %-28s %9.1f B\n", "  per indicator", index_mb * 1048576.0 / (double)st.loaded);
	printf("  %-28s %9.1f MB %7.0f MB\n", "process peak RSS", rss_after, BUDGET_MB);
	printf("  %-28s %9.1f MB\n", "  of which before loading", rss_before);

	printf("\n  %-18s %14s %8s %14s %8s\n", "lookup", "hits/s", "hit %", "misses/s", "hit %");
	for (int p = 0; p < P__COUNT; p++) {
		double hr, hs, mr, ms;
		measure(x, (enum probe)p, true, n, &hr, &hs);
		measure(x, (enum probe)p, false, n, &mr, &ms);
		printf("  %-18s %14.0f %7.1f%% %14.0f %7.1f%%\n", probes[p].name, hr, hs * 100, mr,
		       ms * 100);
	}

	if (check) {
		if (t_load + t_finish >= BUDGET_LOAD_S) {
			printf("FAIL: load + finish %.3f s >= %.1f s\n", t_load + t_finish, BUDGET_LOAD_S);
			fail = 1;
		}
		if (index_mb >= BUDGET_MB || rss_after >= BUDGET_MB) {
			printf("FAIL: memory %.1f MB index, %.1f MB peak RSS >= %.0f MB\n", index_mb,
			       rss_after, BUDGET_MB);
			fail = 1;
		}
		if (st.errors) {
			printf("FAIL: %llu errors loading the generated feed\n",
			       (unsigned long long)st.errors);
			fail = 1;
		}
		if (!fail)
			printf("\nPASS: within %.0f s and %.0f MB\n", BUDGET_LOAD_S, BUDGET_MB);
	}
	ioc_index_destroy(x);
	if (keep) {
		printf("kept %s\n", path);
	} else {
		unlink(path);
		rmdir(dir);
	}
	return fail;
}
