#!/usr/bin/env python3
"""run_corpus.py - the sensor over every capture in ../shared/corpus.

What a user checks: the sensor never crashes or hangs on any capture
(fuzzed and corrupt ones included), every line it writes is valid JSON
with valid UTF-8, a broken capture is reported in one line naming the file
and the packet number (or why it cannot be opened) with exit status 1, and
a good one exits 0. Under a sanitizer build (-Db_sanitize=address,undefined)
any sanitizer report fails the test. Exit 77 (skipped) without the corpus.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

sensor = os.environ["HAIDANG_SENSOR"]
corpus = os.environ.get("HAIDANG_CORPUS", "")
if not os.path.isdir(corpus):
    print(f"corpus not found at {corpus!r}: skipped")
    sys.exit(77)

files = sorted(f for f in glob.glob(os.path.join(corpus, "**", "*"), recursive=True)
               if f.endswith((".pcap", ".pcapng", ".cap")))
bad = []
stats = {"files": 0, "ok": 0, "reported": 0, "events": 0, "packets": 0, "invalid": 0}
with tempfile.TemporaryDirectory() as tmp:
    for f in files:
        stats["files"] += 1
        out = os.path.join(tmp, "eve.json")
        try:
            r = subprocess.run([sensor, "-r", f, "--eve", out, "--no-progress"],
                               capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            bad.append(f"{f}: hung (no exit after 120 s)")
            continue
        err = r.stderr.decode("utf-8", "replace")
        if r.returncode < 0 or r.returncode > 1:
            bad.append(f"{f}: exit status {r.returncode}\n{err[-2000:]}")
            continue
        if "Sanitizer" in err or "runtime error:" in err:
            bad.append(f"{f}: sanitizer report\n{err[-3000:]}")
            continue
        if r.returncode == 1:
            lines = [l for l in err.splitlines() if "error:" in l and f in l]
            if not lines:
                bad.append(f"{f}: exit 1 without an error line naming the file:\n{err}")
                continue
            stats["reported"] += 1
        else:
            stats["ok"] += 1
        with open(out, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                try:
                    ev = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as e:
                    bad.append(f"{f}: output line {n} is not valid UTF-8 JSON: {e}")
                    break
                stats["events"] += 1
                if ev.get("event_type") == "stats":
                    stats["packets"] += ev["stats"]["decoder"]["pkts"]
                    stats["invalid"] += ev["stats"]["decoder"]["invalid"]
        os.unlink(out)

print(f"{stats['files']} captures: {stats['ok']} read cleanly, {stats['reported']} "
      f"reported as broken; {stats['packets']} packets, {stats['invalid']} malformed "
      f"(counted and skipped), {stats['events']} events")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
