/*
 * main.c - haidang-triage: the response team's console on the incident
 * queue (docs/queue.md).
 *
 * Global options come before the command, as in git:
 *   haidang-triage [--redis URL] [--as USER] [--lang vi|en] [--read-only] COMMAND ...
 * With no command, on a terminal, it opens the console (tui.c).
 * They are read from the config file (--config, default
 * /etc/haidang/triage.conf when it exists) and then the command line. This
 * file picks the command from cmd_table[] and owns the connection; each
 * command lives in its own file and parses its own arguments.
 */
#include <errno.h>
#include <locale.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checklist.h"
#include "conf.h"
#include "log.h"
#include "redis.h"
#include "triage.h"
#include "util.h"
#include "version.h"
#include "banned.h"

#define DEFAULT_CONFIG "/etc/haidang/triage.conf"

#define O(f) offsetof(struct triage_options, f)
static const struct conf_opt triage_opts[] = {
	{ "help", 'h', CONF_ACTION, 0, NULL, 0, 0, NULL,
	  "show this help and exit", "in trợ giúp này rồi thoát", true },
	{ "version", 'V', CONF_ACTION, 0, NULL, 0, 0, NULL,
	  "show the version and exit", "in phiên bản rồi thoát", true },
	{ "config", 'c', CONF_STR, O(config), "", 0, 0, "FILE",
	  "settings file (default " DEFAULT_CONFIG " when it exists)",
	  "tệp cấu hình (mặc định " DEFAULT_CONFIG " nếu có)", true },
	HD_REDIS_CONF_OPTS(struct triage_options, redis, "redis://127.0.0.1:6379"),
	{ "as", 0, CONF_STR, O(as), "", 0, 0, "USER",
	  "act as this analyst (default: your login name)",
	  "thao tác với tên cán bộ này (mặc định: tên đăng nhập)", true },
	{ "lang", 0, CONF_STR, O(lang), "", 0, 0, "vi|en",
	  "language of messages (default: from LANG)", "ngôn ngữ hiển thị (mặc định: theo LANG)", false },
	{ "read-only", 0, CONF_BOOL, O(read_only), "no", 0, 0, NULL,
	  "refuse every command that changes the queue", "từ chối mọi lệnh làm thay đổi hàng đợi", false },
	{ "playbooks", 0, CONF_STR, O(playbooks), "", 0, 0, "DIR",
	  "the response playbooks (default: $HAIDANG_PLAYBOOKS, else the installed ones)",
	  "thư mục quy trình xử lý (mặc định: $HAIDANG_PLAYBOOKS, nếu không thì bản đã cài)", false },
};
#undef O

static const struct triage_cmd *const cmd_table[] = {
	&cmd_list, &cmd_show, &cmd_claim, &cmd_assign, &cmd_status, &cmd_note, &cmd_merge,
	&cmd_escalate, &cmd_reopen, &cmd_history, &cmd_watch, &cmd_sensors, &cmd_admin, &cmd_report,
	&cmd_tui,
	&cmd_summary,
	&cmd_playbook, &cmd_record,
};

