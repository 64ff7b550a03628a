/*
 * import.c - "haidang-rules import": converts one feed file into haidang's
 * indicator CSV (type,value,severity,source,description[,tags]).
 *
 * The readers (import_*.c, one per format, picked from importers[]) only
 * find indicators and say where they were; this file does everything they
 * share: normalising each value with ioc_normalize() (so the CSV holds
 * exactly what the sensor will compare), merging repeats of one value,
 * reporting unusable items as FILE:WHERE: message on stderr, and writing
 * the CSV in input order, atomically when -o is given. It never guesses a
 * severity the user or the feed did not give: the default is medium.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "category.h"
#include "conf.h"
#include "log.h"
#include "util.h"
#include "rules.h"
#include "banned.h"

#define IMPORT_DESC_MAX 1000

struct import_opts {
	char *from, *type, *source, *severity, *output, *description, *category, *tags, *licence;
	bool quiet;
};

#define O(f) offsetof(struct import_opts, f)

static const struct conf_opt import_opts_table[] = {
	{ "from", 'f', CONF_STR, O(from), NULL, 0, 0, "FORMAT",
	  "input format: misp, stix, list, maltrail, abusech (required)",
	  "định dạng đầu vào: misp, stix, list, maltrail, abusech (bắt buộc)", true },
	{ "source", 's', CONF_STR, O(source), NULL, 0, 0, "NAME",
	  "feed name written to the source column (required)",
	  "tên nguồn ghi vào cột source (bắt buộc)", true },
	{ "type", 't', CONF_STR, O(type), NULL, 0, 0, "TYPE",
	  "list: type of every line (ip, cidr, domain, url, md5, sha1, sha256, ja3, ja3s, cert_sha1); "
	  "guessed per line when absent",
	  "list: kiểu của mọi dòng (ip, cidr, domain, url, md5, sha1, sha256, ja3, ja3s, cert_sha1); "
	  "không có thì đoán từng dòng", true },
	{ "severity", 'S', CONF_STR, O(severity), NULL, 0, 0, "LEVEL",
	  "severity of every indicator (low, medium, high, critical); without it MISP's "
	  "threat_level_id decides, else medium",
	  "mức độ của mọi dấu hiệu (low, medium, high, critical); không có thì theo threat_level_id "
	  "của MISP, còn lại là medium", true },
	{ "description", 'd', CONF_STR, O(description), NULL, 0, 0, "TEXT",
	  "description of every indicator, may be empty (per-item details are appended)",
	  "mô tả cho mọi dấu hiệu, có thể rỗng (chi tiết từng mục được nối thêm)", true },
	{ "category", 'c', CONF_STR, O(category), NULL, 0, 0, "NAME",
	  "haidang incident category of every indicator (malware, c2, phishing, scanning, ...), "
	  "written as the tag category=NAME",
	  "loại sự cố haidang của mọi dấu hiệu (malware, c2, phishing, scanning, ...), "
	  "ghi thành thẻ category=NAME", true },
	{ "tags", 0, CONF_STR, O(tags), NULL, 0, 0, "TAGS",
	  "tags column for every indicator, space separated (e.g. \"c2 emotet\")",
	  "cột tags cho mọi dấu hiệu, cách nhau bởi dấu cách (vd \"c2 emotet\")", true },
	{ "licence", 0, CONF_STR, O(licence), NULL, 0, 0, "TEXT",
	  "the feed's licence, recorded in the CSV's first comment line",
	  "giấy phép của nguồn, ghi vào dòng chú thích đầu của CSV", true },
	{ "quiet", 'q', CONF_BOOL, O(quiet), NULL, 0, 0, NULL,
	  "do not list skipped items, only count them (problems are always listed)",
	  "không liệt kê mục bị bỏ qua, chỉ đếm (vấn đề luôn được liệt kê)", true },
	{ "output", 'o', CONF_STR, O(output), NULL, 0, 0, "FILE",
	  "write the CSV here (replaced atomically) instead of standard output",
	  "ghi CSV vào tệp này (thay thế nguyên khối) thay vì đầu ra chuẩn", true },
	{ "help", 'h', CONF_ACTION, 0, NULL, 0, 0, NULL,
	  "show this help and exit", "in trợ giúp này rồi thoát", true },
};

static const struct importer *const importers[] = {
	&import_misp, &import_stix, &import_list, &import_maltrail, &import_abusech,
};

struct rec {
	enum ioc_type type;
	enum ioc_severity sev;
	char *value;
	char *desc;     /* base description */
	char *details;  /* "; "-joined per-item details, or NULL */
	bool full;      /* details reached IMPORT_DESC_MAX */
};

