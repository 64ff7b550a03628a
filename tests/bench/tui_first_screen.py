#!/usr/bin/env python3
"""tui_first_screen.py TRIAGE URL [RUNS] - how long haidang-triage's console
takes from start to its first screen, and to the whole queue in memory,
on a queue already filled (e.g. build/tests/queue_bench URL 100000).

Starts the console in a private tmux server (120x40) and polls
capture-pane every 2 ms: "first screen" is when the header and a full
page of rows are drawn, "all loaded" when the title no longer says
"loading". The poll adds a few ms; the figures are an upper bound.

queue_bench's agencies ("Đơn vị số N", N < 250) are added to hd:agencies
first, as their sensors would at their first heartbeat.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def register_agencies(url, n=250):
    if url.startswith("unix://"):
        c = socket.socket(socket.AF_UNIX)
        c.connect(url[len("unix://"):].split("?")[0])
    else:
        host, _, port = url.split("://", 1)[1].split("/")[0].rpartition(":")
        c = socket.create_connection((host, int(port)))
    args = [b"SADD", b"hd:agencies"] + [f"don-vi-so-{i}".encode() for i in range(n)]
    c.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    c.recv(100)
    c.close()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    triage, url = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    tmux = shutil.which("tmux") or sys.exit("tmux not installed")
    register_agencies(url)
    firsts, fulls = [], []
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "tmux")

        def tm(*a):
            return subprocess.run([tmux, "-S", sock, "-f", "/dev/null", *a],
                                  capture_output=True, text=True).stdout
        for _ in range(runs):
            # the server first, so its start is not counted
            tm("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", "sleep 60")
            t0 = time.monotonic()
            tm("new-window", "-t", "b:", "env LANG=C.UTF-8 TERM=xterm-256color "
               f"{triage} --redis {url} --lang en")
            first = full = None
            while time.monotonic() - t0 < 60:
                s = tm("capture-pane", "-p", "-t", "b:1")
                lines = s.splitlines()
                if first is None and len(lines) > 30 and "SEVERITY" in lines[1] and lines[30].strip():
                    first = time.monotonic() - t0
                if first is not None and "loading" not in lines[0]:
                    full = time.monotonic() - t0
                    break
                time.sleep(0.002)
            tm("kill-server")
            time.sleep(0.3)
            firsts.append(first)
            fulls.append(full)
            print(f"first screen {first * 1000:.0f} ms, whole queue {full * 1000:.0f} ms "
                  f"({lines[0].strip()[:60]})", flush=True)
    firsts.sort()
    fulls.sort()
    print(f"median of {runs}: first screen {firsts[runs // 2] * 1000:.0f} ms, "
          f"whole queue in memory {fulls[runs // 2] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
