/*
 * tui_view.c - drawing the console with ncursesw: the queue's columns
 * (which shrink, then drop, in a narrow terminal), the text screens, the
 * title and bottom lines, and the prompts (a line of input, y/n, a menu).
 *
 * Every cell is cut and padded to its width in terminal columns with
 * utf8_fit, so Vietnamese (precomposed or with combining marks) and wide
 * characters keep the columns straight. Without colours, severity shows
 * as bold/underline and the selection as reverse video.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "tui.h"
#include "util.h"
#include "banned.h"

enum { PAIR_CRIT = 1, PAIR_HIGH, PAIR_MED, PAIR_LOW, PAIR_ALERT, PAIR_OK, PAIR_HEAD };

void tui_view_init(struct tui_state *s)
{
	s->colour = has_colors();
	if (s->colour) {
		start_color();
		use_default_colors();
		init_pair(PAIR_CRIT, COLOR_RED, -1);
		init_pair(PAIR_HIGH, COLOR_MAGENTA, -1);
		init_pair(PAIR_MED, COLOR_YELLOW, -1);
		init_pair(PAIR_LOW, COLOR_CYAN, -1);
		init_pair(PAIR_ALERT, COLOR_RED, -1);
		init_pair(PAIR_OK, COLOR_GREEN, -1);
		init_pair(PAIR_HEAD, COLOR_BLUE, -1);
	}
}

int tui_attr_sev(const struct tui_state *s, unsigned rank)
{
	if (!s->colour)
		return rank >= 4 ? A_BOLD | A_UNDERLINE : rank == 3 ? A_BOLD : 0;
	switch (rank) {
	case 4: return COLOR_PAIR(PAIR_CRIT) | A_BOLD;
	case 3: return COLOR_PAIR(PAIR_HIGH);
	case 2: return COLOR_PAIR(PAIR_MED);
	case 1: return COLOR_PAIR(PAIR_LOW);
	default: return 0;
	}
}

int tui_attr_alert(const struct tui_state *s)
{
	return s->colour ? (int)(COLOR_PAIR(PAIR_ALERT) | A_BOLD) : A_BOLD;
}

int tui_attr_ok(const struct tui_state *s)
{
	return s->colour ? (int)COLOR_PAIR(PAIR_OK) : 0;
}

int tui_attr_head(const struct tui_state *s)
{
	return A_BOLD | (s->colour ? (int)COLOR_PAIR(PAIR_HEAD) : A_UNDERLINE);
}

/* Text cut and padded to w columns at (y, x). */
static void cell(int y, int x, unsigned w, const char *text, int attr)
{
	char b[1024];

	if (!w)
		return;
	utf8_fit(b, sizeof(b), text, w);
	attron(attr);
	mvaddstr(y, x, b);
	attroff(attr);
}

void tui_message(struct tui_state *s, bool err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	s->msg_err = err;
	s->msg_ms = tui_now_ms();
}

/* ---- the queue ---- */

struct column {
	enum tui_sort key;
	const char *en, *vi;
	unsigned min, max, prio;   /* prio: 0 shown first; the title takes what is left;
				      11: only in a wide terminal (TITLE_SPARE) */
	bool right;
};

static const struct column columns[] = {
	{ TUI_SORT_SEVERITY, "SEVERITY", "MỨC ĐỘ", 9, 9, 0, false },
	{ TUI_SORT_SCORE, "SCORE", "ĐIỂM", 5, 5, 10, true },
	{ TUI_SORT_AGENCY, "AGENCY", "ĐƠN VỊ", 10, 22, 4, false },
	{ TUI_SORT_HOST, "HOST", "MÁY", 13, 15, 6, false },
	{ TUI_SORT_CATEGORY, "CATEGORY", "LOẠI", 10, 18, 8, false },
	{ TUI_SORT_TITLE, "INDICATOR", "DẤU HIỆU", 14, 0, 1, false },
	{ TUI_SORT_COUNT, "COUNT", "SỐ LẦN", 6, 6, 9, true },
	{ TUI_SORT_AGE, "AGE", "TUỔI", 4, 4, 7, true },
	{ TUI_SORT_DEADLINE, "DUE", "HẠN", 8, 10, 2, false },
	{ TUI_SORT_ASSIGNEE, "ASSIGNEE", "NGƯỜI NHẬN", 8, 12, 5, false },
	{ TUI_SORT_STATUS, "STATUS", "TRẠNG THÁI", 11, 14, 3, false },
	{ TUI_SORT_PLAYBOOK, "PB", "QT", 5, 5, 11, true },
};
#define NCOL ARRAY_SIZE(columns)

