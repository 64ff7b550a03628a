#!/usr/bin/env python3
"""Compare haidang-sensor's nDPI verdicts with nDPI's own reader, flow by flow.

For every pcap of the corpus (ndpi/pcap/*, suricata-verify/*/*.pcap,
malicious/slips/*) this runs

  * ndpiReader (nDPI 4.2, Debian's libndpi-bin) as `ndpiReader -i FILE -v 2 -q`
    -- default settings: no protocol/category files, no tunnel (-t) decoding,
    protocol guessing on, 80 TCP / 24 UDP packets before giving up -- and parses
    its per-flow text lines, e.g.

        \t3\tTCP 10.0.0.1:443 <-> 10.0.0.2:5555 [VLAN: 7][proto: 91.178/TLS.Amazon][...]
        \t1\tUDP [2001:db8::1]:53 -> [2001:db8::2]:5353 [proto: 5/DNS][...]

  * haidang-sensor -r FILE --eve OUT.json --no-progress, and reads its
    `event_type: "flow"` events,

then matches the flows of the two sides by (IP protocol, unordered pair of
endpoints with ports, VLAN) and compares the protocol name (nDPI's
ndpi_protocol2name(): "MASTER.APP", "APP" or "MASTER") of each matched flow.

Flows only one side reports are counted and listed separately (they are not
part of the percentage); each is given the most likely reason, see
docs/ndpi-agreement.md for the explanations.

Exit status: 0 when the agreement on flows both sides see is at least
--min-agreement, 1 when it is lower (or a tool failed), 77 (meson's "skipped")
when the corpus or ndpiReader is missing.
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

# ndpiReader's ipProto2Name() and haidang's proto_name() -> IP protocol number
L4_NAMES = {
    "TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "IPV6-ICMP": 58,
    "VRRP": 112, "IGMP": 2, "GRE": 47, "ESP": 50, "SCTP": 132,
}

# One flow line of ndpiReader -v 2 (printFlow() in example/ndpiReader.c, 4.2).
FLOW_RE = re.compile(
    r"^\t(?P<num>\d+)\t(?P<l4>\S+) "
    r"(?P<src>\[[^\]]*\]|[^ \[]+):(?P<sport>\d+) (?P<dir><->|->) "
    r"(?P<dst>\[[^\]]*\]|[^ \[]+):(?P<dport>\d+) "
    r"(?:\[VLAN: (?P<vlan>\d+)\])?"
    r"(?:\[flowId: \d+\])?"
    r"(?:\[score: [^\]]*\])?"
    r"\[proto: (?:(?P<tunnel>[A-Za-z]+):)?(?P<ids>[\d.]+)/(?P<name>[^\]]*)\]"
    r"(?:\[[^\]]*\])?"                       # [Encrypted] / [ClearText]
    r"(?:\[Confidence: (?P<conf>[^\]]*)\])?"
)

TUNNEL_PORTS = {4789: "VXLAN", 6081: "Geneve", 3544: "Teredo"}


def l4_number(name):
    name = name.strip().upper()
    if name in L4_NAMES:
        return L4_NAMES[name]
    try:
        return int(name, 10)
    except ValueError:
        return -1


def patch_ipv6(text):
    """nDPI 4.2's ndpi_patchIPv6Address(): every ":0:" becomes "::"."""
    out = []
    i = 0
    while i < len(text):
        if text[i] == ":" and text[i + 1:i + 3] == "0:":
            out.append("::")
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def ndpi_addr_form(addr):
    """The text ndpiReader 4.2 prints for an address (glibc inet_ntop, then the
    ":0:" patch for IPv6), so both sides can be compared as strings: the patch
    makes ndpiReader's IPv6 text lossy, it cannot always be parsed back."""
    addr = addr.strip().strip("[]")
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr.lower()
    if ip.version == 4:
        return str(ip)
    return patch_ipv6(socket.inet_ntop(socket.AF_INET6, ip.packed))


def endpoint_key(proto, a, pa, b, pb):
    ea, eb = (a, pa), (b, pb)
    return (proto,) + (ea + eb if ea <= eb else eb + ea)


def is_pcap(path):
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError:
        return False
    return magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4",  # pcap (us)
                     b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",  # pcap (ns)
                     b"\x0a\x0d\x0d\x0a")                       # pcapng