struct import {
	struct import_opts o;
	const struct importer *fmt;
	const char *path;
	bool vi;
	bool have_type;
	enum ioc_type type;
	enum ioc_severity sev;
	struct rec *recs;
	size_t n, cap;
	uint32_t *slots; /* open addressing: record index + 1, 0 = empty */
	size_t nslots;
	uint64_t problems, skipped, merged;
	bool failed;    /* out of memory: nothing is written */
};

bool import_fixed_type(const struct import *im, enum ioc_type *t)
{
	if (im->have_type)
		*t = im->type;
	return im->have_type;
}

bool import_vi(const struct import *im)
{
	return im->vi;
}

static void report(struct import *im, const char *where, const char *prefix,
		   const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one line per item, whatever the input held */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "%s:%s: %s%s\n", im->path, where, prefix, msg);
}

void import_problem(struct import *im, const char *where, const char *fmt, ...)
{
	va_list ap;

	im->problems++;
	va_start(ap, fmt);
	report(im, where, "", fmt, ap);
	va_end(ap);
}

void import_skip(struct import *im, const char *where, const char *fmt, ...)
{
	va_list ap;

	im->skipped++;
	if (im->o.quiet)
		return;
	va_start(ap, fmt);
	report(im, where, im->vi ? "bỏ qua: " : "skipped: ", fmt, ap);
	va_end(ap);
}

char *import_slurp(struct import *im, const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf;

	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				log_err("%s: %s", path, strerror(errno));
				free(buf);
				buf = NULL;
			}
			break;
		}
		if (cap >= max) {
			log_err(im->vi ? "%s: lớn hơn %zu byte" : "%s: larger than %zu bytes", path, max);
			free(buf);
			buf = NULL;
			break;
		}
		cap = cap * 2 > max ? max : cap * 2;
		char *nb = realloc(buf, cap + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
		}
		buf = nb;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	*len = n;
	return buf;
}

int import_json(struct import *im, const char *path, size_t max, struct cJSON **root)
{
	size_t len;
	char *buf = import_slurp(im, path, max, &len);

	*root = NULL;
	if (!buf)
		return -EIO;
	*root = cJSON_ParseWithLength(buf, len);
	if (!*root) {
		const char *at = cJSON_GetErrorPtr();
		unsigned line = 1;
		char where[24];
		for (const char *p = buf; at && p < at && *p; p++)
			line += *p == '\n';
		snprintf(where, sizeof(where), "%u", line);
		import_problem(im, where, im->vi ? "JSON không hợp lệ" : "invalid JSON");
	}
	free(buf);
	return 0;
}

int import_lines(struct import *im, const char *path,
		 int (*fn)(struct import *im, const char *where, char *line, void *arg), void *arg)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, where[24];
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t len;

	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return -errno;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *p;

		lineno++;
		snprintf(where, sizeof(where), "%u", lineno);
		if (len > IMPORT_LINE_MAX) {
			import_problem(im, where, im->vi ? "dòng dài hơn %d byte" : "line longer than %d bytes",
				       IMPORT_LINE_MAX);
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		p = line + strspn(line, " \t");
		if (*p == '\0')
			continue;
		if (fn(im, where, p, arg))
			break;
	}
	free(line);
	if (ferror(f)) {
		log_err("%s: %s", path, strerror(errno));
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

int import_split_comment(struct import *im, const char *where, char *line, const char *noun_en,
			 const char *noun_vi, char **value, char **comment)
{
	char *rest;

	*value = line;
	*comment = NULL;
	if (*line == '\0' || *line == '#')
		return 0;
	rest = line + strcspn(line, " \t");
	if (*rest) {
		*rest++ = '\0';
		rest += strspn(rest, " \t");
		if (*rest == '#') {
			char *c = rest + 1 + strspn(rest + 1, " \t"), *e = c + strlen(c);
			while (e > c && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			*comment = *c ? c : NULL;
		} else if (*rest) {
			if (im->vi)
				import_problem(im, where, "thừa nội dung sau %s: '%.60s'", noun_vi, rest);
			else
				import_problem(im, where, "text after the %s: '%.60s'", noun_en, rest);
			return -EINVAL;
		}
	}
	return 1;
}

/* ---- guessing a bare value's type ---- */

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

static bool hostname_like(const char *s)
{
	bool dot = false;

	if (!*s || *s == '.' || *s == '-')
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '.')
			dot = true;
		else if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
			 !(c >= '0' && c <= '9') && c != '-' && c != '_' && c < 0x80)
			return false;
	}
	return dot;
}

