/*
 * redis.h - the one Redis connection every haidang program uses: URL
 * syntax, connecting (TCP, unix socket, TLS, or a master found through
 * Sentinel), authentication, blocking commands, pipelining and Lua scripts.
 *
 * URLs (hd_redis_url_parse):
 *   redis://[user[:password]@]host[:port][/db]     TCP, port 6379
 *   rediss://[user[:password]@]host[:port][/db]    the same over TLS
 *   unix:///path/to/redis.sock[?db=N]              unix socket
 *   sentinel://[user[:password]@]host[:port][,host[:port]...]/master[?db=N][&tls=yes]
 *       the master named "master", asked of each sentinel in turn
 *       (port 26379 by default, at most HD_REDIS_MAX_SENTINELS); the user
 *       and password are the master's, tls=yes makes the master link TLS.
 * IPv6 hosts are written in brackets ("redis://[::1]:6380"). The user,
 * password and socket path are percent-decoded ("p%40ss" is "p@ss"); the
 * last '@' ends the user info, so raw '/', '?' and '@' in a password work
 * too. Scheme names are case-insensitive.
 *
 * Replies are hiredis redisReply objects (type REDIS_REPLY_*, str/len,
 * integer, element[]): the caller owns each one and frees it with
 * freeReplyObject() or hd_redis_reply_free(). This header is the only
 * place hiredis.h is included; programs get it from here. A Redis error reply
 * ("-ERR ...") is a reply like any other (type REDIS_REPLY_ERROR); only
 * I/O, protocol, size and timeout errors give NULL / -1.
 *
 * Errors: functions that can fail take an err buffer (any size, always
 * terminated, may be NULL when errlen is 0) or record the message on the
 * connection (hd_redis_error()). Messages start with "redis: " and name
 * the peer, e.g. "redis: TLS: certificate verify failed: unable to get
 * local issuer certificate (127.0.0.1:6390)". Nothing here prints, exits
 * or aborts.
 *
 * Threads: a struct hd_redis is one connection and is not thread-safe;
 * use one per thread. URL parsing and the option structs are plain data.
 *
 * Signals: writes never raise SIGPIPE (send() with MSG_NOSIGNAL, also
 * under TLS), so programs need not ignore it for this module's sake.
 */
#ifndef HAIDANG_REDIS_H
#define HAIDANG_REDIS_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

enum hd_redis_kind { HD_REDIS_TCP, HD_REDIS_UNIX, HD_REDIS_TLS, HD_REDIS_SENTINEL };

#define HD_REDIS_MAX_SENTINELS 8
#define HD_REDIS_DEFAULT_PORT 6379
#define HD_REDIS_DEFAULT_SENTINEL_PORT 26379
#define HD_REDIS_DEFAULT_TIMEOUT_MS 2000
#define HD_REDIS_DEFAULT_MAX_REPLY (64u << 20)

struct hd_redis_hostport {
	char host[256]; /* name or address, IPv6 without brackets */
	int port;
};

/* A parsed URL; plain data, fixed-size fields, no allocation. */
struct hd_redis_url {
	enum hd_redis_kind kind;
	char host[256];        /* TCP/TLS; IPv6 without brackets */
	int port;              /* TCP/TLS */
	char path[108];        /* UNIX: the socket path */
	int db;                /* SELECT after connecting when != 0 */
	char user[128];        /* "" = none (the default user) */
	char password[256];    /* "" = none */
	bool tls;              /* TLS: always; SENTINEL: tls=yes to the master */
	int n_sentinels;       /* SENTINEL: 1..HD_REDIS_MAX_SENTINELS */
	struct hd_redis_hostport sentinels[HD_REDIS_MAX_SENTINELS];
	char master[128];      /* SENTINEL: the master's name */
};

/* Parses url into *out (zeroed first). Returns 0, or -EINVAL with a message
 * naming what is wrong ("redis URL: bad port '99999' ..."). */
int hd_redis_url_parse(const char *url, struct hd_redis_url *out, char *err, size_t errlen);

/* Formats the URL without its password, for logs ("redis://u@host:6379/2"). */
void hd_redis_url_format(const struct hd_redis_url *url, char *buf, size_t size);

