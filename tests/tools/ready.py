"""ready.py - start haidang-sensor and wait until it says it is ready.

The sensor speaks systemd's notification protocol (sensor/notify.c): with
$NOTIFY_SOCKET set it sends READY=1 once packets can be taken (capture open,
privileges dropped, seccomp on, rules loaded, threads running), RELOADING=1
and READY=1 around a SIGHUP reload, STOPPING=1 when it ends. Tests that
signal or feed a running sensor wait for those instead of sleeping, so they
hold under valgrind or on a loaded machine as well as on a quick one.

    p = ReadySensor([SENSOR, "-r", "-", ...], stdin=subprocess.PIPE)
    p.stdin.write(header)        # "-r -" opens the capture before READY
    p.wait_ready()               # raises with the sensor's stderr if it died
    p.send_signal(signal.SIGHUP)
    p.wait_for("READY=1")        # the reload is done
"""
import os
import socket
import subprocess
import tempfile
import time

# how long a start or a reload may take; programs under valgrind are slow
TIMEOUT = float(os.environ.get("HAIDANG_READY_TIMEOUT", "120"))
# what a test's pauses for processing are multiplied by (./run.sh valgrind: 10)
SLOW = float(os.environ.get("HAIDANG_TEST_SLOW", "1"))


class ReadySensor(subprocess.Popen):
    def __init__(self, args, env=None, **kw):
        self._dir = tempfile.TemporaryDirectory(prefix="hd-notify-")
        path = os.path.join(self._dir.name, "notify.sock")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(path)
        # the sensor may drop to another user: let it reach the socket
        os.chmod(self._dir.name, 0o755)
        os.chmod(path, 0o777)
        self.states = []
        env = dict(os.environ if env is None else env)
        env["NOTIFY_SOCKET"] = path
        super().__init__(args, env=env, **kw)

    def _recv(self, deadline):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._sock.settimeout(min(left, 0.2))
            try:
                msg = self._sock.recv(4096).decode("utf-8", "replace")
            except socket.timeout:
                if self.poll() is not None:
                    return None
                continue
            lines = msg.split("\n")
            self.states.extend(lines)
            return lines

    def wait_for(self, state, timeout=TIMEOUT):
        """Waits for a datagram holding the line state (e.g. "READY=1")."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self._recv(deadline)
            if lines is None:
                err = ""
                if self.poll() is not None and self.stderr:
                    err = self.stderr.read()
                    if isinstance(err, bytes):
                        err = err.decode("utf-8", "replace")
                raise RuntimeError(f"haidang-sensor did not send {state} within {timeout:.0f} s "
                                   f"(exit status {self.returncode}): {err[-2000:]}")
            if state in lines:
                return

    def wait_ready(self, timeout=TIMEOUT):
        self.wait_for("READY=1", timeout)

    def ensure_ready(self, timeout=TIMEOUT):
        """Returns at once if READY=1 came already, else waits for it."""
        if "READY=1" not in self.states:
            self.wait_ready(timeout)

    def close_notify(self):
        self._sock.close()
        self._dir.cleanup()

    def __del__(self):
        try:
            self.close_notify()
        except Exception:
            pass
