#!/usr/bin/env python3
"""check_detect.py CASE - detection end to end: the sensor with rules, over
captures with known ground truth, judged by the incidents it writes.

  expected-hits  every hit in ../shared/corpus/ioc/EXPECTED_IOC_HITS.tsv is found
                 with the repo's starter rule set (rules/)
  slips          the labelled Stratosphere captures raise the incidents their
                 labels describe where haidang has the signal (scan, beaconing,
                 brute force)
  bad-rules      broken rule files are reported with FILE:LINE and skipped;
                 the sensor still runs and still detects with the good ones
  reload, reload-behaviour
                 SIGHUP swaps new rules in beside the running ones
  yara-timeout   a pathological YARA regex over crafted uploads: the scans
                 give up at --yara-timeout (counted, logged with the flow and
                 the rule set) and every other incident is still raised
  file-memory    files fetched again are known by sha256 when YARA found
                 nothing in them (counted), never when it found something;
                 a reload forgets
  reload-huge    SIGHUP with a 2 M-line indicator file while packets flow:
                 they keep being processed during the load, the new
                 indicators work after the swap, a broken huge file keeps
                 the old rules
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from ready import SLOW, ReadySensor  # noqa: E402
from pcapgen import PCAP_HEADER, dns_query, records_in, tcp_session  # noqa: E402

SENSOR = os.environ["HAIDANG_SENSOR"]
SRC = os.environ["HAIDANG_SRC"]
CORPUS = os.environ.get("HAIDANG_CORPUS", "")
RULES = os.path.join(SRC, "rules")
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def need_corpus():
    if not os.path.isdir(CORPUS):
        print(f"corpus not found at {CORPUS!r}: skipped")
        sys.exit(77)


def run(pcaps, rules=RULES, extra=()):
    """(incidents by id, latest state; all events; stderr)"""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "eve.json")
        cmd = [SENSOR, "--eve", out, "--no-progress", "--rules", rules, *extra]
        for p in pcaps:
            cmd += ["-r", p]
        r = subprocess.run(cmd, capture_output=True, timeout=300)
        err = r.stderr.decode("utf-8", "replace")
        if r.returncode != 0:
            check(False, f"sensor exit status {r.returncode}: {' '.join(cmd)}\n{err}")
        incidents, events = read_eve(out) if os.path.exists(out) else ({}, [])
    return incidents, events, err


def read_eve(path):
    """(incidents by id, latest state; all events) of an EVE file"""
    events = [json.loads(l) for l in open(path, encoding="utf-8")]
    return {e["incident"]["id"]: e["incident"] for e in events if e["event_type"] == "incident"}, events


def detect_stats(events):
    """stats.detect of the last stats event"""
    return [e["stats"]["detect"] for e in events if e["event_type"] == "stats"][-1]


def evidence_values(incidents):
    vals = []
    for inc in incidents.values():
        for ev in inc["evidence"]:
            vals.append((ev.get("type"), (ev.get("indicator") or ev.get("rule") or "").lower(), inc))
    return vals


def case_expected_hits():
    need_corpus()
    path = os.path.join(CORPUS, "ioc", "EXPECTED_IOC_HITS.tsv")
    rows = list(csv.DictReader(open(path, encoding="utf-8"), delimiter="\t"))
    by_pcap = {}
    for row in rows:
        by_pcap.setdefault(row["pcap"], []).append(row)
    found = 0
    for pcap, want in sorted(by_pcap.items()):
        incidents, _, _ = run([os.path.join(CORPUS, pcap)])
        vals = evidence_values(incidents)
        for row in want:
            obs, kind = row["observable"], row["observable_type"]
            if kind == "ip:port":
                ok = any(t == "ip" and v == obs.rsplit(":", 1)[0] for t, v, _ in vals)
            elif kind == "ip":
                ok = any(t in ("ip", "cidr") and (v == obs or obs.startswith(v.split("/")[0][:-1]))
                         for t, v, _ in vals)
            elif kind == "url":
                ok = any(t == "url" and v.rstrip("/").endswith(obs.lower().rstrip("/")) for t, v, _ in vals)
            elif kind == "domain":
                ok = any(t == "domain" and (obs.lower() == v or obs.lower().endswith("." + v))
                         for t, v, _ in vals)
            elif kind == "cert_sha1":
                ok = any(t == "cert_sha1" and v.replace(":", "") == obs.lower() for t, v, _ in vals)
            else:
                ok = any(t == kind and v == obs.lower() for t, v, _ in vals)
            found += ok
            check(ok, f"expected hit {kind} {obs} in {pcap}")
    print(f"{found}/{len(rows)} expected indicator hits found")


def case_slips():
    need_corpus()
    d = os.path.join(CORPUS, "malicious", "slips")
    incidents, _, _ = run([os.path.join(d, "test12-icmp-portscan.pcap")])
    check(any(i["category"] == "scanning" and i["host"] == "192.168.1.109" for i in incidents.values()),
          "slips: the ICMP sweep from 192.168.1.109 is a scanning incident")
    incidents, _, _ = run([os.path.join(d, "malicious-ssh-bruteforce.pcap")])
    bf = [i for i in incidents.values() if i["category"] == "brute_force"]
    check(any("147.32.80.40" in (i["host"], i.get("peer")) and "147.32.80.37" in (i["host"], i.get("peer"))
              for i in bf), "slips: nmap ssh-brute (port 902) is one brute-force incident")
    check(len(bf) == 1, f"slips: one brute-force incident, not one per attempt (got {len(bf)})")
    incidents, _, _ = run([os.path.join(d, "test-cc-capture-2.pcap")])
    beacons = [i for i in incidents.values() if "beaconing" in i["indicator"]]
    check(any(i.get("peer") == "141.193.213.20" for i in beacons),
          "slips: the periodic curl to 141.193.213.20 is a beaconing incident")


def case_demo():
    """the repo's demo capture with the starter rules: the fictional C2 name
    seen in DNS, TLS and HTTP, and the binary it served, are one incident"""
    incidents, _, _ = run([os.path.join(SRC, "tests", "data", "demo.pcap")])
    c2 = [i for i in incidents.values() if i["indicator"] == "ioc:update-check.badsite.example"]
    check(len(c2) == 1, "demo: one incident for update-check.badsite.example")
    if not c2:
        return
    i = c2[0]
    where = {e["observed"].rsplit(" in ", 1)[-1] for e in i["evidence"] if e["kind"] == "ioc"}
    check({"dns", "tls", "http"} <= where, f"demo: its DNS, TLS and HTTP sightings aggregate ({sorted(where)})")
    check(any(e["kind"] == "risk" and e["rule"] == "Binary Application Transfer" for e in i["evidence"]),
          "demo: nDPI's binary-transfer risk on the same server joins it")
    check(i["category"] == "c2" and i["national_type"] == 3 and i["severity"] == "critical"
          and i["host"] == "10.77.0.2", "demo: c2, national type 3, critical, host 10.77.0.2")
    check(len(i["id"]) == 32, "demo: a 32-hex-digit id")
    again, _, _ = run([os.path.join(SRC, "tests", "data", "demo.pcap")], extra=("--workers", "1"))
    check(set(again) == set(incidents), "demo: the same ids on a second run (deterministic)")


def own_rules(tmp):
    """the captures' own indicators and allow list, with the repo's YARA
    rules and policy"""
    d = os.path.join(tmp, "rules")
    shutil.copytree(os.path.join(SRC, "tests", "data", "detect", "rules"), d)
    shutil.copytree(os.path.join(RULES, "yara"), os.path.join(d, "yara"))
    shutil.copy(os.path.join(RULES, "policy.conf"), d)
    return d


def case_own():
    """the project's own captures of real traffic made for detection
    (tests/data/detect, see its README for how and what)"""
    data = os.path.join(SRC, "tests", "data", "detect")
    with tempfile.TemporaryDirectory() as tmp:
        rules = own_rules(tmp)

        def incs(name):
            return list(run([os.path.join(data, name)], rules=rules)[0].values())

        c2 = [i for i in incs("c2-beacon.pcap") if i["host"] == "10.88.0.10"]
        main = [i for i in c2 if i["indicator"] in ("ioc:update.c2-lab.example", "ioc:203.0.113.66")]
        check(len(main) == 1, f"c2: DNS, SNI, address, certificate and JA3 of one C2 make one incident (got {len(main)})")
        if main:
            i = main[0]
            check(i["count"] == 10, f"c2: count 10 for 10 beacons (got {i['count']})")
            check(i["category"] == "c2", "c2: category c2")
            kinds = {e.get("type") for e in i["evidence"] if e["kind"] == "ioc"}
            check({"domain", "ip", "cert_sha1", "ja3"} <= kinds, f"c2: evidence of every kind ({sorted(kinds)})")

        ph = [i for i in incs("two-hosts.pcap") if i["indicator"] == "ioc:login-verify.phish-lab.example"]
        check(sorted(i["host"] for i in ph) == ["10.88.0.10", "10.88.0.11"],
              "two-hosts: two hosts hitting one indicator give two incidents")
        check(all(i["category"] == "phishing" and i["count"] == 1 for i in ph), "two-hosts: phishing, count 1 each")

        al = incs("allowlisted.pcap")
        check(not any("vendor-lab" in i["indicator"] for i in al), "allowlisted: an allow-listed indicator yields nothing")

        ws = incs("webshell.pcap")
        shells = [i for i in ws if i["category"] == "webshell"]
        check(any(i["host"] == "10.88.0.10" for i in shells), "webshell: the downloaded PHP webshell is caught by YARA")
        check(any(i["host"] == "10.88.0.20" for i in shells), "webshell: the webshell uploaded to the portal is caught")

        dl_incs, dl_events, _ = run([os.path.join(data, "download.pcap")], rules=rules)
        dl = [i for i in dl_incs.values() if i["indicator"].startswith("ioc:c681db4d")]
        check(len(dl) == 1, "download: one incident for the listed file")
        check(bool(dl) and dl[0]["count"] == 3,
              f"download: matched by sha256 plain, chunked and gzip-encoded (count {dl[0]['count'] if dl else 0})")
        want = "c681db4d07d36386c7e1c69ce847696a5c4842d5767a4c11fe29d714e014a018"
        gz = [e["fileinfo"] for e in dl_events
              if e["event_type"] == "fileinfo" and e["fileinfo"]["filename"].startswith("/gzip/")]
        check(len(gz) == 1 and gz[0]["sha256"] == want and gz[0]["size"] == 20000
              and gz[0].get("content_encoding") == "gzip" and gz[0].get("encoded_size") == 20028
              and gz[0].get("decoding") == "ok" and gz[0]["state"] == "CLOSED",
              f"download: the gzip body is hashed decoded, its encoding shown ({gz})")
        st = [e["stats"]["app_layer"] for e in dl_events if e["event_type"] == "stats"]
        check(bool(st) and st[-1].get("files_decoded") == 1 and st[-1].get("decode_errors") == 0,
              "download: stats count one decoded file")

        sc = incs("portscan.pcap")
        check(any("port_scan" in i["indicator"] and i["host"] == "10.88.0.10" for i in sc), "portscan: the port scan")
        check(any("host_sweep" in i["indicator"] and i["host"] == "10.88.0.10" for i in sc), "portscan: the host sweep")

        bf = [i for i in incs("bruteforce.pcap") if i["category"] == "brute_force"]
        check(any(i["host"] == "10.88.0.20" and i.get("peer") == "203.0.113.50" for i in bf),
              "bruteforce: password guessing against the portal")

        tn = incs("dns-tunnel.pcap")
        check(any("dns_tunnelling" in i["indicator"] for i in tn), "dns-tunnel: DNS tunnelling")
        check(any("dga" in i["indicator"] for i in tn), "dns-tunnel: DGA-looking names")
        dga = [i for i in tn if "DGA" in i["indicator"] or "dga" in i["indicator"]]
        check(len(dga) == 1 and {e["kind"] for e in dga[0]["evidence"]} == {"behaviour", "risk"},
              f"dns-tunnel: nDPI's DGA risk and the DGA check are one incident (got {len(dga)})")


def case_bad_rules():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "ioc"))
        os.makedirs(os.path.join(tmp, "yara"))
        with open(os.path.join(tmp, "ioc", "mixed.csv"), "w", encoding="utf-8") as f:
            f.write("type,value,severity,source,description\n"
                    "domain,congthongtin.tinh.example,high,test,demo name\n"
                    "ip,999.1.2.3,high,test,bad address\n"
                    "cidr,10.0.0.0/33,low,test,bad prefix\n"
                    "sha256,abc,high,test,short hash\n"
                    "colour,blue,low,test,unknown type\n")
        with open(os.path.join(tmp, "yara", "broken.yar"), "w", encoding="utf-8") as f:
            f.write("rule broken {\n  strings: $a = \"x\"\n  condition: $b\n}\n")
        with open(os.path.join(tmp, "yara", "good.yar"), "w", encoding="utf-8") as f:
            f.write('rule demo_title { meta: severity = "low" category = "other"\n'
                    '  strings: $a = "Cổng thông tin" condition: $a }\n')
        incidents, events, err = run([os.path.join(SRC, "tests", "data", "demo.pcap")], rules=tmp)
        for line in (3, 4, 5, 6):
            check(f"mixed.csv:{line}:" in err, f"bad-rules: mixed.csv line {line} reported with FILE:LINE")
        import re
        check(re.search(r"broken\.yar:\d+: undefined string", err) is not None,
              "bad-rules: the YARA error reported with FILE:LINE")
        check(any(i["indicator"] == "ioc:congthongtin.tinh.example" for i in incidents.values()),
              "bad-rules: the good indicator of the same file still matches")
        stats = [e for e in events if e["event_type"] == "stats"]
        check(bool(stats) and stats[-1]["stats"]["decoder"]["pkts"] > 0, "bad-rules: the sensor ran to the end")


def wait_for(errf, text, timeout=20):
    """Waits until the sensor's stderr (the open file errf) says text."""
    import time
    for _ in range(timeout * 10):
        errf.seek(0)
        if text in errf.read():
            return True
        time.sleep(0.1)
    return False