bool import_guess_type(const char *v, enum ioc_type *t)
{
	size_t n = strlen(v);
	struct hd_addr a;

	if (!addr_parse(v, &a)) {
		*t = IOC_IP;
		return true;
	}
	if (strchr(v, '/') && !strstr(v, "://")) {
		/* address/digits is a network, even a bad one (normalising
		 * reports "/33"); address/anything else is a URL */
		char host[HD_ADDRSTRLEN];
		const char *slash = strchr(v, '/');
		size_t hl = (size_t)(slash - v);
		if (hl < sizeof(host) && slash[1] && strspn(slash + 1, "0123456789") == strlen(slash + 1)) {
			memcpy(host, v, hl);
			host[hl] = '\0';
			if (!addr_parse(host, &a)) {
				*t = IOC_CIDR;
				return true;
			}
		}
	}
	if (all_hex(v, n) && (n == 32 || n == 40 || n == 64)) {
		*t = n == 32 ? IOC_MD5 : n == 40 ? IOC_SHA1 : IOC_SHA256;
		return true;
	}
	if (n == 59) {
		/* AA:BB:... certificate fingerprint */
		bool ok = true;
		for (size_t i = 0; i < n && ok; i++)
			ok = i % 3 == 2 ? v[i] == ':' : all_hex(v + i, 1);
		if (ok) {
			*t = IOC_CERT_SHA1;
			return true;
		}
	}
	if (strstr(v, "://") || strchr(v, '/')) {
		*t = IOC_URL;
		return true;
	}
	if (hostname_like(v)) {
		*t = IOC_DOMAIN;
		return true;
	}
	return false;
}

/* ---- the records ---- */

static uint64_t rec_hash(enum ioc_type t, const char *v)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)t;

	for (; *v; v++)
		h = (h ^ (unsigned char)*v) * 1099511628211ull;
	return h;
}

static int slots_grow(struct import *im)
{
	size_t ns = im->nslots ? im->nslots * 2 : 1024;
	uint32_t *s = calloc(ns, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < im->n; i++) {
		size_t j = rec_hash(im->recs[i].type, im->recs[i].value) & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(im->slots);
	im->slots = s;
	im->nslots = ns;
	return 0;
}

/* Makes text fit one CSV field of one line: control characters become
 * spaces, bytes that are not UTF-8 become '?', and it is cut (at a
 * character boundary) to max bytes. Returns a heap copy. */
static char *clean_text(const char *s, size_t max)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc((n < max ? n : max) + 4);

	if (!out)
		return NULL;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
			     (c & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = len > 0;

		for (size_t i = 1; ok && i < len; i++)
			ok = ((unsigned char)s[i] & 0xc0) == 0x80;
		if (!ok)
			len = 1;
		if (o + len > max)
			break;
		if (!ok)
			out[o++] = '?';
		else if (len == 1)
			out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
		else {
			memcpy(out + o, s, len);
			o += len;
		}
		s += len;
	}
	out[o] = '\0';
	return out;
}

