#!/usr/bin/env python3
"""ndpi_compare.py - does haidang's protocol detection agree with ndpiReader's?

Usage:
  ndpi_compare.py --sensor PATH --corpus DIR [--min-agreement 0.99]
                  [--verbose] [--ndpireader PATH] [--jobs N] [--keep DIR]

(--sensor and --corpus default to $HAIDANG_SENSOR and $HAIDANG_CORPUS.)

For every capture of the corpus (DIR/ndpi/pcap/*, DIR/suricata-verify/*/*.pcap,
DIR/malicious/slips/*; files that are not pcap/pcapng are skipped) it runs

  * nDPI's own reader, ndpiReader 4.2 (Debian's libndpi-bin), with its
    default settings: no protocol, category or list files, no -t (GTP/TZSP/
    CAPWAP) decapsulation, protocol guessing on, 80 TCP / 24 UDP packets per
    flow before it gives up:

        ndpiReader -i FILE -v 2 -q

    4.2 has no JSON output; -v 2 prints one text line per flow, detected flows
    first, then the "Undetected flows:" section, e.g.

        \\t3\\tTCP 10.0.0.1:443 <-> 10.0.0.2:5555 [VLAN: 7][proto: 91.178/TLS.Amazon][Encrypted][Confidence: DPI][cat: Web/5]...
        \\t1\\tUDP [2001:db8::1]:53 -> [2001:db8::2]:5353 [proto: 5/DNS]...

  * haidang-sensor -r FILE --eve OUT.json --no-progress, reading its
    `event_type: "flow"` events;

then matches the flows of the two sides on (IP protocol, unordered pair of
endpoints with ports, VLAN), and compares nDPI's protocol name of each
matched flow: ndpi_protocol2name() of (master, app), "MASTER.APP", "APP" or
"MASTER", which is what ndpiReader prints after the "/" and what haidang
writes as ndpi.proto. Addresses are compared in ndpiReader's own text form
(glibc inet_ntop, then nDPI 4.2's ndpi_patchIPv6Address(), which turns every
":0:" into "::" - lossy, so haidang's expanded IPv6 addresses are converted
to that form, not the other way round).

Flows only one side reports are counted and listed apart, each with its most
likely reason (tunnels ndpiReader does not open, IP fragments, flows haidang
ends on idle timeout or TCP close and sees again, ...); they are not part of
the percentage. docs/ndpi-agreement.md explains every kind of difference and
gives the measured figures. Confidence, category and risks of matched flows
are compared too and reported, but not scored.

Exit status: 0 when the share of matched flows with the same protocol is at
least --min-agreement; 1 when it is lower or the sensor failed on a capture
(crash, timeout, no output); 77 (meson's "skipped") when the corpus folder or
ndpiReader is missing.
"""
import argparse
import collections
import concurrent.futures
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

SKIP = 77
TIMEOUT = 300  # seconds, per tool and capture

# ndpiReader's ipProto2Name() and haidang's proto_name() -> IP protocol number
L4_NAMES = {
    "TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "IPV6-ICMP": 58,
    "VRRP": 112, "IGMP": 2, "GRE": 47, "ESP": 50, "SCTP": 132,
}

# The start of one flow of ndpiReader -v 2 (printFlow() in
# example/ndpiReader.c of nDPI 4.2); [flowId:] and [score:] only appear with
# options this test does not use, the "TUNNEL:" prefix of proto only with -t.
FLOW_START_RE = re.compile(r"^\t\d+\t\S+ ")
FLOW_RE = re.compile(
    r"^\t(?P<num>\d+)\t(?P<l4>\S+) "
    r"(?P<src>\[[^\]]*\]|[^ \[]+):(?P<sport>\d+) (?P<dir><->|->) "
    r"(?P<dst>\[[^\]]*\]|[^ \[]+):(?P<dport>\d+) "
    r"(?:\[VLAN: (?P<vlan>\d+)\])?"
    r"(?:\[flowId: \d+\])?"
    r"(?:\[score: [^\]]*\])?"
    r"\[proto: (?:(?P<tunnel>[A-Za-z]+):)?(?P<ids>[\d.]+)/(?P<name>[^\]]*)\]"
    r"(?:\[(?:Encrypted|ClearText)\])?"
    r"(?:\[Confidence: (?P<conf>[^\]]*)\])?"
)
CAT_RE = re.compile(r"\[cat: ([^\]]*?)/\d+\]")
RISK_RE = re.compile(r"\[Risk: ((?:\*\* [^*]*? \*\*)+)\]")

