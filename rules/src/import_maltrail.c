/*
 * import_maltrail.c - "--from maltrail": Maltrail's static trail files
 * (trails/static/, one .txt per family): one trail per line, '#' comments, an optional
 * "# comment" after a trail.
 *
 * A trail is a domain, an IP address, IP:port, a URL with or without its
 * scheme, or a bare path. Like Maltrail itself, a scheme and trailing '/'
 * are dropped before deciding, so "http://1.2.3.4/" is the address. Each
 * trail becomes:
 *   domain, IP, CIDR          -> domain, ip, cidr
 *   IP:port, host:port        -> ip / domain; haidang indicators have no
 *                                port, so the indicator matches the host on
 *                                every port and the port goes in the detail
 *                                ("port 443"); two ports of one address merge
 *                                into one row
 *   host[:port]/path          -> url (http:// unless the scheme was given, or
 *                                the port is 443: https://host/path)
 *   /path                     -> skipped and reported: there is no host, and
 *                                haidang has no path-only indicator type
 * The family comes from the file name (malware__emotet.txt -> "emotet")
 * unless --description gives one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "rules.h"
#include "banned.h"

static bool is_port(const char *s)
{
	size_t n = strlen(s);
	uint64_t v;

	return n > 0 && n <= 5 && !parse_u64(s, 0, 65535, &v);
}

/* Classifies one trail and adds it. trail is modified. */
static void add_trail(struct import *im, const char *where, char *trail,
		      const char *desc, const char *comment)
{
	bool vi = import_vi(im);
	const char *orig = trail;
	char scheme[8] = "", *host = trail, *path, *port = NULL;
	char value[4200], detail[512], original[300];
	struct import_rec r = { .description = desc };
	struct hd_addr a;
	struct cidr c;

	snprintf(original, sizeof(original), "%s", orig);
	if (!strncasecmp(host, "http://", 7) || !strncasecmp(host, "https://", 8)) {
		size_t sl = (size_t)(strchr(host, ':') - host);
		snprintf(scheme, sizeof(scheme), "%.*s", (int)sl, host);
		for (char *p = scheme; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		host += sl + 3;
	}
	if (*host == '/') {
		import_skip(im, where, vi ? "trail chỉ có đường dẫn '%.100s' (không có máy chủ; haidang "
					    "không có kiểu dấu hiệu đường dẫn)"
					  : "path-only trail '%.100s' (no host; haidang has no path indicator type)",
			    original);
		return;
	}
	/* an address or network as a whole, before ':' and '/' mean more */
	if (!addr_parse(host, &a) || (strchr(host, '/') && !cidr_parse(host, &c) &&
				      isdigit((unsigned char)host[strlen(host) - 1]) && !*scheme)) {
		r.type = addr_parse(host, &a) ? IOC_CIDR : IOC_IP;
		r.value = host;
		r.detail = comment;
		import_add(im, where, &r);
		return;
	}
	path = strchr(host, '/');
	if (path) {
		*path++ = '\0';
		/* "host/" is the host itself */
		size_t pl = strlen(path);
		while (pl && path[pl - 1] == '/' && pl == strspn(path, "/"))
			path[--pl] = '\0';
	}
	if (*host == '[') {
		char *end = strchr(host, ']');
		if (end) {
			*end = '\0';
			if (end[1] == ':')
				port = end + 2;
			host++;
		}
	} else if (strchr(host, ':') == strrchr(host, ':') && strchr(host, ':')) {
		port = strchr(host, ':');
		*port++ = '\0';
	}
	if (port && !is_port(port)) {
		import_problem(im, where, vi ? "cổng không hợp lệ trong trail '%.100s'"
					     : "bad port in trail '%.100s'", original);
		return;
	}
	if (!*host) {
		import_problem(im, where, vi ? "trail không có máy chủ '%.100s'"
					     : "trail without a host '%.100s'", original);
		return;
	}
	if (path && *path) {
		const char *sch = *scheme ? scheme : port && !strcmp(port, "443") ? "https" : "http";
		bool v6 = strchr(host, ':') != NULL;
		snprintf(value, sizeof(value), "%s://%s%s%s%s%s/%s", sch, v6 ? "[" : "", host,
			 v6 ? "]" : "", port ? ":" : "", port ? port : "", path);
		r.type = IOC_URL;
		r.value = value;
		r.detail = comment;
		import_add(im, where, &r);
		return;
	}
	r.type = addr_parse(host, &a) ? IOC_DOMAIN : IOC_IP;
	r.value = host;
	if (port)
		snprintf(detail, sizeof(detail), "port %s%s%s", port, comment ? ", " : "",
			 comment ? comment : "");
	else
		snprintf(detail, sizeof(detail), "%s", comment ? comment : "");
	r.detail = *detail ? detail : NULL;
	import_add(im, where, &r);
}

/* "malware__emotet.txt" -> "emotet", "suspicious__onion.txt" -> "onion",
 * "mass_scanner.txt" -> "mass_scanner" */
static void family_from_path(const char *path, char *out, size_t size)
{
	const char *b = strrchr(path, '/'), *u;
	size_t n;

	b = b ? b + 1 : path;
	u = strstr(b, "__");
	if (u)
		b = u + 2;
	n = strcspn(b, ".");
	snprintf(out, size, "%.*s", (int)n, b);
}

/* One line: desc is the family. */
static int maltrail_line(struct import *im, const char *where, char *line, void *desc)
{
	char *t, *comment;

	if (import_split_comment(im, where, line, "trail", "trail", &t, &comment) > 0)
		add_trail(im, where, t, desc, comment);
	return 0;
}

static int maltrail_read(struct import *im, const char *path)
{
	char desc[256];

	family_from_path(path, desc, sizeof(desc));
	return import_lines(im, path, maltrail_line, desc);
}

const struct importer import_maltrail = {
	.name = "maltrail",
	.help_en = "Maltrail trail file: domains, IPs, IP:port (-> ip, port noted), URLs; "
		   "path-only trails are skipped",
	.help_vi = "tệp trail của Maltrail: tên miền, IP, IP:cổng (-> ip, ghi chú cổng), URL; "
		   "trail chỉ có đường dẫn bị bỏ qua",
	.read = maltrail_read,
};