def case_reload():
    """SIGHUP loads new rules beside the running ones and swaps them in
    without stopping capture; a broken reload keeps the old rules."""
    import signal
    import time
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules")
        os.makedirs(os.path.join(rules, "ioc"))
        out = os.path.join(tmp, "eve.json")
        errf = open(os.path.join(tmp, "err"), "w+", encoding="utf-8")
        raw = open(os.path.join(SRC, "tests", "data", "dns.pcap"), "rb").read()
        header, records = raw[:24], raw[24:]
        p = ReadySensor([SENSOR, "-r", "-", "--eve", out, "--no-progress", "--rules", rules,
                         "--workers", "1"], stdin=subprocess.PIPE, stderr=errf)

        p.stdin.write(header + records)        # first pass: no indicators yet
        p.stdin.flush()
        p.wait_ready()
        time.sleep(0.5 * SLOW)
        with open(os.path.join(rules, "ioc", "new.csv"), "w", encoding="utf-8") as f:
            f.write("type,value,severity,source,description\n"
                    "domain,update-check.badsite.example,high,reload-test,added while running\n")
        p.send_signal(signal.SIGHUP)
        check(wait_for(errf, "rules reloaded (generation 2)", timeout=int(20 * SLOW)),
              "reload: SIGHUP loads the new rules")
        p.stdin.write(records)                  # second pass: the indicator is live
        p.stdin.flush()
        time.sleep(0.5 * SLOW)
        with open(os.path.join(rules, "policy.conf"), "w", encoding="utf-8") as f:
            f.write("threshold.high = lots\n")
        p.send_signal(signal.SIGHUP)
        check(wait_for(errf, "rule reload failed", timeout=int(20 * SLOW)),
              "reload: a broken policy is refused and logged")
        p.stdin.write(records)                  # third pass: still the generation-2 rules
        p.stdin.close()
        rc = p.wait(timeout=60)
        check(rc == 0, f"reload: the sensor ran on and exited 0 (status {rc})")
        incs, events = read_eve(out)
        queries = sum(1 for e in events if e["event_type"] == "dns" and e["dns"]["type"] == "request"
                      and any(q["rrname"] == "update-check.badsite.example" for q in e["dns"].get("queries", [])))
        hit = [i for i in incs.values() if i["indicator"] == "ioc:update-check.badsite.example"]
        check(len(hit) == 1, "reload: one incident for the indicator added at run time")
        per_pass = queries // 3
        check(bool(hit) and hit[0]["count"] == 2 * per_pass,
              f"reload: matched in the 2nd and 3rd pass only ({hit[0]['count'] if hit else 0} == {2 * per_pass})")
        per_file, off = 0, 0
        while off + 16 <= len(records):
            off += 16 + int.from_bytes(records[off + 8:off + 12], "little")
            per_file += 1
        stats = [e for e in events if e["event_type"] == "stats"]
        check(bool(stats) and stats[-1]["stats"]["decoder"]["pkts"] == 3 * per_file,
              f"reload: no packet lost across the reloads ({3 * per_file} packets)")