UDP_TUNNEL_PORTS = {4789: "VXLAN", 6081: "Geneve", 3544: "Teredo"}
NOT_OPENED_BY_NDPIREADER = ("GRE", "VXLAN", "Geneve", "Teredo")


def l4_number(name):
    name = str(name).strip().upper()
    if name in L4_NAMES:
        return L4_NAMES[name]
    try:
        return int(name, 10)
    except ValueError:
        return -1


def patch_ipv6(text):
    """nDPI 4.2's ndpi_patchIPv6Address(): every ":0:" becomes "::"."""
    out, i = [], 0
    while i < len(text):
        if text[i] == ":" and text[i + 1:i + 3] == "0:":
            out.append("::")
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def ndpi_addr_form(addr):
    """The text ndpiReader 4.2 prints for an address."""
    addr = str(addr).strip().strip("[]")
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr.lower()  # already ndpiReader's (possibly patched) text
    if ip.version == 4:
        return str(ip)
    return patch_ipv6(socket.inet_ntop(socket.AF_INET6, ip.packed))


def endpoint_key(proto, a, pa, b, pb):
    ea, eb = (a, pa), (b, pb)
    return (proto,) + (ea + eb if ea <= eb else eb + ea)


def is_capture(path):
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError:
        return False
    return magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4",  # pcap, us
                     b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",  # pcap, ns
                     b"\x0a\x0d\x0d\x0a")                       # pcapng


def corpus_files(corpus):
    def listdir(d):
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    cands = [os.path.join(corpus, "ndpi", "pcap", n)
             for n in listdir(os.path.join(corpus, "ndpi", "pcap"))]
    sv = os.path.join(corpus, "suricata-verify")
    for t in listdir(sv):
        cands += [os.path.join(sv, t, n) for n in listdir(os.path.join(sv, t))
                  if n.endswith(".pcap")]
    cands += [os.path.join(corpus, "malicious", "slips", n)
              for n in listdir(os.path.join(corpus, "malicious", "slips"))]
    return [c for c in cands if os.path.isfile(c) and is_capture(c)]


class Flow:
    def __init__(self, **kw):
        self.cat = "Unspecified"
        self.risks = frozenset()
        self.conf = ""
        self.start = ""
        self.tunnel = None
        self.vlans = []
        self.__dict__.update(kw)

    def key(self, with_vlan=True):
        k = endpoint_key(self.proto, self.a, self.pa, self.b, self.pb)
        return k + ((self.vlan,) if with_vlan else ())

    def describe(self):
        v = f" vlan {self.vlan}" if self.vlan else ""
        t = f" in {self.tunnel}" if self.tunnel else ""
        return f"{self.proto}/{self.a}:{self.pa}-{self.b}:{self.pb}{v}{t}"


