/*
 * test_ioc.c - unit tests of the indicator index (common/ioc.c): every
 * type, the normalisation rules, longest-prefix and parent-domain matching,
 * the allow list, every kind of bad line with its FILE:LINE, CSV quoting,
 * duplicates, expiry, and lines copied from the real feeds of the corpus.
 * When HAIDANG_CORPUS names the corpus, its whole IOC feeds are converted,
 * loaded and checked against EXPECTED_IOC_HITS.tsv too (skipped otherwise).
 *
 * Standalone: gcc -Icommon common/ioc.c common/util.c common/category.c
 * tests/unit/test_ioc.c (see docs/ioc-index.md).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ioc.h"
#include "util.h"
#include "banned.h"

static char tmpdir[256];

/* ---- helpers ---- */

struct reports {
	int n;
	char msg[128][768];
};

static void collect(void *arg, const char *file, unsigned line, const char *msg)
{
	struct reports *r = arg;

	if (r->n < (int)ARRAY_SIZE(r->msg))
		snprintf(r->msg[r->n++], sizeof(r->msg[0]), "%s:%u: %s", file, line, msg);
}

/* Is there a report for exactly FILE:LINE holding sub? */
static bool reported(const struct reports *r, const char *file, unsigned line, const char *sub)
{
	char prefix[512];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "%s:%u: ", file, line);

	for (int i = 0; i < r->n; i++)
		if (!strncmp(r->msg[i], prefix, n) && strstr(r->msg[i] + n, sub))
			return true;
	return false;
}

static void dump_reports(const struct reports *r)
{
	for (int i = 0; i < r->n; i++)
		fprintf(stderr, "  report: %s\n", r->msg[i]);
}

#define CHECK_REPORT(r, file, line, sub) do { \
	if (!reported((r), (file), (line), (sub))) { \
		fprintf(stderr, "%s:%d: no report %s:%u: ...%s...\n", __FILE__, __LINE__, \
			(file), (unsigned)(line), (sub)); \
		dump_reports(r); \
		check_failures++; \
	} \
} while (0)

static void mkdir_p(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST) {
		perror(path);
		exit(2);
	}
}

/* Writes tmpdir/name (n bytes, or strlen) and returns its path (static
 * storage, one of a few). */
