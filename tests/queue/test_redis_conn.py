#!/usr/bin/env python3
"""test_redis_conn.py - common/redis.c against real redis-server instances,
through tests/queue/redis_probe (path in $HAIDANG_REDIS_PROBE).

Checks what a user of any haidang program would: every URL kind connects,
the database is selected, ACL users and passwords (URL, file, environment)
work and bad ones fail with the server's words, TLS verifies the CA and the
host name or IP address and can present a client certificate, Sentinel
finds the master and a reconnect follows a failover, 10,000 pipelined
commands come back in order, and bad URLs, refused connections, timeouts
and hostile replies give clear errors instead of crashes.
"""
import os
import signal
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redisenv  # noqa: E402

PROBE = os.environ.get("HAIDANG_REDIS_PROBE", "")
FAILS = []



def resolves(name):
    try:
        socket.getaddrinfo(name, None)
        return True
    except OSError:
        return False

def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        if detail:
            print("     " + detail.replace("\n", "\n     "))
        FAILS.append(what)


def probe(*args, env=None, timeout=30):
    """(exit status, stdout, stderr) of redis_probe ARGS."""
    r = subprocess.run([PROBE, *args], capture_output=True, text=True, timeout=timeout,
                       env=env)
    if "Sanitizer" in r.stderr or "runtime error:" in r.stderr:
        check(False, f"sanitizer report from redis_probe {' '.join(args)}", r.stderr[-2000:])
    return r.returncode, r.stdout, r.stderr


def expect_ok(what, args, want_out, env=None):
    rc, out, err = probe(*args, env=env)
    check(rc == 0 and want_out in out, what,
          f"exit {rc}, stdout {out!r}, stderr {err!r}, wanted {want_out!r} in stdout")
    return out


def expect_err(what, args, want_err, env=None, rc_want=1):
    rc, out, err = probe(*args, env=env)
    check(rc == rc_want and want_err.lower() in err.lower(), what,
          f"exit {rc} (want {rc_want}), stdout {out!r}, stderr {err!r}, wanted {want_err!r}")
    return err


class FakeServer:
    """A unix socket that answers the first command with canned bytes: for
    replies no real server sends (hostile, truncated, silent)."""

    def __init__(self, path, answer, close_after=True):
        self.path = path
        self.answer = answer
        self.close_after = close_after
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            try:
                conn.recv(65536)
                if self.answer:
                    conn.sendall(self.answer)
                if not self.close_after:
                    conn.recv(1)  # hold the line until the client gives up
            except OSError:
                pass

    def close(self):
        self.sock.close()
        self.thread.join(5)
        os.unlink(self.path)


def test_plain(env):
    u = env.unix()
    expect_ok("unix socket: PING", [u.url, "PING"], "PONG")
    expect_ok("unix socket: SET then GET", [u.url, "SET", "k", "v1"], "OK")
    expect_ok("unix socket: GET", [u.url, "GET", "k"], "v1")
    expect_ok("unix socket: ?db=3 selects database 3", [u.url + "?db=3", "CLIENT", "INFO"],
              " db=3 ")
    expect_ok("unix socket: --peer names the socket", ["--peer", u.url, "PING"],
              f"peer {u.sock}")

    t = env.tcp()
    expect_ok("TCP: PING", [t.url, "PING"], "PONG")
    expect_ok("TCP: /5 selects database 5", [t.url + "/5", "CLIENT", "INFO"], " db=5 ")
    expect_err("TCP: a database out of range is the server's error",
               [t.url + "/99", "PING"], f"redis: SELECT: ERR DB index is out of range (127.0.0.1:{t.port})")
    expect_ok("TCP: default database 0", [t.url, "CLIENT", "INFO"], " db=0 ")
    if resolves("localhost"):
        expect_ok("TCP: localhost resolves", [f"redis://localhost:{t.port}", "PING"], "PONG")
    else:  # a minimal system (a fresh debootstrap) may have no /etc/hosts
        print("skip TCP: localhost resolves (this system cannot resolve 'localhost')")
    rc, out, err = probe(t.url, "NOSUCHCOMMAND")
    check(rc == 2 and out.startswith("(error) ERR unknown command") and not err,
          "TCP: an error reply is a reply (exit 2), not an I/O error", f"{rc} {out!r} {err!r}")
    expect_ok("TCP: binary-safe arguments", [t.url, "ECHO", "a b\tc"], "a b\tc")
    expect_ok("TCP: 10000 pipelined INCR", ["--pipeline", "10000", t.url], "pipeline 10000 ok")
    expect_ok("unix: 10000 pipelined INCR", ["--pipeline", "10000", u.url], "pipeline 10000 ok")

    big = "x" * (1 << 20)
    t.call("SET", "big", big)
    expect_err("max-reply: a 1 MiB value over a 1000-byte limit is refused",
               ["--max-reply", "1000", t.url, "GET", "big"], "reply larger than 1000 bytes")
    out = expect_ok("max-reply: the default limit takes 1 MiB", [t.url, "STRLEN", "big"],
                    "1048576")
    rc, out, err = probe(t.url, "GET", "big")
    check(rc == 0 and len(out) == (1 << 20) + 1, "a 1 MiB reply arrives whole",
          f"exit {rc}, {len(out)} bytes, {err!r}")

    expect_err("timeout: BLPOP outlives --timeout 300",
               ["--timeout", "300", t.url, "BLPOP", "nothing", "5"], "timeout after 300 ms")

    t.call("SCRIPT", "FLUSH")
    script = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
    expect_ok("script: EVAL fallback after NOSCRIPT",
              ["--script", script, "--numkeys", "1", t.url, "sk", "5"], "5")
    expect_ok("script: EVALSHA once cached",
              ["--script", script, "--numkeys", "1", t.url, "sk", "2"], "7")
    check(t.call("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db") == [0],
          "script: unrelated SHA not cached (sanity)")

    port = redisenv.free_port()
    expect_err("connection refused is named", [f"redis://127.0.0.1:{port}", "PING"],
               f"connect: Connection refused (127.0.0.1:{port})")
    expect_err("unknown host is named", ["redis://no-such-host.invalid:6379", "PING"],
               "cannot resolve 'no-such-host.invalid'")
    expect_err("missing socket is named", ["unix:///nonexistent/redis.sock", "PING"],
               "No such file or directory (/nonexistent/redis.sock)")