def parse_ndpireader(text, pcap):
    """Flows of ndpiReader -v 2 output; returns (flows, lines not understood)."""
    # One flow is one line, except that printFlow() copies strings from the
    # traffic (telnet Username, User-Agent, ...) raw: a CR/LF in them carries
    # the rest of the flow over to the next lines. Glue those back.
    records, cont = [], False
    for line in text.split("\n"):
        if FLOW_START_RE.match(line) and "[proto: " in line:
            records.append(line)
            cont = True
        elif cont and line.strip() and not line.startswith("\t"):
            records[-1] += " " + line
        else:
            cont = False
    flows, unparsed = [], []
    for rec in records:
        m = FLOW_RE.match(rec)
        if not m:
            unparsed.append(rec[:160])
            continue
        cat = CAT_RE.search(rec, m.end())
        risk = RISK_RE.search(rec, m.end())
        flows.append(Flow(
            file=pcap, proto=l4_number(m["l4"]),
            a=ndpi_addr_form(m["src"]), pa=int(m["sport"]),
            b=ndpi_addr_form(m["dst"]), pb=int(m["dport"]),
            vlan=int(m["vlan"] or 0), name=m["name"], conf=m["conf"] or "",
            cat=cat.group(1) if cat else "Unspecified",
            risks=frozenset(x.strip() for x in risk.group(1).split("**")
                            if x.strip()) if risk else frozenset(),
            tunnel=m["tunnel"]))
    return flows, unparsed


