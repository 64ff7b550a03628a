/*
 * admin.c - "admin": the queue's Redis users, one per sensor and one per
 * analyst, with the least rights each needs (docs/queue.md, "Access
 * rights"). Run with an administrator's connection.
 *
 *   admin add-sensor NAME --agency AGENCY   a sensor's user, for one agency
 *   admin add-analyst NAME                  an analyst's user
 *   admin remove-user NAME
 *   admin users                             the users and their rules
 *
 * New users get a random password (192 bits); the command prints the
 * configuration to install, and persists the users with ACL SAVE when the
 * server keeps an ACL file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <hiredis/hiredis.h>

#include "redis.h"
#include "triage.h"
#include "util.h"
#include "banned.h"

#define MAX_RULES 48

/* The commands a sensor uses: the ingest script (docs/queue.md) and what
 * it calls, the heartbeat, and what connecting needs. */
static const char *const sensor_cmds[] = {
	"+evalsha", "+eval", "+script|load", "+script|exists", "+ping", "+select", "+role",
	"+hset", "+hsetnx", "+hget", "+hmget", "+hincrby", "+zadd", "+sadd", "+rpush",
	"+xadd", "+expire",
};

/* What an analyst may do: read, change tickets, scripts and transactions;
 * nothing that deletes keys, reconfigures or reads the whole keyspace. */
static const char *const analyst_cmds[] = {
	"+@read", "+@hash", "+@list", "+@set", "+@sortedset", "+@stream", "+@string",
	"+@scripting", "+@transaction", "+@connection",
	"-@dangerous", "-@admin", "-script|flush", "-script|kill", "-function",
	"-del", "-unlink", "-hdel", "-expire", "-pexpire", "-expireat", "-pexpireat",
	"-persist", "-rename", "-renamenx", "-move", "-copy", "-getdel", "-getex",
	"-xtrim", "-xdel", "-ltrim", "-lrem", "-lpop", "-rpop", "-lset",
};

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	return n && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

static int new_password(char out[49])
{
	unsigned char b[24];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -1;
	hd_hex(out, b, sizeof(b));
	return 0;
}

static int acl(struct triage *t, int argc, const char **argv)
{
	redisReply *r = hd_redis_command(t->conn, argc, argv, NULL);
	int rc = 0;

	if (!r) {
		triage_err(t, "queue: %s", "hàng đợi: %s", hd_redis_error(t->conn));
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		triage_err(t, "%s refused: %s", "%s bị từ chối: %s", argv[1], r->str);
		rc = -1;
	}
	hd_redis_reply_free(r);
	return rc;
}

/* ACL SAVE when the server has an ACL file; otherwise say how to keep the
 * users across a restart. */
static void persist(struct triage *t)
{
	const char *argv[2] = { "ACL", "SAVE" };
	redisReply *r = hd_redis_command(t->conn, 2, argv, NULL);

	if (r && r->type != REDIS_REPLY_ERROR)
		printf(t->vi ? "# đã lưu vào tệp ACL của Redis (ACL SAVE)\n"
			     : "# saved to Redis's ACL file (ACL SAVE)\n");
	else
		printf(t->vi ? "# Redis không dùng tệp ACL: người dùng này mất khi Redis khởi động lại;\n"
			       "# hãy đặt aclfile trong redis.conf, hoặc chép dòng 'user' từ 'admin users' vào redis.conf\n"
			     : "# Redis keeps no ACL file: this user is gone when Redis restarts;\n"
			       "# set aclfile in redis.conf, or copy its 'user' line from 'admin users' into redis.conf\n");
	hd_redis_reply_free(r);
}

static void print_setup(struct triage *t, const char *name, const char *pass, const char *role)
{
	struct hd_redis_url u;
	char err[256], url[600];

	url[0] = '\0';
	if (!hd_redis_url_parse(t->o.redis.url, &u, err, sizeof(err))) {
		str_copy(u.user, name, sizeof(u.user));
		u.password[0] = '\0';
		hd_redis_url_format(&u, url, sizeof(url));
	}
	printf(t->vi ? "# %s '%s' đã được tạo. Cài đặt trên máy của %s:\n"
		     : "# %s '%s' created. Install on the %s's machine:\n",
	       role, name, role);
	printf(t->vi ? "#  1. mật khẩu vào tệp chỉ người chạy chương trình đọc được (chmod 600):\n"
		     : "#  1. the password into a file only the program's user can read (chmod 600):\n");
	printf("%s\n", pass);
	printf(t->vi ? "#  2. trong tệp cấu hình (/etc/haidang/%s.conf):\n"
		     : "#  2. in the config file (/etc/haidang/%s.conf):\n",
	       !strcmp(role, "sensor") ? "sensor" : "triage");
	printf("redis = %s\nredis-user = %s\nredis-password-file = /etc/haidang/redis-%s.pass\n",
	       url, name, name);
}

