/*
 * test_common.c - unit tests of the shared library: the JSON writer's
 * UTF-8 sanitising and structure, checked number parsing, CIDR matching
 * and the config-file parser's error messages.
 */
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "jsonw.h"
#include "util.h"

static char *json_of(struct jw *w)
{
	static char buf[8192];
	size_t n = w->len < sizeof(buf) - 1 ? w->len : sizeof(buf) - 1;

	memcpy(buf, w->buf, n);
	buf[n] = '\0';
	return buf;
}

static void test_jsonw(void)
{
	struct jw w;

	jw_init(&w, 1 << 16);
	jw_obj_open(&w, NULL);
	jw_str(&w, "vi", "Sở Thông tin và Truyền thông");
	jw_strn(&w, "bad", "a\xff" "b\xc3", 4);        /* invalid byte, cut sequence */
	jw_strn(&w, "ctl", "q\"\\\n\x01", 5);
	jw_strn(&w, "overlong", "\xc0\xaf", 2);          /* overlong '/' */
	jw_strn(&w, "surrogate", "\xed\xa0\x80", 3);
	jw_arr_open(&w, "n");
	jw_int(&w, NULL, -5);
	jw_uint(&w, NULL, 18446744073709551615ULL);
	jw_bool(&w, NULL, true);
	jw_null(&w, NULL);
	jw_arr_close(&w);
	jw_obj_open(&w, "empty");
	jw_obj_close(&w);
	jw_obj_close(&w);
	CHECK(!w.overflow);
	CHECK_STR(json_of(&w),
		  "{\"vi\":\"Sở Thông tin và Truyền thông\","
		  "\"bad\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\","
		  "\"ctl\":\"q\\\"\\\\\\n\\u0001\","
		  "\"overlong\":\"\xef\xbf\xbd\xef\xbf\xbd\","
		  "\"surrogate\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
		  "\"n\":[-5,18446744073709551615,true,null],\"empty\":{}}");

	/* an event larger than the cap is flagged, never cut silently */
	jw_reset(&w);
	w.max = 64;
	jw_obj_open(&w, NULL);
	for (int i = 0; i < 20; i++)
		jw_str(&w, "k", "0123456789");
	jw_obj_close(&w);
	CHECK(w.overflow);
	jw_finish(&w);
}

static void test_parse(void)
{
	uint64_t v;
	bool b;

	CHECK(parse_size("64M", &v) == 0 && v == 64ULL << 20);
	CHECK(parse_size("1g", &v) == 0 && v == 1ULL << 30);
	CHECK(parse_size("512", &v) == 0 && v == 512);
	CHECK(parse_size("12X", &v) != 0);
	CHECK(parse_size("", &v) != 0);
	CHECK(parse_size("-1", &v) != 0);
	CHECK(parse_size("99999999999999999999", &v) == -ERANGE);
	CHECK(parse_duration("5m", &v) == 0 && v == 300);
	CHECK(parse_duration("2h", &v) == 0 && v == 7200);
	CHECK(parse_duration("30", &v) == 0 && v == 30);
	CHECK(parse_bool("yes", &b) == 0 && b);
	CHECK(parse_bool("off", &b) == 0 && !b);
	CHECK(parse_bool("maybe", &b) != 0);
	CHECK(parse_u64("10", 1, 5, &v) == -ERANGE);
}

static void test_cidr(void)
{
	struct cidr c;
	struct hd_addr a;
	char buf[HD_ADDRSTRLEN];

	CHECK(cidr_parse("10.0.0.0/8", &c) == 0);
	CHECK(addr_parse("10.77.0.2", &a) == 0 && cidr_contains(&c, &a));
	CHECK(addr_parse("11.0.0.1", &a) == 0 && !cidr_contains(&c, &a));
	CHECK(cidr_parse("172.16.5.4/12", &c) == 0);
	CHECK(addr_parse("172.31.255.255", &a) == 0 && cidr_contains(&c, &a));
	CHECK(addr_parse("172.32.0.0", &a) == 0 && !cidr_contains(&c, &a));
	CHECK(cidr_parse("fc00::/7", &c) == 0);
	CHECK(addr_parse("fd77::1", &a) == 0 && cidr_contains(&c, &a));
	CHECK(addr_parse("fe80::1", &a) == 0 && !cidr_contains(&c, &a));
	CHECK(cidr_parse("10.0.0.0/33", &c) != 0);
	CHECK(cidr_parse("nonsense", &c) != 0);
	CHECK(addr_parse("2001:db8::1", &a) == 0);
	CHECK_STR(addr_format_full(&a, buf, sizeof(buf)),
		  "2001:0db8:0000:0000:0000:0000:0000:0001");
	CHECK_STR(addr_format(&a, buf, sizeof(buf)), "2001:db8::1");
}

struct opts {
	char *name;
	uint64_t n, size;
	bool flag;
	struct conf_list list;
};

static const struct conf_opt table[] = {
	{ "name", 'n', CONF_STR, offsetof(struct opts, name), "dflt", 0, 0, "S", "a name", "tên", false },
	{ "count", 0, CONF_U64, offsetof(struct opts, n), "3", 1, 10, "N", "a count", "số", false },
	{ "size", 0, CONF_SIZE, offsetof(struct opts, size), "1M", 0, 0, "SIZE", "a size", "cỡ", false },
	{ "flag", 0, CONF_BOOL, offsetof(struct opts, flag), "no", 0, 0, NULL, "a flag", "cờ", false },
	{ "list", 'l', CONF_LIST, offsetof(struct opts, list), "a,b", 0, 0, "X", "a list", "danh sách", false },
	{ "help", 'h', CONF_ACTION, 0, NULL, 0, 0, NULL, "help", "trợ giúp", true },
};

