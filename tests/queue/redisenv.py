"""redisenv.py - real redis-server instances for haidang's tests.

Every server lives in one private temporary directory, listens only on
127.0.0.1 (a free port found by binding port 0) and/or a unix socket, and
is stopped, with the directory removed, when the test exits (normally, by
an exception or by SIGTERM from meson's timeout). Servers die with the
test even if it is SIGKILLed (PR_SET_PDEATHSIG).

    import redisenv
    env = redisenv.RedisEnv()            # exits 77 (meson: skipped) without redis-server
    s = env.unix()                       # s.sock, s.url      -> unix:///.../redis.sock
    t = env.tcp()                        # t.port, t.url      -> redis://127.0.0.1:PORT
    a = env.tcp(users={"alice": "pw"})   # ACL user alice, password pw
    c = env.certs()                      # c.ca, c.server_crt, c.client_crt, c.other_ca ...
    x = env.tls()                        # x.tls_port, x.url  -> rediss://127.0.0.1:PORT
    m = env.tls(auth_clients=True)       # client certificate required
    master, replica, sentinel = env.sentinel_trio()
    sentinel.url_for("m")                # sentinel://127.0.0.1:PORT/m
    t.call("SET", "k", "v")              # a tiny RESP client: str/int/None/list,
                                         # error replies raise redisenv.ReplyError
    master.kill()                        # SIGKILL, for failover tests
    redisenv.wait_until(lambda: ..., timeout=20, what="...")

Only the Python standard library and the redis-server and openssl
programs are used; redis-cli is not needed.
"""
import atexit
import ctypes
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

# $HAIDANG_REDIS_SERVER picks another build (or, set to a missing file, shows the skip)
REDIS_SERVER = (os.environ.get("HAIDANG_REDIS_SERVER") or shutil.which("redis-server")
                or "/usr/bin/redis-server")
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
SKIP = 77  # meson's exit status for a skipped test


class ReplyError(Exception):
    """An error reply ("-ERR ...") from the server."""


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ./run.sh valgrind runs the programs ~10x slower: waits stretch with it
# (the factor is tests/tools/ready.py's, shared by every suite)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from ready import SLOW  # noqa: E402


def wait_until(pred, timeout=10.0, what="condition", interval=0.1):
    """Calls pred() until it returns a true value (returned) or timeout
    seconds (times HAIDANG_TEST_SLOW) pass (RuntimeError naming what).
    Exceptions count as false."""
    timeout *= SLOW
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            v = pred()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - a server still starting
            last = e
        time.sleep(interval)
    raise RuntimeError(f"timeout after {timeout}s waiting for {what}"
                       + (f" (last error: {last})" if last else ""))


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL when the test process dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


# -- a minimal RESP2 client, for readiness checks and test set-up ---------

def _encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class _Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise ReplyError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ConnectionError(f"bad reply {line!r}")


