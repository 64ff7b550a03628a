#!/usr/bin/env python3
"""test_summary.py - haidang-triage summary over a real queue: the counts in
summary.md against the tickets (list --json), response times from a
lifecycle driven with the CLI verbs, the Mẫu 05 table (ten national types in
the official order, totals, escalations, help and damage from case fields),
and the SVG charts: well-formed XML, the expected number of bars, and a PNG
of the expected size from a real renderer (rsvg-convert, librsvg2-bin)."""
import collections
import datetime
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redisenv  # noqa: E402
import test_queue as tq  # noqa: E402

failures = 0
SVGNS = "{http://www.w3.org/2000/svg}"
NATIONAL = ["Từ chối dịch vụ", "Tấn công giả mạo", "Tấn công sử dụng mã độc",
            "Truy cập trái phép, chiếm quyền điều khiển", "Thay đổi giao diện",
            "Mã hóa phần mềm, dữ liệu, thiết bị", "Phá hoại thông tin, dữ liệu, phần mềm",
            "Nghe trộm, gián điệp, lấy cắp thông tin, dữ liệu",
            "Tấn công tổng hợp sử dụng kết hợp nhiều hình thức", "Các hình thức tấn công khác"]
CONFIG = {
    "reporter": {"name": "Đội ứng cứu sự cố tỉnh <thử nghiệm> & cộng sự", "address": "01 Trần Phú, TP. Tuy Hòa",
                 "phone": "0257 3800 000", "email": "ucsc@stttt.tinh.example", "member_code": "VN-TEST-01",
                 "place": "Tuy Hòa"},
    "national_center": {"name": "Trung tâm Ứng cứu khẩn cấp máy tính Việt Nam", "address": "Hà Nội"},
}


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures += 1


