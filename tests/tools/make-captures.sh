#!/usr/bin/env bash
# tests/tools/make-captures.sh - regenerate the test captures in tests/data/
#
# Every capture is real traffic between real clients (dig, curl, openssl,
# ssh, ping, python sockets) and real servers (dnsmasq, a python HTTP server,
# openssl s_server, sshd) running in two network namespaces joined by a veth
# pair, recorded with tcpdump/dumpcap on the client's veth. The script then
# derives the link-type variants and the damaged files, checks every file with
# tshark/capinfos and writes tests/data/README.md from what tshark reports.
#
# Usage (as root):  tests/tools/make-captures.sh [--no-install] [OUTDIR]
#   OUTDIR defaults to tests/data next to this script's tests/ folder.
#
# Debian packages this script needs (installed with apt-get when missing):
REQUIRED_PACKAGES=(
  iproute2 ethtool iputils-ping      # namespaces, veth, offload switches, ping
  dnsmasq-base dnsutils              # DNS server, dig
  curl openssl                       # HTTP/TLS clients, s_server, certificates
  openssh-server openssh-client      # sshd, ssh
  python3                            # HTTP server, UDP echo, userspace tunnels, pcap edits
  tcpdump tcpreplay                  # capture, tcprewrite (link-type rewrite)
  wireshark-common tshark            # dumpcap, editcap, mergecap, capinfos, tshark
)
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INSTALL=1
OUT=""
for a in "$@"; do
  case "$a" in
    --no-install) INSTALL=0 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) OUT=$a ;;
  esac
done
OUT=${OUT:-$(cd "$SELF_DIR/../data" 2>/dev/null && pwd || echo "$SELF_DIR/../data")}

[ "$(id -u)" = 0 ] || { echo "make-captures.sh: must run as root (network namespaces, tcpdump)" >&2; exit 1; }

# ---------------------------------------------------------------- packages
missing=()
for p in "${REQUIRED_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$INSTALL" = 1 ]; then
    echo "== installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "make-captures.sh: missing packages: ${missing[*]}" >&2; exit 1
  fi
fi
PY=/usr/bin/python3

# ---------------------------------------------------------------- constants
NS_C=hd-cli; NS_S=hd-srv          # client and server namespaces
VC=hdc0;     VS=hds0              # veth ends (client, server)
C4=10.77.0.2; S4=10.77.0.1; C6=fd77::2; S6=fd77::1
B4=10.77.0.66                     # second server address: the "suspicious" update host
MAC_C=02:77:00:00:00:02; MAC_S=02:77:00:00:00:01
WORK=$(mktemp -d /tmp/hd-captures.XXXXXX)
PIDS=()
declare -A CAP_PID=()
TUNNEL_IMPL=()                    # "name: kernel|userspace" lines for the README

