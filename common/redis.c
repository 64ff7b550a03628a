/*
 * redis.c - haidang's Redis client: one transport for every kind of URL.
 *
 * The link is our own non-blocking socket (TCP through getaddrinfo, or
 * AF_UNIX), optionally wrapped in an OpenSSL SSL object; every wait is a
 * poll() bounded by the timeout. hiredis supplies only the protocol:
 * redisFormatCommandArgv turns arguments into RESP, and a standalone
 * redisReader turns received bytes into redisReply objects. Plain and TLS
 * links therefore share everything but the two functions that move bytes
 * (link_send, link_recv). hiredis 0.14 has no TLS of its own and no RESP3;
 * we never send HELLO.
 *
 * Sentinel: the sentinels are asked in turn for the master's address
 * (SENTINEL get-master-addr-by-name), the address is connected to and ROLE
 * must answer "master" before the link is handed out. Reconnecting asks
 * again, which is how a failover is followed.
 *
 * Limits: one reply may use at most opts.max_reply bytes, counting both the
 * bytes waiting in the reader and what its objects claim (strings, array
 * slots), so a hostile "*2000000000" or "$99999999999" is an error, not an
 * allocation. Buffered pipeline output is capped at HD_REDIS_MAX_OUT.
 *
 * Never: print, exit, abort, touch signal dispositions, or include
 * hiredis.h anywhere but through redis.h.
 */
#include "redis.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util.h"

#include "banned.h"

#define HD_REDIS_MAX_OUT (64u << 20)
#define READ_CHUNK 16384

/* What one reply has claimed so far, checked by the reader callbacks. */
struct reply_budget {
	size_t used;
	size_t max;
	bool exceeded;
};

struct budget_ctx {
	struct reply_budget *b;
	const redisReplyObjectFunctions *base;
};

struct hd_redis {
	struct hd_redis_url url;
	/* copies of the options' strings */
	char *user, *password;
	char *ca_file, *cert_file, *key_file, *sni;
	char *sentinel_user, *sentinel_password;
	bool sentinel_tls;
	int connect_timeout_ms;
	int timeout_ms;
	size_t max_reply;

	/* the link */
	int fd;
	SSL_CTX *ssl_ctx;
	SSL *ssl;
	BIO_METHOD *bio_meth; /* made once per connection, kept across reconnects */
	redisReader *reader;
	redisReplyObjectFunctions fns; /* hiredis's own, wrapped by budget checks */
	struct budget_ctx bctx;
	struct reply_budget budget;
	char *out;
	size_t out_len, out_cap;
	unsigned pending;
	unsigned long replies;  /* read on this link, for hints in messages */
	bool cert_requested;    /* the TLS server asked for a client certificate */
	bool broken;
	char peer[300];
	char err[1024];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* URL parsing                                                         */
/* ------------------------------------------------------------------ */

/* Percent-decodes s[0..len) into dst (size bytes). Refuses bad escapes,
 * %00 and results that do not fit. */
static int pct_decode(const char *s, size_t len, char *dst, size_t size,
		      const char *what, char *err, size_t errlen)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= len) {
				set_err(err, errlen, "redis URL: bad percent escape in %s", what);
				return -EINVAL;
			}
			if (hd_hexval((unsigned char)s[i + 1]) < 0 ||
			    hd_hexval((unsigned char)s[i + 2]) < 0) {
				set_err(err, errlen, "redis URL: bad percent escape in %s", what);
				return -EINVAL;
			}
			c = hd_hexval((unsigned char)s[i + 1]) * 16 + hd_hexval((unsigned char)s[i + 2]);
			if (c == 0) {
				set_err(err, errlen, "redis URL: %%00 in %s", what);
				return -EINVAL;
			}
			i += 2;
		}
		if (o + 1 >= size) {
			set_err(err, errlen, "redis URL: %s too long (max %zu bytes)", what, size - 1);
			return -EINVAL;
		}
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return 0;
}