def table(md, heading):
    """the rows (lists of cells) of the first table after heading"""
    part = md.split(heading, 1)[1] if heading in md else ""
    rows = []
    for line in part.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if not all(set(c) <= set("-:") for c in cells):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def check_svg(path, bars, rsvg, tmp):
    name = os.path.basename(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        check(False, f"{name}: well-formed XML ({e})")
        return
    check(root.tag == SVGNS + "svg", f"{name}: an svg document")
    title = root.find(SVGNS + "title")
    check(title is not None and title.text, f"{name}: has a <title> ({title.text if title is not None else None})")
    texts = [t.text or "" for t in root.iter(SVGNS + "text")]
    check(any("Số sự cố" in t for t in texts), f"{name}: Vietnamese axis label")
    check("DejaVu Sans" in root.get("font-family", "") and "sans-serif" in root.get("font-family", ""),
          f"{name}: font-family with fallbacks")
    got = len([r for r in root.iter(SVGNS + "rect") if r.get("class") == "bar"])
    check(got == bars, f"{name}: {bars} bars ({got})")
    if not rsvg:
        print(f"skip {name}: no rsvg-convert (apt-get install librsvg2-bin)")
        return
    png = os.path.join(tmp, name + ".png")
    r = subprocess.run([rsvg, path, "-o", png], capture_output=True, text=True, timeout=60)
    size = png_size(png) if r.returncode == 0 else None
    want = (int(float(root.get("width"))), int(float(root.get("height"))))
    check(r.returncode == 0 and os.path.getsize(png) > 1000 and size == want,
          f"{name}: rendered to PNG by rsvg-convert, {want[0]}x{want[1]} ({size}, {r.stderr.strip()[:200]})")


def main():
    env = redisenv.RedisEnv()
    srv = env.unix()
    url = srv.url
    rsvg = shutil.which("rsvg-convert")
    with tempfile.TemporaryDirectory() as tmp:
        tq.run_all(tmp, url)
        tickets = tq.tickets(url)
        ids = sorted(tickets, key=lambda i: (tickets[i]["category"], i))
        check(len(ids) >= 8, f"the queue holds the captures' incidents ({len(ids)})")
        slug = tickets[ids[0]]["agency_key"]

        def verb(*a, who="lan"):
            return tq.triage(url, "--as", who, *a)
        # a lifecycle: claims, a resolution, a false positive, an escalation,
        # a containment with outside help and damage, a merge
        a, b, c, d, e, f = ids[:6]
        time.sleep(1.1)
        verb("claim", a)
        verb("claim", b, who="minh")
        verb("claim", c)
        time.sleep(1.1)
        verb("status", a, "in_progress")
        verb("status", a, "resolved")
        verb("escalate", b, who="minh")
        verb("status", c, "false_positive")
        verb("status", d, "triaged")
        verb("status", d, "contained")
        # recorded with the verb, so it is versioned and in the history
        r = verb("record", d, "--help-domestic", "Công ty An ninh X; Trung tâm Y",
                 "--help-foreign", "CERT nước ngoài Z", "--damage", "1.500.000")
        check(r.returncode == 0, f"record: help and damage recorded ({r.stderr.strip()[:160]})")
        hist = json.loads(tq.triage(url, "history", d, "--json").stdout or "[]")
        hist = hist.get("entries", []) if isinstance(hist, dict) else hist
        check(any(h.get("action") == "record" and h.get("who") == "lan" for h in hist),
              "record: in the ticket's history, with who")
        r = tq.triage(url, "record", d, "--damage", "nhiều lắm", check_rc=False)
        check(r.returncode == 1 and "--damage" in r.stderr, "record: a damage that is not an amount is refused")
        verb("merge", ids[6], e)
        # a live sensor's heartbeat (the test sensor has stopped: its key expires)
        now = int(time.time() * 1000)
        srv.call("HSET", "hd:sensor:s9", "sensor", "s9", "agency", tq.AGENCY, "started", str(now - 90_000_000),
                 "updated", str(now), "uptime_s", "90000", "heartbeat_s", "10", "packets", "999500",
                 "capture_drops", "500")
        srv.call("SADD", "hd:sensors", "s9")
        tickets = tq.tickets(url)
        redisenv.wait_until(lambda: srv.call("EXISTS", "hd:sensor:s1") == 0, 15, "s1's heartbeat to expire")

        conf = os.path.join(tmp, "report.json")
        with open(conf, "w", encoding="utf-8") as fh:
            json.dump(CONFIG, fh, ensure_ascii=False)
        out = os.path.join(tmp, "out")
        r = tq.triage(url, "summary", "--from", "01/01/2026", "--to", "2026-12-31", "--config", conf, "-o", out)
        check(r.returncode == 0, f"summary: exit 0 ({r.stderr.strip()[:300]})")
        md = open(os.path.join(out, "summary.md"), encoding="utf-8").read()
        m05 = open(os.path.join(out, "mau-05.md"), encoding="utf-8").read()
        counted = {i: t for i, t in tickets.items() if t["status"] != "duplicate"}

        overview = {r[0]: r[1] for r in table(md, "## 1. Tổng quan")}
        check(overview.get("Tổng số sự cố (Incidents)") == str(len(counted)),
              f"overview: {len(counted)} incidents, the duplicate left out ({overview.get('Tổng số sự cố (Incidents)')})")
        check(overview.get("Trùng lặp đã gộp, không tính ở trên (Duplicates merged, not counted above)") == "1",
              "overview: one merged duplicate")
        check(overview.get("Đã báo cáo lên cấp trên (Escalated)") == "1", "overview: one escalated")
        by_agency = collections.Counter(t["agency"] for t in counted.values())
        rows = table(md, "## 2. Theo đơn vị")
        check({r[0]: int(r[1]) for r in rows if not r[0].startswith("**")} == dict(by_agency),
              f"by agency matches list --json {dict(by_agency)}")
        by_cat = collections.Counter(t["category"] for t in counted.values())
        rows = table(md, "## 3. Theo loại")
        check({r[1].strip("`"): int(r[2]) for r in rows if r[1]} == dict(by_cat),
              f"by category matches list --json {dict(by_cat)}")
        by_sev = collections.Counter(t["severity"] for t in counted.values())
        rows = table(md, "## 4. Theo mức độ")
        got = {re.search(r"\((\w+)\)", r[0])[1]: int(r[1]) for r in rows}
        check(all(got.get(s, 0) == n for s, n in by_sev.items()) and sum(got.values()) == len(counted),
              f"by severity matches list --json {dict(by_sev)}")
        by_st = collections.Counter(t["status"] for t in counted.values())
        rows = table(md, "## 5. Theo trạng thái")
        got = {re.search(r"\((\w+)\)$", r[0])[1]: int(r[1]) for r in rows}
        check(all(got.get(s, 0) == n for s, n in by_st.items()), f"by status matches list --json {dict(by_st)}")

        times = {r[0]: r for r in table(md, "## 6. Thời gian xử lý")}
        claim = times.get("Đến khi nhận xử lý (Time to claim)", [])
        resolve = times.get("Đến khi khắc phục hoặc kết luận nhầm (Time to resolve)", [])
        check(claim[1:2] == ["3"] and re.search(r"\(\d+ s\)", claim[2]), f"time to claim over 3 claims {claim}")
        check(resolve[1:2] == ["2"] and re.search(r"\(\d+ s\)", resolve[3]),
              f"time to resolve over the resolved and the false positive {resolve}")
        if len(claim) == 4 and len(resolve) == 4:
            cs = int(re.search(r"\((\d+) s\)", claim[2])[1])
            rs = int(re.search(r"\((\d+) s\)", resolve[3])[1])
            check(rs >= cs + 1, f"resolving came after claiming ({cs} s, {rs} s)")
        ind = table(md, "## 7. Dấu hiệu hàng đầu")
        check(ind and all(r[1].startswith("`") for r in ind) and
              any("c2-lab.example" in r[1] for r in ind), f"top indicators listed ({len(ind)} rows)")
        rules = table(md, "## 8. Luật phát hiện hàng đầu")
        check(any(r[2] == "yara" for r in rules) and any(r[2] == "behaviour" for r in rules),
              f"top rules: YARA and behaviour rules ({len(rules)} rows)")
        sens = {r[0]: r for r in table(md, "## 9. Cảm biến")}
        check("s9" in sens and sens["s9"][2] == "hoạt động (ok)" and sens["s9"][7] == "0.05 %"
              and sens["s9"][4].startswith("1 ngày"), f"sensors: the live one with uptime and drops {sens.get('s9')}")
        check("s1" in sens and "silent" in sens["s1"][2], "sensors: the stopped one is silent")
        wk = table(md, "## 10. Theo tuần")
        check(sum(int(r[3]) for r in wk) == len(counted) and all(re.fullmatch(r"\d\d/\d\d/\d{4}", r[1]) for r in wk),
              "weeks: every incident in one ISO week row, dates dd/mm/yyyy")
        m = re.search(r"Lập lúc \(Generated\): (\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d)", md)
        vn = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7)))
        check(m and (int(m[1]), int(m[2]), int(m[3])) == (vn.day, vn.month, vn.year),
              f"generated at, in Vietnam time, ngày/tháng/năm ({m.group(0) if m else None})")

        # Mẫu 05
        for s in ["Mẫu số 05", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "Kính gửi:** Trung tâm Ứng cứu khẩn cấp máy tính Việt Nam",
                  "BÁO CÁO TỔNG HỢP 01 NĂM VỀ HOẠT ĐỘNG TIẾP NHẬN VÀ XỬ LÝ SỰ CỐ",
                  "Từ tháng 01/2026 đến tháng 12/2026", "Mã thành viên mạng lưới: VN-TEST-01",
                  "&lt;thử nghiệm&gt;", "20 tháng 6", "15 tháng 12", "NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT",
                  "Công ty An ninh X", "Trung tâm Y", "CERT nước ngoài Z"]:
            check(s in m05, f"mau-05: '{s}'")
        check("THIẾU" not in m05, "mau-05: every mandatory field from the configuration")
        rows = table(m05, "## 1. Số lượng sự cố")
        check([r[1] for r in rows[:10]] == NATIONAL and rows[10][1] == "**Tổng số**",
              "mau-05: the ten national types in the official order, then Tổng số")
        real = [t for t in counted.values() if t["status"] != "false_positive"]
        per = collections.Counter(t["national_type"] for t in real)
        check([int(r[2]) for r in rows[:10]] == [per.get(i, 0) for i in range(1, 11)],
              f"mau-05: Số lượng per type matches the tickets {dict(per)}")
        tot = [int(x.strip("*")) for x in rows[10][2:7]]
        sums = [sum(int(r[k]) for r in rows[:10]) for k in range(2, 7)]
        check(tot == sums and tot[0] == len(real), f"mau-05: totals add up ({tot}, {len(real)} incidents)")
        check(tot[1] == 1 and tot[2] == 1 and tot[3] == 1 and tot[4] == 1,
              f"mau-05: one self-handled (resolved), one with domestic help, one foreign, one escalated ({tot})")
        drow = rows[tickets[d]["national_type"] - 1]
        check(drow[7] == "1.500.000 đồng" and rows[10][7] == "**1.500.000 đồng**", f"mau-05: damage {drow[7]}")

        # charts
        check_svg(os.path.join(out, "chart-category.svg"), len(by_cat), rsvg, tmp)
        check_svg(os.path.join(out, "chart-agencies.svg"), len(by_agency), rsvg, tmp)
        weeks = set()
        day = datetime.date(2026, 1, 1)
        while day <= datetime.date(2026, 12, 31):
            weeks.add(day.isocalendar()[:2])
            day += datetime.timedelta(days=1)
        check_svg(os.path.join(out, "chart-weekly.svg"), len(weeks), rsvg, tmp)

        # one agency, a half year, no configuration: flagged, not silent
        out2 = os.path.join(tmp, "out2")
        r = tq.triage(url, "summary", "--from", "2026-07-01", "--to", "31/12/2026", "--agency", tq.AGENCY,
                      "-o", out2, check_rc=False)
        check(r.returncode == 0 and "missing" in r.stderr, "summary without configuration: exit 0, said so")
        m2 = open(os.path.join(out2, "mau-05.md"), encoding="utf-8").read()
        check("THIẾU / MISSING: national_center.name" in m2 and "06 THÁNG" in m2,
              "half year: the national center flagged as missing, 06 THÁNG")
        # a period without incidents still writes every chart, empty
        out3 = os.path.join(tmp, "out3")
        r = tq.triage(url, "summary", "--from", "01/01/2025", "--to", "31/01/2025", "--config", conf, "-o", out3)
        check(r.returncode == 0 and "| **Tổng số (Total)** | **0** |" in open(os.path.join(out3, "summary.md"),
                                                                              encoding="utf-8").read(),
              "an empty period: zero incidents")
        check_svg(os.path.join(out3, "chart-category.svg"), 0, rsvg, tmp)
        for bad in (["--from", "31/02/2026", "--to", "01/03/2026"], ["--from", "2026-03-01", "--to", "2026-02-01"],
                    ["--from", "yesterday", "--to", "2026-02-01"], ["--to", "2026-02-01"]):
            r = tq.triage(url, "summary", *bad, "-o", out3, check_rc=False)
            check(r.returncode == 2, f"summary {' '.join(bad)}: refused (exit {r.returncode})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