def corpus_files(corpus):
    globs = [("ndpi", "pcap", None), ("suricata-verify", None, ".pcap"),
             ("malicious", "slips", None)]
    files = []
    for top, sub, ext in globs:
        base = os.path.join(corpus, top)
        if not os.path.isdir(base):
            continue
        if sub:
            d = os.path.join(base, sub)
            names = sorted(os.listdir(d)) if os.path.isdir(d) else []
            cands = [os.path.join(d, n) for n in names]
        else:
            cands = []
            for t in sorted(os.listdir(base)):
                d = os.path.join(base, t)
                if os.path.isdir(d):
                    cands += [os.path.join(d, n) for n in sorted(os.listdir(d))
                              if n.endswith(ext)]
        files += [c for c in cands if os.path.isfile(c) and is_pcap(c)]
    return files


class Flow:
    __slots__ = ("side", "file", "proto", "a", "pa", "b", "pb", "vlan",
                 "name", "conf", "extra", "start", "tunnel", "vlans")

    def __init__(self, **kw):
        self.extra = {}
        self.start = ""
        self.tunnel = None
        self.vlans = []
        self.conf = ""
        for k, v in kw.items():
            setattr(self, k, v)

    def key(self, with_vlan=True):
        k = endpoint_key(self.proto, self.a, self.pa, self.b, self.pb)
        return k + ((self.vlan,) if with_vlan else ())

    def describe(self):
        v = f" vlan {self.vlan}" if self.vlan else ""
        t = f" (in {self.tunnel})" if self.tunnel else ""
        return f"{self.proto}/{self.a}:{self.pa}-{self.b}:{self.pb}{v}{t}"


