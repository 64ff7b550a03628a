/*
 * fuzz_common.c - the helpers of fuzz.h: framing readers over an input,
 * the JSON check of event writers, and a scratch directory for targets
 * whose code reads files.
 *
 * The scratch directory is made under $HAIDANG_FUZZ_TMPDIR, else under
 * /dev/shm when it exists (the spool fsyncs, and a disk would make that
 * the whole cost of an input), else under $TMPDIR or /tmp, and removed by
 * an atexit handler. libFuzzer leaves some ways without running atexit
 * handlers (a crash, the end of -max_total_time): ./run.sh fuzz gives each
 * run a directory of its own and removes it afterwards.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "jsonw.h"
#include "banned.h"

uint8_t fuzz_u8(struct fuzz_in *in, uint8_t def)
{
	if (!in->n)
		return def;
	in->n--;
	return *in->p++;
}

uint16_t fuzz_u16(struct fuzz_in *in, uint16_t def)
{
	uint16_t v;

	if (in->n < 2)
		return def;
	v = (uint16_t)(in->p[0] << 8 | in->p[1]);
	in->p += 2;
	in->n -= 2;
	return v;
}

bool fuzz_piece(struct fuzz_in *in, const uint8_t **data, size_t *len)
{
	size_t want;

	if (!in->n)
		return false;
	want = fuzz_u16(in, 0);
	if (want > in->n)
		want = in->n;
	*data = in->p;
	*len = want;
	in->p += want;
	in->n -= want;
	return true;
}

static char scratch[256];

/* The scratch directory and the directories targets made in it. */
static void scratch_remove(void)
{
	DIR *d;
	struct dirent *e;
	char path[512];

	if (!scratch[0] || !(d = opendir(scratch)))
		return;
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
		if (!lstat(path, &st) && S_ISDIR(st.st_mode))
			fuzz_clear_dir(path, true);
	}
	closedir(d);
	fuzz_clear_dir(scratch, true);
}

const char *fuzz_scratch(void)
{
	const char *base;

	if (scratch[0])
		return scratch;
	base = getenv("HAIDANG_FUZZ_TMPDIR");
	if ((!base || !*base) && !access("/dev/shm", W_OK))
		base = "/dev/shm";
	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(scratch, sizeof(scratch), "%s/haidang-fuzz-XXXXXX", base);
	if (!mkdtemp(scratch)) {
		scratch[0] = '\0';
		return NULL;
	}
	atexit(scratch_remove);
	return scratch;
}

int fuzz_write_file(const char *path, const uint8_t *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = 0;

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		data += w;
		len -= (size_t)w;
	}
	close(fd);
	return rc;
}

void fuzz_clear_dir(const char *dir, bool self)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (d) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	if (self)
		rmdir(dir);
}

void fuzz_jw_open(struct jw *w)
{
	jw_init(w, 1 << 20);
	jw_obj_open(w, NULL);
}

void fuzz_jw_check(struct jw *w)
{
	jw_obj_close(w);
	if (!w->overflow)
		fuzz_check_json(w->buf, w->len);
	jw_finish(w);
}

void fuzz_check_json(const char *buf, size_t len)
{
	cJSON *v = cJSON_ParseWithLength(buf, len);

	if (!v) {
		fprintf(stderr, "fuzz: the writer produced invalid JSON: %.*s\n",
			(int)(len > 4096 ? 4096 : len), buf);
		abort();
	}
	cJSON_Delete(v);
}
