/*
 * tui.c - haidang-triage's terminal console (docs/tui.md): the loop that
 * reads keys without ever blocking on Redis, follows the queue live, and
 * turns keys into the analyst's actions (actions.h), each one confirmed
 * when it closes or moves a ticket.
 *
 * The first screen is drawn from the top of every agency's idx:urgent;
 * the rest of the queue is read in slices between keystrokes. The streams
 * are polled twice a second; the selected incident, the filter and the
 * sort survive every refresh. Nothing here writes to the queue except
 * through actions.h, and nothing at all under --read-only.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "actions.h"
#include "redis.h"
#include "tui.h"
#include "util.h"
#include "banned.h"

#define TUI_POLL_MS 500
#define TUI_SLICE 4000

static void set_sel(struct tui_state *s)
{
	if (s->nvis && s->cur < s->nvis)
		str_copy(s->sel, s->rows[s->vis[s->cur]].id, sizeof(s->sel));
}

static void lost_link(struct tui_state *s)
{
	s->online = false;
	tui_message(s, true, "%s: %s", TUI_L(s, "queue unreachable, retrying", "mất kết nối hàng đợi, đang thử lại"),
		    hd_redis_error(s->t->conn));
}

static void open_incident(struct tui_state *s, const char *slug, const char *id)
{
	int rc = tui_incident_lines(s, slug, id);

	if (rc == -1)
		lost_link(s);
	else if (rc == -2)
		tui_message(s, true, "%s %s", TUI_L(s, "no incident", "không có sự cố"), id);
	else {
		if (s->screen != TUI_INCIDENT)
			s->scroll = 0;
		s->screen = TUI_INCIDENT;
	}
}

static void show_sensors(struct tui_state *s)
{
	if (tui_sensor_lines(s)) {
		lost_link(s);
		return;
	}
	if (s->screen != TUI_SENSORS) {
		s->back = s->screen == TUI_HELP ? s->back : s->screen;
		s->scroll = 0;
	}
	s->screen = TUI_SENSORS;
	s->last_sensors = tui_now_ms();
}

static void show_help(struct tui_state *s)
{
	tui_help_lines(s);
	if (s->screen != TUI_HELP) {
		s->back = s->screen == TUI_SENSORS ? s->back : s->screen;
		s->scroll = 0;
	}
	s->screen = TUI_HELP;
}

/* After an action: the result on the bottom line, the incident and its
 * row read again. */
static void after(struct tui_state *s, const struct action_result *r)
{
	if (r->rc == 2)
		tui_message(s, true, "%s: %s", TUI_L(s, "could not reach the queue", "không gửi được tới hàng đợi"),
			    r->msg);
	else
		tui_message(s, r->rc != 0, "%s", r->msg);
	tui_refresh_row(s, s->inc.slug, s->inc.id);
	open_incident(s, s->inc.slug, s->inc.id);
	tui_visible(s);
}

static bool writable(struct tui_state *s)
{
	if (!s->t->o.read_only)
		return true;
	tui_message(s, true, "%s", TUI_L(s, "read-only (--read-only): this key changes the queue",
					 "chế độ chỉ đọc (--read-only): phím này thay đổi hàng đợi"));
	return false;
}

static void set_status(struct tui_state *s, const char *state)
{
	static const char *const states[] = { TRIAGE_STATES };
	struct action_result r;
	bool ok = false;
	char q[256];

	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		ok = ok || !strcmp(states[i], state);
	if (!ok) {
		tui_message(s, true, "%s: %s", TUI_L(s, "no such status", "không có trạng thái"), state);
		return;
	}
	if (!strcmp(state, "resolved") || !strcmp(state, "false_positive") ||
	    !strcmp(state, "duplicate") || !strcmp(state, "escalated")) {
		snprintf(q, sizeof(q), "%s %s → %s?", TUI_L(s, "Set", "Chuyển"), s->inc.id,
			 tui_state_label(s, state));
		if (!tui_confirm(s, q)) {
			tui_message(s, false, "%s", TUI_L(s, "cancelled", "đã hủy"));
			return;
		}
	}
	if (!strcmp(state, "escalated"))
		actions_escalate(s->t, s->inc.slug, s->inc.id, (int64_t)s->inc.version, &r);
	else
		actions_status(s->t, s->inc.slug, s->inc.id, state, NULL, (int64_t)s->inc.version, &r);
	after(s, &r);
}

/* p: asks a step number (or id) of the incident's checklist and ticks it,
 * or unticks it when it is ticked, with the version shown. */