def test_auth(env):
    a = env.tcp("acl", users={"alice": "al1ce-pw", "bob": "p@ss:w/rd"})
    expect_ok("ACL: user+password in URL", [f"redis://alice:al1ce-pw@127.0.0.1:{a.port}",
                                           "ACL", "WHOAMI"], "alice")
    expect_ok("ACL: percent-encoded password",
              [f"redis://bob:p%40ss%3Aw%2Frd@127.0.0.1:{a.port}", "ACL", "WHOAMI"], "bob")
    expect_ok("ACL: --user/--password options",
              ["--user", "alice", "--password", "al1ce-pw", a.url, "ACL", "WHOAMI"], "alice")
    expect_err("ACL: wrong password gives WRONGPASS",
               [f"redis://alice:nope@127.0.0.1:{a.port}", "PING"],
               f"redis: AUTH: WRONGPASS")
    expect_err("ACL: the error names the server",
               [f"redis://alice:nope@127.0.0.1:{a.port}", "PING"], f"(127.0.0.1:{a.port})")
    expect_err("ACL: user without password is refused before connecting",
               ["--user", "alice", a.url, "PING"], "without a password")

    p = env.tcp("requirepass", password="s3cret-pw")
    rc, out, err = probe(p.url, "GET", "k")
    check(rc == 2 and "(error) NOAUTH" in out, "requirepass: no password: NOAUTH reply",
          f"{rc} {out!r} {err!r}")
    expect_ok("requirepass: password alone in URL",
              [f"redis://:s3cret-pw@127.0.0.1:{p.port}", "PING"], "PONG")
    pwfile = os.path.join(env.tmp, "redis.pw")
    with open(pwfile, "w") as f:
        f.write("s3cret-pw\n")
    os.chmod(pwfile, 0o644)
    expect_err("password file mode 0644 refused",
               ["--password-file", pwfile, p.url, "PING"],
               "accessible by group or others (mode 0644)")
    os.chmod(pwfile, 0o600)
    expect_ok("password file mode 0600 accepted", ["--password-file", pwfile, p.url, "PING"],
              "PONG")
    expect_ok("password file overrides the URL's password",
              ["--password-file", pwfile, f"redis://:wrong@127.0.0.1:{p.port}", "PING"], "PONG")
    env2 = dict(os.environ, HAIDANG_TEST_REDIS_PW="s3cret-pw")
    expect_ok("password from environment variable",
              ["--password-env", "HAIDANG_TEST_REDIS_PW", p.url, "PING"], "PONG", env=env2)
    expect_err("password env variable unset",
               ["--password-env", "HAIDANG_TEST_UNSET_PW", p.url, "PING"],
               "environment variable HAIDANG_TEST_UNSET_PW")
    expect_err("wrong password (requirepass)", [f"redis://:bad@127.0.0.1:{p.port}", "PING"],
               "WRONGPASS")