static void rec_add_detail(struct rec *r, const char *detail)
{
	size_t have, add;
	char *nd;

	if (!detail || !*detail || r->full)
		return;
	if (r->details) {
		/* the same detail twice says nothing new */
		const char *p = r->details;
		size_t dl = strlen(detail);
		while ((p = strstr(p, detail))) {
			if ((p == r->details ||
			     (p - r->details >= 2 && !strncmp(p - 2, "; ", 2))) &&
			    (p[dl] == '\0' || p[dl] == ';'))
				return;
			p++;
		}
	}
	have = r->details ? strlen(r->details) : 0;
	add = strlen(detail);
	if (have + add + 2 > IMPORT_DESC_MAX) {
		/* say that there was more rather than cutting mid-word */
		detail = "...";
		add = 3;
		r->full = true;
	}
	nd = realloc(r->details, have + add + 3);
	if (!nd)
		return;
	if (have)
		snprintf(nd + have, add + 3, "; %s", detail);
	else
		snprintf(nd, add + 1, "%s", detail);
	r->details = nd;
}

int import_add(struct import *im, const char *where, const struct import_rec *r)
{
	char norm[IOC_VALUE_MAX];
	const char *why = NULL;
	enum ioc_severity sev = im->sev ? im->sev : r->severity ? r->severity : IOC_SEV_MEDIUM;
	const char *desc = im->o.description; /* "" is a choice too */
	char *clean;
	size_t j;

	if (!r->value || !*r->value) {
		import_problem(im, where, im->vi ? "giá trị rỗng" : "empty value");
		return -EINVAL;
	}
	if (strlen(r->value) >= sizeof(norm)) {
		import_problem(im, where, im->vi ? "giá trị dài hơn %zu byte" : "value longer than %zu bytes",
			       sizeof(norm) - 1);
		return -EINVAL;
	}
	if (ioc_normalize(r->type, r->value, norm, sizeof(norm), &why)) {
		clean = clean_text(r->value, 200);
		import_problem(im, where, im->vi ? "%s '%s' không hợp lệ: %s" : "bad %s '%s': %s",
			       ioc_type_name(r->type), clean ? clean : "",
			       why ? why : "invalid");
		free(clean);
		return -EINVAL;
	}
	if (!desc)
		desc = r->description ? r->description : "";
	if ((im->n + 1) * 2 > im->nslots && slots_grow(im))
		goto nomem;
	j = rec_hash(r->type, norm) & (im->nslots - 1);
	while (im->slots[j]) {
		struct rec *e = &im->recs[im->slots[j] - 1];
		if (e->type == r->type && !strcmp(e->value, norm)) {
			im->merged++;
			if (sev > e->sev)
				e->sev = sev;
			if (r->detail) {
				clean = clean_text(r->detail, IMPORT_DESC_MAX);
				if (!clean)
					goto nomem;
				rec_add_detail(e, clean);
				free(clean);
			}
			clean = clean_text(desc, IMPORT_DESC_MAX);
			if (!clean)
				goto nomem;
			if (strcmp(e->desc, clean))
				rec_add_detail(e, clean);
			free(clean);
			return 0;
		}
		j = (j + 1) & (im->nslots - 1);
	}
	if (im->n == im->cap) {
		size_t nc = im->cap ? im->cap * 2 : 256;
		struct rec *nr = realloc(im->recs, nc * sizeof(*nr));
		if (!nr)
			goto nomem;
		im->recs = nr;
		im->cap = nc;
	}
	struct rec *e = &im->recs[im->n];
	memset(e, 0, sizeof(*e));
	e->type = r->type;
	e->sev = sev;
	e->value = strdup(norm);
	e->desc = clean_text(desc, IMPORT_DESC_MAX);
	if (!e->value || !e->desc) {
		free(e->value);
		free(e->desc);
		goto nomem;
	}
	im->slots[j] = (uint32_t)(++im->n);
	if (r->detail) {
		clean = clean_text(r->detail, IMPORT_DESC_MAX);
		if (!clean)
			goto nomem;
		rec_add_detail(e, clean);
		free(clean);
	}
	return 0;
nomem:
	/* a CSV missing rows must not look complete: the run fails */
	im->failed = true;
	return -ENOMEM;
}

/* ---- writing the CSV ---- */

