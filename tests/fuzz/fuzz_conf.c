/*
 * fuzz_conf.c - libFuzzer target: the settings parsers. conf.c's config
 * file reader and command-line parser over the sensor's own table
 * (options.c), what the sensor then parses out of the values (home-net
 * CIDRs, the Redis URL: redis.c), the scoring policy file (policy.c), and
 * conf_dump() of the result.
 *
 * Input: a selector byte (0 a sensor config file, 1 a policy file, 2 a
 * command line whose arguments are the input's NUL- or newline-separated
 * pieces, 3 one Redis URL; the rest modulo 4), then the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"
#include "options.h"
#include "policy.h"
#include "redis.h"
#include "util.h"

#include "banned.h"

#define MAX_ARGS 64

static FILE *null_out(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

static void use_values(const struct sensor_options *o)
{
	struct hd_redis_url url;
	char err[CONF_ERRLEN], buf[1024];
	struct cidr c;

	for (size_t i = 0; i < o->home_net.n; i++)
		cidr_parse(o->home_net.v[i], &c);
	if (o->redis.url && !hd_redis_url_parse(o->redis.url, &url, err, sizeof(err)))
		hd_redis_url_format(&url, buf, sizeof(buf));
}

static void sensor_file(const char *path)
{
	struct sensor_options o;
	char err[CONF_ERRLEN];

	memset(&o, 0, sizeof(o));
	if (!conf_set_defaults(sensor_opts, sensor_nopts, &o, err, sizeof(err)) &&
	    !conf_load_file(sensor_opts, sensor_nopts, &o, path, err, sizeof(err))) {
		use_values(&o);
		if (null_out())
			conf_dump(sensor_opts, sensor_nopts, &o, null_out());
	}
	conf_free(sensor_opts, sensor_nopts, &o);
}

static void sensor_args(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_ARGS + 2], err[CONF_ERRLEN];
	struct sensor_options o;
	const char *action = NULL;
	int argc = 1, next = 0;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = "haidang-sensor";
	/* pieces end at NUL or newline; empty ones are arguments too */
	for (char *s = text; argc < MAX_ARGS + 1;) {
		char *e = s + strcspn(s, "\n");

		argv[argc++] = s;
		if (!*e) {
			/* a NUL inside the input ends this piece; go on after it */
			size_t off = (size_t)(e - text);

			if (off >= size)
				break;
			s = e + 1;
			continue;
		}
		*e = '\0';
		s = e + 1;
	}
	argv[argc] = NULL;
	memset(&o, 0, sizeof(o));
	if (!conf_set_defaults(sensor_opts, sensor_nopts, &o, err, sizeof(err)) &&
	    !conf_parse_args(sensor_opts, sensor_nopts, &o, argc, argv, &next, &action,
			     err, sizeof(err))) {
		if (next < 0 || next > argc)
			abort(); /* the contract: an index into argv */
		use_values(&o);
	}
	conf_free(sensor_opts, sensor_nopts, &o);
	free(text);
}

static void redis_url(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256], buf[2048];
	struct hd_redis_url url;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!hd_redis_url_parse(text, &url, err, sizeof(err)))
		hd_redis_url_format(&url, buf, sizeof(buf));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t mode = fuzz_u8(&in, 0) & 3;
	const char *dir = fuzz_scratch();
	char path[300], err[CONF_ERRLEN];
	struct policy p;

	if (mode == 2) {
		sensor_args(in.p, in.n);
		return 0;
	}
	if (mode == 3) {
		redis_url(in.p, in.n);
		return 0;
	}
	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s/input.conf", dir);
	if (fuzz_write_file(path, in.p, in.n))
		return 0;
	if (mode == 0)
		sensor_file(path);
	else
		policy_load(&p, path, err, sizeof(err));
	return 0;
}
