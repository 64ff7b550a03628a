#!/usr/bin/env python3
"""Tests of the response playbooks (playbooks/*.json) and of haidang-rules check-playbooks.

    test_playbooks.py HAIDANG_RULES REPO_ROOT [--schemas DIR]

- every shipped playbook, each of its workflow steps, each command and each variable and
  agent are valid against the official OASIS CACAO 2.0 JSON schemas (../shared/schemas/
  cacao-2.0 beside the repository, or --schemas), with python3-jsonschema: a registry built
  from every schema file's $id so that the schemas' $refs resolve locally. The schemas
  declare draft-07 and are read so, all of them; they also use unevaluatedProperties,
  which draft-07 ignores, so the playbook, each step, command, variable and agent is also
  validated with its own schema read as draft 2020-12, where that keyword applies. When
  the schemas or python3-jsonschema are absent this part is skipped, the rest still runs,
  and the test exits 77 (meson: SKIP) unless something failed;
- every haidang category (common/category.c) is served by exactly one playbook, through a
  'haidang-category:CAT' label; the bilingual text convention and the phases hold;
- `haidang-rules check-playbooks playbooks` exits 0 and sums up the set;
- broken copies (a dangling on_completion, no workflow_start, a command that is not manual,
  a label naming no category, garbage JSON, a cycle, a step reached from two branches, a
  duplicate id across files, an unreachable step, a bad timestamp, a refused step type)
  make it exit 1 with the file and the JSON path of each problem in the message.

Prints "N passed, N failed" last; exits 1 on any failure.
"""
import argparse
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings

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
        for line in str(detail).rstrip().splitlines()[:40]:
            print(f"     {line}")
    return cond


def skip(what, why):
    global skipped
    skipped += 1
    print(f"skip {what}: {why}")


def run(args, cwd=None, lang="C"):
    e = dict(os.environ)
    for k in ("LC_ALL", "LC_MESSAGES", "LANG", "HAIDANG_LANG", "JOURNAL_STREAM"):
        e.pop(k, None)
    e["LANG"] = lang
    p = subprocess.run(args, cwd=cwd, env=e, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def load_playbooks(root):
    out = {}
    for path in sorted(glob.glob(os.path.join(root, "playbooks", "*.json"))):
        with open(path, encoding="utf-8") as f:
            out[os.path.basename(path)] = json.load(f)
    return out


def categories(root):
    """the category names of common/category.c's table"""
    with open(os.path.join(root, "common", "category.c"), encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("category_table[]"):]
    return re.findall(r'^\s*\{ "([a-z_0-9]+)",', table, re.M)


# ---- the official CACAO 2.0 schemas ----

class Schemas:
    """Every schema file of the folder, by $id; validators for draft-07 (as declared) and
    draft 2020-12 (so unevaluatedProperties applies)."""

    def __init__(self, folder):
        import jsonschema
        self.jsonschema = jsonschema
        self.by_id = {}
        self.by_rel = {}
        for path in sorted(glob.glob(os.path.join(folder, "**", "*.json"), recursive=True)):
            with open(path, encoding="utf-8") as f:
                s = json.load(f)
            if "$id" in s:
                self.by_id[s["$id"]] = s
                self.by_rel[os.path.relpath(path, folder)] = s
        self.base = self.by_rel["playbook.json"]["$id"].rsplit("/", 1)[0] + "/"

    def uri(self, rel):
        return self.base + rel

    def validator(self, rel, draft):
        js = self.jsonschema
        schema = self.by_id[self.uri(rel)]
        cls = js.Draft7Validator if draft == 7 else js.Draft202012Validator
        if draft != 7:
            # only the validated object's own schema is read as 2020-12: command-data.json,
            # the base of every command type, closes itself with unevaluatedProperties, so
            # read as 2020-12 where manual.json refers to it, it would refuse 'command'
            schema = dict(schema, **{"$schema": "https://json-schema.org/draft/2020-12/schema"})
        store = self.by_id
        try:  # jsonschema >= 4.18: the referencing library
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT7, DRAFT202012
            spec = DRAFT7 if draft == 7 else DRAFT202012
            reg = Registry().with_resources(
                (uri, Resource(contents=s, specification=spec)) for uri, s in store.items())
            return cls(schema, registry=reg)
        except ImportError:  # Debian 12's 4.10: RefResolver with a store of every $id
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                resolver = js.RefResolver(base_uri=schema["$id"], referrer=schema,
                                          store=dict(store))
                return cls(schema, resolver=resolver)

    def errors(self, rel, doc, draft):
        v = self.validator(rel, draft)
        return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message)
                for e in v.iter_errors(doc)]