def case_reload_behaviour():
    """SIGHUP also brings new behaviour thresholds: a port scan below the
    first policy's threshold is not reported, the same scan after a reload
    to the shipped thresholds is."""
    import signal
    import time
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules")
        os.makedirs(os.path.join(rules, "ioc"))
        policy = os.path.join(rules, "policy.conf")
        with open(policy, "w", encoding="utf-8") as f:
            f.write("behaviour.scan-ports = 400\nbehaviour.sweep-hosts = 400\n")
        out = os.path.join(tmp, "eve.json")
        errf = open(os.path.join(tmp, "err"), "w+", encoding="utf-8")
        raw = open(os.path.join(SRC, "tests", "data", "detect", "portscan.pcap"), "rb").read()
        p = ReadySensor([SENSOR, "-r", "-", "--eve", out, "--no-progress", "--rules", rules,
                         "--workers", "2", "--home-net", "10.88.0.0/16"],
                        stdin=subprocess.PIPE, stderr=errf)

        def scans():
            if not p.stdin.closed:
                p.stdin.flush()
                time.sleep(1.0 * SLOW)
            found = set()
            for line in open(out, encoding="utf-8"):
                e = json.loads(line)
                if e["event_type"] == "incident" and "port_scan" in e["incident"]["indicator"]:
                    found.add(e["incident"]["id"])
            return found

        p.stdin.write(raw)                       # first pass: thresholds far above the scan
        p.stdin.flush()
        p.wait_ready()
        check(not scans(), "reload-behaviour: no port scan under the high threshold")
        shutil.copy(os.path.join(SRC, "rules", "policy.conf"), policy)
        p.send_signal(signal.SIGHUP)
        check(wait_for(errf, "rules reloaded (generation 2)", timeout=int(20 * SLOW)),
              "reload-behaviour: SIGHUP loads the new policy")
        p.stdin.write(raw[24:])                  # second pass: the shipped thresholds
        p.stdin.close()
        rc = p.wait(timeout=60)
        check(rc == 0, f"reload-behaviour: the sensor exited 0 (status {rc})")
        check(len(scans()) == 1, "reload-behaviour: the same scan is reported after the reload")

