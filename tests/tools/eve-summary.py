#!/usr/bin/env python3
"""eve-summary.py EVE_FILE - a short human summary of haidang's EVE events.

Used by `./run.sh demo`: counts events by type, then lists what an analyst
looks at first: DNS names and answers, HTTP requests, TLS servers and
certificates, SSH software, flows by protocol with nDPI risks, and the
sensor's statistics. Bilingual headings (Vietnamese / English)."""
import collections
import json
import sys


def main(path):
    events = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not JSON: {e}")
    by_type = collections.Counter(e["event_type"] for e in events)
    print(f"\n{len(events)} sự kiện / events: " +
          ", ".join(f"{t} {n}" for t, n in sorted(by_type.items())))

    def section(title, rows):
        rows = list(dict.fromkeys(rows))  # unique, in order
        if rows:
            print(f"\n== {title}")
            for r in rows[:15]:
                print("  " + r)
            if len(rows) > 15:
                print(f"  ... (+{len(rows) - 15})")

    dns = []
    for e in events:
        if e["event_type"] != "dns":
            continue
        d = e["dns"]
        for q in d.get("queries", []):
            if d.get("type") == "response":
                ans = [a.get("rdata", "") for a in d.get("answers", [])]
                dns.append(f'{q["rrname"]} {q["rrtype"]} -> {d.get("rcode", "")} '
                           + (", ".join(a for a in ans if a) or "-"))
    section("DNS (truy vấn -> trả lời / query -> answer)", dns)
    section("HTTP (yêu cầu / requests)", [
        f'{e["http"].get("http_method", "?")} {e["http"].get("hostname", e["dest_ip"])}'
        f'{e["http"].get("url", "")} -> {e["http"].get("status", "-")} '
        f'[{e["http"].get("http_user_agent", "")}]'
        for e in events if e["event_type"] == "http"])
    section("TLS (máy chủ, chứng thư / server, certificate)", [
        f'{e["tls"].get("sni", "(no SNI)")} {e["tls"].get("version", "")} '
        f'subject="{e["tls"].get("subject", "")}" ja3={e["tls"].get("ja3", {}).get("hash", "")}'
        for e in events if e["event_type"] == "tls"])
    section("SSH", [
        f'{e["src_ip"]} {e["ssh"].get("client", {}).get("software_version", "?")} -> '
        f'{e["dest_ip"]} {e["ssh"].get("server", {}).get("software_version", "?")}'
        for e in events if e["event_type"] == "ssh"])
    flows = collections.Counter()
    risks = []
    for e in events:
        if e["event_type"] != "flow":
            continue
        nd = e.get("ndpi", {})
        flows[nd.get("proto", "?")] += 1
        for r in nd.get("risks", []):
            risks.append(f'{e["src_ip"]} -> {e["dest_ip"]}:{e.get("dest_port", "")} '
                         f'{nd.get("proto")}: {r["name"]} ({r["severity"]}, {r["score"]})')
    section("Luồng theo giao thức (nDPI) / flows by protocol",
            [f"{p}: {n}" for p, n in flows.most_common()])
    section("Rủi ro nDPI / nDPI flow risks", risks)
    incidents = {}
    for e in events:
        if e["event_type"] == "incident":
            incidents[e["incident"]["id"]] = e["incident"]
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "none": 4}
    section("Sự cố / incidents (mức, điểm, máy, loại, dấu hiệu, số lần)", [
        f'{i["severity"]:8} {i["score"]:4} {i["host"]:15} {i["category"]:11} '
        f'{i["indicator"]} x{i["count"]}  [{i["national_type_name"]}]'
        for i in sorted(incidents.values(), key=lambda i: (order.get(i["severity"], 9), -i["score"]))])
    stats = [e for e in events if e["event_type"] == "stats"]
    if stats:
        s = stats[-1]["stats"]
        print(f'\n== Thống kê / statistics: {s["decoder"]["pkts"]} gói/packets, '
              f'{s["flow"]["created"]} luồng/flows, '
              f'{s["decoder"]["invalid"]} gói lỗi/malformed packets')
    print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