STEP_SCHEMA = {"start": "workflows/start.json", "end": "workflows/end.json",
               "action": "workflows/action.json", "if-condition": "workflows/if-condition.json"}


def test_schemas(playbooks, folder):
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        skip("CACAO 2.0 schema validation", "python3-jsonschema is not installed")
        return
    if not os.path.isfile(os.path.join(folder, "playbook.json")):
        skip("CACAO 2.0 schema validation", f"{folder} is absent")
        return
    sch = Schemas(folder)
    # the validators must see a broken document as broken, or the rest proves nothing
    any_pb = next(iter(playbooks.values()))
    broken = copy.deepcopy(any_pb)
    broken["spec_version"] = "cacao-1.0"
    ok(sch.errors("playbook.json", broken, 7), "the schema validator rejects a wrong spec_version")
    broken = copy.deepcopy(any_pb)
    step = next(k for k in broken["workflow"] if k.startswith("action--"))
    del broken["workflow"][step]["agent"]
    ok(sch.errors("playbook.json", broken, 7), "the $refs resolve: a step without its agent is rejected")
    odd = dict(any_pb["workflow"][step], colour="red")
    ok(not sch.errors("workflows/action.json", odd, 7) and sch.errors("workflows/action.json", odd, 2020),
       "read as 2020-12, a step's schema refuses an unknown property (unevaluatedProperties)")
    for draft in (7, 2020):
        for name, pb in playbooks.items():
            errs = sch.errors("playbook.json", pb, draft)
            for sid, step in pb["workflow"].items():
                kind = sid.split("--")[0]
                errs += [f"workflow[{sid}] " + e for e in sch.errors(STEP_SCHEMA[kind], step, draft)]
                for i, cmd in enumerate(step.get("commands", [])):
                    errs += [f"workflow[{sid}].commands[{i}] " + e
                             for e in sch.errors("commands/manual.json", cmd, draft)]
            for vid, var in pb.get("playbook_variables", {}).items():
                errs += [f"playbook_variables[{vid}] " + e
                         for e in sch.errors("data-types/variable.json", var, draft)]
            for aid, agent in pb.get("agent_definitions", {}).items():
                errs += [f"agent_definitions[{aid}] " + e
                         for e in sch.errors(f"agent-target/{aid.split('--')[0]}.json", agent, draft)]
            for k in ("created", "modified"):
                errs += [f"{k} " + e for e in sch.errors("data-types/timestamp.json", pb[k], draft)]
            ok(not errs, f"{name}: valid CACAO 2.0 (draft {'07' if draft == 7 else '2020-12'}), "
               f"{len(pb['workflow'])} steps each checked", "\n".join(errs))


# ---- what the shipped set must hold ----

PHASES = ["identify", "contain", "eradicate", "recover", "report"]


def test_content(playbooks, cats):
    served = {}
    for name, pb in playbooks.items():
        for label in pb.get("labels", []):
            if label.startswith("haidang-category:"):
                served.setdefault(label.split(":", 1)[1], []).append(name)
    ok(len(playbooks) >= 8, f"at least 8 playbooks ({len(playbooks)})")
    ok(cats and all(len(served.get(c, [])) == 1 for c in cats),
       "every haidang category is served by exactly one playbook",
       "\n".join(f"{c}: {served.get(c)}" for c in cats))
    ok(not set(served) - set(cats), "every category label names a haidang category",
       set(served) - set(cats))
    for name, pb in playbooks.items():
        problems = []
        steps = pb["workflow"]
        phases = []
        for sid, st in steps.items():
            if st["type"] not in ("action", "if-condition"):
                continue
            m = re.match(r"^(?:\[([a-z]+)\] )?(.+) / (.+)$", st["name"])
            if not m or " / " in m.group(2) or " / " in m.group(3):
                problems.append(f"{sid}: name not 'Vietnamese / English': {st['name']!r}")
            elif st["type"] == "action":
                if m.group(1) not in PHASES:
                    problems.append(f"{sid}: no phase tag")
            if st["description"].count("\n\n") != 1:
                problems.append(f"{sid}: description not 'Vietnamese\\n\\nEnglish'")
            for c in st.get("commands", []):
                if c["type"] != "manual":
                    problems.append(f"{sid}: command type {c['type']}")
        # the main line, in order: phases start at identify and end with the final report
        sid = steps[pb["workflow_start"]]["on_completion"]
        while steps[sid]["type"] != "end":
            m = re.match(r"^\[([a-z]+)\] ", steps[sid]["name"])
            if m:
                phases.append(m.group(1))
            sid = steps[sid]["on_completion"]
        if not phases or phases[0] != "identify" or phases[-1] != "report":
            problems.append(f"main line's phases: {phases}")
        for ph in PHASES:
            if not any(re.match(rf"^\[{ph}\] ", s.get("name", "")) for s in steps.values()):
                problems.append(f"no step in phase {ph}")
        final = [s for s in steps.values() if "Mẫu số 04" in s.get("name", "")]
        if len(final) != 1:
            problems.append("no final report (Mẫu số 04) step")
        text = json.dumps(pb, ensure_ascii=False)
        if "5 ngày" not in text or "5 days" not in text:
            problems.append("the 5-day deadline is not stated")
        ok(not problems, f"{name}: bilingual steps in phases, manual commands, reports with deadlines",
           "\n".join(problems))


