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
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

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
        events = [json.loads(l) for l in open(out, encoding="utf-8")] if os.path.exists(out) else []
    incidents = {}
    for e in events:
        if e["event_type"] == "incident":
            incidents[e["incident"]["id"]] = e["incident"]
    return incidents, events, err


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
        p = subprocess.Popen([SENSOR, "-r", "-", "--eve", out, "--no-progress", "--rules", rules,
                              "--workers", "1"], stdin=subprocess.PIPE, stderr=errf)

        p.stdin.write(header + records)        # first pass: no indicators yet
        p.stdin.flush()
        time.sleep(0.5)
        with open(os.path.join(rules, "ioc", "new.csv"), "w", encoding="utf-8") as f:
            f.write("type,value,severity,source,description\n"
                    "domain,update-check.badsite.example,high,reload-test,added while running\n")
        p.send_signal(signal.SIGHUP)
        check(wait_for(errf, "rules reloaded (generation 2)"), "reload: SIGHUP loads the new rules")
        p.stdin.write(records)                  # second pass: the indicator is live
        p.stdin.flush()
        time.sleep(0.5)
        with open(os.path.join(rules, "policy.conf"), "w", encoding="utf-8") as f:
            f.write("threshold.high = lots\n")
        p.send_signal(signal.SIGHUP)
        check(wait_for(errf, "rule reload failed"), "reload: a broken policy is refused and logged")
        p.stdin.write(records)                  # third pass: still the generation-2 rules
        p.stdin.close()
        rc = p.wait(timeout=60)
        check(rc == 0, f"reload: the sensor ran on and exited 0 (status {rc})")
        events = [json.loads(l) for l in open(out, encoding="utf-8")]
        queries = sum(1 for e in events if e["event_type"] == "dns" and e["dns"]["type"] == "request"
                      and any(q["rrname"] == "update-check.badsite.example" for q in e["dns"].get("queries", [])))
        incs = {}
        for e in events:
            if e["event_type"] == "incident":
                incs[e["incident"]["id"]] = e["incident"]
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
        p = subprocess.Popen([SENSOR, "-r", "-", "--eve", out, "--no-progress", "--rules", rules,
                              "--workers", "2", "--home-net", "10.88.0.0/16"],
                             stdin=subprocess.PIPE, stderr=errf)

        def scans():
            if not p.stdin.closed:
                p.stdin.flush()
                time.sleep(1.0)
            found = set()
            for line in open(out, encoding="utf-8"):
                e = json.loads(line)
                if e["event_type"] == "incident" and "port_scan" in e["incident"]["indicator"]:
                    found.add(e["incident"]["id"])
            return found

        p.stdin.write(raw)                       # first pass: thresholds far above the scan
        check(not scans(), "reload-behaviour: no port scan under the high threshold")
        shutil.copy(os.path.join(SRC, "rules", "policy.conf"), policy)
        p.send_signal(signal.SIGHUP)
        check(wait_for(errf, "rules reloaded (generation 2)"), "reload-behaviour: SIGHUP loads the new policy")
        p.stdin.write(raw[24:])                  # second pass: the shipped thresholds
        p.stdin.close()
        rc = p.wait(timeout=60)
        check(rc == 0, f"reload-behaviour: the sensor exited 0 (status {rc})")
        check(len(scans()) == 1, "reload-behaviour: the same scan is reported after the reload")

CASES = {n[5:].replace("_", "-"): f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: check_detect.py " + "|".join(CASES))
    CASES[sys.argv[1]]()
    sys.exit(1 if FAILS else 0)
