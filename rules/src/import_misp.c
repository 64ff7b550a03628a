/*
 * import_misp.c - "--from misp": a MISP event as MISP exports it
 * ({"Event": {...}}), a list of them ({"response": [{"Event": ...}]}) or
 * a bare event object.
 *
 * Every attribute of Event.Attribute[] and of Event.Object[].Attribute[]
 * whose to_ids is true and that is not deleted is mapped by its MISP type
 * (misp_types[] below); attributes with to_ids false, deleted ones and
 * types haidang has no indicator for are reported as skipped with their
 * JSON path. Severity: --severity, else the event's threat_level_id
 * (1 high, 2 medium, 3 low, 4 undefined -> medium). Description: the
 * event's info; the attribute's comment, its object's name and a file
 * name (filename|sha256, or the file object's filename) are the detail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "rules.h"
#include "banned.h"

#define MISP_FILE_MAX (256u << 20)

enum misp_kind {
	MK_IP,        /* ip or cidr */
	MK_IP_PORT,   /* "1.2.3.4|443" */
	MK_DOMAIN,
	MK_HOST_PORT, /* "host|443" */
	MK_DOMAIN_IP, /* "example.com|1.2.3.4": two indicators */
	MK_URL,
	MK_HASH,      /* type in .type */
	MK_FILE_HASH, /* "name.exe|<hash>" */
	MK_PLAIN,     /* type in .type, value as is */
};

static const struct misp_type {
	const char *name;
	enum misp_kind kind;
	enum ioc_type type;
} misp_types[] = {
	{ "ip-dst", MK_IP, IOC_IP },
	{ "ip-src", MK_IP, IOC_IP },
	{ "ip-dst|port", MK_IP_PORT, IOC_IP },
	{ "ip-src|port", MK_IP_PORT, IOC_IP },
	{ "domain", MK_DOMAIN, IOC_DOMAIN },
	{ "hostname", MK_DOMAIN, IOC_DOMAIN },
	{ "hostname|port", MK_HOST_PORT, IOC_DOMAIN },
	{ "domain|ip", MK_DOMAIN_IP, IOC_DOMAIN },
	{ "url", MK_URL, IOC_URL },
	{ "md5", MK_HASH, IOC_MD5 },
	{ "sha1", MK_HASH, IOC_SHA1 },
	{ "sha256", MK_HASH, IOC_SHA256 },
	{ "filename|md5", MK_FILE_HASH, IOC_MD5 },
	{ "filename|sha1", MK_FILE_HASH, IOC_SHA1 },
	{ "filename|sha256", MK_FILE_HASH, IOC_SHA256 },
	{ "ja3-fingerprint-md5", MK_PLAIN, IOC_JA3 },
	{ "ja3s-fingerprint-md5", MK_PLAIN, IOC_JA3S },
	{ "x509-fingerprint-sha1", MK_PLAIN, IOC_CERT_SHA1 },
};

struct misp_event {
	enum ioc_severity sev;
	char desc[512];
};

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* MISP writes booleans as true/false, older exports as "1"/"0" or 1/0. */
static bool jbool(const cJSON *o, const char *key, bool def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return !strcmp(v->valuestring, "1") || !strcmp(v->valuestring, "true");
	return def;
}

static void add_one(struct import *im, const char *where, enum ioc_type t, const char *value,
		    const char *detail, const struct misp_event *ev)
{
	struct import_rec r = {
		.type = t, .value = value, .severity = ev->sev,
		.description = ev->desc, .detail = detail,
	};

	if (t == IOC_IP && strchr(value, '/'))
		r.type = IOC_CIDR;
	import_add(im, where, &r);
}

