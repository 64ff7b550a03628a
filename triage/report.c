/*
 * report.c - "report": one incident written for the people who must hear
 * of it.
 *
 *   report ID --format vn|vn-final|stix|misp|md [-o FILE] [--config FILE]
 *                [--number N] [--tlp clear|green|amber|amber+strict|red]
 *
 *   vn        the initial report to the national coordination center,
 *             Mẫu số 03 of Circular 20/2017/TT-BTTTT, section by section
 *             (Markdown); mandatory fields the configuration does not give
 *             are flagged, never left silently empty
 *   vn-final  the closure report, Mẫu số 04, citing the initial report
 *   stix      a STIX 2.1 bundle: identity, TLP 2.0 marking, indicators,
 *             observed-data, sightings, a report with the narrative
 *   misp      a MISP event (core format)
 *   md        a readable summary for the agency's management
 *
 * Who reports, whom to contact, the agencies' systems and the recipients
 * come from the report configuration (JSON, docs/reports.md), never from
 * the code. With --send the written report is handed to the configured
 * transport command (mail, upload); once it succeeded, what was sent, when
 * and by whom is recorded in the ticket (a note, so in its hash-chained
 * history), and an initial report's number and date are kept for the
 * closure report to cite. Times in the Vietnamese forms are Vietnam time (UTC+07:00)
 * written ngày/tháng/năm; the STIX and MISP exports keep UTC.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include "actions.h"
#include "mdhtml.h"
#include "redis.h"
#include "reportcfg.h"
#include "triage.h"
#include "util.h"
#include "banned.h"

#define DEFAULT_REPORT_CONFIG REPORTCFG_DEFAULT

struct report {
	struct triage *t;
	struct ticket k;
	cJSON *evidence;        /* the ticket's evidence array (may be NULL) */
	cJSON *conf;            /* the report configuration (may be NULL) */
	const cJSON *agency;    /* its entry for this ticket's agency */
	const char *number;     /* --number */
	const char *tlp;        /* clear, green, amber, amber+strict, red */
	int64_t now_ms;
	unsigned missing;       /* mandatory fields flagged */
	FILE *out;
};

/* ---- configuration ---- */

/* The configuration's entry for the ticket's agency: by key (the agency's
 * name or its queue key). */
static const cJSON *agency_entry(const cJSON *conf, const struct ticket *k)
{
	const cJSON *ag = cJSON_GetObjectItemCaseSensitive(conf, "agencies"), *it;
	char slug[QUEUE_SLUG_MAX];

	cJSON_ArrayForEach(it, ag) {
		queue_slug(it->string, slug);
		if (!strcmp(it->string, k->agency) || !strcmp(slug, k->slug))
			return it;
	}
	return NULL;
}

/* ---- time ---- */

/* "dd/mm/yyyy" and "HH giờ MM phút" in Vietnam time. */
static void vn_date(int64_t ms, char *d, size_t dl, char *tm_, size_t tl)
{
	struct tm tm;

	reportcfg_vn_tm(ms, &tm);
	if (d)
		snprintf(d, dl, "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
	if (tm_)
		snprintf(tm_, tl, "%02d giờ %02d phút", tm.tm_hour, tm.tm_min);
}

/* RFC 3339 UTC with milliseconds, as STIX wants. */
static void stix_time(int64_t ms, char *b, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(b, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static int64_t first_ms(const struct report *r)
{
	int64_t f = queue_iso_ms(r->k.first_seen);

	return f > 0 ? f : r->k.created_ms;
}

/* ---- the Vietnamese forms ---- */

/* A mandatory field: its value, or a visible flag. */
static const char *must(struct report *r, const char *v, const char *what)
{
	static char flag[8][160];
	static unsigned n;

	if (v && *v)
		return v;
	r->missing++;
	fprintf(stderr, "haidang-triage: report: missing mandatory field: %s (report configuration)\n", what);
	n = (n + 1) % 8;
	snprintf(flag[n], sizeof(flag[n]), "**[THIẾU / MISSING: %s]**", what);
	return flag[n];
}

static const char *opt(const char *v)
{
	return v && *v ? v : "—";
}

static void list_line(FILE *out, const cJSON *arr)
{
	const cJSON *it;
	bool first = true;

	cJSON_ArrayForEach(it, arr) {
		if (cJSON_IsString(it)) {
			fprintf(out, "%s%s", first ? "" : ", ", it->valuestring);
			first = false;
		}
	}
	if (first)
		fputs("—", out);
}

static bool has(const cJSON *arr, const char *v)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, v))
			return true;
	return false;
}

static const char *box(bool on)
{
	return on ? "☒" : "☐";
}

static bool handled(const struct ticket *k)
{
	return !strcmp(k->status, "resolved") || !strcmp(k->status, "false_positive") ||
	       !strcmp(k->status, "contained");
}

/* The brief description (section D): what was seen, from the evidence. */
static void describe(struct report *r)
{
	const cJSON *e;
	unsigned n = 0;

	fprintf(r->out, "Cảm biến giám sát của đội ứng cứu sự cố phát hiện máy %s của đơn vị %s có dấu hiệu "
		"%s (%s), mức độ %s (điểm %" PRIu64 "), %" PRIu64 " lần từ %s đến %s (UTC).",
		r->k.host, r->k.agency, r->k.category_vi, r->k.category, r->k.severity, r->k.score,
		r->k.count, r->k.first_seen, r->k.last_seen);
	if (r->k.peer[0])
		fprintf(r->out, " Máy đích/nguồn liên quan: %s.", r->k.peer);
	fputs(" Dấu hiệu chính:\n\n", r->out);
	cJSON_ArrayForEach(e, r->evidence) {
		const char *kind = reportcfg_str(e, "kind"), *ind = reportcfg_str(e, "indicator"),
			   *rule = reportcfg_str(e, "rule"), *obs = reportcfg_str(e, "observed"), *src = reportcfg_str(e, "source");
		if (++n > 10)
			break;
		fprintf(r->out, "- %s `%s`%s%s%s%s\n", kind ? kind : "?", ind ? ind : rule ? rule : "?",
			obs ? ": " : "", obs ? obs : "", src ? " — nguồn " : "", src ? src : "");
	}
	fputs("\n*(English: the provincial team's sensor saw the host above match the indicators listed; "
	      "the category and national incident type are given in the extension below.)*\n", r->out);
}

