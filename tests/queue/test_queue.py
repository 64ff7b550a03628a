#!/usr/bin/env python3
"""test_queue.py CASE - the sensor publishing into a real redis-server, and
haidang-triage reading it back (docs/queue.md).

Cases:
  ingest     every incident of the repo's detection captures is one ticket
             with the sensor's count; a second run adds to the same tickets;
             analysts' fields are never overwritten; triage list/show agree
  outage     Redis stopped for 10 s while the sensor reads: every incident
             present exactly once, with its count
  sigkill    the sensor SIGKILLed with a full spool, then restarted: nothing
             lost, nothing counted twice
  sentinel   master killed mid-capture: the sensor follows the failover
  tls        rediss:// with the test CA works; a wrong CA is refused
  acl        add-sensor/add-analyst: a sensor's credentials cannot read or
             change tickets; only admin reconfigures or flushes
  heartbeat  sensors shows a reporting sensor, then a silent one
  refuse     Redis refuses writes (NOREPLICAS) for a while: spooled, replayed
  slow       Redis stalls past the timeout (SIGSTOP): spooled, replayed
  diskfull   Redis down and the spool's file system full (a private tmpfs;
             root only): one error, capture goes on, what cannot be kept is
             counted as lost; room again and Redis back: everything kept is
             delivered
"""
import ctypes
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from ready import ReadySensor  # noqa: E402
from pcapgen import PCAP_HEADER, dns_query  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redisenv  # noqa: E402

SENSOR = os.environ.get("HAIDANG_SENSOR", "build/sensor/haidang-sensor")
TRIAGE = os.environ.get("HAIDANG_TRIAGE", "build/triage/haidang-triage")
SRC = os.environ.get("HAIDANG_SRC", ".")
DATA = os.path.join(SRC, "tests", "data", "detect")
CAPTURES = ["c2-beacon.pcap", "two-hosts.pcap", "portscan.pcap", "bruteforce.pcap",
            "dns-tunnel.pcap", "download.pcap", "webshell.pcap"]
AGENCY = "Sở Tài chính tỉnh"
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures += 1


def rules_dir(tmp):
    """the detection captures' own indicators with the repo's YARA and policy"""
    d = os.path.join(tmp, "rules")
    shutil.copytree(os.path.join(DATA, "rules"), d)
    shutil.copytree(os.path.join(SRC, "rules", "yara"), os.path.join(d, "yara"))
    shutil.copy(os.path.join(SRC, "rules", "policy.conf"), d)
    return d


def records(name):
    raw = open(os.path.join(DATA, name), "rb").read()
    return raw[:24], raw[24:]


def parts(n):
    """the detection captures as one pcap stream, cut into n parts"""
    header, body = None, b""
    for c in CAPTURES:
        h, r = records(c)
        header = header or h
        body += r
    cuts, off, recs = [], 0, []
    while off + 16 <= len(body):
        end = off + 16 + int.from_bytes(body[off + 8:off + 12], "little")
        recs.append(body[off:end])
        off = end
    size = (len(recs) + n - 1) // n
    for i in range(n):
        cuts.append(b"".join(recs[i * size:(i + 1) * size]))
    return header, cuts


def groups(*names_per_part):
    """the captures as one pcap stream, in parts of the named captures"""
    header, out = None, []
    for names in names_per_part:
        body = b""
        for c in names:
            h, r = records(c)
            header = header or h
            body += r
        out.append(body)
    return header, out


def sensor(tmp, url, extra=(), stdin=True, name="s1", spool=None, rules=None):
    args = [SENSOR, "-r", "-", "--eve", os.path.join(tmp, f"eve-{name}.json"), "--no-progress",
            "--rules", rules or rules_dir_cached(tmp), "--home-net", "10.88.0.0/16", "--workers", "2",
            "--redis", url, "--spool", spool or os.path.join(tmp, f"spool-{name}"),
            "--agency", AGENCY, "--sensor-id", name, "--heartbeat", "1",
            "--redis-timeout", "500", *extra]
    err = open(os.path.join(tmp, f"err-{name}.txt"), "a", encoding="utf-8")
    return ReadySensor(args, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stderr=err)


_rules = {}


