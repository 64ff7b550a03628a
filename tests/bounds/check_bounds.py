#!/usr/bin/env python3
"""check_bounds.py CASE - the sensor's resource bounds, proved on captures
built to exceed them (docs/performance.md, "Resource bounds").

  flows    a SYN scan of 2 M distinct flows (make_syn_flood.py, or
           HAIDANG_BOUNDS_FLOWS=N) streamed to `-r -` with --flow-memcap
           32M: every flow is created and counted, the table never holds
           more than stats.flow.limit, every flow past it is evicted and
           counted, and the peak RSS stays under the no-traffic RSS plus
           the cap (+20%). A 4x larger cap evicts fewer.
  streams  200 parallel transfers of 2 MiB each (make_transfers.py), with
           out-of-order segments: with --stream-depth 256K and
           --stream-memcap 1M both caps are hit and counted and the RSS
           stays near that of the same transfers sent in order; with no
           depth and the default memcap the same capture is reassembled
           whole and both counters are 0.

Captures are streamed from the generator to the sensor's stdin and the EVE
output read from its stdout: nothing big is written to disk. Peak RSS is
the sensor's ru_maxrss (os.wait4). Under AddressSanitizer (libasan linked
into the sensor) the RSS checks are skipped: ASan's shadow memory is not
the sensor's.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

SENSOR = os.environ["HAIDANG_SENSOR"]
HERE = os.path.dirname(os.path.abspath(__file__))
MiB = 1 << 20
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def asan():
    r = subprocess.run(["ldd", SENSOR], capture_output=True, text=True)
    return "libasan" in r.stdout


def run(gen, opts):
    """The sensor over gen's output on stdin: (last stats, flow events,
    peak RSS in bytes, seconds)."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as err:
        g = subprocess.Popen([sys.executable, os.path.join(HERE, gen[0])] + gen[1:],
                             stdout=subprocess.PIPE)
        s = subprocess.Popen([SENSOR, "-r", "-", "--eve", "-", "--no-progress",
                              "--workers", "2", "--log-level", "warning"] + opts,
                             stdin=g.stdout, stdout=subprocess.PIPE, stderr=err)
        g.stdout.close()
        last, flows = None, 0
        for line in s.stdout:
            if b'"event_type":"flow"' in line:
                flows += 1
            elif b'"event_type":"stats"' in line:
                last = line
        _, status, ru = os.wait4(s.pid, 0)
        s.returncode = os.waitstatus_to_exitcode(status)
        g.wait()
        secs = time.monotonic() - t0
        err.seek(0)
        msg = err.read().decode("utf-8", "replace")
    what = " ".join(gen + opts)
    check(g.returncode == 0, f"generator exits 0 ({what})")
    check(s.returncode == 0, f"sensor exits 0 ({what})" + ("" if s.returncode == 0 else "\n" + msg))
    st = json.loads(last)["stats"] if last else {}
    rss = ru.ru_maxrss * 1024
    print(f"     {what}: {secs:.1f} s, peak RSS {rss / MiB:.1f} MiB", flush=True)
    return st, flows, rss, secs