/* Priority 11 (the playbook's progress) comes only where the title still
 * gets this many columns beyond its minimum. */
#define TITLE_SPARE 10

/* Widths for a terminal cols wide: columns in order of priority at their
 * minimum while they fit, then the spare given up to each maximum, then
 * the rest to the title. 0: dropped. */
static void layout(int cols, unsigned w[NCOL])
{
	int used = 0, title = -1;

	memset(w, 0, sizeof(unsigned) * NCOL);
	for (unsigned p = 0; p <= 11; p++)
		for (size_t i = 0; i < NCOL; i++)
			if (columns[i].prio == p &&
			    used + (int)columns[i].min + 1 + (p > 10 ? TITLE_SPARE : 0) <= cols) {
				w[i] = columns[i].min;
				used += (int)w[i] + 1;
				if (columns[i].key == TUI_SORT_TITLE)
					title = (int)i;
			}
	for (unsigned p = 0; p <= 10; p++)
		for (size_t i = 0; i < NCOL; i++)
			if (w[i] && columns[i].prio == p && columns[i].max > w[i]) {
				int add = (int)(columns[i].max - w[i]);
				if (add > cols - used - 24)
					add = cols - used - 24;   /* the title keeps at least ~40 */
				if (add > 0) {
					w[i] += (unsigned)add;
					used += add;
				}
			}
	if (title >= 0 && cols - used > 0)
		w[title] += (unsigned)(cols - used);
}

static void age_text(int64_t ms, int64_t now, char *b, size_t n)
{
	int64_t a = (now - ms) / 1000;

	if (a < 0)
		a = 0;
	if (a < 3600)
		snprintf(b, n, "%" PRId64 "m", a / 60);
	else if (a < 172800)
		snprintf(b, n, "%" PRId64 "h", a / 3600);
	else
		snprintf(b, n, "%" PRId64 "d", a / 86400);
}

static void draw_row(struct tui_state *s, int y, const struct tui_row *r, const unsigned w[NCOL],
		     bool sel, int64_t now)
{
	int x = 0, base = sel ? A_REVERSE : 0;

	if (sel) {
		attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		attroff(A_REVERSE);
	}
	for (size_t i = 0; i < NCOL; i++) {
		char b[160];
		const char *text = b;
		int attr = base;

		if (!w[i])
			continue;
		switch (columns[i].key) {
		case TUI_SORT_SEVERITY:
			text = tui_sev_label(s, r->severity);
			attr |= tui_attr_sev(s, r->sev_rank);
			break;
		case TUI_SORT_SCORE: snprintf(b, sizeof(b), "%*" PRIu64, (int)w[i], r->score); break;
		case TUI_SORT_AGENCY: text = r->agency; break;
		case TUI_SORT_HOST: text = r->host; break;
		case TUI_SORT_CATEGORY: text = s->t->vi ? r->category_vi : r->category; break;
		case TUI_SORT_TITLE: text = r->indicator; break;
		case TUI_SORT_COUNT: snprintf(b, sizeof(b), "%*" PRIu64, (int)w[i], r->count); break;
		case TUI_SORT_AGE: {
			char a[24];
			age_text(r->last_ms, now, a, sizeof(a));
			snprintf(b, sizeof(b), "%*s", (int)w[i], a);
			break;
		}
		case TUI_SORT_DEADLINE:
			tui_deadline_text(s, r->deadline_ms, r->report_now, now, b, sizeof(b));
			if (r->report_now || r->deadline_ms < now)
				attr |= tui_attr_alert(s);
			break;
		case TUI_SORT_ASSIGNEE: text = *r->assignee ? r->assignee : "-"; break;
		case TUI_SORT_STATUS: text = tui_state_label(s, r->status); break;
		case TUI_SORT_PLAYBOOK: {
			char pb[24];

			if (r->pb_steps)
				snprintf(pb, sizeof(pb), "%u/%u", r->pb_done, r->pb_steps);
			else
				str_copy(pb, "-", sizeof(pb));
			snprintf(b, sizeof(b), "%*s", (int)w[i], pb);
			break;
		}
		case TUI_SORT_N: break;
		}
		cell(y, x, w[i], text, attr);
		x += (int)w[i] + 1;
	}
}

static int list_height(void)
{
	return LINES - 3 > 1 ? LINES - 3 : 1;
}