static const char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/haidang-conf-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

static void test_conf(void)
{
	struct opts o;
	char err[CONF_ERRLEN], msg[CONF_ERRLEN + 64];
	const char *path, *action;
	int next;
	char *argv[] = { "prog", "--count=7", "-l", "x", "--list", "y", "--no-flag", "rest", NULL };

	memset(&o, 0, sizeof(o));
	CHECK(conf_set_defaults(table, ARRAY_SIZE(table), &o, err, sizeof(err)) == 0);
	CHECK_STR(o.name, "dflt");
	CHECK(o.n == 3 && o.size == 1 << 20 && !o.flag && o.list.n == 2);

	path = write_tmp("# comment\nname = Sở TT&TT\n\ncount = 5\nflag = yes\nlist = p, q ,r\n");
	CHECK(conf_load_file(table, ARRAY_SIZE(table), &o, path, err, sizeof(err)) == 0);
	CHECK_STR(o.name, "Sở TT&TT");
	CHECK(o.n == 5 && o.flag && o.list.n == 3);
	CHECK(o.list.n == 3 && !strcmp(o.list.v[1], "q"));
	unlink(path);

	CHECK(conf_parse_args(table, ARRAY_SIZE(table), &o, 8, argv, &next, &action,
			      err, sizeof(err)) == 0);
	CHECK(o.n == 7 && !o.flag && next == 7 && action == NULL);
	CHECK(o.list.n == 2 && !strcmp(o.list.v[0], "x") && !strcmp(o.list.v[1], "y"));

	/* errors name the file and line */
	path = write_tmp("name = ok\ncount = 99\n");
	CHECK(conf_load_file(table, ARRAY_SIZE(table), &o, path, err, sizeof(err)) != 0);
	snprintf(msg, sizeof(msg), "%s:2: count:", path);
	CHECK_CONTAINS(err, msg);
	unlink(path);
	path = write_tmp("bogus = 1\n");
	CHECK(conf_load_file(table, ARRAY_SIZE(table), &o, path, err, sizeof(err)) != 0);
	snprintf(msg, sizeof(msg), "%s:1: unknown option 'bogus'", path);
	CHECK_CONTAINS(err, msg);
	unlink(path);
	path = write_tmp("\n\nno equals sign\n");
	CHECK(conf_load_file(table, ARRAY_SIZE(table), &o, path, err, sizeof(err)) != 0);
	snprintf(msg, sizeof(msg), "%s:3: expected 'key = value'", path);
	CHECK_CONTAINS(err, msg);
	unlink(path);
	CHECK(conf_load_file(table, ARRAY_SIZE(table), &o, "/nonexistent/x.conf", err, sizeof(err)) != 0);
	CHECK_CONTAINS(err, "/nonexistent/x.conf");

	{
		char *bad[] = { "prog", "--size", "12Q", NULL };
		CHECK(conf_parse_args(table, ARRAY_SIZE(table), &o, 3, bad, &next, &action,
				      err, sizeof(err)) != 0);
		CHECK_CONTAINS(err, "size");
	}
	{
		char *unk[] = { "prog", "--nope", NULL };
		CHECK(conf_parse_args(table, ARRAY_SIZE(table), &o, 2, unk, &next, &action,
				      err, sizeof(err)) != 0);
		CHECK_CONTAINS(err, "--nope");
	}
	{
		char *h[] = { "prog", "-h", NULL };
		CHECK(conf_parse_args(table, ARRAY_SIZE(table), &o, 2, h, &next, &action,
				      err, sizeof(err)) == 0);
		CHECK(action && !strcmp(action, "help"));
	}
	conf_free(table, ARRAY_SIZE(table), &o);
	CHECK(o.name == NULL && o.list.n == 0);
}

/* Columns of Vietnamese (precomposed and with combining marks), wide
 * characters and broken UTF-8. */
static void test_utf8_fit(void)
{
	char b[64];

	setlocale(LC_CTYPE, "C.UTF-8");
	utf8_fit(b, sizeof(b), "Sở Thông tin", 6);
	CHECK_STR(b, "Sở Thô");
	utf8_fit(b, sizeof(b), "Sở", 5);
	CHECK_STR(b, "Sở   ");
	/* "Hòa" with the grave accent as a combining mark: 3 columns */
	utf8_fit(b, sizeof(b), "Ho\xcc\x80" "a", 4);
	CHECK_STR(b, "Ho\xcc\x80" "a ");
	/* two wide characters take four columns; a third does not fit in five */
	utf8_fit(b, sizeof(b), "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2", 5);
	CHECK_STR(b, "\xe6\xbc\xa2\xe5\xad\x97" " ");
	utf8_fit(b, sizeof(b), "a\xff" "b\tc", 5);
	CHECK_STR(b, "a?b c");
	/* the buffer bounds it too, never mid-character */
	utf8_fit(b, 4, "ở ở", 10);
	CHECK_STR(b, "ở");
}

int main(void)
{
	test_utf8_fit();
	test_jsonw();
	test_parse();
	test_cidr();
	test_conf();
	return CHECK_DONE();
}