def rules_dir_cached(tmp):
    if tmp not in _rules:
        _rules[tmp] = rules_dir(tmp)
    return _rules[tmp]


def run_all(tmp, url, name="s1", extra=(), spool=None):
    p = sensor(tmp, url, extra, name=name, spool=spool)
    header, cuts = parts(1)
    p.stdin.write(header + cuts[0])
    p.stdin.close()
    rc = p.wait(timeout=120)
    check(rc == 0, f"sensor {name} exited 0 (status {rc}): {stderr(tmp, name)[-400:]}")
    return p


def stderr(tmp, name="s1"):
    try:
        return open(os.path.join(tmp, f"err-{name}.txt"), encoding="utf-8").read()
    except OSError:
        return ""


def eve_incidents(tmp, name="s1"):
    """id -> the highest count the sensor wrote for it, over its runs"""
    out = {}
    path = os.path.join(tmp, f"eve-{name}.json")
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        e = json.loads(line)
        if e["event_type"] == "incident":
            i = e["incident"]
            out.setdefault(i["run"], {})
            out[i["run"]][i["id"]] = max(out[i["run"]].get(i["id"], 0), i["count"])
    return out


def expected_counts(tmp, name="s1"):
    """id -> sum over the sensor's runs of each run's final count"""
    total = {}
    for per_id in eve_incidents(tmp, name).values():
        for i, c in per_id.items():
            total[i] = total.get(i, 0) + c
    return total


def triage(url, *args, user=None, pwfile=None, check_rc=True):
    cmd = [TRIAGE, "--redis", url]
    if user:
        cmd += ["--redis-user", user]
    if pwfile:
        cmd += ["--redis-password-file", pwfile]
    r = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60)
    if check_rc and r.returncode != 0:
        check(False, f"triage {' '.join(args)} exit {r.returncode}: {r.stderr}")
    return r


def tickets(url, **kw):
    r = triage(url, "list", "--json", "--limit", "0", **kw)
    try:
        return {t["id"]: t for t in json.loads(r.stdout)}
    except ValueError:
        check(False, f"list --json is JSON: {r.stdout[:200]}")
        return {}


def compare(url, tmp, what, name="s1"):
    want = expected_counts(tmp, name)
    got = tickets(url)
    check(len(want) >= 5, f"{what}: the captures give incidents ({len(want)})")
    check(set(got) == set(want), f"{what}: every incident is one ticket "
          f"(missing {len(set(want) - set(got))}, extra {len(set(got) - set(want))})")
    bad = {i: (got[i]["count"], c) for i, c in want.items() if i in got and got[i]["count"] != c}
    check(not bad, f"{what}: each ticket's count is the sensor's, none counted twice {list(bad.items())[:3]}")
    return got


# ---- cases ----------------------------------------------------------------

def case_ingest():
    env = redisenv.RedisEnv()
    srv = env.unix()
    with tempfile.TemporaryDirectory() as tmp:
        run_all(tmp, srv.url)
        got = compare(srv.url, tmp, "ingest")
        some = next(iter(got.values()), None)
        check(some is not None and some["agency"] == AGENCY and some["agency_key"] == "so-tai-chinh-tinh",
              "ingest: the agency and its key (Vietnamese folded to ASCII)")
        check(all(t["status"] == "new" for t in got.values()), "ingest: new tickets are 'new'")
        # an analyst takes one; the sensor's next run must not undo it
        tid = next(iter(got))
        slug = got[tid]["agency_key"]
        srv.call("HSET", f"hd:{{{slug}}}:case:{tid}", "status", "in_progress", "assignee", "lan",
                 "version", "1")
        run_all(tmp, srv.url)
        got2 = compare(srv.url, tmp, "second run")
        check(len(got2) == len(got), "second run: the same tickets, none added")
        check(got2[tid]["status"] == "in_progress" and got2[tid].get("assignee") == "lan",
              "second run: the analyst's status and assignee are untouched")
        check(all(got2[i]["count"] == 2 * got[i]["count"] for i in got),
              "second run: counts add up across sensor runs")
        # show agrees, by a unique prefix
        r = triage(srv.url, "show", tid[:10], "--json")
        try:
            s = json.loads(r.stdout)
        except ValueError:
            s = {}
        check(s.get("id") == tid and isinstance(s.get("evidence"), list) and s["evidence"],
              "show: the ticket by its id prefix, with its evidence")
        check(len(s.get("history", [])) == 1 and s["history"][0]["action"] == "created"
              and s["history"][0]["who"] == "sensor:s1", "show: the history starts with the sensor's creation")
        r = triage(srv.url, "show", "ffffffffff", check_rc=False)
        check(r.returncode == 1 and "no incident" in r.stderr, "show: an unknown id is refused clearly")
        r = triage(srv.url, "list", "--severity", "high", "--json")
        high = json.loads(r.stdout or "[]")
        check(all(t["severity"] == "high" for t in high) and
              len(high) == sum(1 for t in got2.values() if t["severity"] == "high"),
              "list --severity filters")
        lst = json.loads(triage(srv.url, "list", "--json").stdout or "[]")
        ranks = ["none", "low", "medium", "high", "critical"]
        keys = [(ranks.index(t["severity"]), t["score"]) for t in lst]
        check(keys == sorted(keys, reverse=True), "list: most urgent first")