static void form_header(struct report *r, const char *form, const char *title)
{
	fprintf(r->out, "<div style=\"text-align: right\">%s<br>Ban hành kèm theo Thông tư số 20/2017/TT-BTTTT ngày "
		"12/9/2017 của Bộ Thông tin và Truyền thông</div>\n\n# %s\n\n", form, title);
}

static void section_reporter(struct report *r, const char *title)
{
	fprintf(r->out, "## %s\n\n", title);
	fprintf(r->out, "- Tên tổ chức/cá nhân báo cáo sự cố (*): %s\n",
		must(r, reportcfg_str(r->conf, "reporter.name"), "reporter.name"));
	fprintf(r->out, "- Địa chỉ (*): %s\n", must(r, reportcfg_str(r->conf, "reporter.address"), "reporter.address"));
	fprintf(r->out, "- Điện thoại (*): %s\n", must(r, reportcfg_str(r->conf, "reporter.phone"), "reporter.phone"));
	fprintf(r->out, "- Email (*): %s\n\n", must(r, reportcfg_str(r->conf, "reporter.email"), "reporter.email"));
}

static void section_system(struct report *r, const char *title, bool full)
{
	const cJSON *a = r->agency, *lv = cJSON_GetObjectItemCaseSensitive(a, "level");
	int level = cJSON_IsNumber(lv) ? lv->valueint : 0;
	char name[128];

	fprintf(r->out, "## %s\n\n", title);
	snprintf(name, sizeof(name), "agencies.\"%s\".operator", r->k.slug);
	fprintf(r->out, "| | |\n|---|---|\n");
	fprintf(r->out, "| Tên đơn vị vận hành hệ thống thông tin (*) | %s |\n",
		must(r, reportcfg_str(a, "operator"), name));
	fprintf(r->out, "| Cơ quan chủ quản | %s |\n", opt(reportcfg_str(a, "owner")));
	fprintf(r->out, "| Tên hệ thống bị sự cố | %s (tên miền: ", opt(reportcfg_str(a, "system")));
	list_line(r->out, cJSON_GetObjectItemCaseSensitive(a, "domains"));
	fputs("; IP: ", r->out);
	list_line(r->out, cJSON_GetObjectItemCaseSensitive(a, "ips"));
	fprintf(r->out, "; máy bị ảnh hưởng: %s) |\n", r->k.host);
	fputs("| Phân loại cấp độ của hệ thống thông tin (nếu có) | ", r->out);
	for (int i = 1; i <= 5; i++)
		fprintf(r->out, "%s Cấp độ %d ", box(level == i), i);
	fputs("|\n", r->out);
	if (full) {
		fprintf(r->out, "| Tổ chức cung cấp dịch vụ an toàn thông tin (nếu có) | %s |\n",
			opt(reportcfg_str(a, "security_provider")));
		fprintf(r->out, "| Tên nhà cung cấp dịch vụ kết nối bên ngoài (nếu có) | %s |\n",
			opt(reportcfg_str(a, "isp")));
	}
	fputc('\n', r->out);
}

