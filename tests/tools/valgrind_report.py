#!/usr/bin/env python3
"""valgrind_report.py LOGDIR - the verdict of a valgrind run of the suites.

Every program the tests started under tests/tools/vgwrap.sh left one memcheck
log in LOGDIR. This lists how many processes ran, and fails naming each log
that holds an error or a definite/indirect leak (memcheck's "ERROR SUMMARY: N
errors" with N > 0), with its first report.
"""
import os
import re
import sys


def main():
    logdir = sys.argv[1]
    if not os.path.isdir(logdir):
        print(f"valgrind-report: no logs in {logdir}: did any wrapped program run?")
        return 1
    logs = sorted(f for f in os.listdir(logdir) if f.endswith(".log"))
    bad = []
    per_prog = {}
    for name in logs:
        prog = name.split(".")[0]
        per_prog[prog] = per_prog.get(prog, 0) + 1
        with open(os.path.join(logdir, name), errors="replace") as f:
            text = f.read()
        m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
        if m is None:
            # killed before the summary (a test's SIGKILL): nothing to judge,
            # but any report written before the kill still counts
            if re.search(r"==\d+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched)", text):
                bad.append((name, text))
            continue
        if int(m.group(1)) > 0:
            bad.append((name, text))
    print("valgrind-report: %d processes checked (%s)" % (
        len(logs), ", ".join(f"{k} {v}" for k, v in sorted(per_prog.items()))))
    for name, text in bad:
        print(f"\n== {name}")
        body = [l for l in text.splitlines() if l.startswith("==")]
        print("\n".join(body[:60]))
    if bad:
        print(f"\nvalgrind-report: FAIL: {len(bad)} of {len(logs)} processes had memcheck errors")
        return 1
    if not logs:
        print("valgrind-report: FAIL: no process ran under valgrind")
        return 1
    print("valgrind-report: no memcheck errors, no definite or indirect leaks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