def case_outage():
    env = redisenv.RedisEnv()
    srv = env.tcp(extra=["appendonly yes", "appendfsync always"])
    with tempfile.TemporaryDirectory() as tmp:
        p = sensor(tmp, srv.url)
        header, cuts = parts(3)
        p.stdin.write(header + cuts[0])
        p.stdin.flush()
        time.sleep(2)
        srv.stop()
        t0 = time.monotonic()
        p.stdin.write(cuts[1])
        p.stdin.flush()
        time.sleep(10)
        srv.restart()
        down = time.monotonic() - t0
        p.stdin.write(cuts[2])
        p.stdin.close()
        rc = p.wait(timeout=120)
        check(rc == 0, f"outage: the sensor ran through a {down:.0f} s outage and exited 0 ({rc})")
        err = stderr(tmp)
        check("incidents go to the spool" in err, "outage: the outage was noticed and logged")
        compare(srv.url, tmp, "outage")
        st = last_stats(tmp)
        check(st.get("spooled", 0) > 0 and st.get("replayed", 0) == st.get("spooled", -1),
              f"outage: what was spooled was replayed ({st.get('spooled')} / {st.get('replayed')})")
        check(st.get("spool_records", 1) == 0 and st.get("lost", 1) == 0,
              "outage: the spool is empty at exit, nothing lost")


def outage_by(what, stop, start):
    """Redis refuses or stalls while the second third of the captures is
    read; every incident must still be there once, from the spool."""
    env = redisenv.RedisEnv()
    srv = env.unix()
    with tempfile.TemporaryDirectory() as tmp:
        # one thread, packets processed as they are read, and in the middle
        # the captures whose incidents are raised while reading (indicator
        # and YARA matches), so they arrive while Redis is unwell
        p = sensor(tmp, srv.url, extra=["--workers", "1"])
        header, cuts = groups(["c2-beacon.pcap"], ["two-hosts.pcap", "dns-tunnel.pcap", "webshell.pcap"],
                              ["portscan.pcap", "bruteforce.pcap", "download.pcap"])
        p.stdin.write(header + cuts[0])
        p.stdin.flush()
        time.sleep(2)
        stop(srv)
        p.stdin.write(cuts[1])
        p.stdin.flush()
        time.sleep(3)
        start(srv)
        time.sleep(1)
        p.stdin.write(cuts[2])
        p.stdin.close()
        rc = p.wait(timeout=120)
        check(rc == 0, f"{what}: the sensor exited 0 ({rc})")
        compare(srv.url, tmp, what)
        st = last_stats(tmp)
        check(st.get("spooled", 0) > 0 and st.get("replayed", 0) == st.get("spooled", -1),
              f"{what}: what was spooled was replayed ({st.get('spooled')} / {st.get('replayed')})")
        return stderr(tmp)


def case_refuse():
    """Redis answers but refuses writes (NOREPLICAS, as a master that lost
    its replicas does when min-replicas-to-write is set)"""
    err = outage_by("refuse", lambda s: s.call("CONFIG", "SET", "min-replicas-to-write", "1"),
                    lambda s: s.call("CONFIG", "SET", "min-replicas-to-write", "0"))
    check("refuses incidents for now" in err and "NOREPLICAS" in err,
          "refuse: the refusal was logged with Redis's reason")