cleanup() {
  set +e
  for name in "${!CAP_PID[@]}"; do kill -INT "${CAP_PID[$name]}" 2>/dev/null; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for ns in "$NS_C" "$NS_S"; do
    if ip netns list | grep -qw "$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null
    fi
  done
  if [ -n "${HD_KEEP_WORK:-}" ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cli() { ip netns exec "$NS_C" "$@"; }
srv() { ip netns exec "$NS_S" "$@"; }
log() { echo "== $*"; }
gap() { sleep "${1:-0.4}"; }

# background server in the server namespace: bg_srv NAME cmd...
# ("ip netns exec" execs the command, so $! is the server's own pid)
bg_srv() { local n=$1; shift; ip netns exec "$NS_S" "$@" >"$WORK/$n.log" 2>&1 & PIDS+=($!); }
bg_cli() { local n=$1; shift; ip netns exec "$NS_C" "$@" >"$WORK/$n.log" 2>&1 & PIDS+=($!); }

wait_for() { # wait_for DESCRIPTION cmd... (up to 10 s)
  local what=$1 i; shift
  for i in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "make-captures.sh: timed out waiting for $what" >&2; exit 1
}
listening() { srv ss -Hln"$1" "sport = :$2" | grep -q .; }

# cap_start NAME IFACE [tcpdump args]  - tcpdump in the client namespace
cap_start() {
  local name=$1 ifc=$2; shift 2
  : >"$WORK/$name.cap.log"
  ip netns exec "$NS_C" tcpdump -Z root -n -s 0 -U --immediate-mode -i "$ifc" "$@" \
      -w "$WORK/$name" 2>"$WORK/$name.cap.log" &
  CAP_PID[$name]=$!
  wait_for "tcpdump $name" grep -q 'listening on' "$WORK/$name.cap.log"
  sleep 0.3
}
# dumpcap writes pcapng natively
cap_start_dumpcap() {
  local name=$1 ifc=$2
  : >"$WORK/$name.cap.log"
  ip netns exec "$NS_C" dumpcap -n -s 0 -i "$ifc" -w "$WORK/$name" 2>"$WORK/$name.cap.log" &
  CAP_PID[$name]=$!
  wait_for "dumpcap $name" grep -q 'Capturing on' "$WORK/$name.cap.log"
  sleep 0.5
}
cap_stop() {
  local name
  sleep 0.7
  for name in "$@"; do kill -INT "${CAP_PID[$name]}"; done
  for name in "$@"; do wait "${CAP_PID[$name]}" || true; unset "CAP_PID[$name]"; done
}

# client helpers (output kept in client.log; failures are expected for some)
q()    { cli dig +tries=1 +time=2 "$@" >>"$WORK/client.log" 2>&1 || true; }
web()  { cli curl -sS -o /dev/null --max-time 5 "$@" >>"$WORK/client.log" 2>&1 || true; }
sshc() { cli ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no \
             -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
             -o ConnectTimeout=5 "$@" >>"$WORK/client.log" 2>&1 </dev/null || true; }

# ---------------------------------------------------------------- helper programs
write_helpers() {
cat >"$WORK/httpd.py" <<'EOF'
# Small HTTP/1.1 server for the captures (GET pages/files, POST form, 404).
import json, socket, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

INDEX = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin điện tử tỉnh</title></head>
<body><h1>Cổng thông tin điện tử tỉnh</h1>
<p>Sở Thông tin và Truyền thông - trang thử nghiệm.</p>
<ul><li><a href="/tailieu/baocao-quy3-2024.pdf">Báo cáo quý 3/2024</a></li>
<li><a href="/dangnhap">Đăng nhập cán bộ</a></li></ul></body></html>
""".encode("utf-8")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       + b"% Bao cao quy 3 nam 2024 - so lieu thu nghiem\n" * 20
       + b"trailer<</Root 1 0 R>>\n%%EOF\n")
AGENT = b"MZ\x90\x00\x03\x00\x00\x00" + bytes((i * 7 + 3) & 0xFF for i in range(2040))
FILES = {
    "/": ("text/html; charset=utf-8", INDEX),
    "/index.html": ("text/html; charset=utf-8", INDEX),
    "/tailieu/baocao-quy3-2024.pdf": ("application/pdf", PDF),
    "/update/agent.bin": ("application/octet-stream", AGENT),
}
NOT_FOUND = "<html><body><h1>404 - Không tìm thấy trang</h1></body></html>\n".encode("utf-8")

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, ctype, body, head=False):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        # headers and body in one write, as nginx/Apache do for small replies
        self._headers_buffer.append(b"\r\n" + (b"" if head else body))
        self.flush_headers()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path in FILES:
            self.reply(200, *FILES[path])
        else:
            self.reply(404, "text/html; charset=utf-8", NOT_FOUND)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(n).decode("utf-8", "replace")
        if self.path == "/dangnhap":
            user = dict(kv.split("=", 1) for kv in form.split("&") if "=" in kv).get("tendangnhap", "")
            body = json.dumps({"ketqua": "thanhcong", "nguoidung": user}).encode()
            self.reply(200, "application/json", body)
        else:
            self.reply(404, "text/html; charset=utf-8", NOT_FOUND)

class Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

Server(("::", int(sys.argv[1])), Handler).serve_forever()
EOF

cat >"$WORK/udpecho.py" <<'EOF'
# UDP echo on [::]:PORT (dual stack) for the fragmentation capture.
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    data, addr = s.recvfrom(65535)
    s.sendto(data, addr)
EOF

cat >"$WORK/udpsend.py" <<'EOF'
# Send one SIZE-byte UDP datagram to HOST PORT and wait for the echo.
import socket, sys
host, port, size, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(3)
line = ("HAIDANG-FRAG-TEST %s " % tag).encode()
payload = (line * (size // len(line) + 1))[:size]
s.sendto(payload, (host, port))
data, _ = s.recvfrom(65535)
assert data == payload, "echo mismatch"
EOF

cat >"$WORK/hdtun.py" <<'EOF'
# Userspace tunnel endpoint, used only when the kernel lacks the tunnel driver.
#   hdtun.py gre|ipip|sit|ip4in6|ip6in6 DEV LOCAL REMOTE  (TUN + raw IP socket)
#   hdtun.py vlan DEV LINK VID | qinq DEV LINK SVID CVID    (TAP + AF_PACKET)
# The outer headers are built by the kernel (raw sockets) or are plain
# IEEE 802.1Q / 802.1ad tags; the encapsulations follow RFC 2784 (GRE, no
# options), RFC 2003 (IPv4-in-IPv4), RFC 4213 (6in4) and RFC 2473 (4in6, 6in6).
import fcntl, os, select, socket, struct, sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_TAP, IFF_NO_PI = 0x0001, 0x0002, 0x1000
ETH_P_ALL, SOL_PACKET, PACKET_AUXDATA = 0x0003, 263, 8
TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID, PACKET_OUTGOING = 0x10, 0x40, 4

def open_tun(name, tap):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), (IFF_TAP if tap else IFF_TUN) | IFF_NO_PI))
    return fd

def put(fd, data):
    try:
        os.write(fd, data)
    except OSError:          # device not up yet
        pass

def l3(mode, dev, local, remote):
    v6outer = mode in ("ip4in6", "ip6in6")
    proto = {"gre": 47, "ipip": 4, "sit": 41, "ip4in6": 4, "ip6in6": 41}[mode]
    s = socket.socket(socket.AF_INET6 if v6outer else socket.AF_INET, socket.SOCK_RAW, proto)
    s.bind((local, 0))
    tun = open_tun(dev, False)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([tun, s], [], [])
        if tun in r:
            pkt = os.read(tun, 65535)
            if pkt:
                if mode == "gre":
                    pkt = struct.pack("!HH", 0, 0x0800 if pkt[0] >> 4 == 4 else 0x86DD) + pkt
                s.sendto(pkt, (remote, 0))
        if s in r:
            data, addr = s.recvfrom(65535)
            if addr[0] != remote:
                continue
            if not v6outer:
                data = data[(data[0] & 0x0F) * 4:]
            if mode == "gre":
                flags = struct.unpack("!H", data[:2])[0]
                data = data[4 + 4 * bool(flags & 0x8000) + 4 * bool(flags & 0x2000) + 4 * bool(flags & 0x1000):]
            put(tun, data)

def l2(dev, link, tags):
    tap = open_tun(dev, True)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((link, ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    hdr = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in tags)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([tap, s], [], [])
        if tap in r:
            f = os.read(tap, 65535)
            s.send(f[:12] + hdr + f[12:])
        if s in r:
            f, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
            if addr[2] == PACKET_OUTGOING:
                continue
            for lvl, typ, d in anc:      # the kernel moves the outer tag to auxdata
                if lvl == SOL_PACKET and typ == PACKET_AUXDATA:
                    st, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", d[:20])
                    if st & TP_STATUS_VLAN_VALID:
                        if not st & TP_STATUS_VLAN_TPID_VALID:
                            tpid = 0x8100
                        f = f[:12] + struct.pack("!HH", tpid, tci) + f[12:]
            if f[12:12 + len(hdr)] == hdr:
                put(tap, f[:12] + f[12 + len(hdr):])

mode = sys.argv[1]
if mode == "vlan":
    l2(sys.argv[2], sys.argv[3], [(0x8100, int(sys.argv[4]))])
elif mode == "qinq":
    l2(sys.argv[2], sys.argv[3], [(0x88A8, int(sys.argv[4])), (0x8100, int(sys.argv[5]))])
else:
    l3(mode, sys.argv[2], sys.argv[3], sys.argv[4])
EOF

cat >"$WORK/pcaptool.py" <<'EOF'
# Small classic-pcap editor: reorder fragments, truncate, patch caplen.
import json, struct, sys

def read(path):
    b = open(path, "rb").read()
    magic = b[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    hdr, off, recs = b[:24], 24, []
    while off + 16 <= len(b):
        ts1, ts2, incl, orig = struct.unpack(e + "IIII", b[off:off + 16])
        recs.append({"off": off, "ts": (ts1, ts2), "incl": incl, "orig": orig,
                     "data": b[off + 16:off + 16 + incl]})
        off += 16 + incl
    return e, hdr, recs

def write(path, e, hdr, recs):
    with open(path, "wb") as f:
        f.write(hdr)
        for r in recs:
            f.write(struct.pack(e + "IIII", r["ts"][0], r["ts"][1], len(r["data"]), r["orig"]) + r["data"])

def frag_key(d):
    """(family, src, dst, id, offset, first-fragment dport) for an Ethernet IP fragment, else None."""
    et = struct.unpack("!H", d[12:14])[0]
    ip = d[14:]
    if et == 0x0800 and ip[9] == 17:
        fo = struct.unpack("!H", ip[6:8])[0]
        if fo & 0x3FFF:
            hl = (ip[0] & 15) * 4
            dport = struct.unpack("!H", ip[hl + 2:hl + 4])[0] if fo & 0x1FFF == 0 else None
            return ("v4", ip[12:16], ip[16:20], struct.unpack("!H", ip[4:6])[0], (fo & 0x1FFF) * 8, dport)
    if et == 0x86DD and ip[6] == 44:
        fh = ip[40:48]
        fo = struct.unpack("!H", fh[2:4])[0]
        dport = struct.unpack("!H", ip[50:52])[0] if fo >> 3 == 0 and fh[0] == 17 else None
        return ("v6", ip[8:24], ip[24:40], struct.unpack("!I", fh[4:8])[0], (fo >> 3) * 8, dport)
    return None

def reorder(src, dst, port, client4, client6, info):
    """Reverse the fragment order of the LAST datagram each family sent from the client to PORT."""
    import ipaddress
    e, hdr, recs = read(src)
    groups = {}
    for i, r in enumerate(recs):
        k = frag_key(r["data"])
        if k:
            groups.setdefault(k[:4], []).append((i, k))
    out = {}
    for fam, client in (("v4", ipaddress.ip_address(client4).packed), ("v6", ipaddress.ip_address(client6).packed)):
        cands = [g for key, g in groups.items()
                 if key[0] == fam and key[1] == client and any(k[5] == port for _, k in g)]
        g = cands[-1]
        idx = [i for i, _ in g]
        datas = [recs[i]["data"] for i in idx][::-1]
        origs = [recs[i]["orig"] for i in idx][::-1]
        for i, d, o in zip(idx, datas, origs):
            recs[i]["data"], recs[i]["orig"] = d, o
        out[fam] = {"frames": [i + 1 for i in idx], "id": g[0][1][3],
                    "offsets_now": [frag_key(recs[i]["data"])[4] for i in idx]}
    write(dst, e, hdr, recs)
    json.dump(out, open(info, "w"))

def truncate(src, dst, n, info):
    e, hdr, recs = read(src)
    r = recs[n - 1]
    cut = r["off"] + 16 + r["incl"] // 2
    open(dst, "wb").write(open(src, "rb").read()[:cut])
    json.dump({"packet": n, "caplen": r["incl"], "bytes_left": r["incl"] // 2,
               "file_size": cut, "complete_packets": n - 1}, open(info, "w"))

def badcaplen(src, dst, n, info):
    e, hdr, recs = read(src)
    b = bytearray(open(src, "rb").read())
    r = recs[n - 1]
    b[r["off"] + 8:r["off"] + 12] = struct.pack(e + "I", 0x7FFFFFF0)
    open(dst, "wb").write(bytes(b))
    json.dump({"packet": n, "offset": r["off"] + 8, "caplen_was": r["incl"],
               "caplen_now": 0x7FFFFFF0, "packets_in_file": len(recs)}, open(info, "w"))

cmd = sys.argv[1]
if cmd == "reorder":
    reorder(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7])
elif cmd == "truncate":
    truncate(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
elif cmd == "badcaplen":
    badcaplen(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
elif cmd == "count":
    print(len(read(sys.argv[2])[2]))
EOF
}

# ---------------------------------------------------------------- topology
setup_netns() {
  local ns
  for ns in "$NS_C" "$NS_S"; do
    ip netns list | grep -qw "$ns" && { echo "make-captures.sh: namespace $ns exists (stale run?); delete it first: ip netns del $ns" >&2; exit 1; }
  done
  ip netns add "$NS_C"; ip netns add "$NS_S"
  for ns in "$NS_C" "$NS_S"; do
    ip netns exec "$ns" sysctl -qw \
      net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
      net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip -n "$ns" link set lo up
  done
  ip link add "$VC" netns "$NS_C" address "$MAC_C" type veth peer name "$VS" netns "$NS_S" address "$MAC_S"
  cli ip link set "$VC" mtu 1500 up
  srv ip link set "$VS" mtu 1500 up
  # no checksum/segmentation offload: the capture must hold wire-true packets
  cli ethtool -K "$VC" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
  srv ethtool -K "$VS" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
  cli ip addr add "$C4/24" dev "$VC"; cli ip addr add "$C6/64" dev "$VC" nodad
  srv ip addr add "$S4/24" dev "$VS"; srv ip addr add "$S6/64" dev "$VS" nodad
  srv ip addr add "$B4/24" dev "$VS"
}

make_certs() {
  mkdir -p "$WORK/pki" "$WORK/tlsroot"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 730 \
    -keyout "$WORK/pki/congthongtin.key" -out "$WORK/pki/congthongtin.crt" \
    -subj "/C=VN/O=So TTTT/CN=congthongtin.tinh.example" \
    -addext "subjectAltName=DNS:congthongtin.tinh.example,DNS:dichvucong.tinh.example" 2>/dev/null
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 30 \
    -keyout "$WORK/pki/badsite.key" -out "$WORK/pki/badsite.crt" \
    -subj "/C=US/O=Update Service/CN=update-check.badsite.example" \
    -addext "subjectAltName=DNS:update-check.badsite.example" 2>/dev/null
  printf '<html><body><h1>Cong thong tin dien tu tinh (HTTPS)</h1></body></html>\n' >"$WORK/tlsroot/index.html"
  printf 'ok\n' >"$WORK/tlsroot/check.txt"
  ssh-keygen -q -t ed25519 -N '' -C 'haidang-test-host' -f "$WORK/ssh_host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C 'canbo01@hd-cli' -f "$WORK/id_ed25519"
  cp "$WORK/id_ed25519.pub" "$WORK/authorized_keys"
}

start_servers() {
  cat >"$WORK/dnsmasq.conf" <<EOF
no-resolv
no-hosts
local=/example/
domain-needed
edns-packet-max=4096
host-record=congthongtin.tinh.example,$S4,$S6,300
host-record=dichvucong.tinh.example,$S4,$S6,300
host-record=mail.tinh.example,10.77.0.25,300
host-record=update-check.badsite.example,$B4,60
cname=www.tinh.example,portal.tinh.example,300
cname=portal.tinh.example,congthongtin.tinh.example,300
mx-host=tinh.example,mail.tinh.example,10
txt-record=tinh.example,"v=spf1 ip4:10.77.0.0/16 -all"
txt-record=_dmarc.tinh.example,"v=DMARC1; p=reject; rua=mailto:dmarc@tinh.example"
EOF
  # a large TXT RRset (about 3 KB) for the fragmentation capture
  "$PY" - >>"$WORK/dnsmasq.conf" <<'EOF'
for i in range(6):
    print('txt-record=big.tinh.example,"khoa-%02d-%s","tiep-%02d-%s"' % (i, "a" * 240, i, "b" * 240))
EOF
  bg_srv dnsmasq dnsmasq -k -u nobody -g nogroup --conf-file="$WORK/dnsmasq.conf" --log-facility=- --log-queries
  bg_srv httpd "$PY" "$WORK/httpd.py" 80
  bg_srv udpecho "$PY" "$WORK/udpecho.py" 9000
  # one openssl s_server per address (s_server -WWW serves files from its cwd)
  bg_srv tls4 sh -c "cd '$WORK/tlsroot' && exec openssl s_server -accept '$S4:443' -quiet -WWW \
      -cert '$WORK/pki/congthongtin.crt' -key '$WORK/pki/congthongtin.key'"
  bg_srv tls6 sh -c "cd '$WORK/tlsroot' && exec openssl s_server -accept '[$S6]:443' -quiet -WWW \
      -cert '$WORK/pki/congthongtin.crt' -key '$WORK/pki/congthongtin.key'"
  bg_srv tlsbad sh -c "cd '$WORK/tlsroot' && exec openssl s_server -accept '$B4:443' -quiet -WWW \
      -cert '$WORK/pki/badsite.crt' -key '$WORK/pki/badsite.key'"
  mkdir -p /run/sshd
  cat >"$WORK/sshd_config" <<EOF
Port 22
ListenAddress 0.0.0.0
ListenAddress ::
HostKey $WORK/ssh_host_ed25519_key
PidFile $WORK/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AuthorizedKeysFile $WORK/authorized_keys
EOF
  bg_srv sshd /usr/sbin/sshd -D -e -f "$WORK/sshd_config"
  wait_for "dnsmasq" listening u 53
  wait_for "httpd" listening t 80
  wait_for "openssl s_server" listening t 443
  wait_for "sshd" listening t 22
  wait_for "udp echo" listening u 9000
  sleep 2      # let IPv6 link-local/MLD start-up chatter finish before any capture
}

# ---------------------------------------------------------------- scenarios
UA_BROWSER='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
UA_UPDATER='WinHttp-Updater/2.1 (compatible; agent)'
R_CTT4=congthongtin.tinh.example:80:$S4
R_DVC6="dichvucong.tinh.example:80:[$S6]"

scenario_demo() {
  # 08:00 a clerk opens the portal
  q @$S4 A congthongtin.tinh.example;                 gap
  web --resolve "$R_CTT4" http://congthongtin.tinh.example/;   gap
  q @$S4 A www.tinh.example;                          gap   # CNAME chain
  q @$S6 AAAA dichvucong.tinh.example;                gap   # over IPv6
  web -A "$UA_BROWSER" --resolve "$R_DVC6" http://dichvucong.tinh.example/index.html; gap
  web -A "$UA_BROWSER" --resolve "$R_DVC6" -d 'tendangnhap=canbo01&matkhau=Thu%40Nghiem2024' \
      http://dichvucong.tinh.example/dangnhap;        gap
  web -A "$UA_BROWSER" --resolve "$R_CTT4" http://congthongtin.tinh.example/tintuc/khong-co.html; gap
  q @$S4 TXT tinh.example;                            gap
  q @$S4 A khongtontai.tinh.example;                  gap   # NXDOMAIN
  # HTTPS to the portal (TLS 1.2) and to the e-services site (TLS 1.3)
  web --cacert "$WORK/pki/congthongtin.crt" --tlsv1.2 --tls-max 1.2 \
      --resolve congthongtin.tinh.example:443:$S4 https://congthongtin.tinh.example/index.html; gap
  web --cacert "$WORK/pki/congthongtin.crt" --tlsv1.3 \
      --resolve dichvucong.tinh.example:443:$S4 https://dichvucong.tinh.example/index.html; gap
  # an admin tries SSH with the wrong identity
  sshc -p 22 quantri@$S4 true;                        gap
  # a workstation beacons to a suspicious update host
  q @$S4 A update-check.badsite.example;              gap
  web -A "$UA_UPDATER" --resolve update-check.badsite.example:80:$B4 \
      http://update-check.badsite.example/update/agent.bin; gap
  web -k --tlsv1.3 --resolve update-check.badsite.example:443:$B4 \
      https://update-check.badsite.example/check.txt
}

scenario_dns() {
  q @$S4 A congthongtin.tinh.example;                 gap 0.2
  q @$S4 AAAA congthongtin.tinh.example;              gap 0.2
  q @$S4 A www.tinh.example;                          gap 0.2
  q @$S4 A khongtontai.tinh.example;                  gap 0.2
  q @$S4 TXT tinh.example;                            gap 0.2
  q @$S4 MX tinh.example;                             gap 0.2
  q @$S4 AAAA update-check.badsite.example;           gap 0.2   # NOERROR, no data
  q @$S4 -x $S4;                                      gap 0.2   # PTR
  q @$S4 A vnexpress.net;                             gap 0.2   # REFUSED (no upstream)
  q @$S6 AAAA dichvucong.tinh.example;                gap 0.2   # IPv6 transport
  q @$S6 TXT _dmarc.tinh.example;                     gap 0.2
  q @$S4 +tcp A dichvucong.tinh.example                         # DNS over TCP
}

scenario_http() {
  web --resolve "$R_CTT4" http://congthongtin.tinh.example/;                       gap 0.2
  web --resolve "$R_CTT4" http://congthongtin.tinh.example/tintuc/khong-co.html;   gap 0.2
  web -A "$UA_BROWSER" --resolve "$R_CTT4" -d 'tendangnhap=canbo01&matkhau=Thu%40Nghiem2024' \
      http://congthongtin.tinh.example/dangnhap;                                  gap 0.2
  web -A "$UA_BROWSER" --resolve "$R_CTT4" http://congthongtin.tinh.example/tailieu/baocao-quy3-2024.pdf; gap 0.2
  web -A "$UA_UPDATER" --resolve update-check.badsite.example:80:$B4 http://update-check.badsite.example/update/agent.bin; gap 0.2
  web -A "$UA_BROWSER" --resolve "$R_DVC6" http://dichvucong.tinh.example/index.html   # IPv6
}

scenario_tls() {
  web --cacert "$WORK/pki/congthongtin.crt" --tlsv1.2 --tls-max 1.2 \
      --resolve congthongtin.tinh.example:443:$S4 https://congthongtin.tinh.example/index.html; gap 0.3
  web --cacert "$WORK/pki/congthongtin.crt" --tlsv1.3 \
      --resolve dichvucong.tinh.example:443:$S4 https://dichvucong.tinh.example/index.html; gap 0.3
  web --cacert "$WORK/pki/congthongtin.crt" --tlsv1.2 --tls-max 1.2 \
      --resolve "dichvucong.tinh.example:443:[$S6]" https://dichvucong.tinh.example/index.html; gap 0.3
  cli openssl s_client -connect "$B4:443" -servername update-check.badsite.example -tls1_3 \
      </dev/null >>"$WORK/client.log" 2>&1 || true;                                  gap 0.3
  cli openssl s_client -connect "$B4:443" -servername update-check.badsite.example -tls1_2 \
      </dev/null >>"$WORK/client.log" 2>&1 || true
}

scenario_ssh() {
  sshc -p 22 quantri@$S4 true;                                     gap 0.3   # auth fails
  sshc -p 22 -i "$WORK/id_ed25519" -o IdentitiesOnly=yes root@$S4 'echo xin-chao'; gap 0.3
  sshc -6 -p 22 quantri@$S6 true                                             # IPv6, auth fails
}

scenario_frag() {
  q @$S4 +bufsize=4096 TXT big.tinh.example;          gap 0.3
  q @$S6 +bufsize=4096 TXT big.tinh.example;          gap 0.3
  cli ping -c 1 -s 3000 -W 2 $S4 >>"$WORK/client.log" 2>&1;  gap 0.3
  cli ping -6 -c 1 -s 3000 -W 2 $S6 >>"$WORK/client.log" 2>&1; gap 0.3
  cli "$PY" "$WORK/udpsend.py" $S4 9000 4000 v4-in-order;  gap 0.3
  cli "$PY" "$WORK/udpsend.py" $S6 9000 4000 v6-in-order;  gap 0.3
  cli "$PY" "$WORK/udpsend.py" $S4 9000 4000 v4-reordered; gap 0.3
  cli "$PY" "$WORK/udpsend.py" $S6 9000 4000 v6-reordered
}

scenario_linktype() {
  q @$S4 A congthongtin.tinh.example; gap 0.2
  q @$S6 AAAA congthongtin.tinh.example
}

# ---------------------------------------------------------------- tunnels
# tun_l3 NAME MODE CLIENT_OUTER SERVER_OUTER : kernel device if possible, else userspace
tun_l3() {
  local name=$1 mode=$2 lo_c=$3 lo_s=$4 ok=1
  local -a kargs
  case $mode in
    gre)    kargs=(type gre) ;;
    ipip)   kargs=(type ipip) ;;
    sit)    kargs=(type sit) ;;
    ip4in6) kargs=(type ip6tnl mode ipip6) ;;
    ip6in6) kargs=(type ip6tnl mode ip6ip6) ;;
  esac
  if cli ip link add "$name" "${kargs[@]}" local "$lo_c" remote "$lo_s" ttl 64 2>/dev/null &&
     srv ip link add "$name" "${kargs[@]}" local "$lo_s" remote "$lo_c" ttl 64 2>/dev/null; then
    TUNNEL_IMPL+=("$name ($mode): kernel tunnel device")
  else
    cli ip link del "$name" 2>/dev/null || true
    ok=0
    bg_cli "tun-$name-c" "$PY" "$WORK/hdtun.py" "$mode" "$name" "$lo_c" "$lo_s"
    bg_srv "tun-$name-s" "$PY" "$WORK/hdtun.py" "$mode" "$name" "$lo_s" "$lo_c"
    wait_for "$name (client)" cli ip link show "$name"
    wait_for "$name (server)" srv ip link show "$name"
    TUNNEL_IMPL+=("$name ($mode): userspace endpoint (kernel has no driver; TUN device + raw IP socket)")
  fi
  cli ip link set "$name" mtu 1400; srv ip link set "$name" mtu 1400
}

# tun_vlan NAME MODE VID [CVID]: 802.1Q (vlan) or 802.1ad+802.1Q (qinq) over the veth
tun_vlan() {
  local name=$1 mode=$2 vid=$3 cvid=${4:-} ns ifc
  local kernel=1
  for ns in "$NS_C" "$NS_S"; do
    ifc=$([ "$ns" = "$NS_C" ] && echo "$VC" || echo "$VS")
    if [ "$mode" = vlan ]; then
      ip -n "$ns" link add link "$ifc" name "$name" type vlan id "$vid" 2>/dev/null || kernel=0
    else
      { ip -n "$ns" link add link "$ifc" name "$name.s" type vlan proto 802.1ad id "$vid" &&
        ip -n "$ns" link set "$name.s" up &&
        ip -n "$ns" link add link "$name.s" name "$name" type vlan proto 802.1Q id "$cvid"; } 2>/dev/null || kernel=0
    fi
  done
  if [ "$kernel" = 1 ]; then
    TUNNEL_IMPL+=("$name ($mode): kernel 8021q device")
  else
    for ns in "$NS_C" "$NS_S"; do ip -n "$ns" link del "$name" 2>/dev/null || true; ip -n "$ns" link del "$name.s" 2>/dev/null || true; done
    cli ip link set "$VC" promisc on; srv ip link set "$VS" promisc on
    bg_cli "tun-$name-c" "$PY" "$WORK/hdtun.py" "$mode" "$name" "$VC" "$vid" $cvid
    bg_srv "tun-$name-s" "$PY" "$WORK/hdtun.py" "$mode" "$name" "$VS" "$vid" $cvid
    wait_for "$name (client)" cli ip link show "$name"
    wait_for "$name (server)" srv ip link show "$name"
    cli ip link set "$name" mtu 1400; srv ip link set "$name" mtu 1400
    TUNNEL_IMPL+=("$name ($mode): userspace bridge (kernel has no 8021q; TAP device + AF_PACKET on $VC)")
  fi
}

tun_addr() { # tun_addr NAME FAMILY NET  -> client .2/::2, server .1/::1
  local name=$1 fam=$2 net=$3
  if [ "$fam" = 4 ]; then
    cli ip addr add "$net.2/24" dev "$name"; srv ip addr add "$net.1/24" dev "$name"
    cli sysctl -qw "net.ipv6.conf.$name.disable_ipv6=1" 2>/dev/null || true
    srv sysctl -qw "net.ipv6.conf.$name.disable_ipv6=1" 2>/dev/null || true
  else
    cli ip addr add "$net::2/64" dev "$name" nodad; srv ip addr add "$net::1/64" dev "$name" nodad
  fi
  cli ip link set "$name" up; srv ip link set "$name" up
}

setup_tunnels() {
  tun_l3 tgre  gre    $C4 $S4;  tun_addr tgre  4 10.77.10
  tun_l3 tipip ipip   $C4 $S4;  tun_addr tipip 4 10.77.11
  tun_l3 tsit  sit    $C4 $S4;  tun_addr tsit  6 fd77:12
  tun_l3 t4in6 ip4in6 $C6 $S6;  tun_addr t4in6 4 10.77.13
  tun_l3 t6in6 ip6in6 $C6 $S6;  tun_addr t6in6 6 fd77:14
  # VXLAN (kernel driver present on most systems)
  if cli ip link add tvx type vxlan id 77 local $C4 remote $S4 dstport 4789 dev "$VC" 2>/dev/null &&
     srv ip link add tvx type vxlan id 77 local $S4 remote $C4 dstport 4789 dev "$VS" 2>/dev/null; then
    cli ip link set tvx address 02:77:15:00:00:02 mtu 1400; srv ip link set tvx address 02:77:15:00:00:01 mtu 1400
    tun_addr tvx 4 10.77.15
    TUNNEL_IMPL+=("tvx (vxlan VNI 77, UDP 4789): kernel vxlan device")
    HAVE_VXLAN=1
  else
    TUNNEL_IMPL+=("tvx (vxlan): NOT PRODUCED - kernel has no vxlan driver")
    HAVE_VXLAN=0
  fi
  tun_vlan vl100 vlan 100
  cli ip link set vl100 address 02:77:64:00:00:02 2>/dev/null || true; srv ip link set vl100 address 02:77:64:00:00:01 2>/dev/null || true
  tun_addr vl100 4 10.77.100
  tun_vlan qq200 qinq 200 300
  cli ip link set qq200 address 02:77:c8:00:00:02 2>/dev/null || true; srv ip link set qq200 address 02:77:c8:00:00:01 2>/dev/null || true
  tun_addr qq200 4 10.77.200
  sleep 2
}

scenario_tunnels() {
  local net
  for net in 10.77.10 10.77.11 10.77.13; do          # GRE, IPIP, 4in6
    q @$net.1 A congthongtin.tinh.example;  gap 0.2
    web --resolve "congthongtin.tinh.example:80:$net.1" http://congthongtin.tinh.example/; gap 0.3
  done
  for net in fd77:12 fd77:14; do                     # 6in4, 6in6
    q @$net::1 AAAA dichvucong.tinh.example; gap 0.2
    web --resolve "dichvucong.tinh.example:80:[$net::1]" http://dichvucong.tinh.example/; gap 0.3
  done
  local vnets=(10.77.100 10.77.200)
  [ "$HAVE_VXLAN" = 1 ] && vnets=(10.77.15 "${vnets[@]}")
  for net in "${vnets[@]}"; do                       # VXLAN, 802.1Q, QinQ
    q @$net.1 A congthongtin.tinh.example;  gap 0.2
    web --resolve "congthongtin.tinh.example:80:$net.1" http://congthongtin.tinh.example/; gap 0.3
  done
}

# ---------------------------------------------------------------- main
log "work dir $WORK, output $OUT"
write_helpers
setup_netns
make_certs
start_servers
STAGE="$WORK/out"; mkdir -p "$STAGE/linktypes" "$STAGE/corrupt"

for c in demo dns http tls ssh frag; do
  log "capturing $c"
  cap_start "$c.pcap" "$VC"
  "scenario_$c"
  cap_stop "$c.pcap"
done

log "capturing linktypes (one DNS exchange, five captures at once)"
cap_start "lt-eth.pcap"  "$VC"
cap_start "lt-sll.pcap"  any -y LINUX_SLL
cap_start "lt-sll2.pcap" any -y LINUX_SLL2
cap_start_dumpcap "lt.pcapng" "$VC"
scenario_linktype
cap_stop lt-eth.pcap lt-sll.pcap lt-sll2.pcap lt.pcapng

log "setting up tunnels"
setup_tunnels
log "capturing tunnels"
cap_start "tunnels.pcap" "$VC"
scenario_tunnels
cap_stop "tunnels.pcap"

log "post-processing"
for c in demo dns http tls ssh tunnels; do cp "$WORK/$c.pcap" "$STAGE/$c.pcap"; done
# frag.pcap: reverse the fragment order of the last IPv4 and the last IPv6 datagram sent to UDP 9000
"$PY" "$WORK/pcaptool.py" reorder "$WORK/frag.pcap" "$STAGE/frag.pcap" 9000 $C4 $C6 "$WORK/frag-reorder.json"
# link types
cp "$WORK/lt-eth.pcap"  "$STAGE/linktypes/dns-ethernet.pcap"
cp "$WORK/lt-sll.pcap"  "$STAGE/linktypes/dns-linux-sll.pcap"
cp "$WORK/lt-sll2.pcap" "$STAGE/linktypes/dns-linux-sll2.pcap"
cp "$WORK/lt.pcapng"    "$STAGE/linktypes/dns-ethernet.pcapng"
# strip the 14-byte Ethernet header (-C 14), fix the frame lengths (-L), mark as LINKTYPE_RAW
editcap -F pcap -C 14 -L -T rawip "$WORK/lt-eth.pcap" "$STAGE/linktypes/dns-raw.pcap"
tcpdump -r "$WORK/lt-eth.pcap" -w "$WORK/lt-v4.pcap" ip  2>/dev/null
tcpdump -r "$WORK/lt-eth.pcap" -w "$WORK/lt-v6.pcap" ip6 2>/dev/null
tcprewrite --dlt=user --user-dlt=0 --user-dlink=02,00,00,00 -i "$WORK/lt-v4.pcap" -o "$WORK/lt-null4.pcap"   # AF_INET=2
tcprewrite --dlt=user --user-dlt=0 --user-dlink=18,00,00,00 -i "$WORK/lt-v6.pcap" -o "$WORK/lt-null6.pcap"   # AF_INET6=24 (BSD)
mergecap -F pcap -w "$STAGE/linktypes/dns-bsd-null.pcap" "$WORK/lt-null4.pcap" "$WORK/lt-null6.pcap"
# damaged files
n_demo=$("$PY" "$WORK/pcaptool.py" count "$STAGE/demo.pcap")
"$PY" "$WORK/pcaptool.py" truncate "$STAGE/demo.pcap" "$STAGE/corrupt/truncated.pcap" $(( n_demo / 2 )) "$WORK/truncated.json"
"$PY" "$WORK/pcaptool.py" badcaplen "$STAGE/dns.pcap" "$STAGE/corrupt/bad-caplen.pcap" 5 "$WORK/badcaplen.json"
cat >"$STAGE/corrupt/not-a-capture.pcap" <<'EOF'
This is not a packet capture. It is a plain text file with a .pcap name,
used to check that the sensor refuses it with a clear error and exits non-zero.
EOF
: >"$STAGE/corrupt/empty.pcap"
head -c 24 "$STAGE/dns.pcap" >"$STAGE/corrupt/header-only.pcap"

log "verifying and writing README.md"
printf '%s\n' "${TUNNEL_IMPL[@]}" >"$WORK/tunnel-impl.txt"
cat >"$WORK/facts.py" <<'FACTS_EOF'
# Verify every capture with tshark/capinfos and write README.md from the results.
import datetime, hashlib, json, os, platform, re, struct, subprocess, sys

STAGE, WORK = sys.argv[1], sys.argv[2]
QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 255: "ANY"}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
TLSVER = {"0x0301": "TLS 1.0", "0x0302": "TLS 1.1", "0x0303": "TLS 1.2", "0x0304": "TLS 1.3"}
CIPHERS = {"0xc030": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "0xc02c": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
           "0xc02f": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "0xc02b": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
           "0x1301": "TLS_AES_128_GCM_SHA256", "0x1302": "TLS_AES_256_GCM_SHA384", "0x1303": "TLS_CHACHA20_POLY1305_SHA256"}
LINKTYPES = {0: "NULL (BSD loopback)", 1: "EN10MB (Ethernet)", 101: "RAW (raw IP)", 113: "LINUX_SLL (cooked v1)",
             276: "LINUX_SLL2 (cooked v2)"}
FAILED = []


def run(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def tshark(path, *args):
    return run("tshark", "-n", "-r", path, *args)


def fields(path, flt, names):
    args = ["-T", "fields", "-E", "separator=\t", "-E", "aggregator=,", "-E", "occurrence=a"]
    if flt:
        args += ["-Y", flt]
    for n in names:
        args += ["-e", n]
    rc, out, err = tshark(path, *args)
    if "aren't valid" in err or "isn't a valid" in err:
        raise SystemExit("tshark rejected a field or filter: %s %s\n%s" % (flt, names, err))
    rows = []
    for line in out.splitlines():
        parts = line.split("\t")
        parts += [""] * (len(names) - len(parts))
        rows.append(dict(zip(names, parts)))
    return rows


def last(v):
    return v.split(",")[-1] if v else ""


def md(s):
    return str(s).replace("|", "\\|")


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(md(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def pcap_linktype(path):
    b = open(path, "rb").read(24)
    if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return struct.unpack("<I", b[20:24])[0]
    if b[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return struct.unpack(">I", b[20:24])[0]
    return None


def frames(path):
    return fields(path, "", ["frame.number", "frame.len", "frame.cap_len", "frame.protocols", "ip.src", "ip.dst",
                             "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
                             "ip.flags.mf", "ip.frag_offset", "icmpv6.type"])


def inner_endpoints(f):
    """Innermost IP addresses: the last ip/ipv6 layer in frame.protocols."""
    chain = f["frame.protocols"].split(":")
    l3 = [p for p in chain if p in ("ip", "ipv6")]
    if not l3:
        return None
    fam = l3[-1]
    return fam, last(f[fam + ".src"]), last(f[fam + ".dst"])


def flows(path):
    seen, counts = set(), {"tcp": 0, "udp": 0, "icmp": 0}
    for f in frames(path):
        ep = inner_endpoints(f)
        if not ep:
            continue
        chain = f["frame.protocols"].split(":")
        fam, src, dst = ep
        if "tcp" in chain and f["tcp.srcport"]:
            key = ("tcp", frozenset([(src, last(f["tcp.srcport"])), (dst, last(f["tcp.dstport"]))]))
        elif "udp" in chain and f["udp.srcport"]:
            key = ("udp", frozenset([(src, last(f["udp.srcport"])), (dst, last(f["udp.dstport"]))]))
        elif chain[-1] in ("icmp", "icmpv6") or "icmp" in chain or "icmpv6" in chain:
            if f["icmpv6.type"] and int(last(f["icmpv6.type"])) in (133, 134, 135, 136, 137, 143):
                continue   # neighbour discovery / MLD, not a flow
            key = ("icmp", frozenset([src, dst]))
        else:
            continue
        if key not in seen:
            seen.add(key)
            counts[key[0]] += 1
    return counts


def phs_text(path):
    rc, out, err = tshark(path, "-q", "-z", "io,phs")
    body = [l for l in out.splitlines() if re.match(r"^ *\S+\s+frames:", l)]
    return "\n".join(body)


def phs(path):
    rc, out, err = tshark(path, "-q", "-z", "io,phs")
    nodes, stack = [], []
    for line in out.splitlines():
        m = re.match(r"^( *)(\S+)\s+frames:(\d+)", line)
        if not m:
            continue
        depth = len(m.group(1)) // 2
        stack = stack[:depth] + [m.group(2)]
        nodes.append((depth, ":".join(stack), int(m.group(3))))
    leaves = []
    for i, (d, p, n) in enumerate(nodes):
        if i + 1 == len(nodes) or nodes[i + 1][0] <= d:
            leaves.append("`%s` %d" % (p, n))
    return leaves


def summary(path):
    fr = frames(path)
    bad = [f["frame.number"] for f in fr if f["frame.len"] != f["frame.cap_len"]]
    if bad:
        FAILED.append("%s: frames %s have caplen != len" % (path, bad[:5]))
    rc, out, err = run("capinfos", "-a", "-e", "-M", path)
    first = re.search(r"First packet time:\s+(.*)", out)
    lastt = re.search(r"Last packet time:\s+(.*)", out)
    fl = flows(path)
    lt = pcap_linktype(path)
    return {"packets": len(fr), "size": os.path.getsize(path), "first": first.group(1).strip() if first else "?",
            "last": lastt.group(1).strip() if lastt else "?", "flows": fl,
            "linktype": "%d %s" % (lt, LINKTYPES.get(lt, "")) if lt is not None else "pcapng", "phs": phs(path),
            "phs_text": phs_text(path)}


def summary_md(name, s):
    fl = s["flows"]
    return "\n".join([
        "- file: `%s`, %d bytes, link type %s" % (name, s["size"], s["linktype"]),
        "- packets: **%d**; captured %s .. %s" % (s["packets"], s["first"], s["last"]),
        "- flows (innermost 5-tuple, both directions = one flow; ICMP per address pair; ND/MLD not counted): "
        "**TCP %d, UDP %d, ICMP %d**" % (fl["tcp"], fl["udp"], fl["icmp"]),
        "- protocol paths (leaves of `tshark -q -z io,phs`, with frame counts): " + ", ".join(s["phs"]),
        "",
        "<details><summary>tshark -q -z io,phs</summary>",
        "",
        "```",
        s["phs_text"],
        "```",
        "</details>",
    ])


# ------------------------------------------------------------------ per-protocol tables
def addr(row):
    fam = "ipv6" if row.get("ipv6.src") and not row.get("ip.src") else None
    # innermost address of the innermost family
    chain = row["frame.protocols"].split(":")
    l3 = [p for p in chain if p in ("ip", "ipv6")]
    fam = l3[-1] if l3 else "ip"
    return last(row[fam + ".src"]), last(row[fam + ".dst"])


def dns_table(path):
    rows = fields(path, "dns.flags.response == 1",
                  ["frame.number", "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport",
                   "dns.id", "dns.qry.name", "dns.qry.type", "dns.flags.rcode", "dns.a", "dns.aaaa", "dns.cname",
                   "dns.txt", "dns.mx.mail_exchange", "dns.ptr.domain_name", "dns.count.answers"])
    out = []
    for r in rows:
        src, dst = addr(r)
        answers = []
        if r["dns.cname"]:
            answers += ["CNAME " + c for c in r["dns.cname"].split(",")]
        answers += ["A " + a for a in r["dns.a"].split(",") if a]
        answers += ["AAAA " + a for a in r["dns.aaaa"].split(",") if a]
        answers += ["MX " + a for a in r["dns.mx.mail_exchange"].split(",") if a]
        answers += ["PTR " + a for a in r["dns.ptr.domain_name"].split(",") if a]
        if r["dns.txt"]:
            txts = r["dns.txt"].split(",")
            if sum(len(t) for t in txts) > 120:
                answers.append("TXT x%s (%d strings, %d chars)" % (r["dns.count.answers"], len(txts),
                                                                   sum(len(t) for t in txts)))
            else:
                answers += ['TXT "%s"' % t for t in txts]
        qt = int(r["dns.qry.type"] or 0)
        out.append([r["frame.number"], "%s %s -> %s" % ("tcp" if r["tcp.srcport"] else "udp", dst, src),
                    r["dns.id"], r["dns.qry.name"], QTYPES.get(qt, qt),
                    RCODES.get(int(r["dns.flags.rcode"] or 0), r["dns.flags.rcode"]), "; ".join(answers) or "(none)"])
    return "DNS responses (client -> server of the query):\n\n" + table(
        ["resp frame", "transport client -> server", "id", "qname", "qtype", "rcode",
         "records (answer section, then additional)"], out)


def http_table(path):
    reqs = fields(path, "http.request", ["frame.number", "frame.protocols", "ip.src", "ip.dst", "ipv6.src",
                                         "ipv6.dst", "tcp.dstport", "http.request.method", "http.host",
                                         "http.request.uri", "http.user_agent", "http.content_length_header",
                                         "http.file_data"])
    # http.response_in needs two passes; http.request_in on the response does not
    resps = {r["http.request_in"]: r for r in fields(path, "http.response", [
        "http.request_in", "http.response.code", "http.response.phrase", "http.content_type",
        "http.content_length_header", "http.server"])}
    out = []
    server = set()
    for q in reqs:
        src, dst = addr(q)
        rs = resps.get(q["frame.number"], {})
        server.add(rs.get("http.server", ""))
        body = q["http.file_data"]
        out.append([q["frame.number"], "%s -> %s:%s" % (src, dst, last(q["tcp.dstport"])), q["http.request.method"],
                    q["http.host"], q["http.request.uri"], q["http.user_agent"],
                    body if body and q["http.request.method"] == "POST" else "",
                    "%s %s" % (rs.get("http.response.code", "?"), rs.get("http.response.phrase", "")),
                    rs.get("http.content_type", ""), rs.get("http.content_length_header", "")])
    return ("HTTP transactions (server header: `%s`):\n\n" % ", ".join(sorted(s for s in server if s))) + table(
        ["req frame", "client -> server", "method", "Host", "URI", "User-Agent", "request body", "status",
         "Content-Type", "length"], out)


def cert_info(der):
    p = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject", "-issuer", "-serial",
                        "-startdate", "-enddate", "-nameopt", "sep_comma_plus_space,utf8,sname"],
                       input=der, capture_output=True)
    info = {}
    for line in p.stdout.decode().splitlines():
        k, _, v = line.partition("=")
        info[k.strip()] = v.strip()
    info["sha1"] = ":".join("%02x" % b for b in hashlib.sha1(der).digest())
    return info


def tls_table(path, pki):
    ch = fields(path, "tls.handshake.type == 1", ["frame.number", "frame.protocols", "ip.src", "ip.dst", "ipv6.src",
                                                  "ipv6.dst", "tcp.stream", "tls.handshake.extensions_server_name",
                                                  "tls.handshake.ja3", "tls.handshake.extensions_alpn_str"])
    sh = {r["tcp.stream"]: r for r in fields(path, "tls.handshake.type == 2", [
        "tcp.stream", "tls.handshake.version", "tls.handshake.extensions.supported_version",
        "tls.handshake.ciphersuite", "tls.handshake.ja3s"])}
    certs = {}
    for r in fields(path, "tls.handshake.type == 11", ["tcp.stream", "tls.handshake.certificate"]):
        hexder = r["tls.handshake.certificate"].split(",")[0].replace(":", "")
        certs[r["tcp.stream"]] = cert_info(bytes.fromhex(hexder))
    out, seen_certs = [], {}
    for c in ch:
        src, dst = addr(c)
        s = sh.get(c["tcp.stream"], {})
        ver = s.get("tls.handshake.extensions.supported_version") or s.get("tls.handshake.version", "")
        cert = certs.get(c["tcp.stream"])
        if cert:
            seen_certs[cert["sha1"]] = cert
        out.append([c["frame.number"], c["tcp.stream"], "%s -> %s" % (src, dst),
                    c["tls.handshake.extensions_server_name"], TLSVER.get(ver, ver),
                    CIPHERS.get(s.get("tls.handshake.ciphersuite", ""), s.get("tls.handshake.ciphersuite", "")),
                    c["tls.handshake.ja3"], s.get("tls.handshake.ja3s", ""),
                    c["tls.handshake.extensions_alpn_str"],
                    ("%s (sha1 %s...)" % (cert["subject"], cert["sha1"][:11])) if cert else "(encrypted, TLS 1.3)"])
    text = "TLS sessions:\n\n" + table(["ClientHello frame", "tcp.stream", "client -> server", "SNI", "version",
                                         "cipher", "JA3", "JA3S", "ALPN offered", "certificate in clear"], out)
    lines = ["", "Certificates (server certificates of this generation; TLS 1.3 sends them encrypted, so "
                 "they appear in clear only in the TLS 1.2 sessions):", ""]
    for name, der in pki:
        ci = cert_info(der)
        lines.append("- `%s`: subject `%s`; issuer `%s`; serial `%s`; not before `%s`; not after `%s`; "
                     "SHA-1 `%s`%s" % (name, ci["subject"], ci["issuer"], ci["serial"], ci["notBefore"],
                                       ci["notAfter"], ci["sha1"],
                                       " (seen in clear in this capture)" if ci["sha1"] in seen_certs else ""))
    return text + "\n".join(lines)


def ssh_table(path):
    rows = fields(path, "ssh.protocol", ["frame.number", "frame.protocols", "ip.src", "ip.dst", "ipv6.src",
                                         "ipv6.dst", "tcp.stream", "tcp.srcport", "ssh.protocol"])
    hs = {}
    for r in fields(path, "ssh.kex.hassh || ssh.kex.hasshserver", ["tcp.stream", "ssh.kex.hassh",
                                                                    "ssh.kex.hasshserver"]):
        d = hs.setdefault(r["tcp.stream"], {})
        if r["ssh.kex.hassh"]:
            d["c"] = r["ssh.kex.hassh"]
        if r["ssh.kex.hasshserver"]:
            d["s"] = r["ssh.kex.hasshserver"]
    out = []
    for r in rows:
        src, dst = addr(r)
        side = "server" if last(r["tcp.srcport"]) == "22" else "client"
        h = hs.get(r["tcp.stream"], {})
        out.append([r["frame.number"], r["tcp.stream"], side, "%s -> %s" % (src, dst), r["ssh.protocol"],
                    h.get("s" if side == "server" else "c", "")])
    return "SSH banners:\n\n" + table(["frame", "tcp.stream", "side", "src -> dst", "banner", "HASSH / HASSHServer"],
                                      out)


def frag_table(path):
    rows = fields(path, "ip.flags.mf == 1 || ip.frag_offset > 0 || ipv6.fraghdr",
                  ["frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.id", "ip.frag_offset", "ip.flags.mf",
                   "ip.proto", "ipv6.fraghdr.ident", "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.fraghdr.nxt",
                   "frame.len"])
    out = []
    for r in rows:
        if r["ipv6.fraghdr.ident"]:
            out.append([r["frame.number"], "IPv6", "%s -> %s" % (r["ipv6.src"], r["ipv6.dst"]),
                        r["ipv6.fraghdr.ident"], int(r["ipv6.fraghdr.offset"]) * 8,
                        "1" if r["ipv6.fraghdr.more"] in ("1", "True") else "0", r["ipv6.fraghdr.nxt"], r["frame.len"]])
        else:
            out.append([r["frame.number"], "IPv4", "%s -> %s" % (r["ip.src"], r["ip.dst"]), r["ip.id"],
                        int(r["ip.frag_offset"]) * 8, "1" if r["ip.flags.mf"] in ("1", "True") else "0",
                        r["ip.proto"], r["frame.len"]])
    return table(["frame", "family", "src -> dst", "id", "offset (bytes)", "more fragments", "protocol", "frame len"],
                 out)


# ------------------------------------------------------------------ build README
def section(title, name, body_parts):
    path = os.path.join(STAGE, name)
    s = summary(path)
    return "\n\n".join(["### %s" % title, summary_md(name, s)] + [b for b in body_parts if b]), s


def check(cond, msg):
    if not cond:
        FAILED.append(msg)


pki = []
for n in ("congthongtin.crt", "badsite.crt"):
    p = subprocess.run(["openssl", "x509", "-outform", "DER", "-in", os.path.join(WORK, "pki", n)],
                       capture_output=True)
    pki.append((n, p.stdout))

versions = {}
for k, cmd in {"kernel": ["uname", "-r"], "tcpdump": ["tcpdump", "--version"], "tshark": ["tshark", "--version"],
               "dnsmasq": ["dnsmasq", "--version"], "curl": ["curl", "--version"], "openssl": ["openssl", "version"],
               "ssh": ["ssh", "-V"], "python3": ["/usr/bin/python3", "--version"]}.items():
    rc, out, err = run(*cmd)
    v = ((out or err).splitlines() or ["?"])[0].strip()
    if k in ("curl", "dnsmasq", "tshark"):
        v = " ".join(v.split()[:2 if k == "curl" else 3]).rstrip(".")
    versions[k] = v

impl = [l.strip() for l in open(os.path.join(WORK, "tunnel-impl.txt")) if l.strip()]
reorder = json.load(open(os.path.join(WORK, "frag-reorder.json")))
trunc = json.load(open(os.path.join(WORK, "truncated.json")))
badcap = json.load(open(os.path.join(WORK, "badcaplen.json")))

sections, totals = [], {}

body, s = section("demo.pcap - an agency LAN day in miniature", "demo.pcap", [
    "Order of events: portal lookup + HTTP GET; CNAME lookup; AAAA lookup over IPv6; GET and a login POST "
    "over IPv6 with a Chrome User-Agent; a 404; TXT (SPF) lookup; NXDOMAIN; HTTPS to the portal with TLS 1.2 and "
    "to the e-services site with TLS 1.3; a failed SSH login (user `quantri`, BatchMode, publickey refused); "
    "then a workstation resolves `update-check.badsite.example` (10.77.0.66), downloads `/update/agent.bin` "
    "(2048 bytes, starts with `MZ`) with User-Agent `WinHttp-Updater/2.1 (compatible; agent)` and opens TLS 1.3 to it.",
    dns_table(os.path.join(STAGE, "demo.pcap")), http_table(os.path.join(STAGE, "demo.pcap")),
    tls_table(os.path.join(STAGE, "demo.pcap"), pki), ssh_table(os.path.join(STAGE, "demo.pcap"))])
sections.append(body); totals["demo"] = s

body, s = section("dns.pcap - DNS field by field", "dns.pcap", [
    "dig queries to dnsmasq: A, AAAA, CNAME chain (www -> portal -> congthongtin), NXDOMAIN, TXT, MX, "
    "NOERROR/no-data (AAAA for an A-only name), PTR, REFUSED (a name outside the local zone; dnsmasq has no "
    "upstream), two queries over IPv6 and one over TCP. dig sends EDNS0 with a cookie.",
    dns_table(os.path.join(STAGE, "dns.pcap"))])
sections.append(body); totals["dns"] = s

body, s = section("http.pcap - HTTP field by field", "http.pcap", [
    "curl against a small Python HTTP/1.1 server (tests/tools/make-captures.sh, `httpd.py`): each request is one "
    "TCP connection; headers and body of each reply go out in one write.",
    http_table(os.path.join(STAGE, "http.pcap"))])
sections.append(body); totals["http"] = s

body, s = section("tls.pcap - TLS field by field", "tls.pcap", [
    "curl (OpenSSL) and `openssl s_client` against `openssl s_server -WWW`; certificates are self-signed and "
    "made fresh by each run (so the fingerprints below change when the captures are regenerated).",
    tls_table(os.path.join(STAGE, "tls.pcap"), pki)])
sections.append(body); totals["tls"] = s

body, s = section("ssh.pcap - SSH banners", "ssh.pcap", [
    "OpenSSH client against sshd (throwaway ed25519 host key, port 22). tcp.stream 0: user `quantri`, "
    "publickey refused (auth fails); tcp.stream 1: `root` with a throwaway key, runs `echo xin-chao` "
    "(auth succeeds); tcp.stream 2: same as 0 over IPv6.",
    ssh_table(os.path.join(STAGE, "ssh.pcap"))])
sections.append(body); totals["ssh"] = s

tun_path = os.path.join(STAGE, "tunnels.pcap")
tun_rows = []
for label, flt in [("GRE (IPv4 in GRE in IPv4)", "gre"), ("IP-in-IP (IPv4 proto 4)", "ip.proto == 4"),
                   ("6in4 / SIT (IPv4 proto 41)", "ip.proto == 41"), ("4in6 (IPv6 next header 4)", "ipv6.nxt == 4"),
                   ("6in6 (IPv6 next header 41)", "ipv6.nxt == 41"), ("VXLAN (UDP 4789, VNI 77)", "vxlan"),
                   ("802.1Q VLAN 100", "vlan.id == 100 && !ieee8021ad"),
                   ("QinQ 802.1ad S-VLAN 200 + 802.1Q C-VLAN 300", "ieee8021ad.id == 200 && vlan.id == 300")]:
    fr = fields(tun_path, flt, ["frame.number"])
    d = fields(tun_path, "(%s) && dns.flags.response == 1" % flt,
               ["frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "dns.qry.name", "dns.a", "dns.aaaa"])
    h = fields(tun_path, "(%s) && http.request" % flt, ["http.host", "http.request.uri"])
    hr = fields(tun_path, "(%s) && http.response" % flt, ["http.response.code"])
    inner = ", ".join(sorted({"%s <-> %s" % addr(r)[::-1] for r in d}))
    check(len(fr) > 0 and d and h and hr, "tunnels.pcap: no traffic for %s" % label)
    tun_rows.append([label, "`%s`" % flt, len(fr),
                     inner, "; ".join("%s -> %s" % (r["dns.qry.name"], r["dns.a"] or r["dns.aaaa"]) for r in d),
                     "; ".join("GET http://%s%s -> %s" % (r["http.host"], r["http.request.uri"],
                                                         ",".join(x["http.response.code"] for x in hr)) for r in h)])
body, s = section("tunnels.pcap - encapsulations", "tunnels.pcap", [
    "Captured on the client veth, so every packet keeps its outer headers. Through each tunnel the client "
    "runs one dig query and one curl GET against the servers' inner address. How each tunnel was made on "
    "this machine:\n\n" + "\n".join("- " + l for l in impl),
    table(["encapsulation", "display filter", "frames", "inner client <-> server", "DNS answer", "HTTP"], tun_rows)])
sections.append(body); totals["tunnels"] = s

fpath = os.path.join(STAGE, "frag.pcap")
body, s = section("frag.pcap - IPv4 and IPv6 fragments", "frag.pcap", [
    "veth MTU 1500. In order: a ~3 KB DNS TXT answer for `big.tinh.example` over IPv4 and IPv6 (dig "
    "+bufsize=4096; dnsmasq edns-packet-max=4096; the server's kernel fragments it), `ping -s 3000` over "
    "IPv4 and IPv6 (both directions fragmented), then a Python client sends 4000-byte UDP datagrams to a UDP "
    "echo server on port 9000 (IPv4, IPv6, IPv4, IPv6; payload `HAIDANG-FRAG-TEST <tag> ` repeated) and "
    "the echoes come back fragmented too.",
    "**Out-of-order fragments (edited after capture):** in the last IPv4 and the last IPv6 datagram the "
    "client sent to UDP 9000 the packet data of the fragments was reversed across their three records "
    "(timestamps stay in capture order), so the final fragment comes first and the first fragment (with the "
    "UDP header) comes last: IPv4 ID %d in frames %s (offsets now %s), IPv6 fragment ID %d (0x%08x) in frames "
    "%s (offsets now %s). All other fragments are as captured." % (
        reorder["v4"]["id"], reorder["v4"]["frames"], reorder["v4"]["offsets_now"], reorder["v6"]["id"],
        reorder["v6"]["id"], reorder["v6"]["frames"], reorder["v6"]["offsets_now"]),
    "<details><summary>Every fragment (offsets in bytes)</summary>\n\n" + frag_table(fpath) + "\n\n</details>",
    "Reassembled datagrams tshark reports: " + ", ".join(
        "frame %s %s" % (r["frame.number"], r["_ws.col.Info"]) for r in fields(
            fpath, "ip.fragments || ipv6.fragments", ["frame.number", "_ws.col.Info"])),
    dns_table(fpath)])
sections.append(body); totals["frag"] = s

# link types
lt_rows = []
ref = fields(os.path.join(STAGE, "linktypes", "dns-ethernet.pcap"), "dns", ["dns.id", "dns.qry.name"])
for n, how in [("dns-ethernet.pcap", "tcpdump -i hdc0 (the reference)"),
               ("dns-ethernet.pcapng", "dumpcap -i hdc0 at the same time (pcapng: SHB, IDB, EPB)"),
               ("dns-linux-sll.pcap", "tcpdump -i any -y LINUX_SLL at the same time"),
               ("dns-linux-sll2.pcap", "tcpdump -i any -y LINUX_SLL2 at the same time"),
               ("dns-raw.pcap", "editcap -F pcap -C 14 -L -T rawip dns-ethernet.pcap"),
               ("dns-bsd-null.pcap", "tcprewrite --dlt=user --user-dlt=0 --user-dlink=02,00,00,00 (IPv4, AF_INET=2) "
                                     "and ...=18,00,00,00 (IPv6, AF_INET6=24 as on NetBSD/OpenBSD), mergecap")]:
    p = os.path.join(STAGE, "linktypes", n)
    lt = pcap_linktype(p)
    rc, out, err = run("capinfos", "-E", p)
    enc = re.search(r"File encapsulation:\s+(.*)", out)
    d = fields(p, "dns", ["dns.id", "dns.qry.name"])
    fr = frames(p)
    check(d == ref, "linktypes/%s: DNS differs from dns-ethernet.pcap" % n)
    check(all(f["frame.len"] == f["frame.cap_len"] for f in fr), "linktypes/%s: caplen != len" % n)
    lt_rows.append(["`linktypes/%s`" % n, os.path.getsize(p),
                    ("%d %s" % (lt, LINKTYPES.get(lt, ""))) if lt is not None else "pcapng / " + (
                        enc.group(1) if enc else "?"), len(fr), len(d), how])
sections.append("\n\n".join([
    "### linktypes/ - the same DNS exchange in six encodings",
    "One exchange (dig A congthongtin.tinh.example over IPv4, dig AAAA congthongtin.tinh.example over "
    "IPv6, 4 packets: query/response ids %s) recorded by four captures running at once, plus two "
    "conversions of the Ethernet file. Every file decodes to the same 4 DNS packets with tshark (`tshark -r F "
    "-Y dns`), and caplen equals the original length in every record." % ", ".join(
        sorted({r["dns.id"] for r in ref})),
    table(["file", "bytes", "link type", "packets", "DNS packets", "made with"], lt_rows)]))

# corrupt
c_rows = []
for n, what in [
    ("truncated.pcap", "copy of demo.pcap cut inside packet %d: its 16-byte record header says caplen %d but only "
                       "%d of those bytes follow; packets 1-%d are complete (file %d bytes)" % (
                           trunc["packet"], trunc["caplen"], trunc["bytes_left"], trunc["complete_packets"],
                           trunc["file_size"])),
    ("bad-caplen.pcap", "copy of dns.pcap (%d packets) whose record header of packet %d (caplen field at file offset "
                        "%d) was patched from %d to 0x%08X; packets 1-%d are fine" % (
                            badcap["packets_in_file"], badcap["packet"], badcap["offset"], badcap["caplen_was"],
                            badcap["caplen_now"], badcap["packet"] - 1)),
    ("not-a-capture.pcap", "a two-line text file named .pcap"),
    ("empty.pcap", "a 0-byte file"),
    ("header-only.pcap", "only the 24-byte pcap global header of dns.pcap, no packets (a valid, empty capture)")]:
    p = os.path.join(STAGE, "corrupt", n)
    rc, out, err = tshark(p)
    err = err.replace(p, n)
    errline = [l for l in err.splitlines() if "Running as user" not in l and "dangerous" not in l]
    c_rows.append(["`corrupt/%s`" % n, os.path.getsize(p), what, len(out.splitlines()),
                   "exit %d: %s" % (rc, " ".join(errline)[:160] or "no error")])
sections.append("\n\n".join([
    "### corrupt/ - damaged files",
    "A reader must stop cleanly on these (no crash, no endless loop, a clear error). The last column is what "
    "`tshark -r F` does with each.",
    table(["file", "bytes", "damage", "packets tshark reads", "tshark"], c_rows)]))

total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(STAGE) for f in fs if f != "README.md")
for k, s in totals.items():
    check(s["packets"] > 0, "%s.pcap is empty" % k)
    check(s["size"] < 200 * 1024, "%s.pcap is %d bytes (limit 200 KB)" % (k, s["size"]))

readme = """# tests/data - test captures

Small captures of **real traffic** between real clients and real servers, made by
`tests/tools/make-captures.sh`. Do not edit them by hand: change the script and run it again.

    sudo tests/tools/make-captures.sh            # installs missing Debian packages, rewrites tests/data/
    sudo tests/tools/make-captures.sh /tmp/out   # write somewhere else

The script needs root (network namespaces, tcpdump) and about a minute. This README is written by the
script too: every number and name below was read back from the files with tshark/capinfos.

## How they are made

Two network namespaces joined by a veth pair, no other network:

| namespace | interface | addresses | runs |
|---|---|---|---|
| `hd-srv` (servers) | `hds0`, MAC 02:77:00:00:00:01 | 10.77.0.1/24, fd77::1/64, 10.77.0.66/24 | dnsmasq (DNS, port 53), Python HTTP/1.1 server (port 80, all addresses), `openssl s_server -WWW` on 10.77.0.1:443, [fd77::1]:443 and 10.77.0.66:443, OpenSSH sshd (port 22), Python UDP echo (port 9000) |
| `hd-cli` (client) | `hdc0`, MAC 02:77:00:00:00:02 | 10.77.0.2/24, fd77::2/64 | dig, curl, openssl s_client, ssh, ping, a Python UDP sender |

Captures are taken with `tcpdump -s 0 -U --immediate-mode` on `hdc0` (MTU 1500) unless said otherwise.
Checksum and segmentation offloads are switched off on the veth pair, so every captured packet has
correct checksums and is at most 1514 bytes. IPv6 router solicitations and DAD are off; the first packets
of a capture may be ARP or neighbour discovery.

DNS zone served by dnsmasq (`local=/example/`, no upstream, EDNS up to 4096 bytes):

| name | type | value |
|---|---|---|
| congthongtin.tinh.example | A / AAAA | 10.77.0.1 / fd77::1 (TTL 300) |
| dichvucong.tinh.example | A / AAAA | 10.77.0.1 / fd77::1 |
| www.tinh.example | CNAME | portal.tinh.example -> CNAME congthongtin.tinh.example |
| mail.tinh.example | A | 10.77.0.25 |
| tinh.example | MX / TXT | 10 mail.tinh.example / "v=spf1 ip4:10.77.0.0/16 -all" |
| _dmarc.tinh.example | TXT | "v=DMARC1; p=reject; rua=mailto:dmarc@tinh.example" |
| update-check.badsite.example | A | 10.77.0.66 (TTL 60), no AAAA |
| big.tinh.example | TXT | 6 records x 2 strings of ~250 bytes (~3 KB answer, for fragmentation) |
| anything else under .example | | NXDOMAIN; names outside .example get REFUSED |

HTTP server paths: `/` and `/index.html` (Vietnamese UTF-8 page), `/tailieu/baocao-quy3-2024.pdf`
(small PDF), `/update/agent.bin` (2048 bytes starting with `MZ`), `POST /dangnhap` (JSON reply), anything
else 404. User-Agents used: curl's default `curl/<version>`,
`Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36`
and `WinHttp-Updater/2.1 (compatible; agent)`.

TLS: `congthongtin.crt` (RSA 2048, subject `C=VN, O=So TTTT, CN=congthongtin.tinh.example`, SAN
congthongtin + dichvucong) on 10.77.0.1 / fd77::1; `badsite.crt` (EC P-256, subject
`C=US, O=Update Service, CN=update-check.badsite.example`) on 10.77.0.66. Both self-signed, made fresh by
each run.

### What changes when the captures are regenerated

Stable: names, addresses, URLs, methods, status codes, User-Agents, SNIs, certificate subjects, banners,
JA3 (same curl/OpenSSL), the kinds and order of events. Different on every run: timestamps, TCP/UDP
client ports, DNS ids, TCP sequence numbers, IP/fragment ids, certificate serials/dates/fingerprints,
SSH host key, and possibly a packet or two (ACK timing). Tests should check the stable facts, or read the
per-run values from this README as they stand for the committed files.

Generated %(date)s on %(host)s with: %(versions)s.

## Files

| file | bytes | packets | flows TCP/UDP/ICMP |
|---|---|---|---|
%(filetable)s

Total size of all capture files (including linktypes/ and corrupt/): %(total)d bytes.

## Per-capture facts

%(sections)s

## What could not be done on this machine

%(failed)s
"""
filetable = "\n".join("| `%s.pcap` | %d | %d | %d/%d/%d |" % (k, s["size"], s["packets"], s["flows"]["tcp"],
                                                             s["flows"]["udp"], s["flows"]["icmp"])
                      for k, s in totals.items())
limits = []
if any("userspace" in l for l in impl):
    limits.append("This kernel (%s) is built without loadable modules and without the GRE, IPIP, SIT, "
                  "ip6_tunnel and 8021q drivers (`ip link add ... type gre|ipip|sit|ip6tnl|vlan` fails with "
                  "'Unknown device type'). The script tries the kernel devices first; where they are missing it "
                  "runs a small userspace tunnel endpoint in each namespace instead (embedded in the script as "
                  "`hdtun.py`): a TUN device plus a raw IP socket for GRE/IPIP/6in4/4in6/6in6 (the kernel writes "
                  "the outer IP header; GRE is the 4-byte RFC 2784 header without key/checksum/sequence), and a "
                  "TAP device plus an AF_PACKET socket on `hdc0` that adds/removes the 802.1Q / 802.1ad tags. The "
                  "inner traffic is real dig/curl/dnsmasq/HTTP traffic in every case; the outer headers are what "
                  "those endpoints put on the wire. One visible difference from the kernel drivers: no IPv6 "
                  "Tunnel Encapsulation Limit option in the 4in6/6in6 packets (ip6_tunnel adds one by default). "
                  "Which implementation each tunnel used is listed under tunnels.pcap." % versions["kernel"])
if not any("vxlan" in l and "kernel" in l for l in impl):
    limits.append("VXLAN: no kernel vxlan driver, so tunnels.pcap has no VXLAN.")
limits += ["Self-check failed: " + f for f in FAILED]
text = readme % {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "host": "Linux " + versions["kernel"],
    "versions": "; ".join("%s" % v for k, v in versions.items() if k != "kernel"),
    "filetable": filetable, "total": total, "sections": "\n\n".join(sections),
    "failed": "\n\n".join("- " + l for l in limits) if limits else "Nothing: every part was produced."}
open(os.path.join(STAGE, "README.md"), "w").write(text)
print("README.md written; %d bytes of captures; self-check problems: %d" % (total, len(FAILED)))
for f in FAILED:
    print("SELF-CHECK:", f, file=sys.stderr)
sys.exit(1 if FAILED else 0)
FACTS_EOF
"$PY" "$WORK/facts.py" "$STAGE" "$WORK"

log "installing into $OUT"
mkdir -p "$OUT"
rm -rf "$OUT/linktypes" "$OUT/corrupt"
chmod -R u=rwX,go=rX "$STAGE"
cp -r "$STAGE/." "$OUT/"
ls -l "$OUT" "$OUT/linktypes" "$OUT/corrupt"
du -sh "$OUT"
log "done"