def run_ndpireader(reader, pcap):
    try:
        res = subprocess.run([reader, "-i", pcap, "-v", "2", "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return [], [], "timeout"
    flows, unparsed = parse_ndpireader(res.stdout.decode("utf-8", "replace"), pcap)
    return flows, unparsed, (None if res.returncode == 0
                             else f"exit status {res.returncode}")


def parse_eve(path, pcap):
    """haidang's flows (one per flow_id) and its last stats event."""
    byid = collections.OrderedDict()
    stats = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            et = ev.get("event_type")
            if et == "stats":
                stats = ev.get("stats") or {}
            elif et == "flow":
                # an active-timeout report repeats the flow_id: keep the last
                byid[ev.get("flow_id", len(byid))] = ev
    flows = []
    for ev in byid.values():
        nd = ev.get("ndpi") or {}
        vl = ev.get("vlan") or []
        tun = ev.get("tunnel") or {}
        flows.append(Flow(
            file=pcap, proto=l4_number(ev.get("proto", "")),
            a=ndpi_addr_form(ev.get("src_ip", "")),
            pa=int(ev.get("src_port", 0) or 0),
            b=ndpi_addr_form(ev.get("dest_ip", "")),
            pb=int(ev.get("dest_port", 0) or 0),
            # ndpiReader keys a flow on the innermost 802.1Q tag it read
            vlan=int(vl[-1]) if vl else 0, vlans=vl,
            name=nd.get("proto", "(no ndpi object)"),
            conf=nd.get("confidence", ""),
            cat=nd.get("category") or "Unspecified",
            risks=frozenset(r.get("name", "") if isinstance(r, dict) else str(r)
                            for r in nd.get("risks") or []),
            start=(ev.get("flow") or {}).get("start", ev.get("timestamp", "")),
            tunnel=tun.get("type")))
    return flows, stats


def run_sensor(sensor, pcap, out):
    """Returns (flows, stats, error or None, note or None)."""
    try:
        res = subprocess.run([sensor, "-r", pcap, "--eve", out, "--no-progress",
                              "--log-level", "error"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return [], {}, f"timeout after {TIMEOUT} s", None
    msg = res.stdout.decode("utf-8", "replace").strip()
    if not os.path.exists(out):
        return [], {}, f"exit status {res.returncode}, no EVE output: {msg[:300]}", None
    flows, stats = parse_eve(out, pcap)
    if res.returncode < 0 or res.returncode > 1:
        return flows, stats, f"exit status {res.returncode}: {msg[:300]}", None
    # 1: the sensor read what it could and reports a broken input
    note = msg.splitlines()[0][:300] if res.returncode == 1 and msg else None
    return flows, stats, None, note


def match(nflows, hflows):
    """Pairs the flows up: returns (pairs, ndpi_only, haidang_only, again)."""
    hby = collections.defaultdict(list)
    for h in sorted(hflows, key=lambda f: f.start):
        hby[h.key()].append(h)
    pairs, left = [], []
    for n in nflows:
        lst = hby.get(n.key())
        if lst:
            pairs.append((n, lst.pop(0)))
        else:
            left.append(n)
    # second pass without the VLAN (stacked tags the two sides read apart)
    hby2 = collections.defaultdict(list)
    for lst in hby.values():
        for h in lst:
            hby2[h.key(False)].append(h)
    nd_only = []
    for n in left:
        lst = hby2.get(n.key(False))
        if lst:
            h = lst.pop(0)
            hby[h.key()].remove(h)
            pairs.append((n, h))
        else:
            nd_only.append(n)
    matched = {n.key(False) for n, _ in pairs}
    h_only, again = [], []
    for lst in hby.values():
        for h in lst:
            (again if h.key(False) in matched else h_only).append(h)
    return pairs, nd_only, h_only, again


def frag_seen(stats):
    return bool((stats.get("defrag") or {}).get("fragments")
                or (stats.get("decoder") or {}).get("fragments"))


def reason_ndpi_only(f, hflows, stats):
    """Most likely reason why haidang has no flow like ndpiReader's flow f."""
    tunnels = {h.tunnel for h in hflows if h.tunnel}
    if f.proto == 47:
        return "GRE outer flow: haidang opens GRE and reports the inner flows"
    if f.proto == 17:
        for p in (f.pa, f.pb):
            t = UDP_TUNNEL_PORTS.get(p)
            if t and t in tunnels:
                return (f"{t} outer flow: haidang opens {t} and reports the "
                        "inner flows")
    if f.proto in (6, 17) and frag_seen(stats):
        return ("IP fragments: ndpiReader reads a first fragment alone (ports "
                "from a fragment too short for them read as 0), haidang "
                "reassembles the datagram")
    dec = stats.get("decoder") or {}
    if dec.get("not_ip") or dec.get("invalid"):
        return ("frames haidang does not decode as IP (counted in its "
                "decoder.not_ip / errors), e.g. a bogus DLT_NULL family that "
                "ndpiReader takes for IPv6")
    return "other"


def reason_haidang_only(f, stats):
    if f.tunnel in NOT_OPENED_BY_NDPIREADER:
        return f"inner flow of a {f.tunnel} tunnel ndpiReader does not open"
    if f.proto == 59:
        return "IPv6 'no next header' packets: ndpiReader drops them"
    if frag_seen(stats):
        return ("reassembled IP datagram: ndpiReader drops non-first "
                "fragments and reads first ones alone")
    return "other"


AGAIN = ("same flow seen again by haidang after it ended the first one "
         "(idle timeout, or new packets after TCP close); ndpiReader never "
         "ends a flow while reading a file")


def compare_file(args, reader, tmpdir, idx, pcap):
    nflows, unparsed, nerr = run_ndpireader(reader, pcap)
    out = os.path.join(tmpdir, f"{idx:03d}-{os.path.basename(pcap)}.eve.json")
    hflows, stats, herr, hnote = run_sensor(args.sensor, pcap, out)
    pairs, nd_only, h_only, again = match(nflows, hflows)
    return dict(pcap=pcap, nflows=nflows, hflows=hflows, stats=stats,
                unparsed=unparsed, nerr=nerr, herr=herr, hnote=hnote,
                pairs=pairs, nd_only=nd_only, h_only=h_only, again=again)


def main():
    ap = argparse.ArgumentParser(
        description="haidang-sensor vs ndpiReader 4.2, flow by flow")
    ap.add_argument("--sensor", default=os.environ.get("HAIDANG_SENSOR"),
                    help="haidang-sensor binary (default: $HAIDANG_SENSOR)")
    ap.add_argument("--corpus", default=os.environ.get("HAIDANG_CORPUS"),
                    help="the corpus folder, shared/corpus (default: $HAIDANG_CORPUS)")
    ap.add_argument("--ndpireader", default=None,
                    help="ndpiReader binary (default: ndpiReader from PATH)")
    ap.add_argument("--min-agreement", type=float, default=0.99,
                    help="least share of matched flows with the same protocol")
    ap.add_argument("--verbose", action="store_true",
                    help="figures per capture and every difference")
    ap.add_argument("--examples", type=int, default=3,
                    help="examples shown per kind of difference (default 3)")
    ap.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--keep", metavar="DIR",
                    help="keep haidang's EVE files there instead of a temporary dir")
    args = ap.parse_args()

    if not args.corpus or not os.path.isdir(args.corpus):
        print(f"SKIP: corpus folder {args.corpus!r} not found")
        return SKIP
    reader = args.ndpireader or shutil.which("ndpiReader")
    if not reader or not os.access(reader, os.X_OK):
        print("SKIP: ndpiReader not found (Debian: apt-get install libndpi-bin)")
        return SKIP
    if not args.sensor or not os.access(args.sensor, os.X_OK):
        print(f"FAIL: sensor {args.sensor!r} is not an executable")
        return 1
    files = corpus_files(args.corpus)
    if not files:
        print(f"SKIP: no captures under {args.corpus}")
        return SKIP
    helptext = subprocess.run([reader, "-h"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT).stdout.decode("utf-8", "replace")
    m = re.search(r"nDPI (\d+\.\d+(?:\.\d+)?)", helptext)
    version = m.group(1) if m else "?"

    def work(tmpdir):
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            return list(ex.map(lambda ip: compare_file(args, reader, tmpdir, *ip),
                               enumerate(files)))

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        results = work(args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="ndpi-compare-") as tmpdir:
            results = work(tmpdir)

    tot = collections.Counter()
    groups = {g: (collections.Counter(), collections.defaultdict(list))
              for g in ("proto", "nd_only", "h_only", "conf", "cat", "risk")}
    failures, notes = [], []

    def add(group, kind, example):
        cnt, ex = groups[group]
        cnt[kind] += 1
        ex[kind].append(example)

    for r in results:
        name = os.path.relpath(r["pcap"], args.corpus)
        agree = sum(1 for n, h in r["pairs"] if n.name == h.name)
        tot["files"] += 1
        tot["nflows"] += len(r["nflows"])
        tot["hflows"] += len(r["hflows"])
        tot["both"] += len(r["pairs"])
        tot["agree"] += agree
        tot["nd_only"] += len(r["nd_only"])
        tot["h_only"] += len(r["h_only"]) + len(r["again"])
        tot["unparsed"] += len(r["unparsed"])
        if r["herr"]:
            failures.append(f"{name}: haidang-sensor: {r['herr']}")
        if r["hnote"]:
            notes.append(f"{name}: haidang-sensor: {r['hnote']}")
        if r["nerr"]:
            notes.append(f"{name}: ndpiReader: {r['nerr']}")
        for u in r["unparsed"]:
            notes.append(f"{name}: ndpiReader line not understood: {u!r}")
        for n, h in r["pairs"]:
            both_unknown = n.name == "Unknown" and h.name == "Unknown"
            tot["known"] += not both_unknown
            tot["known_agree"] += (not both_unknown) and n.name == h.name
            where = f"{name} {n.describe()}"
            if n.name != h.name:
                add("proto", f"ndpiReader {n.name} / haidang {h.name}",
                    f"{where} [confidence: ndpiReader {n.conf or '-'}, "
                    f"haidang {h.conf or '-'}]")
            tot["conf_same"] += n.conf == h.conf
            if n.conf != h.conf:
                add("conf", f"ndpiReader {n.conf} / haidang {h.conf}",
                    f"{where} {n.name}")
            tot["cat_same"] += n.cat == h.cat
            if n.cat != h.cat:
                add("cat", f"ndpiReader {n.cat} / haidang {h.cat}",
                    f"{where} {n.name}")
            tot["risk_same"] += n.risks == h.risks
            for x in sorted(n.risks - h.risks):
                add("risk", f"only ndpiReader flags '{x}'", f"{where} {n.name}")
            for x in sorted(h.risks - n.risks):
                add("risk", f"only haidang flags '{x}'", f"{where} {n.name}")
        for f in r["nd_only"]:
            add("nd_only", reason_ndpi_only(f, r["hflows"], r["stats"]),
                f"{name} {f.describe()} {f.name}")
        for f in r["h_only"]:
            add("h_only", reason_haidang_only(f, r["stats"]),
                f"{name} {f.describe()} {f.name}")
        for f in r["again"]:
            add("h_only", AGAIN, f"{name} {f.describe()} {f.name} from {f.start}")
        if args.verbose:
            pct = 100.0 * agree / len(r["pairs"]) if r["pairs"] else 100.0
            print(f"{name}: ndpiReader {len(r['nflows'])}, haidang "
                  f"{len(r['hflows'])}, both {len(r['pairs'])}, same protocol "
                  f"{agree} ({pct:.1f}%), only ndpiReader {len(r['nd_only'])}, "
                  f"only haidang {len(r['h_only']) + len(r['again'])}")

    def pct(a, b):
        return 100.0 * a / b if b else 100.0

    ratio = tot["agree"] / tot["both"] if tot["both"] else 1.0
    w = 56
    print()
    print(f"haidang-sensor vs ndpiReader {version} (ndpiReader -i FILE -v 2 -q), "
          "flow by flow")
    print("-" * (w + 22))
    rows = [
        ("captures", f"{tot['files']}"),
        ("flows ndpiReader reports", f"{tot['nflows']}"),
        ("flows haidang reports", f"{tot['hflows']}"),
        ("flows both see (matched)", f"{tot['both']}"),
        ("  same protocol (master/app)", f"{tot['agree']}"),
        ("  different protocol", f"{tot['both'] - tot['agree']}"),
        ("flows only ndpiReader reports (not scored)", f"{tot['nd_only']}"),
        ("flows only haidang reports (not scored)", f"{tot['h_only']}"),
        ("AGREEMENT on flows both see", f"{pct(tot['agree'], tot['both']):.2f}%"),
        ("  required", f"{100.0 * args.min_agreement:.2f}%"),
        ("  without flows both leave Unknown",
         f"{pct(tot['known_agree'], tot['known']):.2f}% "
         f"({tot['known_agree']}/{tot['known']})"),
        ("same confidence (not scored)",
         f"{pct(tot['conf_same'], tot['both']):.2f}%"),
        ("same category (not scored)",
         f"{pct(tot['cat_same'], tot['both']):.2f}%"),
        ("same set of risks (not scored)",
         f"{pct(tot['risk_same'], tot['both']):.2f}%"),
    ]
    for label, val in rows:
        print(f"{label:<{w}}{val:>22}")

    titles = {
        "proto": "protocol differences on matched flows",
        "nd_only": "flows only ndpiReader reports, by likely reason",
        "h_only": "flows only haidang reports, by likely reason",
        "conf": "confidence differences on matched flows (not scored)",
        "cat": "category differences on matched flows (not scored)",
        "risk": "risk differences on matched flows (not scored)",
    }
    for g, title in titles.items():
        cnt, ex = groups[g]
        if not cnt:
            continue
        print()
        print(f"{title}: {sum(cnt.values())}")
        for kind, c in cnt.most_common():
            print(f"  {c:6}  {kind}")
            for e in ex[kind][:None if args.verbose else args.examples]:
                print(f"          e.g. {e}")

    for title, lst in (("notes", notes), ("failures", failures)):
        if lst:
            print()
            print(f"{title}:")
            for x in lst:
                print(f"  {x}")

    ok = ratio >= args.min_agreement and not failures
    print()
    print(f"{'PASS' if ok else 'FAIL'}: {tot['agree']}/{tot['both']} matched flows "
          f"have the same protocol ({pct(tot['agree'], tot['both']):.2f}%, "
          f"minimum {100.0 * args.min_agreement:.2f}%)"
          + (f"; the sensor failed on {len(failures)} capture(s)" if failures else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