static void add_attribute(struct import *im, const char *where, const cJSON *a,
			  const char *object, const char *object_file,
			  const struct misp_event *ev)
{
	bool vi = import_vi(im);
	const char *type = jstr(a, "type"), *value = jstr(a, "value"), *comment = jstr(a, "comment");
	const struct misp_type *mt = NULL;
	char left[1024], detail[1024], *right;
	size_t dl = 0;

	if (!cJSON_IsObject(a)) {
		import_problem(im, where, vi ? "thuộc tính không phải đối tượng JSON"
					     : "attribute is not a JSON object");
		return;
	}
	if (!type || !value) {
		import_problem(im, where, vi ? "thuộc tính thiếu \"type\" hoặc \"value\" dạng chuỗi"
					     : "attribute without a string \"type\" and \"value\"");
		return;
	}
	if (jbool(a, "deleted", false)) {
		import_skip(im, where, vi ? "thuộc tính đã xoá" : "deleted attribute");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(misp_types); i++)
		if (!strcmp(type, misp_types[i].name))
			mt = &misp_types[i];
	if (!mt) {
		import_skip(im, where, vi ? "kiểu MISP '%.60s' không có kiểu dấu hiệu tương ứng"
					  : "MISP type '%.60s' has no haidang indicator type", type);
		return;
	}
	if (!jbool(a, "to_ids", false)) {
		import_skip(im, where, vi ? "to_ids là false (%s '%.100s')" : "to_ids is false (%s '%.100s')",
			    type, value);
		return;
	}
	detail[0] = '\0';
	if (object)
		dl += (size_t)snprintf(detail, sizeof(detail), vi ? "đối tượng %s" : "%s object", object);
	if (object_file && dl < sizeof(detail))
		dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "%sfile %s",
				       dl ? ", " : "", object_file);
	if (comment && *comment && dl < sizeof(detail))
		dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "%s%s", dl ? ", " : "", comment);

	snprintf(left, sizeof(left), "%s", value);
	right = strchr(left, '|');
	if (mt->kind == MK_IP_PORT || mt->kind == MK_HOST_PORT || mt->kind == MK_DOMAIN_IP ||
	    mt->kind == MK_FILE_HASH) {
		if (!right || !right[1] || right == left) {
			import_problem(im, where, vi ? "giá trị '%.100s' của kiểu %s cần dạng A|B"
						     : "value '%.100s' of type %s is not A|B", value, type);
			return;
		}
		*right++ = '\0';
	}
	switch (mt->kind) {
	case MK_IP_PORT:
	case MK_HOST_PORT: {
		char d[2200];
		snprintf(d, sizeof(d), "port %s%s%s", right, *detail ? ", " : "", detail);
		add_one(im, where, mt->type, left, d, ev);
		break;
	}
	case MK_DOMAIN_IP:
		add_one(im, where, IOC_DOMAIN, left, *detail ? detail : NULL, ev);
		add_one(im, where, IOC_IP, right, *detail ? detail : NULL, ev);
		break;
	case MK_FILE_HASH: {
		char d[2200];
		snprintf(d, sizeof(d), "file %s%s%s", left, *detail ? ", " : "", detail);
		add_one(im, where, mt->type, right, d, ev);
		break;
	}
	default:
		add_one(im, where, mt->type, value, *detail ? detail : NULL, ev);
		break;
	}
}