static void tick_step(struct tui_state *s)
{
	const struct playbook *p = s->inc_pb.pb;
	struct action_result r;
	char in[128], label[96];
	long i;

	if (!p || !s->inc_pb.marks) {
		tui_message(s, true, "%s", TUI_L(s, "no playbook for this incident's category",
						 "không có quy trình cho loại sự cố này"));
		return;
	}
	snprintf(label, sizeof(label), TUI_L(s, "Tick or untick step (1-%zu): ", "Đánh dấu hoặc bỏ bước (1-%zu): "),
		 p->nsteps);
	if (tui_prompt(s, label, in, sizeof(in)) || !*in)
		return;
	if ((i = checklist_step_arg(p, in)) < 0) {
		tui_message(s, true, "%s: %s (1-%zu)", TUI_L(s, "no such step", "không có bước"), in, p->nsteps);
		return;
	}
	actions_playbook_step(s->t, s->inc.slug, s->inc.id, p, (size_t)i, !s->inc_pb.marks[i].done,
			      (int64_t)s->inc.version, &r);
	if (!r.rc)
		snprintf(r.msg, sizeof(r.msg), "%s %ld: %s", s->inc_pb.marks[i].done ?
			 TUI_L(s, "unticked step", "đã bỏ đánh dấu bước") : TUI_L(s, "ticked step", "đã đánh dấu xong bước"),
			 i + 1, checklist_step_name(&p->steps[i], s->t->vi));
	after(s, &r);
}

static void incident_key(struct tui_state *s, int c)
{
	static const char *const states[] = { TRIAGE_STATES };
	struct action_result r;
	char in[512], into[QUEUE_ID_MAX], q[256];
	int h = LINES - 2;

	switch (c) {
	case 'q': case 27: case KEY_LEFT: case 'h':
		s->screen = TUI_QUEUE;
		return;
	case 'j': case KEY_DOWN: s->scroll++; return;
	case 'k': case KEY_UP: if (s->scroll) s->scroll--; return;
	case KEY_NPAGE: case ' ': s->scroll += (size_t)(h > 1 ? h - 1 : 1); return;
	case KEY_PPAGE: s->scroll = s->scroll > (size_t)h ? s->scroll - (size_t)h : 0; return;
	case 'g': case KEY_HOME: s->scroll = 0; return;
	case 'G': case KEY_END: s->scroll = s->lines.n; return;
	case 'r':
		tui_message(s, false, TUI_L(s, "report: haidang-triage report %.12s --format vn|vn-final|stix|misp|md -o FILE",
					    "báo cáo: haidang-triage report %.12s --format vn|vn-final|stix|misp|md -o TỆP"),
			    s->sel);
		return;
	default: break;
	}
	if (c <= 0 || c > 127 || !strchr("csnamep", c) || !writable(s))
		return;
	switch (c) {
	case 'c':
		actions_claim(s->t, s->inc.slug, s->inc.id, (int64_t)s->inc.version, &r);
		after(s, &r);
		break;
	case 's': {
		const char *labels[ARRAY_SIZE(states)];
		int i;

		for (size_t j = 0; j < ARRAY_SIZE(states); j++)
			labels[j] = tui_state_label(s, states[j]);
		i = tui_menu(s, TUI_L(s, "New status", "Trạng thái mới"), labels, (int)ARRAY_SIZE(states));
		if (i >= 0)
			set_status(s, states[i]);
		break;
	}
	case 'n':
		if (tui_prompt(s, TUI_L(s, "Note: ", "Ghi chú: "), in, sizeof(in)) || !*in)
			break;
		actions_note(s->t, s->inc.slug, s->inc.id, in, &r);
		after(s, &r);
		break;
	case 'a':
		if (tui_prompt(s, TUI_L(s, "Assign to: ", "Giao cho: "), in, sizeof(in)) || !*in)
			break;
		actions_assign(s->t, s->inc.slug, s->inc.id, in, (int64_t)s->inc.version, &r);
		after(s, &r);
		break;
	case 'm': {
		int e;

		if (tui_prompt(s, TUI_L(s, "Merge into incident (id or prefix): ",
					"Gộp vào sự cố (mã hoặc phần đầu mã): "), in, sizeof(in)) || !*in)
			break;
		if ((e = tui_resolve_in(s, s->inc.slug, in, into))) {
			tui_message(s, true, "%s", e == -2 ? TUI_L(s, "several incidents match: type more digits",
								 "nhiều sự cố khớp: gõ thêm chữ số") :
				    TUI_L(s, "no such incident in this agency", "không có sự cố này trong đơn vị"));
			break;
		}
		snprintf(q, sizeof(q), "%s %.12s → %.12s?", TUI_L(s, "Merge", "Gộp"), s->inc.id, into);
		if (!tui_confirm(s, q))
			break;
		actions_merge(s->t, s->inc.slug, s->inc.id, into, (int64_t)s->inc.version, &r);
		after(s, &r);
		break;
	}
	case 'e':
		set_status(s, "escalated");
		break;
	case 'p':
		tick_step(s);
		break;
	default:
		break;
	}
}