static const char *write_file_n(const char *name, const char *text, size_t n)
{
	static char paths[8][512];
	static int next;
	char *path = paths[next++ % 8];
	FILE *f;

	snprintf(path, 512, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(text, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(2);
	}
	return path;
}

/* tmpdir/name */
static const char *tpath(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static const char *write_file(const char *name, const char *text)
{
	return write_file_n(name, text, strlen(text));
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

#define HEADER "type,value,severity,source,description\n"

/* A finished index of one file; reports into r. */
static struct ioc_index *index_of(const char *name, const char *text, bool allow,
				  struct reports *r, struct ioc_load_stats *st)
{
	struct ioc_index *x = ioc_index_create();
	const char *path = write_file(name, text);

	CHECK(x != NULL);
	ioc_load_file(x, path, allow, collect, r, st);
	CHECK(ioc_index_finish(x) == 0);
	return x;
}

static struct ioc_hit ip_hit(const struct ioc_index *x, const char *s)
{
	struct hd_addr a;
	struct ioc_hit none = { NULL, NULL };

	if (addr_parse(s, &a)) {
		fprintf(stderr, "bad address in test: %s\n", s);
		check_failures++;
		return none;
	}
	return ioc_lookup_ip(x, &a);
}

static const char *hit_value(struct ioc_hit h)
{
	return h.ioc ? h.ioc->value : "(none)";
}

static const char *allow_value(struct ioc_hit h)
{
	return h.allow ? h.allow->value : "(none)";
}

/* ---- names ---- */

static void test_names(void)
{
	enum ioc_type t;
	enum ioc_severity s;

	for (int i = 0; i < IOC__COUNT; i++) {
		CHECK(ioc_type_parse(ioc_type_name((enum ioc_type)i), &t) == 0 && t == (enum ioc_type)i);
	}
	CHECK(ioc_type_parse("CERT_SHA1", &t) == 0 && t == IOC_CERT_SHA1);
	CHECK(ioc_type_parse("hostname", &t) == -EINVAL);
	CHECK(ioc_severity_parse("", &s) == 0 && s == IOC_SEV_NONE);
	CHECK(ioc_severity_parse("Critical", &s) == 0 && s == IOC_SEV_CRITICAL);
	CHECK(ioc_severity_parse("severe", &s) == -EINVAL);
	CHECK_STR(ioc_severity_name(IOC_SEV_MEDIUM), "medium");
	CHECK_STR(ioc_type_name(IOC_JA3S), "ja3s");
}

/* ---- normalisation ---- */

static const struct norm_case {
	enum ioc_type t;
	const char *in, *out; /* out NULL: invalid, why must hold err */
	const char *err;
} norm_cases[] = {
	{ IOC_IP, "1.2.3.4", "1.2.3.4", NULL },
	{ IOC_IP, " 10.0.0.1\t", "10.0.0.1", NULL },
	{ IOC_IP, "2001:DB8:0:0::1", "2001:db8::1", NULL },
	{ IOC_IP, "::ffff:192.0.2.1", "192.0.2.1", NULL },
	{ IOC_IP, "138.197.147.101:443", NULL, "ip:port" },
	{ IOC_IP, "1.2.3", NULL, "not an IP" },
	{ IOC_IP, "1.2.3.4/24", NULL, "cidr" },
	{ IOC_IP, "fe80::1%eth0", NULL, "not an IP" },
	{ IOC_CIDR, "10.1.2.3/8", "10.0.0.0/8", NULL },
	{ IOC_CIDR, "192.0.2.0/24", "192.0.2.0/24", NULL },
	{ IOC_CIDR, "2001:DB8:0:0:1::/48", "2001:db8::/48", NULL },
	{ IOC_CIDR, "::ffff:10.0.0.0/104", "10.0.0.0/8", NULL },
	{ IOC_CIDR, "0.0.0.0/0", "0.0.0.0/0", NULL },
	{ IOC_CIDR, "10.0.0.0", NULL, "prefix length" },
	{ IOC_CIDR, "10.0.0.0/33", NULL, "not a CIDR" },
	{ IOC_CIDR, "10.0.0.0/", NULL, "not a CIDR" },
	{ IOC_CIDR, "2001:db8::/129", NULL, "not a CIDR" },
	{ IOC_DOMAIN, "Example.COM.", "example.com", NULL },
	{ IOC_DOMAIN, "*.Evil.example", "evil.example", NULL },
	{ IOC_DOMAIN, ".evil.example", "evil.example", NULL },
	{ IOC_DOMAIN, "under_score.example", "under_score.example", NULL },
	{ IOC_DOMAIN, "xn--bcher-kva.de", "xn--bcher-kva.de", NULL },
	{ IOC_DOMAIN, "B\xc3\xbc" "cher.DE", "b\xc3\xbc" "cher.de", NULL },
	{ IOC_DOMAIN, "localhost", "localhost", NULL },
	{ IOC_DOMAIN, "a..b", NULL, "empty label" },
	{ IOC_DOMAIN, "ex ample.com", NULL, "character" },
	{ IOC_DOMAIN, "example.com/path", NULL, "character" },
	{ IOC_DOMAIN, "example.com:80", NULL, "character" },
	{ IOC_DOMAIN, "1.1.109.99", NULL, "type ip" },
	{ IOC_DOMAIN, ".", NULL, "empty" },
	{ IOC_DOMAIN, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", NULL, "63" },
	{ IOC_URL, "HTTP://Example.COM:80/a%7e", "http://example.com/a~", NULL },
	{ IOC_URL, "https://EXAMPLE.com:443/", "https://example.com/", NULL },
	{ IOC_URL, "https://example.com:8443/x", "https://example.com:8443/x", NULL },
	{ IOC_URL, "http://example.com:443/x", "http://example.com:443/x", NULL },
	{ IOC_URL, "example.com/Path", "http://example.com/Path", NULL },
	{ IOC_URL, "example.com:8080/p?q=1", "http://example.com:8080/p?q=1", NULL },
	{ IOC_URL, "http://example.com./x", "http://example.com/x", NULL },
	{ IOC_URL, "http://example.com", "http://example.com/", NULL },
	{ IOC_URL, "http://example.com?x", "http://example.com/?x", NULL },
	{ IOC_URL, "http://example.com/x?", "http://example.com/x", NULL },
	{ IOC_URL, "http://user:pw@Example.com/x#frag", "http://example.com/x", NULL },
	{ IOC_URL, "http://example.com/a%2fb%zz%41%e2%82%ac", "http://example.com/a%2Fb%25zzA%E2%82%AC", NULL },
	{ IOC_URL, "http://example.com/a b\xc3\xa9", "http://example.com/a%20b%C3%A9", NULL },
	{ IOC_URL, "http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x", NULL },
	{ IOC_URL, "http://[::ffff:10.1.2.3]/x", "http://10.1.2.3/x", NULL },
	{ IOC_URL, "http://185.98.87.185", "http://185.98.87.185/", NULL },
	{ IOC_URL, "eznetb.synology.me/@eaDir/wg2BqaWFRZb1G/", "http://eznetb.synology.me/@eaDir/wg2BqaWFRZb1G/", NULL },
	{ IOC_URL, "/b374k.php", NULL, "no host" },
	{ IOC_URL, "http://exa mple.com/", NULL, "character" },
	{ IOC_URL, "http://example.com:99999/", NULL, "port" },
	{ IOC_URL, "http://example.com:8x/", NULL, "port" },
	{ IOC_URL, "http://[2001:db8::1/x", NULL, "IPv6" },
	{ IOC_MD5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e", NULL },
	{ IOC_MD5, "d41d8cd98f00b204e9800998ecf8427", NULL, "too few" },
	{ IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e0", NULL, "too many" },
	{ IOC_MD5, "g41d8cd98f00b204e9800998ecf8427e", NULL, "hexadecimal" },
	{ IOC_SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", "da39a3ee5e6b4b0d3255bfef95601890afd80709", NULL },
	{ IOC_SHA1, "DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09", NULL, "hexadecimal" },
	{ IOC_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL },
	{ IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb924", NULL, "too few" },
	{ IOC_JA3, "51C64C77E60F3980EEA90869B68C58A8", "51c64c77e60f3980eea90869b68c58a8", NULL },
	{ IOC_JA3S, "ec74a5c51106f0419184d0dd08fb05bc", "ec74a5c51106f0419184d0dd08fb05bc", NULL },
	{ IOC_CERT_SHA1, "0D:DB:34:F8:75:63:2C:7E:1E:C0:9D:75:82:7F:82:D2:33:6D:FE:B6",
	  "0ddb34f875632c7e1ec09d75827f82d2336dfeb6", NULL },
	{ IOC_CERT_SHA1, "0DDB34F875632C7E1EC09D75827F82D2336DFEB6", "0ddb34f875632c7e1ec09d75827f82d2336dfeb6", NULL },
	{ IOC_SHA1, "", NULL, "empty" },
};

static void test_normalize(void)
{
	char out[IOC_VALUE_MAX], again[IOC_VALUE_MAX], small[8];
	const char *why;

	for (size_t i = 0; i < ARRAY_SIZE(norm_cases); i++) {
		const struct norm_case *c = &norm_cases[i];
		int r;

		why = NULL;
		r = ioc_normalize(c->t, c->in, out, sizeof(out), &why);
		if (c->out) {
			if (r)
				fprintf(stderr, "case %zu (%s \"%s\"): %s\n", i, ioc_type_name(c->t),
					c->in, why ? why : "?");
			CHECK(r == 0);
			CHECK_STR(out, c->out);
			/* normalising is idempotent */
			CHECK(ioc_normalize(c->t, out, again, sizeof(again), NULL) == 0);
			CHECK_STR(again, c->out);
		} else {
			if (r != -EINVAL)
				fprintf(stderr, "case %zu (%s \"%s\") should be invalid, got \"%s\"\n",
					i, ioc_type_name(c->t), c->in, out);
			CHECK(r == -EINVAL);
			CHECK_CONTAINS(why, c->err);
		}
	}
	/* a long domain of valid labels, and one over 253 bytes */
	{
		char name[300];
		memset(name, 0, sizeof(name));
		for (int i = 0; i < 4; i++)
			memcpy(name + i * 64, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.", 64);
		name[253] = '\0'; /* 3 x 64 + 61 bytes */
		CHECK(ioc_normalize(IOC_DOMAIN, name, out, sizeof(out), &why) == 0);
		name[253] = 'a';
		name[254] = '\0';
		CHECK(ioc_normalize(IOC_DOMAIN, name, out, sizeof(out), &why) == -EINVAL);
		CHECK_CONTAINS(why, "253");
	}
	CHECK(ioc_normalize(IOC_URL, "http://example.com/", small, sizeof(small), &why) == -ENOSPC);
	CHECK_STR(small, "");
	CHECK(ioc_normalize((enum ioc_type)99, "x", out, sizeof(out), &why) == -EINVAL);
}

/* ---- every type, matching rules, allow list ---- */

static const char *feed_csv =
	"# every type, with the extra columns\n"
	"type,value,severity,source,description,tags,confidence,expires,tlp,category\n"
	"ip,192.0.2.10,high,feodo,\"Pikabot C2, port 1194\",c2;pikabot,90,,amber,c2\n"
	"ip,2001:db8:1::5,critical,test,v6 host,,,,,\n"
	"ip,10.1.2.3,medium,test,single host inside two networks,,,,,\n"
	"cidr,10.0.0.0/8,low,test,wide,,,,,\n"
	"cidr,10.1.0.0/16,high,test,narrow,,,,,\n"
	"cidr,255.0.0.0/8,low,test,top of the space,,,,,\n"
	"cidr,0.0.0.0/32,low,test,bottom of the space,,,,,\n"
	"cidr,2001:db8::/32,medium,test,v6 wide,,,,,\n"
	"cidr,2001:db8:1::/48,critical,test,v6 narrow,,,,,\n"
	"cidr,2001:db8:1::1/127,high,ndpi,from categories.txt,,,,,\n"
	"domain,example.com,medium,test,parent,category=phishing,,,,\n"
	"domain,evil.example.com,critical,test,child,,,,,\n"
	"url,http://evil.test/path/file.php,high,test,a file,,,,,\n"
	"url,dir.test/payload/,high,test,a directory,,,,,\n"
	"url,http://185.98.87.185,high,trickbot,host root,,,,,\n"
	"url,https://secure.test/login?session=1,medium,test,with query,,,,,\n"
	"md5,D41D8CD98F00B204E9800998ECF8427E,low,test,md5,,,,,\n"
	"sha1,da39a3ee5e6b4b0d3255bfef95601890afd80709,low,test,sha1,,,,,\n"
	"sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,critical,test,sha256,,,,,\n"
	"ja3,51c64c77e60f3980eea90869b68c58a8,high,sslbl,Dridex,,,,,\n"
	"ja3s,ec74a5c51106f0419184d0dd08fb05bc,medium,test,ja3s,,,,,\n"
	"cert_sha1,0DDB34F875632C7E1EC09D75827F82D2336DFEB6,high,sslbl,Fake,,,,,\n";

static const char *allow_csv =
	"type,value,severity,source,description\n"
	"domain,good.example.com,,it,our own subdomain\n"
	"cidr,192.0.2.0/24,,it,test network\n"
	"ip,10.1.9.9,low,it,scanner we run\n"
	"url,http://evil.test/path/file.php?ok=1,,it,a sinkholed copy\n"
	"md5,d41d8cd98f00b204e9800998ecf8427e,,it,empty file\n"
	"domain,allowed-only.test,,it,nothing listed\n";

static void test_types(void)
{
	struct reports *r = calloc(1, sizeof(*r));
	struct ioc_load_stats st;
	struct ioc_index *x = ioc_index_create();
	char dir[512], sub[600];
	struct ioc_hit h;

	memset(&st, 0, sizeof(st));
	snprintf(dir, sizeof(dir), "%s/rules", tmpdir);
	mkdir_p(dir);
	snprintf(sub, sizeof(sub), "%s/ioc", dir);
	mkdir_p(sub);
	snprintf(sub, sizeof(sub), "%s/allow", dir);
	mkdir_p(sub);
	write_file("rules/ioc/feed.csv", feed_csv);
	write_file("rules/ioc/ignored.txt", "not a csv file\n");
	write_file("rules/allow/allow.csv", allow_csv);

	/* nothing before finish */
	CHECK(ioc_load_rules_dir(x, dir, collect, r, &st) == 0);
	CHECK(r->n == 0);
	if (r->n)
		dump_reports(r);
	CHECK(ioc_lookup_domain(x, "example.com").ioc == NULL);
	CHECK(ioc_index_finish(x) == 0);
	CHECK(ioc_index_finish(x) == 0);
	CHECK(ioc_load_file(x, "/nonexistent", false, collect, r, &st) == -EBUSY);

	CHECK(st.files == 2);
	CHECK(st.errors == 1); /* the load after finish */
	CHECK(st.loaded == 28);
	CHECK(st.allow == 6);
	CHECK(st.by_type[IOC_CIDR] == 8);
	CHECK(st.by_type[IOC_URL] == 5);
	CHECK(ioc_index_count(x) == 28);
	CHECK(ioc_index_memory(x) > 0);

	/* ip: exact beats cidr, longest cidr wins */
	h = ip_hit(x, "192.0.2.10");
	CHECK_STR(hit_value(h), "192.0.2.10");
	CHECK_STR(allow_value(h), "192.0.2.0/24");     /* allowed by the test net */
	CHECK(h.ioc && h.ioc->severity == IOC_SEV_HIGH);
	CHECK_STR(h.ioc ? h.ioc->source : NULL, "feodo");
	CHECK_STR(h.ioc ? h.ioc->description : NULL, "Pikabot C2, port 1194");
	CHECK_STR(h.ioc ? h.ioc->category : NULL, "c2");
	CHECK(h.ioc && !h.ioc->allow && h.allow && h.allow->allow);
	CHECK(h.ioc && h.ioc->line == 3);
	CHECK_CONTAINS(h.ioc ? h.ioc->file : NULL, "rules/ioc/feed.csv");
	CHECK_STR(hit_value(ip_hit(x, "10.1.2.3")), "10.1.2.3");
	CHECK_STR(hit_value(ip_hit(x, "10.1.2.4")), "10.1.0.0/16");
	CHECK_STR(hit_value(ip_hit(x, "10.1.255.255")), "10.1.0.0/16");
	CHECK_STR(hit_value(ip_hit(x, "10.2.0.0")), "10.0.0.0/8");
	CHECK_STR(hit_value(ip_hit(x, "10.0.255.255")), "10.0.0.0/8");
	CHECK_STR(hit_value(ip_hit(x, "10.255.255.255")), "10.0.0.0/8");
	CHECK_STR(hit_value(ip_hit(x, "11.0.0.0")), "(none)");
	CHECK_STR(hit_value(ip_hit(x, "9.255.255.255")), "(none)");
	CHECK_STR(hit_value(ip_hit(x, "255.255.255.255")), "255.0.0.0/8");
	CHECK_STR(hit_value(ip_hit(x, "0.0.0.0")), "0.0.0.0/32");
	CHECK_STR(hit_value(ip_hit(x, "0.0.0.1")), "(none)");
	h = ip_hit(x, "10.1.9.9"); /* allowed exact address inside listed networks */
	CHECK_STR(hit_value(h), "10.1.0.0/16");
	CHECK_STR(allow_value(h), "10.1.9.9");
	CHECK_STR(hit_value(ip_hit(x, "::ffff:10.1.2.3")), "10.1.2.3");
	CHECK_STR(hit_value(ip_hit(x, "2001:db8:1::5")), "2001:db8:1::5");
	CHECK_STR(hit_value(ip_hit(x, "2001:db8:1::6")), "2001:db8:1::/48");
	CHECK_STR(hit_value(ip_hit(x, "2001:db8:1::")), "2001:db8:1::/127");
	CHECK_STR(hit_value(ip_hit(x, "2001:db8:1::1")), "2001:db8:1::/127");
	CHECK_STR(hit_value(ip_hit(x, "2001:db8:1::2")), "2001:db8:1::/48");
	CHECK_STR(hit_value(ip_hit(x, "2001:db8:1:ffff:ffff:ffff:ffff:ffff")), "2001:db8:1::/48");
	CHECK_STR(hit_value(ip_hit(x, "2001:db8:2::1")), "2001:db8::/32");
	CHECK_STR(hit_value(ip_hit(x, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")), "2001:db8::/32");
	CHECK_STR(hit_value(ip_hit(x, "2001:db9::")), "(none)");
	CHECK_STR(hit_value(ip_hit(x, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")), "(none)");
	CHECK_STR(hit_value(ip_hit(x, "::")), "(none)");
	CHECK_STR(hit_value(ip_hit(x, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")), "(none)");

	/* domain: the name and its parents, at label boundaries only */
	CHECK_STR(hit_value(ioc_lookup_domain(x, "example.com")), "example.com");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "a.b.Example.COM.")), "example.com");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "x.evil.example.com")), "evil.example.com");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "evil.example.com")), "evil.example.com");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "badexample.com")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "example.com.evil")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "com")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "xample.com")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_domain(x, "..example.com")), "example.com");
	h = ioc_lookup_domain(x, "www.example.com");
	CHECK_STR(h.ioc ? h.ioc->category : NULL, "phishing"); /* from the tag */
	h = ioc_lookup_domain(x, "mail.good.example.com");
	CHECK_STR(hit_value(h), "example.com");
	CHECK_STR(allow_value(h), "good.example.com");
	h = ioc_lookup_domain(x, "allowed-only.test");
	CHECK(!h.ioc && h.allow);

	/* url: normalised, without the query, directories */
	CHECK_STR(hit_value(ioc_lookup_url(x, "evil.test/path/file.php")), "http://evil.test/path/file.php");
	CHECK_STR(hit_value(ioc_lookup_url(x, "HTTP://EVIL.TEST:80/path/file.php")), "http://evil.test/path/file.php");
	CHECK_STR(hit_value(ioc_lookup_url(x, "evil.test:80/path/file.php")), "http://evil.test/path/file.php");
	CHECK_STR(hit_value(ioc_lookup_url(x, "http://evil.test./path/%66ile.php")), "http://evil.test/path/file.php");
	CHECK_STR(hit_value(ioc_lookup_url(x, "http://evil.test/path/file.php#top")), "http://evil.test/path/file.php");
	h = ioc_lookup_url(x, "http://evil.test/path/file.php?id=1");
	CHECK_STR(hit_value(h), "http://evil.test/path/file.php");
	CHECK(h.allow == NULL);
	h = ioc_lookup_url(x, "http://evil.test/path/file.php?ok=1");
	CHECK_STR(allow_value(h), "http://evil.test/path/file.php?ok=1");
	CHECK_STR(hit_value(ioc_lookup_url(x, "https://evil.test/path/file.php")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "http://evil.test/path/file.phpx")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "http://evil.test/path/File.php")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "http://evil.test:8080/path/file.php")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "http://evil.test/path/")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "dir.test/payload/")), "http://dir.test/payload/");
	CHECK_STR(hit_value(ioc_lookup_url(x, "dir.test/payload/a/b.exe?x=1")), "http://dir.test/payload/");
	CHECK_STR(hit_value(ioc_lookup_url(x, "dir.test/payloadx")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "dir.test/")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "185.98.87.185/tablone.png")), "http://185.98.87.185/");
	CHECK_STR(hit_value(ioc_lookup_url(x, "https://secure.test/login?session=1")), "https://secure.test/login?session=1");
	CHECK_STR(hit_value(ioc_lookup_url(x, "https://secure.test/login?session=2")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "https://secure.test/login")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "/path/file.php")), "(none)");
	CHECK_STR(hit_value(ioc_lookup_url(x, "")), "(none)");

	/* hashes and fingerprints, any case, colons for certificates */
	h = ioc_lookup(x, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427E");
	CHECK_STR(hit_value(h), "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_STR(allow_value(h), "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709")),
		  "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")),
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_JA3, "51c64c77e60f3980eea90869b68c58a8")), "51c64c77e60f3980eea90869b68c58a8");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_JA3S, "ec74a5c51106f0419184d0dd08fb05bc")), "ec74a5c51106f0419184d0dd08fb05bc");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_CERT_SHA1, "0d:db:34:f8:75:63:2c:7e:1e:c0:9d:75:82:7f:82:d2:33:6d:fe:b6")),
		  "0ddb34f875632c7e1ec09d75827f82d2336dfeb6");
	/* types do not mix: a ja3 is not an md5, an md5 not a ja3s */
	CHECK_STR(hit_value(ioc_lookup(x, IOC_MD5, "51c64c77e60f3980eea90869b68c58a8")), "(none)");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_JA3S, "51c64c77e60f3980eea90869b68c58a8")), "(none)");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_SHA1, "0ddb34f875632c7e1ec09d75827f82d2336dfeb6")), "(none)");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_MD5, "not-a-hash")), "(none)");
	/* the generic lookup reaches every type */
	CHECK_STR(hit_value(ioc_lookup(x, IOC_IP, "10.200.0.1")), "10.0.0.0/8");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_IP, "nonsense")), "(none)");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_CIDR, "10.1.0.0/16")), "10.1.0.0/16");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_CIDR, "10.1.0.0/17")), "(none)");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_DOMAIN, "www.evil.example.com")), "evil.example.com");
	CHECK_STR(hit_value(ioc_lookup(x, IOC_URL, "dir.test/payload/x")), "http://dir.test/payload/");
	CHECK_STR(hit_value(ioc_lookup(x, (enum ioc_type)42, "x")), "(none)");

	/* no index, no hits */
	CHECK(ioc_lookup_domain(NULL, "example.com").ioc == NULL);
	CHECK(ioc_lookup_url(NULL, "example.com/").ioc == NULL);
	CHECK(ioc_lookup(NULL, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e").ioc == NULL);
	CHECK(ioc_lookup_ip(NULL, NULL).ioc == NULL);
	CHECK(ioc_index_count(NULL) == 0 && ioc_index_memory(NULL) == 0);
	ioc_index_destroy(x);
	ioc_index_destroy(NULL);
	free(r);
}

/* A long lookup value: URL directories still match, a long name's
 * parents too. */
static void test_long_inputs(void)
{
	struct reports *r = calloc(1, sizeof(*r));
	struct ioc_index *x = index_of("long.csv", HEADER
				       "url,http://long.test/d/,high,t,d\n"
				       "domain,long.test,high,t,d\n", false, r, NULL);
	char *url = malloc(20000), *name = malloc(3000);

	memcpy(url, "http://long.test/d/", 19);
	memset(url + 19, 'a', 20000 - 20);
	url[19999] = '\0';
	CHECK_STR(hit_value(ioc_lookup_url(x, url)), "http://long.test/d/");
	url[500] = '?';
	CHECK_STR(hit_value(ioc_lookup_url(x, url)), "http://long.test/d/");
	for (int i = 0; i < 2990; i++)
		name[i] = i % 2 ? '.' : 'x';
	memcpy(name + 2990, "long.test", 10);
	CHECK_STR(hit_value(ioc_lookup_domain(x, name)), "long.test");
	ioc_index_destroy(x);
	free(url);
	free(name);
	free(r);
}

/* ---- bad input ---- */

static void test_bad_lines(void)
{
	struct reports *r = calloc(1, sizeof(*r));
	struct ioc_load_stats st;
	struct ioc_index *x;
	char *text = malloc(64 * 1024), *p = text;
	const char *path;
	static const char *lines[] = {
		/* 1 */ "# bad lines, one of each kind",
		/* 2 */ "type,value,severity,source,description,tags,expires,category",
		/* 3 */ "bogus,1.2.3.4,high,s,unknown type",
		/* 4 */ "ip,1.2.3.999,high,s,bad ip",
		/* 5 */ "cidr,10.0.0.0/40,high,s,bad cidr",
		/* 6 */ "sha256,abc,high,s,bad hash",
		/* 7 */ "domain,bad..domain,high,s,bad domain",
		/* 8 */ "url,/b374k.php,high,s,url without host",
		/* 9 */ "ip,1.2.3.4,high",
		/* 10 */ "ip,1.2.3.4,high,s,\"unterminated",
		/* 11 */ "ip,1.2.3.4,high,s,stray \" quote",
		/* 12 */ "ip,1.2.3.4,high,s,\"quoted\" tail",
		/* 13 */ "ip,1.2.3.4,high,s,d,t,,c2,extra",
		/* 14 */ "ip,1.2.3.4,severe,s,unknown severity",
		/* 15 */ "ip,1.2.3.4,,s,missing severity",
		/* 16 */ NULL, /* overlong */
		/* 17 */ "ip,1.2.3.4,high,s,good",
		/* 18 */ "ip,1.2.3.5,high,s,bad expires,,2024-13-01,",
		/* 19 */ "ip,1.2.3.6,high,s,unknown category,,,nosuchcat",
		/* 20 */ "ip,138.197.147.101:443,high,maltrail,ip:port",
		/* 21 */ "md5,d41d8cd98f00b204e9800998ecf8427e,high,s,good md5",
		/* 22 */ "   ",
		/* 23 */ "  # indented comment",
		/* 24 */ "domain,ok.test,high,s,\"tags holding the category\",category=webshell",
		/* 25 */ "ip,1.2.3.7,high,s,tag category ignored for the column,category=webshell,,malware",
		/* 26 */ "ip,1.2.3.8,high,s,last line without newline",
	};
	size_t n;
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		if (lines[i]) {
			n = strlen(lines[i]);
			memcpy(p, lines[i], n);
			p += n;
		} else {
			memcpy(p, "ip,9.9.9.9,high,s,", 18);
			memset(p + 18, 'x', IOC_LINE_MAX + 10);
			p += 18 + IOC_LINE_MAX + 10;
		}
		if (i + 1 < ARRAY_SIZE(lines))
			*p++ = '\n';
	}
	path = write_file_n("bad.csv", text, (size_t)(p - text));
	memset(&st, 0, sizeof(st));
	x = ioc_index_create();
	ret = ioc_load_file(x, path, false, collect, r, &st);
	CHECK(ret == 0);
	CHECK(ioc_index_finish(x) == 0);
	CHECK_REPORT(r, path, 3, "unknown type \"bogus\"");
	CHECK_REPORT(r, path, 4, "invalid ip \"1.2.3.999\"");
	CHECK_REPORT(r, path, 5, "invalid cidr \"10.0.0.0/40\"");
	CHECK_REPORT(r, path, 6, "invalid sha256 \"abc\": too few hexadecimal digits");
	CHECK_REPORT(r, path, 7, "invalid domain \"bad..domain\": empty label");
	CHECK_REPORT(r, path, 8, "invalid url \"/b374k.php\": no host");
	CHECK_REPORT(r, path, 9, "missing columns: 3");
	CHECK_REPORT(r, path, 10, "malformed CSV: unterminated quoted field");
	CHECK_REPORT(r, path, 11, "malformed CSV: quote inside an unquoted field");
	CHECK_REPORT(r, path, 12, "malformed CSV: text after a closing quote");
	CHECK_REPORT(r, path, 13, "too many columns: 9, the header has 8");
	CHECK_REPORT(r, path, 14, "unknown severity \"severe\"");
	CHECK_REPORT(r, path, 15, "missing severity");
	CHECK_REPORT(r, path, 16, "line longer than 8192 bytes");
	CHECK_REPORT(r, path, 18, "invalid expires \"2024-13-01\"");
	CHECK_REPORT(r, path, 19, "unknown category \"nosuchcat\", ignored");
	CHECK_REPORT(r, path, 20, "ip:port is not supported");
	CHECK(r->n == 17);
	if (r->n != 17)
		dump_reports(r);
	CHECK(st.lines == 26);
	CHECK(st.errors == 16);
	CHECK(st.warnings == 1);
	CHECK(st.loaded == 6); /* lines 17, 19, 21, 24, 25, 26 */
	CHECK(st.files == 1);
	CHECK(ioc_index_count(x) == 6);
	CHECK_STR(hit_value(ip_hit(x, "1.2.3.4")), "1.2.3.4");
	CHECK(ip_hit(x, "1.2.3.4").ioc && ip_hit(x, "1.2.3.4").ioc->line == 17);
	CHECK(ip_hit(x, "1.2.3.6").ioc && !ip_hit(x, "1.2.3.6").ioc->category);
	CHECK_STR(ioc_lookup_domain(x, "ok.test").ioc ? ioc_lookup_domain(x, "ok.test").ioc->category : NULL, "webshell");
	CHECK_STR(ip_hit(x, "1.2.3.7").ioc ? ip_hit(x, "1.2.3.7").ioc->category : NULL, "malware");
	CHECK_STR(hit_value(ip_hit(x, "1.2.3.8")), "1.2.3.8");
	CHECK_STR(hit_value(ip_hit(x, "9.9.9.9")), "(none)");
	CHECK_STR(hit_value(ip_hit(x, "138.197.147.101")), "(none)");
	ioc_index_destroy(x);

	/* whole files: wrong header, missing, empty, no header, header twice */
	r->n = 0;
	memset(&st, 0, sizeof(st));
	x = ioc_index_create();
	path = write_file("wrongheader.csv", "# a maltrail-like file\n\nkind,value,severity,source,description\nip,1.2.3.4,high,s,d\n");
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == -EINVAL);
	CHECK_REPORT(r, path, 3, "bad header");
	path = write_file("shortheader.csv", "type,value,severity\nip,1.2.3.4,high\n");
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == -EINVAL);
	CHECK_REPORT(r, path, 1, "bad header");
	path = write_file("dupheader.csv", "type,value,severity,source,description,tags,Tags\n");
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == -EINVAL);
	CHECK_REPORT(r, path, 1, "column \"tags\" twice");
	path = write_file("badquoteheader.csv", "type,value,severity,source,\"description\n");
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == -EINVAL);
	CHECK_REPORT(r, path, 1, "bad header: unterminated quoted field");
	path = write_file("empty.csv", "");
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == -EINVAL);
	CHECK_REPORT(r, path, 0, "no header line");
	path = write_file("comments.csv", "# only\n# comments\n");
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == -EINVAL);
	CHECK_REPORT(r, path, 0, "no header line");
	CHECK(ioc_load_file(x, "/nonexistent/feed.csv", false, collect, r, &st) == -ENOENT);
	CHECK_REPORT(r, "/nonexistent/feed.csv", 0, "cannot open");
	CHECK(ioc_load_file(x, tmpdir, false, collect, r, &st) < 0); /* a directory */
	CHECK(st.errors == 8);
	CHECK(st.loaded == 0);
	CHECK(ioc_index_count(x) == 0);
	/* a rules dir without allow/ is fine; one that does not exist is not */
	CHECK(ioc_load_rules_dir(x, "/nonexistent-rules", collect, r, &st) == 0);
	CHECK(ioc_index_finish(x) == 0);
	CHECK(ioc_lookup_domain(x, "example.com").ioc == NULL);
	CHECK(ip_hit(x, "1.2.3.4").ioc == NULL);
	CHECK(ip_hit(x, "2001:db8::1").ioc == NULL);
	ioc_index_destroy(x);

	/* a file whose last line is overlong and has no newline; CRLF; BOM */
	r->n = 0;
	memset(&st, 0, sizeof(st));
	p = text;
	n = strlen("\xef\xbb\xbf" "type,value,severity,source,description\r\nip,5.5.5.5,low,s,crlf\r\n");
	memcpy(p, "\xef\xbb\xbf" "type,value,severity,source,description\r\nip,5.5.5.5,low,s,crlf\r\n", n);
	p += n;
	memset(p, 'y', IOC_LINE_MAX + 1);
	p += IOC_LINE_MAX + 1;
	path = write_file_n("tail.csv", text, (size_t)(p - text));
	x = ioc_index_create();
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == 0);
	CHECK(ioc_index_finish(x) == 0);
	CHECK_REPORT(r, path, 3, "line longer than");
	CHECK(r->n == 1);
	CHECK(st.loaded == 1 && st.errors == 1 && st.lines == 3);
	CHECK_STR(ip_hit(x, "5.5.5.5").ioc ? ip_hit(x, "5.5.5.5").ioc->description : NULL, "crlf");
	ioc_index_destroy(x);

	/* a NUL byte inside a line */
	r->n = 0;
	memset(&st, 0, sizeof(st));
	path = write_file_n("nul.csv", HEADER "ip,6.6.6.6,low,s,a\0b\nip,6.6.6.7,low,s,ok\n",
			    strlen(HEADER) + 40);
	x = ioc_index_create();
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == 0);
	CHECK_REPORT(r, path, 2, "NUL byte");
	CHECK(st.loaded == 1);
	ioc_index_destroy(x);
	free(text);
	free(r);
}