def run_ndpireader(reader, pcap):
    res = subprocess.run([reader, "-i", pcap, "-v", "2", "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=300)
    text = res.stdout.decode("utf-8", "replace")
    flows = []
    unparsed = 0
    for line in text.splitlines():
        if "[proto: " not in line:
            continue
        m = FLOW_RE.match(line)
        if not m:
            unparsed += 1
            continue
        flows.append(Flow(
            side="ndpiReader", file=pcap, proto=l4_number(m["l4"]),
            a=ndpi_addr_form(m["src"]), pa=int(m["sport"]),
            b=ndpi_addr_form(m["dst"]), pb=int(m["dport"]),
            vlan=int(m["vlan"] or 0), name=m["name"], conf=m["conf"] or "",
            tunnel=m["tunnel"]))
    return flows, unparsed, res.returncode


def run_sensor(sensor, pcap, tmpdir, idx):
    out = os.path.join(tmpdir, f"eve-{idx}.json")
    res = subprocess.run([sensor, "-r", pcap, "--eve", out, "--no-progress",
                          "--log-level", "error"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=300)
    byid = collections.OrderedDict()
    try:
        with open(out, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if ev.get("event_type") != "flow":
                    continue
                # active-timeout reports repeat a flow_id: keep the last one
                byid[ev.get("flow_id", id(ev))] = ev
    except OSError:
        pass
    flows = []
    for ev in byid.values():
        nd = ev.get("ndpi") or {}
        vl = ev.get("vlan") or []
        tun = ev.get("tunnel")
        # ndpiReader keys on the innermost 802.1Q tag it saw; it does not
        # decapsulate GRE/VXLAN/Geneve/Teredo, so inner tags of those are moot
        flows.append(Flow(
            side="haidang", file=pcap, proto=l4_number(str(ev.get("proto", ""))),
            a=ndpi_addr_form(ev.get("src_ip", "")), pa=int(ev.get("src_port", 0) or 0),
            b=ndpi_addr_form(ev.get("dest_ip", "")), pb=int(ev.get("dest_port", 0) or 0),
            vlan=int(vl[-1]) if vl else 0, vlans=vl,
            name=nd.get("proto", "Unknown") if nd else "(no ndpi)",
            conf=nd.get("confidence", "") if nd else "",
            start=(ev.get("flow") or {}).get("start", ev.get("timestamp", "")),
            tunnel=(tun or {}).get("type") if tun else None))
    return flows, res.returncode, res.stdout.decode("utf-8", "replace")


def match(nflows, hflows):
    """Pairs up flows; returns (pairs, ndpi_only, haidang_only, split)."""
    pairs, split = [], []
    hby = collections.defaultdict(list)
    for h in sorted(hflows, key=lambda f: f.start):
        hby[h.key()].append(h)
    left = []
    for n in nflows:
        lst = hby.get(n.key())
        if lst:
            pairs.append((n, lst.pop(0)))
        else:
            left.append(n)
    # second pass without the VLAN (e.g. QinQ tags the two sides read apart)
    hby2 = collections.defaultdict(list)
    for lst in hby.values():
        for h in lst:
            hby2[h.key(False)].append(h)
    nd_only = []
    for n in left:
        lst = hby2.get(n.key(False))
        if lst:
            h = lst.pop(0)
            pairs.append((n, h))
            hby[h.key()].remove(h)
        else:
            nd_only.append(n)
    matched_keys = {n.key(False) for n, _ in pairs}
    h_only = []
    for lst in hby.values():
        for h in lst:
            (split if h.key(False) in matched_keys else h_only).append(h)
    return pairs, nd_only, h_only, split


def reason_ndpi_only(f, hflows):
    """Most likely reason why haidang has no flow for ndpiReader's flow f."""
    tunnelled = any(h.tunnel for h in hflows)
    if f.proto == 47:
        return "tunnel outer flow (GRE): haidang reports the inner flows"
    if f.proto == 17:
        for p in (f.pa, f.pb):
            if p in TUNNEL_PORTS and (tunnelled or f.name.endswith(TUNNEL_PORTS[p])):
                return (f"tunnel outer flow ({TUNNEL_PORTS[p]}): haidang "
                        "reports the inner flows")
    if f.proto == 17 or f.proto == 6:
        if f.pa == 0 or f.pb == 0:
            return "port 0 (first IP fragment or garbage read as L4 by ndpiReader)"
    return "other"


def reason_haidang_only(f):
    if f.tunnel in ("GRE", "VXLAN", "Geneve", "Teredo"):
        return f"inner flow of a {f.tunnel} tunnel ndpiReader does not decapsulate"
    return "other"


def compare_file(args, reader, tmpdir, idx, pcap):
    nflows, unparsed, nrc = run_ndpireader(reader, pcap)
    hflows, hrc, hout = run_sensor(args.sensor, pcap, tmpdir, idx)
    pairs, nd_only, h_only, split = match(nflows, hflows)
    return dict(pcap=pcap, nflows=nflows, hflows=hflows, unparsed=unparsed,
                nrc=nrc, hrc=hrc, hout=hout, pairs=pairs, nd_only=nd_only,
                h_only=h_only, split=split)


def short(corpus, path):
    return os.path.relpath(path, corpus)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sensor", required=True, help="haidang-sensor binary")
    ap.add_argument("--corpus", required=True, help="corpus dir (shared/corpus)")
    ap.add_argument("--ndpireader", default=None,
                    help="ndpiReader binary (default: from PATH)")
    ap.add_argument("--min-agreement", type=float, default=0.99)
    ap.add_argument("--verbose", action="store_true",
                    help="per-file figures and every difference")
    ap.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--examples", type=int, default=3,
                    help="examples shown for each kind of difference")
    args = ap.parse_args()

    reader = args.ndpireader or shutil.which("ndpiReader") or (
        "/usr/bin/ndpiReader" if os.access("/usr/bin/ndpiReader", os.X_OK) else None)
    if not os.path.isdir(args.corpus):
        print(f"SKIP: corpus {args.corpus} not found")
        return SKIP
    if not reader or not os.access(reader, os.X_OK):
        print("SKIP: ndpiReader not found (apt-get install libndpi-bin)")
        return SKIP
    if not os.access(args.sensor, os.X_OK):
        print(f"FAIL: sensor {args.sensor} is not executable")
        return 1
    ver = subprocess.run([reader, "-h"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT).stdout.decode("utf-8", "replace")
    m = re.search(r"nDPI (\d+\.\d+[\w.\-]*)", ver)
    version = m.group(1) if m else "?"
    if not version.startswith("4.2"):
        print(f"note: ndpiReader is nDPI {version}, the figures in "
              "docs/ndpi-agreement.md are for 4.2")

    files = corpus_files(args.corpus)
    if not files:
        print(f"SKIP: no pcap files under {args.corpus}")
        return SKIP

    with tempfile.TemporaryDirectory(prefix="ndpi-compare-") as tmpdir:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            results = list(ex.map(lambda ip: compare_file(args, reader, tmpdir, *ip),
                                  enumerate(files)))

    tot = collections.Counter()
    kinds = collections.Counter()
    kind_ex = collections.defaultdict(list)
    nd_only_r = collections.Counter()
    nd_only_ex = collections.defaultdict(list)
    h_only_r = collections.Counter()
    h_only_ex = collections.defaultdict(list)
    failures = []

    for r in results:
        name = short(args.corpus, r["pcap"])
        agree = sum(1 for n, h in r["pairs"] if n.name == h.name)
        tot["files"] += 1
        tot["nflows"] += len(r["nflows"])
        tot["hflows"] += len(r["hflows"])
        tot["both"] += len(r["pairs"])
        tot["agree"] += agree
        tot["nd_only"] += len(r["nd_only"])
        tot["h_only"] += len(r["h_only"])
        tot["split"] += len(r["split"])
        tot["unparsed"] += r["unparsed"]
        if r["hrc"] not in (0,):
            failures.append(f"{name}: haidang-sensor exit {r['hrc']}: "
                            f"{r['hout'].strip()[:200]}")
        for n, h in r["pairs"]:
            if n.name != h.name:
                k = (n.name, h.name)
                kinds[k] += 1
                kind_ex[k].append(f"{name} {n.describe()} [ndpiReader {n.conf or '-'}"
                                  f" / haidang {h.conf or '-'}]")
        for f in r["nd_only"]:
            why = reason_ndpi_only(f, r["hflows"])
            nd_only_r[why] += 1
            nd_only_ex[why].append(f"{name} {f.describe()} {f.name}")
        for f in r["h_only"]:
            why = reason_haidang_only(f)
            h_only_r[why] += 1
            h_only_ex[why].append(f"{name} {f.describe()} {f.name}")
        for f in r["split"]:
            why = "same tuple again in haidang (idle timeout / TCP port reuse split)"
            h_only_r[why] += 1
            h_only_ex[why].append(f"{name} {f.describe()} {f.name}")
        if args.verbose:
            pct = 100.0 * agree / len(r["pairs"]) if r["pairs"] else 100.0
            print(f"{name}: ndpiReader {len(r['nflows'])}, haidang "
                  f"{len(r['hflows'])}, both {len(r['pairs'])}, agree {agree} "
                  f"({pct:.1f}%), only ndpiReader {len(r['nd_only'])}, "
                  f"only haidang {len(r['h_only']) + len(r['split'])}"
                  + (f", unparsed lines {r['unparsed']}" if r["unparsed"] else ""))

    ratio = tot["agree"] / tot["both"] if tot["both"] else 1.0
    w = 62
    print()
    print(f"haidang vs ndpiReader {version}, flow by flow "
          f"(ndpiReader -i FILE -v 2 -q)")
    print("-" * (w + 12))
    rows = [
        ("pcap files", tot["files"]),
        ("flows reported by ndpiReader", tot["nflows"]),
        ("flows reported by haidang", tot["hflows"]),
        ("flows both see (matched)", tot["both"]),
        ("  same protocol (master/app)", tot["agree"]),
        ("  different protocol", tot["both"] - tot["agree"]),
        ("flows only ndpiReader reports", tot["nd_only"]),
        ("flows only haidang reports", tot["h_only"] + tot["split"]),
    ]
    if tot["unparsed"]:
        rows.append(("ndpiReader lines not understood", tot["unparsed"]))
    for label, val in rows:
        print(f"{label:<{w}}{val:>10}")
    print(f"{'agreement on flows both see':<{w}}{100.0 * ratio:>9.2f}%")
    print(f"{'required':<{w}}{100.0 * args.min_agreement:>9.2f}%")

    def listing(title, counter, examples, total):
        if not counter:
            return
        print()
        print(f"{title} ({total}):")
        for k, c in counter.most_common():
            label = k if isinstance(k, str) else f"ndpiReader {k[0]} / haidang {k[1]}"
            print(f"  {c:5}  {label}")
            n = len(examples[k]) if args.verbose else args.examples
            for e in examples[k][:n]:
                print(f"           e.g. {e}")

    listing("protocol differences on matched flows, by kind",
            kinds, kind_ex, tot["both"] - tot["agree"])
    listing("flows only ndpiReader reports, by likely reason",
            nd_only_r, nd_only_ex, tot["nd_only"])
    listing("flows only haidang reports, by likely reason",
            h_only_r, h_only_ex, tot["h_only"] + tot["split"])

    if failures:
        print()
        print("tool failures:")
        for f in failures:
            print("  " + f)

    print()
    ok = ratio >= args.min_agreement and not failures
    verdict = "PASS" if ok else "FAIL"
    print(f"{verdict}: {tot['agree']}/{tot['both']} matched flows agree "
          f"({100.0 * ratio:.2f}%, minimum {100.0 * args.min_agreement:.2f}%)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
