/*
 * category.h - haidang's incident categories and the national incident
 * types they map to.
 *
 * Every incident carries both: haidang's own category (what the team
 * works with, e.g. "webshell") and one of the ten incident types of the
 * national reporting forms (Circular 20/2017/TT-BTTTT, Mẫu 05 rows and the
 * national portal's list), in its official Vietnamese wording and its
 * number 1-10. Shared by the sensor, the console and the reports.
 */
#ifndef HAIDANG_CATEGORY_H
#define HAIDANG_CATEGORY_H

struct category {
	const char *name;     /* "malware", "c2", ... */
	const char *name_vi;  /* Vietnamese label for the team */
	const char *name_en;
	int national_type;    /* 1..10 */
};

/* The category with this name, or NULL. */
const struct category *category_find(const char *name);
/* "other" when name is NULL or unknown. */
const struct category *category_get(const char *name);
/* The national type's official wording (1..10), or NULL. */
const char *category_national_name(int type);
const char *category_national_name_en(int type);
/* All categories, NULL-terminated by name. */
extern const struct category category_table[];

#endif