static void form_vn(struct report *r)
{
	char d[32], tm_[48], rd[32], rt[48];
	const cJSON *a = r->agency, *sv = cJSON_GetObjectItemCaseSensitive(a, "services"),
		    *ms = cJSON_GetObjectItemCaseSensitive(a, "measures");

	form_header(r, "Mẫu số 03", "BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG");
	if (r->number)
		fprintf(r->out, "Số ký hiệu: %s\n\n", r->number);
	section_reporter(r, "A. THÔNG TIN VỀ TỔ CHỨC/CÁ NHÂN BÁO CÁO SỰ CỐ");
	fputs("## B. NGƯỜI LIÊN HỆ\n\n", r->out);
	fprintf(r->out, "- Họ và tên (*): %s\n", must(r, reportcfg_str(r->conf, "contact.name"), "contact.name"));
	fprintf(r->out, "- Chức vụ: %s\n", opt(reportcfg_str(r->conf, "contact.position")));
	fprintf(r->out, "- Điện thoại (*): %s\n", must(r, reportcfg_str(r->conf, "contact.phone"), "contact.phone"));
	fprintf(r->out, "- Email (*): %s\n\n", must(r, reportcfg_str(r->conf, "contact.email"), "contact.email"));
	section_system(r, "C. THÔNG TIN CHI TIẾT VỀ HỆ THỐNG BỊ SỰ CỐ", true);
	fputs("## D. MÔ TẢ SƠ BỘ VỀ SỰ CỐ (*)\n\n", r->out);
	describe(r);
	vn_date(first_ms(r), d, sizeof(d), tm_, sizeof(tm_));
	fprintf(r->out, "\n## E. THỜI ĐIỂM PHÁT HIỆN\n\n- Ngày phát hiện sự cố (*): %s\n"
		"- Thời gian phát hiện (*): %s (giờ Việt Nam, UTC+07:00)\n\n", d, tm_);
	fprintf(r->out, "## F. HIỆN TRẠNG SỰ CỐ (*)\n\n%s Đã được xử lý   %s Chưa được xử lý  (trạng thái: %s)\n\n",
		box(handled(&r->k)), box(!handled(&r->k)), r->k.status);
	fprintf(r->out, "## G. CÁCH THỨC PHÁT HIỆN (*)\n\n%s Qua hệ thống phát hiện xâm nhập (cảm biến haidang %s)\n"
		"%s Kiểm tra dữ liệu lưu lại (Log File)\n%s Nhận được thông báo từ: ……\n%s Khác, đó là: ……\n\n",
		box(true), r->k.sensor, box(false), box(false), box(false));
	fprintf(r->out, "## H. ĐÃ GỬI THÔNG BÁO SỰ CỐ CHO (*)\n\n%s Thành viên mạng lưới chịu trách nhiệm ứng cứu "
		"sự cố cho tổ chức, cá nhân\n%s ISP đang trực tiếp cung cấp dịch vụ\n%s Cơ quan điều phối\n\n",
		box(true), box(false), box(!strcmp(r->k.status, "escalated")));
	fputs("## I. THÔNG TIN BỔ SUNG VỀ HỆ THỐNG XẢY RA SỰ CỐ\n\n", r->out);
	fprintf(r->out, "- Hệ điều hành: %s\n", opt(reportcfg_str(a, "os")));
	fprintf(r->out, "- Các dịch vụ có trên hệ thống: %s Web server %s Mail server %s Database server\n",
		box(has(sv, "web")), box(has(sv, "mail")), box(has(sv, "database")));
	fprintf(r->out, "- Các biện pháp an toàn thông tin đã triển khai: %s Antivirus %s Firewall "
		"%s Hệ thống phát hiện xâm nhập (IDS)\n", box(has(ms, "antivirus")), box(has(ms, "firewall")),
		box(true));
	fputs("- Các địa chỉ IP của hệ thống (chỉ IP công khai): ", r->out);
	list_line(r->out, cJSON_GetObjectItemCaseSensitive(a, "ips"));
	fputs("\n- Các tên miền của hệ thống: ", r->out);
	list_line(r->out, cJSON_GetObjectItemCaseSensitive(a, "domains"));
	fprintf(r->out, "\n- Mục đích chính sử dụng hệ thống: %s\n", opt(reportcfg_str(a, "purpose")));
	fprintf(r->out, "- Thông tin gửi kèm: %s Nhật ký hệ thống (sự kiện EVE của cảm biến)\n", box(true));
	fprintf(r->out, "- Các thông tin cung cấp trong thông báo sự cố này đều phải được giữ bí mật: %s Có %s Không\n\n",
		box(true), box(false));
	fprintf(r->out, "## J. KIẾN NGHỊ, ĐỀ XUẤT HỖ TRỢ\n\n%s\n\n",
		!strcmp(r->k.status, "escalated") ? "Đề nghị Cơ quan điều phối quốc gia hỗ trợ xử lý sự cố."
						  : "—");
	vn_date(r->now_ms, rd, sizeof(rd), rt, sizeof(rt));
	fprintf(r->out, "## K. THỜI GIAN THỰC HIỆN BÁO CÁO SỰ CỐ (*)\n\n%s, %s\n\n", rd, rt);
	fprintf(r->out, "*Mở rộng (không thuộc mẫu) / extension, not part of the form:* loại sự cố theo danh mục "
		"quốc gia %u; mã sự cố haidang %s.\n\n", r->k.national_type, r->k.id);
	fputs("CÁ NHÂN/NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT  \n(Ký tên, đóng dấu)\n\n---\n"
	      "Gửi qua thư điện tử: tiêu đề bắt đầu bằng \"[TBSC]\".\n", r->out);
}

static void form_vn_final(struct report *r, const char *init_no, int64_t init_ms)
{
	char d[32], tm_[48];

	form_header(r, "Mẫu số 04", "BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ");
	section_reporter(r, "THÔNG TIN VỀ TỔ CHỨC/CÁ NHÂN BÁO CÁO");
	fputs("## KÝ HIỆU BÁO CÁO BAN ĐẦU SỰ CỐ\n\n", r->out);
	fprintf(r->out, "- Số ký hiệu: %s\n", must(r, init_no, "the initial report's number (--number)"));
	if (init_ms > 0)
		vn_date(init_ms, d, sizeof(d), NULL, 0);
	fprintf(r->out, "- Ngày báo cáo: %s\n\n", must(r, init_ms > 0 ? d : NULL, "the initial report's date"));
	section_system(r, "THÔNG TIN CHI TIẾT VỀ HỆ THỐNG BỊ SỰ CỐ", false);
	fputs("## TÊN/MÔ TẢ VỀ SỰ CỐ\n\n", r->out);
	describe(r);
	vn_date(first_ms(r), d, sizeof(d), tm_, sizeof(tm_));
	fprintf(r->out, "\n- Ngày phát hiện sự cố (*): %s\n- Thời gian phát hiện (*): %s\n\n", d, tm_);
	fprintf(r->out, "## KẾT QUẢ XỬ LÝ SỰ CỐ\n\nTrạng thái cuối: %s.\n\n", r->k.status);
	fputs("## CÁC TÀI LIỆU ĐÍNH KÈM\n\nBáo cáo diễn biến sự cố (lịch sử xử lý trong hàng đợi), nhật ký của cảm biến.\n\n"
	      "CÁ NHÂN/NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT  \n(Ký tên, đóng dấu)\n", r->out);
}

/* ---- STIX 2.1 ---- */

/* UUIDv5 (RFC 4122) of name in namespace ns (16 bytes), as text. */
static void uuid5(const unsigned char ns[16], const char *name, char out[37])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	memset(md, 0, sizeof(md));
	if (c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) && EVP_DigestUpdate(c, ns, 16) &&
	    EVP_DigestUpdate(c, name, strlen(name)))
		EVP_DigestFinal_ex(c, md, &len);
	EVP_MD_CTX_free(c);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
		 md[12], md[13], md[14], md[15]);
}

/* STIX's namespace for cyber-observable ids, and haidang's for the rest. */
static const unsigned char ns_sco[16] = { 0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
					  0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7 };
