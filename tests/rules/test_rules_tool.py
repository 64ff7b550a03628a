#!/usr/bin/env python3
"""Tests of haidang-rules, as a user runs it.

    test_rules_tool.py HAIDANG_RULES REPO_ROOT [--corpus DIR]

- check: the repo's starter set passes; a fixture directory with broken CSV lines and a
  broken YARA file reports each problem at its exact FILE:LINE and exits 1.
- stats: the counts of a small fixture directory.
- import: each format on its fixture gives exactly the expected CSV (NAME.expected.csv)
  and reports each unusable item at its line or JSON path (NAME.expected.err); the STIX
  fixture is valid against the official STIX 2.1 schema (when python3-jsonschema is
  installed); the import output loads in check without problems.
- the starter set: the commands in rules/ioc/README.md reproduce the committed CSVs byte
  for byte, and every observable of the corpus's EXPECTED_IOC_HITS.tsv is matched (and
  not allow-listed) by `haidang-rules lookup rules`.
- help in English and Vietnamese, and the exit codes of usage errors.

Corpus-dependent parts are skipped (and said so) when the corpus is absent.
Prints "N passed, N failed" last; exits 1 on any failure.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORT_DIR = os.path.join(HERE, "import")

passed = 0
failed = 0
skipped = 0


def ok(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}")
        if detail:
            for line in str(detail).rstrip().splitlines()[:40]:
                print(f"     {line}")
    return cond


def skip(what, why):
    global skipped
    skipped += 1
    print(f"skip {what}: {why}")


def run(args, cwd=None, env=None, lang="C"):
    e = dict(os.environ)
    for k in ("LC_ALL", "LC_MESSAGES", "LANG", "HAIDANG_LANG", "JOURNAL_STREAM"):
        e.pop(k, None)
    e["LANG"] = lang
    if env:
        e.update(env)
    p = subprocess.run(args, cwd=cwd, env=e, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def diff(expected, actual):
    import difflib
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        "expected", "actual", n=1))


def problem_lines(stderr):
    """stderr without the closing summary and other log lines"""
    return [l for l in stderr.splitlines() if not l.startswith("haidang-rules: ")]


# ---- help and usage ----

def test_usage(tool):
    rc, out, _ = run([tool, "--help"])
    ok(rc == 0 and "Usage: haidang-rules COMMAND" in out and "import" in out, "--help in English")
    rc, out, _ = run([tool, "--help"], lang="vi_VN.UTF-8")
    ok(rc == 0 and "Cách dùng: haidang-rules" in out and "Các lệnh" in out, "--help in Vietnamese (LANG=vi_VN)")
    for cmd in ("check", "stats", "import", "lookup"):
        rc, out, _ = run([tool, cmd, "--help"])
        rc2, out2, _ = run([tool, cmd, "--help"], lang="vi_VN.UTF-8")
        ok(rc == 0 and rc2 == 0 and f"Usage: haidang-rules {cmd}" in out
           and f"Cách dùng: haidang-rules {cmd}" in out2, f"{cmd} --help in both languages")
    rc, out, _ = run([tool, "import", "--help"], lang="vi_VN.UTF-8")
    ok("bắt buộc" in out and "--severity" in out, "import --help lists the options in Vietnamese")
    cases = [
        ([], "no command"),
        (["frobnicate"], "unknown command"),
        (["check"], "check without DIR"),
        (["check", "/nonexistent/dir"], "check on a missing directory"),
        (["stats"], "stats without DIR"),
        (["import", "--from", "list"], "import without FILE and --source"),
        (["import", "--from", "csv", "x", "--source", "s"], "import with an unknown format"),
        (["import", "--from", "list", "x", "--source", "s", "--severity", "severe"], "import with a bad --severity"),
        (["import", "--from", "list", "x", "--source", "s", "--type", "hostname"], "import with a bad --type"),
        (["import", "--from", "list", "x", "--source", "s", "--category", "nosuch"], "import with a bad --category"),
        (["import", "--from", "list", "/nonexistent/x", "--source", "s"], "import of a missing file"),
        (["import", "--from", "list", "a", "b", "--source", "s"], "import with two files"),
        (["lookup", HERE, "ip"], "lookup without a value"),
    ]
    for args, what in cases:
        rc, _, err = run([tool] + args)
        ok(rc == 2 and err, f"exit 2 for {what}", f"rc={rc} stderr={err!r}")


# ---- check ----

def test_check(tool, root):
    rc, out, err = run([tool, "check", "rules"], cwd=root)
    ok(rc == 0 and not [l for l in out.splitlines() if "warning:" not in l],
       "check on the starter set: exit 0, no problems", out + err)

    rc, out, err = run([tool, "check", "bad-rules"], cwd=HERE)
    ok(rc == 1, "check on bad-rules exits 1", f"rc={rc}")
    expected = {
        "bad-rules/ioc/bad.csv:4": "unknown type",
        "bad-rules/ioc/bad.csv:5": "203.0.113.256",
        "bad-rules/ioc/bad.csv:6": "198.51.100.0/33",
        "bad-rules/ioc/bad.csv:7": "d41d8cd98f00b204e9800998ecf842",
        "bad-rules/ioc/bad.csv:8": "missing columns",
        "bad-rules/ioc/bad.csv:9": "severe",
        "bad-rules/ioc/no-header.csv:1": "header",
        "bad-rules/allow/allow.csv:2": "nosuch",
        "bad-rules/yara/broken.yar:5": "",
        "bad-rules/policy.conf:3": "lots",
    }
    got = {}
    for line in out.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[1].isdigit():
            got.setdefault(f"{parts[0]}:{parts[1]}", []).append(parts[2])
    ok(set(got) == set(expected), "check reports exactly the broken lines (FILE:LINE)",
       f"missing: {sorted(set(expected) - set(got))}\nunexpected: {sorted(set(got) - set(expected))}\n{out}")
    for where, word in expected.items():
        msgs = got.get(where, [])
        ok(msgs and all(m.strip() for m in msgs) and any(word in m for m in msgs),
           f"check: {where} says what is wrong ({word or 'a YARA error'})", "\n".join(msgs))
    ok("good.yar" not in out and "bad.csv:3:" not in out and "bad.csv:10:" not in out,
       "check: good lines and files are not reported", out)


# ---- stats ----

def test_stats(tool):
    rc, out, err = run([tool, "stats", "--json", "stats-rules"], cwd=HERE)
    try:
        s = json.loads(out)
    except ValueError as e:
        ok(False, "stats --json prints JSON", f"{e}\n{out}\n{err}")
        return
    ok(rc == 0, "stats exits 0 on a clean directory", err)
    i, a, y = s["ioc"], s["allow"], s["yara"]
    ok((i["files"], i["lines"], i["loaded"], i["duplicates"], i["expired"], i["errors"])
       == (2, 14, 8, 2, 1, 0), "stats: indicator files, lines, loaded, duplicates, expired, errors", i)
    ok(i["by_type"] == {"ip": 2, "cidr": 1, "domain": 1, "url": 1, "md5": 1, "sha256": 1, "ja3": 1},
       "stats: indicators per type", i["by_type"])
    ok(i["by_severity"] == {"critical": 1, "high": 3, "medium": 2, "low": 2},
       "stats: indicators per severity (a duplicate keeps the higher severity)", i["by_severity"])
    ok(i["by_source"] == {"feed-a": 5, "feed-b": 2, "b": 1},
       "stats: indicators per source (an empty source is the file's name)", i["by_source"])
    ok(i["by_category"] == {"none": 5, "c2": 2, "malware": 1}, "stats: indicators per category",
       i["by_category"])
    ok((a["files"], a["loaded"], a["by_type"]) == (1, 3, {"ip": 1, "cidr": 1, "domain": 1}),
       "stats: allow entries", a)
    ok((y["files"], y["files_bad"], y["rules"]) == (2, 0, 3), "stats: YARA files and rules", y)
    rc, out, err = run([tool, "stats", "stats-rules"], cwd=HERE)
    ok(rc == 0 and "indicators: 2 files, 14 lines, 8 loaded, 2 duplicates, 1 expired, 0 errors" in out
       and "yara: 2 files (0 with errors), 3 rules" in out and "feed-a" in out,
       "stats: the text report", out + err)
    rc, out, err = run([tool, "stats", "bad-rules"], cwd=HERE)
    ok(rc == 1 and "problems:" in out, "stats on bad-rules counts the problems and exits 1", out + err)


# ---- import ----

IMPORTS = [
    # name, args, expected exit status
    ("misp-event", ["--from", "misp", "misp-event.json", "--source", "fixture:misp"], 1),
    ("stix-bundle", ["--from", "stix", "stix-bundle.json", "--source", "fixture:stix"], 1),
    ("list", ["--from", "list", "list.txt", "--source", "fixture:list", "--severity", "high",
              "--category", "malware", "--description", "hand-kept list"], 1),
    ("ja3-list", ["--from", "list", "ja3-list.txt", "--type", "ja3", "--source", "fixture:ja3",
                  "--severity", "low"], 1),
    ("maltrail", ["--from", "maltrail", "maltrail.txt", "--source", "maltrail:malware/testbot",
                  "--severity", "high", "--category", "malware", "--licence", "MIT"], 1),
    ("feodo", ["--from", "abusech", "feodo.csv", "--source", "abuse.ch:feodotracker",
               "--severity", "high", "--category", "c2"], 1),
    ("sslbl-ja3", ["--from", "abusech", "sslbl-ja3.csv", "--source", "abuse.ch:sslbl-ja3"], 0),
    ("misp-broken", ["--from", "misp", "misp-broken.json", "--source", "fixture:misp"], 1),
    ("stix-not-bundle", ["--from", "stix", "stix-not-bundle.json", "--source", "fixture:stix"], 1),
]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_imports(tool):
    for name, args, want_rc in IMPORTS:
        rc, out, err = run([tool, "import"] + args, cwd=IMPORT_DIR)
        ok(rc == want_rc, f"import {name}: exit {want_rc}", f"rc={rc}\n{err}")
        exp_csv = os.path.join(IMPORT_DIR, name + ".expected.csv")
        exp_err = os.path.join(IMPORT_DIR, name + ".expected.err")
        ok(out == read(exp_csv), f"import {name}: exactly the expected CSV", diff(read(exp_csv), out))
        got_err = "\n".join(problem_lines(err)) + ("\n" if problem_lines(err) else "")
        ok(got_err == read(exp_err), f"import {name}: each unusable item reported at its line/JSON path",
           diff(read(exp_err), got_err))

    # -o writes the same, and the result loads without a problem
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "ioc"))
        for name, args, _ in IMPORTS:
            if not read(os.path.join(IMPORT_DIR, name + ".expected.csv")):
                continue
            outp = os.path.join(tmp, "ioc", name + ".csv")
            run([tool, "import"] + args + ["-o", outp], cwd=IMPORT_DIR)
            ok(os.path.exists(outp) and read(outp) == read(os.path.join(IMPORT_DIR, name + ".expected.csv")),
               f"import {name} -o FILE writes the same CSV")
        ok(not glob.glob(os.path.join(tmp, "ioc", "*.tmp.*")), "import -o leaves no temporary file")
        rc, out, err = run([tool, "check", tmp])
        ok(rc == 0 and not out.strip(), "every imported CSV loads in check without a problem", out + err)
        # an unusable input does not replace an existing CSV
        keep = os.path.join(tmp, "ioc", "keep.csv")
        shutil.copy(os.path.join(tmp, "ioc", "feodo.csv"), keep)
        rc, _, err = run([tool, "import", "--from", "misp", "misp-broken.json", "--source", "x",
                          "-o", keep], cwd=IMPORT_DIR)
        ok(rc == 1 and read(keep) == read(os.path.join(tmp, "ioc", "feodo.csv")),
           "an unusable input leaves the existing output file alone", err)

    # --quiet keeps skipped items out of stderr but not problems
    rc, out, err = run([tool, "import", "--from", "maltrail", "maltrail.txt", "--source", "m", "-q"],
                       cwd=IMPORT_DIR)
    lines = problem_lines(err)
    ok(rc == 1 and lines and not [l for l in lines if "skipped" in l]
       and [l for l in lines if l.startswith("maltrail.txt:21:")], "import --quiet lists problems only", err)

    # Vietnamese messages
    rc, out, err = run([tool, "import", "--from", "maltrail", "maltrail.txt", "--source", "m"],
                       cwd=IMPORT_DIR, lang="vi_VN.UTF-8")
    ok("maltrail.txt:17: bỏ qua:" in err, "import reports in Vietnamese under LANG=vi", err)


def test_stix_schema(root, schema_dir):
    try:
        import jsonschema
    except ImportError:
        skip("STIX fixture against the STIX 2.1 schema", "python3-jsonschema is not installed")
        return
    if not os.path.isdir(schema_dir):
        skip("STIX fixture against the STIX 2.1 schema", f"no schemas in {schema_dir}")
        return
    store = {}
    for p in glob.glob(os.path.join(schema_dir, "*", "*.json")):
        with open(p, encoding="utf-8") as f:
            s = json.load(f)
        store[s.get("$id", p)] = s
    bundle_id = [k for k in store if k.endswith("/common/bundle.json")]
    if not bundle_id:
        skip("STIX fixture against the STIX 2.1 schema", "bundle.json not found")
        return
    schema = store[bundle_id[0]]
    cls = jsonschema.validators.validator_for(schema)
    try:
        from referencing import Registry, Resource
        reg = Registry().with_resources([(k, Resource.from_contents(v)) for k, v in store.items()])
        v = cls(schema, registry=reg)
    except ImportError:
        v = cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
    for name in ("stix-bundle.json",):
        with open(os.path.join(IMPORT_DIR, name), encoding="utf-8") as f:
            doc = json.load(f)
        errors = [f"{list(e.path)}: {e.message[:200]}" for e in v.iter_errors(doc)]
        ok(not errors, f"{name} is valid against the STIX 2.1 schema", "\n".join(errors))


# ---- the starter set ----

def readme_commands(root):
    text = read(os.path.join(root, "rules", "ioc", "README.md"))
    block, inside = [], False
    for line in text.splitlines():
        if line.strip() == "```sh":
            inside = True
        elif line.strip() == "```" and inside:
            break
        elif inside:
            block.append(line)
    return "\n".join(block) + "\n"


def test_starter_set(tool, root, corpus):
    if not os.path.isdir(os.path.join(corpus, "ioc")):
        skip("starter set reproduction and ground truth", f"no corpus at {corpus}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "convert.sh")
        with open(script, "w") as f:
            f.write(readme_commands(root))
        outdir = os.path.join(tmp, "ioc")
        os.makedirs(outdir)
        rc, out, err = run(["sh", script], cwd=root,
                           env={"HAIDANG_RULES": tool, "CORPUS": corpus, "OUT": outdir})
        ok(rc == 0, "the README's conversion commands run without a problem", err[-3000:])
        made = sorted(os.listdir(outdir))
        committed = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "rules", "ioc", "*.csv")))
        hand_made = {"haidang-test.csv"}
        ok(made and set(made) == set(committed) - hand_made,
           "the README's commands make every generated CSV of rules/ioc",
           f"made only: {set(made) - set(committed)}\ncommitted only: {set(committed) - set(made) - hand_made}")
        for name in made:
            a, b = os.path.join(outdir, name), os.path.join(root, "rules", "ioc", name)
            same = os.path.exists(b) and read(a) == read(b)
            ok(same, f"rules/ioc/{name} is reproduced byte for byte",
               diff(read(b), read(a))[:3000] if os.path.exists(b) else "not committed")

    # ground truth: every observable the corpus captures must hit
    tsv = os.path.join(corpus, "ioc", "EXPECTED_IOC_HITS.tsv")
    rows = []
    with open(tsv, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    ok(len(rows) >= 10, f"EXPECTED_IOC_HITS.tsv has its rows ({len(rows)})")
    for r in rows:
        obs, kind = r["observable"], r["observable_type"]
        if kind == "ip:port":
            # haidang indicators have no port: the address must match
            kind, obs = "ip", obs.rsplit(":", 1)[0]
        rc, out, err = run([tool, "lookup", "rules", kind, obs], cwd=root)
        first = out.splitlines()[0] if out else ""
        ok(rc == 0 and first.endswith(": match"),
           f"ground truth: {r['pcap']} {r['observable_type']} {r['observable']} is matched, not allow-listed",
           out + err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("root")
    ap.add_argument("--corpus", default=os.environ.get("HAIDANG_CORPUS"))
    a = ap.parse_args()
    tool = os.path.abspath(a.tool)
    root = os.path.abspath(a.root)
    corpus = os.path.abspath(a.corpus or os.path.join(root, "..", "shared", "corpus"))
    schemas = os.path.join(os.path.dirname(corpus), "schemas", "stix-2.1")

    test_usage(tool)
    test_check(tool, root)
    test_stats(tool)
    test_imports(tool)
    test_stix_schema(root, schemas)
    test_starter_set(tool, root, corpus)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
