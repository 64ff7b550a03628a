#!/usr/bin/env python3
"""suricata_verify.py - does haidang's EVE metadata agree with Suricata's?

Usage:
  suricata_verify.py --sensor PATH --corpus DIR [--min 0.95] [--verbose]
                     [--only TEST[,TEST...]] [--keep DIR]

DIR holds suricata-verify tests (one folder each: a pcap or pcapng and a
test.yaml, see shared/corpus/MANIFEST.md section 2). For every test the
sensor is run over the folder's capture(s):

  PATH -r PCAP --eve OUT.json --no-progress

and every `filter:` block of test.yaml's `checks:` that Suricata 8 would run
and whose event type haidang produces is compared with haidang's events:

  * candidates: haidang's events of the block's event_type (all events when
    the block names none);
  * in-scope fields: the block's `match:` keys whose concept haidang carries
    (see in_scope() below and docs/suricata-agreement.md); the others
    (pcap_cnt, tx_id, flow_id, alert.*, community_id, nfs.*, ...) are counted
    apart as out of scope and never scored;
  * the candidate that agrees on the most in-scope fields is taken, and the
    block scores matched/total over its in-scope fields (no candidate at all:
    0/total);
  * `count:` is checked loosely: the number of candidates agreeing on every
    in-scope field is reported next to Suricata's count, not scored.

Values are compared as suricata-verify does (Python equality of the decoded
JSON value with the YAML value), except that a boolean never equals a
number. `has-key:` entries are scored as present/absent.

Exit status: 0 when matched/total >= --min over all scored fields, 1 below
it or when the sensor failed on a capture, 77 (meson's "skipped") when the
corpus folder does not exist, 2 on a usage error or without PyYAML.
"""
import argparse
import collections
import datetime
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    # Not a skip: run.sh installs python3-yaml with the test packages.
    sys.stderr.write("suricata_verify.py: needs PyYAML "
                     "(apt-get install python3-yaml)\n")
    sys.exit(2)

# The Suricata whose expectations we take: blocks with lt-version <= 8 or
# min-version > 8.x are not run by it.
SURICATA_VERSION = (8, 0, 0)

# Build features of a stock Suricata 8 (Lua and JA3/JA4 are built in since
# 8.0; libmagic is a default dependency of the Debian/Ubuntu builds). A block
# or test requiring any other feature is skipped.
SURICATA8_FEATURES = {"HAVE_LUA", "HAVE_JA3", "HAVE_JA4", "MAGIC",
                      "HAVE_LIBJANSSON", "RUST", "HAVE_NSS", "HAVE_HTP_URI_NORMALIZE_HOOK"}

# Event types haidang writes (sensor/eve.c, sensor/extract.c, main.c).
# Blocks for any other type (alert, fileinfo, anomaly, nfs, smb, ftp, smtp,
# netflow, drop, ...) are not applicable: haidang has no rule engine, no
# file extraction and no parser for those protocols.
HAIDANG_EVENT_TYPES = {"flow", "dns", "http", "tls", "ssh", "quic"}

# ---- scope ---------------------------------------------------------------
# Top-level keys haidang carries with Suricata's meaning.
TOP_LEVEL = {"event_type", "src_ip", "src_port", "dest_ip", "dest_port",
             "proto", "app_proto", "vlan", "icmp_type", "icmp_code"}
# Whole objects haidang carries (each with Suricata's field names).
PREFIXES = ("dns.", "tls.", "http.", "ssh.", "quic.", "tunnel.")
# Parts of objects haidang carries.
FLOW_FIELDS = {"pkts_toserver", "pkts_toclient", "bytes_toserver",
               "bytes_toclient", "start", "end", "age", "state", "reason"}
TCP_FIELDS = {"tcp_flags", "tcp_flags_ts", "tcp_flags_tc", "syn", "fin",
              "rst", "psh", "ack", "urg", "ecn", "cwr"}
FILEINFO_FIELDS = {"md5", "sha1", "sha256", "size", "filename"}
# Inside the carried objects, these are Suricata-internal or opt-in raw
# blobs that haidang deliberately does not write.
EXCLUDED = [
    (re.compile(r"(^|\.)tx_id$"), "Suricata transaction numbering"),
    (re.compile(r"^tls\.(client\.)?(certificate|chain)(\[\d+\])?$"),
     "raw certificate blobs (Suricata custom-field opt-in)"),
]


