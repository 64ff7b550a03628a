/*
 * test_redis.c - unit tests of the Redis module that need no server: URL
 * parsing (every kind, IPv6, percent-decoding, defaults) with the message
 * each kind of bad URL gets, URL formatting without the password, the
 * script SHA-1, and the errors connect gives before any network I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "redis.h"

static struct hd_redis_url parse_ok(const char *s)
{
	struct hd_redis_url u;
	char err[256];
	int rc = hd_redis_url_parse(s, &u, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "unexpected failure for %s: %s\n", s, err);
		check_failures++;
	}
	return u;
}

static void parse_bad(const char *s, const char *want)
{
	struct hd_redis_url u;
	char err[256];

	err[0] = '\0';
	CHECK(hd_redis_url_parse(s, &u, err, sizeof(err)) == -EINVAL);
	CHECK_CONTAINS(err, want);
}

static void test_parse_good(void)
{
	struct hd_redis_url u;

	u = parse_ok("redis://localhost");
	CHECK(u.kind == HD_REDIS_TCP);
	CHECK_STR(u.host, "localhost");
	CHECK(u.port == 6379 && u.db == 0 && !u.tls);
	CHECK_STR(u.user, "");
	CHECK_STR(u.password, "");

	u = parse_ok("redis://10.0.0.5:6380/3");
	CHECK_STR(u.host, "10.0.0.5");
	CHECK(u.port == 6380 && u.db == 3);

	u = parse_ok("redis://[::1]:6390/2");
	CHECK_STR(u.host, "::1");
	CHECK(u.port == 6390 && u.db == 2);

	u = parse_ok("redis://[fe80::1]");
	CHECK_STR(u.host, "fe80::1");
	CHECK(u.port == 6379);

	u = parse_ok("redis://sensor:s%40cr%3At@redis.example.org:7000/1");
	CHECK_STR(u.user, "sensor");
	CHECK_STR(u.password, "s@cr:t");
	CHECK_STR(u.host, "redis.example.org");
	CHECK(u.port == 7000 && u.db == 1);

	u = parse_ok("redis://u:p/w?x@y@h:2/3");   /* raw '/', '?', '@' in a password */
	CHECK_STR(u.user, "u");
	CHECK_STR(u.password, "p/w?x@y");
	CHECK_STR(u.host, "h");
	CHECK(u.port == 2 && u.db == 3);

	u = parse_ok("redis://:only-password@h");
	CHECK_STR(u.user, "");
	CHECK_STR(u.password, "only-password");

	u = parse_ok("redis://h/");
	CHECK(u.db == 0);

	u = parse_ok("rediss://u:p@127.0.0.1:6390/4");
	CHECK(u.kind == HD_REDIS_TLS && u.tls);
	CHECK_STR(u.host, "127.0.0.1");
	CHECK(u.port == 6390 && u.db == 4);

	u = parse_ok("rediss://cache.local");
	CHECK(u.port == 6379);

	u = parse_ok("REDIS://H:1");
	CHECK(u.kind == HD_REDIS_TCP && u.port == 1);

	u = parse_ok("unix:///run/redis/redis.sock");
	CHECK(u.kind == HD_REDIS_UNIX);
	CHECK_STR(u.path, "/run/redis/redis.sock");
	CHECK(u.db == 0);

	u = parse_ok("unix:///tmp/my%20dir/r.sock?db=5");
	CHECK_STR(u.path, "/tmp/my dir/r.sock");
	CHECK(u.db == 5);

	u = parse_ok("sentinel://10.0.0.1:26379,10.0.0.2,[::1]:26380/mymaster?db=2");
	CHECK(u.kind == HD_REDIS_SENTINEL && !u.tls);
	CHECK(u.n_sentinels == 3);
	CHECK_STR(u.sentinels[0].host, "10.0.0.1");
	CHECK(u.sentinels[0].port == 26379);
	CHECK_STR(u.sentinels[1].host, "10.0.0.2");
	CHECK(u.sentinels[1].port == 26379);
	CHECK_STR(u.sentinels[2].host, "::1");
	CHECK(u.sentinels[2].port == 26380);
	CHECK_STR(u.master, "mymaster");
	CHECK(u.db == 2);

	u = parse_ok("sentinel://u:pw@s1:1/m?tls=yes&db=1");
	CHECK(u.tls && u.db == 1);
	CHECK_STR(u.user, "u");
	CHECK_STR(u.password, "pw");
	CHECK_STR(u.master, "m");

	u = parse_ok("sentinel://a,b,c,d,e,f,g,h/m");
	CHECK(u.n_sentinels == 8);
}

