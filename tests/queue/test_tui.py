#!/usr/bin/env python3
"""test_tui.py - haidang-triage's console driven in a real terminal (tmux)
against a real redis-server filled by the sensor (docs/tui.md).

What a user would check: the queue lists the incidents most urgent first;
/ narrows the rows; Enter opens an incident with its evidence; c claims it
and the assignee shows; its playbook shows as a checklist and p ticks a
step (in Redis, in the history, in the queue's PB column); a new incident arrives within ~2 s while the
cursor stays on the same incident; the sensors screen shows the sensor;
Vietnamese labels render whole; at 80x24 nothing wraps.

Exit 77 (skipped) without tmux or redis-server.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redisenv  # noqa: E402
import test_queue as tq  # noqa: E402

TMUX = shutil.which("tmux")
ANALYST = "lan.nguyen"
FIRST = ["c2-beacon.pcap", "two-hosts.pcap", "portscan.pcap", "bruteforce.pcap",
         "dns-tunnel.pcap", "download.pcap"]
LATER = ["webshell.pcap"]
NFD_AGENCY = unicodedata.normalize("NFD", "Sở Y tế")  # marks as separate characters
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures += 1
    return cond


def width(s):
    """terminal columns of s (wide characters 2, combining marks 0)"""
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def feed(tmp, url, captures, name):
    """runs the sensor over the captures (one pcap stream) into the queue"""
    header, body = None, b""
    for c in captures:
        h, r = tq.records(c)
        header = header or h
        body += r
    p = tq.sensor(tmp, url, name=name)
    p.stdin.write(header + body)
    p.stdin.close()
    rc = p.wait(timeout=120)
    check(rc == 0, f"sensor {name} over {', '.join(captures)} exited 0: {tq.stderr(tmp, name)[-300:]}")


def listing(url):
    r = subprocess.run([tq.TRIAGE, "--redis", url, "list", "--json", "--limit", "0"],
                       capture_output=True, text=True, timeout=60)
    return json.loads(r.stdout or "[]")


class Term:
    """one TUI in a private tmux server"""

    def __init__(self, tmp, cols, rows, args, lang="C.UTF-8"):
        self.sock = os.path.join(tmp, f"tmux-{cols}x{rows}")
        cmd = " ".join(["env", f"LANG={lang}", "TERM=xterm-256color", tq.TRIAGE] + args)
        self.tmux("new-session", "-d", "-x", str(cols), "-y", str(rows), cmd)
        self.tmux("set-option", "-g", "remain-on-exit", "on")

    def tmux(self, *args):
        return subprocess.run([TMUX, "-S", self.sock, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=20)

    def keys(self, *k):
        self.tmux("send-keys", *k)
        time.sleep(0.25)

    def text(self, *k):
        self.tmux("send-keys", "-l", *k)
        time.sleep(0.15)

    def screen(self, escapes=False):
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else [])).stdout

    def wait(self, pred, timeout=5.0, what="screen"):
        end = time.monotonic() + timeout
        s = self.screen()
        while time.monotonic() < end:
            s = self.screen()
            if pred(s):
                return s
            time.sleep(0.05)
        print(f"--- screen while waiting for {what} ---\n{s}---", flush=True)
        return None

    def selected(self):
        """the text of the reverse-video line (the cursor)"""
        for line in self.screen(escapes=True).splitlines()[2:]:
            lead = re.match(r"(?:\x1b\[[0-9;]*m)*", line).group(0)
            if any("7" in e.split(";") for e in re.findall(r"\x1b\[([0-9;]*)m", lead)):
                return re.sub(r"\x1b\[[0-9;]*m", "", line).rstrip()
        return None

    def close(self):
        self.tmux("kill-server")


SEV_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0,
            "khẩn cấp": 4, "cao": 3, "trung bình": 2, "thấp": 1, "thông tin": 0}


def rows(screen):
    """the queue's rows: lines after the header up to the bottom lines"""
    lines = screen.splitlines()
    return [l for l in lines[2:-2] if l.strip() and not l.startswith(" (")]


def sev_of(row):
    for name, rank in sorted(SEV_RANK.items(), key=lambda x: -len(x[0])):
        if row.startswith(name):
            return rank
    return None


