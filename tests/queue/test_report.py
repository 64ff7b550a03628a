#!/usr/bin/env python3
"""test_report.py - haidang-triage report over a real queue: the Vietnamese
initial and closure reports (Mẫu 03/04), STIX 2.1 bundles validated against
the official OASIS schemas (../shared/schemas/stix-2.1), MISP events, and
the management summary."""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redisenv  # noqa: E402
import test_queue as tq  # noqa: E402

TRIAGE = tq.TRIAGE
SCHEMAS = os.path.join(tq.SRC, "..", "shared", "schemas", "stix-2.1")
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures += 1


CONFIG = {
    "reporter": {"name": "Đội ứng cứu sự cố tỉnh (thử nghiệm)", "address": "01 Đường Trần Phú, TP. Tuy Hòa",
                 "phone": "0257 3800 000", "email": "ucsc@stttt.tinh.example", "member_code": "VN-TEST-01"},
    "contact": {"name": "Nguyễn Văn An", "position": "Trưởng nhóm", "phone": "0900 000 001",
                "email": "an.nv@stttt.tinh.example"},
    "agencies": {tq.AGENCY: {"operator": "Trung tâm Công nghệ thông tin", "owner": "UBND tỉnh",
                             "system": "Cổng thông tin điện tử", "domains": ["stc.tinh.example"],
                             "ips": ["203.0.113.10"], "level": 3, "os": "Ubuntu 22.04",
                             "services": ["web", "database"], "measures": ["firewall"],
                             "purpose": "Cung cấp thông tin cho người dân"}},
}


def report(url, tid, fmt, *extra):
    r = subprocess.run([TRIAGE, "--redis", url, "report", tid, "--format", fmt, *extra],
                       capture_output=True, text=True, timeout=60)
    return r


def _draft(schema):
    from referencing.jsonschema import specification_with
    return specification_with(schema.get("$schema", "https://json-schema.org/draft/2020-12/schema"))


def stix_validator():
    """A validator per STIX type from the official schemas (None if absent)."""
    try:
        import jsonschema
    except ImportError:
        return None
    if not os.path.isdir(SCHEMAS):
        return None
    store = {}
    by_title = {}
    for f in glob.glob(os.path.join(SCHEMAS, "**", "*.json"), recursive=True):
        s = json.load(open(f, encoding="utf-8"))
        store[s["$id"]] = s
        store["file://" + os.path.abspath(f)] = s
        by_title[os.path.relpath(f, SCHEMAS)] = s
    cls = jsonschema.validators.validator_for(by_title["common/bundle.json"])

    try:  # jsonschema >= 4.18 resolves references through "referencing"
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            (uri, Resource.from_contents(s, default_specification=_draft(s))) for uri, s in store.items())
    except ImportError:  # Debian 12's python3-jsonschema 4.10
        registry = None

    def make(rel):
        s = by_title[rel]
        if registry is not None:
            return cls(s, registry=registry, format_checker=jsonschema.FormatChecker())
        resolver = jsonschema.RefResolver(base_uri=s["$id"], referrer=s, store=store)
        return cls(s, resolver=resolver, format_checker=jsonschema.FormatChecker())

    def for_type(t):
        for d in ("sdos", "sros", "observables", "common"):
            rel = f"{d}/{t}.json"
            if rel in by_title:
                return make(rel)
        return None
    return make("common/bundle.json"), for_type