def strip_index(key):
    return re.sub(r"\[\d+\]", "", key)


def in_scope(key):
    """(True, family) for a field haidang carries, (False, reason) else."""
    for rx, why in EXCLUDED:
        if rx.search(key):
            return False, why
    bare = strip_index(key)
    if bare in TOP_LEVEL:
        return True, "common"
    for p in PREFIXES:
        if bare.startswith(p):
            return True, p[:-1]
    head, _, rest = bare.partition(".")
    if head == "flow" and rest in FLOW_FIELDS:
        return True, "flow"
    if head == "tcp" and rest in TCP_FIELDS:
        return True, "tcp"
    if head == "fileinfo" and rest in FILEINFO_FIELDS:
        return True, "fileinfo"
    if head in ("flow", "tcp", "fileinfo"):
        return False, bare
    return False, head


# ---- suricata-verify semantics --------------------------------------------
def parse_version(v):
    m = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", str(v))
    if not m:
        return None
    return tuple(int(g) if g is not None else None for g in m.groups())


def version_ge(a, b):
    """a >= b, where None parts of b mean 'any'."""
    for x, y in zip(a, b):
        if y is None:
            return True
        if x != y:
            return x > y
    return True


def requires_ok(req):
    """(ok, why) for a `requires:` mapping, as Suricata 8 would decide."""
    if not req:
        return True, ""
    for key, val in req.items():
        if key == "min-version":
            if not version_ge(SURICATA_VERSION, parse_version(val)):
                return False, "min-version %s" % val
        elif key == "lt-version":
            if version_ge(SURICATA_VERSION, parse_version(val)):
                return False, "lt-version %s" % val
        elif key == "version":
            want = parse_version(val)
            if any(w is not None and w != s
                   for w, s in zip(want, SURICATA_VERSION)):
                return False, "version %s" % val
        elif key == "features":
            missing = [f for f in val if f not in SURICATA8_FEATURES]
            if missing:
                return False, "feature %s" % ",".join(missing)
        elif key in ("pcap", "files", "env", "script", "config"):
            continue  # about how Suricata is run, not what it logs
        else:
            return False, "unknown requirement %s" % key
    return True, ""


MISSING = object()


def find_value(name, obj):
    """suricata-verify's find_value: dotted path with [n] indices."""
    for part in name.split("."):
        m = re.match(r"^(.*)\[(\d+)\]$", part)
        key, index = (m.group(1), int(m.group(2))) if m else (part, None)
        if not isinstance(obj, dict) or key not in obj:
            return MISSING
        obj = obj[key]
        if index is not None:
            if not isinstance(obj, list) or index >= len(obj):
                return MISSING
            obj = obj[index]
    return obj


TS_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d):?(\d\d)$")


def instant(v):
    """A timestamp as one comparable value: Suricata writes +0000, haidang
    RFC 3339's +00:00; the same instant is the same concept."""
    if not isinstance(v, str):
        return None
    m = TS_RE.match(v)
    if not m:
        return None
    try:
        return datetime.datetime.fromisoformat(m.group(1) + m.group(2) + ":" + m.group(3))
    except ValueError:
        return None


def same(got, expected):
    if got is MISSING:
        return False
    if instant(got) is not None and instant(expected) is not None:
        return instant(got) == instant(expected)
    if isinstance(got, bool) != isinstance(expected, bool):
        return False
    return got == expected