static void put_description(FILE *f, const struct rec *r)
{
	size_t dl = strlen(r->desc), tl = r->details ? strlen(r->details) : 0;
	char *s = malloc(dl + tl + 3);

	if (!s)
		return;
	if (dl && tl)
		snprintf(s, dl + tl + 3, "%s: %s", r->desc, r->details);
	else
		snprintf(s, dl + tl + 3, "%s", dl ? r->desc : tl ? r->details : "");
	csv_put_field(f, s);
	free(s);
}

static void put_row(FILE *f, const struct rec *r, const char *source, const char *tags,
		    bool description)
{
	fprintf(f, "%s,", ioc_type_name(r->type));
	csv_put_field(f, r->value);
	fprintf(f, ",%s,", ioc_severity_name(r->sev));
	csv_put_field(f, source);
	fputc(',', f);
	if (description)
		put_description(f, r);
	if (tags) {
		fputc(',', f);
		csv_put_field(f, tags);
	}
	fputc('\n', f);
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (*s == ' ' || *s == '\'' || *s == '"' || *s == '\\' || *s == '$' || *s == '`')
			return true;
	return false;
}

/* The first line of the CSV repeats how it was made, without paths, so
 * that anyone can regenerate it (the full commands are in the README). */
static void put_provenance(FILE *f, const struct import *im)
{
	const char *b = strrchr(im->path, '/');

	fprintf(f, "# generated by haidang-rules import");
	for (size_t i = 0; i < ARRAY_SIZE(import_opts_table); i++) {
		const struct conf_opt *o = &import_opts_table[i];
		const char *v = o->type == CONF_STR ? *(char *const *)((const char *)&im->o + o->offset) : NULL;

		if (!v || !strcmp(o->name, "output"))
			continue;
		/* comments are one line: values with newlines are not repeated */
		if (strpbrk(v, "\r\n"))
			continue;
		fprintf(f, " --%s ", o->name);
		if (!needs_quotes(v)) {
			fputs(v, f);
			continue;
		}
		fputc('\'', f);
		for (const char *c = v; *c; c++) {
			if (*c == '\'')
				fputs("'\\''", f); /* close, escaped quote, reopen */
			else
				fputc(*c, f);
		}
		fputc('\'', f);
	}
	fprintf(f, " %s\n", b ? b + 1 : im->path);
}

static int write_csv(struct import *im, FILE *f)
{
	bool has_cat = im->o.category && *im->o.category, has_tags = im->o.tags && *im->o.tags;
	bool tags = has_cat || has_tags;
	char *source = clean_text(im->o.source, 200), *tagtext = NULL;

	if (tags) {
		char t[512];
		snprintf(t, sizeof(t), "%s%s%s%s", has_cat ? "category=" : "",
			 has_cat ? im->o.category : "", has_cat && has_tags ? " " : "",
			 has_tags ? im->o.tags : "");
		tagtext = clean_text(t, sizeof(t));
	}

	if (!source || (tags && !tagtext)) {
		free(source);
		free(tagtext);
		return -ENOMEM;
	}
	put_provenance(f, im);
	fputs(tags ? "type,value,severity,source,description,tags\n"
		   : "type,value,severity,source,description\n", f);
	for (size_t i = 0; i < im->n; i++) {
		const struct rec *r = &im->recs[i];
		char *line = NULL;
		size_t len = 0;
		int pass;

		/* the loader refuses lines of IOC_LINE_MAX bytes: drop the
		 * description if that is what it takes, else the row */
		for (pass = 0; pass < 2; pass++) {
			FILE *m = open_memstream(&line, &len);
			if (!m) {
				free(source);
				free(tagtext);
				return -ENOMEM;
			}
			put_row(m, r, source, tagtext, pass == 0);
			if (fclose(m)) {
				free(line);
				line = NULL;
				break;
			}
			if (len < IOC_LINE_MAX)
				break;
			free(line);
			line = NULL;
		}
		if (line && pass == 1)
			log_warn(im->vi ? "%s %.60s: bỏ mô tả để dòng không dài quá %d byte"
					: "%s %.60s: description dropped to keep the line under %d bytes",
				 ioc_type_name(r->type), r->value, IOC_LINE_MAX);
		if (!line) {
			im->problems++;
			log_err(im->vi ? "%s %.60s...: dòng dài quá %d byte, bỏ"
				       : "%s %.60s...: row longer than %d bytes, dropped",
				ioc_type_name(r->type), r->value, IOC_LINE_MAX);
			continue;
		}
		fputs(line, f);
		free(line);
	}
	free(source);
	free(tagtext);
	return 0;
}

