/*
 * category.c - the table of incident categories and their national types
 * (see category.h). The national list's wording follows the reporting
 * forms exactly; do not "improve" it.
 */
#include "category.h"

#include <string.h>

#include "banned.h"

static const char *national_vi[11] = {
	NULL,
	"Từ chối dịch vụ",
	"Tấn công giả mạo",
	"Tấn công sử dụng mã độc",
	"Truy cập trái phép, chiếm quyền điều khiển",
	"Thay đổi giao diện",
	"Mã hóa phần mềm, dữ liệu, thiết bị",
	"Phá hoại thông tin, dữ liệu, phần mềm",
	"Nghe trộm, gián điệp, lấy cắp thông tin, dữ liệu",
	"Tấn công tổng hợp sử dụng kết hợp nhiều hình thức",
	"Các hình thức tấn công khác",
};

static const char *national_en[11] = {
	NULL, "Denial of service", "Spoofing / phishing", "Malware",
	"Unauthorised access / takeover of control", "Defacement",
	"Encryption of software, data or devices", "Destruction of information, data or software",
	"Eavesdropping, espionage, data theft", "Combined attack", "Other attack types",
};

const struct category category_table[] = {
	{ "malware", "Mã độc", "Malware", 3 },
	{ "c2", "Kết nối máy chủ điều khiển (C2)", "Command and control (C2)", 3 },
	{ "ransomware", "Mã độc tống tiền", "Ransomware", 6 },
	{ "phishing", "Lừa đảo, giả mạo", "Phishing", 2 },
	{ "webshell", "Webshell", "Webshell", 4 },
	{ "defacement", "Thay đổi giao diện", "Defacement", 5 },
	{ "exploit", "Khai thác lỗ hổng", "Exploit attempt", 4 },
	{ "scanning", "Dò quét", "Scanning", 10 },
	{ "brute_force", "Dò mật khẩu", "Brute force", 4 },
	{ "ddos", "Từ chối dịch vụ", "Denial of service", 1 },
	{ "exfiltration", "Lấy cắp dữ liệu", "Data exfiltration", 8 },
	{ "tunnelling", "Đường hầm (DNS, ...)", "Tunnelling", 8 },
	{ "mining", "Đào tiền ảo trái phép", "Cryptomining", 3 },
	{ "policy", "Vi phạm chính sách (Tor, ...)", "Policy violation (Tor, ...)", 10 },
	{ "other", "Khác", "Other", 10 },
	{ NULL, NULL, NULL, 0 },
};

const struct category *category_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct category *c = category_table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct category *category_get(const char *name)
{
	const struct category *c = category_find(name);

	return c ? c : category_find("other");
}

const char *category_national_name(int type)
{
	return type >= 1 && type <= 10 ? national_vi[type] : NULL;
}

const char *category_national_name_en(int type)
{
	return type >= 1 && type <= 10 ? national_en[type] : NULL;
}