/* ---- CSV quoting ---- */

static void test_quoting(void)
{
	struct reports *r = calloc(1, sizeof(*r));
	struct ioc_load_stats st;
	struct ioc_index *x;
	struct ioc_hit h;

	memset(&st, 0, sizeof(st));
	x = index_of("quoting.csv",
		     "\"type\", \"value\" ,severity,source,\"description\",tags\n"
		     "domain,\"quoted.test\",high,\"feed, with comma\",\"say \"\"hi\"\", then, leave\"\n"
		     "  domain , spaced.test , medium , src ,  trimmed  \n"
		     "domain,\"  inner.test  \",low,src,\"  kept  \"\n"
		     "domain,empty-desc.test,low,src,\n"
		     "domain,short-row.test,low,src,\"\"\n"
		     "domain,\"\"\"quote\"\".test\",low,src,x\n"
		     "url,\"http://q.test/a,b?c=\"\"d\"\"\",low,src,comma and quotes in a url\n",
		     false, r, &st);
	CHECK(r->n == 1);
	CHECK_REPORT(r, tpath("quoting.csv"), 7, "character not allowed");
	CHECK(st.loaded == 6);
	h = ioc_lookup_domain(x, "quoted.test");
	CHECK_STR(h.ioc ? h.ioc->source : NULL, "feed, with comma");
	CHECK_STR(h.ioc ? h.ioc->description : NULL, "say \"hi\", then, leave");
	h = ioc_lookup_domain(x, "spaced.test");
	CHECK_STR(h.ioc ? h.ioc->source : NULL, "src");
	CHECK_STR(h.ioc ? h.ioc->description : NULL, "trimmed");
	CHECK(h.ioc && h.ioc->severity == IOC_SEV_MEDIUM);
	h = ioc_lookup_domain(x, "inner.test");
	CHECK_STR(h.ioc ? h.ioc->description : NULL, "  kept  ");
	h = ioc_lookup_domain(x, "empty-desc.test");
	CHECK_STR(h.ioc ? h.ioc->description : NULL, "");
	CHECK(h.ioc && h.ioc->category == NULL);
	h = ioc_lookup_url(x, "q.test/a,b?c=\"d\"");
	CHECK_STR(hit_value(h), "http://q.test/a,b?c=\"d\"");
	ioc_index_destroy(x);

	/* an empty source takes the file's name */
	r->n = 0;
	x = index_of("my-feed.csv", HEADER "domain,nosource.test,low,,x\n", false, r, NULL);
	h = ioc_lookup_domain(x, "nosource.test");
	CHECK_STR(h.ioc ? h.ioc->source : NULL, "my-feed");
	ioc_index_destroy(x);
	free(r);
}

