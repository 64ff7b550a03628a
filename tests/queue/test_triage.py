#!/usr/bin/env python3
"""test_triage.py CASE - the analyst's verbs of haidang-triage against a real
redis-server filled by the sensor over the repo's detection captures
(docs/triage.md).

Cases:
  verbs      every verb works and says what it did, in text and JSON; list
             and show carry the deadline; list --status open; watch follows
             changes
  refusals   the whole state machine (every from -> to of status, escalate,
             reopen, claim), a stale version, a claim held by another,
             merges twice / into itself / into a duplicate / across agencies,
             an unknown id, --read-only: exit 1 and a clear message (English
             and Vietnamese), and nothing changed
  history    the chain verifies after many changes; one entry changed with
             LSET (admin) makes `history` fail at that entry
  race       20 concurrent claims by 20 analysts: one wins, 19 are told who
             has it; concurrent changes from the same read version: one wins
  sensor     the sensor's next run over the same traffic after analysts
             worked the tickets: nothing of theirs is overwritten
  acl        every verb works with an analyst's least-rights Redis user
  list       the quick first page (top of each agency's index) is exactly
             the full scan's first page, with and without filters
  playbook   each incident gets the playbook of its category; ticking and
             unticking steps (by number and by id) shows in playbook, show
             and list, is in the history with who and when (the chain still
             verifies) and in the stream; steps not in the playbook, out of
             range, a stale version, --read-only, a duplicate, a category
             without a playbook and a missing playbook directory are refused
"""
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redisenv  # noqa: E402
import test_queue as tq  # noqa: E402

TRIAGE = tq.TRIAGE
BENCH = os.environ.get("HAIDANG_QUEUE_BENCH", "build/tests/queue_bench")
SLUG = "so-tai-chinh-tinh"
STATES = ["new", "triaged", "in_progress", "contained", "resolved", "false_positive",
          "duplicate", "escalated"]
# the state machine of docs/triage.md, for `status`
NEXT = {
    "new": {"triaged", "in_progress", "false_positive", "escalated"},
    "triaged": {"in_progress", "contained", "false_positive", "escalated"},
    "in_progress": {"contained", "resolved", "false_positive", "escalated"},
    "contained": {"in_progress", "resolved", "escalated"},
    "escalated": {"in_progress", "contained", "resolved"},
    "resolved": set(), "false_positive": set(), "duplicate": set(),
}
OPEN = {"new", "triaged", "in_progress", "contained", "escalated"}
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures += 1


def tr(url, *args, who="lan", lang="en", user=None, pwfile=None, extra=()):
    cmd = [TRIAGE, "--redis", url, "--lang", lang]
    if who:
        cmd += ["--as", who]
    if user:
        cmd += ["--redis-user", user, "--redis-password-file", pwfile]
    return subprocess.run(cmd + list(extra) + list(args), capture_output=True, text=True,
                          timeout=60)


def js(r):
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


def key(what, tid, slug=SLUG):
    return f"hd:{{{slug}}}:{what}:{tid}"


def case_of(srv, tid, slug=SLUG):
    v = srv.call("HGETALL", key("case", tid, slug)) or []
    return dict(zip(v[::2], v[1::2]))


def filled(tmp, env=None, srv=None):
    """a server with the sensor's tickets of the detection captures"""
    if srv is None:
        env = env or redisenv.RedisEnv()
        srv = env.unix()
    tq.run_all(tmp, srv.url)
    got = tq.tickets(srv.url)
    check(len(got) >= 5, f"the captures give tickets ({len(got)})")
    return srv, sorted(got)


def synth(srv, tid, slug, agency="Sở Y tế", rank=3, score=100, now=None):
    """a ticket written directly, as the ingest script would (for the table)"""
    now = now or int(time.time() * 1000)
    srv.call("HSET", key("det", tid, slug), "id", tid, "agency", agency, "sensor", "t",
             "category", "c2", "category_vi", "C2", "severity", "high", "sev_rank", str(rank),
             "score", str(score), "host", "10.1.0.1", "indicator", "ioc:x", "count", "3",
             "created_ms", str(now), "first_seen_ms", str(now), "last_seen_ms", str(now),
             "first_seen", "2026-11-27T00:00:00+00:00", "last_seen", "2026-11-27T00:00:00+00:00",
             "evidence", '[{"kind":"ioc","last_seen":"2026-11-27T00:00:00+00:00"}]')
    srv.call("ZADD", f"hd:{{{slug}}}:idx:id", "0", tid)
    srv.call("ZADD", f"hd:{{{slug}}}:idx:urgent", str(rank * 1000 + score), tid)
    srv.call("ZADD", f"hd:{{{slug}}}:idx:time", str(now), tid)
    srv.call("SADD", f"hd:{{{slug}}}:idx:status:new", tid)
    srv.call("SADD", "hd:agencies", slug)


def set_state(srv, tid, state, slug, assignee="", version="7"):
    srv.call("HSET", key("case", tid, slug), "status", state, "assignee", assignee,
             "version", version, "merged_into", "f" * 32 if state == "duplicate" else "")


# ---- cases ----------------------------------------------------------------