static int write_output(struct import *im)
{
	char tmp[PATH_MAX + 32], target[PATH_MAX];
	struct stat st;
	FILE *f;
	int r;

	if (!im->o.output || !strcmp(im->o.output, "-")) {
		r = write_csv(im, stdout);
		if (fflush(stdout) || ferror(stdout))
			r = -EIO;
		return r;
	}
	/* a symlink is followed: the file it names is replaced, not the link */
	if (!realpath(im->o.output, target))
		snprintf(target, sizeof(target), "%s", im->o.output);
	if (!stat(target, &st) && !S_ISREG(st.st_mode)) {
		/* a device or a pipe (/dev/stdout, a FIFO): write into it,
		 * renaming over it would replace it with a regular file */
		f = fopen(target, "w");
		if (!f) {
			log_err("%s: %s", target, strerror(errno));
			return -errno;
		}
		r = write_csv(im, f);
		if ((fclose(f) || r) && !r)
			r = -EIO;
		if (r)
			log_err("%s: %s", target, strerror(-r));
		return r;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", target, (long)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		log_err("%s: %s", tmp, strerror(errno));
		return -errno;
	}
	r = write_csv(im, f);
	if (fflush(f) || ferror(f))
		r = r ? r : -EIO;
	if (fclose(f))
		r = r ? r : -EIO;
	if (!r && rename(tmp, target))
		r = -errno;
	if (r) {
		log_err("%s: %s", target, strerror(-r));
		unlink(tmp);
	}
	return r;
}

static void import_free(struct import *im)
{
	for (size_t i = 0; i < im->n; i++) {
		free(im->recs[i].value);
		free(im->recs[i].desc);
		free(im->recs[i].details);
	}
	free(im->recs);
	free(im->slots);
	conf_free(import_opts_table, ARRAY_SIZE(import_opts_table), &im->o);
}