def case_slow():
    """Redis stops answering (SIGSTOP) for longer than --redis-timeout"""
    err = outage_by("slow", lambda s: s.proc.send_signal(signal.SIGSTOP),
                    lambda s: s.proc.send_signal(signal.SIGCONT))
    check("timed out" in err or "timeout" in err, "slow: the timeout was logged")


def last_stats(tmp, name="s1"):
    st = {}
    for line in open(os.path.join(tmp, f"eve-{name}.json"), encoding="utf-8"):
        if '"event_type":"stats"' in line:
            st = json.loads(line)["stats"].get("queue", {})
    return st


def case_sigkill():
    env = redisenv.RedisEnv()
    srv = env.tcp(extra=["appendonly yes", "appendfsync always"])
    srv.stop()  # Redis is away from the start: everything is spooled
    with tempfile.TemporaryDirectory() as tmp:
        p = sensor(tmp, srv.url)
        header, cuts = parts(1)
        p.stdin.write(header + cuts[0])
        p.stdin.flush()
        spool = os.path.join(tmp, "spool-s1")
        # the sensor has read everything and waits for more input, its
        # incidents so far in the spool: kill it there
        time.sleep(3)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
        segs = [f for f in os.listdir(spool) if f.startswith("spool-")]
        check(bool(segs), f"sigkill: the spool holds the incidents ({segs})")
        want = spooled_counts(spool)
        check(len(want) >= 3, f"sigkill: incidents in the spool at the kill ({len(want)})")
        shutil.copytree(spool, spool + ".copy")
        srv.restart()
        # the next start (no packets) replays the spool
        p = sensor(tmp, srv.url, name="s1")
        p.stdin.write(header)
        p.stdin.close()
        rc = p.wait(timeout=60)
        check(rc == 0, f"sigkill: the restarted sensor exited 0 ({rc})")
        got = tickets(srv.url)
        missing = set(want) - set(got)
        check(not missing, f"sigkill: nothing lost ({len(missing)} missing of {len(want)})")
        bad = {i: (got[i]["count"], c) for i, c in want.items() if i in got and got[i]["count"] != c}
        check(not bad, f"sigkill: nothing counted twice {list(bad.items())[:3]}")
        # a crash after delivery but before the acknowledgement reached the
        # disk delivers the same records again: they must change nothing
        shutil.rmtree(spool)
        shutil.copytree(spool + ".copy", spool)
        p = sensor(tmp, srv.url, name="s1")
        p.stdin.write(header)
        p.stdin.close()
        p.wait(timeout=60)
        again = tickets(srv.url)
        check({i: t["count"] for i, t in again.items()} == {i: t["count"] for i, t in got.items()},
              "sigkill: records delivered a second time change no count")


def spool_segments(spool):
    """Per segment file of the spool, in order: (the JSON bodies of its whole
    records with a good CRC, the bytes after the last of them: a torn tail,
    which the sensor cuts off too). docs/spool.md: a 32-byte header
    ("HDSP", length at 8, CRC-32 at 12 over the header with the CRC zeroed
    and the body), then the incident's JSON."""
    import zlib
    for f in sorted(os.listdir(spool)):
        if not f.startswith("spool-"):
            continue
        data = open(os.path.join(spool, f), "rb").read()
        bodies, off = [], 0
        while off + 32 <= len(data) and data[off:off + 4] == b"HDSP":
            n = int.from_bytes(data[off + 8:off + 12], "little")
            hdr = data[off:off + 12] + b"\0\0\0\0" + data[off + 16:off + 32]
            body = data[off + 32:off + 32 + n]
            if len(body) < n or zlib.crc32(hdr + body) != int.from_bytes(data[off + 12:off + 16], "little"):
                break
            bodies.append(body)
            off += 32 + n
        yield bodies, len(data) - off


def spooled_counts(spool):
    """id -> sum over sensor runs of each run's highest count, read from
    the spool's segment files"""
    per_run = {}
    for bodies, _ in spool_segments(spool):
        for body in bodies:
            i = json.loads(body)["incident"]
            per_run.setdefault(i["run"], {})
            per_run[i["run"]][i["id"]] = max(per_run[i["run"]].get(i["id"], 0), i["count"])
    total = {}
    for per_id in per_run.values():
        for i, c in per_id.items():
            total[i] = total.get(i, 0) + c
    return total


