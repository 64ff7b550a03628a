/*
 * reportcfg.c - the report configuration and Vietnam time, for "report"
 * and "summary" (reportcfg.h).
 */
#include "reportcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

cJSON *reportcfg_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;
	cJSON *j;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > (16 << 20) || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)n + 1))) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot read (or larger than 16 MiB)", path);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		snprintf(err, errlen, "%s: cannot read", path);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	j = cJSON_ParseWithLength(buf, (size_t)n);
	if (!j) {
		const char *at = cJSON_GetErrorPtr();
		unsigned line = 1;

		for (const char *p = buf; at && p < at && *p; p++)
			line += *p == '\n';
		snprintf(err, errlen, "%s:%u: not valid JSON", path, line);
	}
	free(buf);
	return j;
}

const char *reportcfg_str(const cJSON *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path = dot + 1;
	}
	o = o ? cJSON_GetObjectItemCaseSensitive(o, path) : NULL;
	return cJSON_IsString(o) && o->valuestring[0] ? o->valuestring : NULL;
}

void reportcfg_vn_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000) + REPORTCFG_VN_OFFSET_S;

	gmtime_r(&t, tm);
}