# ---- haidang-rules check-playbooks ----

def first_action(pb, n=0):
    return [k for k in pb["workflow"] if k.startswith("action--")][n]


def breakages():
    """(file, what, change(pb dict or None for raw text) -> new content, expected JSON path)"""
    def dangling(pb):
        a = first_action(pb)
        pb["workflow"][a]["on_completion"] = "action--0b9e2c54-7a1d-4f3e-9c2b-5d8e1a6f4c70"
        return f"$.workflow['{a}'].on_completion", "no such step"

    def no_start(pb):
        del pb["workflow_start"]
        return "$.workflow_start", "missing"

    def not_manual(pb):
        a = first_action(pb, 1)
        pb["workflow"][a]["commands"][0]["type"] = "bash"
        return f"$.workflow['{a}'].commands[0].type", "outside the supported subset"

    def bad_category(pb):
        pb["labels"].append("haidang-category:virus")
        return f"$.labels[{len(pb['labels']) - 1}]", "not a haidang category"

    def cycle(pb):
        acts = [k for k in pb["workflow"] if k.startswith("action--")]
        last = [k for k in acts if pb["workflow"][k].get("on_completion", "").startswith("end--")][-1]
        pb["workflow"][last]["on_completion"] = acts[0]
        return f"$.workflow['{last}'].on_completion", "cycle"

    def shared(pb):
        ifs = [k for k, s in pb["workflow"].items() if s["type"] == "if-condition"]
        i = ifs[0]
        pb["workflow"][i]["on_false"] = pb["workflow"][i]["on_true"]
        return f"$.workflow['{i}'].on_false", "reached a second time"

    def unreachable(pb):
        pb["workflow"]["action--3f1d2c4b-5a6e-4b7c-8d9e-0f1a2b3c4d5e"] = copy.deepcopy(
            pb["workflow"][first_action(pb)])
        return "$.workflow['action--3f1d2c4b-5a6e-4b7c-8d9e-0f1a2b3c4d5e']", "not reachable"

    def timestamp(pb):
        pb["modified"] = "2026-02-30T10:00:00.000Z"
        return "$.modified", "not a UTC timestamp"

    def parallel(pb):
        pb["workflow"]["parallel--3f1d2c4b-5a6e-4b7c-8d9e-0f1a2b3c4d5e"] = {
            "type": "parallel", "next_steps": [first_action(pb)], "on_completion": first_action(pb)}
        return "$.workflow['parallel--3f1d2c4b-5a6e-4b7c-8d9e-0f1a2b3c4d5e']", "outside the supported subset"

    def english_only(pb):
        a = first_action(pb, 2)
        pb["workflow"][a]["description"] = "Only English here."
        return f"$.workflow['{a}'].description", "Vietnamese and English"

    return [("ransomware.json", "a dangling on_completion", dangling),
            ("phishing.json", "a missing workflow_start", no_start),
            ("ddos.json", "a command that is not manual", not_manual),
            ("web-attack.json", "a label naming no haidang category", bad_category),
            ("cryptomining.json", "a cycle", cycle),
            ("malware-c2.json", "both branches of an if-condition on the same steps", shared),
            ("generic.json", "an unreachable step", unreachable),
            ("exfiltration.json", "a timestamp that is no date", timestamp),
            ("brute-force.json", "a parallel step", parallel),
            ("ransomware.json", "a description in one language", english_only)]