static void import_usage(FILE *out, bool vi)
{
	rules_cmd_usage(&cmd_import, out, vi);
	fputs(vi ? "\nĐịnh dạng (--from):\n" : "\nFormats (--from):\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(importers); i++)
		fprintf(out, "  %-9s %s\n", importers[i]->name,
			vi ? importers[i]->help_vi : importers[i]->help_en);
	fputs(vi ? "\nTùy chọn:\n" : "\nOptions:\n", out);
	conf_usage(import_opts_table, ARRAY_SIZE(import_opts_table), out, vi);
	fputs(vi ? "\nMỗi mục không dùng được được báo trên stderr là TỆP:DÒNG: thông báo (hoặc\n"
		   "TỆP:ĐƯỜNG_DẪN_JSON: với MISP/STIX) và làm mã thoát thành 1; mục hợp lệ nhưng không có\n"
		   "kiểu tương ứng trong haidang được báo \"bỏ qua\" và không đổi mã thoát.\n"
		   "Giá trị lặp lại được gộp vào dòng đầu tiên; CSV giữ thứ tự của đầu vào.\n"
		 : "\nEach unusable item is reported on stderr as FILE:LINE: message (or\n"
		   "FILE:JSON.PATH: for MISP/STIX) and makes the exit status 1; items that are valid\n"
		   "but have no haidang equivalent are reported as \"skipped\" and do not.\n"
		   "Repeated values are merged into the first row; the CSV keeps the input's order.\n",
	      out);
}

static int run_import(int argc, char **argv, bool vi)
{
	struct import im = { .vi = vi };
	const char *action = NULL, *input = NULL;
	char err[CONF_ERRLEN];
	int i = 0, next, ret = RULES_EXIT_USAGE;

	/* options may come before and after FILE: parse in stretches */
	while (i < argc) {
		if (conf_parse_args(import_opts_table, ARRAY_SIZE(import_opts_table), &im.o,
				    argc - i, argv + i, &next, &action, err, sizeof(err))) {
			log_err("%s", err);
			goto out;
		}
		if (action) {
			import_usage(stdout, vi);
			ret = RULES_EXIT_OK;
			goto out;
		}
		i += next;
		if (i >= argc)
			break;
		if (input) {
			log_err(vi ? "thừa đối số '%s' (chỉ một TỆP)" : "unexpected argument '%s' (one FILE only)",
				argv[i]);
			goto out;
		}
		input = argv[i];
		/* argv[i] plays argv[0] of the next stretch */
	}
	if (!im.o.from || !input || !im.o.source || !*im.o.source) {
		log_err(vi ? "cần --from ĐỊNH_DẠNG, --source TÊN và một TỆP (xem import --help)"
			   : "need --from FORMAT, --source NAME and one FILE (see import --help)");
		goto out;
	}
	for (size_t k = 0; k < ARRAY_SIZE(importers); k++)
		if (!strcmp(im.o.from, importers[k]->name))
			im.fmt = importers[k];
	if (!im.fmt) {
		log_err(vi ? "định dạng không rõ '%s' (misp, stix, list, maltrail, abusech)"
			   : "unknown format '%s' (misp, stix, list, maltrail, abusech)", im.o.from);
		goto out;
	}
	if (im.o.type) {
		if (im.fmt != &import_list) {
			log_err(vi ? "--type chỉ dùng với --from list" : "--type applies to --from list only");
			goto out;
		}
		if (ioc_type_parse(im.o.type, &im.type)) {
			log_err(vi ? "--type: kiểu không rõ '%s'" : "--type: unknown type '%s'", im.o.type);
			goto out;
		}
		im.have_type = true;
	}
	if (im.o.severity && (ioc_severity_parse(im.o.severity, &im.sev) || im.sev == IOC_SEV_NONE)) {
		log_err(vi ? "--severity: '%s' không phải low, medium, high hay critical"
			   : "--severity: '%s' is not low, medium, high or critical", im.o.severity);
		goto out;
	}
	if (im.o.category && !category_find(im.o.category)) {
		log_err(vi ? "--category: loại không rõ '%s'" : "--category: unknown category '%s'",
			im.o.category);
		for (const struct category *k = category_table; k->name; k++)
			fprintf(stderr, "  %-13s %s\n", k->name, vi ? k->name_vi : k->name_en);
		goto out;
	}
	if (strpbrk(im.o.source, "\r\n,\"")) {
		log_err(vi ? "--source: không được chứa dấu phẩy, ngoặc kép hay xuống dòng"
			   : "--source: no commas, quotes or newlines");
		goto out;
	}
	im.path = input;
	if (im.fmt->read(&im, input) < 0)
		goto out;
	if (im.failed) {
		log_err(vi ? "%s: hết bộ nhớ, không ghi gì" : "%s: out of memory, nothing written", input);
		goto out;
	}
	if (!im.n && im.problems) {
		/* an unusable file must not replace a good CSV with an empty one */
		log_err(vi ? "%s: không có dấu hiệu nào dùng được, không ghi gì"
			   : "%s: no usable indicator, nothing written", input);
		ret = RULES_EXIT_PROBLEMS;
		goto out;
	}
	if (write_output(&im))
		goto out;
	log_info(vi ? "%s: đã ghi %zu dấu hiệu, gộp %llu lặp lại, %llu vấn đề, %llu bỏ qua"
		    : "%s: %zu indicators written, %llu repeats merged, %llu problems, %llu skipped",
		 input, im.n, (unsigned long long)im.merged, (unsigned long long)im.problems,
		 (unsigned long long)im.skipped);
	ret = im.problems ? RULES_EXIT_PROBLEMS : RULES_EXIT_OK;
out:
	import_free(&im);
	return ret;
}

const struct rules_cmd cmd_import = {
	.name = "import",
	.synopsis = "--from misp|stix|list|maltrail|abusech FILE --source NAME [OPTION]...",
	.summary_en = "convert a feed file to haidang's indicator CSV (type,value,severity,source,description[,tags])",
	.summary_vi = "chuyển một tệp nguồn tin sang CSV dấu hiệu của haidang (type,value,severity,source,description[,tags])",
	.run = run_import,
};