static void test_parse_bad(void)
{
	parse_bad("", "empty");
	parse_bad("localhost:6379", "no scheme");
	parse_bad("http://h", "unknown scheme 'http'");
	parse_bad("redis://", "missing host");
	parse_bad("redis://:6379", "missing host");
	parse_bad("redis://h:0", "bad port '0'");
	parse_bad("redis://h:65536", "bad port '65536'");
	parse_bad("redis://h:12ab", "bad port '12ab'");
	parse_bad("redis://h:", "bad port");
	parse_bad("redis://h:-1", "bad port");
	parse_bad("redis://h/x", "bad database number 'x'");
	parse_bad("redis://h/1/2", "bad database number");
	parse_bad("redis://h/99999999999", "bad database number");
	parse_bad("redis://h/1?foo=bar", "unknown query parameter 'foo'");
	parse_bad("redis://h o", "space or control character");
	parse_bad("redis://ho$t", "bad character '$' in host");
	parse_bad("redis://[::1", "'[' without ']'");
	parse_bad("redis://::1:6379", "IPv6 address goes in brackets");
	parse_bad("redis://[nonsense]:1", "bad IPv6 address");
	parse_bad("redis://[::1]x", "junk after ']'");
	parse_bad("redis://u:p%4@h", "bad percent escape in password");
	parse_bad("redis://u:p%zz@h", "bad percent escape in password");
	parse_bad("redis://u%00:p@h", "%00 in user");
	parse_bad("redis://u:@h", "empty password");
	parse_bad("unix://relative.sock", "must be absolute");
	parse_bad("unix://", "must be absolute");
	parse_bad("unix:///s.sock?db=abc", "bad database number 'abc'");
	parse_bad("unix:///s.sock?tls=yes", "unknown query parameter 'tls'");
	parse_bad("unix:///s.sock?db", "want key=value");
	parse_bad("unix:///aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock", "socket path too long");
	parse_bad("sentinel:///m", "without sentinels");
	parse_bad("sentinel://h:26379", "without a master name");
	parse_bad("sentinel://h:26379/", "empty master name");
	parse_bad("sentinel://a,,b/m", "empty entry");
	parse_bad("sentinel://a,/m", "empty entry");
	parse_bad("sentinel://a,b,c,d,e,f,g,h,i/m", "more than 8 sentinels");
	parse_bad("sentinel://a:99999/m", "bad port '99999'");
	parse_bad("sentinel://a/m?tls=maybe", "bad tls value 'maybe'");
}

static void test_format(void)
{
	struct hd_redis_url u;
	char buf[512];

	u = parse_ok("rediss://alice:secret@[::1]:6390/3");
	hd_redis_url_format(&u, buf, sizeof(buf));
	CHECK_STR(buf, "rediss://alice@[::1]:6390/3");
	u = parse_ok("unix:///tmp/r.sock?db=2");
	hd_redis_url_format(&u, buf, sizeof(buf));
	CHECK_STR(buf, "unix:///tmp/r.sock?db=2");
	u = parse_ok("sentinel://:pw@a:1,b/m?tls=yes");
	hd_redis_url_format(&u, buf, sizeof(buf));
	CHECK_STR(buf, "sentinel://a:1,b:26379/m?db=0&tls=yes");
	CHECK(!strstr(buf, "pw"));
	/* a tiny buffer is cut, never overrun */
	hd_redis_url_format(&u, buf, 8);
	CHECK_STR(buf, "sentine");
}

static void test_script(void)
{
	struct hd_redis_script s;

	CHECK(hd_redis_script_init(&s, "return 1") == 0);
	/* redis-cli SCRIPT LOAD "return 1" */
	CHECK_STR(s.sha1, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
	CHECK(hd_redis_script_init(&s, "") == -EINVAL);
	CHECK(hd_redis_script_init(&s, NULL) == -EINVAL);
}

static void test_connect_errors(void)
{
	struct hd_redis_url u = parse_ok("unix:///nonexistent/haidang-test.sock");
	struct hd_redis_opts o = { 0 };
	char err[512], path[] = "/tmp/haidang-pwXXXXXX";
	int fd;

	CHECK(hd_redis_connect(&u, NULL, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "redis: connect: No such file or directory "
		       "(/nonexistent/haidang-test.sock)");

	o.password_env = "HAIDANG_TEST_SURELY_UNSET";
	CHECK(hd_redis_connect(&u, &o, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "environment variable HAIDANG_TEST_SURELY_UNSET");

	o.password_env = NULL;
	o.user = "alice";
	CHECK(hd_redis_connect(&u, &o, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "user 'alice' given without a password");

	o.user = NULL;
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, "pw\n", 3) == 3);
		close(fd);
		CHECK(chmod(path, 0644) == 0);
		o.password_file = path;
		CHECK(hd_redis_connect(&u, &o, err, sizeof(err)) == NULL);
		CHECK_CONTAINS(err, "accessible by group or others (mode 0644)");
		CHECK(chmod(path, 0600) == 0);
		CHECK(hd_redis_connect(&u, &o, err, sizeof(err)) == NULL);
		CHECK_CONTAINS(err, "No such file or directory"); /* got past the file */
		unlink(path);
	}
	o.password_file = "/nonexistent/pw";
	CHECK(hd_redis_connect(&u, &o, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "password file /nonexistent/pw: No such file");
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_format();
	test_script();
	test_connect_errors();
	hd_redis_close(NULL);
	return CHECK_DONE();
}
