#!/usr/bin/env python3
"""check_units.py UNIT SENSOR - the sensor's systemd unit as an agency's
machine would load it: `systemd-analyze verify` must have nothing to say
(an unknown or misspelled directive is only a warning there, so any output
fails), and the hardening the deployment guide promises must be in it.
Skipped (77) without systemd-analyze."""
import os
import shutil
import subprocess
import sys
import tempfile

unit, sensor = sys.argv[1], sys.argv[2]
if not shutil.which("systemd-analyze"):
    print("systemd-analyze not installed: skipped")
    sys.exit(77)
text = open(unit, encoding="utf-8").read()
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    failures += not cond


for d in ["NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
          "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN", "RestrictAddressFamilies=",
          "SystemCallFilter=@system-service", "--user haidang"]:
    check(d in text, f"the unit has {d}")
with tempfile.TemporaryDirectory() as tmp:
    # an instance, with the binary of this build where the installed one would be
    inst = os.path.join(tmp, "haidang-sensor@eth1.service")
    body = "\n".join(("ExecStart=" + os.path.abspath(sensor) + " " + l.split(" ", 1)[1])
                     if l.startswith("ExecStart=") else l for l in text.splitlines())
    with open(inst, "w", encoding="utf-8") as f:
        f.write(body + "\n")
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", inst], capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    check(r.returncode == 0 and not out, f"systemd-analyze verify: clean ({out[:300]})")
    # and the check itself notices a bad directive
    with open(inst, "w", encoding="utf-8") as f:
        f.write(body.replace("ProtectSystem=strict", "ProtectSystem=stricter") + "\n")
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", inst], capture_output=True, text=True)
    check(bool((r.stdout + r.stderr).strip()), "systemd-analyze verify notices a misspelled value")
sys.exit(1 if failures else 0)