def test_tls(env):
    c = env.certs()
    x = env.tls()
    url = x.url
    expect_ok("TLS: PING with the right CA (IP address 127.0.0.1)",
              ["--ca", c.ca, url, "PING"], "PONG")
    expect_ok("TLS: by name (SNI localhost, checked against the certificate)",
              ["--ca", c.ca, "--sni", "localhost", url, "PING"], "PONG")
    if resolves("localhost"):
        expect_ok("TLS: by name (localhost in the URL)",
                  ["--ca", c.ca, f"rediss://localhost:{x.tls_port}", "PING"], "PONG")
    expect_ok("TLS: /2 selects database 2", ["--ca", c.ca, url + "/2", "CLIENT", "INFO"],
              " db=2 ")
    expect_ok("TLS: 10000 pipelined INCR", ["--ca", c.ca, "--pipeline", "10000", url],
              "pipeline 10000 ok")
    expect_err("TLS: wrong CA refused", ["--ca", c.other_ca, url, "PING"],
               "redis: TLS: certificate verify failed: ")
    expect_err("TLS: wrong CA: the message names the server", ["--ca", c.other_ca, url, "PING"],
               f"(127.0.0.1:{x.tls_port})")
    expect_err("TLS: no CA (system store) refused", [url, "PING"],
               "certificate verify failed")
    expect_err("TLS: SNI/name mismatch refused", ["--ca", c.ca, "--sni", "other.example",
                                                  url, "PING"], "hostname mismatch")
    expect_err("TLS: missing CA file named", ["--ca", "/nonexistent/ca.pem", url, "PING"],
               "cannot load CA file /nonexistent/ca.pem")
    expect_err("TLS: plain client to TLS port fails",
               [f"redis://127.0.0.1:{x.tls_port}", "PING"], "if this is a TLS port, use rediss://")

    o = env.tls("other-name", cert="other")
    expect_err("TLS: certificate for another name refused (IP check)",
               ["--ca", c.ca, o.url, "PING"], "IP address mismatch")
    expect_ok("TLS: the same server accepted under its own name",
              ["--ca", c.ca, "--sni", "other.example", o.url, "PING"], "PONG")

    m = env.tls("mtls", auth_clients=True)
    expect_err("TLS: client certificate required, none given",
               ["--ca", c.ca, m.url, "PING"],
               "the server asked for a client certificate and none is configured")
    expect_ok("TLS: client certificate accepted",
              ["--ca", c.ca, "--cert", c.client_crt, "--key", c.client_key, m.url, "PING"],
              "PONG")
    import shutil
    loose = os.path.join(os.path.dirname(c.client_key), "client-loose.key")
    shutil.copy(c.client_key, loose)
    os.chmod(loose, 0o644)
    expect_err("TLS: a client key readable by others is refused",
               ["--ca", c.ca, "--cert", c.client_crt, "--key", loose, m.url, "PING"],
               "is accessible by group or others (mode 0644)")


def test_hostile(env):
    cases = [
        ("huge bulk length, streamed", b"$99999999999\r\n" + b"a" * (2 << 20),
         "reply larger than 1000000 bytes"),
        ("huge bulk length, then close", b"$99999999999\r\nabc",
         "connection closed by the server"),
        ("huge array", b"*2000000000\r\n", "reply larger than"),
        ("nested huge arrays", b"*1000000\r\n" * 7, "reply larger than"),
        ("negative array length", b"*-5\r\n", "redis: "),
        ("bad type byte", b"?what\r\n", "protocol error"),
        ("bad integer", b":12x\r\n", "redis: "),
        ("too deep nesting", b"*1\r\n" * 12 + b":1\r\n", "protocol error"),
        ("closed mid-reply", b"$10\r\nabc", "connection closed by the server"),
        ("closed before reply", b"", "connection closed by the server"),
    ]
    for name, answer, want in cases:
        path = os.path.join(env.tmp, "fake.sock")
        fs = FakeServer(path, answer)
        try:
            rc, out, err = probe("--max-reply", "1000000", f"unix://{path}", "PING", timeout=20)
            check(rc == 1 and want in err,
                  f"hostile reply: {name}: {want}", f"exit {rc}, {out!r}, {err!r}")
        finally:
            fs.close()
    path = os.path.join(env.tmp, "fake.sock")
    fs = FakeServer(path, b"", close_after=False)
    try:
        expect_err("silent server: timeout", ["--timeout", "300", f"unix://{path}", "PING"],
                   "timeout after 300 ms")
    finally:
        fs.close()