/* Connection options. Every field is optional (a zeroed struct, or a NULL
 * pointer to it, means the defaults). Strings are copied by hd_redis_connect;
 * the caller keeps ownership of its own.
 *
 * Password, first found wins: password_file, password_env, password, the
 * URL's. The file holds the password on its first line (a trailing newline
 * is dropped) and must not be readable by group or others (mode 0600 or
 * 0400): anything else is refused. User: user, else the URL's. */
struct hd_redis_opts {
	const char *user;
	const char *password;
	const char *password_file;
	const char *password_env;     /* the NAME of an environment variable */
	const char *tls_ca_file;      /* NULL: the system's default store */
	const char *tls_cert_file;    /* client certificate (chain), PEM */
	const char *tls_key_file;     /* its key, PEM; default: tls_cert_file */
	const char *tls_sni;          /* name sent as SNI and verified; default: host */
	int timeout_ms;               /* connect and each command; 0: 2000; <0: none */
	size_t max_reply;             /* bytes one reply may use; 0: 64 MiB */
	const char *sentinel_user;    /* for sentinels that require AUTH */
	const char *sentinel_password;
	bool sentinel_tls;            /* talk TLS to the sentinels (same CA/cert) */
};

struct hd_redis;

/* Connects as described by url and opts: TCP or unix socket, the TLS
 * handshake (certificate checked against the CA file or the system store,
 * and the host name or IP address against the certificate; SNI sent for
 * names), AUTH, then SELECT when db != 0. For SENTINEL, each sentinel in
 * turn is asked for the master's address, and the address is accepted only
 * if ROLE says "master" there.
 * Returns a connection to close with hd_redis_close(), or NULL with the
 * reason in err. url and opts are copied; they need not outlive the call. */
struct hd_redis *hd_redis_connect(const struct hd_redis_url *url,
				  const struct hd_redis_opts *opts,
				  char *err, size_t errlen);

/* Drops the current link (and any pipelined replies not read yet) and
 * connects again with the same URL and options; for SENTINEL the master is
 * looked up again, so this follows a failover. Returns 0 or -1 with the
 * message in err (and in hd_redis_error()); r stays usable for another try. */
int hd_redis_reconnect(struct hd_redis *r, char *err, size_t errlen);

/* Sends one command and waits for its reply. argvlen may be NULL when every
 * argument is a C string. Returns the reply (caller frees), or NULL on an
 * I/O, protocol, size or timeout error: the connection is then broken
 * (hd_redis_broken) until hd_redis_reconnect, and hd_redis_error() says why.
 * Must not be called while pipelined replies are unread (returns NULL). */
struct redisReply *hd_redis_command(struct hd_redis *r, int argc, const char **argv,
				    const size_t *argvlen);

/* Pipelining: hd_redis_append buffers one command (nothing is sent; at most
 * 64 MiB may wait), hd_redis_flush writes every buffered command, and
 * hd_redis_read returns the next reply in order (flushing first if needed).
 * Each returns 0, or -1 with hd_redis_error() set; an I/O error breaks the
 * connection. *reply is owned by the caller. */
int hd_redis_append(struct hd_redis *r, int argc, const char **argv, const size_t *argvlen);
int hd_redis_flush(struct hd_redis *r);
int hd_redis_read(struct hd_redis *r, struct redisReply **reply);
/* Replies appended but not read yet. */
unsigned hd_redis_pending(const struct hd_redis *r);

/* Changes the command timeout (ms; 0: 2000; <0: wait forever), e.g. around a
 * blocking BRPOP. Connect timeouts keep the value given at connect. */
void hd_redis_set_timeout(struct hd_redis *r, int timeout_ms);

/* The last error message ("" if none); valid until the next call on r. */
const char *hd_redis_error(const struct hd_redis *r);
/* True once an I/O or protocol error has made the link unusable. */
bool hd_redis_broken(const struct hd_redis *r);
/* "host:port", "[::1]:port" or the socket path of the server in use. */
const char *hd_redis_peer(const struct hd_redis *r);
/* Closes and frees; NULL is fine. */
void hd_redis_close(struct hd_redis *r);