class Server:
    """One running redis-server (or sentinel)."""

    def __init__(self, env, name, directory, port=0, sock=None, tls_port=0,
                 password=None, sentinel=False):
        self.env = env
        self.name = name
        self.dir = directory
        self.port = port
        self.sock = sock
        self.tls_port = tls_port
        self.password = password  # of the default user, if any
        self.sentinel = sentinel
        self.tls_name = "localhost"  # a name the server's certificate carries
        self.proc = None
        self.log = os.path.join(directory, "redis.log")

    @property
    def url(self):
        if self.tls_port:
            return f"rediss://127.0.0.1:{self.tls_port}"
        if self.port:
            return f"redis://127.0.0.1:{self.port}"
        return f"unix://{self.sock}"

    def url_for(self, master):
        """Sentinel URL of this sentinel for the master called master."""
        return f"sentinel://127.0.0.1:{self.port}/{master}"

    def _connect(self, timeout=5.0):
        if self.tls_port:
            c = self.env.certs()
            ctx = ssl.create_default_context(cafile=c.ca)
            ctx.load_cert_chain(c.client_crt, c.client_key)
            raw = socket.create_connection(("127.0.0.1", self.tls_port), timeout=timeout)
            return ctx.wrap_socket(raw, server_hostname=self.tls_name)
        if self.port:
            return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(self.sock)
        return s

    def call(self, *args, user=None, password=None, timeout=5.0):
        """Runs one command on a fresh connection (AUTH first when the
        server has a password); returns the reply or raises ReplyError."""
        password = password or self.password
        with self._connect(timeout) as s:
            rd = _Reader(s)
            if password:
                s.sendall(_encode(["AUTH", user, password] if user else ["AUTH", password]))
                rd.reply()
            s.sendall(_encode(list(args)))
            return rd.reply()

    def ping(self):
        try:
            return self.call("PING") == "PONG"
        except ReplyError as e:  # NOAUTH etc.: it is up
            return "LOADING" not in str(e)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        """Sends sig (SIGKILL by default) and reaps the process."""
        if self.alive():
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stop(self):
        self.kill(signal.SIGTERM)

    def restart(self, timeout=10.0):
        """Starts a stopped server again with its configuration: same
        port, socket and directory (its data survives only if it was
        started with persistence, e.g. extra=["appendonly yes"])."""
        conf = os.path.join(self.dir, "sentinel.conf" if self.sentinel else "redis.conf")
        cmd = [REDIS_SERVER, conf] + (["--sentinel"] if self.sentinel else [])
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        wait_until(self.ping, timeout, f"{self.name} to answer PING again")

    def tail_log(self, n=30):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class Certs:
    """A test CA, a server certificate for 127.0.0.1 and localhost, one for
    other.example only, a client certificate, and an unrelated CA. All PEM
    files in dir; keys unencrypted."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        p = lambda f: os.path.join(directory, f)  # noqa: E731
        self.ca, self.ca_key = p("ca.crt"), p("ca.key")
        self.other_ca, self.other_ca_key = p("other-ca.crt"), p("other-ca.key")
        self.server_crt, self.server_key = p("server.crt"), p("server.key")
        self.other_crt, self.other_key = p("other-name.crt"), p("other-name.key")
        self.client_crt, self.client_key = p("client.crt"), p("client.key")
        self._make_ca(self.ca, self.ca_key, "haidang test CA")
        self._make_ca(self.other_ca, self.other_ca_key, "unrelated test CA")
        self._make_leaf(self.server_crt, self.server_key, "127.0.0.1",
                        "IP:127.0.0.1,DNS:localhost", "serverAuth,clientAuth")
        self._make_leaf(self.other_crt, self.other_key, "other.example",
                        "DNS:other.example", "serverAuth,clientAuth")
        self._make_leaf(self.client_crt, self.client_key, "haidang-test-client",
                        None, "clientAuth")

    def _openssl(self, *args):
        r = subprocess.run([OPENSSL, *args], capture_output=True, text=True, cwd=self.dir)
        if r.returncode:
            raise RuntimeError(f"openssl {' '.join(args)}: {r.stderr}")

    def _make_ca(self, crt, key, cn):
        self._openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-keyout", key, "-out", crt, "-days", "3", "-subj", f"/CN={cn}",
                      "-addext", "basicConstraints=critical,CA:TRUE",
                      "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def _make_leaf(self, crt, key, cn, san, eku):
        csr, ext = crt + ".csr", crt + ".ext"
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n")
            f.write(f"extendedKeyUsage={eku}\n")
            if san:
                f.write(f"subjectAltName={san}\n")
        self._openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={cn}")
        self._openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                      "-CAcreateserial", "-out", crt, "-days", "3", "-extfile", ext)
        os.chmod(key, 0o600)


class RedisEnv:
    """Starts servers on demand; everything is stopped and removed at exit."""

    def __init__(self):
        if not os.access(REDIS_SERVER, os.X_OK):
            skip("redis-server not installed (apt-get install redis-server)")
        self.tmp = tempfile.mkdtemp(prefix="haidang-redis-")
        self.servers = []
        self._certs = None
        self._n = 0
        atexit.register(self.close)
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    # -- life cycle --

    def close(self):
        for s in reversed(self.servers):
            try:
                s.stop()
            except Exception:  # noqa: BLE001 - cleaning up regardless
                pass
        self.servers = []
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _dir(self, name):
        self._n += 1
        d = os.path.join(self.tmp, f"{self._n:02d}-{name}")
        os.makedirs(d)
        return d

    def _start(self, srv, conf_lines, sentinel=False, timeout=10.0):
        conf = os.path.join(srv.dir, "sentinel.conf" if sentinel else "redis.conf")
        base = [
            "bind 127.0.0.1",
            f"dir {srv.dir}",
            f"logfile {srv.log}",
            "daemonize no",
            "loglevel notice",
        ]
        if not sentinel:
            base += ['save ""', "appendonly no", "protected-mode no"]
        with open(conf, "w") as f:
            f.write("\n".join(base + conf_lines) + "\n")
        cmd = [REDIS_SERVER, conf] + (["--sentinel"] if sentinel else [])
        srv.proc = subprocess.Popen(cmd, cwd=srv.dir, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                    preexec_fn=_die_with_parent)
        self.servers.append(srv)

        def ready():
            if not srv.alive():
                raise RuntimeError(f"{srv.name} exited: {srv.tail_log()}")
            return srv.ping()
        try:
            wait_until(ready, timeout, f"{srv.name} to answer PING")
        except RuntimeError:
            print(f"--- {srv.name} log ---\n{srv.tail_log()}", file=sys.stderr)
            raise
        return srv

    # -- kinds of server --

    def unix(self, name="unix", extra=()):
        """A plain server on a unix socket only (port 0)."""
        d = self._dir(name)
        sock = os.path.join(d, "redis.sock")
        srv = Server(self, name, d, sock=sock)
        return self._start(srv, ["port 0", f"unixsocket {sock}", "unixsocketperm 700",
                                 *extra])

    def tcp(self, name="tcp", users=None, password=None, extra=()):
        """A plain server on 127.0.0.1:<free port>. users: {name: password}
        adds ACL users with every permission; password: requirepass for
        the default user."""
        d = self._dir(name)
        port = free_port()
        srv = Server(self, name, d, port=port, password=password)
        lines = [f"port {port}"]
        if password:
            lines.append(f"requirepass {password}")
        for u, pw in (users or {}).items():
            lines.append(f"user {u} on >{pw} ~* &* +@all")
        return self._start(srv, lines + list(extra))

    def certs(self):
        """The test PKI (made once per environment)."""
        if self._certs is None:
            if not os.access(OPENSSL, os.X_OK):
                skip("openssl not installed")
            self._certs = Certs(os.path.join(self.tmp, "pki"))
        return self._certs

    def tls(self, name="tls", auth_clients=False, cert="server", extra=()):
        """A TLS-only server (port 0, tls-port <free port>). auth_clients:
        require a client certificate from the test CA. cert: "server"
        (127.0.0.1, localhost) or "other" (other.example only)."""
        c = self.certs()
        d = self._dir(name)
        port = free_port()
        crt, key = (c.server_crt, c.server_key) if cert == "server" else (c.other_crt, c.other_key)
        srv = Server(self, name, d, tls_port=port)
        if cert != "server":
            srv.tls_name = "other.example"
        return self._start(srv, [
            "port 0", f"tls-port {port}",
            f"tls-cert-file {crt}", f"tls-key-file {key}", f"tls-ca-cert-file {c.ca}",
            f"tls-auth-clients {'yes' if auth_clients else 'no'}",
            *extra])

    def sentinel(self, master_name, master, name="sentinel", quorum=1,
                 down_after_ms=1000, failover_timeout_ms=5000, password=None):
        """A sentinel watching master (a Server) under master_name;
        password: clients of the sentinel must AUTH with it."""
        d = self._dir(name)
        port = free_port()
        srv = Server(self, name, d, port=port, sentinel=True, password=password)
        auth = [f"requirepass {password}"] if password else []
        return self._start(srv, auth + [
            f"port {port}",
            "sentinel resolve-hostnames no",
            f"sentinel monitor {master_name} 127.0.0.1 {master.port} {quorum}",
            f"sentinel down-after-milliseconds {master_name} {down_after_ms}",
            f"sentinel failover-timeout {master_name} {failover_timeout_ms}",
            f"sentinel parallel-syncs {master_name} 1",
        ], sentinel=True)

    def sentinel_trio(self, master_name="m"):
        """A master, its replica (in sync) and one sentinel that knows both:
        failover takes a few seconds after the master dies."""
        master = self.tcp("master")
        replica = self.tcp("replica", extra=[f"replicaof 127.0.0.1 {master.port}"])
        wait_until(lambda: "master_link_status:up" in replica.call("INFO", "replication"),
                   20, "the replica to sync")
        sent = self.sentinel(master_name, master)
        wait_until(lambda: len(sent.call("SENTINEL", "replicas", master_name)) >= 1,
                   20, "the sentinel to find the replica")
        return master, replica, sent
