/*
 * tui.h - what the parts of the terminal console share (docs/tui.md):
 * the in-memory queue (one compact row per ticket, a by-id index, the
 * visible rows after filter and sort), the incident and sensor screens'
 * text, and the functions of tui_data.c (reading the queue and following
 * its streams), tui_view.c (drawing with ncursesw, prompts) and tui.c
 * (the loop and the keys).
 *
 * Ownership: everything hangs off one struct tui_state, created and
 * destroyed by tui.c; rows and lines are malloc'd arrays it owns. The
 * console has one thread and one Redis connection (t->conn).
 */
#ifndef HAIDANG_TUI_H
#define HAIDANG_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "triage.h"

/* One ticket as the queue view needs it (the incident view reads the
 * whole ticket again). Strings are cut at a character boundary. */
struct tui_row {
	char id[QUEUE_ID_MAX];
	char slug[QUEUE_SLUG_MAX];
	char agency[96];
	char category[48], category_vi[80];
	char severity[16];
	char host[64];
	char indicator[128];
	char status[24], assignee[64];
	unsigned sev_rank;
	uint64_t score, count, version;
	int64_t last_ms;
	int64_t deadline_ms;   /* when the 5-day report is due (actions_deadline_left) */
	bool report_now;       /* actions_report_now */
	uint16_t pb_done, pb_steps; /* its playbook checklist: ticked, steps (0: no playbook) */
};

enum tui_sort {
	TUI_SORT_SEVERITY, TUI_SORT_SCORE, TUI_SORT_AGENCY, TUI_SORT_HOST, TUI_SORT_CATEGORY,
	TUI_SORT_TITLE, TUI_SORT_COUNT, TUI_SORT_AGE, TUI_SORT_DEADLINE, TUI_SORT_ASSIGNEE,
	TUI_SORT_STATUS, TUI_SORT_PLAYBOOK, TUI_SORT_N
};
extern const char *const tui_sort_names[TUI_SORT_N];

enum tui_screen { TUI_QUEUE, TUI_INCIDENT, TUI_SENSORS, TUI_HELP };

/* A line of the incident, sensors or help screen; attr is a curses
 * attribute set by the builder (tui_attr_*). */
struct tui_line {
	char *text;
	int attr;
};
struct tui_lines {
	struct tui_line *v;
	size_t n, cap;
};

struct tui_agency {
	char slug[QUEUE_SLUG_MAX];
	char stream[QUEUE_KEY_MAX];
	char last[48];          /* the last stream entry id read */
};

struct tui_state {
	struct triage *t;
	/* the queue */
	struct tui_row *rows;
	size_t nrows, cap;
	uint32_t *hash;         /* open addressing over rows, by id; 0 = empty, else index+1 */
	size_t hcap;
	struct tui_agency *ag;
	size_t nag;
	/* loading the rest after the first screen */
	struct tui_pending { char id[QUEUE_ID_MAX]; uint32_t ag; } *pend;
	size_t npend, ppos;
	bool loading;
	/* the queue view */
	uint32_t *vis;
	size_t nvis, cur, top;
	char sel[QUEUE_ID_MAX];
	enum tui_sort sort;
	bool reverse;
	char filter[256];
	char status_filter[24];
	/* screens */
	enum tui_screen screen, back;
	struct tui_lines lines;  /* incident, sensors or help text */
	size_t scroll;
	struct ticket inc;       /* the incident open in TUI_INCIDENT */
	struct checklist inc_pb; /* its playbook's checklist, as read with it */
	bool inc_changed;        /* the poll saw it change */
	/* the bottom line */
	char msg[512];
	bool msg_err;
	int64_t msg_ms;
	bool colour, online, quit;
	int64_t last_poll, last_agencies, last_sensors;
};

/* tui_data.c */
int64_t tui_now_ms(void);
void tui_copy(char *dst, const char *src, size_t size);
int tui_load_first(struct tui_state *s, unsigned rows);
int tui_load_start(struct tui_state *s);
int tui_load_step(struct tui_state *s, size_t max);
int tui_poll(struct tui_state *s);
void tui_visible(struct tui_state *s);
struct tui_row *tui_find(struct tui_state *s, const char *id);
int tui_refresh_row(struct tui_state *s, const char *slug, const char *id);
int tui_incident_lines(struct tui_state *s, const char *slug, const char *id);
int tui_sensor_lines(struct tui_state *s);
void tui_help_lines(struct tui_state *s);
int tui_resolve_in(struct tui_state *s, const char *slug, const char *prefix,
		   char id[QUEUE_ID_MAX]);
void tui_lines_clear(struct tui_lines *l);
void tui_lines_add(struct tui_lines *l, int attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *tui_state_label(const struct tui_state *s, const char *state);
const char *tui_sev_label(const struct tui_state *s, const char *sev);
void tui_deadline_text(const struct tui_state *s, int64_t deadline_ms, bool now_flag,
		       int64_t now, char *buf, size_t size);

/* tui_view.c */
void tui_view_init(struct tui_state *s);
void tui_draw(struct tui_state *s);
int tui_attr_sev(const struct tui_state *s, unsigned rank);
int tui_attr_alert(const struct tui_state *s);
int tui_attr_ok(const struct tui_state *s);
int tui_attr_head(const struct tui_state *s);
/* A line of input on the bottom line: 0 on Enter, -1 on Esc. */
int tui_prompt(struct tui_state *s, const char *label, char *out, size_t size);
/* y/n on the bottom line (Vietnamese c/k too): true for yes. */
bool tui_confirm(struct tui_state *s, const char *question);
/* Picks one of n items in a box; returns its index or -1. */
int tui_menu(struct tui_state *s, const char *title, const char *const *items, int n);
void tui_message(struct tui_state *s, bool err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TUI_L(s, en_, vi_) ((s)->t->vi ? (vi_) : (en_))

#endif