def test_tool(tool, root, playbooks):
    rc, out, err = run([tool, "check-playbooks", "playbooks"], cwd=root)
    ok(rc == 0 and not out.strip(), "check-playbooks on the shipped playbooks: exit 0, no problems",
       out + err)
    nsteps = sum(sum(1 for s in pb["workflow"].values() if s["type"] in ("action", "if-condition"))
                 for pb in playbooks.values())
    ok(f"{len(playbooks)} playbooks, {nsteps} steps, 0 problems" in err
       and "categories with no playbook (0)" in err,
       "check-playbooks sums up: playbooks, steps, categories covered and not", err)
    rc, out, _ = run([tool, "check-playbooks", "--help"])
    rc2, out2, _ = run([tool, "check-playbooks", "--help"], lang="vi_VN.UTF-8")
    ok(rc == 0 and rc2 == 0 and "Usage: haidang-rules check-playbooks DIR" in out
       and "Cách dùng: haidang-rules check-playbooks DIR" in out2, "check-playbooks --help in both languages")
    rc, out, _ = run([tool, "--help"])
    ok("check-playbooks DIR" in out, "haidang-rules --help lists check-playbooks")
    for args, what in (([], "without DIR"), (["/nonexistent/dir"], "on a missing directory"),
                       (["a", "b"], "with two directories")):
        rc, _, err = run([tool, "check-playbooks"] + args)
        ok(rc == 2 and err, f"check-playbooks {what}: exit 2", f"rc={rc} {err}")

    for fname, what, change in breakages():
        with tempfile.TemporaryDirectory() as tmp:
            d = os.path.join(tmp, "playbooks")
            shutil.copytree(os.path.join(root, "playbooks"), d)
            pb = copy.deepcopy(playbooks[fname])
            path, words = change(pb)
            with open(os.path.join(d, fname), "w", encoding="utf-8") as f:
                json.dump(pb, f, ensure_ascii=False, indent=2)
            rc, out, err = run([tool, "check-playbooks", "playbooks"], cwd=tmp)
            want = f"playbooks/{fname}: {path}: "
            lines = [l for l in out.splitlines() if l.startswith(want) and words in l]
            ok(rc == 1 and lines and all(l.startswith(f"playbooks/{fname}: $") for l in out.splitlines()),
               f"check-playbooks reports {what} at {fname}: {path}", f"rc={rc}\n{out}{err}")

    raw = [("garbage.json", '{"type": "playbook",\n  "workflow": {\x00 ]]', "$: not valid JSON"),
           ("empty.json", "", "$: not valid JSON"),
           ("array.json", "[]", "$: must be a JSON object"),
           ("dupkey.json", '{"type": "playbook", "type": "playbook"}', "$.type: duplicate key"),
           ("binary.json", "\x7fELF\x02\x01\x01" + "\xff" * 64, "$: not valid JSON")]
    for fname, text, want in raw:
        with tempfile.TemporaryDirectory() as tmp:
            d = os.path.join(tmp, "playbooks")
            shutil.copytree(os.path.join(root, "playbooks"), d)
            with open(os.path.join(d, fname), "w", encoding="latin-1") as f:
                f.write(text)
            rc, out, err = run([tool, "check-playbooks", "playbooks"], cwd=tmp)
            ok(rc == 1 and f"playbooks/{fname}: {want}" in out and out.count("\n") == 1,
               f"check-playbooks reports {fname} alone, at its path", f"rc={rc}\n{out}{err}")

    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "playbooks")
        shutil.copytree(os.path.join(root, "playbooks"), d)
        shutil.copy(os.path.join(d, "ddos.json"), os.path.join(d, "ddos-copy.json"))
        rc, out, _ = run([tool, "check-playbooks", "playbooks"], cwd=tmp)
        ok(rc == 1 and "playbooks/ddos.json: $.id: the id's UUID is already used by playbooks/ddos-copy.json" in out
           and "is already served by playbooks/ddos-copy.json" in out,
           "check-playbooks: a duplicate id and category across files", out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("root")
    ap.add_argument("--schemas", default=None)
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    tool = os.path.abspath(a.tool)
    schemas = a.schemas or os.path.join(os.environ.get("HAIDANG_SRC", root), "..", "shared",
                                        "schemas", "cacao-2.0")
    playbooks = load_playbooks(root)
    test_schemas(playbooks, os.path.abspath(schemas))
    test_content(playbooks, categories(root))
    test_tool(tool, root, playbooks)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if failed:
        return 1
    # meson shows SKIP when the schema validation could not run, so that a green run
    # always means the schemas were checked; any failure elsewhere still fails
    return 77 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