static void title_line(struct tui_state *s, const char *what)
{
	char b[512], t[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(t, sizeof(t), "%H:%M:%S", &tm);
	snprintf(b, sizeof(b), " haidang-triage · %s%s%s", what,
		 s->online ? "" : TUI_L(s, " · OFFLINE", " · MẤT KẾT NỐI"),
		 s->t->o.read_only ? TUI_L(s, " · read-only", " · chỉ đọc") : "");
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	cell(0, 0, (unsigned)(COLS > 9 ? COLS - 9 : COLS), b, A_REVERSE);
	if (COLS > 9)
		cell(0, COLS - 9, 9, t, A_REVERSE);
	attroff(A_REVERSE);
}

static void bottom_line(struct tui_state *s, const char *hints)
{
	move(LINES - 1, 0);
	clrtoeol();
	if (*s->msg && tui_now_ms() - s->msg_ms < 8000)
		cell(LINES - 1, 0, (unsigned)COLS, s->msg, s->msg_err ? tui_attr_alert(s) : (int)A_BOLD);
	else
		cell(LINES - 1, 0, (unsigned)COLS, hints, A_DIM);
}

static void draw_queue(struct tui_state *s)
{
	unsigned w[NCOL];
	int x = 0, h = list_height();
	int64_t now = tui_now_ms();
	char what[400];

	if (s->cur < s->top)
		s->top = s->cur;
	if (s->cur >= s->top + (size_t)h)
		s->top = s->cur - (size_t)h + 1;
	snprintf(what, sizeof(what), "%s %zu/%zu · %s %s%s%s%s%s%s%s",
		 TUI_L(s, "queue", "hàng đợi"), s->nvis, s->nrows, TUI_L(s, "sort", "xếp theo"),
		 tui_sort_names[s->sort], s->reverse ? " ↑" : "",
		 *s->filter ? TUI_L(s, " · filter: ", " · lọc: ") : "", s->filter,
		 *s->status_filter ? " · " : "", *s->status_filter ? tui_state_label(s, s->status_filter) : "",
		 s->loading ? TUI_L(s, " · loading…", " · đang tải…") : "");
	title_line(s, what);
	layout(COLS, w);
	move(1, 0);
	clrtoeol();
	for (size_t i = 0; i < NCOL; i++) {
		char b[64];

		if (!w[i])
			continue;
		if (columns[i].right)
			snprintf(b, sizeof(b), "%*s", (int)w[i], TUI_L(s, columns[i].en, columns[i].vi));
		else
			snprintf(b, sizeof(b), "%s%s", TUI_L(s, columns[i].en, columns[i].vi),
				 s->sort == columns[i].key ? (s->reverse ? "↑" : "↓") : "");
		cell(1, x, w[i], b, A_BOLD | A_UNDERLINE);
		x += (int)w[i] + 1;
	}
	for (int y = 0; y < h; y++) {
		size_t i = s->top + (size_t)y;

		move(2 + y, 0);
		clrtoeol();
		if (i < s->nvis)
			draw_row(s, 2 + y, &s->rows[s->vis[i]], w, i == s->cur, now);
	}
	if (!s->nvis)
		cell(3, 2, (unsigned)(COLS > 4 ? COLS - 4 : 1), s->nrows ?
		     TUI_L(s, "(nothing matches the filter; Esc clears it)", "(không có sự cố khớp bộ lọc; Esc để xóa)") :
		     TUI_L(s, "(the queue is empty)", "(hàng đợi trống)"), A_DIM);
	move(LINES - 2, 0);
	clrtoeol();
	bottom_line(s, TUI_L(s, "Enter open  / filter  s sort  : command  S sensors  ? help  q quit",
			     "Enter mở  / lọc  s sắp xếp  : lệnh  S cảm biến  ? trợ giúp  q thoát"));
}

static void draw_lines(struct tui_state *s, const char *what, const char *hints)
{
	int h = LINES - 2 > 1 ? LINES - 2 : 1;

	if (s->lines.n > (size_t)h && s->scroll > s->lines.n - (size_t)h)
		s->scroll = s->lines.n - (size_t)h;
	if (s->lines.n <= (size_t)h)
		s->scroll = 0;
	title_line(s, what);
	for (int y = 0; y < h; y++) {
		size_t i = s->scroll + (size_t)y;

		move(1 + y, 0);
		clrtoeol();
		if (i < s->lines.n)
			cell(1 + y, 0, (unsigned)COLS, s->lines.v[i].text, s->lines.v[i].attr);
	}
	bottom_line(s, hints);
}

void tui_draw(struct tui_state *s)
{
	switch (s->screen) {
	case TUI_QUEUE:
		draw_queue(s);
		break;
	case TUI_INCIDENT:
		draw_lines(s, TUI_L(s, "incident", "sự cố"),
			   TUI_L(s, "c claim  s status  n note  a assign  m merge  e escalate  r report  q back",
				 "c nhận  s trạng thái  n ghi chú  a giao  m gộp  e báo cáo lên  r báo cáo  q quay lại"));
		break;
	case TUI_SENSORS:
		draw_lines(s, TUI_L(s, "sensor health", "tình trạng cảm biến"),
			   TUI_L(s, "q back  (refreshes every 2 s)", "q quay lại  (cập nhật mỗi 2 giây)"));
		break;
	case TUI_HELP:
		draw_lines(s, TUI_L(s, "help", "trợ giúp"), TUI_L(s, "q back", "q quay lại"));
		break;
	}
	refresh();
}

/* ---- prompts ---- */

int tui_prompt(struct tui_state *s, const char *label, char *out, size_t size)
{
	wchar_t buf[256];
	size_t n = 0;
	wint_t c;
	int rc;

	(void)s;
	buf[0] = L'\0';
	curs_set(1);
	timeout(-1);
	for (;;) {
		char shown[1024], mb[1024];
		size_t len;

		move(LINES - 1, 0);
		clrtoeol();
		if ((len = wcstombs(mb, buf, sizeof(mb))) == (size_t)-1)
			mb[0] = '\0';
		snprintf(shown, sizeof(shown), "%s%s", label, mb);
		mvaddstr(LINES - 1, 0, shown);
		refresh();
		rc = get_wch(&c);
		if (rc == ERR)
			continue;
		if (rc == OK && c == 27) {
			curs_set(0);
			return -1;
		}
		if ((rc == OK && (c == L'\n' || c == L'\r')) || (rc == KEY_CODE_YES && c == KEY_ENTER))
			break;
		if ((rc == KEY_CODE_YES && c == KEY_BACKSPACE) || (rc == OK && (c == 127 || c == 8))) {
			if (n)
				buf[--n] = L'\0';
			continue;
		}
		if (rc == OK && c >= 32 && n + 1 < ARRAY_SIZE(buf)) {
			buf[n++] = (wchar_t)c;
			buf[n] = L'\0';
		}
	}
	curs_set(0);
	if (wcstombs(out, buf, size) == (size_t)-1 || size == 0)
		return -1;
	out[size - 1] = '\0';
	return 0;
}

bool tui_confirm(struct tui_state *s, const char *question)
{
	char q[512];
	int c;

	snprintf(q, sizeof(q), "%s %s ", question, TUI_L(s, "(y/n)", "(c/k)"));
	move(LINES - 1, 0);
	clrtoeol();
	cell(LINES - 1, 0, (unsigned)COLS, q, A_BOLD);
	refresh();
	timeout(-1);
	do
		c = getch();
	while (c != 'y' && c != 'Y' && c != 'c' && c != 'C' && c != 'n' && c != 'N' && c != 'k' &&
	       c != 'K' && c != 27 && c != 'q');
	return c == 'y' || c == 'Y' || c == 'c' || c == 'C';
}

int tui_menu(struct tui_state *s, const char *title, const char *const *items, int n)
{
	int h = n + 2, w = 36, sel = 0, c;
	WINDOW *win;

	(void)s;
	if (h > LINES)
		h = LINES;
	if (w > COLS)
		w = COLS;
	if (!(win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2)))
		return -1;
	keypad(win, TRUE);
	wtimeout(win, -1);
	for (;;) {
		char b[128], t[64];

		werase(win);
		box(win, 0, 0);
		utf8_fit(t, sizeof(t), title, (unsigned)(w - 4));
		mvwaddstr(win, 0, 2, t);
		for (int i = 0; i < n && i + 1 < h - 1; i++) {
			char line[96];

			snprintf(line, sizeof(line), "%d %s", i + 1, items[i]);
			utf8_fit(b, sizeof(b), line, (unsigned)(w - 2));
			if (i == sel)
				wattron(win, A_REVERSE);
			mvwaddstr(win, 1 + i, 1, b);
			wattroff(win, A_REVERSE);
		}
		wrefresh(win);
		c = wgetch(win);
		if (c == 'j' || c == KEY_DOWN)
			sel = (sel + 1) % n;
		else if (c == 'k' || c == KEY_UP)
			sel = (sel + n - 1) % n;
		else if (c >= '1' && c < '1' + n) {
			sel = c - '1';
			break;
		} else if (c == '\n' || c == '\r' || c == KEY_ENTER)
			break;
		else if (c == 27 || c == 'q') {
			sel = -1;
			break;
		}
	}
	delwin(win);
	touchwin(stdscr);
	return sel;
}