def case_sentinel():
    env = redisenv.RedisEnv()
    master, replica, sent = env.sentinel_trio("haidang")
    with tempfile.TemporaryDirectory() as tmp:
        p = sensor(tmp, sent.url_for("haidang"))
        header, cuts = parts(2)
        p.stdin.write(header + cuts[0])
        p.stdin.flush()
        time.sleep(3)
        # asynchronous replication: let the replica catch up before the kill
        master.call("WAIT", 1, 5000)
        master.kill()
        redisenv.wait_until(lambda: sent.call("SENTINEL", "get-master-addr-by-name", "haidang")[1]
                            == str(replica.port), 30, "the sentinel to promote the replica")
        p.stdin.write(cuts[1])
        p.stdin.close()
        rc = p.wait(timeout=120)
        check(rc == 0, f"sentinel: the sensor exited 0 ({rc})")
        check(str(replica.port) in stderr(tmp), "sentinel: the sensor reconnected to the promoted replica")
        compare(replica.url, tmp, "sentinel")


def case_tls():
    env = redisenv.RedisEnv()
    c = env.certs()
    srv = env.tls()
    with tempfile.TemporaryDirectory() as tmp:
        # by address, with the certificate's name sent and checked as SNI
        # (a minimal system may not resolve "localhost")
        url = f"rediss://127.0.0.1:{srv.tls_port}"
        run_all(tmp, url, extra=["--redis-ca", c.ca, "--redis-sni", "localhost"])
        r = subprocess.run([TRIAGE, "--redis", url, "--redis-ca", c.ca, "--redis-sni", "localhost",
                            "list", "--json", "--limit", "0"],
                           capture_output=True, text=True, timeout=60)
        got = json.loads(r.stdout or "[]")
        want = expected_counts(tmp)
        check({t["id"]: t["count"] for t in got} == want and want,
              f"tls: every incident arrived over rediss:// ({len(got)}/{len(want)})")
        r = subprocess.run([TRIAGE, "--redis", url, "--redis-ca", c.other_ca, "list"],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 2 and "certificate verify failed" in r.stderr,
              f"tls: a wrong CA is refused clearly ({r.stderr.strip()[:120]})")


def case_acl():
    env = redisenv.RedisEnv()
    srv = env.tcp()
    with tempfile.TemporaryDirectory() as tmp:
        def add(*args):
            r = triage(srv.url, "admin", *args)
            lines = r.stdout.splitlines()
            pw = next((l for l in lines if len(l) == 48 and all(ch in "0123456789abcdef" for ch in l)), "")
            f = os.path.join(tmp, f"{args[1]}.pass")
            with open(f, "w") as fh:
                fh.write(pw + "\n")
            os.chmod(f, 0o600)
            return pw, f, r.stdout
        spw, sfile, out = add("add-sensor", "s-stc", "--agency", AGENCY)
        check(len(spw) == 48 and "redis-password-file" in out, "acl: add-sensor prints a password and the config")
        apw, afile, _ = add("add-analyst", "lan")
        # the sensor publishes with its own credentials
        run_all(tmp, srv.url, extra=["--redis-user", "s-stc", "--redis-password-file", sfile])
        got = tickets(srv.url, user="lan", pwfile=afile)
        want = expected_counts(tmp)
        check(set(got) == set(want) and want, f"acl: the sensor's user delivers everything ({len(got)}/{len(want)})")
        tid = next(iter(got), "0" * 32)
        slug = "so-tai-chinh-tinh"

        def refused(user, pw, *cmd):
            try:
                srv.call(*cmd, user=user, password=pw)
                return False
            except redisenv.ReplyError as e:
                return "NOPERM" in str(e)
        s = ("s-stc", spw)
        check(refused(*s, "HGETALL", f"hd:{{{slug}}}:case:{tid}"), "acl: a sensor cannot read a ticket's case")
        check(refused(*s, "HSET", f"hd:{{{slug}}}:case:{tid}", "status", "resolved"),
              "acl: a sensor cannot change a ticket's status")
        check(refused(*s, "LRANGE", f"hd:{{{slug}}}:hist:{tid}", "0", "-1"), "acl: a sensor cannot read history")
        check(refused(*s, "ZRANGE", f"hd:{{{slug}}}:idx:urgent", "0", "-1"), "acl: a sensor cannot list tickets")
        check(refused(*s, "DEL", f"hd:{{{slug}}}:det:{tid}"), "acl: a sensor cannot delete")
        check(refused(*s, "HGETALL", f"hd:{{other-agency}}:det:{tid}"), "acl: a sensor cannot read another agency")
        for c in (["FLUSHALL"], ["FLUSHDB"], ["CONFIG", "GET", "*"], ["KEYS", "*"], ["SHUTDOWN"],
                  ["ACL", "LIST"]):
            check(refused(*s, *c), f"acl: a sensor cannot {' '.join(c[:2])}")
            check(refused("lan", apw, *c), f"acl: an analyst cannot {' '.join(c[:2])}")
        # DEBUG and MODULE are off for everyone in a default server: ask the ACL itself
        for c in (["DEBUG", "SLEEP", "0"], ["MODULE", "LIST"]):
            for u in ("s-stc", "lan"):
                r = srv.call("ACL", "DRYRUN", u, *c)
                check(r != "OK", f"acl: {u} may not {c[0]} ({r})")
        check(refused("lan", apw, "DEL", f"hd:{{{slug}}}:det:{tid}"), "acl: an analyst cannot delete a ticket")
        check(not refused("lan", apw, "HSET", f"hd:{{{slug}}}:case:{tid}", "status", "triaged"),
              "acl: an analyst can update a ticket")
        check(srv.call("CONFIG", "GET", "maxmemory") is not None, "acl: admin still can")