static const unsigned char ns_hd[16] = { 0x6a, 0x1d, 0x4c, 0x52, 0x8e, 0x0b, 0x4f, 0x2c,
					 0x9b, 0x3e, 0x55, 0x71, 0xd0, 0x2a, 0x68, 0x1f };

static void sdo_id(const struct report *r, const char *type, const char *key, char *out, size_t n)
{
	char name[1200], u[37];

	snprintf(name, sizeof(name), "%s|%s|%s", r->k.id, type, key);
	uuid5(ns_hd, name, u);
	snprintf(out, n, "%s--%s", type, u);
}

/* An observable with its deterministic id (STIX 2.1 §2.9). */
static cJSON *sco(const char *type, const char *value, char *id, size_t idn)
{
	cJSON *o = cJSON_CreateObject(), *tmp = cJSON_CreateObject();
	char *name, u[37];

	cJSON_AddStringToObject(tmp, "value", value);
	name = cJSON_PrintUnformatted(tmp);
	uuid5(ns_sco, name ? name : value, u);
	free(name);
	cJSON_Delete(tmp);
	snprintf(id, idn, "%s--%s", type, u);
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "spec_version", "2.1");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "value", value);
	return o;
}

static const char *addr_type(const char *a)
{
	return strchr(a, ':') ? "ipv6-addr" : "ipv4-addr";
}

/* A STIX pattern for one piece of evidence, or NULL when STIX has none. */
static int stix_pattern(const char *type, const char *value, char *out, size_t n)
{
	char v[600];
	size_t o = 0;

	/* quote for the pattern language: ' and \ escaped */
	for (const char *p = value; *p && o + 2 < sizeof(v); p++) {
		if (*p == '\'' || *p == '\\')
			v[o++] = '\\';
		v[o++] = *p;
	}
	v[o] = '\0';
	if (!strcmp(type, "domain"))
		snprintf(out, n, "[domain-name:value = '%s']", v);
	else if (!strcmp(type, "ip"))
		snprintf(out, n, "[%s:value = '%s']", addr_type(value), v);
	else if (!strcmp(type, "cidr"))
		snprintf(out, n, "[%s:value ISSUBSET '%s']", addr_type(value), v);
	else if (!strcmp(type, "url"))
		snprintf(out, n, "[url:value = '%s']", v);
	else if (!strcmp(type, "md5"))
		snprintf(out, n, "[file:hashes.MD5 = '%s']", v);
	else if (!strcmp(type, "sha1"))
		snprintf(out, n, "[file:hashes.'SHA-1' = '%s']", v);
	else if (!strcmp(type, "sha256"))
		snprintf(out, n, "[file:hashes.'SHA-256' = '%s']", v);
	else if (!strcmp(type, "cert_sha1"))
		snprintf(out, n, "[x509-certificate:hashes.'SHA-1' = '%s']", v);
	else
		return -1;   /* ja3, ja3s: no STIX object carries them */
	return 0;
}

