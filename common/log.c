/*
 * log.c - stderr logging with journald-friendly priority prefixes.
 * A message is formatted into a bounded buffer and written with one write()
 * so lines from several threads never interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "banned.h"

static const char *log_program = "haidang";
static enum log_level log_max = LOG_LVL_INFO;
static int log_journal;

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

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *names[8] = { "emerg", "alert", "crit", "error",
					"warning", "notice", "info", "debug" };
	char line[2048];
	int n = 0, m;
	va_list ap;

	if (level > log_max)
		return;
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