def case_heartbeat():
    env = redisenv.RedisEnv()
    srv = env.unix()
    with tempfile.TemporaryDirectory() as tmp:
        p = sensor(tmp, srv.url)
        header, cuts = parts(1)
        p.stdin.write(header + cuts[0])
        p.stdin.flush()
        time.sleep(2.5)

        def state():
            r = triage(srv.url, "sensors", "--json")
            s = {x["sensor"]: x for x in json.loads(r.stdout or "[]")}
            return s.get("s1", {})
        s = state()
        check(s.get("state") == "ok" and int(s.get("packets", 0)) > 0 and s.get("agency") == AGENCY,
              f"heartbeat: a running sensor reports ({s.get('state')}, {s.get('packets')} packets)")
        check(all(k in s for k in ("version", "rules_generation", "uptime_s", "capture_drops",
                                   "flows", "incidents_sent", "spool_records")),
              "heartbeat: version, rules, uptime, drops, flows, incidents sent, spool depth")
        p.stdin.close()
        p.wait(timeout=60)
        redisenv.wait_until(lambda: state().get("state") == "silent", 10, "the heartbeat to expire")
        check(state().get("state") == "silent", "heartbeat: a sensor that stopped shows as silent")


# ---- a full disk ------------------------------------------------------------

def private_tmpfs(path, size):
    """Mounts a tmpfs of size bytes on path, in a mount namespace of this
    test process's own (so nothing shows outside it, and it goes away with
    the process); the sensor, a child, inherits it. Skips unless root and
    allowed to mount. Call it before any thread is started."""
    if os.geteuid() != 0:
        redisenv.skip("diskfull needs root, to mount a small tmpfs in a private mount namespace")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                           ctypes.c_char_p]
    clone_newns, ms_rec, ms_private = 0x20000, 0x4000, 0x40000
    if libc.unshare(clone_newns) != 0:
        redisenv.skip(f"cannot make a mount namespace: {os.strerror(ctypes.get_errno())}")
    if libc.mount(b"none", b"/", None, ms_rec | ms_private, None) != 0:
        redisenv.skip(f"cannot make mounts private: {os.strerror(ctypes.get_errno())}")
    if libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, f"size={size},mode=0700".encode()) != 0:
        redisenv.skip(f"cannot mount a tmpfs: {os.strerror(ctypes.get_errno())}")

    def umount():
        libc.umount2(path.encode(), 2)  # MNT_DETACH
    return umount