/* A decimal number min..max in s[0..len); what names it in the message. */
static int parse_num(const char *s, size_t len, uint64_t min, uint64_t max, const char *what,
		     const char *hint, int *out, char *err, size_t errlen)
{
	char buf[16];
	uint64_t v;

	if (len == 0 || len >= sizeof(buf)) {
		set_err(err, errlen, "redis URL: bad %s '%.*s'%s", what, (int)(len < 32 ? len : 32), s,
			hint);
		return -EINVAL;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!isdigit((unsigned char)buf[0]) || parse_u64(buf, min, max, &v)) {
		set_err(err, errlen, "redis URL: bad %s '%s'%s", what, buf, hint);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

static int parse_port(const char *s, size_t len, int *port, char *err, size_t errlen)
{
	return parse_num(s, len, 1, 65535, "port", " (want 1-65535)", port, err, errlen);
}

static int parse_db(const char *s, size_t len, int *db, char *err, size_t errlen)
{
	return parse_num(s, len, 0, INT_MAX, "database number", "", db, err, errlen);
}

static bool host_char_ok(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* "host", "host:port", "[v6]" or "[v6]:port" in s[0..len). */
static int parse_hostport(const char *s, size_t len, char *host, size_t hostsize,
			  int *port, int defport, char *err, size_t errlen)
{
	const char *h = s, *colon = NULL;
	size_t hlen, i;

	if (len == 0) {
		set_err(err, errlen, "redis URL: missing host");
		return -EINVAL;
	}
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);
		struct in6_addr a6;
		char tmp[INET6_ADDRSTRLEN + 8];

		if (!close) {
			set_err(err, errlen, "redis URL: '[' without ']' in host");
			return -EINVAL;
		}
		h = s + 1;
		hlen = (size_t)(close - h);
		if (hlen == 0 || hlen >= sizeof(tmp)) {
			set_err(err, errlen, "redis URL: bad IPv6 address '%.*s'",
				(int)(hlen < 64 ? hlen : 64), h);
			return -EINVAL;
		}
		memcpy(tmp, h, hlen);
		tmp[hlen] = '\0';
		if (inet_pton(AF_INET6, tmp, &a6) != 1) {
			set_err(err, errlen, "redis URL: bad IPv6 address '%s'", tmp);
			return -EINVAL;
		}
		if ((size_t)(close + 1 - s) < len) {
			if (close[1] != ':') {
				set_err(err, errlen, "redis URL: junk after ']' in host");
				return -EINVAL;
			}
			colon = close + 1;
		}
	} else {
		colon = memchr(s, ':', len);
		if (colon && memchr(colon + 1, ':', (size_t)(s + len - colon - 1))) {
			set_err(err, errlen, "redis URL: an IPv6 address goes in brackets "
				"(redis://[::1]:6379)");
			return -EINVAL;
		}
		hlen = colon ? (size_t)(colon - s) : len;
		if (hlen == 0) {
			set_err(err, errlen, "redis URL: missing host");
			return -EINVAL;
		}
		for (i = 0; i < hlen; i++) {
			if (!host_char_ok((unsigned char)s[i])) {
				set_err(err, errlen, "redis URL: bad character '%c' in host '%.*s'",
					isprint((unsigned char)s[i]) ? s[i] : '?',
					(int)(hlen < 64 ? hlen : 64), s);
				return -EINVAL;
			}
		}
	}
	if (hlen >= hostsize) {
		set_err(err, errlen, "redis URL: host too long (max %zu bytes)", hostsize - 1);
		return -EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = defport;
	if (colon)
		return parse_port(colon + 1, (size_t)(s + len - colon - 1), port, err, errlen);
	return 0;
}

/* "user:password", ":password" or "user" in s[0..len). */
static int parse_userinfo(const char *s, size_t len, struct hd_redis_url *out,
			  char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', len);
	size_t ulen = colon ? (size_t)(colon - s) : len;

	if (pct_decode(s, ulen, out->user, sizeof(out->user), "user", err, errlen))
		return -EINVAL;
	if (colon && pct_decode(colon + 1, (size_t)(s + len - colon - 1), out->password,
				sizeof(out->password), "password", err, errlen))
		return -EINVAL;
	if (colon && !out->password[0]) {
		set_err(err, errlen, "redis URL: empty password after ':'");
		return -EINVAL;
	}
	return 0;
}

/* "?db=N&tls=yes" style query; which keys are allowed depends on the kind. */
static int parse_query(const char *q, struct hd_redis_url *out, bool allow_tls,
		       char *err, size_t errlen)
{
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', len);

		if (!eq) {
			set_err(err, errlen, "redis URL: bad query parameter '%.*s' (want key=value)",
				(int)(len < 64 ? len : 64), q);
			return -EINVAL;
		}
		if ((size_t)(eq - q) == 2 && !memcmp(q, "db", 2)) {
			if (parse_db(eq + 1, (size_t)(q + len - eq - 1), &out->db, err, errlen))
				return -EINVAL;
		} else if (allow_tls && (size_t)(eq - q) == 3 && !memcmp(q, "tls", 3)) {
			char v[8];
			size_t vlen = (size_t)(q + len - eq - 1);
			bool b;

			if (vlen >= sizeof(v)) {
				set_err(err, errlen, "redis URL: bad tls value (want yes or no)");
				return -EINVAL;
			}
			memcpy(v, eq + 1, vlen);
			v[vlen] = '\0';
			if (parse_bool(v, &b)) {
				set_err(err, errlen, "redis URL: bad tls value '%s' (want yes or no)", v);
				return -EINVAL;
			}
			out->tls = b;
		} else {
			set_err(err, errlen, "redis URL: unknown query parameter '%.*s'",
				(int)((size_t)(eq - q) < 64 ? (size_t)(eq - q) : 64), q);
			return -EINVAL;
		}
		if (!amp)
			break;
		q = amp + 1;
	}
	return 0;
}

static int parse_unix(const char *rest, struct hd_redis_url *out, char *err, size_t errlen)
{
	const char *q = strchr(rest, '?');
	size_t plen = q ? (size_t)(q - rest) : strlen(rest);

	if (plen == 0 || rest[0] != '/') {
		set_err(err, errlen, "redis URL: unix socket path must be absolute "
			"(unix:///path/redis.sock)");
		return -EINVAL;
	}
	if (pct_decode(rest, plen, out->path, sizeof(out->path), "socket path", err, errlen))
		return -EINVAL;
	if (q && parse_query(q + 1, out, false, err, errlen))
		return -EINVAL;
	return 0;
}

/* authority = [userinfo@]hostlist ; then [/db] or /master[?query] */
static int parse_network(const char *rest, struct hd_redis_url *out, char *err, size_t errlen)
{
	const char *at = strrchr(rest, '@');
	const char *hosts = at ? at + 1 : rest;
	const char *slash = strchr(hosts, '/');
	const char *qmark = strchr(hosts, '?');
	const char *auth_end, *p;

	/* the last '@' ends the user info (neither a host, a database number
	 * nor a master name has one), so a password may hold raw '/', '?' or
	 * '@'; percent-encoding them is the tidy way */
	if (at && parse_userinfo(rest, (size_t)(at - rest), out, err, errlen))
		return -EINVAL;
	auth_end = slash ? slash : hosts + strlen(hosts);
	if (qmark && qmark < auth_end)
		auth_end = qmark;

	if (out->kind == HD_REDIS_SENTINEL) {
		const char *h = hosts;

		if (h == auth_end) {
			set_err(err, errlen, "redis URL: sentinel URL without sentinels "
				"(sentinel://host:port[,host:port...]/master)");
			return -EINVAL;
		}
		while (h < auth_end) {
			const char *comma = memchr(h, ',', (size_t)(auth_end - h));
			const char *e = comma ? comma : auth_end;
			struct hd_redis_hostport *hp;

			if (out->n_sentinels == HD_REDIS_MAX_SENTINELS) {
				set_err(err, errlen, "redis URL: more than %d sentinels",
					HD_REDIS_MAX_SENTINELS);
				return -EINVAL;
			}
			if (e == h) {
				set_err(err, errlen, "redis URL: empty entry in the sentinel list");
				return -EINVAL;
			}
			hp = &out->sentinels[out->n_sentinels++];
			if (parse_hostport(h, (size_t)(e - h), hp->host, sizeof(hp->host), &hp->port,
					   HD_REDIS_DEFAULT_SENTINEL_PORT, err, errlen))
				return -EINVAL;
			h = comma ? comma + 1 : auth_end;
			if (comma && h == auth_end) {
				set_err(err, errlen, "redis URL: empty entry in the sentinel list");
				return -EINVAL;
			}
		}
		if (*auth_end != '/') {
			set_err(err, errlen, "redis URL: sentinel URL without a master name "
				"(sentinel://host:port/master)");
			return -EINVAL;
		}
		p = auth_end + 1;
		{
			const char *q = strchr(p, '?');
			size_t mlen = q ? (size_t)(q - p) : strlen(p);
			size_t i;

			if (mlen == 0) {
				set_err(err, errlen, "redis URL: empty master name");
				return -EINVAL;
			}
			if (mlen >= sizeof(out->master)) {
				set_err(err, errlen, "redis URL: master name too long (max %zu bytes)",
					sizeof(out->master) - 1);
				return -EINVAL;
			}
			for (i = 0; i < mlen; i++) {
				if (!isgraph((unsigned char)p[i]) || p[i] == '/') {
					set_err(err, errlen, "redis URL: bad character in master name");
					return -EINVAL;
				}
			}
			memcpy(out->master, p, mlen);
			out->master[mlen] = '\0';
			if (q && parse_query(q + 1, out, true, err, errlen))
				return -EINVAL;
		}
		return 0;
	}

	if (parse_hostport(hosts, (size_t)(auth_end - hosts), out->host, sizeof(out->host),
			   &out->port, HD_REDIS_DEFAULT_PORT, err, errlen))
		return -EINVAL;
	if (*auth_end == '?') {
		return parse_query(auth_end + 1, out, false, err, errlen);
	}
	if (*auth_end == '/') {
		const char *d = auth_end + 1;
		const char *q = strchr(d, '?');
		size_t dlen = q ? (size_t)(q - d) : strlen(d);

		if (dlen && parse_db(d, dlen, &out->db, err, errlen))
			return -EINVAL;
		if (q && parse_query(q + 1, out, false, err, errlen))
			return -EINVAL;
	}
	return 0;
}

int hd_redis_url_parse(const char *url, struct hd_redis_url *out, char *err, size_t errlen)
{
	static const struct {
		const char *scheme;
		enum hd_redis_kind kind;
	} schemes[] = {
		{ "redis://", HD_REDIS_TCP },
		{ "rediss://", HD_REDIS_TLS },
		{ "unix://", HD_REDIS_UNIX },
		{ "sentinel://", HD_REDIS_SENTINEL },
	};
	const char *p;
	size_t i;

	memset(out, 0, sizeof(*out));
	set_err(err, errlen, "%s", "");
	if (!url || !*url) {
		set_err(err, errlen, "redis URL: empty");
		return -EINVAL;
	}
	if (strlen(url) > 4096) {
		set_err(err, errlen, "redis URL: longer than 4096 bytes");
		return -EINVAL;
	}
	for (p = url; *p; p++) {
		if (!isgraph((unsigned char)*p)) {
			set_err(err, errlen, "redis URL: space or control character at offset %zu",
				(size_t)(p - url));
			return -EINVAL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(schemes); i++) {
		size_t n = strlen(schemes[i].scheme);

		if (!strncasecmp(url, schemes[i].scheme, n)) {
			out->kind = schemes[i].kind;
			out->tls = out->kind == HD_REDIS_TLS;
			if (out->kind == HD_REDIS_UNIX)
				return parse_unix(url + n, out, err, errlen);
			return parse_network(url + n, out, err, errlen);
		}
	}
	p = strstr(url, "://");
	if (p)
		set_err(err, errlen, "redis URL: unknown scheme '%.*s' (want redis, rediss, "
			"unix or sentinel)", (int)((p - url) < 32 ? (p - url) : 32), url);
	else
		set_err(err, errlen, "redis URL: '%.64s' has no scheme (e.g. redis://host:6379)",
			url);
	return -EINVAL;
}

static void format_hostport(const char *host, int port, char *buf, size_t size)
{
	if (strchr(host, ':'))
		snprintf(buf, size, "[%s]:%d", host, port);
	else
		snprintf(buf, size, "%s:%d", host, port);
}

void hd_redis_url_format(const struct hd_redis_url *url, char *buf, size_t size)
{
	char hp[300], user[140] = "";
	size_t off;
	int i;

	if (url->user[0])
		snprintf(user, sizeof(user), "%s@", url->user);
	switch (url->kind) {
	case HD_REDIS_UNIX:
		if (url->db)
			snprintf(buf, size, "unix://%s?db=%d", url->path, url->db);
		else
			snprintf(buf, size, "unix://%s", url->path);
		return;
	case HD_REDIS_TCP:
	case HD_REDIS_TLS:
		format_hostport(url->host, url->port, hp, sizeof(hp));
		snprintf(buf, size, "%s://%s%s/%d", url->kind == HD_REDIS_TLS ? "rediss" : "redis",
			 user, hp, url->db);
		return;
	case HD_REDIS_SENTINEL:
		off = (size_t)snprintf(buf, size, "sentinel://%s", user);
		for (i = 0; i < url->n_sentinels && off < size; i++) {
			format_hostport(url->sentinels[i].host, url->sentinels[i].port, hp, sizeof(hp));
			off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "," : "", hp);
		}
		if (off < size)
			snprintf(buf + off, size - off, "/%s?db=%d%s", url->master, url->db,
				 url->tls ? "&tls=yes" : "");
		return;
	}
	if (size)
		buf[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* Reply size budget: hiredis's object functions, wrapped             */
/* ------------------------------------------------------------------ */

static bool budget_charge(struct reply_budget *b, size_t n)
{
	if (b->exceeded || n > b->max || b->used > b->max - n) {
		b->exceeded = true;
		return false;
	}
	b->used += n;
	return true;
}

static void *budget_string(const redisReadTask *t, char *s, size_t len)
{
	struct budget_ctx *c = t->privdata;

	if (!budget_charge(c->b, sizeof(redisReply) + len + 1))
		return NULL;
	return c->base->createString(t, s, len);
}

static void *budget_array(const redisReadTask *t, int elements)
{
	struct budget_ctx *c = t->privdata;

	if (elements < 0 ||
	    !budget_charge(c->b, sizeof(redisReply) + (size_t)elements * sizeof(redisReply *)))
		return NULL;
	return c->base->createArray(t, elements);
}

static void *budget_integer(const redisReadTask *t, long long v)
{
	struct budget_ctx *c = t->privdata;

	if (!budget_charge(c->b, sizeof(redisReply)))
		return NULL;
	return c->base->createInteger(t, v);
}

static void *budget_nil(const redisReadTask *t)
{
	struct budget_ctx *c = t->privdata;

	if (!budget_charge(c->b, sizeof(redisReply)))
		return NULL;
	return c->base->createNil(t);
}

/* ------------------------------------------------------------------ */
/* Errors and waiting                                                  */
/* ------------------------------------------------------------------ */

/* "redis: <message> (<peer>)" into r->err. */
static void conn_err(struct hd_redis *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void conn_err(struct hd_redis *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->peer[0])
		snprintf(r->err, sizeof(r->err), "redis: %s (%s)", msg, r->peer);
	else
		snprintf(r->err, sizeof(r->err), "redis: %s", msg);
}

/* conn_err and the link is unusable until reconnected. */
#define conn_fail(r, ...) do { conn_err((r), __VA_ARGS__); (r)->broken = true; } while (0)

/* Absolute deadline on the monotonic clock; 0 = none. */
static uint64_t deadline_in(int timeout_ms)
{
	return timeout_ms < 0 ? 0 : time_mono_ms() + (uint64_t)timeout_ms;
}

/* Waits until fd is ready for events; 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int ms = -1, n;

		if (deadline) {
			uint64_t now = time_mono_ms();

			if (now >= deadline)
				return -ETIMEDOUT;
			ms = deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
		}
		n = poll(&p, 1, ms);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n > 0)
			return 0; /* also POLLERR/POLLHUP: the next call says what */
	}
}

/* ------------------------------------------------------------------ */
/* TLS: a socket BIO that writes with MSG_NOSIGNAL                     */
/* ------------------------------------------------------------------ */

static int nosig_write(BIO *b, const char *buf, size_t len, size_t *written)
{
	int fd = (int)(intptr_t)BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = send(fd, buf, len, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			BIO_set_retry_write(b);
		return 0;
	}
	*written = (size_t)n;
	return 1;
}

static int nosig_read(BIO *b, char *buf, size_t len, size_t *got)
{
	int fd = (int)(intptr_t)BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = recv(fd, buf, len, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			BIO_set_retry_read(b);
		return 0;
	}
	*got = (size_t)n;
	return n > 0;
}

static long nosig_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

/* Called by OpenSSL when the server asks for a client certificate and
 * none is configured: remember it, to explain the failure that follows
 * (TLS 1.3 servers refuse the certificate only after the handshake). */
static int no_client_cert(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	struct hd_redis *r = SSL_get_app_data(ssl);

	(void)x509;
	(void)pkey;
	if (r)
		r->cert_requested = true;
	return 0;
}

/* Why a link may have failed, for the end of an I/O error message. */
static const char *io_hint(const struct hd_redis *r)
{
	if (r->ssl && r->cert_requested)
		return "; the server asked for a client certificate and none is configured";
	if (!r->ssl && r->replies == 0 && r->url.kind != HD_REDIS_UNIX)
		return "; if this is a TLS port, use rediss://";
	return "";
}

/* Describes why an SSL call failed, in r->err; clears OpenSSL's queue. */
static void tls_fail(struct hd_redis *r, const char *op, int sslerr, int saved_errno)
{
	long v = r->ssl ? SSL_get_verify_result(r->ssl) : X509_V_OK;
	unsigned long e = ERR_peek_last_error();
	char buf[256];

	if (v != X509_V_OK) {
		conn_fail(r, "TLS: certificate verify failed: %s", X509_verify_cert_error_string(v));
	} else if (e) {
		const char *reason = ERR_reason_error_string(e);

		if (!reason) {
			ERR_error_string_n(e, buf, sizeof(buf));
			reason = buf;
		}
		conn_fail(r, "TLS %s: %s%s", op, reason, io_hint(r));
	} else if (sslerr == SSL_ERROR_SYSCALL && saved_errno) {
		conn_fail(r, "TLS %s: %s%s", op, strerror(saved_errno), io_hint(r));
	} else {
		conn_fail(r, "TLS %s: connection closed by the server%s", op, io_hint(r));
	}
	ERR_clear_error();
}

static bool is_ip_literal(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* Waits for what SSL asked for; 0 to retry, -1 with r->err set. */
static int tls_wait(struct hd_redis *r, const char *op, int ret, uint64_t deadline, int tmo)
{
	int sslerr = SSL_get_error(r->ssl, ret);
	int saved = errno;
	int w;

	if (sslerr == SSL_ERROR_WANT_READ)
		w = wait_fd(r->fd, POLLIN, deadline);
	else if (sslerr == SSL_ERROR_WANT_WRITE)
		w = wait_fd(r->fd, POLLOUT, deadline);
	else {
		tls_fail(r, op, sslerr, saved);
		return -1;
	}
	if (w == -ETIMEDOUT) {
		conn_fail(r, "TLS %s: timeout after %d ms", op, tmo);
		return -1;
	}
	if (w < 0) {
		conn_fail(r, "TLS %s: %s", op, strerror(-w));
		return -1;
	}
	return 0;
}

/* Handshake on r->fd; name is what the certificate must be for. */
static int tls_start(struct hd_redis *r, const char *name, uint64_t deadline)
{
	X509_VERIFY_PARAM *param;
	BIO *bio;

	ERR_clear_error();
	r->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (!r->ssl_ctx) {
		tls_fail(r, "setup", SSL_ERROR_SSL, 0);
		return -1;
	}
	SSL_CTX_set_min_proto_version(r->ssl_ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(r->ssl_ctx, SSL_VERIFY_PEER, NULL);
	if (r->ca_file) {
		if (!SSL_CTX_load_verify_locations(r->ssl_ctx, r->ca_file, NULL)) {
			conn_fail(r, "TLS: cannot load CA file %s: %s", r->ca_file,
				  ERR_reason_error_string(ERR_peek_last_error()) ?
				  ERR_reason_error_string(ERR_peek_last_error()) : "unknown error");
			ERR_clear_error();
			return -1;
		}
	} else if (!SSL_CTX_set_default_verify_paths(r->ssl_ctx)) {
		tls_fail(r, "setup (system CA store)", SSL_ERROR_SSL, 0);
		return -1;
	}
	if (r->cert_file) {
		const char *key = r->key_file ? r->key_file : r->cert_file;

		if (SSL_CTX_use_certificate_chain_file(r->ssl_ctx, r->cert_file) != 1) {
			conn_fail(r, "TLS: cannot load client certificate %s: %s", r->cert_file,
				  ERR_reason_error_string(ERR_peek_last_error()) ?
				  ERR_reason_error_string(ERR_peek_last_error()) : "unknown error");
			ERR_clear_error();
			return -1;
		}
		struct stat kst;

		/* a private key others can read is no longer private */
		if (stat(key, &kst) == 0 && (kst.st_mode & (S_IRWXG | S_IRWXO))) {
			conn_fail(r, "TLS: client key %s is accessible by group or others (mode %04o); "
				  "refusing it: chmod 600 %s", key, (unsigned)(kst.st_mode & 07777), key);
			return -1;
		}
		if (SSL_CTX_use_PrivateKey_file(r->ssl_ctx, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(r->ssl_ctx) != 1) {
			conn_fail(r, "TLS: cannot use client key %s: %s", key,
				  ERR_reason_error_string(ERR_peek_last_error()) ?
				  ERR_reason_error_string(ERR_peek_last_error()) : "unknown error");
			ERR_clear_error();
			return -1;
		}
	} else {
		SSL_CTX_set_client_cert_cb(r->ssl_ctx, no_client_cert);
	}
	r->ssl = SSL_new(r->ssl_ctx);
	if (!r->ssl) {
		tls_fail(r, "setup", SSL_ERROR_SSL, 0);
		return -1;
	}
	SSL_set_app_data(r->ssl, r);
	param = SSL_get0_param(r->ssl);
	if (is_ip_literal(name)) {
		if (!X509_VERIFY_PARAM_set1_ip_asc(param, name)) {
			tls_fail(r, "setup (IP address check)", SSL_ERROR_SSL, 0);
			return -1;
		}
	} else {
		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (!X509_VERIFY_PARAM_set1_host(param, name, 0) ||
		    !SSL_set_tlsext_host_name(r->ssl, name)) {
			tls_fail(r, "setup (host name check)", SSL_ERROR_SSL, 0);
			return -1;
		}
	}
	if (!r->bio_meth) {
		r->bio_meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
					   "haidang-nosigpipe");
		if (!r->bio_meth || !BIO_meth_set_write_ex(r->bio_meth, nosig_write) ||
		    !BIO_meth_set_read_ex(r->bio_meth, nosig_read) ||
		    !BIO_meth_set_ctrl(r->bio_meth, nosig_ctrl)) {
			tls_fail(r, "setup (BIO)", SSL_ERROR_SSL, 0);
			return -1;
		}
	}
	bio = BIO_new(r->bio_meth);
	if (!bio) {
		tls_fail(r, "setup (BIO)", SSL_ERROR_SSL, 0);
		return -1;
	}
	BIO_set_data(bio, (void *)(intptr_t)r->fd);
	BIO_set_init(bio, 1);
	SSL_set_bio(r->ssl, bio, bio);

	for (;;) {
		int ret;

		ERR_clear_error();
		errno = 0;
		ret = SSL_connect(r->ssl);
		if (ret == 1)
			return 0;
		if (tls_wait(r, "handshake", ret, deadline, r->connect_timeout_ms))
			return -1;
	}
}

/* ------------------------------------------------------------------ */
/* Moving bytes: the only place plain and TLS links differ             */
/* ------------------------------------------------------------------ */

/* Waits for the socket to be ready for events; 0, or -1 with r->err set
 * ("what: timeout after N ms" or the poll error). */
static int link_wait(struct hd_redis *r, short events, const char *what, uint64_t deadline)
{
	int w = wait_fd(r->fd, events, deadline);

	if (w == -ETIMEDOUT) {
		conn_fail(r, "%s: timeout after %d ms", what, r->timeout_ms);
		return -1;
	}
	if (w < 0) {
		conn_fail(r, "%s: %s", what, strerror(-w));
		return -1;
	}
	return 0;
}

static int link_send(struct hd_redis *r, const char *buf, size_t len)
{
	uint64_t deadline = deadline_in(r->timeout_ms);
	size_t off = 0;

	while (off < len) {
		if (r->ssl) {
			size_t n = 0;
			int ret;

			ERR_clear_error();
			errno = 0;
			ret = SSL_write_ex(r->ssl, buf + off, len - off, &n);
			if (ret == 1) {
				off += n;
				continue;
			}
			if (tls_wait(r, "write", ret, deadline, r->timeout_ms))
				return -1;
			continue;
		}
		{
			ssize_t n = send(r->fd, buf + off, len - off, MSG_NOSIGNAL);

			if (n > 0) {
				off += (size_t)n;
				continue;
			}
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				conn_fail(r, "write: %s%s", strerror(errno), io_hint(r));
				return -1;
			}
		}
		if (link_wait(r, POLLOUT, "write", deadline))
			return -1;
	}
	return 0;
}

/* Receives some bytes: the count (> 0), or -1 with r->err set. */
static ssize_t link_recv(struct hd_redis *r, char *buf, size_t cap, uint64_t deadline)
{
	for (;;) {
		if (r->ssl) {
			size_t n = 0;
			int ret;

			ERR_clear_error();
			errno = 0;
			ret = SSL_read_ex(r->ssl, buf, cap, &n);
			if (ret == 1)
				return (ssize_t)n;
			if (SSL_get_error(r->ssl, ret) == SSL_ERROR_ZERO_RETURN) {
				conn_fail(r, "connection closed by the server%s", io_hint(r));
				return -1;
			}
			if (tls_wait(r, "read", ret, deadline, r->timeout_ms))
				return -1;
			continue;
		}
		{
			ssize_t n = recv(r->fd, buf, cap, 0);

			if (n > 0)
				return n;
			if (n == 0) {
				conn_fail(r, "connection closed by the server%s", io_hint(r));
				return -1;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				conn_fail(r, "read: %s%s", strerror(errno), io_hint(r));
				return -1;
			}
		}
		if (link_wait(r, POLLIN, "read", deadline))
			return -1;
	}
}

/* ------------------------------------------------------------------ */
/* Opening and closing the link                                        */
/* ------------------------------------------------------------------ */

static void link_close(struct hd_redis *r)
{
	if (r->ssl) {
		SSL_free(r->ssl); /* frees the BIO too */
		r->ssl = NULL;
	}
	if (r->ssl_ctx) {
		SSL_CTX_free(r->ssl_ctx);
		r->ssl_ctx = NULL;
	}
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	if (r->reader) {
		redisReaderFree(r->reader);
		r->reader = NULL;
	}
	r->out_len = 0;
	r->pending = 0;
	r->replies = 0;
	r->cert_requested = false;
	r->broken = true;
}

static int connect_wait(struct hd_redis *r, int fd, uint64_t deadline)
{
	int w = wait_fd(fd, POLLOUT, deadline), soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (w == -ETIMEDOUT) {
		conn_err(r, "connect: timeout after %d ms", r->connect_timeout_ms);
		return -1;
	}
	if (w < 0) {
		conn_err(r, "connect: %s", strerror(-w));
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr) {
		conn_err(r, "connect: %s", strerror(soerr));
		return -1;
	}
	return 0;
}

static int open_unix(struct hd_redis *r, const char *path, uint64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		conn_err(r, "socket path too long");
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		conn_err(r, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			conn_err(r, "connect: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (connect_wait(r, fd, deadline)) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int open_tcp(struct hd_redis *r, const char *host, int port, uint64_t deadline)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char portstr[8];
	int fd = -1, rc, one = 1;

	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc) {
		conn_err(r, "cannot resolve '%s': %s", host,
			 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			conn_err(r, "socket: %s", strerror(errno));
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS)
			conn_err(r, "connect: %s", strerror(errno));
		else if (connect_wait(r, fd, deadline) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	}
	return fd;
}

/* Opens a link to host:port (or path), TLS if asked, with a fresh reader.
 * tls_name: the name the certificate must carry. 0 or -1 with r->err. */
static int link_open(struct hd_redis *r, const char *host, int port, const char *path,
		     bool tls, const char *tls_name)
{
	uint64_t deadline = deadline_in(r->connect_timeout_ms);

	link_close(r);
	if (path)
		str_copy(r->peer, path, sizeof(r->peer));
	else
		format_hostport(host, port, r->peer, sizeof(r->peer));
	r->fd = path ? open_unix(r, path, deadline) : open_tcp(r, host, port, deadline);
	if (r->fd < 0)
		return -1;

	r->reader = redisReaderCreate();
	if (!r->reader) {
		conn_err(r, "out of memory");
		link_close(r);
		return -1;
	}
	/* wrap hiredis's object functions so each reply is charged to a budget */
	r->bctx.base = r->reader->fn;
	r->bctx.b = &r->budget;
	r->fns = *r->reader->fn;
	r->fns.createString = budget_string;
	r->fns.createArray = budget_array;
	r->fns.createInteger = budget_integer;
	r->fns.createNil = budget_nil;
	r->reader->fn = &r->fns;
	redisReaderSetPrivdata(r->reader, &r->bctx);
	r->budget.used = 0;
	r->budget.max = r->max_reply;
	r->budget.exceeded = false;

	if (tls && tls_start(r, tls_name ? tls_name : host, deadline)) {
		char keep[sizeof(r->err)];

		str_copy(keep, r->err, sizeof(keep));
		link_close(r);
		str_copy(r->err, keep, sizeof(r->err));
		return -1;
	}
	r->broken = false;
	r->err[0] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Commands and pipelining                                             */
/* ------------------------------------------------------------------ */

static int read_reply(struct hd_redis *r, redisReply **out)
{
	uint64_t deadline = deadline_in(r->timeout_ms);
	char buf[READ_CHUNK];

	for (;;) {
		void *obj = NULL;
		ssize_t n;

		if (redisReaderGetReply(r->reader, &obj) != REDIS_OK) {
			if (r->budget.exceeded)
				conn_fail(r, "reply larger than %zu bytes", r->max_reply);
			else
				conn_fail(r, "protocol error: %s", r->reader->errstr);
			return -1;
		}
		if (obj) {
			r->budget.used = 0;
			r->replies++;
			*out = obj;
			return 0;
		}
		if (r->reader->len - r->reader->pos > r->max_reply - r->budget.used ||
		    r->budget.used > r->max_reply) {
			conn_fail(r, "reply larger than %zu bytes", r->max_reply);
			return -1;
		}
		n = link_recv(r, buf, sizeof(buf), deadline);
		if (n < 0)
			return -1;
		if (redisReaderFeed(r->reader, buf, (size_t)n) != REDIS_OK) {
			conn_fail(r, "out of memory reading a reply");
			return -1;
		}
	}
}

int hd_redis_append(struct hd_redis *r, int argc, const char **argv, const size_t *argvlen)
{
	char *cmd = NULL;
	int len;

	if (r->broken) {
		if (!r->err[0])
			conn_err(r, "not connected");
		return -1;
	}
	if (argc <= 0 || !argv) {
		conn_err(r, "empty command");
		return -1;
	}
	len = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
	if (len < 0 || !cmd) {
		conn_err(r, "out of memory formatting a command");
		return -1;
	}
	if ((size_t)len > HD_REDIS_MAX_OUT - r->out_len) {
		redisFreeCommand(cmd);
		conn_err(r, "pipeline buffer full (%u bytes): flush and read first",
			 HD_REDIS_MAX_OUT);
		return -1;
	}
	if (r->out_len + (size_t)len > r->out_cap) {
		size_t cap = r->out_cap ? r->out_cap : 4096;
		char *p;

		while (cap < r->out_len + (size_t)len)
			cap *= 2;
		p = realloc(r->out, cap);
		if (!p) {
			redisFreeCommand(cmd);
			conn_err(r, "out of memory buffering a command");
			return -1;
		}
		r->out = p;
		r->out_cap = cap;
	}
	memcpy(r->out + r->out_len, cmd, (size_t)len);
	r->out_len += (size_t)len;
	r->pending++;
	redisFreeCommand(cmd);
	return 0;
}

int hd_redis_flush(struct hd_redis *r)
{
	if (r->broken) {
		if (!r->err[0])
			conn_err(r, "not connected");
		return -1;
	}
	if (r->out_len == 0)
		return 0;
	if (link_send(r, r->out, r->out_len))
		return -1;
	r->out_len = 0;
	if (r->out_cap > (1u << 20)) { /* give a burst's memory back */
		free(r->out);
		r->out = NULL;
		r->out_cap = 0;
	}
	return 0;
}

int hd_redis_read(struct hd_redis *r, redisReply **reply)
{
	*reply = NULL;
	if (r->broken) {
		if (!r->err[0])
			conn_err(r, "not connected");
		return -1;
	}
	if (r->pending == 0) {
		conn_err(r, "no reply pending");
		return -1;
	}
	if (hd_redis_flush(r) || read_reply(r, reply))
		return -1;
	r->pending--;
	return 0;
}

unsigned hd_redis_pending(const struct hd_redis *r)
{
	return r->pending;
}

redisReply *hd_redis_command(struct hd_redis *r, int argc, const char **argv,
			     const size_t *argvlen)
{
	redisReply *reply = NULL;

	if (r->pending) {
		conn_err(r, "%u pipelined replies unread", r->pending);
		return NULL;
	}
	if (hd_redis_append(r, argc, argv, argvlen) || hd_redis_read(r, &reply))
		return NULL;
	return reply;
}

/* Runs a command during connect; an error reply is turned into r->err
 * ("<what>: <server's message>") and NULL. */
static redisReply *setup_command(struct hd_redis *r, const char *what, int argc,
				 const char **argv)
{
	redisReply *reply = hd_redis_command(r, argc, argv, NULL);

	if (reply && reply->type == REDIS_REPLY_ERROR) {
		conn_err(r, "%s: %.*s", what, (int)(reply->len < 200 ? reply->len : 200),
			 reply->str);
		freeReplyObject(reply);
		return NULL;
	}
	return reply;
}

static int link_login(struct hd_redis *r, const char *user, const char *password, int db)
{
	redisReply *reply;

	if (password && *password) {
		const char *argv[3] = { "AUTH", user, password };

		if (user && *user)
			reply = setup_command(r, "AUTH", 3, argv);
		else {
			argv[1] = password;
			reply = setup_command(r, "AUTH", 2, argv);
		}
		if (!reply)
			return -1;
		freeReplyObject(reply);
	}
	if (db) {
		char num[16];
		const char *argv[2] = { "SELECT", num };

		snprintf(num, sizeof(num), "%d", db);
		reply = setup_command(r, "SELECT", 2, argv);
		if (!reply)
			return -1;
		freeReplyObject(reply);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Connecting: direct, or through the sentinels                       */
/* ------------------------------------------------------------------ */

/* Asks the linked sentinel for the master's address. 1 found, 0 unknown
 * master, -1 error (r->err). */
static int sentinel_ask(struct hd_redis *r, char *host, size_t hostsize, int *port)
{
	const char *argv[3] = { "SENTINEL", "get-master-addr-by-name", r->url.master };
	redisReply *reply = setup_command(r, "SENTINEL get-master-addr-by-name", 3, argv);
	uint64_t v;
	int rc = -1;

	if (!reply)
		return -1;
	if (reply->type == REDIS_REPLY_NIL) {
		rc = 0;
	} else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
		   reply->element[0]->type == REDIS_REPLY_STRING &&
		   reply->element[1]->type == REDIS_REPLY_STRING &&
		   reply->element[0]->len > 0 && reply->element[0]->len < hostsize &&
		   strlen(reply->element[0]->str) == reply->element[0]->len &&
		   parse_u64(reply->element[1]->str, 1, 65535, &v) == 0) {
		memcpy(host, reply->element[0]->str, reply->element[0]->len + 1);
		*port = (int)v;
		rc = 1;
	} else {
		conn_err(r, "sentinel: unexpected answer to get-master-addr-by-name");
	}
	freeReplyObject(reply);
	return rc;
}

/* True if ROLE on the current link says "master"; else r->err says why. */
static bool link_is_master(struct hd_redis *r)
{
	const char *argv[1] = { "ROLE" };
	redisReply *reply = setup_command(r, "ROLE", 1, argv);
	bool ok;

	if (!reply)
		return false;
	ok = reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 &&
	     reply->element[0]->type == REDIS_REPLY_STRING &&
	     !strcmp(reply->element[0]->str, "master");
	if (!ok) {
		const char *role = reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 &&
				   reply->element[0]->type == REDIS_REPLY_STRING ?
				   reply->element[0]->str : "?";

		conn_err(r, "ROLE says '%.32s', not 'master' (failover in progress?)", role);
	}
	freeReplyObject(reply);
	return ok;
}

static int connect_sentinel(struct hd_redis *r)
{
	char last[sizeof(r->err)] = "";
	bool last_at_master = false;
	int i, unknown = 0;

	for (i = 0; i < r->url.n_sentinels; i++) {
		const struct hd_redis_hostport *s = &r->url.sentinels[i];
		char host[256];
		int port = 0, found;

		if (link_open(r, s->host, s->port, NULL, r->sentinel_tls, NULL) ||
		    link_login(r, r->sentinel_user, r->sentinel_password, 0)) {
			str_copy(last, r->err, sizeof(last));
			last_at_master = false;
			continue;
		}
		found = sentinel_ask(r, host, sizeof(host), &port);
		if (found < 0) {
			str_copy(last, r->err, sizeof(last));
			last_at_master = false;
			continue;
		}
		if (found == 0) {
			unknown++;
			continue;
		}
		if (link_open(r, host, port, NULL, r->url.tls, r->sni) ||
		    link_login(r, r->user, r->password, 0) || !link_is_master(r) ||
		    link_login(r, NULL, NULL, r->url.db)) {
			str_copy(last, r->err, sizeof(last));
			last_at_master = true;
			continue;
		}
		return 0;
	}
	link_close(r);
	r->peer[0] = '\0';
	if (unknown == r->url.n_sentinels)
		snprintf(r->err, sizeof(r->err), "redis: sentinel: no sentinel knows master '%s'",
			 r->url.master);
	else if (!last[0])
		snprintf(r->err, sizeof(r->err), "redis: sentinel: no sentinel knows master '%s' "
			 "(the others failed)", r->url.master);
	else
		snprintf(r->err, sizeof(r->err), "redis: sentinel: cannot %s master '%s': %.700s",
			 last_at_master ? "use" : "ask for", r->url.master, last + strlen("redis: "));
	return -1;
}

static int connect_any(struct hd_redis *r)
{
	switch (r->url.kind) {
	case HD_REDIS_SENTINEL:
		return connect_sentinel(r);
	case HD_REDIS_UNIX:
		if (link_open(r, NULL, 0, r->url.path, false, NULL))
			return -1;
		break;
	case HD_REDIS_TCP:
	case HD_REDIS_TLS:
		if (link_open(r, r->url.host, r->url.port, NULL, r->url.kind == HD_REDIS_TLS,
			      r->sni))
			return -1;
		break;
	}
	if (link_login(r, r->user, r->password, r->url.db)) {
		char keep[sizeof(r->err)];

		str_copy(keep, r->err, sizeof(keep));
		link_close(r);
		str_copy(r->err, keep, sizeof(r->err));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Options, secrets, life cycle                                        */
/* ------------------------------------------------------------------ */

static void free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Copies s (NULL stays NULL) into *dst; false when out of memory. */
static bool dup_opt(char **dst, const char *s)
{
	*dst = NULL;
	if (!s)
		return true;
	*dst = strdup(s);
	return *dst != NULL;
}

/* The first line of a password file only its owner may read. */
static char *read_password_file(const char *path, char *err, size_t errlen)
{
	char buf[1024];
	struct stat st;
	ssize_t n;
	size_t len;
	char *nl, *pw;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		set_err(err, errlen, "redis: password file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		set_err(err, errlen, "redis: password file %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "redis: password file %s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		set_err(err, errlen, "redis: password file %s is accessible by group or others "
			"(mode %04o); refusing it: chmod 600 %s", path,
			(unsigned)(st.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	len = 0;
	do {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_err(err, errlen, "redis: password file %s: %s", path, strerror(errno));
			close(fd);
			explicit_bzero(buf, sizeof(buf));
			return NULL;
		}
		len += (size_t)n;
	} while (n > 0 && len < sizeof(buf) - 1);
	close(fd);
	buf[len] = '\0';
	nl = strpbrk(buf, "\r\n");
	if (nl)
		*nl = '\0';
	else if (len == sizeof(buf) - 1) {
		set_err(err, errlen, "redis: password file %s: first line longer than %zu bytes",
			path, sizeof(buf) - 2);
		explicit_bzero(buf, sizeof(buf));
		return NULL;
	}
	if (!buf[0] || strlen(buf) != (nl ? (size_t)(nl - buf) : len)) {
		set_err(err, errlen, "redis: password file %s: %s", path,
			buf[0] ? "NUL byte in the password" : "empty first line");
		explicit_bzero(buf, sizeof(buf));
		return NULL;
	}
	pw = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (!pw)
		set_err(err, errlen, "redis: out of memory");
	return pw;
}

static int take_opts(struct hd_redis *r, const struct hd_redis_opts *o, char *err, size_t errlen)
{
	static const struct hd_redis_opts none;
	const char *user, *pw = NULL;

	if (!o)
		o = &none;
	user = o->user ? o->user : (r->url.user[0] ? r->url.user : NULL);
	if (o->password_file) {
		r->password = read_password_file(o->password_file, err, errlen);
		if (!r->password)
			return -1;
	} else {
		if (o->password_env) {
			pw = getenv(o->password_env);
			if (!pw || !*pw) {
				set_err(err, errlen, "redis: environment variable %s (the password) "
					"is not set", o->password_env);
				return -1;
			}
		} else if (o->password) {
			pw = o->password;
		} else if (r->url.password[0]) {
			pw = r->url.password;
		}
		if (!dup_opt(&r->password, pw))
			goto oom;
	}
	if (user && *user && !r->password) {
		set_err(err, errlen, "redis: user '%s' given without a password", user);
		return -1;
	}
	if (!dup_opt(&r->user, user) || !dup_opt(&r->ca_file, o->tls_ca_file) ||
	    !dup_opt(&r->cert_file, o->tls_cert_file) || !dup_opt(&r->key_file, o->tls_key_file) ||
	    !dup_opt(&r->sni, o->tls_sni) || !dup_opt(&r->sentinel_user, o->sentinel_user) ||
	    !dup_opt(&r->sentinel_password, o->sentinel_password))
		goto oom;
	if (o->sentinel_user && *o->sentinel_user &&
	    !(o->sentinel_password && *o->sentinel_password)) {
		set_err(err, errlen, "redis: sentinel user '%s' given without a password",
			o->sentinel_user);
		return -1;
	}
	if (o->tls_key_file && !o->tls_cert_file) {
		set_err(err, errlen, "redis: TLS client key given without a certificate");
		return -1;
	}
	r->sentinel_tls = o->sentinel_tls;
	r->connect_timeout_ms = o->timeout_ms ? o->timeout_ms : HD_REDIS_DEFAULT_TIMEOUT_MS;
	r->timeout_ms = r->connect_timeout_ms;
	r->max_reply = o->max_reply ? o->max_reply : HD_REDIS_DEFAULT_MAX_REPLY;
	return 0;
oom:
	set_err(err, errlen, "redis: out of memory");
	return -1;
}

struct hd_redis *hd_redis_connect(const struct hd_redis_url *url,
				  const struct hd_redis_opts *opts,
				  char *err, size_t errlen)
{
	struct hd_redis *r;

	set_err(err, errlen, "%s", "");
	if (!url) {
		set_err(err, errlen, "redis: no URL");
		return NULL;
	}
	if (url->kind == HD_REDIS_SENTINEL &&
	    (url->n_sentinels < 1 || url->n_sentinels > HD_REDIS_MAX_SENTINELS)) {
		set_err(err, errlen, "redis: sentinel URL without sentinels");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		set_err(err, errlen, "redis: out of memory");
		return NULL;
	}
	r->fd = -1;
	r->broken = true;
	r->url = *url;
	if (take_opts(r, opts, err, errlen)) {
		hd_redis_close(r);
		return NULL;
	}
	if (connect_any(r)) {
		set_err(err, errlen, "%s", r->err);
		hd_redis_close(r);
		return NULL;
	}
	return r;
}

int hd_redis_reconnect(struct hd_redis *r, char *err, size_t errlen)
{
	set_err(err, errlen, "%s", "");
	if (connect_any(r)) {
		set_err(err, errlen, "%s", r->err);
		return -1;
	}
	return 0;
}

void hd_redis_set_timeout(struct hd_redis *r, int timeout_ms)
{
	r->timeout_ms = timeout_ms ? timeout_ms : HD_REDIS_DEFAULT_TIMEOUT_MS;
}

const char *hd_redis_error(const struct hd_redis *r)
{
	return r->err;
}

bool hd_redis_broken(const struct hd_redis *r)
{
	return r->broken;
}

const char *hd_redis_peer(const struct hd_redis *r)
{
	return r->peer;
}

void hd_redis_close(struct hd_redis *r)
{
	if (!r)
		return;
	link_close(r);
	if (r->bio_meth)
		BIO_meth_free(r->bio_meth);
	free(r->out);
	free(r->user);
	free_secret(r->password);
	free(r->ca_file);
	free(r->cert_file);
	free(r->key_file);
	free(r->sni);
	free(r->sentinel_user);
	free_secret(r->sentinel_password);
	explicit_bzero(r->url.password, sizeof(r->url.password));
	free(r);
}

void hd_redis_reply_free(redisReply *reply)
{
	if (reply)
		freeReplyObject(reply);
}

/* ------------------------------------------------------------------ */
/* Lua scripts                                                         */
/* ------------------------------------------------------------------ */

int hd_redis_script_init(struct hd_redis_script *s, const char *src)
{
	memset(s, 0, sizeof(*s));
	if (!src || !*src)
		return -EINVAL;
	if (hd_redis_sha1hex(src, strlen(src), s->sha1))
		return -ENOMEM;
	s->src = src;
	s->len = strlen(src);
	return 0;
}

int hd_redis_sha1hex(const void *data, size_t n, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out[0] = '\0';
	if (!EVP_Digest(data, n, md, &mdlen, EVP_sha1(), NULL) || mdlen != 20)
		return -1;
	hd_hex(out, md, mdlen);
	return 0;
}

redisReply *hd_redis_script_call(struct hd_redis *r, const struct hd_redis_script *s,
				 int numkeys, int argc, const char **argv,
				 const size_t *argvlen)
{
	const char **av;
	size_t *al;
	char nk[16];
	redisReply *reply = NULL;
	int i;

	if (!s->src || numkeys < 0 || argc < numkeys || argc < 0 || argc > INT_MAX - 3) {
		conn_err(r, "bad script call");
		return NULL;
	}
	av = calloc((size_t)argc + 3, sizeof(*av));
	al = calloc((size_t)argc + 3, sizeof(*al));
	if (!av || !al) {
		conn_err(r, "out of memory");
		goto out;
	}
	snprintf(nk, sizeof(nk), "%d", numkeys);
	av[0] = "EVALSHA";
	al[0] = 7;
	av[1] = s->sha1;
	al[1] = 40;
	av[2] = nk;
	al[2] = strlen(nk);
	for (i = 0; i < argc; i++) {
		av[i + 3] = argv[i];
		al[i + 3] = argvlen ? argvlen[i] : strlen(argv[i]);
	}
	reply = hd_redis_command(r, argc + 3, av, al);
	if (reply && reply->type == REDIS_REPLY_ERROR && !strncmp(reply->str, "NOSCRIPT", 8)) {
		freeReplyObject(reply);
		av[0] = "EVAL";
		al[0] = 4;
		av[1] = s->src;
		al[1] = s->len;
		reply = hd_redis_command(r, argc + 3, av, al);
	}
out:
	free(av);
	free(al);
	return reply;
}

void hd_redis_settings_opts(const struct hd_redis_settings *s, struct hd_redis_opts *o)
{
#define SET(x) ((x) && *(x) ? (x) : NULL)
	memset(o, 0, sizeof(*o));
	o->user = SET(s->user);
	o->password_file = SET(s->password_file);
	o->password_env = getenv("HAIDANG_REDIS_PASSWORD") ? "HAIDANG_REDIS_PASSWORD" : NULL;
	o->tls_ca_file = SET(s->ca);
	o->tls_cert_file = SET(s->cert);
	o->tls_key_file = SET(s->key);
	o->tls_sni = SET(s->sni);
#undef SET
	o->timeout_ms = (int)s->timeout_ms;
}