static void command(struct tui_state *s, char *line)
{
	char *arg = line + strcspn(line, " ");

	if (*arg)
		*arg++ = '\0';
	arg += strspn(arg, " ");
	if (!strcmp(line, "q") || !strcmp(line, "quit"))
		s->quit = true;
	else if (!strcmp(line, "sensors"))
		show_sensors(s);
	else if (!strcmp(line, "help"))
		show_help(s);
	else if (!strcmp(line, "filter")) {
		str_copy(s->filter, arg, sizeof(s->filter));
		tui_visible(s);
	} else if (!strcmp(line, "sort")) {
		bool rev = *arg == '-';
		int k = -1;

		for (int i = 0; i < TUI_SORT_N; i++)
			if (!strcmp(arg + rev, tui_sort_names[i]))
				k = i;
		if (!strcmp(arg + rev, "urgency"))
			k = TUI_SORT_SEVERITY;
		if (k < 0) {
			tui_message(s, true, "%s", TUI_L(s, ":sort severity|score|agency|host|category|title|count|age|deadline|assignee|status|playbook",
							  ":sort severity|score|agency|host|category|title|count|age|deadline|assignee|status|playbook"));
			return;
		}
		s->sort = (enum tui_sort)k;
		s->reverse = rev;
		s->screen = TUI_QUEUE;
		tui_visible(s);
	} else if (!strcmp(line, "status")) {
		if (s->screen == TUI_INCIDENT) {
			if (writable(s))
				set_status(s, arg);
		} else {
			str_copy(s->status_filter, arg, sizeof(s->status_filter));
			tui_visible(s);
		}
	} else if (*line)
		tui_message(s, true, "%s: %s (? %s)", TUI_L(s, "unknown command", "không có lệnh"), line,
			    TUI_L(s, "for help", "để xem trợ giúp"));
}

static void queue_view_key(struct tui_state *s, int c)
{
	size_t h = LINES > 4 ? (size_t)LINES - 3 : 1;
	char in[256];

	switch (c) {
	case 'q':
		s->quit = true;
		break;
	case 'j': case KEY_DOWN:
		if (s->cur + 1 < s->nvis)
			s->cur++;
		break;
	case 'k': case KEY_UP:
		if (s->cur)
			s->cur--;
		break;
	case 'g': case KEY_HOME:
		s->cur = 0;
		break;
	case 'G': case KEY_END:
		s->cur = s->nvis ? s->nvis - 1 : 0;
		break;
	case KEY_NPAGE: case ' ':
		s->cur = s->cur + h < s->nvis ? s->cur + h : s->nvis ? s->nvis - 1 : 0;
		s->top = s->top + h < s->nvis ? s->top + h : s->top;
		break;
	case KEY_PPAGE:
		s->cur = s->cur > h ? s->cur - h : 0;
		s->top = s->top > h ? s->top - h : 0;
		break;
	case '\n': case '\r': case KEY_ENTER: case 'l': case KEY_RIGHT:
		if (s->nvis) {
			const struct tui_row *r = &s->rows[s->vis[s->cur]];
			open_incident(s, r->slug, r->id);
		}
		break;
	case '/':
		if (!tui_prompt(s, "/", in, sizeof(in))) {
			str_copy(s->filter, in, sizeof(s->filter));
			tui_visible(s);
		}
		break;
	case 27:
		s->filter[0] = s->status_filter[0] = '\0';
		tui_visible(s);
		break;
	case 's':
		s->sort = (enum tui_sort)((s->sort + 1) % TUI_SORT_N);
		tui_visible(s);
		tui_message(s, false, "%s %s", TUI_L(s, "sorted by", "sắp xếp theo"), tui_sort_names[s->sort]);
		break;
	case 'R':
		s->reverse = !s->reverse;
		tui_visible(s);
		break;
	default:
		return;
	}
	set_sel(s);
}

static void key(struct tui_state *s, int c)
{
	char in[300];

	if (c == KEY_RESIZE) {
		clear();
		return;
	}
	if (c == ':') {
		if (!tui_prompt(s, ":", in, sizeof(in)))
			command(s, in);
		return;
	}
	if (c == '?') {
		show_help(s);
		return;
	}
	if (c == 'S' && s->screen != TUI_INCIDENT) {
		show_sensors(s);
		return;
	}
	switch (s->screen) {
	case TUI_QUEUE:
		queue_view_key(s, c);
		break;
	case TUI_INCIDENT:
		incident_key(s, c);
		break;
	case TUI_SENSORS:
	case TUI_HELP:
		if (c == 'q' || c == 27 || c == KEY_LEFT)
			s->screen = s->back == TUI_INCIDENT ? TUI_INCIDENT : TUI_QUEUE;
		else if ((c == 'j' || c == KEY_DOWN))
			s->scroll++;
		else if ((c == 'k' || c == KEY_UP) && s->scroll)
			s->scroll--;
		break;
	}
}

