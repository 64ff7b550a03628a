#!/usr/bin/env python3
"""check_captures.py CASE - the sensor over the repo's own captures (tests/data).

Each case runs haidang-sensor the way a user would and checks what a user
would look at: the names, answers, URLs, certificates and banners of real
traffic made by tests/tools/make-captures.sh (see tests/data/README.md for
how each capture was made), and how the sensor behaves on damaged input,
on stdin, on a directory, with a config file and on SIGUSR1, and that it
runs under its seccomp allow list (--no-seccomp: without).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from ready import ReadySensor  # noqa: E402

SENSOR = os.environ["HAIDANG_SENSOR"]
DATA = os.path.join(os.environ["HAIDANG_SRC"], "tests", "data")
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def run(args, stdin=None, expect_rc=0):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "eve.json")
        r = subprocess.run([SENSOR, "--eve", out, "--no-progress"] + args,
                           input=stdin, capture_output=True, timeout=120)
        err = r.stderr.decode("utf-8", "replace")
        if expect_rc is not None:
            check(r.returncode == expect_rc,
                  f"exit status {r.returncode} == {expect_rc} for {' '.join(args)}"
                  + ("" if r.returncode == expect_rc else "\n" + err))
        events = []
        if os.path.exists(out):
            with open(out, encoding="utf-8") as f:
                events = [json.loads(line) for line in f]
        return events, err, r.returncode


def of(events, kind):
    return [e for e in events if e["event_type"] == kind]


def stats(events):
    s = of(events, "stats")
    return s[-1]["stats"] if s else {}


def answers(e):
    return [a.get("rdata") for a in e["dns"].get("answers", [])]


def dns_answer(events, name, rrtype=None):
    """answers of the responses to a question for name (and type)"""
    got = []
    for e in of(events, "dns"):
        d = e["dns"]
        if d["type"] != "response":
            continue
        for q in d.get("queries", []):
            if q["rrname"] == name and (rrtype is None or q["rrtype"] == rrtype):
                got.append(e)
    return got


def full6(short):
    import ipaddress
    return ipaddress.IPv6Address(short).exploded


def case_demo():
    ev, _, _ = run(["-r", os.path.join(DATA, "demo.pcap")])
    st = stats(ev)
    check(st.get("decoder", {}).get("invalid") == 0, "demo: no malformed packets")
    r = dns_answer(ev, "congthongtin.tinh.example", "A")
    check(any("10.77.0.1" in answers(e) for e in r), "demo: congthongtin.tinh.example A -> 10.77.0.1")
    r = dns_answer(ev, "www.tinh.example")
    check(any("portal.tinh.example" in answers(e) and "10.77.0.1" in answers(e) for e in r),
          "demo: www.tinh.example CNAME chain through portal.tinh.example to 10.77.0.1")
    r = dns_answer(ev, "khongtontai.tinh.example")
    check(any(e["dns"]["rcode"] == "NXDOMAIN" for e in r), "demo: khongtontai.tinh.example is NXDOMAIN")
    r = dns_answer(ev, "dichvucong.tinh.example", "AAAA")
    check(any(full6("fd77::1") in answers(e) for e in r), "demo: dichvucong AAAA -> fd77::1 (written in full)")
    r = dns_answer(ev, "tinh.example", "TXT")
    check(any(any(a and a.startswith("v=spf1") for a in answers(e)) for e in r), "demo: SPF TXT record")
    r = dns_answer(ev, "update-check.badsite.example", "A")
    check(any("10.77.0.66" in answers(e) for e in r), "demo: update-check.badsite.example -> 10.77.0.66")

    http = of(ev, "http")
    check(any(h["http"].get("url") == "/update/agent.bin" and h["http"].get("status") == 200
              and h["http"].get("http_user_agent") == "WinHttp-Updater/2.1 (compatible; agent)"
              and h["http"].get("length") == 2048 for h in http),
          "demo: agent.bin download, 2048 bytes, with the updater's User-Agent")
    check(any(h["http"].get("http_method") == "POST" and h["http"].get("url") == "/dangnhap"
              and h["src_ip"].startswith("fd77") for h in http), "demo: POST /dangnhap over IPv6")
    check(any(h["http"].get("status") == 404 for h in http), "demo: a 404")
    check(all(h["http"].get("hostname") for h in http), "demo: every HTTP event has its host name")

    tls = of(ev, "tls")
    check(any(t["tls"].get("sni") == "congthongtin.tinh.example" and t["tls"].get("version") == "TLS 1.2"
              and t["tls"].get("subject") == "C=VN, O=So TTTT, CN=congthongtin.tinh.example"
              and t["tls"].get("ja3", {}).get("hash") == "87b9bfc7da97115ed2276737b09f8d74"
              and len(t["tls"].get("fingerprint", "")) == 59 for t in tls),
          "demo: TLS 1.2 to congthongtin with its certificate, SHA-1 and curl's JA3")
    check(any(t["tls"].get("sni") == "dichvucong.tinh.example" and t["tls"].get("version") == "TLS 1.3"
              for t in tls), "demo: TLS 1.3 to dichvucong.tinh.example")
    check(any(t["tls"].get("sni") == "update-check.badsite.example" for t in tls),
          "demo: TLS to update-check.badsite.example")

    ssh = of(ev, "ssh")
    check(len(ssh) == 1 and ssh[0]["ssh"]["client"]["software_version"] == "OpenSSH_9.2p1"
          and ssh[0]["ssh"]["server"].get("comments", "").startswith("Debian")
          and len(ssh[0]["ssh"]["client"].get("hassh", {}).get("hash", "")) == 32,
          "demo: one SSH session, OpenSSH 9.2p1 both ends, with HASSH")

    flows = of(ev, "flow")
    tcp = [f for f in flows if f["proto"] == "TCP"]
    udp = [f for f in flows if f["proto"] == "UDP"]
    check(len(tcp) == 9 and len(udp) == 6, f"demo: 9 TCP and 6 UDP flows (got {len(tcp)}, {len(udp)})")
    check(any(f.get("dest_ip") == "10.77.0.66" and f.get("dest_port") == 80 and
              any(r["name"] == "Binary Application Transfer" for r in f["ndpi"].get("risks", []))
              for f in flows), "demo: nDPI flags the binary download as a risk")
    check(any(f["ndpi"]["proto"] == "TLS" and f["app_proto"] == "tls" for f in flows),
          "demo: TLS flows named by nDPI and as Suricata's app_proto")
    check(all(e.get("home") == "both" for e in ev if "src_ip" in e and e["src_ip"].startswith("10.77.")),
          "demo: both ends are in the home network (RFC 1918)")
    check(all(e["timestamp"].startswith("2026-11-27T") for e in ev if e["event_type"] != "stats"),
          "demo: timestamps come from the packets")


def case_protocols():
    ev, _, _ = run(["-r", os.path.join(DATA, "dns.pcap")])
    check(any("mail.tinh.example" in answers(e) for e in dns_answer(ev, "tinh.example", "MX")),
          "dns: MX tinh.example -> mail.tinh.example")
    check(any(e["dns"]["rcode"] == "REFUSED" for e in dns_answer(ev, "vnexpress.net")),
          "dns: a name outside the zone is REFUSED")
    check(any(e["proto"] == "TCP" for e in of(ev, "dns")), "dns: a query over TCP")
    check(any(e["dns"]["queries"][0]["rrtype"] == "PTR" for e in of(ev, "dns") if e["dns"].get("queries")),
          "dns: a PTR query")

    ev, _, _ = run(["-r", os.path.join(DATA, "http.pcap")])
    http = of(ev, "http")
    check(len(http) == 6, f"http: 6 transactions (got {len(http)})")
    check(any(h["http"].get("http_content_type") == "application/pdf" and h["http"].get("status") == 200
              for h in http), "http: the PDF download with its content type")

    ev, _, _ = run(["-r", os.path.join(DATA, "tls.pcap")])
    tls = of(ev, "tls")
    check(len(tls) == 5, f"tls: 5 sessions (got {len(tls)})")
    check(any(t["src_ip"].startswith("fd77") for t in tls), "tls: one over IPv6")
    check(any(t["tls"].get("subject", "").endswith("CN=update-check.badsite.example") for t in tls),
          "tls: the badsite certificate (TLS 1.2 s_client)")
    check(all(t["tls"].get("ja3s", {}).get("hash") for t in tls), "tls: every session has JA3S")

    ev, _, _ = run(["-r", os.path.join(DATA, "ssh.pcap")])
    ssh = of(ev, "ssh")
    check(len(ssh) == 3 and all(s["ssh"]["server"]["software_version"] == "OpenSSH_9.2p1" for s in ssh),
          f"ssh: 3 sessions to OpenSSH 9.2p1 (got {len(ssh)})")


def case_tunnels():
    ev, _, _ = run(["-r", os.path.join(DATA, "tunnels.pcap")])
    kinds = {e["tunnel"]["type"] for e in ev if "tunnel" in e and e["event_type"] in ("dns", "http")}
    for k in ("GRE", "IPIP", "6in4", "4in6", "6in6", "VXLAN"):
        check(k in kinds, f"tunnels: DNS/HTTP seen inside {k}")
    check(any(e.get("vlan") == [100] and e["event_type"] == "http" for e in ev), "tunnels: HTTP on VLAN 100")
    check(any(e.get("vlan") == [200, 300] and e["event_type"] == "dns" for e in ev),
          "tunnels: DNS on QinQ 802.1ad 200 + 802.1Q 300")
    check(any(e["event_type"] == "flow" and e.get("dest_port") == 4789 for e in ev),
          "tunnels: the VXLAN carrier is a flow of its own")
    check(stats(ev)["decoder"]["invalid"] == 0, "tunnels: no malformed packets")


def case_frag():
    ev, _, _ = run(["-r", os.path.join(DATA, "frag.pcap")])
    st = stats(ev)
    check(st["defrag"]["reassembled"] >= 8, f"frag: datagrams reassembled ({st['defrag']['reassembled']})")
    big = dns_answer(ev, "big.tinh.example", "TXT")
    check(len(big) == 2 and all(len(e["dns"]["answers"]) == 12 for e in big),
          "frag: the 3 KB TXT answer, over IPv4 and IPv6, parsed whole (12 strings)")
    check(any(f["proto"] == "ICMP" and f["flow"]["pkts_toclient"] == 1 for f in of(ev, "flow")),
          "frag: the large ping and its reply are one ICMP flow")
    check(any(f["proto"] == "UDP" and f.get("dest_port") == 9000 and f["flow"]["bytes_toserver"] > 4000
              for f in of(ev, "flow")), "frag: the out-of-order 4000-byte datagram is counted whole")
    check(st["decoder"]["invalid"] == 0, "frag: no malformed packets")


def case_linktypes():
    names = sorted(os.listdir(os.path.join(DATA, "linktypes")))
    check(len(names) == 6, "linktypes: six files")
    ref = None
    for n in names:
        ev, _, _ = run(["-r", os.path.join(DATA, "linktypes", n)])
        facts = sorted((e["dns"]["type"], e["dns"]["queries"][0]["rrname"], tuple(answers(e)))
                       for e in of(ev, "dns"))
        check(len(facts) >= 2, f"linktypes: {n} gives DNS events")
        if ref is None:
            ref = facts
        check(facts == ref, f"linktypes: {n} gives the same DNS events as {names[0]}")
    ev, _, _ = run(["-r", os.path.join(DATA, "linktypes")])
    check(len(of(ev, "dns")) == len(ref) * 6, "linktypes: a directory reads every capture in it")
    with open(os.path.join(DATA, "dns.pcap"), "rb") as f:
        raw = f.read()
    ev1, _, _ = run(["-r", os.path.join(DATA, "dns.pcap")])
    ev2, _, _ = run(["-r", "-"], stdin=raw)
    check(len(of(ev2, "dns")) == len(of(ev1, "dns")) > 0, "stdin: -r - reads a capture from stdin")


def first_bad_record(path):
    """(number of whole records before the damage, number of the damaged
    record), read from the classic pcap format directly"""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, n = 24, 0
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        if caplen > 262144 or off + 16 + caplen > len(data):
            return n, n + 1
        off += 16 + caplen
        n += 1
    return n, (n + 1 if off != len(data) else None)


def case_corrupt():
    c = os.path.join(DATA, "corrupt")
    whole, bad = first_bad_record(os.path.join(c, "truncated.pcap"))
    ev, err, _ = run(["-r", os.path.join(c, "truncated.pcap")], expect_rc=1)
    check(f"truncated.pcap: packet {bad}:" in err, f"corrupt: truncated capture reported at packet {bad}")
    check(len(of(ev, "dns")) > 0 and stats(ev)["decoder"]["pkts"] == whole,
          f"corrupt: the {whole} whole packets before the damage are still processed")
    whole, bad = first_bad_record(os.path.join(c, "bad-caplen.pcap"))
    ev, err, _ = run(["-r", os.path.join(c, "bad-caplen.pcap")], expect_rc=1)
    check(f"bad-caplen.pcap: packet {bad}:" in err, f"corrupt: absurd record length reported at packet {bad}")
    ev, err, _ = run(["-r", os.path.join(c, "not-a-capture.pcap")], expect_rc=1)
    check("not-a-capture.pcap: cannot read capture" in err, "corrupt: a text file is named as not a capture")
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty.pcap")
        open(empty, "wb").close()
        ev, err, _ = run(["-r", empty], expect_rc=1)
        check("empty.pcap" in err, "corrupt: an empty file is reported")
    ev, err, _ = run(["-r", os.path.join(c, "truncated.pcap"), "-r", os.path.join(c, "not-a-capture.pcap"),
                      "-r", os.path.join(DATA, "dns.pcap")], expect_rc=1)
    check(any(q["rrname"] == "vnexpress.net" for e in of(ev, "dns") for q in e["dns"].get("queries", [])),
          "corrupt: after broken files the next capture is still read")
    check("2 input(s) failed" in err, "corrupt: the summary counts the failed inputs")
    check(len([l for l in err.splitlines() if "error:" in l]) == 3,
          "corrupt: one error line per broken file, plus the summary")


def case_config():
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.conf")
        with open(good, "w", encoding="utf-8") as f:
            f.write("# sensor at the provincial portal\nsensor-id = so-tttt-01\n"
                    "agency = Sở Thông tin và Truyền thông\nhome-net = 10.77.0.0/16\n")
        ev, _, _ = run(["-c", good, "-r", os.path.join(DATA, "dns.pcap")])
        check(all(e.get("host") == "so-tttt-01" and e.get("agency") == "Sở Thông tin và Truyền thông"
                  for e in ev), "config: sensor id and agency (UTF-8) from the file")
        ev, _, _ = run(["-c", good, "--sensor-id", "cli-wins", "-r", os.path.join(DATA, "dns.pcap")])
        check(all(e.get("host") == "cli-wins" for e in ev), "config: the command line overrides the file")
        bad = os.path.join(tmp, "bad.conf")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("sensor-id = x\n\nflow-memcap = lots\n")
        _, err, _ = run(["-c", bad, "-r", os.path.join(DATA, "dns.pcap")], expect_rc=2)
        check(f"{bad}:3: flow-memcap" in err, "config: a bad value is reported as FILE:LINE")
        _, err, _ = run(["--no-such-option", "-r", "x"], expect_rc=2)
        check("--no-such-option" in err, "config: an unknown option is named")
        r = subprocess.run([SENSOR, "-c", good, "--dump-config"], capture_output=True, timeout=30)
        check(b"sensor-id = so-tttt-01" in r.stdout and r.returncode == 0, "config: --dump-config shows the file's values")
        r = subprocess.run([SENSOR, "--help"], capture_output=True, env=dict(os.environ, LANG="vi_VN.UTF-8"), timeout=30)
        check("Cách dùng" in r.stdout.decode() and "--flow-memcap" in r.stdout.decode(), "help: Vietnamese --help lists the options")


def case_signals():
    """SIGUSR1 writes statistics while running; SIGTERM ends flows and exits 0."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "eve.json")
        p = ReadySensor([SENSOR, "-r", "-", "--eve", out, "--no-progress"],
                        stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        with open(os.path.join(DATA, "dns.pcap"), "rb") as f:
            raw = f.read()
        # half the capture, then SIGUSR1 while the sensor waits for more
        # (the read is restarted, not broken), then the rest
        p.stdin.write(raw[:len(raw) // 2])
        p.stdin.flush()
        p.wait_ready()
        time.sleep(0.2)
        p.send_signal(signal.SIGUSR1)
        time.sleep(0.2)
        p.stdin.write(raw[len(raw) // 2:])
        p.stdin.flush()
        seen = False
        for _ in range(300):
            time.sleep(0.1)
            if os.path.exists(out) and '"event_type":"stats"' in open(out, encoding="utf-8").read():
                seen = True
                break
        check(seen, "signals: SIGUSR1 writes a stats event while the sensor runs")
        p.send_signal(signal.SIGTERM)
        p.stdin.close()
        rc = p.wait(timeout=30)
        err = p.stderr.read().decode()
        check(rc == 0, f"signals: SIGTERM while waiting on stdin exits cleanly (status {rc})")
        try:
            p.wait_for("STOPPING=1", timeout=5)
            stopping = True
        except RuntimeError:
            stopping = False
        check(stopping and p.states.count("READY=1") == 1,
              f"signals: READY=1 once, then STOPPING=1 to $NOTIFY_SOCKET ({p.states})")
        ev = [json.loads(l) for l in open(out, encoding="utf-8")]
        check(len(of(ev, "flow")) > 0, "signals: flows are written out on SIGTERM")
        check("packets" in err, "signals: statistics logged at exit")


def case_progress():
    """a progress bar on a terminal, none when stderr is not one"""
    import shutil
    if not shutil.which("script"):
        print("script(1) missing: skipped")
        sys.exit(77)
    demo = os.path.join(DATA, "demo.pcap")
    r = subprocess.run(["script", "-qec", f"{SENSOR} -r {demo} --eve /dev/null", "/dev/null"],
                       capture_output=True, timeout=60)
    out = r.stdout.decode("utf-8", "replace")
    check(r.returncode == 0 and "100%" in out and "[####" in out, "progress: a bar reaching 100% on a terminal")
    _, err, _ = run(["-r", demo])
    check("[####" not in err, "progress: no bar when stderr is not a terminal")
    r = subprocess.run(["script", "-qec", f"{SENSOR} -r {demo} --eve /dev/null --no-progress", "/dev/null"],
                       capture_output=True, timeout=60)
    check("[####" not in r.stdout.decode("utf-8", "replace"), "progress: --no-progress turns it off")


def status_field(pid, name):
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    return None


def case_seccomp():
    """The running sensor is under its seccomp filter (Seccomp: 2) from
    before the first packet, with rules (YARA, indicators) and through
    SIGUSR1 and SIGHUP; --no-seccomp runs without one."""
    rules = os.path.join(os.environ["HAIDANG_SRC"], "rules")
    raw = open(os.path.join(DATA, "demo.pcap"), "rb").read()
    # LeakSanitizer's exit check traces threads: ASan builds go without
    asan = bool(os.environ.get("HAIDANG_ASAN"))
    for flag, want in (([], "0" if asan else "2"), (["--no-seccomp"], "0")):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "eve.json")
            p = ReadySensor([SENSOR, "-r", "-", "--eve", out, "--no-progress", "--rules", rules,
                             "--workers", "2"] + flag, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
            p.stdin.write(raw[:24])
            p.stdin.flush()
            p.wait_ready()
            mode = status_field(p.pid, "Seccomp")
            nf = status_field(p.pid, "Seccomp_filters")
            tasks = os.listdir(f"/proc/{p.pid}/task")
            per_thread = {status_field(f"{p.pid}/task/{t}", "Seccomp") for t in tasks}
            check(mode == want and (want == "0" or nf == "1") and per_thread == {want},
                  f"seccomp {' '.join(flag) or '(default)'}: Seccomp: {mode}, filters {nf}, "
                  f"{len(tasks)} threads all {per_thread} (want {want})")
            names = sorted(open(f"/proc/{p.pid}/task/{t}/comm").read().strip() for t in tasks)
            check({"hd-worker/0", "hd-worker/1", "hd-signal"} <= set(names),
                  f"threads named for top -H and perf: {names}")
            p.send_signal(signal.SIGHUP)
            p.wait_for("RELOADING=1")
            p.wait_ready()
            p.stdin.write(raw[24:])
            p.stdin.flush()
            time.sleep(0.5)
            p.send_signal(signal.SIGUSR1)
            time.sleep(0.3)
            p.stdin.close()
            rc = p.wait(timeout=60)
            err = p.stderr.read().decode("utf-8", "replace")
            ev = [json.loads(l) for l in open(out, encoding="utf-8")]
            check(rc == 0 and "is not allowed" not in err and "rules reloaded (generation 2)" in err,
                  f"seccomp {' '.join(flag) or '(default)'}: reload, stats and exit without a trap "
                  f"(status {rc}) {err[-300:] if rc else ''}")
            check(len(of(ev, "incident")) > 0 and len(of(ev, "stats")) == 2,
                  f"seccomp {' '.join(flag) or '(default)'}: the incidents and both stats events written")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: check_captures.py " + "|".join(CASES))
    CASES[sys.argv[1]]()
    sys.exit(1 if FAILS else 0)