def test_sentinel(env):
    master, replica, sent = env.sentinel_trio("m")
    surl = sent.url_for("m")
    out = expect_ok("sentinel: discovers the master", ["--peer", surl, "ROLE"],
                    f"peer 127.0.0.1:{master.port}\nmaster")
    expect_ok("sentinel: ?db=4 selects database 4", [surl + "?db=4", "CLIENT", "INFO"],
              " db=4 ")
    dead = redisenv.free_port()
    expect_ok("sentinel: a dead sentinel first is skipped",
              ["--peer", f"sentinel://127.0.0.1:{dead},127.0.0.1:{sent.port}/m", "PING"],
              f"peer 127.0.0.1:{master.port}")
    expect_err("sentinel: unknown master", [f"sentinel://127.0.0.1:{sent.port}/nope", "PING"],
               "sentinel: no sentinel knows master 'nope'")
    expect_err("sentinel: no sentinel reachable",
               [f"sentinel://127.0.0.1:{dead}/m", "PING"],
               f"cannot ask for master 'm': connect: Connection refused (127.0.0.1:{dead})")

    w = subprocess.Popen([PROBE, "--watch-failover", "60", surl, "ROLE"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = w.stdout.readline().strip()
    check(first == f"peer 127.0.0.1:{master.port}", "failover: watcher starts on the master",
          first)
    master.kill(signal.SIGKILL)
    try:
        out, err = w.communicate(timeout=70)
    except subprocess.TimeoutExpired:
        w.kill()
        out, err = w.communicate()
    check("Sanitizer" not in err and "runtime error:" not in err,
          "failover: no sanitizer report", err[-2000:])
    check(w.returncode == 0 and f"peer 127.0.0.1:{replica.port}\nmaster" in out,
          "failover: reconnect follows the sentinel to the promoted replica",
          f"exit {w.returncode}, stdout {out!r}, stderr tail {err[-600:]!r}")
    check("lost: redis: " in err, "failover: the broken link was reported", err[-300:])
    expect_ok("failover: a new connection finds the new master", ["--peer", surl, "ROLE"],
              f"peer 127.0.0.1:{replica.port}\nmaster")

    second = env.tcp("replica-2", extra=[f"replicaof 127.0.0.1 {replica.port}"])
    wrong = env.sentinel("x", second, name="sentinel-wrong")
    expect_err("sentinel: an address whose ROLE is not master is refused",
               [wrong.url_for("x"), "PING"],
               f"cannot use master 'x': ROLE says 'slave', not 'master' (failover in progress?) "
               f"(127.0.0.1:{second.port})")

    locked = env.sentinel("m", replica, name="sentinel-auth", password="sent-pw")
    lurl = locked.url_for("m")
    expect_ok("sentinel with AUTH: --sentinel-password",
              ["--peer", "--sentinel-password", "sent-pw", lurl, "PING"],
              f"peer 127.0.0.1:{replica.port}")
    expect_err("sentinel with AUTH: no password named",
               [lurl, "PING"], "cannot ask for master 'm': SENTINEL get-master-addr-by-name: "
               "NOAUTH")
    expect_err("sentinel with AUTH: wrong password", ["--sentinel-password", "x", lurl, "PING"],
               "WRONGPASS")


def test_urls():
    bad = [
        ("redis://127.0.0.1:99999", "bad port '99999'"),
        ("http://127.0.0.1", "unknown scheme 'http'"),
        ("127.0.0.1:6379", "has no scheme"),
        ("redis://h/abc", "bad database number 'abc'"),
        ("sentinel://127.0.0.1:26379", "without a master name"),
        ("redis://[::1", "'[' without ']'"),
        ("unix://relative.sock", "must be absolute"),
    ]
    for url, want in bad:
        expect_err(f"URL error: {url}", [url, "PING"], want)


def main():
    if not PROBE or not os.access(PROBE, os.X_OK):
        print("HAIDANG_REDIS_PROBE not set to the redis_probe program")
        return 1
    env = redisenv.RedisEnv()
    test_urls()
    test_plain(env)
    test_auth(env)
    test_tls(env)
    test_hostile(env)
    test_sentinel(env)
    if FAILS:
        print(f"\n{len(FAILS)} check(s) failed:\n  " + "\n  ".join(FAILS))
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
