/*
 * import_abusech.c - "--from abusech": the CSV exports of abuse.ch's
 * trackers, told apart by their header row (a '#' comment in SSLBL and
 * URLhaus files, a quoted first row in Feodo Tracker and MalwareBazaar
 * files):
 *   Feodo Tracker ipblocklist.csv   dst_ip        -> ip   (malware, port)
 *   SSLBL ja3_fingerprints.csv      ja3_md5       -> ja3  (Listingreason)
 *   SSLBL sslblacklist.csv          SHA1          -> cert_sha1 (Listingreason)
 *   URLhaus csv                     url           -> url  (threat, tags)
 *   MalwareBazaar csv               sha256_hash   -> sha256 (signature)
 * The part in brackets becomes the indicator's detail. Rows are split by
 * csv_split (quotes honoured); a row with too few columns is reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "rules.h"
#include "banned.h"

struct abusech_format {
	const char *value_col;     /* header name of the indicator column */
	enum ioc_type type;
	const char *detail_col;    /* header name of the family/reason column */
	const char *detail2_col;   /* a second one (port, tags), or NULL */
	const char *detail2_pfx;   /* written before the second ("port ") */
	const char *description;   /* default description */
};

static const struct abusech_format formats[] = {
	{ "dst_ip", IOC_IP, "malware", "dst_port", "port ", "abuse.ch Feodo Tracker botnet C2" },
	{ "ip_address", IOC_IP, "malware", "port", "port ", "abuse.ch Feodo Tracker botnet C2" },
	{ "ja3_md5", IOC_JA3, "Listingreason", NULL, NULL, "abuse.ch SSLBL malicious JA3 fingerprint" },
	{ "SHA1", IOC_CERT_SHA1, "Listingreason", NULL, NULL, "abuse.ch SSLBL malicious TLS certificate" },
	{ "url", IOC_URL, "threat", "tags", "tags ", "abuse.ch URLhaus malware URL" },
	{ "sha256_hash", IOC_SHA256, "signature", NULL, NULL, "abuse.ch MalwareBazaar sample" },
};

struct abusech_cols {
	const struct abusech_format *fmt;
	int value, detail, detail2, ncols;
};

static int find_col(char **f, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (name && !strcasecmp(f[i], name))
			return i;
	return -1;
}

/* Is this row a header we know? Fills cols. */
static bool parse_header(char *row, struct abusech_cols *cols)
{
	char *f[CSV_MAX_FIELDS];
	int n = csv_split(row, f, CSV_MAX_FIELDS);

	if (n < 2)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		int v = find_col(f, n, formats[i].value_col);
		if (v < 0)
			continue;
		cols->fmt = &formats[i];
		cols->value = v;
		cols->detail = find_col(f, n, formats[i].detail_col);
		cols->detail2 = formats[i].detail2_col ? find_col(f, n, formats[i].detail2_col) : -1;
		cols->ncols = n;
		return true;
	}
	return false;
}

/* One line: cols is what the header row said, filled on the way. Stops the
 * file at a data row before any header we know. */
static int abusech_line(struct import *im, const char *where, char *p, void *arg)
{
	bool vi = import_vi(im);
	struct abusech_cols *cols = arg;
	char *fields[CSV_MAX_FIELDS], detail[512], d2[256];
	struct import_rec r = { 0 };
	int n;

	if (*p == '#') {
		/* SSLBL and URLhaus put the header row in a comment */
		if (!cols->fmt) {
			p++;
			p += strspn(p, " \t");
			parse_header(p, cols);
		}
		return 0;
	}
	if (!cols->fmt) {
		char *copy = strdup(p);
		bool hdr = copy && parse_header(copy, cols);
		free(copy);
		if (hdr)
			return 0;
		import_problem(im, where, vi ? "không nhận ra định dạng abuse.ch (không thấy dòng tiêu đề "
					       "có dst_ip, ja3_md5, SHA1, url hay sha256_hash)"
					     : "not an abuse.ch CSV we know (no header row with dst_ip, "
					       "ja3_md5, SHA1, url or sha256_hash)");
		return 1;
	}
	n = csv_split(p, fields, CSV_MAX_FIELDS);
	if (n < 0) {
		import_problem(im, where, vi ? "dòng CSV hỏng (ngoặc kép không đóng?)"
					     : "malformed CSV row (unterminated quote?)");
		return 0;
	}
	if (n <= cols->value || n <= cols->detail || n <= cols->detail2) {
		import_problem(im, where, vi ? "có %d cột, cần %d" : "%d columns, expected %d",
			       n, cols->ncols);
		return 0;
	}
	d2[0] = '\0';
	if (cols->detail2 >= 0 && *fields[cols->detail2])
		snprintf(d2, sizeof(d2), "%s%s", cols->fmt->detail2_pfx, fields[cols->detail2]);
	snprintf(detail, sizeof(detail), "%s%s%s",
		 cols->detail >= 0 ? fields[cols->detail] : "",
		 cols->detail >= 0 && *fields[cols->detail] && *d2 ? ", " : "", d2);
	r.type = cols->fmt->type;
	r.value = fields[cols->value];
	r.description = cols->fmt->description;
	r.detail = *detail ? detail : NULL;
	import_add(im, where, &r);
	return 0;
}

static int abusech_read(struct import *im, const char *path)
{
	struct abusech_cols cols = { 0 };

	return import_lines(im, path, abusech_line, &cols);
}

const struct importer import_abusech = {
	.name = "abusech",
	.help_en = "abuse.ch CSV: Feodo Tracker IP blocklist, SSLBL JA3 or certificate SHA1, "
		   "URLhaus, MalwareBazaar (told apart by the header row)",
	.help_vi = "CSV của abuse.ch: Feodo Tracker (IP), SSLBL (JA3, SHA1 chứng thư), URLhaus, "
		   "MalwareBazaar (nhận ra qua dòng tiêu đề)",
	.read = abusech_read,
};
