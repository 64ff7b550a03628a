/*
 * reportcfg.h - what "report" and "summary" share: the report
 * configuration (JSON: reporter, contact, national center, agencies,
 * transport; docs/reports.md) and Vietnam time for the national forms.
 */
#ifndef HAIDANG_TRIAGE_REPORTCFG_H
#define HAIDANG_TRIAGE_REPORTCFG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#define REPORTCFG_DEFAULT "/etc/haidang/report.json"
#define REPORTCFG_VN_OFFSET_S (7 * 3600)   /* Vietnam: UTC+07:00, no summer time */

/* Reads and parses the file (at most 16 MiB). NULL with "FILE: why" (or
 * "FILE:LINE: not valid JSON") in err. The caller frees with cJSON_Delete. */
cJSON *reportcfg_load(const char *path, char *err, size_t errlen);
/* The non-empty string at a dotted path ("reporter.name") below o, or NULL. */
const char *reportcfg_str(const cJSON *o, const char *path);
/* The calendar fields of ms (since the epoch, UTC) in Vietnam time. */
void reportcfg_vn_tm(int64_t ms, struct tm *tm);

#endif