void triage_err(const struct triage *t, const char *en, const char *vi, ...)
{
	va_list ap;

	fputs("haidang-triage: ", stderr);
	va_start(ap, vi);
	vfprintf(stderr, t->vi ? vi : en, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct hd_redis *triage_conn(struct triage *t)
{
	struct hd_redis_url url;
	struct hd_redis_opts ro;
	char err[1024];

	if (t->conn)
		return t->conn;
	if (hd_redis_url_parse(t->o.redis.url, &url, err, sizeof(err))) {
		triage_err(t, "--redis: %s", "--redis: %s", err);
		return NULL;
	}
	hd_redis_settings_opts(&t->o.redis, &ro);
	t->conn = hd_redis_connect(&url, &ro, err, sizeof(err));
	if (!t->conn)
		triage_err(t, "cannot reach the queue: %s", "không kết nối được hàng đợi: %s", err);
	return t->conn;
}

static void usage(FILE *out, bool vi)
{
	fputs(vi ? "Cách dùng: haidang-triage [TÙY CHỌN] LỆNH [ĐỐI SỐ]...\n"
		   "Xử lý sự cố trong hàng đợi của tỉnh (Redis).\n\nCác lệnh:\n"
		 : "Usage: haidang-triage [OPTION]... COMMAND [ARGUMENT]...\n"
		   "Work the province's incident queue (Redis).\n\nCommands:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(cmd_table); i++)
		fprintf(out, "  %s %s\n      %s\n", cmd_table[i]->name, cmd_table[i]->synopsis,
			vi ? cmd_table[i]->summary_vi : cmd_table[i]->summary_en);
	fputs(vi ? "\nTùy chọn chung (đặt trước LỆNH):\n" : "\nGeneral options (before COMMAND):\n", out);
	conf_usage(triage_opts, ARRAY_SIZE(triage_opts), out, vi);
	fputs(vi ? "\nMã thoát: 0 thành công, 1 bị từ chối hoặc không tìm thấy, 2 sai cách dùng hoặc không kết nối được.\n"
		 : "\nExit status: 0 success, 1 refused or not found, 2 usage error or queue unreachable.\n",
	      out);
}

static int load_settings(struct triage *t, int argc, char **argv, int *next, int *exit_code)
{
	char err[CONF_ERRLEN];
	const char *action = NULL, *path = NULL;
	int i;

	*exit_code = -1;
	if (conf_set_defaults(triage_opts, ARRAY_SIZE(triage_opts), &t->o, err, sizeof(err))) {
		fprintf(stderr, "haidang-triage: %s\n", err);
		return -1;
	}
	/* the config file first (only among the options before the command) */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const struct conf_opt *o;

		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc)
			path = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
		/* step over the values of the other options ("--redis URL") */
		else if (!strncmp(argv[i], "--", 2) && !strchr(argv[i], '=') &&
			 (o = conf_find(triage_opts, ARRAY_SIZE(triage_opts), argv[i] + 2)) &&
			 o->type != CONF_BOOL && o->type != CONF_ACTION)
			i++;
	}
	if (!path && access(DEFAULT_CONFIG, R_OK) == 0)
		path = DEFAULT_CONFIG;
	if (path && conf_load_file(triage_opts, ARRAY_SIZE(triage_opts), &t->o, path, err, sizeof(err))) {
		fprintf(stderr, "haidang-triage: %s\n", err);
		return -1;
	}
	if (conf_parse_args(triage_opts, ARRAY_SIZE(triage_opts), &t->o, argc, argv, next, &action,
			    err, sizeof(err))) {
		fprintf(stderr, "haidang-triage: %s\n", err);
		return -1;
	}
	t->vi = *t->o.lang ? !strncmp(t->o.lang, "vi", 2) : conf_lang_vi();
	if (action && !strcmp(action, "help")) {
		usage(stdout, t->vi);
		*exit_code = 0;
	} else if (action && !strcmp(action, "version")) {
		printf("haidang-triage %s\n", HAIDANG_VERSION);
		*exit_code = 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct triage t;
	const struct triage_cmd *cmd = NULL;
	struct passwd *pw;
	int next = argc, code, rc;

	memset(&t, 0, sizeof(t));
	/* column widths of Vietnamese text need a UTF-8 character type */
	if (!setlocale(LC_CTYPE, "") || !strstr(setlocale(LC_CTYPE, NULL), "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");
	log_init("haidang-triage", LOG_LVL_WARN);
	if (load_settings(&t, argc, argv, &next, &code)) {
		conf_free(triage_opts, ARRAY_SIZE(triage_opts), &t.o);
		return 2;
	}
	if (code >= 0) {
		conf_free(triage_opts, ARRAY_SIZE(triage_opts), &t.o);
		return code;
	}
	/* no command on a terminal: the interactive console */
	if (next >= argc && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		cmd = &cmd_tui;
	else if (next >= argc) {
		usage(stderr, t.vi);
		conf_free(triage_opts, ARRAY_SIZE(triage_opts), &t.o);
		return 2;
	}
	for (size_t i = 0; !cmd && i < ARRAY_SIZE(cmd_table); i++)
		if (!strcmp(argv[next], cmd_table[i]->name))
			cmd = cmd_table[i];
	if (!cmd) {
		triage_err(&t, "unknown command '%s' (see --help)", "không có lệnh '%s' (xem --help)",
			   argv[next]);
		conf_free(triage_opts, ARRAY_SIZE(triage_opts), &t.o);
		return 2;
	}
	if (cmd->writes && t.o.read_only) {
		triage_err(&t, "%s: refused, --read-only is set", "%s: bị từ chối vì đang ở chế độ --read-only",
			   cmd->name);
		conf_free(triage_opts, ARRAY_SIZE(triage_opts), &t.o);
		return 1;
	}
	pw = getpwuid(getuid());
	t.who = *t.o.as ? t.o.as : getenv("USER") ? getenv("USER") : pw ? pw->pw_name : "analyst";
	if (next >= argc) {
		char *none[] = { (char *)"tui", NULL };
		rc = cmd->run(&t, 1, none);
	} else
		rc = cmd->run(&t, argc - next, argv + next);
	checklist_unload(&t);
	hd_redis_close(t.conn);
	conf_free(triage_opts, ARRAY_SIZE(triage_opts), &t.o);
	return rc;
}