def case_flows():
    n = int(os.environ.get("HAIDANG_BOUNDS_FLOWS", "2000000"))
    cap, big = 32 * MiB, 128 * MiB
    no_rss = asan()
    _, _, base, _ = run(["make_syn_flood.py", "0"], ["--flow-memcap", "32M"])
    print(f"     no traffic: peak RSS {base / MiB:.1f} MiB")
    st, nflow, rss, secs = run(["make_syn_flood.py", str(n)], ["--flow-memcap", "32M"])
    f = st.get("flow", {})
    check(st.get("decoder", {}).get("pkts") == n, f"{n} packets decoded")
    check(f.get("created") == n, f"{n} flows created: {f.get('created')}")
    check(nflow == n, f"{n} flow events written: {nflow}")
    check(0 < f.get("limit", 0) < n, f"the 32M cap allows fewer flows than sent: limit {f.get('limit')}")
    check(f.get("max_active", n) <= f.get("limit", 0),
          f"max_active {f.get('max_active')} <= limit {f.get('limit')}")
    # no flow times out within the capture's 2 s: all but those still
    # held at the end were evicted
    check(f.get("evicted", 0) > 0 and f.get("evicted") + f.get("max_active", 0) == n,
          f"evicted {f.get('evicted')} + max_active {f.get('max_active')} == {n}")
    if no_rss:
        print("skip peak RSS checks: AddressSanitizer build")
    else:
        bound = base + cap * 1.2
        check(rss <= bound, f"peak RSS {rss / MiB:.1f} MiB <= no-traffic {base / MiB:.1f} MiB"
              f" + 1.2 x 32 MiB = {bound / MiB:.1f} MiB")
    st2, _, rss2, _ = run(["make_syn_flood.py", str(n)], ["--flow-memcap", "128M"])
    f2 = st2.get("flow", {})
    check(f2.get("created") == n, f"128M: {n} flows created")
    check(f2.get("limit", 0) > f.get("limit", 0), f"128M: a larger limit {f2.get('limit')}")
    check(f2.get("max_active", n) <= f2.get("limit", 0), "128M: max_active <= limit")
    check(0 < f2.get("evicted", 0) < f.get("evicted", 0),
          f"128M: fewer evictions {f2.get('evicted')} < {f.get('evicted')}")
    if not no_rss:
        bound = base + big * 1.2
        check(rss2 <= bound, f"128M: peak RSS {rss2 / MiB:.1f} MiB <= {bound / MiB:.1f} MiB")


def case_streams():
    nflows, size, window = 200, 2 * MiB, 128
    low = ["--stream-depth", "256K", "--stream-memcap", "1M"]
    no_rss = asan()
    gen_inorder = ["make_transfers.py", str(nflows), str(size), "1"]
    gen = ["make_transfers.py", str(nflows), str(size), str(window)]

    # the reference: the same transfers in order, so nothing is buffered
    st, _, ref, _ = run(gen_inorder, low)
    s = st.get("stream", {})
    check(st.get("flow", {}).get("created") == nflows, f"in order: {nflows} flows")
    check(s.get("depth_reached") == nflows and s.get("memcap_drops") == 0
          and s.get("out_of_order") == 0,
          f"in order: every client direction cut at 256K, nothing buffered: {s}")

    st, _, rss, _ = run(gen, low)
    s = st.get("stream", {})
    check(s.get("depth_reached") == nflows,
          f"depth 256K: reached in all {nflows} flows: {s.get('depth_reached')}")
    check(s.get("bytes", 1 << 62) <= nflows * 256 * 1024,
          f"depth 256K: at most 256 KiB a flow delivered: {s.get('bytes')}")
    check(s.get("memcap_drops", 0) > 0 and s.get("gaps", 0) >= s.get("memcap_drops", 0),
          f"memcap 1M: drops counted and each skipped as a gap: {s.get('memcap_drops')}"
          f" drops, {s.get('gaps')} gaps")
    st, _, rss_high, _ = run(gen, ["--stream-depth", "0"])
    s = st.get("stream", {})
    check(s.get("depth_reached") == 0 and s.get("memcap_drops") == 0 and s.get("gaps") == 0,
          f"no depth, default memcap: no cap hit, no gap: {s}")
    check(s.get("bytes") == nflows * size, f"no depth: all {nflows * size} bytes delivered")
    check(s.get("out_of_order", 0) >= nflows * (size // 1400) // 2,
          f"the capture is mostly out of order: {s.get('out_of_order')} segments")
    if no_rss:
        print("skip peak RSS checks: AddressSanitizer build")
        return
    bound = (ref + MiB) * 1.2
    check(rss <= bound, f"capped: peak RSS {rss / MiB:.1f} MiB <= (in order {ref / MiB:.1f}"
          f" MiB + 1 MiB memcap) x 1.2 = {bound / MiB:.1f} MiB")
    # what the cap saved: uncapped, the same capture holds far more
    check(rss_high >= rss + 10 * MiB,
          f"uncapped: peak RSS {rss_high / MiB:.1f} MiB >= capped + 10 MiB")


CASES = {"flows": case_flows, "streams": case_streams}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: check_bounds.py " + "|".join(CASES))
    CASES[sys.argv[1]]()
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        sys.exit(1)
