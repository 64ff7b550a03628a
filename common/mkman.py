#!/usr/bin/env python3
"""mkman.py PROGRAM SECTION OUT [LANG] - a man page made from the program's
own --help text (the same table the config file and the command line use),
so the page and the program never disagree. LANG vi gives the Vietnamese
page from the Vietnamese help."""
import datetime
import os
import subprocess
import sys

prog, section, out = sys.argv[1], sys.argv[2], sys.argv[3]
lang = sys.argv[4] if len(sys.argv) > 4 else "en"
env = dict(os.environ, LANG="vi_VN.UTF-8" if lang == "vi" else "C.UTF-8",
           LC_ALL="vi_VN.UTF-8" if lang == "vi" else "C.UTF-8", HAIDANG_LANG=lang)
help_text = subprocess.run([prog, "--help"], capture_output=True, text=True, env=env).stdout
version = subprocess.run([prog, "--version"], capture_output=True, text=True).stdout.split()[-1:] or ["?"]
name = os.path.basename(prog)
lines = help_text.splitlines()
summary = lines[1] if len(lines) > 1 else name


def roff(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return ("\\&" + s) if s.startswith((".", "'")) else s


date = datetime.date.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or
                                   datetime.datetime.now().timestamp()).isoformat()
with open(out, "w", encoding="utf-8") as f:
    f.write(f'.TH {name.upper()} {section} "{date}" "haidang {version[0]}" "haidang"\n')
    f.write(".SH NAME\n" if lang == "en" else ".SH TÊN\n")
    f.write(f"{name} \\- {roff(summary.rstrip('.:'))}\n")
    f.write(".SH SYNOPSIS\n" if lang == "en" else ".SH CÁCH DÙNG\n")
    f.write(".nf\n" + "\n".join(roff(l) for l in lines) + "\n.fi\n")
    f.write(".SH SEE ALSO\n" if lang == "en" else ".SH XEM THÊM\n")
    f.write("haidang\\-sensor(8), haidang\\-triage(1), haidang\\-rules(1); "
            "/usr/share/doc/haidang/README.md\n")