static int add_user(struct triage *t, const char *name, const char *agency)
{
	const char *argv[8 + MAX_RULES];
	char pass[49], pw[52], keys[8][QUEUE_KEY_MAX + 8], slug[QUEUE_SLUG_MAX];
	int argc = 0, k = 0;

	if (!valid_name(name)) {
		triage_err(t, "'%s': a user name is 1-64 letters, digits, '-', '_' or '.'",
			   "'%s': tên người dùng gồm 1-64 chữ cái, chữ số, '-', '_' hoặc '.'", name);
		return 2;
	}
	if (new_password(pass)) {
		triage_err(t, "no randomness for a password", "không tạo được mật khẩu ngẫu nhiên");
		return 1;
	}
	snprintf(pw, sizeof(pw), ">%s", pass);
	argv[argc++] = "ACL";
	argv[argc++] = "SETUSER";
	argv[argc++] = name;
	argv[argc++] = "reset";
	argv[argc++] = "on";
	argv[argc++] = pw;
	argv[argc++] = "resetchannels";
	if (agency) {
		queue_slug(agency, slug);
		for (size_t i = 0; i < ARRAY_SIZE(sensor_cmds); i++)
			argv[argc++] = sensor_cmds[i];
		/* its own agency's detection records, read and write (the
		 * ingest script merges counts); the rest write-only */
		snprintf(keys[k], sizeof(keys[k]), "~hd:{%s}:det:*", slug);
		argv[argc++] = keys[k++];
		snprintf(keys[k], sizeof(keys[k]), "%%W~hd:{%s}:hist:*", slug);
		argv[argc++] = keys[k++];
		snprintf(keys[k], sizeof(keys[k]), "%%W~hd:{%s}:idx:*", slug);
		argv[argc++] = keys[k++];
		snprintf(keys[k], sizeof(keys[k]), "%%W~hd:{%s}:stream", slug);
		argv[argc++] = keys[k++];
		snprintf(keys[k], sizeof(keys[k]), "%%W~hd:sensor:%s", name);
		argv[argc++] = keys[k++];
		argv[argc++] = "%W~hd:sensors";
		argv[argc++] = "%W~hd:agencies";
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(analyst_cmds); i++)
			argv[argc++] = analyst_cmds[i];
		argv[argc++] = "~hd:*";
	}
	if (acl(t, argc, argv))
		return 1;
	print_setup(t, name, pass, agency ? "sensor" : "analyst");
	if (agency)
		printf("agency = %s\n", agency);
	persist(t);
	return 0;
}

static int run_admin(struct triage *t, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (!strcmp(sub, "add-sensor") && argc == 5 && !strcmp(argv[3], "--agency")) {
		if (!triage_conn(t))
			return 2;
		return add_user(t, argv[2], argv[4]);
	}
	if (!strcmp(sub, "add-analyst") && argc == 3) {
		if (!triage_conn(t))
			return 2;
		return add_user(t, argv[2], NULL);
	}
	if (!strcmp(sub, "remove-user") && argc == 3) {
		const char *del[3] = { "ACL", "DELUSER", argv[2] };

		if (!triage_conn(t) || acl(t, 3, del))
			return 1;
		persist(t);
		return 0;
	}
	if (!strcmp(sub, "users") && argc == 2) {
		const char *list[2] = { "ACL", "LIST" };
		redisReply *r;

		if (!triage_conn(t))
			return 2;
		if (!(r = hd_redis_command(t->conn, 2, list, NULL)) || r->type != REDIS_REPLY_ARRAY) {
			triage_err(t, "ACL LIST: %s", "ACL LIST: %s",
				   r && r->type == REDIS_REPLY_ERROR ? r->str : hd_redis_error(t->conn));
			hd_redis_reply_free(r);
			return 1;
		}
		for (size_t i = 0; i < r->elements; i++)
			printf("%s\n", r->element[i]->str);
		hd_redis_reply_free(r);
		return 0;
	}
	fprintf(stderr, "%s: haidang-triage admin %s\n", t->vi ? "Cách dùng" : "Usage", cmd_admin.synopsis);
	return 2;
}

const struct triage_cmd cmd_admin = {
	"admin",
	"add-sensor NAME --agency AGENCY | add-analyst NAME | remove-user NAME | users",
	"Redis users for sensors and analysts, with least rights (needs an admin connection)",
	"người dùng Redis cho cảm biến và cán bộ, với quyền tối thiểu (cần kết nối quản trị)",
	true, run_admin,
};
