/*
 * log.h - one-line diagnostics on stderr for every haidang program.
 *
 * Each message is one line: "<level> <program>: message". Under systemd the
 * line starts with a syslog priority prefix ("<4>") so journald keeps the
 * level. Library-like modules never call these; the programs' main loops do.
 */
#ifndef HAIDANG_LOG_H
#define HAIDANG_LOG_H

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

void log_init(const char *program, enum log_level max_level);
void log_set_level(enum log_level max_level);
/* json: one JSON object a line ({"ts","level","program","msg"}) for
 * central logging, instead of "program: level: message". */
void log_set_json(int json);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