/* ---- duplicates and expiry ---- */

static void test_duplicates(void)
{
	struct reports *r = calloc(1, sizeof(*r));
	struct ioc_load_stats st;
	struct ioc_index *x = ioc_index_create();
	struct ioc_hit h;
	const char *a, *b;

	memset(&st, 0, sizeof(st));
	a = write_file("dup-a.csv", HEADER
		       "domain,dup.test,low,first,one\n"
		       "domain,DUP.test.,critical,second,two\n"
		       "domain,*.dup.test,medium,third,three\n"
		       "ip,192.0.2.1,high,a,x\n"
		       "ip,::ffff:192.0.2.1,low,b,y\n"
		       "cidr,192.0.2.77/24,medium,a,x\n"
		       "cidr,192.0.2.0/24,high,b,higher\n"
		       "md5,D41D8CD98F00B204E9800998ECF8427E,high,a,x\n"
		       "md5,d41d8cd98f00b204e9800998ecf8427e,high,b,tie keeps the first\n"
		       "url,HTTP://Dup.test:80/x,low,a,x\n"
		       "url,http://dup.test/x,low,b,y\n");
	b = write_file("dup-b.csv", HEADER "domain,dup.test,high,other-file,not higher\n");
	ioc_load_file(x, a, false, collect, r, &st);
	ioc_load_file(x, b, false, collect, r, &st);
	/* the same value in the allow list is no duplicate */
	ioc_load_file(x, write_file("dup-allow.csv", HEADER "domain,dup.test,,it,x\n"), true,
		      collect, r, &st);
	CHECK(ioc_index_finish(x) == 0);
	CHECK(r->n == 0);
	CHECK(st.loaded == 6);
	CHECK(st.duplicates == 7);
	CHECK(st.allow == 1);
	CHECK(ioc_index_count(x) == 6);
	h = ioc_lookup_domain(x, "www.dup.test");
	CHECK(h.ioc && h.ioc->severity == IOC_SEV_CRITICAL);
	CHECK_STR(h.ioc ? h.ioc->source : NULL, "second");
	CHECK_STR(h.ioc ? h.ioc->description : NULL, "two");
	CHECK_STR(h.ioc ? h.ioc->value : NULL, "dup.test");
	CHECK(h.ioc && h.ioc->line == 3);
	CHECK(h.allow != NULL);
	h = ip_hit(x, "192.0.2.1");
	CHECK_STR(h.ioc ? h.ioc->source : NULL, "a");
	h = ip_hit(x, "192.0.2.2");
	CHECK_STR(h.ioc ? h.ioc->description : NULL, "higher");
	h = ioc_lookup(x, IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_STR(h.ioc ? h.ioc->source : NULL, "a");
	ioc_index_destroy(x);
	free(r);
}

static void test_expires(void)
{
	struct reports *r = calloc(1, sizeof(*r));
	struct ioc_load_stats st;
	struct ioc_index *x = ioc_index_create();
	const char *path;

	memset(&st, 0, sizeof(st));
	ioc_index_set_time(x, 1717200000); /* 2024-06-01T00:00:00Z */
	path = write_file("expires.csv",
			  "type,value,severity,source,description,expires\n"
			  "domain,old.test,high,s,expired,2024-01-01\n"
			  "domain,future.test,high,s,valid,2025-01-01\n"
			  "domain,edge.test,high,s,expires right now,2024-06-01T00:00:00Z\n"
			  "domain,zone.test,high,s,one hour left,2024-06-01T03:00:00+02:00\n"
			  "domain,zone2.test,high,s,an hour ago,2024-05-31 22:00:00-01:00\n"
			  "domain,never.test,high,s,no expiry,\n"
			  "domain,frac.test,high,s,fraction,2024-06-01T00:00:01.5Z\n");
	CHECK(ioc_load_file(x, path, false, collect, r, &st) == 0);
	CHECK(ioc_index_finish(x) == 0);
	CHECK(st.expired == 3);
	CHECK(st.loaded == 4);
	CHECK(st.errors == 0);
	CHECK(r->n == 1);
	CHECK_REPORT(r, path, 2, "3 expired indicator(s) skipped");
	CHECK(ioc_lookup_domain(x, "old.test").ioc == NULL);
	CHECK(ioc_lookup_domain(x, "edge.test").ioc == NULL);
	CHECK(ioc_lookup_domain(x, "zone2.test").ioc == NULL);
	CHECK(ioc_lookup_domain(x, "future.test").ioc != NULL);
	CHECK(ioc_lookup_domain(x, "zone.test").ioc != NULL);
	CHECK(ioc_lookup_domain(x, "never.test").ioc != NULL);
	CHECK(ioc_lookup_domain(x, "frac.test").ioc != NULL);
	ioc_index_destroy(x);
	free(r);
}

/* ---- real data ---- */

/* Lines copied from the corpus feeds (ioc/maltrail, ioc/abuse.ch,
 * ndpi/config), written as haidang CSV the way an importer would: maltrail's
 * "ip:port" trails become the address, its "host/path" trails URLs. */
static void test_real_lines(void)
{
	struct reports *r = calloc(1, sizeof(*r));
	struct ioc_load_stats st;
	struct ioc_index *x;
	struct ioc_hit h;

	memset(&st, 0, sizeof(st));
	x = index_of("real.csv",
		     "type,value,severity,source,description,tags,category\n"
		     "# maltrail trails/static/malware/emotet.txt (lines 12376, 12394, 12487, 4539)\n"
		     "ip,138.197.147.101,high,maltrail,\"emotet (138.197.147.101:443)\",emotet,malware\n"
		     "url,gandhitoday.org/video/6JvA8/,high,maltrail,emotet,emotet,malware\n"
		     "url,filmmogzivota.rs/SpryAssets/gDR/,high,maltrail,emotet,emotet,malware\n"
		     "ip,82.118.225.196,high,maltrail,\"emotet (82.118.225.196:7080)\",emotet,c2\n"
		     "# maltrail trails/static/malware/trickbot.txt (lines 606, 1359)\n"
		     "url,http://144.91.69.195/solar.php,high,maltrail,trickbot,,malware\n"
		     "url,http://185.98.87.185,high,maltrail,trickbot,,malware\n"
		     "# maltrail trails/static/suspicious/web_shells.txt: a path with no host\n"
		     "url,/b374k.php,medium,maltrail,web shell,category=webshell,\n"
		     "# abuse.ch Feodo Tracker, SSLBL, URLhaus\n"
		     "ip,192.9.135.73,high,feodotracker,Pikabot,,c2\n"
		     "ja3,51c64c77e60f3980eea90869b68c58a8,high,sslbl,Dridex,,malware\n"
		     "ja3,b386946a5a44d1ddcc843bc75336dfce,high,sslbl,Dridex,,malware\n"
		     "domain,0022a601.pphost.net,high,urlhaus,online,,malware\n"
		     "domain,1.1.109.99,high,urlhaus,an address in the domain list,,malware\n"
		     "# nDPI example/sha1_fingerprints.csv (the fake first entry) and categories.txt\n"
		     "cert_sha1,0DDB34F875632C7E1EC09D75827F82D2336DFEB6,high,sslbl,Fake,,\n"
		     "cidr,2001:db8:1::1/127,high,ndpi,categories.txt,,\n",
		     false, r, &st);
	CHECK(st.loaded == 12);
	CHECK(st.errors == 2);
	CHECK_REPORT(r, tpath("real.csv"), 11, "invalid url \"/b374k.php\": no host");
	CHECK_REPORT(r, tpath("real.csv"), 17, "invalid domain \"1.1.109.99\": an IP address is type ip");
	CHECK(r->n == 2);
	/* what nDPI reports for the corpus pcaps (EXPECTED_IOC_HITS.tsv) */
	CHECK(ip_hit(x, "138.197.147.101").ioc != NULL);
	CHECK(ip_hit(x, "82.118.225.196").ioc != NULL);
	h = ioc_lookup_url(x, "filmmogzivota.rs/SpryAssets/gDR/");
	CHECK_STR(hit_value(h), "http://filmmogzivota.rs/SpryAssets/gDR/");
	CHECK_STR(h.ioc ? h.ioc->category : NULL, "malware");
	CHECK(ioc_lookup_url(x, "gandhitoday.org/video/6JvA8/").ioc != NULL);
	CHECK(ioc_lookup_url(x, "144.91.69.195/solar.php").ioc != NULL);
	CHECK(ioc_lookup_url(x, "185.98.87.185/tablone.png").ioc != NULL);
	CHECK(ioc_lookup(x, IOC_JA3, "51c64c77e60f3980eea90869b68c58a8").ioc != NULL);
	CHECK(ioc_lookup(x, IOC_CERT_SHA1, "0ddb34f875632c7e1ec09d75827f82d2336dfeb6").ioc != NULL);
	CHECK(ioc_lookup_domain(x, "0022a601.pphost.net").ioc != NULL);
	CHECK(ioc_lookup_domain(x, "pphost.net").ioc == NULL);
	CHECK(ip_hit(x, "2001:db8:1::1").ioc != NULL);
	CHECK(ip_hit(x, "2001:db8:1::2").ioc == NULL);
	/* near misses */
	CHECK(ioc_lookup_url(x, "filmmogzivota.rs/SpryAssets/").ioc == NULL);
	CHECK(ioc_lookup_url(x, "144.91.69.195/solar.phps").ioc == NULL);
	CHECK(ip_hit(x, "138.197.147.102").ioc == NULL);
	ioc_index_destroy(x);
	free(r);
}

/* ---- shared reads from many threads ---- */

struct reader_arg {
	const struct ioc_index *x;
	unsigned wrong;
};

static void *reader(void *p)
{
	struct reader_arg *a = p;
	struct hd_addr addr;

	addr_parse("10.1.77.1", &addr);
	for (int i = 0; i < 20000; i++) {
		struct ioc_hit h = ioc_lookup_domain(a->x, "deep.www.example.com");
		a->wrong += !h.ioc || strcmp(h.ioc->value, "example.com");
		h = ioc_lookup_url(a->x, "dir.test/payload/z?q=1");
		a->wrong += !h.ioc || strcmp(h.ioc->value, "http://dir.test/payload/");
		h = ioc_lookup_ip(a->x, &addr);
		a->wrong += !h.ioc || strcmp(h.ioc->value, "10.1.0.0/16");
		h = ioc_lookup(a->x, IOC_JA3, "51C64C77E60F3980EEA90869B68C58A8");
		a->wrong += !h.ioc;
		a->wrong += ioc_lookup_domain(a->x, "badexample.com").ioc != NULL;
	}
	return NULL;
}

static void test_threads(void)
{
	struct reports *r = calloc(1, sizeof(*r));
	struct ioc_index *x = index_of("threads.csv", feed_csv, false, r, NULL);
	struct reader_arg args[4];
	pthread_t t[4];

	for (int i = 0; i < 4; i++) {
		args[i].x = x;
		args[i].wrong = 0;
		CHECK(pthread_create(&t[i], NULL, reader, &args[i]) == 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(args[i].wrong == 0);
	}
	ioc_index_destroy(x);
	free(r);
}

/* ---- the whole corpus feeds, when the corpus is there ---- */

struct conv {
	FILE *out;
	unsigned lines;
};

static void csv_field(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void conv_row(struct conv *c, const char *type, const char *value, const char *source,
		     const char *desc)
{
	fprintf(c->out, "%s,", type);
	csv_field(c->out, value);
	fprintf(c->out, ",high,%s,", source);
	csv_field(c->out, desc);
	fputc('\n', c->out);
	c->lines++;
}

/* A maltrail trail: "domain", "ip", "ip:port", "host/path", "http://...",
 * "/path" (no host: not an indicator haidang can match), "# comment". */
static void conv_maltrail_line(struct conv *c, char *line, const char *source)
{
	struct hd_addr a;
	char *hash = strchr(line, '#'), *colon;
	size_t n;

	if (hash && hash > line && (hash[-1] == ' ' || hash[-1] == '\t'))
		*hash = '\0';
	n = strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (!*line || *line == '#' || *line == '/')
		return;
	if (strchr(line, '/')) {
		conv_row(c, "url", line, source, "maltrail trail");
		return;
	}
	colon = strchr(line, ':');
	if (colon && strchr(line, '.') && !strchr(colon + 1, ':'))
		*colon = '\0';
	conv_row(c, addr_parse(line, &a) ? "domain" : "ip", line, source, "maltrail trail");
}

static int conv_file(const char *path, struct conv *c, int kind, const char *source)
{
	char line[8192];
	FILE *in = fopen(path, "r");

	if (!in)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		char *f[8], *p = line;
		int n = 0;
		struct hd_addr a;

		line[strcspn(line, "\r\n")] = '\0';
		if (kind == 0) {
			conv_maltrail_line(c, line, source);
			continue;
		}
		if (!*line || *line == '#')
			continue;
		/* simple splits: these feeds quote every field or none */
		while (n < 8) {
			f[n++] = p;
			p = strchr(p, ',');
			if (!p)
				break;
			*p++ = '\0';
		}
		for (int i = 0; i < n; i++) {
			size_t len = strlen(f[i]);
			if (len >= 2 && f[i][0] == '"' && f[i][len - 1] == '"') {
				f[i][len - 1] = '\0';
				f[i]++;
			}
		}
		if (kind == 1 && n >= 6 && strcmp(f[1], "dst_ip")) /* feodo */
			conv_row(c, "ip", f[1], source, f[5]);
		else if (kind == 2 && n >= 4) /* sslbl ja3 */
			conv_row(c, "ja3", f[0], source, f[3]);
		else if (kind == 3) /* urlhaus domains */
			conv_row(c, addr_parse(f[0], &a) ? "domain" : "ip", f[0], source, "urlhaus online");
		else if (kind == 4 && n >= 3) /* sslbl sha1 */
			conv_row(c, "cert_sha1", f[1], source, f[2]);
	}
	fclose(in);
	return 0;
}

static void test_corpus(void)
{
	static const struct { const char *path; int kind; } feeds[] = {
		{ "ioc/abuse.ch/feodotracker_ipblocklist_2024-04-04.csv", 1 },
		{ "ioc/abuse.ch/sslbl_ja3_fingerprints_2021-08-03.csv", 2 },
		{ "ioc/abuse.ch/urlhaus-filter-domains-online_2025-07-19.txt", 3 },
		{ "ndpi/config/sha1_fingerprints.csv", 4 },
	};
	const char *corpus = getenv("HAIDANG_CORPUS");
	struct reports *r;
	struct ioc_load_stats st;
	struct ioc_index *x;
	struct conv c = { NULL, 0 };
	char path[1400], dir[1024], out[600];
	struct dirent **names;
	int n;
	uint64_t t0;

	if (!corpus || !*corpus) {
		printf("test_ioc: HAIDANG_CORPUS not set, corpus feeds skipped\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/ioc/maltrail", corpus);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		printf("test_ioc: %s missing, corpus feeds skipped\n", dir);
		return;
	}
	snprintf(out, sizeof(out), "%s/corpus.csv", tmpdir);
	c.out = fopen(out, "w");
	CHECK(c.out != NULL);
	if (!c.out)
		return;
	fputs(HEADER, c.out);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char src[256];
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			snprintf(src, sizeof(src), "maltrail-%.*s", (int)strcspn(names[i]->d_name, "."),
				 names[i]->d_name);
			CHECK(conv_file(path, &c, 0, src) == 0);
		}
		free(names[i]);
	}
	free(names);
	for (size_t i = 0; i < ARRAY_SIZE(feeds); i++) {
		snprintf(path, sizeof(path), "%s/%s", corpus, feeds[i].path);
		CHECK(conv_file(path, &c, feeds[i].kind, "abuse.ch") == 0);
	}
	fclose(c.out);

	r = calloc(1, sizeof(*r));
	memset(&st, 0, sizeof(st));
	x = ioc_index_create();
	t0 = time_mono_ms();
	CHECK(ioc_load_file(x, out, false, collect, r, &st) == 0);
	CHECK(ioc_index_finish(x) == 0);
	printf("test_ioc: corpus feeds: %u rows, %llu loaded, %llu duplicates, %llu errors, %llu ms\n",
	       c.lines, (unsigned long long)st.loaded, (unsigned long long)st.duplicates,
	       (unsigned long long)st.errors, (unsigned long long)(time_mono_ms() - t0));
	CHECK(st.errors == 0);
	if (st.errors)
		dump_reports(r);
	CHECK(st.loaded + st.duplicates == c.lines);
	CHECK(st.loaded > 40000);

	/* EXPECTED_IOC_HITS.tsv: every row whose list is one of these feeds */
	{
		static const struct { const char *observable; int how; const char *lookup; } rows[] = {
			{ "138.197.147.101:443", 0, "138.197.147.101" },
			{ "filmmogzivota.rs/SpryAssets/gDR/", 1, "filmmogzivota.rs/SpryAssets/gDR/" },
			{ "gandhitoday.org/video/6JvA8/", 1, "gandhitoday.org/video/6JvA8/" },
			{ "51c64c77e60f3980eea90869b68c58a8", 2, "51c64c77e60f3980eea90869b68c58a8" },
			{ "82.118.225.196:7080", 0, "82.118.225.196" },
			{ "144.139.247.220", 0, "144.139.247.220" },
			{ "144.91.69.195/solar.php", 1, "144.91.69.195/solar.php" },
			{ "185.98.87.185", 1, "185.98.87.185/tablone.png" },
			{ "40adfd923eb82b89d8836ba37a19bca1", 2, "40adfd923eb82b89d8836ba37a19bca1" },
			{ "0DDB34F875632C7E1EC09D75827F82D2336DFEB6", 3, "0DDB34F875632C7E1EC09D75827F82D2336DFEB6" },
		};
		char *tsv = malloc(1 << 16);
		size_t len = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/ioc/EXPECTED_IOC_HITS.tsv", corpus);
		f = fopen(path, "r");
		CHECK(f != NULL);
		if (f) {
			len = fread(tsv, 1, (1 << 16) - 1, f);
			fclose(f);
		}
		tsv[len] = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			struct ioc_hit h = { NULL, NULL };
			char want[128];
			snprintf(want, sizeof(want), "\t%s\t", rows[i].observable);
			CHECK_CONTAINS(tsv, want);
			switch (rows[i].how) {
			case 0: h = ip_hit(x, rows[i].lookup); break;
			case 1: h = ioc_lookup_url(x, rows[i].lookup); break;
			case 2: h = ioc_lookup(x, IOC_JA3, rows[i].lookup); break;
			case 3: h = ioc_lookup(x, IOC_CERT_SHA1, rows[i].lookup); break;
			}
			if (!h.ioc)
				fprintf(stderr, "corpus: no hit for %s\n", rows[i].lookup);
			CHECK(h.ioc != NULL);
		}
		free(tsv);
	}
	/* and the benign side of the same pcaps stays quiet */
	CHECK(ioc_lookup_domain(x, "www.google.com").ioc == NULL);
	CHECK(ioc_lookup_url(x, "www.ntop.org/").ioc == NULL);
	ioc_index_destroy(x);
	free(r);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_ioc.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_names();
	test_normalize();
	test_types();
	test_long_inputs();
	test_bad_lines();
	test_quoting();
	test_duplicates();
	test_expires();
	test_real_lines();
	test_threads();
	test_corpus();
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return CHECK_DONE();
}
