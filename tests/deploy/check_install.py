#!/usr/bin/env python3
"""check_install.py BUILDDIR - `meson install` into a scratch root gives an
agency's machine everything the deployment guide names: the three programs,
their man pages (English and Vietnamese), the default settings in
/etc/haidang that the sensor itself accepts, the rules, the playbooks, the
docs and the systemd unit."""
import os
import subprocess
import sys
import tempfile

build = sys.argv[1]
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    failures += not cond


with tempfile.TemporaryDirectory() as root:
    r = subprocess.run(["meson", "install", "-C", build, "--destdir", root, "--no-rebuild", "--quiet"],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"meson install ({r.stderr.strip()[-300:]})")
    prefix = subprocess.run(["meson", "introspect", build, "--buildoptions"], capture_output=True, text=True)
    import json
    opts = {o["name"]: o["value"] for o in json.loads(prefix.stdout or "[]")}
    pre = root + opts.get("prefix", "/usr/local")
    etc = opts.get("sysconfdir", "etc")
    etc = root + etc if etc.startswith("/") else os.path.join(pre, etc)
    share = os.path.join(pre, opts.get("datadir", "share"))
    man = os.path.join(pre, opts.get("mandir", "share/man"))
    for p in ["bin/haidang-sensor", "bin/haidang-triage", "bin/haidang-rules"]:
        check(os.access(os.path.join(pre, p), os.X_OK), f"{p} installed")
    for p, word in [("man8/haidang-sensor.8", "\\-\\-redis"), ("man1/haidang-triage.1", "claim"),
                    ("man1/haidang-rules.1", "check"), ("vi/man8/haidang-sensor.8", "Cách dùng"),
                    ("vi/man1/haidang-triage.1", "Các lệnh")]:
        f = os.path.join(man, p)
        text = open(f, encoding="utf-8").read() if os.path.exists(f) else ""
        check(text.startswith(".TH ") and word in text, f"man page {p}")
    conf = os.path.join(etc, "haidang", "sensor.conf")
    check(os.path.exists(conf), "/etc/haidang/sensor.conf installed")
    if os.path.exists(conf):
        r = subprocess.run([os.path.join(pre, "bin/haidang-sensor"), "-c", conf, "--dump-config"],
                           capture_output=True, text=True)
        check(r.returncode == 0 and "user = haidang" in r.stdout and "/haidang/rules" in r.stdout,
              "the sensor accepts its installed settings (user haidang, the installed rules)")
    check(os.path.exists(os.path.join(share, "haidang", "rules", "policy.conf")) and
          os.path.isdir(os.path.join(share, "haidang", "rules", "yara")) and
          not os.path.exists(os.path.join(share, "haidang", "rules", "src")), "the rules installed (not the tool's source)")
    check(any(n.endswith(".json") for n in os.listdir(os.path.join(share, "haidang", "playbooks"))),
          "the playbooks installed")
    check(os.path.exists(os.path.join(share, "doc", "haidang", "queue.md")) and
          os.path.exists(os.path.join(share, "doc", "haidang", "README.md")), "the docs installed")
    units = [os.path.join(dp, n) for dp, _, ns in os.walk(root) for n in ns if n == "haidang-sensor@.service"]
    check(bool(units) and "ExecStart=" + os.path.join(opts.get("prefix", "/usr/local"), "bin") in open(units[0]).read(),
          "the systemd unit installed, pointing at the installed sensor")
sys.exit(1 if failures else 0)