def main():
    env = redisenv.RedisEnv()
    srv = env.unix()
    with tempfile.TemporaryDirectory() as tmp:
        tq.run_all(tmp, srv.url)
        tickets = tq.tickets(srv.url)
        check(len(tickets) >= 5, f"the queue holds the captures' incidents ({len(tickets)})")
        conf = os.path.join(tmp, "report.json")
        with open(conf, "w", encoding="utf-8") as f:
            json.dump(CONFIG, f, ensure_ascii=False)
        # the incident with an indicator, for STIX/MISP
        ioc = [t for t in tickets.values() if t["indicator"].startswith("ioc:")]
        tid = (ioc or list(tickets.values()))[0]["id"]

        r = report(srv.url, tid, "vn", "--config", conf, "--number", "15/BC-ĐUCSC")
        out = r.stdout
        check(r.returncode == 0, f"vn: exit 0 ({r.stderr.strip()[:200]})")
        for sec in ["Mẫu số 03", "BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG", "A. THÔNG TIN VỀ TỔ CHỨC/CÁ NHÂN BÁO CÁO SỰ CỐ",
                    "B. NGƯỜI LIÊN HỆ", "C. THÔNG TIN CHI TIẾT VỀ HỆ THỐNG BỊ SỰ CỐ", "D. MÔ TẢ SƠ BỘ VỀ SỰ CỐ",
                    "Ngày phát hiện sự cố (*)", "F. HIỆN TRẠNG SỰ CỐ", "G. CÁCH THỨC PHÁT HIỆN",
                    "H. ĐÃ GỬI THÔNG BÁO SỰ CỐ CHO", "I. THÔNG TIN BỔ SUNG", "J. KIẾN NGHỊ, ĐỀ XUẤT HỖ TRỢ",
                    "K. THỜI GIAN THỰC HIỆN BÁO CÁO SỰ CỐ", "[TBSC]"]:
            check(sec in out, f"vn: section '{sec}'")
        check("THIẾU" not in out, "vn: every mandatory field filled from the configuration")
        for v in ["Đội ứng cứu sự cố tỉnh (thử nghiệm)", "Nguyễn Văn An", "Trung tâm Công nghệ thông tin",
                  "stc.tinh.example", "203.0.113.10", "☒ Cấp độ 3", "15/BC-ĐUCSC", tickets[tid]["host"]]:
            check(v in out, f"vn: shows '{v}'")
        # discovery date: Vietnam time, dd/mm/yyyy
        m = re.search(r"Ngày phát hiện sự cố \(\*\): (\d\d)/(\d\d)/(\d{4})", out)
        first = tickets[tid]["first_seen"]
        import datetime
        fs = datetime.datetime.fromisoformat(first).astimezone(datetime.timezone(datetime.timedelta(hours=7)))
        check(bool(m) and (int(m[1]), int(m[2]), int(m[3])) == (fs.day, fs.month, fs.year),
              f"vn: discovery date in Vietnam time, ngày/tháng/năm ({m.group(0) if m else None})")

        r = report(srv.url, tid, "vn")
        check(r.returncode == 0 and "THIẾU / MISSING: reporter.name" in r.stdout and "missing" in r.stderr,
              "vn without configuration: the mandatory fields are flagged, and said so")

        r = report(srv.url, tid, "vn-final", "--config", conf, "--number", "15/BC-ĐUCSC")
        check(r.returncode == 0 and "Mẫu số 04" in r.stdout and "BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ" in r.stdout
              and "15/BC-ĐUCSC" in r.stdout, "vn-final: Mẫu 04 citing the initial report's number")
        check("THIẾU / MISSING: the initial report's date" in r.stdout,
              "vn-final: the initial report's date, unknown here, is flagged")

        # STIX 2.1
        v = stix_validator()
        for t in list(tickets)[:6]:
            path = os.path.join(tmp, f"{t}.stix.json")
            r = report(srv.url, t, "stix", "--config", conf, "-o", path)
            check(r.returncode == 0, f"stix {t[:8]}: exit 0 {r.stderr.strip()[:200]}")
            b = json.load(open(path, encoding="utf-8"))
            types = [o["type"] for o in b["objects"]]
            check({"identity", "marking-definition", "observed-data", "report"} <= set(types),
                  f"stix {t[:8]}: identity, TLP marking, observed-data and report ({sorted(set(types))})")
            if tickets[t]["indicator"].startswith("ioc:"):
                check("indicator" in types and "sighting" in types, f"stix {t[:8]}: indicators and sightings")
            ids = {o["id"] for o in b["objects"]}
            dangling = [ref for o in b["objects"] for k, refs in o.items() if k.endswith("_refs")
                        for ref in refs if ref not in ids]
            check(not dangling, f"stix {t[:8]}: every reference resolves inside the bundle {dangling[:2]}")
            if v is None:
                print("skip stix schema validation (no ../shared/schemas or python3-jsonschema)")
                continue
            bundle_v, for_type = v
            errs = [e.message for e in bundle_v.iter_errors(b)]
            check(not errs, f"stix {t[:8]}: the bundle validates against bundle.json {errs[:2]}")
            for o in b["objects"]:
                ov = for_type(o["type"])
                errs = [e.message for e in ov.iter_errors(o)] if ov else ["no schema"]
                check(not errs, f"stix {t[:8]}: {o['type']} validates against its schema {errs[:2]}")
        # a broken object must fail the same validator (the test can fail)
        if v is not None:
            bad = {"type": "indicator", "spec_version": "2.1", "id": "indicator--x", "created": "yesterday"}
            check(any(True for _ in v[1]("indicator").iter_errors(bad)), "stix: the validator rejects a bad object")

        # MISP
        r = report(srv.url, tid, "misp", "--config", conf, "--tlp", "green")
        ev = json.loads(r.stdout)["Event"] if r.returncode == 0 else {}
        for k, typ in [("info", str), ("threat_level_id", str), ("analysis", str), ("distribution", str),
                       ("date", str), ("timestamp", str), ("uuid", str), ("Attribute", list), ("Tag", list)]:
            check(isinstance(ev.get(k), typ), f"misp: {k} is a {typ.__name__}")
        check(ev.get("threat_level_id") in {"1", "2", "3", "4"} and ev.get("analysis") in {"0", "1", "2"}
              and ev.get("distribution") in {"0", "1", "2", "3", "4", "5"}, "misp: enumerations in range")
        check(re.fullmatch(r"\d{4}-\d\d-\d\d", ev.get("date", "")) is not None and ev.get("timestamp", "").isdigit(),
              "misp: date and timestamp formats")
        check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ev.get("uuid", ""))
              is not None, "misp: a UUID")
        attrs = ev.get("Attribute", [])
        check(attrs and all({"type", "category", "value", "to_ids", "uuid"} <= set(a) and isinstance(a["to_ids"], bool)
                            for a in attrs), "misp: attributes with type, category, value, to_ids")
        check(any(a["value"] == tickets[tid]["indicator"][4:] and a["to_ids"] for a in attrs),
              "misp: the indicator is an attribute for IDS")
        check({"name": "tlp:green"} in ev.get("Tag", []), "misp: the TLP tag")

        # --send: the configured transport gets the file; what was sent is
        # recorded in the ticket, and the closure report cites it
        outbox = os.path.join(tmp, "outbox")
        os.makedirs(outbox)
        sent = dict(CONFIG, transport={"command": f'cp "$HAIDANG_REPORT_FILE" "{outbox}/$HAIDANG_INCIDENT_ID.md" && '
                                                  f'printf "%s" "$HAIDANG_REPORT_SUBJECT" > "{outbox}/subject"'})
        sconf = os.path.join(tmp, "report-send.json")
        with open(sconf, "w", encoding="utf-8") as f:
            json.dump(sent, f, ensure_ascii=False)
        notes_before = len(json.loads(subprocess.run([TRIAGE, "--redis", srv.url, "show", tid, "--json"],
                                                     capture_output=True, text=True).stdout)["notes"])
        path = os.path.join(tmp, "mau03.md")
        r = subprocess.run([TRIAGE, "--redis", srv.url, "--as", "lan", "report", tid, "--format", "vn",
                            "--config", sconf, "--number", "16/BC-ĐUCSC", "-o", path, "--send"],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"send: exit 0 ({r.stderr.strip()[:200]})")
        check(os.path.exists(os.path.join(outbox, tid + ".md")) and
              open(os.path.join(outbox, "subject"), encoding="utf-8").read().startswith("[TBSC]"),
              "send: the transport got the report, the subject starts with [TBSC]")
        show = json.loads(subprocess.run([TRIAGE, "--redis", srv.url, "show", tid, "--json"],
                                         capture_output=True, text=True).stdout)
        check(len(show["notes"]) == notes_before + 1 and "16/BC-ĐUCSC" in json.dumps(show["notes"][-1], ensure_ascii=False)
              and show["notes"][-1].get("who") == "lan", "send: recorded in the ticket (a note by lan)")
        check(any(h.get("action") == "note" and h.get("who") == "lan" for h in show["history"]),
              "send: and in its history, with who and when")
        r = report(srv.url, tid, "vn-final", "--config", conf)
        check(r.returncode == 0 and "16/BC-ĐUCSC" in r.stdout and "THIẾU / MISSING: the initial report's date" not in r.stdout,
              "send: the closure report cites the initial report's number and date")
        # escalate --send: the state change and the report it sends, both recorded
        other = next(i for i in tickets if i != tid)
        epath = os.path.join(tmp, "escalate.md")
        r = subprocess.run([TRIAGE, "--redis", srv.url, "--as", "minh", "escalate", other, "--send", "vn",
                            "-o", epath, "--number", "17/BC-ĐUCSC", "--config", sconf],
                           capture_output=True, text=True, timeout=60)
        eshow = json.loads(subprocess.run([TRIAGE, "--redis", srv.url, "show", other, "--json"],
                                          capture_output=True, text=True).stdout)
        check(r.returncode == 0 and eshow["status"] == "escalated" and
              os.path.exists(os.path.join(outbox, other + ".md")),
              f"escalate --send: escalated, and the report handed to the transport ({r.stderr.strip()[:160]})")
        acts = [(h.get("action"), h.get("who")) for h in eshow["history"]]
        check(("escalate", "minh") in acts and ("note", "minh") in acts and
              "17/BC-ĐUCSC" in json.dumps(eshow["notes"], ensure_ascii=False),
              "escalate --send: the history says who escalated and which report was sent, and when")
        bad = dict(CONFIG, transport={"command": "exit 3"})
        with open(sconf, "w", encoding="utf-8") as f:
            json.dump(bad, f, ensure_ascii=False)
        r = subprocess.run([TRIAGE, "--redis", srv.url, "report", tid, "--format", "md", "--config", sconf,
                            "-o", path, "--send"], capture_output=True, text=True, timeout=60)
        show2 = json.loads(subprocess.run([TRIAGE, "--redis", srv.url, "show", tid, "--json"],
                                          capture_output=True, text=True).stdout)
        check(r.returncode == 1 and "failed" in r.stderr and len(show2["notes"]) == len(show["notes"]),
              "send: a failing transport is reported and nothing is recorded")
        r = subprocess.run([TRIAGE, "--redis", srv.url, "report", tid, "--format", "vn", "-o", path, "--send"],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 1 and "not sent" in r.stderr, "send: a report with missing mandatory fields is not sent")

        # HTML, and PDF through weasyprint: the Vietnamese text must come
        # back out of the PDF intact (shaped with a font that has it)
        html = os.path.join(tmp, "mau03.html")
        r = report(srv.url, tid, "vn", "--config", conf, "-o", html)
        page = open(html, encoding="utf-8").read() if r.returncode == 0 else ""
        check("<h1>BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG</h1>" in page and "<table>" in page and "charset=\"utf-8\"" in page,
              "vn -o FILE.html: a whole HTML page with the form's headings and tables")
        import shutil
        if shutil.which("weasyprint") and shutil.which("pdftotext") and shutil.which("pdffonts"):
            pdf = os.path.join(tmp, "mau03.pdf")
            r = report(srv.url, tid, "vn", "--config", conf, "-o", pdf)
            check(r.returncode == 0 and open(pdf, "rb").read(5) == b"%PDF-", f"vn -o FILE.pdf: a PDF ({r.stderr.strip()[:200]})")
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True, text=True).stdout
            norm = " ".join(text.split())
            for v in ["BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG", "Nguyễn Văn An", "Tên đơn vị vận hành hệ thống thông tin",
                      "Ngày phát hiện sự cố"]:
                check(v in norm, f"pdf: '{v}' comes back out of the PDF")
            fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout
            check("DejaVu" in fonts or "Noto" in fonts, "pdf: set in a font with Vietnamese (DejaVu/Noto) embedded")
        else:
            print("skip pdf (weasyprint and poppler-utils not installed)")
        r = report(srv.url, tid, "md", "--config", conf)
        check(r.returncode == 0 and tickets[tid]["host"] in r.stdout and "Việc cần làm" in r.stdout,
              "md: a readable summary in Vietnamese and English")
        r = report(srv.url, "ffffffff", "md")
        check(r.returncode == 1 and "no incident" in r.stderr, "report: an unknown id is refused")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