static const char *tlp_id(const char *tlp)
{
	static const struct { const char *name, *id; } ids[] = {
		{ "clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487" },
		{ "green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb" },
		{ "amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421" },
		{ "amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003" },
		{ "red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		if (!strcmp(ids[i].name, tlp))
			return ids[i].id;
	return NULL;
}

static void common(cJSON *o, const char *type, const char *id, const char *ident, const char *mark,
		   const char *ts)
{
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "spec_version", "2.1");
	cJSON_AddStringToObject(o, "id", id);
	if (ident)
		cJSON_AddStringToObject(o, "created_by_ref", ident);
	cJSON_AddStringToObject(o, "created", ts);
	cJSON_AddStringToObject(o, "modified", ts);
	if (mark) {
		cJSON *m = cJSON_AddArrayToObject(o, "object_marking_refs");
		cJSON_AddItemToArray(m, cJSON_CreateString(mark));
	}
}

static char *stix_bundle(struct report *r)
{
	cJSON *b = cJSON_CreateObject(), *objs, *o, *refs, *rep_refs;
	char ident[64], mark_name[40], bid[80], id[128], now[64], first[64], last[64];
	char host_id[128], peer_id[128] = "", od_id[128], rid[128];
	const char *mark = tlp_id(r->tlp);
	const cJSON *e;
	char *text;

	stix_time(r->now_ms, now, sizeof(now));
	stix_time(first_ms(r), first, sizeof(first));
	stix_time(r->k.last_ms > 0 ? r->k.last_ms : first_ms(r), last, sizeof(last));
	sdo_id(r, "bundle", now, bid, sizeof(bid));
	cJSON_AddStringToObject(b, "type", "bundle");
	cJSON_AddStringToObject(b, "id", bid);
	objs = cJSON_AddArrayToObject(b, "objects");

	/* the reporting team */
	{
		char u[37];
		const char *name = reportcfg_str(r->conf, "reporter.name");

		uuid5(ns_hd, name ? name : "haidang", u);
		snprintf(ident, sizeof(ident), "identity--%s", u);
		o = cJSON_CreateObject();
		common(o, "identity", ident, NULL, NULL, now);
		cJSON_AddStringToObject(o, "name", name ? name : "haidang provincial CSIRT");
		cJSON_AddStringToObject(o, "identity_class", "organization");
		cJSON_AddItemToObject(o, "sectors", cJSON_CreateStringArray((const char *[]){ "government" }, 1));
		if (reportcfg_str(r->conf, "reporter.email"))
			cJSON_AddStringToObject(o, "contact_information", reportcfg_str(r->conf, "reporter.email"));
		cJSON_AddItemToArray(objs, o);
	}
	/* TLP 2.0, as its STIX extension defines the markings */
	{
		cJSON *ext, *x;

		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "marking-definition");
		cJSON_AddStringToObject(o, "spec_version", "2.1");
		cJSON_AddStringToObject(o, "id", mark);
		cJSON_AddStringToObject(o, "created", "2022-10-01T00:00:00.000Z");
		snprintf(mark_name, sizeof(mark_name), "TLP:%s", r->tlp);
		for (char *p = mark_name; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		cJSON_AddStringToObject(o, "name", mark_name);
		ext = cJSON_AddObjectToObject(o, "extensions");
		x = cJSON_AddObjectToObject(ext, "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
		cJSON_AddStringToObject(x, "extension_type", "property-extension");
		cJSON_AddStringToObject(x, "tlp_2_0", r->tlp);
		cJSON_AddItemToArray(objs, o);
	}
	/* what was observed: the host and its peer */
	cJSON_AddItemToArray(objs, sco(addr_type(r->k.host), r->k.host, host_id, sizeof(host_id)));
	if (r->k.peer[0])
		cJSON_AddItemToArray(objs, sco(addr_type(r->k.peer), r->k.peer, peer_id, sizeof(peer_id)));
	sdo_id(r, "observed-data", "flows", od_id, sizeof(od_id));
	o = cJSON_CreateObject();
	common(o, "observed-data", od_id, ident, mark, now);
	cJSON_AddStringToObject(o, "first_observed", first);
	cJSON_AddStringToObject(o, "last_observed", last);
	cJSON_AddNumberToObject(o, "number_observed", (double)(r->k.count ? r->k.count : 1));
	refs = cJSON_AddArrayToObject(o, "object_refs");
	cJSON_AddItemToArray(refs, cJSON_CreateString(host_id));
	if (peer_id[0])
		cJSON_AddItemToArray(refs, cJSON_CreateString(peer_id));
	cJSON_AddItemToArray(objs, o);

	sdo_id(r, "report", "initial", rid, sizeof(rid));
	rep_refs = cJSON_CreateArray();
	cJSON_AddItemToArray(rep_refs, cJSON_CreateString(od_id));
	/* each indicator the incident matched, and its sighting */
	cJSON_ArrayForEach(e, r->evidence) {
		const char *kind = reportcfg_str(e, "kind"), *type = reportcfg_str(e, "type"), *val = reportcfg_str(e, "indicator");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "count");
		char pat[1024], sid[128], ef[64], el[64];

		if (!kind || strcmp(kind, "ioc") || !type || !val || stix_pattern(type, val, pat, sizeof(pat)))
			continue;
		sdo_id(r, "indicator", val, id, sizeof(id));
		o = cJSON_CreateObject();
		common(o, "indicator", id, ident, mark, now);
		cJSON_AddStringToObject(o, "name", val);
		cJSON_AddStringToObject(o, "description", reportcfg_str(e, "observed") ? reportcfg_str(e, "observed") : val);
		cJSON_AddItemToObject(o, "indicator_types",
				      cJSON_CreateStringArray((const char *[]){ "malicious-activity" }, 1));
		cJSON_AddStringToObject(o, "pattern", pat);
		cJSON_AddStringToObject(o, "pattern_type", "stix");
		cJSON_AddStringToObject(o, "valid_from", first);
		if (reportcfg_str(e, "source")) {
			cJSON *lab = cJSON_AddArrayToObject(o, "labels");
			char l[160];

			snprintf(l, sizeof(l), "source:%s", reportcfg_str(e, "source"));
			cJSON_AddItemToArray(lab, cJSON_CreateString(l));
		}
		cJSON_AddItemToArray(objs, o);
		cJSON_AddItemToArray(rep_refs, cJSON_CreateString(id));

		sdo_id(r, "sighting", val, sid, sizeof(sid));
		o = cJSON_CreateObject();
		common(o, "sighting", sid, ident, mark, now);
		stix_time(queue_iso_ms(reportcfg_str(e, "first_seen") ? reportcfg_str(e, "first_seen") : r->k.first_seen),
			  ef, sizeof(ef));
		stix_time(queue_iso_ms(reportcfg_str(e, "last_seen") ? reportcfg_str(e, "last_seen") : r->k.last_seen),
			  el, sizeof(el));
		cJSON_AddStringToObject(o, "first_seen", ef);
		cJSON_AddStringToObject(o, "last_seen", el);
		cJSON_AddNumberToObject(o, "count", cJSON_IsNumber(c) && c->valuedouble >= 1 ? c->valuedouble : 1);
		cJSON_AddStringToObject(o, "sighting_of_ref", id);
		refs = cJSON_AddArrayToObject(o, "observed_data_refs");
		cJSON_AddItemToArray(refs, cJSON_CreateString(od_id));
		refs = cJSON_AddArrayToObject(o, "where_sighted_refs");
		cJSON_AddItemToArray(refs, cJSON_CreateString(ident));
		cJSON_AddItemToArray(objs, o);
		cJSON_AddItemToArray(rep_refs, cJSON_CreateString(sid));
	}
	/* the narrative */
	{
		char name[1600], desc[4096];

		snprintf(name, sizeof(name), "%s — %s (%s)", r->k.category_vi, r->k.host, r->k.agency);
		snprintf(desc, sizeof(desc),
			 "Host %s of %s: %s, severity %s (score %" PRIu64 "), seen %" PRIu64 " times from %s to %s; "
			 "indicator %s. National incident type %u. Status: %s. "
			 "Máy %s của %s: %s, mức độ %s, %" PRIu64 " lần.",
			 r->k.host, r->k.agency, r->k.category, r->k.severity, r->k.score, r->k.count,
			 r->k.first_seen, r->k.last_seen, r->k.indicator, r->k.national_type, r->k.status,
			 r->k.host, r->k.agency, r->k.category_vi, r->k.severity, r->k.count);
		o = cJSON_CreateObject();
		common(o, "report", rid, ident, mark, now);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddStringToObject(o, "description", desc);
		cJSON_AddItemToObject(o, "report_types", cJSON_CreateStringArray((const char *[]){ "threat-report" }, 1));
		cJSON_AddStringToObject(o, "published", now);
		cJSON_AddItemToObject(o, "object_refs", rep_refs);
		cJSON_AddItemToArray(objs, o);
	}
	text = cJSON_Print(b);
	cJSON_Delete(b);
	return text;
}

/* ---- MISP ---- */

static const char *misp_type(const char *t, const char **category)
{
	static const struct { const char *ours, *misp, *cat; } map[] = {
		{ "domain", "domain", "Network activity" }, { "ip", "ip-dst", "Network activity" },
		{ "cidr", "ip-dst", "Network activity" }, { "url", "url", "Network activity" },
		{ "md5", "md5", "Payload delivery" }, { "sha1", "sha1", "Payload delivery" },
		{ "sha256", "sha256", "Payload delivery" }, { "ja3", "ja3-fingerprint-md5", "Network activity" },
		{ "ja3s", "ja3-fingerprint-md5", "Network activity" },
		{ "cert_sha1", "x509-fingerprint-sha1", "Network activity" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(map[i].ours, t)) {
			*category = map[i].cat;
			return map[i].misp;
		}
	return NULL;
}

static char *misp_event(struct report *r)
{
	cJSON *root = cJSON_CreateObject(), *ev = cJSON_AddObjectToObject(root, "Event"), *attrs, *tags, *a;
	char u[37], info[1600], date[32], ts[24];
	const cJSON *e;
	time_t t = (time_t)(first_ms(r) / 1000);
	struct tm tm;
	const char *threat = r->k.sev_rank >= 4 ? "1" : r->k.sev_rank == 3 ? "2" : r->k.sev_rank == 2 ? "3" : "4";

	gmtime_r(&t, &tm);
	snprintf(date, sizeof(date), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	snprintf(ts, sizeof(ts), "%" PRId64, r->now_ms / 1000);
	uuid5(ns_hd, r->k.id, u);
	snprintf(info, sizeof(info), "%s — %s (%s): %s", r->k.category_vi, r->k.host, r->k.agency, r->k.indicator);
	cJSON_AddStringToObject(ev, "uuid", u);
	cJSON_AddStringToObject(ev, "info", info);
	cJSON_AddStringToObject(ev, "threat_level_id", threat);
	cJSON_AddStringToObject(ev, "analysis", handled(&r->k) ? "2" : "1");
	cJSON_AddStringToObject(ev, "distribution", "0");
	cJSON_AddStringToObject(ev, "date", date);
	cJSON_AddStringToObject(ev, "timestamp", ts);
	cJSON_AddBoolToObject(ev, "published", false);
	if (reportcfg_str(r->conf, "reporter.name")) {
		cJSON *org = cJSON_AddObjectToObject(ev, "Orgc");
		cJSON_AddStringToObject(org, "name", reportcfg_str(r->conf, "reporter.name"));
	}
	attrs = cJSON_AddArrayToObject(ev, "Attribute");
	cJSON_ArrayForEach(e, r->evidence) {
		const char *kind = reportcfg_str(e, "kind"), *type = reportcfg_str(e, "type"), *val = reportcfg_str(e, "indicator");
		const char *cat = NULL, *mt;
		char au[37], key[700];

		if (!kind || strcmp(kind, "ioc") || !type || !val || !(mt = misp_type(type, &cat)))
			continue;
		snprintf(key, sizeof(key), "%s|%s", r->k.id, val);
		uuid5(ns_hd, key, au);
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "uuid", au);
		cJSON_AddStringToObject(a, "type", mt);
		cJSON_AddStringToObject(a, "category", cat);
		cJSON_AddStringToObject(a, "value", val);
		cJSON_AddBoolToObject(a, "to_ids", true);
		cJSON_AddStringToObject(a, "timestamp", ts);
		cJSON_AddStringToObject(a, "distribution", "5");
		if (reportcfg_str(e, "observed"))
			cJSON_AddStringToObject(a, "comment", reportcfg_str(e, "observed"));
		cJSON_AddItemToArray(attrs, a);
	}
	/* the agency's host as the victim side */
	a = cJSON_CreateObject();
	snprintf(info, sizeof(info), "%s|host", r->k.id);
	uuid5(ns_hd, info, u);
	cJSON_AddStringToObject(a, "uuid", u);
	cJSON_AddStringToObject(a, "type", "ip-src");
	cJSON_AddStringToObject(a, "category", "Network activity");
	cJSON_AddStringToObject(a, "value", r->k.host);
	cJSON_AddBoolToObject(a, "to_ids", false);
	cJSON_AddStringToObject(a, "timestamp", ts);
	cJSON_AddStringToObject(a, "distribution", "5");
	cJSON_AddStringToObject(a, "comment", "the agency's affected host / máy bị ảnh hưởng");
	cJSON_AddItemToArray(attrs, a);
	tags = cJSON_AddArrayToObject(ev, "Tag");
	{
		cJSON *tg = cJSON_CreateObject();
		char tn[40];

		snprintf(tn, sizeof(tn), "tlp:%s", r->tlp);
		cJSON_AddStringToObject(tg, "name", tn);
		cJSON_AddItemToArray(tags, tg);
	}
	{
		char *text = cJSON_Print(root);
		cJSON_Delete(root);
		return text;
	}
}

/* ---- the management summary ---- */

static void summary_md(struct report *r)
{
	char d[32], tm_[48];
	const cJSON *e;

	vn_date(first_ms(r), d, sizeof(d), tm_, sizeof(tm_));
	fprintf(r->out, "# Sự cố an toàn thông tin: %s tại %s\n\n", r->k.category_vi, r->k.agency);
	fprintf(r->out, "**Incident:** %s at %s\n\n", r->k.category, r->k.agency);
	fprintf(r->out, "| | |\n|---|---|\n| Mã / ID | `%s` |\n| Mức độ / Severity | %s (điểm %" PRIu64 ") |\n"
		"| Máy bị ảnh hưởng / Host | %s |\n| Đối tượng liên quan / Peer | %s |\n"
		"| Phát hiện lúc / Discovered | %s, %s (UTC+07:00) |\n| Số lần / Count | %" PRIu64 " |\n"
		"| Trạng thái / Status | %s%s%s |\n| Loại sự cố quốc gia / National type | %u |\n\n",
		r->k.id, r->k.severity, r->k.score, r->k.host, opt(r->k.peer), d, tm_, r->k.count,
		r->k.status, r->k.assignee[0] ? " — " : "", r->k.assignee, r->k.national_type);
	fputs("## Điều đã thấy / What was seen\n\n", r->out);
	cJSON_ArrayForEach(e, r->evidence) {
		const char *ind = reportcfg_str(e, "indicator"), *rule = reportcfg_str(e, "rule"), *obs = reportcfg_str(e, "observed");
		fprintf(r->out, "- %s%s%s\n", ind ? ind : rule ? rule : "?", obs ? " — " : "", obs ? obs : "");
	}
	fputs("\n## Việc cần làm / What to do\n\n"
	      "Đội ứng cứu sự cố của tỉnh đang xử lý theo quy trình; đơn vị phối hợp cô lập máy bị ảnh hưởng "
	      "khi được yêu cầu và không tự ý xóa dữ liệu trên máy.\n\n"
	      "*The provincial team is handling it; the agency helps isolate the host when asked and does not "
	      "wipe it on its own.*\n", r->out);
}

/* ---- sending ---- */

static const char *form_name(const char *format)
{
	return !strcmp(format, "vn") ? "Mẫu 03 (báo cáo ban đầu)" :
	       !strcmp(format, "vn-final") ? "Mẫu 04 (báo cáo kết thúc)" :
	       !strcmp(format, "stix") ? "STIX 2.1" : !strcmp(format, "misp") ? "MISP" : "tóm tắt";
}

/* Runs the configured transport on path; the report's facts reach it as
 * environment variables, never spliced into the command line. */
static int transport(struct report *r, const char *path, const char *format)
{
	const char *cmd = reportcfg_str(r->conf, "transport.command");
	char subject[600];
	pid_t pid;
	int st;

	if (!cmd) {
		triage_err(r->t, "--send: the report configuration has no transport.command (docs/reports.md)",
			   "--send: cấu hình báo cáo chưa có transport.command (docs/reports.md)");
		return -1;
	}
	snprintf(subject, sizeof(subject), "[TBSC] %s — %s — %s (%.12s)", form_name(format),
		 r->k.category_vi, r->k.agency, r->k.id);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setenv("HAIDANG_REPORT_FILE", path, 1);
		setenv("HAIDANG_REPORT_FORMAT", format, 1);
		setenv("HAIDANG_REPORT_SUBJECT", subject, 1);
		setenv("HAIDANG_INCIDENT_ID", r->k.id, 1);
		setenv("HAIDANG_REPORT_NUMBER", r->number ? r->number : "", 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		triage_err(r->t, "--send: the transport command failed (status %d); nothing recorded",
			   "--send: lệnh gửi thất bại (mã %d); không ghi nhận gì", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

/* After a successful send: the note in the history, and for an initial
 * report its number and date for the closure report. */
static int record_sent(struct report *r, const char *slug, const char *format, const char *path)
{
	struct action_result ar;
	char note[1200], key[QUEUE_KEY_MAX], ms[24];

	snprintf(note, sizeof(note), "Đã gửi báo cáo / report sent: %s%s%s, %s",
		 form_name(format), r->number ? " số " : "", r->number ? r->number : "", path);
	if (actions_note(r->t, slug, r->k.id, note, &ar) || ar.rc) {
		triage_err(r->t, "sent, but not recorded: %s", "đã gửi nhưng chưa ghi nhận được: %s", ar.msg);
		return -1;
	}
	if (!strcmp(format, "vn") && r->number) {
		const char *hs[6] = { "HSET", key, "initial_report_no", r->number, "initial_report_ms", ms };
		redisReply *rep;

		snprintf(ms, sizeof(ms), "%" PRId64, r->now_ms);
		queue_key(key, sizeof(key), slug, "case", r->k.id);
		rep = hd_redis_command(r->t->conn, 6, hs, NULL);
		if (!rep || rep->type == REDIS_REPLY_ERROR) {
			triage_err(r->t, "sent, but its number not kept: %s", "đã gửi nhưng chưa lưu được số ký hiệu: %s",
				   rep ? rep->str : hd_redis_error(r->t->conn));
			hd_redis_reply_free(rep);
			return -1;
		}
		hd_redis_reply_free(rep);
	}
	return 0;
}

/* ---- HTML and PDF ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

static int render(struct triage *t, const char *path, const char *md, size_t len, const char *title)
{
	char err[512];
	FILE *f;

	if (ends_with(path, ".pdf")) {
		if (mdhtml_pdf(md, len, title, path, err, sizeof(err))) {
			triage_err(t, "%s: %s", "%s: %s", path, err);
			return -1;
		}
		return 0;
	}
	if (!(f = fopen(path, "w")) || mdhtml_write(f, md, len, title) | fclose(f)) {
		triage_err(t, "%s: cannot write", "%s: không ghi được", path);
		return -1;
	}
	return 0;
}

/* ---- the command ---- */

static int run_report(struct triage *t, int argc, char **argv)
{
	struct report r;
	const char *idp = NULL, *format = NULL, *outp = NULL, *confp = NULL;
	char slug[QUEUE_SLUG_MAX], id[QUEUE_ID_MAX], err[512], key[QUEUE_KEY_MAX];
	redisReply *ev = NULL, *cs = NULL;
	char *text = NULL, *mdbuf = NULL;
	size_t mdlen = 0;
	bool send = false, rendered = false;
	int rc = 1;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.tlp = "amber";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--format") && v)
			format = v, i++;
		else if (!strcmp(a, "-o") && v)
			outp = v, i++;
		else if (!strcmp(a, "--config") && v)
			confp = v, i++;
		else if (!strcmp(a, "--number") && v)
			r.number = v, i++;
		else if (!strcmp(a, "--tlp") && v)
			r.tlp = v, i++;
		else if (!strcmp(a, "--send"))
			send = true;
		else if (a[0] != '-' && !idp)
			idp = a;
		else
			idp = NULL, format = NULL, i = argc;
	}
	if (!idp || !format || (strcmp(format, "vn") && strcmp(format, "vn-final") && strcmp(format, "stix") &&
				strcmp(format, "misp") && strcmp(format, "md")) || !tlp_id(r.tlp)) {
		fprintf(stderr, "%s: haidang-triage report %s\n", t->vi ? "Cách dùng" : "Usage", cmd_report.synopsis);
		return 2;
	}
	/* the configuration: required for the national forms */
	if (send && (!outp || t->o.read_only)) {
		triage_err(t, t->o.read_only ? "--send changes the ticket: refused under --read-only"
					     : "--send needs -o FILE: the file the transport sends",
			   t->o.read_only ? "--send thay đổi phiếu: bị từ chối ở chế độ --read-only"
					  : "--send cần -o TỆP: tệp mà lệnh gửi sẽ gửi đi");
		return t->o.read_only ? 1 : 2;
	}
	if (!confp && access(DEFAULT_REPORT_CONFIG, R_OK) == 0)
		confp = DEFAULT_REPORT_CONFIG;
	if (confp && !(r.conf = reportcfg_load(confp, err, sizeof(err)))) {
		triage_err(t, "report configuration: %s", "cấu hình báo cáo: %s", err);
		return 2;
	}
	if (!triage_conn(t) || tickets_resolve(t, idp, slug, id) || tickets_read(t, slug, id, &r.k))
		goto out;
	r.agency = agency_entry(r.conf, &r.k);
	if (!confp && (!strcmp(format, "vn") || !strcmp(format, "vn-final")))
		triage_err(t, "no report configuration (--config, or " DEFAULT_REPORT_CONFIG "): "
			   "the reporter's fields are flagged as missing",
			   "không có cấu hình báo cáo (--config, hoặc " DEFAULT_REPORT_CONFIG "): "
			   "các trường của đơn vị báo cáo được đánh dấu là còn thiếu");
	{
		const char *hg[3] = { "HGET", key, "evidence" };

		queue_key(key, sizeof(key), slug, "det", id);
		ev = hd_redis_command(t->conn, 3, hg, NULL);
		if (ev && ev->type == REDIS_REPLY_STRING)
			r.evidence = cJSON_ParseWithLength(ev->str, ev->len);
	}
	r.now_ms = (int64_t)time(NULL) * 1000;
	/* -o FILE.pdf or FILE.html: the Markdown is made in memory first */
	rendered = outp && (ends_with(outp, ".pdf") || ends_with(outp, ".html")) &&
		   strcmp(format, "stix") && strcmp(format, "misp");
	r.out = rendered ? open_memstream(&mdbuf, &mdlen) : outp ? fopen(outp, "w") : stdout;
	if (!r.out) {
		triage_err(t, "%s: cannot write", "%s: không ghi được", outp);
		goto out;
	}
	if (!strcmp(format, "vn")) {
		form_vn(&r);
	} else if (!strcmp(format, "vn-final")) {
		const char *hg[4] = { "HMGET", key, "initial_report_no", "initial_report_ms" };

		queue_key(key, sizeof(key), slug, "case", id);
		cs = hd_redis_command(t->conn, 4, hg, NULL);
		form_vn_final(&r, r.number ? r.number :
			      cs && cs->type == REDIS_REPLY_ARRAY && cs->element[0]->type == REDIS_REPLY_STRING ?
			      cs->element[0]->str : NULL,
			      cs && cs->type == REDIS_REPLY_ARRAY && cs->element[1]->type == REDIS_REPLY_STRING ?
			      strtoll(cs->element[1]->str, NULL, 10) : 0);
	} else if (!strcmp(format, "stix")) {
		text = stix_bundle(&r);
	} else if (!strcmp(format, "misp")) {
		text = misp_event(&r);
	} else {
		summary_md(&r);
	}
	if (text)
		fprintf(r.out, "%s\n", text);
	if (outp && fclose(r.out)) {
		triage_err(t, "%s: write failed", "%s: ghi thất bại", outp);
		r.out = NULL;
		goto out;
	}
	if (rendered && render(t, outp, mdbuf, mdlen, form_name(format)))
		goto out;
	if (r.missing)
		triage_err(t, "%u mandatory field(s) flagged as missing: fill them in the report configuration",
			   "%u trường bắt buộc còn thiếu (đã đánh dấu): hãy điền trong cấu hình báo cáo", r.missing);
	if (send && (r.missing || transport(&r, outp, format) || record_sent(&r, slug, format, outp))) {
		if (r.missing)
			triage_err(t, "--send: not sent while mandatory fields are missing",
				   "--send: không gửi khi còn trường bắt buộc bị thiếu");
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(mdbuf);
	cJSON_Delete(r.evidence);
	cJSON_Delete(r.conf);
	hd_redis_reply_free(ev);
	hd_redis_reply_free(cs);
	return rc;
}

const struct triage_cmd cmd_report = {
	"report",
	"ID --format vn|vn-final|stix|misp|md [-o FILE [--send]] [--config FILE] [--number N] "
	"[--tlp clear|green|amber|amber+strict|red]",
	"one incident as the national initial/closure report (Mẫu 03/04), STIX 2.1, MISP or a summary",
	"một sự cố dưới dạng báo cáo ban đầu/kết thúc (Mẫu 03/04), STIX 2.1, MISP hoặc bản tóm tắt",
	false, run_report,
};