/* freeReplyObject() for callers that do not include hiredis.h; NULL is fine. */
void hd_redis_reply_free(struct redisReply *reply);

/* Lua scripts run by SHA-1 (EVALSHA), sent in full (EVAL) only when the
 * server answers NOSCRIPT, e.g. after a restart or failover.
 * hd_redis_script_init keeps a pointer to src (which must outlive the
 * script) and computes its SHA-1; it returns 0 or -EINVAL (src NULL or
 * empty) / -ENOMEM. hd_redis_script_call takes numkeys keys followed by the
 * other arguments in argv, and returns like hd_redis_command. */
struct hd_redis_script {
	const char *src;
	size_t len;
	char sha1[41];
};
int hd_redis_script_init(struct hd_redis_script *s, const char *src);
struct redisReply *hd_redis_script_call(struct hd_redis *r, const struct hd_redis_script *s,
					int numkeys, int argc, const char **argv,
					const size_t *argvlen);

/* ---- settings, as programs take them (config file and command line) ---- */

/* The connection settings every haidang program that talks to the queue
 * takes: embed one in the program's options struct and list
 * HD_REDIS_CONF_OPTS(struct, member, default URL) in its conf table
 * (conf.h); hd_redis_settings_opts() turns them into hd_redis_opts. */
struct hd_redis_settings {
	char *url;
	char *user, *password_file, *ca, *cert, *key, *sni;
	uint64_t timeout_ms;
};

#define HD_REDIS_CONF_OPTS(type, m, def_url) \
	{ "redis", 0, CONF_STR, offsetof(type, m.url), def_url, 0, 0, "URL", \
	  "the incident queue: redis://, rediss://, unix://, sentinel:// (docs/queue.md)", \
	  "hàng đợi sự cố: redis://, rediss://, unix://, sentinel:// (docs/queue.md)", false }, \
	{ "redis-user", 0, CONF_STR, offsetof(type, m.user), "", 0, 0, "USER", \
	  "Redis ACL user (overrides the URL's)", "người dùng ACL của Redis (thay cho URL)", false }, \
	{ "redis-password-file", 0, CONF_STR, offsetof(type, m.password_file), "", 0, 0, "FILE", \
	  "Redis password from FILE (mode 0600; else $HAIDANG_REDIS_PASSWORD, else the URL)", \
	  "mật khẩu Redis đọc từ FILE (quyền 0600; nếu không có: $HAIDANG_REDIS_PASSWORD, rồi URL)", false }, \
	{ "redis-ca", 0, CONF_STR, offsetof(type, m.ca), "", 0, 0, "FILE", \
	  "CA certificates that sign the Redis server's (rediss://)", \
	  "chứng thư CA ký chứng thư máy chủ Redis (rediss://)", false }, \
	{ "redis-cert", 0, CONF_STR, offsetof(type, m.cert), "", 0, 0, "FILE", \
	  "client certificate for rediss://", "chứng thư máy khách cho rediss://", false }, \
	{ "redis-key", 0, CONF_STR, offsetof(type, m.key), "", 0, 0, "FILE", \
	  "its private key", "khóa riêng của chứng thư đó", false }, \
	{ "redis-sni", 0, CONF_STR, offsetof(type, m.sni), "", 0, 0, "NAME", \
	  "server name to send and verify (default: the URL's host)", \
	  "tên máy chủ để gửi và kiểm tra (mặc định: host trong URL)", false }, \
	{ "redis-timeout", 0, CONF_U64, offsetof(type, m.timeout_ms), "2000", 50, 600000, "MS", \
	  "connect and command timeout; slower counts as down", \
	  "thời gian chờ kết nối và lệnh; chậm hơn coi như mất kết nối", false }

/* Fills o from s (empty strings mean unset); the password may also come
 * from $HAIDANG_REDIS_PASSWORD. o points into s. */
void hd_redis_settings_opts(const struct hd_redis_settings *s, struct hd_redis_opts *o);

/* The SHA-1 of n bytes at data in lower-case hex, as Lua's redis.sha1hex()
 * gives it (the triage history chain is checked with it). Returns 0 or -1. */
int hd_redis_sha1hex(const void *data, size_t n, char out[41]);

#endif