def case_verbs():
    with tempfile.TemporaryDirectory() as tmp:
        srv, ids = filled(tmp)
        url = srv.url
        a, b, c = ids[0], ids[1], ids[2]
        # watch from now on, in the background
        w = subprocess.Popen([TRIAGE, "--redis", url, "watch", "--json", "--count", "4"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        r = tr(url, "claim", a[:10])
        check(r.returncode == 0 and "claimed" in r.stdout and a in r.stdout,
              f"claim by a prefix: {r.stdout.strip()} {r.stderr.strip()}")
        check(case_of(srv, a).get("assignee") == "lan" and case_of(srv, a).get("version") == "1",
              "claim: the assignee and version 1 in the case hash")
        r = tr(url, "claim", a, "--json")
        d = js(r) or {}
        check(r.returncode == 0 and d.get("ok") and d.get("result") == "already" and d.get("version") == 1,
              f"claim again by the holder: fine, nothing changes ({r.stdout.strip()})")
        r = tr(url, "status", a, "triaged", "--version", "1", "--note", "xem xét luồng TLS")
        check(r.returncode == 0 and "(v2)" in r.stdout, f"status with --version and --note ({r.stdout.strip()})")
        r = tr(url, "assign", a, "minh", "--json")
        d = js(r) or {}
        check(r.returncode == 0 and d.get("version") == 3 and case_of(srv, a)["assignee"] == "minh",
              "assign to another analyst")
        r = tr(url, "note", a, "Đã liên hệ quản trị mạng của đơn vị")
        check(r.returncode == 0 and "(v4)" in r.stdout, "note")
        notes = srv.call("LRANGE", key("notes", a), "0", "-1")
        n = [json.loads(x) for x in notes]
        check(len(n) == 2 and n[0]["text"] == "xem xét luồng TLS" and n[1]["who"] == "lan"
              and n[1]["text"] == "Đã liên hệ quản trị mạng của đơn vị" and n[1]["ts"] > 0,
              "notes: JSON {ts, who, text}, the status note too, Vietnamese intact")
        # watch saw the four changes
        try:
            out, _ = w.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            w.kill()
            out, _ = w.communicate()
        ev = [json.loads(x) for x in out.splitlines() if x.strip()]
        check(w.returncode == 0 and [e["event"] for e in ev] == ["claim", "status", "assign", "note"],
              f"watch --json --count 4: the four changes in order ({[e.get('event') for e in ev]})")
        check(ev and ev[0]["id"] == a and ev[0]["who"] == "lan" and ev[0]["version"] == 1 and
              ev[0].get("incident", {}).get("id") == a, "watch: id, who, version and the incident")
        # status path to resolved, reopen
        for st in ("in_progress", "contained", "resolved"):
            r = tr(url, "status", a, st)
            check(r.returncode == 0, f"status {st}: {r.stderr.strip()}")
        r = tr(url, "reopen", a, "--json")
        d = js(r) or {}
        check(r.returncode == 0 and case_of(srv, a)["status"] == "triaged", "reopen: back to triaged")
        check(srv.call("SISMEMBER", f"hd:{{{SLUG}}}:idx:status:triaged", a) == 1 and
              srv.call("SISMEMBER", f"hd:{{{SLUG}}}:idx:status:resolved", a) == 0 and
              srv.call("SISMEMBER", f"hd:{{{SLUG}}}:idx:status:new", a) == 0,
              "the status index sets follow the status")
        # escalate
        r = tr(url, "escalate", b)
        cb = case_of(srv, b)
        check(r.returncode == 0 and cb["status"] == "escalated" and int(cb.get("escalated_ms", 0)) > 0,
              "escalate: escalated, with escalated_ms")
        # merge c into b
        before = {t["id"]: t for t in json.loads(tr(url, "list", "--json", "--limit", "0").stdout)}
        ev_b = json.loads(tr(url, "show", b, "--json").stdout)["evidence"]
        ev_c = json.loads(tr(url, "show", c, "--json").stdout)["evidence"]
        r = tr(url, "merge", c, b, "--json")
        d = js(r) or {}
        check(r.returncode == 0 and d.get("ok") and d.get("into_version") == cb_ver(srv, b),
              f"merge: done ({r.stdout.strip()} {r.stderr.strip()})")
        sb = json.loads(tr(url, "show", b, "--json").stdout)
        cc = case_of(srv, c)
        check(cc.get("status") == "duplicate" and cc.get("merged_into") == b,
              "merge: the merged one is a duplicate pointing at the survivor")
        check(sb["count"] == before[b]["count"] + before[c]["count"],
              f"merge: the survivor's count takes the merged one's ({sb['count']})")
        want_ev = len({json.dumps(x, sort_keys=True) for x in ev_b + ev_c})
        check(len(sb["evidence"]) == min(50, want_ev),
              f"merge: the survivor's evidence takes in the merged one's ({len(sb['evidence'])}/{want_ev})")
        sc = json.loads(tr(url, "show", c, "--json").stdout)
        check(sc.get("merged_into") == b and sc.get("updated_by") == "lan" and sc.get("updated_ms", 0) > 0,
              "show --json: merged_into, updated_by, updated_ms")
        check("Merged into:" in tr(url, "show", c).stdout, "show: the survivor of a duplicate")
        hb = json.loads(tr(url, "history", b, "--json").stdout)
        hc = json.loads(tr(url, "history", c, "--json").stdout)
        check(hb["entries"][-1]["action"] == "merge_in" and hb["entries"][-1]["after"]["merged_from"] == c
              and hc["entries"][-1]["action"] == "merge", "merge: both histories record it")
        # list and show: deadline, --status open
        lst = json.loads(tr(url, "list", "--json", "--limit", "0").stdout)
        check(all("deadline_left_s" in t and "overdue" in t and "report_now" in t for t in lst),
              "list --json: deadline_left_s, overdue, report_now")
        fresh = [t for t in lst if t["status"] in ("new", "triaged")]
        check(fresh and all(0 < t["deadline_left_s"] <= 5 * 86400 and not t["overdue"] for t in fresh),
              "list: tickets just discovered have up to 5 days left")
        esc = [t for t in lst if t["id"] == b][0]
        check(esc["deadline_left_s"] is None and not esc["report_now"],
              "list: an escalated (reported) ticket has no deadline running")
        opn = json.loads(tr(url, "list", "--status", "open", "--json", "--limit", "0").stdout)
        check({t["id"] for t in opn} == {t["id"] for t in lst if t["status"] not in
                                          ("resolved", "false_positive", "duplicate")} and c not in
              {t["id"] for t in opn}, "list --status open: everything not closed")
        txt = tr(url, "list").stdout
        check("DEADLINE" in txt and "CLAIMED" in txt and "minh" in txt, "list: deadline and claimed-by columns")
        vi = tr(url, "list", lang="vi").stdout
        check("HẠN B.CÁO" in vi, "list in Vietnamese: the deadline column")
        # a critical, old ticket: report now; an old high one: overdue
        old = int(time.time() * 1000) - 6 * 86400 * 1000
        synth(srv, "c" * 32, SLUG, rank=4, score=900)
        synth(srv, "d" * 32, SLUG, rank=3, score=10, now=old)
        lst = {t["id"]: t for t in json.loads(tr(url, "list", "--json", "--limit", "0").stdout)}
        check(lst["c" * 32]["report_now"] and not lst["c" * 32]["overdue"], "a critical incident: report now")
        check(lst["d" * 32]["overdue"] and lst["d" * 32]["deadline_left_s"] < -86400 + 60,
              "discovered 6 days ago: overdue by a day")
        s = tr(url, "show", "d" * 32).stdout
        check("OVERDUE" in s, "show: the overdue deadline")
        s = tr(url, "show", "c" * 32, lang="vi").stdout
        check("BÁO CÁO NGAY" in s, "show in Vietnamese: report now")
        r = tr(url, "history", a)
        check(r.returncode == 0 and "history chain verified" in r.stdout, "history: verified")


def cb_ver(srv, tid):
    return int(case_of(srv, tid).get("version", 0))


def case_refusals():
    with tempfile.TemporaryDirectory() as tmp:
        srv, ids = filled(tmp)
        url = srv.url
        slug = "bang-test"
        # the whole state machine on synthetic tickets
        bad = []
        for i, frm in enumerate(STATES):
            for j, to in enumerate(STATES):
                tid = f"{i:x}{j:x}" + "a" * 30
                synth(srv, tid, slug, agency="Bảng test")
                set_state(srv, tid, frm, slug)
                r = tr(url, "status", tid, to)
                allowed = to in NEXT[frm]
                ok = (r.returncode == 0) == allowed
                if not allowed:
                    ok = ok and r.returncode == 1 and case_of(srv, tid, slug)["status"] == frm and \
                        case_of(srv, tid, slug)["version"] == "7" and \
                        ("cannot go from" in r.stderr or "already" in r.stderr or "merge" in r.stderr)
                else:
                    ok = ok and case_of(srv, tid, slug)["status"] == to and case_of(srv, tid, slug)["version"] == "8"
                if not ok:
                    bad.append((frm, to, r.returncode, r.stderr.strip()))
        check(not bad, f"status: all 64 transitions as the table says {bad[:4]}")
        for verb, allowed in (("escalate", {"new", "triaged", "in_progress", "contained"}),
                              ("reopen", {"resolved", "false_positive"}),
                              ("claim", OPEN)):
            bad = []
            for i, frm in enumerate(STATES):
                tid = {"escalate": "e", "reopen": "f", "claim": "c"}[verb] + f"{i:x}" + "b" * 30
                synth(srv, tid, slug, agency="Bảng test")
                set_state(srv, tid, frm, slug)
                r = tr(url, verb, tid, who="hoa")
                if (r.returncode == 0) != (frm in allowed) or (r.returncode and r.returncode != 1):
                    bad.append((frm, r.returncode, r.stderr.strip()))
                elif r.returncode and case_of(srv, tid, slug)["version"] != "7":
                    bad.append((frm, "changed"))
            check(not bad, f"{verb}: allowed exactly from {sorted(allowed)} {bad[:4]}")
        r = tr(url, "status", "40" + "a" * 30, "in_progress", lang="vi")
        check(r.returncode == 1 and "không thể chuyển từ" in r.stderr, f"Vietnamese refusal: {r.stderr.strip()}")
        r = tr(url, "status", ids[0], "bogus")
        check(r.returncode == 1 and "not a state" in r.stderr, "status: an unknown state")
        # stale version
        a = ids[0]
        tr(url, "claim", a, who="lan")
        tr(url, "note", a, "một", who="minh")
        r = tr(url, "status", a, "triaged", "--version", "1", who="lan")
        check(r.returncode == 1 and "changed by minh" in r.stderr and "v1 → v2" in r.stderr and
              "reload" in r.stderr, f"stale version: refused, who and versions ({r.stderr.strip()})")
        r = tr(url, "status", a, "triaged", "--version", "1", who="lan", lang="vi")
        check(r.returncode == 1 and "hãy tải lại" in r.stderr, "stale version, in Vietnamese")
        check(case_of(srv, a)["status"] == "new" if "status" in case_of(srv, a) else True,
              "stale version: nothing changed")
        d = js(tr(url, "assign", a, "hoa", "--version", "0", "--json"))
        check(d and not d["ok"] and d["result"] == "stale" and d["version"] == 2, "stale version in JSON")
        # claim held
        r = tr(url, "claim", a, who="minh")
        check(r.returncode == 1 and "already claimed by lan" in r.stderr, "claim: held by another, who")
        d = js(tr(url, "claim", a, "--json", who="minh"))
        check(d and d.get("holder") == "lan" and d["result"] == "held", "claim refused in JSON: holder")
        r = tr(url, "claim", a, who="minh", lang="vi")
        check(r.returncode == 1 and "đã được lan nhận xử lý" in r.stderr, "claim held, in Vietnamese")
        # merges
        b, c, e = ids[1], ids[2], ids[3]
        check(tr(url, "merge", b, c).returncode == 0, "merge b into c")
        r = tr(url, "merge", b, c)
        check(r.returncode == 1 and "cannot be merged twice" in r.stderr, "merge twice: refused")
        r = tr(url, "merge", b, e)
        check(r.returncode == 1 and "already merged" in r.stderr, "merge a duplicate elsewhere: refused")
        r = tr(url, "merge", e, b)
        check(r.returncode == 1 and "duplicate of" in r.stderr and c in r.stderr,
              "merge into a duplicate: refused, names the survivor")
        r = tr(url, "merge", e, e)
        check(r.returncode == 1 and "into itself" in r.stderr, "merge into itself: refused")
        r = tr(url, "merge", e, "00" + "a" * 30)
        check(r.returncode == 1 and "different agencies" in r.stderr, "merge across agencies: refused")
        r = tr(url, "reopen", b)
        check(r.returncode == 1 and "cannot be undone" in r.stderr, "reopen a merged one: refused")
        r = tr(url, "status", e, "duplicate")
        check(r.returncode == 1 and "merge" in r.stderr, "status duplicate: only by merge")
        # unknown id
        for verb in (["claim"], ["status", "x", "triaged"], ["note", "x", "t"], ["escalate"],
                     ["reopen"], ["history"], ["assign", "x", "u"], ["merge", "x", e]):
            args = [verb[0], "ffffffffff"] + [v for v in verb[2:]]
            r = tr(url, *args)
            check(r.returncode == 1 and "no incident" in r.stderr, f"{verb[0]} of an unknown id: exit 1")
        r = tr(url, "claim", "xyz!")
        check(r.returncode == 1 and "not an incident id" in r.stderr, "claim: a malformed id")
        # --read-only
        v = case_of(srv, e).get("version")
        for verb in (["claim", e], ["status", e, "triaged"], ["note", e, "x"], ["merge", e, c],
                     ["escalate", e], ["reopen", e], ["assign", e, "u"]):
            r = tr(url, *verb, extra=["--read-only"])
            check(r.returncode == 1 and "read-only" in r.stderr, f"--read-only refuses {verb[0]}")
        check(case_of(srv, e).get("version") == v, "--read-only: nothing changed")
        r = tr(url, "history", e, extra=["--read-only"])
        check(r.returncode == 0, "--read-only still reads history")
        # usage errors are 2
        check(tr(url, "claim").returncode == 2, "claim without an id: usage, exit 2")
        check(tr(url, "status", e, "triaged", "--version", "x").returncode == 2, "--version not a number: exit 2")


def case_history():
    with tempfile.TemporaryDirectory() as tmp:
        srv, ids = filled(tmp)
        url = srv.url
        a = ids[0]
        for args in (["claim", a], ["status", a, "triaged", "--note", "ghi \"chú\" / \\ đặc biệt"],
                     ["status", a, "in_progress"], ["note", a, "x" * 1000], ["escalate", a],
                     ["status", a, "resolved"], ["reopen", a]):
            check(tr(url, *args, who="nguyễn.văn.an").returncode == 0, f"{args[0]} for the chain")
        r = tr(url, "history", a, "--json")
        h = js(r) or {}
        ents = h.get("entries", [])
        check(r.returncode == 0 and h.get("ok") and len(ents) == 8 and all(e["ok"] for e in ents),
              f"history verifies: {len(ents)} entries")
        check(ents[0]["action"] == "created" and ents[0]["who"] == "sensor:s1" and
              ents[1]["who"] == "nguyễn.văn.an" and ents[1]["after"]["assignee"] == "nguyễn.văn.an" and
              ents[2]["before"]["status"] == "new" and ents[2]["after"]["status"] == "triaged",
              "history: who, what, before -> after")
        raw = srv.call("LRANGE", key("hist", a), "0", "-1")
        # recompute the chain the way docs/triage.md says, independently
        import hashlib
        prev, good = "", True
        for e in raw:
            body, tail = e[:-51], e[-51:]
            hh = tail[len(',"hash":"'):-2]
            good = good and json.loads(e)["prev"] == prev and \
                hashlib.sha1((prev + "\n" + body + "}").encode()).hexdigest() == hh
            prev = hh
        check(good, "the chain recomputed in Python as docs/triage.md describes")
        # tamper: change the status in entry 3, keeping its hash
        t = raw[2].replace('"after":{"status":"triaged"', '"after":{"status":"resolved"')
        check(t != raw[2], "tampered entry differs")
        srv.call("LSET", key("hist", a), "2", t)
        r = tr(url, "history", a)
        check(r.returncode == 1 and "broken at entry 3" in r.stderr and "BROKEN" in r.stdout,
              f"history: a changed entry breaks the chain ({r.stderr.strip()})")
        h = js(tr(url, "history", a, "--json")) or {}
        check(h.get("ok") is False and h.get("broken_at") == 2 and h["entries"][1]["ok"] and
              not h["entries"][2]["ok"], "history --json: ok false from the changed entry")
        r = tr(url, "history", a, lang="vi")
        check(r.returncode == 1 and "bị hỏng tại mục 3" in r.stderr, "history broken, in Vietnamese")
        # removing an entry (admin LSET of the last two swapped) also shows
        srv.call("LSET", key("hist", a), "2", raw[2])
        check(tr(url, "history", a).returncode == 0, "restored entry: verifies again")
        srv.call("LSET", key("hist", a), "4", raw[5])
        srv.call("LSET", key("hist", a), "5", raw[4])
        check(tr(url, "history", a).returncode == 1, "reordered entries break the chain")


def together(cmds):
    """starts every command, then lets them all go at the same instant"""
    procs = [subprocess.Popen(["sh", "-c", 'read go; exec "$@"', "sh", *c], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c in cmds]
    time.sleep(0.3)
    for p in procs:
        p.stdin.write("\n")
    for p in procs:
        p.stdin.close()
    return procs


def case_race():
    with tempfile.TemporaryDirectory() as tmp:
        srv, ids = filled(tmp)
        url = srv.url
        a = ids[0]
        base = [TRIAGE, "--redis", url, "--lang", "en"]
        procs = together([base + ["--as", f"analyst{i:02d}", "claim", a] for i in range(20)])
        res = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs]
        won = [r for r in res if r[0] == 0]
        holder = case_of(srv, a).get("assignee")
        check(len(won) == 1, f"20 concurrent claims: exactly one wins ({len(won)})")
        lost = [r for r in res if r[0] == 1 and f"already claimed by {holder}" in r[2]]
        check(len(lost) == 19, f"the 19 others are told who has it ({len(lost)}, holder {holder})")
        check(case_of(srv, a).get("version") == "1" and
              len(srv.call("LRANGE", key("hist", a), "0", "-1")) == 2, "one claim, one version, one entry")
        # concurrent changes from the same read version: one wins
        b = ids[1]
        procs = together([base + ["--as", f"a{i}", "assign", b, f"user{i}", "--version", "0"]
                          for i in range(10)])
        res = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
        check(sum(1 for r in res if r[0] == 0) == 1 and
              sum(1 for r in res if r[0] == 1 and "since you read it (v0 → v1)" in r[1]) == 9,
              "10 concurrent assigns from v0: one wins, nine are told it changed")
        c = ids[2]
        targets = ["triaged", "in_progress", "false_positive", "escalated"] * 3
        procs = together([base + ["--as", f"a{i}", "status", c, s, "--version", "0"]
                          for i, s in enumerate(targets)])
        res = [p.wait(timeout=60) for p in procs]
        check(res.count(0) == 1 and res.count(1) == len(targets) - 1 and case_of(srv, c)["version"] == "1",
              f"{len(targets)} concurrent status changes from v0: one wins")
        r = tr(url, "history", c)
        check(r.returncode == 0, "the history still verifies after the races")


def case_sensor():
    with tempfile.TemporaryDirectory() as tmp:
        srv, ids = filled(tmp)
        url = srv.url
        a, b, c = ids[0], ids[1], ids[2]
        tr(url, "claim", a)
        tr(url, "status", a, "in_progress", "--note", "đang xử lý")
        tr(url, "merge", c, b)
        tr(url, "escalate", b, who="minh")
        cases = {i: case_of(srv, i) for i in (a, b, c)}
        notes = srv.call("LRANGE", key("notes", a), "0", "-1")
        hist = {i: srv.call("LRANGE", key("hist", i), "0", "-1") for i in (a, b, c)}
        count_b = json.loads(tr(url, "show", b, "--json").stdout)["count"]
        count_c = json.loads(tr(url, "show", c, "--json").stdout)["count"]
        tq.run_all(tmp, url)
        check(all(case_of(srv, i) == cases[i] for i in (a, b, c)),
              "the sensor's next run leaves status, assignee, version, merge untouched")
        check(srv.call("LRANGE", key("notes", a), "0", "-1") == notes, "... and the notes")
        check(all(srv.call("LRANGE", key("hist", i), "0", "-1") == hist[i] for i in (a, b, c)),
              "... and the history (the sensor adds none to an existing ticket)")
        lst = {t["id"]: t for t in json.loads(tr(url, "list", "--json", "--limit", "0").stdout)}
        check(lst[a]["status"] == "in_progress" and lst[a]["assignee"] == "lan" and
              lst[b]["status"] == "escalated" and lst[c]["status"] == "duplicate", "list agrees")
        check(lst[b]["count"] > count_b and lst[c]["count"] > 0,
              f"the sensor still adds its counts (survivor {count_b} -> {lst[b]['count']})")
        check(all(tr(url, "history", i).returncode == 0 for i in (a, b, c)), "histories verify")


def case_acl():
    env = redisenv.RedisEnv()
    srv = env.tcp()
    with tempfile.TemporaryDirectory() as tmp:
        out = tr(srv.url, "admin", "add-analyst", "lan").stdout
        pw = next((l for l in out.splitlines() if len(l) == 48), "")
        pf = os.path.join(tmp, "lan.pass")
        with open(pf, "w") as f:
            f.write(pw + "\n")
        os.chmod(pf, 0o600)
        _, ids = filled(tmp, srv=srv)
        a, b, c = ids[0], ids[1], ids[2]
        u = {"user": "lan", "pwfile": pf}
        for args in (["claim", a], ["assign", a, "minh"], ["status", a, "triaged", "--note", "n"],
                     ["note", a, "x"], ["escalate", a], ["status", a, "resolved"], ["reopen", a],
                     ["merge", c, b], ["history", a], ["history", b],
                     ["playbook", a, "--done", "1"], ["playbook", a, "--undo", "1"]):
            r = tr(srv.url, *args, **u)
            check(r.returncode == 0, f"acl: the analyst's user can {args[0]} ({r.stderr.strip()})")
        # watch needs an event: make one with the analyst's user from another process
        w = subprocess.Popen([TRIAGE, "--redis", srv.url, "--redis-user", "lan",
                              "--redis-password-file", pf, "watch", "--count", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        tr(srv.url, "note", b, "y", **u)
        try:
            o, e = w.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            w.kill()
            o, e = w.communicate()
        check(w.returncode == 0 and "note" in o, f"acl: the analyst's user can watch ({e.strip()})")


def playbooks():
    """category -> (playbook id, file, name_en, checklist step ids in order), read
    independently of the C loader: the walk of docs/playbooks.md"""
    src = os.environ.get("HAIDANG_PLAYBOOKS") or os.path.join(
        os.environ.get("HAIDANG_SRC", "."), "playbooks")
    out = {}
    for f in sorted(glob.glob(os.path.join(src, "*.json"))):
        with open(f, encoding="utf-8") as fh:
            p = json.load(fh)
        wf, order = p["workflow"], []

        def walk(sid):
            while sid:
                st = wf[sid]
                if st["type"] in ("action", "if-condition"):
                    order.append(sid)
                if st["type"] == "if-condition":
                    walk(st["on_true"])
                    if st.get("on_false"):
                        walk(st["on_false"])
                sid = st.get("on_completion")
        walk(p["workflow_start"])
        for lab in p["labels"]:
            if lab.startswith("haidang-category:"):
                out[lab.split(":", 1)[1]] = (p["id"], os.path.basename(f),
                                             p["name"].split(" / ")[1], order, wf)
    return out


def chain_ok(srv, tid, slug=SLUG):
    prev, good = "", True
    for e in srv.call("LRANGE", key("hist", tid, slug), "0", "-1"):
        body, hh = e[:-51], e[-42:-2]
        good = good and json.loads(e)["prev"] == prev and \
            hashlib.sha1((prev + "\n" + body + "}").encode()).hexdigest() == hh
        prev = hh
    return good


def case_playbook():
    pbs = playbooks()
    with tempfile.TemporaryDirectory() as tmp:
        srv, ids = filled(tmp)
        url = srv.url
        lst = json.loads(tr(url, "list", "--json", "--limit", "0").stdout)
        cats = sorted({t["category"] for t in lst})
        check(len(cats) >= 4, f"the captures give several categories ({cats})")
        bad = [(t["id"][:8], t["category"], t.get("playbook")) for t in lst
               if t.get("playbook") != pbs[t["category"]][0] or t.get("playbook_done") != 0 or
               t.get("playbook_steps") != len(pbs[t["category"]][3])]
        check(not bad, f"list --json: playbook, playbook_done 0, playbook_steps by category {bad[:3]}")
        for cat in cats:
            t = next(x for x in lst if x["category"] == cat)
            r = tr(url, "playbook", t["id"], "--json")
            d = js(r) or {}
            pid, fname, name, order, _ = pbs[cat]
            check(r.returncode == 0 and d.get("playbook", {}).get("id") == pid and
                  d["playbook"].get("file") == fname and d.get("steps") == len(order) and
                  [x["step"] for x in d.get("checklist", [])] == order,
                  f"{cat}: playbook {fname}, its steps in the walk order")
        # tick step 2 of an incident
        a = ids[0]
        k = json.loads(tr(url, "show", a, "--json").stdout)
        pid, fname, name, order, wf = pbs[k["category"]]
        n = len(order)
        t0 = int(time.time() * 1000)
        r = tr(url, "playbook", a, "--done", "2")
        check(r.returncode == 0 and "ticked step 2" in r.stdout and f"1/{n} done" in r.stdout and
              "[x]" in r.stdout, f"playbook --done 2: ticked, the checklist printed ({r.stderr.strip()})")
        v = case_of(srv, a)
        mark = v.get("pb:" + order[1], "")
        check(mark.endswith("|lan") and t0 <= int(mark.split("|")[0]) <= int(time.time() * 1000),
              f"the case hash: pb:STEP = MS|WHO ({mark})")
        check(v.get("version") == "1" and v.get("updated_by") == "lan", "the tick bumps the version")
        s = tr(url, "show", a).stdout
        check(f"Playbook:      {name} — 1/{n} done" in s, f"show: the playbook and its progress ({name})")
        sj = json.loads(tr(url, "show", a, "--json").stdout)
        check(sj.get("playbook") == pid and sj.get("playbook_done") == 1 and sj.get("playbook_steps") == n
              and sj.get("playbook_name") == name, "show --json: playbook, name, progress")
        lj = {t["id"]: t for t in json.loads(tr(url, "list", "--json", "--limit", "0").stdout)}
        check(lj[a]["playbook_done"] == 1 and lj[a]["playbook_steps"] == n, "list --json: playbook_done 1")
        lt = tr(url, "list", "--limit", "0").stdout
        row = next((x for x in lt.splitlines() if x.startswith(a[:12])), "")
        check(" PB " in lt.splitlines()[0] and f" 1/{n} " in row, f"list: the PB column ({row[90:]})")
        h = js(tr(url, "history", a, "--json")) or {}
        e = (h.get("entries") or [{}])[-1]
        wf2 = wf[order[1]]
        check(h.get("ok") and e.get("action") == "playbook" and e.get("who") == "lan" and
              t0 <= e.get("ts", 0) <= int(time.time() * 1000) and
              e.get("before") == {order[1]: False, "version": 0} and
              e.get("after", {}).get(order[1]) is True and e["after"].get("step_no") == 2 and
              e["after"].get("playbook") == pid and e["after"].get("version") == 1 and
              wf2["name"].split("] ", 1)[-1] == e["after"].get("step_name"),
              f"history: a playbook entry with who, when, before -> after ({e.get('after')})")
        check(chain_ok(srv, a), "the chain still verifies (recomputed in Python)")
        st = srv.call("XREVRANGE", f"hd:{{{SLUG}}}:stream", "+", "-", "COUNT", "1")
        f = dict(zip(st[0][1][::2], st[0][1][1::2])) if st else {}
        check(f.get("what") == "playbook" and f.get("id") == a and f.get("who") == "lan" and
              f.get("version") == "1", "the stream: a playbook entry")
        # by id, with the version read; again: nothing to change
        r = tr(url, "playbook", a, "--done", order[2], "--version", "1", "--json", who="minh")
        d = js(r) or {}
        check(r.returncode == 0 and d.get("ok") and d.get("result") == "ok" and d.get("version") == 2 and
              d.get("step_no") == 3, f"--done STEP-ID --version 1: ticked ({r.stdout.strip()})")
        r = tr(url, "playbook", a, "--done", "2")
        check(r.returncode == 0 and "nothing to change" in r.stdout and case_of(srv, a)["version"] == "2",
              "ticking a ticked step: nothing to change, exit 0")
        d = js(tr(url, "playbook", a, "--json", lang="vi")) or {}
        cl = d.get("checklist", [])
        check(d.get("done") == 2 and cl[1]["done"] and cl[1]["who"] == "lan" and cl[2]["who"] == "minh" and
              not cl[0]["done"] and cl[1]["name"] == cl[1]["name_vi"] and cl[1]["ts"] >= t0,
              "playbook --json: done, who, when, the name in the analyst's language")
        r = tr(url, "playbook", a, lang="vi")
        check(f"2/{n} bước đã xong" in r.stdout and "Quy trình:" in r.stdout, "playbook in Vietnamese")
        # untick
        r = tr(url, "playbook", a, "--undo", "2", who="minh")
        check(r.returncode == 0 and "unticked step 2" in r.stdout and f"1/{n} done" in r.stdout,
              "--undo 2: unticked")
        check(case_of(srv, a).get("pb:" + order[1]) == "" and case_of(srv, a)["version"] == "3",
              "unticked: the field is emptied (no deleting command), version 3")
        e = json.loads(tr(url, "history", a, "--json").stdout)["entries"][-1]
        check(e["action"] == "playbook" and e["who"] == "minh" and e["before"][order[1]] is True and
              e["after"][order[1]] is False, "history: the untick, by whom")
        lj = {t["id"]: t for t in json.loads(tr(url, "list", "--json", "--limit", "0").stdout)}
        check(lj[a]["playbook_done"] == 1, "list: progress after the untick")
        # refusals: exit 1, a clear message, nothing changed
        other = next(c for c, x in pbs.items() if x[0] != pid)
        foreign = pbs[other][3][0]
        for arg, what in ((foreign, "a step of another playbook"),
                          ("action--00000000-0000-4000-8000-000000000000", "an unknown step id"),
                          ("0", "step 0"), (str(n + 1), f"step {n + 1} (out of range)"), ("abc", "garbage")):
            r = tr(url, "playbook", a, "--done", arg)
            check(r.returncode == 1 and "is not a step of the playbook" in r.stderr and
                  case_of(srv, a)["version"] == "3", f"--done {what}: refused, exit 1 ({r.stderr.strip()})")
        r = tr(url, "playbook", a, "--done", str(n + 1), lang="vi")
        check(r.returncode == 1 and "không phải một bước của quy trình" in r.stderr, "refused, in Vietnamese")
        d = js(tr(url, "playbook", a, "--undo", foreign, "--json")) or {}
        check(d.get("ok") is False and d.get("result") == "nostep" and d.get("version") == 3,
              "refused in JSON: result nostep")
        r = tr(url, "playbook", a, "--done", "4", "--version", "1", who="hoa")
        check(r.returncode == 1 and "changed by minh" in r.stderr and "v1 → v3" in r.stderr and
              case_of(srv, a)["version"] == "3" and not case_of(srv, a).get("pb:" + order[3]),
              f"a stale --version: refused ({r.stderr.strip()})")
        r = tr(url, "playbook", a, "--done", "4", extra=["--read-only"])
        check(r.returncode == 1 and "read-only" in r.stderr and case_of(srv, a)["version"] == "3",
              "--read-only: ticking refused")
        r = tr(url, "playbook", a, extra=["--read-only"])
        check(r.returncode == 0 and f"1/{n}" in r.stdout, "--read-only: the checklist still shows")
        check(tr(url, "playbook", a, "--done", "1", "--undo", "2").returncode == 2 and
              tr(url, "playbook").returncode == 2, "usage errors: exit 2")
        # a duplicate's checklist is its survivor's
        b, c = ids[1], ids[2]
        check(tr(url, "merge", b, c).returncode == 0, "merge for the duplicate case")
        r = tr(url, "playbook", b, "--done", "1")
        check(r.returncode == 1 and "merged into" in r.stderr, f"a duplicate: refused ({r.stderr.strip()})")
        # a category no playbook serves, and no playbooks at all
        synth(srv, "e" * 32, SLUG)
        srv.call("HSET", key("det", "e" * 32), "category", "zzz")
        r = tr(url, "playbook", "e" * 32, "--done", "1")
        check(r.returncode == 1 and "no playbook serves category 'zzz'" in r.stderr,
              "a category without a playbook: refused")
        lj = {t["id"]: t for t in json.loads(tr(url, "list", "--json", "--limit", "0").stdout)}
        check(lj["e" * 32]["playbook"] is None and lj["e" * 32]["playbook_steps"] == 0,
              "list: no playbook, null and 0 steps")
        nodir = os.path.join(tmp, "none")
        r = tr(url, "playbook", a, extra=["--playbooks", nodir])
        check(r.returncode == 2 and "cannot read the playbooks" in r.stderr, "--playbooks DIR missing: exit 2")
        r = tr(url, "list", "--json", "--limit", "0", extra=["--playbooks", nodir])
        check(r.returncode == 0 and all(t["playbook"] is None for t in json.loads(r.stdout)),
              "list without playbooks still works")
        conf = os.path.join(tmp, "triage.conf")
        with open(conf, "w") as fh:
            fh.write(f"playbooks = {nodir}\n")
        r = subprocess.run([TRIAGE, "--config", conf, "--redis", url, "--lang", "en", "playbook", a],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 2 and nodir in r.stderr, f"the config key playbooks ({r.stderr.strip()})")
        q = next((x for x in order if x.startswith("if-condition--")), None)
        if q:
            r = tr(url, "playbook", a, "--done", q, "--json")
            d = js(r) or {}
            check(r.returncode == 0 and d.get("ok") and d.get("step") == q and
                  case_of(srv, a).get("pb:" + q, "").endswith("|lan"),
                  "a question (if-condition step) is ticked once answered")
        check(chain_ok(srv, a) and tr(url, "history", a).returncode == 0, "the chain verifies at the end")


def matches(t, args):
    """list's filters, written again"""
    opts = dict(zip(args[::2], args[1::2]))
    st = opts.get("--status")
    if st == "open" and t["status"] in ("resolved", "false_positive", "duplicate"):
        return False
    if st and st != "open" and t["status"] != st:
        return False
    if "--severity" in opts and t["severity"] != opts["--severity"]:
        return False
    if "--agency" in opts and t["agency"] != opts["--agency"]:
        return False
    q = opts.get("--search")
    if q and not (q.lower() in t["indicator"].lower() or q in t["host"] or q in t.get("peer", "")
                  or q.lower() in t["category"].lower() or q.lower() in t["agency"].lower()
                  or t["id"].startswith(q)):
        return False
    return True


def case_list():
    env = redisenv.RedisEnv()
    srv = env.unix()
    r = subprocess.run([BENCH, srv.url, "3000"], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"queue_bench filled the queue: {r.stderr[-200:]}")
    srv.call("SADD", "hd:agencies", *[f"don-vi-so-{i}" for i in range(250)])
    url = srv.url
    # some variety: states, a few critical ones
    full = json.loads(tr(url, "list", "--json", "--limit", "0").stdout)
    check(len(full) == 3000, f"3000 tickets ({len(full)})")
    for i, t in enumerate(full[::37]):
        tr(url, "status", t["id"], ["triaged", "false_positive", "in_progress"][i % 3])
    for t in full[5:300:60]:
        slug = t["agency_key"]
        srv.call("HSET", key("det", t["id"], slug), "severity", "critical", "sev_rank", "4")
        srv.call("ZADD", f"hd:{{{slug}}}:idx:urgent", str(4000 + t["score"]), t["id"])
    for args in ([], ["--status", "open"], ["--status", "false_positive"], ["--severity", "high"],
                 ["--severity", "critical"], ["--severity", "low"], ["--severity", "high", "--status", "open"],
                 ["--search", "10.88.1."], ["--agency", "Đơn vị số 7"]):
        # the full scan, unfiltered, in list's order; the filters applied here
        every = json.loads(tr(url, "list", "--json", "--limit", "0").stdout)
        slow = [t["id"] for t in every if matches(t, args)]
        for lim in ("1", "7", "50", "400"):
            quick = [t["id"] for t in json.loads(tr(url, "list", "--json", "--limit", lim, *args).stdout)]
            if quick != slow[:int(lim)]:
                check(False, f"list --limit {lim} {' '.join(args)}: the quick page is the full scan's")
                break
        else:
            check(True, f"list {' '.join(args) or '(no filter)'}: the quick page is the full scan's first page")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: test_triage.py " + "|".join(CASES))
    CASES[sys.argv[1]]()
    sys.exit(1 if failures or tq.failures else 0)
