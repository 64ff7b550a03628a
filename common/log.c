/*
 * log.c - stderr logging with journald-friendly priority prefixes.
 * A message is formatted into a bounded buffer and written with one write()
 * so lines from several threads never interleave. With log_set_json(1)
 * each line is a JSON object instead, for central log collection.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "jsonw.h"
#include "util.h"
#include "banned.h"

static const char *log_program = "haidang";
static enum log_level log_max = LOG_LVL_INFO;
static int log_journal;
static int log_json;

void log_init(const char *program, enum log_level max_level)
{
	log_program = program;
	log_max = max_level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(enum log_level max_level)
{
	log_max = max_level;
}

void log_set_json(int json)
{
	log_json = json;
}

/* {"ts":"…","level":"…","program":"…","msg":"…"}: msg made valid UTF-8
 * and escaped by the JSON writer. */
static void log_json_line(enum log_level level, const char *name, const char *msg)
{
	char ts[HD_TSLEN];
	struct timeval tv;
	struct jw w;

	gettimeofday(&tv, NULL);
	ts_format(&tv, ts, sizeof(ts));
	jw_init(&w, 8192);
	if (log_journal) {
		char pri[8];
		int n = snprintf(pri, sizeof(pri), "<%d>", (int)level);
		jw_raw(&w, pri, (size_t)n);
	}
	jw_obj_open(&w, NULL);
	jw_str(&w, "ts", ts);
	jw_str(&w, "level", name);
	jw_str(&w, "program", log_program);
	jw_str(&w, "msg", msg);
	jw_obj_close(&w);
	jw_raw(&w, "\n", 1);
	if (!w.overflow && write(STDERR_FILENO, w.buf, w.len) < 0) {
		/* nothing sensible left to do */
	}
	jw_finish(&w);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *names[8] = { "emerg", "alert", "crit", "error",
					"warning", "notice", "info", "debug" };
	char line[2048];
	int n = 0, m;
	va_list ap;

	if (level > log_max)
		return;
	if (log_json) {
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		log_json_line(level, names[level & 7], line);
		return;
	}
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>", (int)level);
	m = snprintf(line + n, sizeof(line) - (size_t)n, "%s: %s: ",
		     log_program, names[level & 7]);
	if (m > 0)
		n += m;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m > 0)
		n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	/* a message never spans lines: newlines from inputs become spaces */
	for (int i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nothing sensible left to do */
	}
}
