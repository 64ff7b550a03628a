/*
 * test_playbook.c - unit tests of the playbook loader (common/playbook.c):
 * the checklist order of a workflow with nested if-conditions whatever
 * the order of its JSON keys, the bilingual split and the phase tags,
 * and the exact file + JSON path of each kind of problem, garbage
 * included. The shipped playbooks are loaded too (HAIDANG_SRC).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "playbook.h"

static char reports[16384];
static int nreports;

static void collect(void *arg, const char *file, const char *path, const char *msg)
{
	size_t len = strlen(reports);

	(void)arg;
	nreports++;
	snprintf(reports + len, sizeof(reports) - len, "%s: %s: %s\n", file, path, msg);
}

static int load(const char *text, struct playbook **p)
{
	reports[0] = '\0';
	nreports = 0;
	return playbook_load_buffer("t.json", text, strlen(text), collect, NULL, p);
}

#define U(n) "-0000-4000-8000-00000000000" #n
#define PB_HEAD \
	"{\"type\":\"playbook\",\"spec_version\":\"cacao-2.0\"," \
	"\"id\":\"playbook--11111111" U(0) "\"," \
	"\"name\":\"Thử / Test\",\"description\":\"Tiếng Việt\\n\\nEnglish\"," \
	"\"playbook_types\":[\"mitigation\"]," \
	"\"created_by\":\"identity--22222222" U(0) "\"," \
	"\"created\":\"2026-11-27T08:00:00.000Z\",\"modified\":\"2026-11-27T09:00:00.000Z\"," \
	"\"labels\":[\"x\",\"haidang-category:ddos\",\"haidang-category:other\"]," \
	"\"playbook_variables\":{\"__host__\":{\"type\":\"string\",\"description\":\"máy / host\"}}," \
	"\"agent_definitions\":{\"organization--33333333" U(0) "\":" \
	"{\"type\":\"organization\",\"name\":\"Đội / Team\"}},"
#define AGENT "\"agent\":\"organization--33333333" U(0) "\""
#define ACT(n, phase, next) \
	"\"action--aaaaaaaa" U(n) "\":{\"type\":\"action\",\"name\":\"[" phase "] Bước " #n \
	" / Step " #n "\",\"description\":\"Việc " #n " trên __host__:value\\n\\nTask " #n \
	"\",\"commands\":[{\"type\":\"manual\",\"command\":\"làm / do\"}]," AGENT \
	",\"on_completion\":\"" next "\"}"
#define END(n) "\"end--eeeeeeee" U(n) "\":{\"type\":\"end\"}"
#define E(n) "end--eeeeeeee" U(n)
#define A(n) "action--aaaaaaaa" U(n)

/* start -> 1 -> if(true: 3 -> 4 -> end2; false: 5 -> end3) -> 6 -> end1; keys
 * deliberately out of order */
static const char good[] = PB_HEAD
	"\"workflow_start\":\"start--55555555" U(0) "\",\"workflow\":{"
	ACT(6, "report", E(1)) ","
	END(3) ","
	ACT(5, "contain", E(3)) ","
	"\"if-condition--99999999" U(0) "\":{\"type\":\"if-condition\",\"name\":\"Máy chủ? / Server?\","
	"\"description\":\"Hỏi\\n\\nAsk\",\"condition\":\"[x-haidang-host:role = 'server']\","
	"\"on_true\":\"" A(3) "\",\"on_false\":\"" A(5) "\",\"on_completion\":\"" A(6) "\"},"
	ACT(4, "eradicate", E(2)) ","
	END(1) ","
	ACT(1, "identify", "if-condition--99999999" U(0)) ","
	"\"start--55555555" U(0) "\":{\"type\":\"start\",\"on_completion\":\"" A(1) "\"},"
	ACT(3, "recover", A(4)) ","
	END(2)
	"}}";