/* Background work between keys: the rest of the queue, the streams, the
 * sensors screen, and getting the connection back. */
static void work(struct tui_state *s)
{
	int64_t now = tui_now_ms();
	int n;

	if (!s->online) {
		char err[256];

		if (now - s->last_poll < 3000)
			return;
		s->last_poll = now;
		if (hd_redis_reconnect(s->t->conn, err, sizeof(err)))
			return;
		s->online = true;
		tui_message(s, false, "%s", TUI_L(s, "reconnected", "đã kết nối lại"));
		/* what changed meanwhile is in the streams, from where we were;
		 * what arrived is also in the indexes, should a stream have been
		 * trimmed past our place */
		if (!s->loading && tui_load_start(s))
			lost_link(s);
	}
	if (s->loading) {
		if ((n = tui_load_step(s, TUI_SLICE)) < 0) {
			lost_link(s);
			return;
		}
		if (!n)
			tui_visible(s);
	}
	if (now - s->last_poll >= TUI_POLL_MS) {
		s->last_poll = now;
		if ((n = tui_poll(s)) < 0) {
			lost_link(s);
			return;
		}
		if (n > 0)
			tui_visible(s);
		if (s->inc_changed && s->screen == TUI_INCIDENT) {
			s->inc_changed = false;
			open_incident(s, s->inc.slug, s->inc.id);
		}
	}
	if (s->screen == TUI_SENSORS && now - s->last_sensors >= 2000)
		show_sensors(s);
}

static int run_tui(struct triage *t, int argc, char **argv)
{
	struct tui_state *s;
	SCREEN *screen;
	int saved_err = -1, devnull, rc = 0;
	wint_t wc;

	if (argc > 1) {
		fprintf(stderr, "%s: haidang-triage tui\n", t->vi ? "Cách dùng" : "Usage");
		return 2;
	}
	(void)argv;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		triage_err(t, "tui: needs a terminal", "tui: cần chạy trong cửa sổ dòng lệnh");
		return 2;
	}
	setlocale(LC_ALL, "");
	if (!strstr(setlocale(LC_CTYPE, NULL), "UTF-8") && !strstr(setlocale(LC_CTYPE, NULL), "utf8"))
		setlocale(LC_CTYPE, "C.UTF-8");
	if (!triage_conn(t))
		return 2;
	if (!(s = calloc(1, sizeof(*s))))
		return 2;
	s->t = t;
	s->online = true;
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	/* newterm, not initscr: an unknown TERM is a message, not an exit */
	if (!(screen = newterm(NULL, stdout, stdin))) {
		triage_err(t, "tui: cannot drive this terminal (TERM=%s)",
			   "tui: không điều khiển được cửa sổ dòng lệnh này (TERM=%s)",
			   getenv("TERM") ? getenv("TERM") : "");
		free(s);
		return 2;
	}
	set_term(screen);
	/* stray messages on stderr would tear the screen */
	if ((devnull = open("/dev/null", O_WRONLY)) >= 0) {
		saved_err = dup(STDERR_FILENO);
		dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	tui_view_init(s);
	if (tui_load_first(s, (unsigned)(LINES > 3 ? LINES : 24))) {
		lost_link(s);
	} else {
		tui_visible(s);
		set_sel(s);
		s->loading = true;
		tui_draw(s);   /* the first screen, before the rest is read */
		if (tui_load_start(s))
			lost_link(s);
	}
	s->last_poll = s->last_agencies = tui_now_ms();
	while (!s->quit) {
		int k;

		tui_draw(s);
		timeout(s->loading ? 0 : 100);
		k = get_wch(&wc);
		if (k == KEY_CODE_YES)
			key(s, (int)wc);
		else if (k == OK)
			key(s, wc == L'\r' ? '\n' : (int)wc);
		work(s);
	}
	endwin();
	delscreen(screen);
	if (saved_err >= 0) {
		dup2(saved_err, STDERR_FILENO);
		close(saved_err);
	}
	tui_lines_clear(&s->lines);
	checklist_finish(&s->inc_pb);
	free(s->lines.v);
	free(s->rows);
	free(s->hash);
	free(s->vis);
	free(s->ag);
	free(s->pend);
	free(s);
	return rc;
}

const struct triage_cmd cmd_tui = {
	"tui", "",
	"the interactive console (also with no command on a terminal)",
	"giao diện tương tác (cũng mở khi không có lệnh, trong cửa sổ dòng lệnh)",
	false, run_tui,
};