def fill(path):
    """Writes path until the file system is full; returns the bytes written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    n = 0
    try:
        for chunk in (1 << 16, 4096, 512, 1):
            while True:
                try:
                    n += os.write(fd, b"\0" * chunk)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return n


def spool_file_records(spool):
    """(whole records with a good CRC, bytes after the last of them) in the
    spool's segment files"""
    n = stray = 0
    for bodies, tail in spool_segments(spool):
        n += len(bodies)
        stray += tail
    return n, stray


def stats_events(tmp, name="s1"):
    out = []
    for line in open(os.path.join(tmp, f"eve-{name}.json"), encoding="utf-8"):
        if '"event_type":"stats"' in line:
            out.append(json.loads(line)["stats"])
    return out


def snapshot(p, tmp):
    """The stats event the sensor writes on SIGUSR1."""
    n = len(stats_events(tmp))
    p.ensure_ready()            # SIGUSR1 before the handler is up would end it
    p.send_signal(signal.SIGUSR1)
    redisenv.wait_until(lambda: len(stats_events(tmp)) > n, 10, "a stats event after SIGUSR1")
    return stats_events(tmp)[-1]


def case_diskfull():
    """Redis is down, so every incident goes to the spool; the spool's file
    system (a 2 MiB tmpfs) is filled up for a while. 4 phases of 100 DNS
    queries, each for an indicator of its own (one incident, one record
    each), paced over a second: 1 spooled; 2 the disk full: the sensor says
    so once, goes on capturing and counts what it cannot keep; 3 room
    again: spooled again; 4 Redis back: everything kept is delivered."""
    tmp = tempfile.mkdtemp(prefix="haidang-diskfull-")
    fsdir = os.path.join(tmp, "fs")
    os.makedirs(fsdir)
    umount = private_tmpfs(fsdir, 2 << 20)
    env = redisenv.RedisEnv()
    srv = env.tcp(extra=["appendonly yes", "appendfsync always"])
    srv.stop()
    per = 100
    names = [[f"hd-c2-{ph}{i:03d}.example" for i in range(per)] for ph in range(4)]
    rules = os.path.join(tmp, "rules")
    os.makedirs(os.path.join(rules, "ioc"))
    shutil.copy(os.path.join(SRC, "rules", "policy.conf"), rules)
    with open(os.path.join(rules, "ioc", "diskfull.csv"), "w", encoding="utf-8") as f:
        f.write("type,value,severity,source,description\n")
        for n in sum(names, []):
            f.write(f"domain,{n},high,diskfull-test,one incident per name\n")
    spool = os.path.join(fsdir, "spool")
    try:
        p = sensor(tmp, srv.url, extra=["--workers", "1"], spool=spool, rules=rules)
        p.stdin.write(PCAP_HEADER)
        port = [40000]

        def feed(phase):
            t0 = time.monotonic()
            for n in names[phase]:
                p.stdin.write(dns_query(n, port[0], time.time()))
                p.stdin.flush()
                port[0] += 1
                time.sleep(0.01)
            return time.monotonic() - t0

        def queue_settled(want):
            st = snapshot(p, tmp)
            q = st.get("queue", {})
            return st if q.get("submitted") == want and q.get("spooled", 0) + q.get("lost", 0) \
                + q.get("sent", 0) == want else None

        feed(0)
        s1 = redisenv.wait_until(lambda: queue_settled(per), 20, "phase 1 in the spool")
        check(s1["queue"]["spooled"] == per and s1["queue"]["lost"] == 0,
              f"diskfull: phase 1, Redis down: {per} incidents spooled ({s1['queue']['spooled']})")

        filler = os.path.join(fsdir, "filler")
        nfill = fill(filler)
        dt = feed(1)
        s2 = redisenv.wait_until(lambda: queue_settled(2 * per), 20, "phase 2 handled")
        q2 = s2["queue"]
        lost2 = q2["lost"]
        kept2 = q2["spooled"] - per
        print(f"     phase 2: filler {nfill} bytes; {per} incidents in {dt:.1f} s: {kept2} kept (the "
              f"spool file's last page), {lost2} lost; packets {s1['decoder']['pkts']} -> "
              f"{s2['decoder']['pkts']}", flush=True)
        check(lost2 >= per - 5 and kept2 + lost2 == per,
              f"diskfull: phase 2, disk full: the records that do not fit are counted lost ({lost2} of {per})")
        check(s2["decoder"]["pkts"] == 2 * per and s2["detect"]["incidents_created"] == 2 * per,
              f"diskfull: capture and detection go on meanwhile ({s2['decoder']['pkts']} packets, "
              f"{s2['detect']['incidents_created']} incidents)")
        check(s2["queue"]["spool_writable"] is False, "diskfull: the stats say the spool is not writable")
        err = stderr(tmp)
        full = [l for l in err.splitlines() if "cannot keep incidents" in l]
        check(len(full) == 1 and spool in full[0] and "ENOSPC" in full[0]
              and "No space left on device" in full[0],
              f"diskfull: one error line naming the spool and ENOSPC ({len(full)}: {full[:1]})")

        nrec, torn = spool_file_records(spool)
        check(nrec == per + kept2 and torn == 0,
              f"diskfull: the failed appends left no partial record ({nrec} whole records, {torn} stray bytes)")

        os.unlink(filler)
        feed(2)
        s3 = redisenv.wait_until(lambda: queue_settled(3 * per), 20, "phase 3 in the spool")
        q3 = s3["queue"]
        check(q3["spooled"] - per - kept2 == per and q3["lost"] == lost2 and q3["spool_writable"] is True,
              f"diskfull: phase 3, room again: all {per} spooled again ({q3['spooled'] - per - kept2}), "
              f"no more lost")
        err = stderr(tmp)
        back = [l for l in err.splitlines() if "writable again" in l]
        check(len(back) == 1 and f"{lost2} incident record(s) could not be kept" in back[0],
              f"diskfull: the recovery is logged once with the count lost ({back[:1]})")
        check(len([l for l in err.splitlines() if "cannot keep incidents" in l]) == 1,
              "diskfull: still one error line for the whole episode")
        spooled = q3["spooled"]

        srv.restart()
        t0 = time.monotonic()
        feed(3)
        want_names = set(names[0]) | set(names[2]) | set(names[3])

        def delivered():
            got = {t["indicator"][4:] for t in tickets(srv.url).values()
                   if t["indicator"].startswith("ioc:")}
            return got if want_names <= got else None
        got = redisenv.wait_until(delivered, 90, "every kept incident in Redis")
        waited = time.monotonic() - t0
        s4 = snapshot(p, tmp)
        q4 = s4["queue"]
        phase2_in = set(names[1]) & got
        print(f"     phase 4: Redis back; everything kept was in Redis {waited:.1f} s later; "
              f"queue {json.dumps({k: q4[k] for k in ('submitted', 'sent', 'spooled', 'replayed', 'lost')})}",
              flush=True)
        check(len(got) == 4 * per - lost2 and len(phase2_in) == kept2,
              f"diskfull: Redis holds every incident kept ({len(got)} = {4 * per} - {lost2} lost), "
              f"and of phase 2 only the {kept2} kept")
        check(q4["spooled"] >= spooled and q4["replayed"] == q4["spooled"] and q4["spool_records"] == 0
              and q4["sent"] + q4["lost"] == 4 * per,
              f"diskfull: every spooled record was replayed ({q4['replayed']} of {q4['spooled']}), "
              f"the spool is empty, sent + lost = {4 * per}")

        def heartbeat():
            for x in json.loads(triage(srv.url, "sensors", "--json").stdout or "[]"):
                if x["sensor"] == "s1" and x.get("incidents_lost") == str(q4["lost"]):
                    return x
            return None
        hb = redisenv.wait_until(heartbeat, 10, "a heartbeat with the loss")
        check(hb.get("incidents_lost") == str(lost2) and hb.get("spool_writable") == "1",
              f"diskfull: the heartbeat reports the loss ({hb.get('incidents_lost')}) and a writable spool")
        p.stdin.close()
        rc = p.wait(timeout=60)
        err = stderr(tmp)
        check(rc == 1 and f"queue: {lost2} incidents lost" in err,
              f"diskfull: the exit status (1) and the last line say incidents were lost ({rc})")
    finally:
        umount()
        shutil.rmtree(tmp, ignore_errors=True)


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit("usage: test_queue.py " + "|".join(CASES))
    CASES[sys.argv[1]]()
    sys.exit(1 if failures else 0)
