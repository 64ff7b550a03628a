/*
 * rulesdir.c - which files of a rules directory a command looks at:
 * ioc/ and allow/ CSV files, YARA files below yara/, listed in a stable (sorted) order
 * so that check and stats report the same way on every machine. Hidden
 * files and editor leftovers ("~", ".swp") never match an extension.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rules.h"
#include "banned.h"

bool rulesdir_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

void pathlist_free(struct pathlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int pathlist_add(struct pathlist *l, const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	char *p;

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	p = malloc(len);
	if (!p)
		return -ENOMEM;
	snprintf(p, len, "%s/%s", dir, name);
	l->v[l->n++] = p;
	return 0;
}

static bool has_ext(const char *name, const char *const *exts)
{
	size_t n = strlen(name);

	for (; *exts; exts++) {
		size_t e = strlen(*exts);
		if (n > e && !strcasecmp(name + n - e, *exts))
			return true;
	}
	return false;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const char *dir, const char *const *exts, bool recursive,
		    struct pathlist *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!r && (e = readdir(d))) {
		char sub[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (stat(sub, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (recursive)
				r = list_dir(sub, exts, recursive, out);
		} else if (S_ISREG(st.st_mode) && has_ext(e->d_name, exts)) {
			r = pathlist_add(out, dir, e->d_name);
		}
	}
	closedir(d);
	return r;
}

int rulesdir_list(const char *dir, const char *const *exts, bool recursive,
		  struct pathlist *out)
{
	size_t first = out->n;
	int r = list_dir(dir, exts, recursive, out);

	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_path);
	return r;
}