# ---- a rule that costs seconds per scan ---------------------------------------

SLOW_RULE = """rule slow_nested_quantifiers {
  meta:
    description = "test rule: a regex that libyara accepts but that costs about a second per 4 KiB of a run of 'a'"
    severity = "low"
    category = "exploit"
  strings:
    $a = /a[ab]{0,40}[ab]{0,40}[ab]{0,40}c/
  condition:
    $a
}
"""


def case_yara_timeout():
    """A rule set with a pathological regex, and uploads crafted against it
    beside the project's webshell and C2 captures: each scan of an upload
    gives up at --yara-timeout, is counted and logged (flow, rule set), and
    the webshell and C2 incidents are all still raised."""
    data = os.path.join(SRC, "tests", "data", "detect")
    with tempfile.TemporaryDirectory() as tmp:
        rules = own_rules(tmp)
        os.makedirs(os.path.join(rules, "yara", "zz-test"))
        with open(os.path.join(rules, "yara", "zz-test", "slow.yar"), "w", encoding="utf-8") as f:
            f.write(SLOW_RULE)
        slow = os.path.join(tmp, "slow-uploads.pcap")
        body = b"a" * 61440
        req = (b"POST /upload.php HTTP/1.1\r\nHost: portal.lab.example\r\n"
               b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        t = time.time()
        with open(slow, "wb") as f:
            f.write(PCAP_HEADER)
            for i in range(2):
                f.write(tcp_session("10.88.0.10", "203.0.113.80", 41000 + i, 80, req, resp, t + i))
        pcaps = [os.path.join(data, "webshell.pcap"), os.path.join(data, "c2-beacon.pcap")]
        base, base_ev, _ = run(pcaps, rules=rules)
        t0 = time.monotonic()
        incs, events, err = run(pcaps + [slow], rules=rules, extra=("--yara-timeout", "1"))
        took = time.monotonic() - t0
        det = detect_stats(events)
        bdet = detect_stats(base_ev)
        print(f"     {took:.1f} s for the run with 2 crafted uploads; yara scans {det['yara_scans']} "
              f"(baseline {bdet['yara_scans']}), timeouts {det['yara_timeouts']}")
        check(det["yara_timeouts"] == 2 and bdet["yara_timeouts"] == 0,
              f"yara-timeout: both scans of the crafted uploads gave up ({det['yara_timeouts']} timeouts)")
        lines = [l for l in err.splitlines() if "yara: scan of" in l]
        print("     " + (lines[0] if lines else "(no log line)"))
        check(bool(lines) and all("gave up after" in l and "--yara-timeout 1 s" in l
                                  and f"rules {rules}/yara generation 1" in l
                                  and "10.88.0.10:4100" in l and "203.0.113.80:80" in l for l in lines),
              "yara-timeout: logged with the flow, the rule set and the time it took")
        want = {(i["indicator"], i["host"], i["count"]) for i in base.values()}
        got = {(i["indicator"], i["host"], i["count"]) for i in incs.values()}
        check(len(want) >= 3 and want <= got,
              f"yara-timeout: every other incident is still raised ({len(want & got)} of {len(want)}, "
              f"webshell ones {sum(1 for i in incs.values() if i['category'] == 'webshell')})")
        pk = [e["stats"]["decoder"]["pkts"] for e in events if e["event_type"] == "stats"][-1]
        bpk = [e["stats"]["decoder"]["pkts"] for e in base_ev if e["event_type"] == "stats"][-1]
        check(pk == bpk + records_in(slow), f"yara-timeout: every packet processed ({pk} = {bpk} + "
              f"{records_in(slow)} of the uploads)")


def case_file_memory():
    """The same files fetched by several hosts: a webshell and a clean
    script. The clean one is scanned once and then known by its sha256
    (counted as yara_known_clean); the webshell, never remembered, is
    caught for every host; a rule reload forgets what was known."""
    import signal
    shell = b'<?php @eval($_POST["cmd"]); ?>\n' + b"<!-- padding -->\n" * 40
    clean = b"function menu(){return document.getElementById('nav');}\n" * 60

    def downloads(hosts, port, t):
        out = []
        for k, host in enumerate(hosts):
            for j, (path, body) in enumerate(((b"/up/s.php", shell), (b"/js/menu.js", clean))):
                req = b"GET " + path + b" HTTP/1.1\r\nHost: portal.lab.example\r\n\r\n"
                resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
                        % len(body)) + body
                out.append(tcp_session(host, "203.0.113.80", port + 2 * k + j, 80, req, resp,
                                       t + 2 * k + j))
        return b"".join(out)

    def shell_hosts(incs):
        return sorted(i["host"] for i in incs.values()
                      if i["category"] == "webshell"
                      and any(e.get("rule") == "webshell_php_eval_request" for e in i["evidence"]))

    with tempfile.TemporaryDirectory() as tmp:
        rules = own_rules(tmp)
        cap = os.path.join(tmp, "same-files.pcap")
        first = downloads(("10.88.0.10", "10.88.0.11"), 42000, 1700000000.0)
        with open(cap, "wb") as f:
            f.write(PCAP_HEADER + first)
        # one worker: what a worker remembers is its own
        incs, events, _ = run([cap], rules=rules, extra=("--workers", "1"))
        det = detect_stats(events)
        files = [e for e in events if e["event_type"] == "fileinfo"]
        print(f"     {len(files)} files, yara scans {det['yara_scans']}, known clean {det.get('yara_known_clean')}")
        check(len(files) == 4, f"file-memory: four downloads logged ({len(files)})")
        check(det.get("yara_known_clean") == 1,
              f"file-memory: the clean script's second download is known by its sha256 "
              f"({det.get('yara_known_clean')})")
        check(shell_hosts(incs) == ["10.88.0.10", "10.88.0.11"],
              f"file-memory: the webshell is caught for both hosts, never remembered ({shell_hosts(incs)})")

        # the same downloads by a third host after a reload: the clean script
        # is scanned anew under the new rules, not taken from memory
        out = os.path.join(tmp, "eve.json")
        errf = open(os.path.join(tmp, "err"), "w+", encoding="utf-8")
        p = ReadySensor([SENSOR, "-r", "-", "--eve", out, "--no-progress", "--rules", rules,
                         "--workers", "1"], stdin=subprocess.PIPE, stderr=errf)
        p.stdin.write(PCAP_HEADER + first)
        p.stdin.flush()
        p.wait_ready()
        time.sleep(0.5 * SLOW)
        p.send_signal(signal.SIGHUP)
        check(wait_for(errf, "rules reloaded (generation 2)", timeout=int(20 * SLOW)),
              "file-memory: SIGHUP reloads the rules")
        p.stdin.write(downloads(("10.88.0.12",), 43000, 1700000100.0))
        p.stdin.close()
        rc = p.wait(timeout=60)
        check(rc == 0, f"file-memory: the sensor exited 0 ({rc})")
        incs, events = read_eve(out)
        det = detect_stats(events)
        check(det.get("yara_known_clean") == 1 and det["yara_scans"] >= 4,
              f"file-memory: after the reload the clean script is scanned again (known clean "
              f"{det.get('yara_known_clean')}, scans {det['yara_scans']})")
        check(shell_hosts(incs) == ["10.88.0.10", "10.88.0.11", "10.88.0.12"],
              f"file-memory: the webshell is caught for the third host too ({shell_hosts(incs)})")