static void test_order(void)
{
	struct playbook *p = NULL;
	static const char *const want[] = { A(1), "if-condition--99999999" U(0), A(3), A(4),
		A(5), A(6) };

	CHECK(load(good, &p) == 0);
	CHECK(nreports == 0);
	if (nreports)
		fputs(reports, stderr);
	if (!p)
		return;
	CHECK(p->nsteps == 6);
	for (size_t i = 0; i < p->nsteps && i < 6; i++)
		CHECK_STR(p->steps[i].id, want[i]);
	CHECK(p->steps[0].depth == 0 && p->steps[0].branch == PLAYBOOK_BRANCH_MAIN);
	CHECK(p->steps[1].type == PLAYBOOK_STEP_IF && p->steps[1].phase == PLAYBOOK_PHASE_NONE);
	CHECK_STR(p->steps[1].condition, "[x-haidang-host:role = 'server']");
	CHECK(p->steps[2].depth == 1 && p->steps[2].branch == PLAYBOOK_BRANCH_TRUE);
	CHECK(p->steps[3].branch == PLAYBOOK_BRANCH_TRUE);
	CHECK(p->steps[4].depth == 1 && p->steps[4].branch == PLAYBOOK_BRANCH_FALSE);
	CHECK(p->steps[5].depth == 0 && p->steps[5].phase == PLAYBOOK_PHASE_REPORT);
	/* bilingual split, phase tag removed */
	CHECK_STR(p->name_vi, "Thử");
	CHECK_STR(p->name_en, "Test");
	CHECK_STR(p->desc_vi, "Tiếng Việt");
	CHECK_STR(p->desc_en, "English");
	CHECK_STR(p->steps[0].name_vi, "Bước 1");
	CHECK_STR(p->steps[0].name_en, "Step 1");
	CHECK_STR(p->steps[0].desc_vi, "Việc 1 trên __host__:value");
	CHECK_STR(p->steps[0].desc_en, "Task 1");
	CHECK(p->steps[0].phase == PLAYBOOK_PHASE_IDENTIFY);
	CHECK(p->steps[0].ncommands == 1);
	CHECK_STR(p->steps[0].commands[0], "làm / do");
	CHECK_STR(p->steps[0].agent, "organization--33333333" U(0));
	CHECK_STR(p->steps[0].agent_name, "Đội / Team");
	CHECK_STR(p->steps[1].name_en, "Server?");
	CHECK(p->ncategories == 2);
	CHECK_STR(p->categories[0], "ddos");
	CHECK_STR(p->categories[1], "other");
	CHECK(p->nvars == 1);
	CHECK_STR(p->vars[0].name, "__host__");
	CHECK(playbook_step_find(p, A(4)) == &p->steps[3]);
	CHECK(!playbook_step_find(p, E(1)));
	CHECK_STR(playbook_phase_tag(PLAYBOOK_PHASE_CONTAIN), "contain");
	CHECK_STR(playbook_phase_label(PLAYBOOK_PHASE_RECOVER, true), "Khôi phục");
	playbook_destroy(p);
}

/* Replaces the first occurrence of from in good by to, loads it and
 * checks that the one problem reported starts with want. */
static void expect_problem(const char *from, const char *to, const char *want)
{
	char text[16384];
	const char *at = strstr(good, from);
	struct playbook *p = (struct playbook *)1;
	int r;

	CHECK(at != NULL);
	if (!at)
		return;
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	r = load(text, &p);
	CHECK(r == -EINVAL);
	CHECK(p == NULL);
	CHECK_CONTAINS(reports, want);
	if (!strstr(reports, want) || nreports != 1)
		fprintf(stderr, "for %s -> %s: %d report(s):\n%s", from, to, nreports, reports);
	CHECK(nreports == 1);
}

static void test_errors(void)
{
	/* a dangling reference */
	expect_problem("\"on_completion\":\"" E(3) "\"", "\"on_completion\":\"" E(9) "\"",
		       "t.json: $.workflow['action--aaaaaaaa" U(5) "'].on_completion: no such step 'end--eeeeeeee" U(9) "'");
	/* a cycle: step 4 back to step 1 */
	expect_problem("\"on_completion\":\"" E(2) "\"", "\"on_completion\":\"" A(1) "\"",
		       "t.json: $.workflow['action--aaaaaaaa" U(4) "'].on_completion: '" A(1) "' leads back");
	/* both branches on the same steps */
	expect_problem("\"on_false\":\"" A(5) "\"", "\"on_false\":\"" A(3) "\"",
		       "$.workflow['if-condition--99999999" U(0) "'].on_false: '" A(3) "' is reached a second time");
	/* a command that is not manual */
	expect_problem("{\"type\":\"manual\"", "{\"type\":\"bash\"",
		       "$.workflow['action--aaaaaaaa" U(6) "'].commands[0].type: command type 'bash' is outside");
	/* an unknown category */
	expect_problem("haidang-category:ddos", "haidang-category:dos", "t.json: $.labels[1]: 'dos' is not a haidang category");
	/* refused and unknown properties */
	expect_problem("\"playbook_types\"", "\"workflow_exception\":\"x\",\"playbook_types\"",
		       "t.json: $.workflow_exception: not in the supported subset");
	/* one language only */
	expect_problem("Thử / Test", "Test", "t.json: $.name: the name must be Vietnamese and English");
	expect_problem("Tiếng Việt\\n\\nEnglish", "Tiếng Việt", "t.json: $.description: the description must be");
	/* phase tag */
	expect_problem("[report] Bước 6", "Bước 6", "$.workflow['action--aaaaaaaa" U(6) "'].name: an action's name must start");
	/* timestamps and ids */
	expect_problem("2026-11-27T09:00:00.000Z", "2026-11-27T07:00:00.000Z", "t.json: $.modified: earlier than created");
	expect_problem("2026-11-27T08:00:00.000Z", "2026-11-27 08:00:00Z", "t.json: $.created: '2026-11-27 08:00:00Z' is not");
	expect_problem("\"playbook--11111111", "\"playbook--1111111g", "t.json: $.id: 'playbook--1111111g");
	/* missing workflow_start */
	expect_problem("\"workflow_start\":\"start--55555555" U(0) "\",", "", "t.json: $.workflow_start: missing (required)");
	/* an undeclared variable */
	expect_problem("__host__:value", "__hots__:value", "'].description: variable '__hots__' is not declared");
	/* an unknown agent */
	expect_problem("\"agent\":\"organization--33333333" U(0) "\",\"on_completion\":\"" E(1),
		       "\"agent\":\"organization--44444444" U(0) "\",\"on_completion\":\"" E(1),
		       "'].agent: no such agent 'organization--44444444");
	/* an unreachable step */
	expect_problem(END(2), END(2) "," ACT(7, "recover", E(2)), "$.workflow['action--aaaaaaaa" U(7) "']: not reachable");
	/* a refused step type */
	expect_problem(END(2), END(2) ",\"parallel--bbbbbbbb" U(0) "\":{\"type\":\"parallel\"}",
		       "$.workflow['parallel--bbbbbbbb" U(0) "']: step type 'parallel' is outside");
	/* duplicate keys */
	expect_problem("\"type\":\"playbook\",", "\"type\":\"playbook\",\"type\":\"playbook\",", "t.json: $.type: duplicate key");
}