def main():
    if not TMUX:
        redisenv.skip("tmux not installed (apt-get install tmux)")
    env = redisenv.RedisEnv()
    srv = env.unix()
    with tempfile.TemporaryDirectory() as tmp:
        feed(tmp, srv.url, FIRST, "s1")
        before = listing(srv.url)
        check(len(before) >= 5, f"the captures filled the queue ({len(before)} incidents)")
        t = Term(tmp, 120, 30, ["--redis", srv.url, "--as", ANALYST, "--lang", "en"])
        try:
            s = t.wait(lambda x: "queue " in x and "SEVERITY" in x and len(rows(x)) >= 5,
                       10, "the first screen")
            check(s is not None, "the queue view opens with the incidents")
            s = s or ""
            ranks = [sev_of(r) for r in rows(s)]
            check(all(r is not None for r in ranks) and ranks == sorted(ranks, reverse=True),
                  f"most urgent first (severity ranks {ranks})")
            m = re.search(r"queue (\d+)/(\d+)", s)
            check(m and int(m.group(2)) == len(before), f"every incident is there ({m and m.group(0)})")
            top = sorted(before, key=lambda k: (-SEV_RANK[k["severity"]], -k["score"]))[0]
            check(top["indicator"][:20] in rows(s)[0], f"the first row is the most urgent ({top['indicator'][:30]})")

            # filter
            target = next(k for k in before if k["host"] and k is not top)
            t.keys("/")
            t.text(target["host"])
            t.keys("Enter")
            s = t.wait(lambda x: "filter: " + target["host"] in x, 3, "the filter")
            n = len([k for k in before if target["host"] in " ".join(
                [k["host"], k.get("peer", ""), k["indicator"], k["agency"], k["category"]])])
            check(s is not None and 0 < len(rows(s)) < len(before) and all(target["host"] in r for r in rows(s)),
                  f"/ {target['host']} narrows the rows to that host ({len(rows(s or ''))} of {len(before)})")
            t.keys("Escape")
            s = t.wait(lambda x: len(rows(x)) == len(before) and "filter:" not in x, 3, "Esc clearing the filter")
            check(s is not None, "Esc clears the filter")

            # open the second row, claim it
            t.keys("j")
            sel = t.selected()
            t.keys("Enter")
            s = t.wait(lambda x: "Evidence" in x and "Incident " in x, 3, "the incident view")
            check(s is not None, "Enter opens the incident and shows its evidence")
            s = s or ""
            m = re.search(r"Incident ([0-9a-f]{32})", s)
            inc_id = m.group(1) if m else ""
            check(bool(inc_id) and re.search(r"^\s+1\. ", s, re.M) is not None,
                  "the incident view lists evidence items")
            t.keys("c")
            s = t.wait(lambda x: ANALYST in x and "Status:" in x, 3, "the claim")
            if s and "(y/n)" in s:
                t.keys("y")
                s = t.wait(lambda x: ANALYST in x, 3, "the claim after confirming")
            # a claim names the analyst and leaves the state as it was
            # (docs/triage.md: claim does not change the status)
            st = re.search(r"Status:\s+(\S+), " + re.escape(ANALYST), s or "")
            check(st is not None, f"c claims it: the assignee is {ANALYST} (status {st and st.group(1)})")
            after = {k["id"]: k for k in listing(srv.url)}
            check(after.get(inc_id, {}).get("assignee") == ANALYST, "the claim is in the queue")

            # the playbook: the checklist at the end of the incident, p ticks a step
            nsteps = after.get(inc_id, {}).get("playbook_steps", 0)
            t.keys("G")
            s = t.wait(lambda x: "Playbook:" in x and f"0/{nsteps} done" in x, 3, "the checklist")
            check(nsteps > 0 and s is not None and re.search(r"^\s+2 \[ \] ", s or "", re.M) is not None,
                  f"the incident view shows its playbook as a checklist (0/{nsteps})")
            t.keys("p")
            t.text("2")
            t.keys("Enter")
            s = t.wait(lambda x: f"1/{nsteps} done" in x and re.search(r"^\s+2 \[x\] .*" + re.escape(ANALYST), x, re.M),
                       3, "the ticked step")
            check(s is not None, "p 2 ticks step 2: [x], who and when")
            after = {k["id"]: k for k in listing(srv.url)}
            check(after.get(inc_id, {}).get("playbook_done") == 1, "the tick is in the queue")
            hist = subprocess.run([tq.TRIAGE, "--redis", srv.url, "history", inc_id, "--json"],
                                  capture_output=True, text=True, timeout=60)
            ents = json.loads(hist.stdout or "{}").get("entries", [])
            check(hist.returncode == 0 and ents and ents[-1]["action"] == "playbook" and
                  ents[-1]["who"] == ANALYST, "the tick is in the history, by the analyst; the chain verifies")
            t.keys("p")
            t.text("99")
            t.keys("Enter")
            s = t.wait(lambda x: "no such step" in x.splitlines()[-1], 3, "the refusal")
            check(s is not None, "p 99: no such step, said on the bottom line")
            t.keys("q")
            s = t.wait(lambda x: "SEVERITY" in x, 3, "back to the queue")
            check(s is not None and ANALYST[:8] in s, "q goes back; the row shows the assignee")
            sel_before = t.selected()
            check(sel_before is not None and ANALYST[:8] in sel_before and sel_before[:70] == sel[:70],
                  f"the cursor is still on the claimed incident: {sel_before}")

            # a new incident arrives
            n0 = int(re.search(r"queue \d+/(\d+)", s or "queue 0/0").group(1))
            t0 = time.monotonic()
            feed(tmp, srv.url, LATER, "s2")
            new_total = len(listing(srv.url))
            check(new_total > n0, f"the new capture added incidents ({n0} -> {new_total})")
            s = t.wait(lambda x: f"/{new_total} " in x.splitlines()[0], 4, "the new incident")
            took = time.monotonic() - t0
            check(s is not None, f"the new incidents appear ({new_total}) {took:.1f} s after the sensor's run began")
            check(t.selected() == sel_before, f"the cursor stayed on the same incident: {t.selected()}")

            # sensors
            t.keys("S")
            s = t.wait(lambda x: "SENSOR" in x and re.search(r"^s1 ", x, re.M), 3, "the sensors screen")
            check(s is not None and re.search(r"^s2 ", s or "", re.M) is not None,
                  "S shows the sensor health screen with both sensors")
            t.keys("q")

            # a new agency, its name written with combining marks (NFD)
            t0 = time.monotonic()
            tq.AGENCY, agency = NFD_AGENCY, tq.AGENCY
            try:
                feed(tmp, srv.url, LATER, "s3")
            finally:
                tq.AGENCY = agency
            total = len(listing(srv.url))
            s = t.wait(lambda x: f"/{total} " in x.splitlines()[0], 5, "the new agency's incidents")
            check(s is not None and total > new_total,
                  f"a new agency's incidents appear ({total}), {time.monotonic() - t0:.1f} s after its sensor began")
            t.keys("q")
        finally:
            t.close()

        # Vietnamese
        t = Term(tmp, 120, 30, ["--redis", srv.url, "--lang", "vi", "--read-only"])
        try:
            s = t.wait(lambda x: "TRẠNG THÁI" in x, 10, "the Vietnamese header")
            check(s is not None and "MỨC ĐỘ" in s and "ĐƠN VỊ" in s and "hàng đợi" in s,
                  "--lang vi: Vietnamese labels render whole (TRẠNG THÁI, MỨC ĐỘ, ĐƠN VỊ)")
            s = s or ""
            check(tq.AGENCY[:10] in s, "the Vietnamese agency name renders")
            # the column after the agency starts at the same terminal column on every row
            hdr = s.splitlines()[1]
            col = width(hdr[:hdr.find("MÁY")]) if "MÁY" in hdr else -1
            ok = col > 0
            check(any(NFD_AGENCY[:6] in r for r in rows(s)), "the agency written with combining marks renders")
            now = listing(srv.url)
            nfd_rows = 0
            for r in rows(s):
                nfd_rows += NFD_AGENCY[:6] in r
                hosts = [k["host"] for k in now if k["host"] and k["host"] in r]
                if hosts:
                    ok = ok and width(r[:r.find(hosts[0])]) == col
            check(ok and nfd_rows > 0, "Vietnamese text, precomposed or with combining marks, keeps the columns aligned")
            t.keys("Enter")
            t.wait(lambda x: "Bằng chứng" in x, 3, "the Vietnamese incident view")
            t.keys("c")
            s = t.wait(lambda x: "chỉ đọc" in x.splitlines()[-1], 3, "the read-only message")
            check(s is not None, "--read-only: c is refused with a message")
        finally:
            t.close()

        # a wide terminal: the playbook's progress column
        t = Term(tmp, 150, 30, ["--redis", srv.url, "--lang", "en"])
        try:
            s = t.wait(lambda x: " PB" in x.splitlines()[1] and len(rows(x)) >= 5, 10, "the PB column")
            pbs = [re.search(r" (\d+)/(\d+)$", r.rstrip()) for r in rows(s or "")]
            check(s is not None and all(pbs) and [m.group(1) for m in pbs].count("1") == 1,
                  f"150 columns: the PB column shows each incident's progress, one with a step ticked "
                  f"({[m.group(0).strip() for m in pbs if m][:6]})")
        finally:
            t.close()
        t = Term(tmp, 120, 30, ["--redis", srv.url, "--lang", "en"])
        try:
            s = t.wait(lambda x: "SEVERITY" in x, 10, "120 columns")
            check(s is not None and " PB" not in s.splitlines()[1], "120 columns: no PB column, the title keeps its room")
        finally:
            t.close()

        # 80x24
        t = Term(tmp, 80, 24, ["--redis", srv.url, "--lang", "en"])
        try:
            # the whole screen: the hints line is drawn last
            s = t.wait(lambda x: "SEVERITY" in x and len(rows(x)) >= 5 and x.splitlines()
                       and "Enter open" in x.splitlines()[-1], 10, "the 80x24 screen")
            s = s or ""
            lines = s.splitlines()
            check(len(lines) <= 24 and lines[0].startswith(" haidang-triage") and lines[1].startswith("SEVERITY"),
                  "80x24: title and header on their own lines")
            check(all(width(l) <= 80 for l in lines), "80x24: no line is wider than the terminal")
            check(all(sev_of(r) is not None for r in rows(s)),
                  "80x24: every row starts with its severity (nothing wrapped onto the next line)")
            check("Enter open" in lines[-1], "80x24: the key hints stay on the last line")
        finally:
            t.close()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