# ---- running ---------------------------------------------------------------
def run_sensor(sensor, pcaps, out):
    cmd = [sensor]
    for p in pcaps:
        cmd += ["-r", p]
    cmd += ["--eve", out, "--no-progress", "--log-level", "error"]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=300)
    except subprocess.TimeoutExpired:
        return None, "timed out: " + " ".join(cmd)
    if r.returncode != 0:
        return None, "exit %d: %s\n%s" % (r.returncode, " ".join(cmd),
                                          r.stderr.decode(errors="replace"))
    events = []
    with open(out, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                events.append(json.loads(line))
            except ValueError as e:
                return None, "%s:%d: not JSON: %s" % (out, n, e)
    return events, ""


def block_fields(match):
    """[(key, expected, kind)], kind 'value' or 'has-key'."""
    fields = []
    for key, expected in match.items():
        if key in ("has-key", "not-has-key"):
            keys = expected if isinstance(expected, list) else [expected]
            for k in keys:
                fields.append((k, key == "has-key", key))
        else:
            fields.append((key, expected, "value"))
    return fields


def field_ok(ev, key, expected, kind):
    got = find_value(key, ev)
    if kind == "has-key":
        return got is not MISSING, got
    if kind == "not-has-key":
        return got is MISSING, got
    return same(got, expected), got


def score_block(events, match):
    et = match.get("event_type")
    cands = [e for e in events if et is None or e.get("event_type") == et]
    fields, out = [], collections.Counter()
    for key, expected, kind in block_fields(match):
        ok, why = in_scope(key)
        if ok:
            fields.append((key, expected, kind, why))
        else:
            out[why] += 1
    best, best_n, full = None, -1, 0
    for ev in cands:
        n = sum(field_ok(ev, k, x, kind)[0] for k, x, kind, _ in fields)
        if n > best_n:
            best, best_n = ev, n
        if n == len(fields):
            full += 1
    results = []
    for key, expected, kind, fam in fields:
        if best is None:
            results.append((key, expected, kind, fam, False, MISSING))
        else:
            ok, got = field_ok(best, key, expected, kind)
            results.append((key, expected, kind, fam, ok, got))
    return results, out, full, len(cands)


def fmt(v):
    if v is MISSING:
        return "<absent>"
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 160 else s[:157] + "..."


class Totals:
    def __init__(self):
        self.fields = 0
        self.matched = 0

    def add(self, ok):
        self.fields += 1
        self.matched += bool(ok)

    def pct(self):
        return 100.0 * self.matched / self.fields if self.fields else 100.0

    def __str__(self):
        return "%d/%d (%.1f%%)" % (self.matched, self.fields, self.pct())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sensor", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--min", type=float, default=0.95,
                    help="lowest agreement (0..1) that passes (default 0.95)")
    ap.add_argument("--verbose", action="store_true",
                    help="list every mismatch, expected vs got")
    ap.add_argument("--only", default="",
                    help="comma-separated test names to run")
    ap.add_argument("--keep", default="",
                    help="keep haidang's EVE output of each test in this folder")
    a = ap.parse_args()

    if not os.path.isdir(a.corpus):
        print("suricata_verify: corpus %s absent: skipped" % a.corpus)
        return 77
    if not os.access(a.sensor, os.X_OK):
        print("suricata_verify: sensor %s is not executable" % a.sensor)
        return 2
    only = {t for t in a.only.split(",") if t}
    tests = sorted(d for d in os.listdir(a.corpus)
                   if os.path.isfile(os.path.join(a.corpus, d, "test.yaml"))
                   and (not only or d in only))
    if not tests:
        print("suricata_verify: no test in %s: skipped" % a.corpus)
        return 77

    total = Totals()
    by_type = collections.defaultdict(Totals)    # block event_type
    by_family = collections.defaultdict(Totals)  # field family
    out_of_scope = collections.Counter()
    skipped = collections.Counter()
    failures = []
    count_diffs = []
    blocks_scored = 0
    per_test = {}
    tmp = tempfile.TemporaryDirectory(prefix="suricata-verify-")
    outdir = a.keep or tmp.name
    os.makedirs(outdir, exist_ok=True)

    print("%-32s %7s %7s %7s  %s" % ("test", "blocks", "fields", "agree",
                                     "notes"))
    for t in tests:
        d = os.path.join(a.corpus, t)
        with open(os.path.join(d, "test.yaml"), encoding="utf-8") as f:
            conf = yaml.safe_load(f) or {}
        ok, why = requires_ok(conf.get("requires"))
        if not ok:
            skipped["test: " + why] += 1
            print("%-32s %7s %7s %7s  skipped (Suricata 8 would not run it: %s)"
                  % (t, "-", "-", "-", why))
            continue
        pcaps = sorted(glob.glob(os.path.join(d, "*.pcap")) +
                       glob.glob(os.path.join(d, "*.pcapng")))
        if not pcaps:
            skipped["test: no pcap"] += 1
            print("%-32s %7s %7s %7s  skipped (no pcap)" % (t, "-", "-", "-"))
            continue
        events, err = run_sensor(a.sensor, pcaps,
                                 os.path.join(outdir, t + ".eve.json"))
        if events is None:
            failures.append("%s: sensor failed: %s" % (t, err))
            print("%-32s sensor FAILED: %s" % (t, err.splitlines()[0]))
            continue
        tt = Totals()
        nblocks = 0
        mism = []
        notes = collections.Counter()
        for i, check in enumerate(conf.get("checks") or []):
            if "filter" not in check:
                notes["%s check not scored" % ",".join(check)] += 1
                skipped["check: " + ",".join(check)] += 1
                continue
            flt = check["filter"] or {}
            match = flt.get("match") or {}
            ok, why = requires_ok(flt.get("requires"))
            if not ok:
                skipped["block: " + why] += 1
                continue
            et = match.get("event_type")
            if et is not None and et not in HAIDANG_EVENT_TYPES:
                skipped["block: event_type %s" % et] += 1
                notes["%s n/a" % et] += 1
                continue
            if flt.get("count") == 0:
                # An absence check: scored as one field, "no haidang event
                # agrees on every in-scope field".
                results, oos, full, _ = score_block(events, match)
                out_of_scope.update(oos)
                good = full == 0
                tt.add(good)
                total.add(good)
                by_type[et or "any"].add(good)
                by_family["absence"].add(good)
                nblocks += 1
                if not good:
                    mism.append((i, "count", 0, full))
                continue
            results, oos, full, ncand = score_block(events, match)
            out_of_scope.update(oos)
            if not results:
                skipped["block: no in-scope field"] += 1
                continue
            nblocks += 1
            for key, expected, kind, fam, good, got in results:
                tt.add(good)
                total.add(good)
                by_type[et or "any"].add(good)
                by_family[fam].add(good)
                if not good:
                    mism.append((i, key if kind == "value" else
                                 "%s(%s)" % (kind, key), expected, got))
            want = flt.get("count")
            if want is not None and want != full:
                count_diffs.append("%s block %d (%s): Suricata %s, haidang %d"
                                   % (t, i, et or "any", want, full))
        blocks_scored += nblocks
        if tt.fields:
            per_test[t] = tt
        note = ", ".join("%s %d" % (k, v) for k, v in sorted(notes.items()))
        print("%-32s %7d %7d %6.1f%%  %s" % (t, nblocks, tt.fields, tt.pct(),
                                             note))
        if a.verbose:
            for i, key, expected, got in mism:
                print("    block %-3d %s: expected %s, got %s"
                      % (i, key, fmt(expected), fmt(got)))

    print()
    print("blocks scored: %d; fields in scope: %d; matched: %d; agreement %.2f%%"
          % (blocks_scored, total.fields, total.matched, total.pct()))
    if per_test:
        big = max(per_test, key=lambda k: per_test[k].fields)
        rest = Totals()
        rest.fields = total.fields - per_test[big].fields
        rest.matched = total.matched - per_test[big].matched
        print("tests scored: %d; mean of per-test agreement %.2f%%; "
              "without the largest (%s, %d fields): %s"
              % (len(per_test),
                 sum(v.pct() for v in per_test.values()) / len(per_test),
                 big, per_test[big].fields, rest))
    print("by block event_type: " + "; ".join(
        "%s %s" % (k, v) for k, v in sorted(by_type.items())))
    print("by field family:     " + "; ".join(
        "%s %s" % (k, v) for k, v in sorted(by_family.items())))
    print("not scored (out of scope fields in scored blocks): " + ", ".join(
        "%s %d" % (k, v) for k, v in out_of_scope.most_common()))
    print("skipped: " + ", ".join(
        "%s %d" % (k, v) for k, v in sorted(skipped.items())))
    if count_diffs:
        print("count differences (informative, not scored): %d" %
              len(count_diffs))
        if a.verbose:
            for c in count_diffs:
                print("    " + c)
    for f in failures:
        print("FAIL " + f)
    agree = total.matched / total.fields if total.fields else 1.0
    passed = not failures and agree >= a.min
    print("suricata-verify agreement %.2f%% (minimum %.2f%%): %s"
          % (100 * agree, 100 * a.min, "PASS" if passed else "FAIL"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