static void test_garbage(void)
{
	static const char *const bad[] = { "", "{", "[]", "null", "\"x\"", "{}", "{\"workflow\":[]}",
		"{\"workflow\":{\"action--x\":1}}", "{\"labels\":[1,null,{}]}", "\xff\xfe\x00\x01",
		"{\"name\":\"\xc3\x28 / x\"}", "{} trailing", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]" };
	char deep[4096];
	struct playbook *p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = (struct playbook *)1;
		CHECK(load(bad[i], &p) == -EINVAL);
		CHECK(p == NULL && nreports > 0);
		CHECK(!strncmp(reports, "t.json: $", 9));
	}
	CHECK(load("", &p) == -EINVAL);
	CHECK_CONTAINS(reports, "t.json: $: not valid JSON");
	CHECK(load("{\"name\":\"\xc3\x28 / x\"}", &p) == -EINVAL);
	CHECK_CONTAINS(reports, "t.json: $.name: not valid UTF-8");
	/* nesting far beyond any playbook */
	memset(deep, '[', 2000);
	memset(deep + 2000, ']', 2000);
	deep[4000] = '\0';
	CHECK(load(deep, &p) == -EINVAL);
	/* every truncation of a good playbook is refused, never crashes */
	for (size_t n = 0; n < sizeof(good) - 2; n += 7) {
		reports[0] = '\0';
		p = NULL;
		CHECK(playbook_load_buffer("t.json", good, n, NULL, NULL, &p) < 0);
		CHECK(p == NULL);
	}
}

static void test_shipped(void)
{
	const char *src = getenv("HAIDANG_SRC");
	char dir[4096];
	struct playbook_set set = { 0 };
	const struct playbook *p;

	if (!src)
		return;
	snprintf(dir, sizeof(dir), "%s/playbooks", src);
	reports[0] = '\0';
	CHECK(playbook_load_dir(dir, collect, NULL, &set) == 0);
	CHECK(reports[0] == '\0');
	if (reports[0])
		fputs(reports, stderr);
	CHECK(set.n >= 8);
	p = playbook_set_for_category(&set, "tunnelling");
	CHECK(p && p == playbook_set_for_category(&set, "c2"));
	CHECK(p && playbook_set_find(&set, p->id) == p);
	CHECK(playbook_set_for_category(&set, "webshell") != NULL);
	CHECK(!playbook_set_for_category(&set, "nosuch"));
	p = playbook_set_for_category(&set, "ransomware");
	CHECK(p && p->nsteps > 5 && p->steps[0].phase == PLAYBOOK_PHASE_IDENTIFY &&
	      p->steps[p->nsteps - 1].phase == PLAYBOOK_PHASE_REPORT);
	playbook_set_finish(&set);
	CHECK(playbook_load_dir("/nonexistent/playbooks", collect, NULL, &set) == -ENOENT);
}

int main(void)
{
	test_order();
	test_errors();
	test_garbage();
	test_shipped();
	return CHECK_DONE();
}