def huge_ioc(path, n, header="type,value,severity,source,description", sep=","):
    """n generated domain indicators hd-bulk-0000000.example ..., written
    beside path and renamed onto it (as a careful copy would)"""
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(header + "\n")
        step = 100000
        for k in range(0, n, step):
            f.write("".join(f"domain{sep}hd-bulk-{i:07d}.example{sep}high{sep}bulk-feed{sep}generated\n"
                            for i in range(k, min(n, k + step))))
    os.rename(path + ".tmp", path)


def case_reload_huge():
    """SIGHUP while DNS queries flow in at a steady pace, with a rules dir
    that now holds a 2 M-line indicator file: the load runs beside the
    running rules, packets keep being processed all through it (SIGUSR1
    stats every 0.1 s; one thread, so a packet read is a packet processed), the new indicators match after the swap; then the
    huge file is replaced by a broken one (a ';'-separated export): the
    reload is refused and the 2 M indicators stay in force."""
    import signal
    import threading
    huge_n = 2000000
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules")
        os.makedirs(os.path.join(rules, "ioc"))
        shutil.copy(os.path.join(RULES, "policy.conf"), rules)
        with open(os.path.join(rules, "ioc", "base.csv"), "w", encoding="utf-8") as f:
            f.write("type,value,severity,source,description\ndomain,hd-old.example,high,base,running\n")
        out = os.path.join(tmp, "eve.json")
        errf = open(os.path.join(tmp, "err"), "w+", encoding="utf-8")
        p = ReadySensor([SENSOR, "-r", "-", "--eve", out, "--no-progress", "--rules", rules,
                         "--workers", "1", "--home-net", "10.88.0.0/16"],
                        stdin=subprocess.PIPE, stderr=errf)
        p.stdin.write(PCAP_HEADER)
        p.stdin.flush()
        p.wait_ready()
        state = {"bulk": "hd-bulk-0000001.example", "stop": False, "sent": 0}

        def feeder():
            port = 1024
            while not state["stop"]:
                for name in ("hd-old.example", state["bulk"], f"benign-{port}.example"):
                    p.stdin.write(dns_query(name, port, time.time()))
                    port = port + 1 if port < 65000 else 1024
                    state["sent"] += 1
                p.stdin.flush()
                time.sleep(0.005)
        th = threading.Thread(target=feeder)
        th.start()

        def stats():
            n = sum(1 for l in open(out, encoding="utf-8") if '"event_type":"stats"' in l)
            p.send_signal(signal.SIGUSR1)
            for _ in range(50):
                ev = [json.loads(l) for l in open(out, encoding="utf-8") if '"event_type":"stats"' in l]
                if len(ev) > n:
                    return ev[-1]["stats"]
                time.sleep(0.02)
            return None

        def load_window(what):
            """SIGHUP, then stats every 0.1 s until the log says what"""
            errf.seek(0, 2)
            mark = errf.tell()
            p.send_signal(signal.SIGHUP)
            t0 = time.monotonic()
            snaps = []
            while time.monotonic() - t0 < 60:
                time.sleep(0.1)
                errf.seek(mark)
                said = errf.read()
                if what in said:
                    return snaps, time.monotonic() - t0, said
                st = stats()
                if st:
                    snaps.append((time.monotonic() - t0, st["decoder"]["pkts"], st["dpi"]["packets"],
                                  st["detect"]["rules_generation"]))
            return snaps, time.monotonic() - t0, ""

        try:
            time.sleep(1)
            t = time.monotonic()
            huge_ioc(os.path.join(rules, "ioc", "bulk.csv"), huge_n)
            print(f"     {huge_n} indicators written in {time.monotonic() - t:.1f} s")
            snaps, took, said = load_window("rules reloaded (generation 2)")
            print("     during the load (s, packets read, packets in workers, generation): "
                  + ", ".join(f"({a:.1f}, {b}, {c}, {d})" for a, b, c, d in snaps))
            print("     " + "".join(l for l in said.splitlines() if "rules reloaded" in l))
            check(bool(said), f"reload-huge: the {huge_n}-line file loaded and swapped in ({took:.1f} s)")
            during = [x for x in snaps if x[3] == 1]
            # never stalled: the packets in the workers grew across the load,
            # with no pause longer than 1 s (10 % of the load on a slow run)
            stall, last_t = 0.0, during[0][0] if during else 0.0
            for a, b in zip(during, during[1:]):
                if b[2] > a[2]:
                    last_t = b[0]
                stall = max(stall, b[0] - last_t)
            grows = bool(during) and during[-1][1] > during[0][1] and during[-1][2] > during[0][2]
            check(len(during) >= 3 and grows and stall <= max(1.0, 0.1 * took),
                  f"reload-huge: packets kept being read and processed during the load "
                  f"({len(during)} stats events, packets {during[0][1] if during else 0} -> "
                  f"{during[-1][1] if during else 0}, longest pause {stall:.1f} s)")
            state["bulk"] = "hd-bulk-0000002.example"
            time.sleep(1.5)
            # the huge file replaced by a broken one: ';' instead of ','
            huge_ioc(os.path.join(rules, "ioc", "bulk.csv"), huge_n,
                     header="type;value;severity;source;description", sep=";")
            snaps2, took2, said2 = load_window("rule reload failed")
            check(bool(said2) and "bulk.csv" in said2 and "bad header" in said2,
                  f"reload-huge: the broken file is reported and the reload refused ({took2:.1f} s)")
            state["bulk"] = "hd-bulk-0000003.example"
            time.sleep(1.5)
            last = stats()
        finally:
            state["stop"] = True
            th.join()
            p.stdin.close()
        rc = p.wait(timeout=120)
        check(rc == 0, f"reload-huge: the sensor exited 0 ({rc})")
        by_id, events = read_eve(out)
        incs = {i["indicator"]: i for i in by_id.values()}
        final = [e["stats"] for e in events if e["event_type"] == "stats"][-1]
        check(final["decoder"]["pkts"] == state["sent"],
              f"reload-huge: every packet sent was processed ({final['decoder']['pkts']} of {state['sent']})")
        check("ioc:hd-bulk-0000002.example" in incs,
              "reload-huge: an indicator of the huge file matches after the swap")
        check("ioc:hd-bulk-0000003.example" in incs and last and last["detect"]["rules_generation"] == 2,
              "reload-huge: after the broken reload the 2 M indicators are still in force (generation 2)")
        old = incs.get("ioc:hd-old.example", {})
        check(old.get("count", 0) == state["sent"] // 3,
              f"reload-huge: the running indicator matched every query across both reloads "
              f"({old.get('count')} of {state['sent'] // 3})")


CASES = {n[5:].replace("_", "-"): f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: check_detect.py " + "|".join(CASES))
    CASES[sys.argv[1]]()
    sys.exit(1 if FAILS else 0)
