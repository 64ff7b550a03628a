#!/usr/bin/env python3
"""triage_bench.py [N] - the console's figures with N incidents (default
100,000) in a private redis-server on TCP loopback (docs/performance.md,
"Triage").

Fills the queue with tests/bench/queue_bench (the sensor's publishing path:
N incidents of 250 agencies), then times, as an analyst runs them, whole
haidang-triage processes (start, connect, work, exit): `list` (the first
page of 50, with and without a filter), `show`, `claim`; and, with
tests/bench/triage_bench, the action scripts' round trip in-process.
Run from the source tree after `ninja -C build`:
    python3 tests/bench/triage_bench.py [N]
"""
import os
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "queue"))
import redisenv  # noqa: E402

BUILD = os.environ.get("HAIDANG_BUILD", "build")
TRIAGE = os.path.join(BUILD, "triage", "haidang-triage")
QBENCH = os.path.join(BUILD, "tests", "queue_bench")
TBENCH = os.path.join(BUILD, "tests", "triage_bench")


def timed(args, runs):
    """median and p90 wall time (ms) of runs processes"""
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(args, capture_output=True, text=True)
        t.append((time.perf_counter() - t0) * 1000)
        if r.returncode != 0:
            sys.exit(f"bench: {' '.join(args)}: {r.stderr}")
    t.sort()
    return statistics.median(t), t[int(len(t) * 0.9) - 1 if len(t) >= 10 else -1]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    env = redisenv.RedisEnv()
    srv = env.tcp()
    url = srv.url
    t0 = time.time()
    r = subprocess.run([QBENCH, url, str(n)], capture_output=True, text=True)
    if r.returncode:
        sys.exit(r.stderr)
    srv.call("SADD", "hd:agencies", *[f"don-vi-so-{i}" for i in range(250)])
    print(f"filled: {n} incidents of 250 agencies in {time.time() - t0:.1f} s "
          f"(redis used_memory {srv.call('INFO', 'memory').split('used_memory_human:')[1].split()[0]})")
    base = [TRIAGE, "--redis", url, "--as", "bench"]
    ids = [l.split()[0] for l in subprocess.run(base + ["list", "--limit", "200"], capture_output=True,
                                                   text=True).stdout.splitlines()[1:]]
    full = subprocess.run(base + ["list", "--json", "--limit", "1"], capture_output=True, text=True).stdout
    import json
    first = json.loads(full)[0]["id"]
    for what, args, runs in (
            ("list (first page, 50)", ["list", "--limit", "50"], 30),
            ("list --json (50)", ["list", "--json", "--limit", "50"], 30),
            ("list --status open (50)", ["list", "--status", "open", "--limit", "50"], 30),
            ("list --severity critical (none)", ["list", "--severity", "critical", "--limit", "50"], 3),
            ("list --search (no match)", ["list", "--search", "no-such-text", "--limit", "50"], 3),
            ("list --limit 0 (all)", ["list", "--limit", "0"], 3),
            ("show ID", ["show", first], 30),
            ("history ID", ["history", first], 30)):
        med, p90 = timed(base + args, runs)
        print(f"{what:34s} median {med:7.1f} ms  p90 {p90:7.1f} ms  ({runs} runs)")
    claims = []
    for i, tid in enumerate(ids[:100]):
        t0 = time.perf_counter()
        r = subprocess.run(base + ["claim", tid], capture_output=True, text=True)
        claims.append((time.perf_counter() - t0) * 1000)
    claims.sort()
    print(f"{'claim ID (whole process)':34s} median {statistics.median(claims):7.1f} ms  "
          f"p90 {claims[89]:7.1f} ms  (100 runs)")
    r = subprocess.run([TBENCH, url, "5000"], capture_output=True, text=True)
    print("in-process round trips (triage_bench, 5000 tickets):")
    print(r.stdout.rstrip())
    if r.returncode:
        print(r.stderr)


if __name__ == "__main__":
    main()