static void read_event(struct import *im, const char *path, const cJSON *e)
{
	bool vi = import_vi(im);
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(e, "Attribute");
	const cJSON *objs = cJSON_GetObjectItemCaseSensitive(e, "Object");
	const cJSON *tl = cJSON_GetObjectItemCaseSensitive(e, "threat_level_id");
	const char *info = jstr(e, "info"), *id = jstr(e, "id");
	struct misp_event ev = { .sev = IOC_SEV_MEDIUM };
	char where[256];
	int level = 0, i;

	if (cJSON_IsString(tl))
		level = tl->valuestring[0] && !tl->valuestring[1] ? tl->valuestring[0] - '0' : 0;
	else if (cJSON_IsNumber(tl))
		level = tl->valueint;
	ev.sev = level == 1 ? IOC_SEV_HIGH : level == 3 ? IOC_SEV_LOW : IOC_SEV_MEDIUM;
	snprintf(ev.desc, sizeof(ev.desc), "%s%s%s%s", vi ? "sự kiện MISP" : "MISP event",
		 id ? " " : "", id ? id : "", info ? ": " : "");
	if (info)
		snprintf(ev.desc + strlen(ev.desc), sizeof(ev.desc) - strlen(ev.desc), "%s", info);

	if (attrs && !cJSON_IsArray(attrs)) {
		snprintf(where, sizeof(where), "%s%sAttribute", path, *path ? "." : "");
		import_problem(im, where, vi ? "không phải mảng" : "not an array");
	}
	if (cJSON_IsArray(attrs)) {
		const cJSON *a;
		i = 0;
		cJSON_ArrayForEach(a, attrs) {
			snprintf(where, sizeof(where), "%s%sAttribute[%d]", path, *path ? "." : "", i++);
			add_attribute(im, where, a, NULL, NULL, &ev);
		}
	}
	if (objs && !cJSON_IsArray(objs)) {
		snprintf(where, sizeof(where), "%s%sObject", path, *path ? "." : "");
		import_problem(im, where, vi ? "không phải mảng" : "not an array");
	}
	if (cJSON_IsArray(objs)) {
		const cJSON *o;
		int oi = 0;
		cJSON_ArrayForEach(o, objs) {
			const cJSON *oattrs = cJSON_GetObjectItemCaseSensitive(o, "Attribute"), *a;
			const char *oname = jstr(o, "name"), *ofile = NULL;
			char opath[200];

			snprintf(opath, sizeof(opath), "%s%sObject[%d]", path, *path ? "." : "", oi++);
			if (jbool(o, "deleted", false)) {
				import_skip(im, opath, vi ? "đối tượng đã xoá" : "deleted object");
				continue;
			}
			if (!cJSON_IsArray(oattrs)) {
				import_problem(im, opath, vi ? "đối tượng không có mảng \"Attribute\""
							     : "object without an \"Attribute\" array");
				continue;
			}
			/* a file object's hashes are about its filename */
			cJSON_ArrayForEach(a, oattrs) {
				const char *t = jstr(a, "type"), *rel = jstr(a, "object_relation");
				if ((t && !strcmp(t, "filename")) || (rel && !strcmp(rel, "filename")))
					ofile = jstr(a, "value");
			}
			i = 0;
			cJSON_ArrayForEach(a, oattrs) {
				const char *t = jstr(a, "type");
				snprintf(where, sizeof(where), "%s.Attribute[%d]", opath, i++);
				/* the filename itself is context, not an indicator */
				if (t && !strcmp(t, "filename"))
					continue;
				add_attribute(im, where, a, oname ? oname : "?", ofile, &ev);
			}
		}
	}
}

static int misp_read(struct import *im, const char *path)
{
	bool vi = import_vi(im);
	const cJSON *ev, *resp;
	cJSON *root;
	int rc = import_json(im, path, MISP_FILE_MAX, &root);

	if (!root)
		return rc;
	ev = cJSON_GetObjectItemCaseSensitive(root, "Event");
	resp = cJSON_GetObjectItemCaseSensitive(root, "response");
	if (cJSON_IsObject(ev)) {
		read_event(im, "Event", ev);
	} else if (cJSON_IsArray(resp)) {
		const cJSON *item;
		int i = 0;
		cJSON_ArrayForEach(item, resp) {
			char p[64];
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(item, "Event");
			snprintf(p, sizeof(p), "response[%d].Event", i++);
			if (cJSON_IsObject(e))
				read_event(im, p, e);
			else
				import_problem(im, p, vi ? "không có đối tượng \"Event\"" : "no \"Event\" object");
		}
	} else if (cJSON_IsObject(root) && (cJSON_GetObjectItemCaseSensitive(root, "Attribute") ||
					    cJSON_GetObjectItemCaseSensitive(root, "Object"))) {
		read_event(im, "", root);
	} else {
		import_problem(im, "1", vi ? "không phải sự kiện MISP (không có Event, response hay Attribute)"
					   : "not a MISP event (no Event, response or Attribute)");
	}
	cJSON_Delete(root);
	return 0;
}

const struct importer import_misp = {
	.name = "misp",
	.help_en = "MISP event JSON: attributes and object attributes with to_ids, "
		   "threat_level_id -> severity",
	.help_vi = "JSON sự kiện MISP: thuộc tính và thuộc tính của đối tượng có to_ids, "
		   "threat_level_id -> mức độ",
	.read = misp_read,
};
