#!/usr/bin/env bash
# live_capture.sh - the sensor on a live interface, with real traffic.
#
# Two network namespaces joined by a veth pair: dnsmasq and a Python web
# server in one, dig and curl in the other. The sensor captures on the
# client's veth as root, must drop to user "nobody" with no capabilities
# and be under its seccomp filter before parsing, and must report the DNS and HTTP exchanges and their
# flows. With rules and a private redis-server it must also publish the
# incident those exchanges raise to the queue as the unprivileged user,
# through a spool directory it was given before dropping root.
# Needs root and network namespaces; skipped (77) otherwise.
set -euo pipefail
sensor=${HAIDANG_SENSOR:?}
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
for t in ip nsenter dnsmasq dig curl python3 redis-server; do
  command -v $t >/dev/null || { echo "$t missing: skipped"; exit 77; }
done
id nobody >/dev/null 2>&1 || { echo "no user nobody: skipped"; exit 77; }

tag=hd$$
cli=$tag-c srv=$tag-s
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$cli" 2>/dev/null || true
  ip netns del "$srv" 2>/dev/null || true
  # ip netns left /run/netns mounted on itself; drop it when nothing uses it
  if [ -z "$(ip netns list 2>/dev/null)" ] && mountpoint -q /run/netns 2>/dev/null; then
    umount /run/netns 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# nsenter only switches the network namespace (ip netns exec also remounts
# /sys, which fails inside a chroot)
in_ns() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$@"; }
if ! ip netns add "$cli" 2>/dev/null || ! ip netns add "$srv" 2>/dev/null ||
   ! in_ns "$cli" true 2>/dev/null; then
  echo "cannot create and enter network namespaces here: skipped"; exit 77
fi
ip link add vc netns "$cli" type veth peer name vs netns "$srv"
in_ns "$cli" ip addr add 10.78.0.2/24 dev vc
in_ns "$srv" ip addr add 10.78.0.1/24 dev vs
for ns in "$cli" "$srv"; do in_ns "$ns" ip link set lo up; done
in_ns "$cli" ip link set vc up
in_ns "$srv" ip link set vs up

nsenter --net=/run/netns/"$srv" dnsmasq --no-daemon --no-resolv --no-hosts --port=53 \
  --listen-address=10.78.0.1 --bind-interfaces --pid-file="$tmp/dnsmasq.pid" \
  --address=/congthongtin.tinh.example/10.78.0.1 >"$tmp/dnsmasq.log" 2>&1 &
pids+=($!)
mkdir "$tmp/www"
echo "<h1>Cổng thông tin điện tử tỉnh</h1>" >"$tmp/www/index.html"
nsenter --net=/run/netns/"$srv" python3 -m http.server 8080 --bind 10.78.0.1 --directory "$tmp/www" \
  >"$tmp/http.log" 2>&1 &
pids+=($!)

# the queue: a private redis-server on a unix socket the sensor reaches
# after it dropped root, and one indicator the traffic below matches
redis-server --port 0 --unixsocket "$tmp/redis.sock" --unixsocketperm 777 --dir "$tmp" \
  --save '' --appendonly no --logfile "$tmp/redis.log" &
pids+=($!)
mkdir -p "$tmp/rules/ioc"
printf 'type,value,severity,source,description\ndomain,congthongtin.tinh.example,high,live-test,the portal as a test indicator\n' \
  >"$tmp/rules/ioc/live.csv"
cp rules/policy.conf "$tmp/rules/" 2>/dev/null || cp "${HAIDANG_SRC:-.}/rules/policy.conf" "$tmp/rules/"
chmod -R a+rX "$tmp/rules"
for _ in $(seq 50); do [ -S "$tmp/redis.sock" ] && break; sleep 0.1; done

nsenter --net=/run/netns/"$cli" "$sensor" -i vc --eve "$tmp/eve.json" --user nobody \
  --sensor-id live-test --no-progress --rules "$tmp/rules" --home-net 10.78.0.0/24 \
  --redis "unix://$tmp/redis.sock" --spool "$tmp/state/spool" --agency "Sở Nội vụ" \
  2>"$tmp/sensor.log" &
spid=$!
pids+=($spid)
# logged once it is ready: capture open, root dropped, rules loaded, threads up
slow=${HAIDANG_TEST_SLOW:-1}
for _ in $(seq $((50 * ${slow%.*}))); do
  grep -q "capturing on vc" "$tmp/sensor.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "capturing on vc" "$tmp/sensor.log" || { cat "$tmp/sensor.log"; echo "FAIL: sensor did not start"; exit 1; }

# the running sensor has dropped root and every capability
uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/$spid/status)
capeff=$(awk '/^CapEff:/ {print $2}' /proc/$spid/status)
capprm=$(awk '/^CapPrm:/ {print $2}' /proc/$spid/status)
nobody=$(id -u nobody)
echo "sensor pid $spid: uid (real effective saved fs) = $uid, CapEff=$capeff CapPrm=$capprm"
[ "$uid" = "$nobody $nobody $nobody $nobody" ] || { echo "FAIL: sensor still has uid $uid"; exit 1; }
[ "$capeff" = 0000000000000000 ] && [ "$capprm" = 0000000000000000 ] || { echo "FAIL: capabilities kept"; exit 1; }
# and every thread of it runs under the seccomp allow list (none in an
# ASan build: LeakSanitizer traces the threads at exit)
want_sc=2
[ -n "${HAIDANG_ASAN:-}" ] && want_sc=0
for t in /proc/$spid/task/*; do
  sc=$(awk '/^Seccomp:/ {print $2}' "$t/status")
  [ "$sc" = "$want_sc" ] || { echo "FAIL: thread ${t##*/} has Seccomp: $sc, not $want_sc"; exit 1; }
done
echo "ok   Seccomp: $want_sc on all $(ls /proc/$spid/task | wc -l) threads"
# nothing listens: none of its sockets is a listening TCP socket or a bound
# UDP one (it only connects out to Redis)
socks=$(ls -l /proc/$spid/fd 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' | sort -u)
open_ports=$( { awk 'NR > 1 && $4 == "0A" {print $10}' /proc/$spid/net/tcp /proc/$spid/net/tcp6
               awk 'NR > 1 {print $10}' /proc/$spid/net/udp /proc/$spid/net/udp6; } | sort -u)
both=$(comm -12 <(echo "$socks") <(echo "$open_ports") | grep -c . || true)
[ "$both" = 0 ] || { echo "FAIL: the sensor has $both listening or bound socket(s)"; exit 1; }
echo "ok   nothing listens: $(echo "$socks" | grep -c .) socket(s), none listening on TCP or bound on UDP"

for _ in $(seq 50); do
  in_ns "$cli" curl -s -o /dev/null --max-time 1 http://10.78.0.1:8080/ && break
  sleep 0.1
done
in_ns "$cli" dig @10.78.0.1 congthongtin.tinh.example A +tries=1 +time=2 +short
in_ns "$cli" curl -s -A "haidang-live-test/1.0" -o /dev/null -w '%{http_code}\n' \
  http://10.78.0.1:8080/index.html
in_ns "$cli" curl -s -o /dev/null -w '%{http_code}\n' http://10.78.0.1:8080/khong-co
# an injection attempt in a query string, as scanners send to agency portals
in_ns "$cli" curl -s -o /dev/null -w '%{http_code}\n' \
  "http://10.78.0.1:8080/tintuc?id=1%27%20OR%20%271%27%3D%271&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
sleep "$((5 * ${slow%.*}))e-1"
kill -USR1 "$spid"
sleep "$((3 * ${slow%.*}))e-1"
kill -TERM "$spid"
rc=0
wait "$spid" || rc=$?
cat "$tmp/sensor.log"
[ "$rc" -eq 0 ] || { echo "FAIL: sensor exit status $rc after SIGTERM"; exit 1; }

# the spool was given to nobody before root was dropped, and the incident
# reached the queue
owner=$(stat -c %U "$tmp/state/spool")
[ "$owner" = nobody ] || { echo "FAIL: the spool belongs to $owner, not nobody"; exit 1; }
echo "ok   the spool directory was given to nobody"
if [ -n "${HAIDANG_TRIAGE:-}" ]; then
  "$HAIDANG_TRIAGE" --redis "unix://$tmp/redis.sock" list --json >"$tmp/tickets.json"
  python3 - "$tmp/tickets.json" <<'PY' || exit 1
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))
ok = any(x["indicator"] == "ioc:congthongtin.tinh.example" and x["host"] == "10.78.0.2"
         and x["agency"] == "Sở Nội vụ" for x in t)
print(("ok   " if ok else "FAIL ") + "the live incident is a ticket in the queue, sent by the unprivileged sensor")
sys.exit(0 if ok else 1)
PY
fi

python3 - "$tmp/eve.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
fail = []
def need(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fail.append(what)
dns = [e for e in ev if e["event_type"] == "dns"]
need(any(e["dns"]["type"] == "request" and e["src_ip"] == "10.78.0.2" and
         e["dns"]["queries"][0]["rrname"] == "congthongtin.tinh.example" for e in dns),
     "DNS request for congthongtin.tinh.example from 10.78.0.2")
need(any(e["dns"]["type"] == "response" and
         any(a.get("rdata") == "10.78.0.1" for a in e["dns"].get("answers", [])) for e in dns),
     "DNS response answering 10.78.0.1")
http = [e for e in ev if e["event_type"] == "http"]
need(any(e["http"].get("http_user_agent") == "haidang-live-test/1.0" and
         e["http"].get("url") == "/index.html" and e["http"].get("status") == 200 for e in http),
     "HTTP GET /index.html with our user agent, status 200")
need(any(e["http"].get("url") == "/khong-co" and e["http"].get("status") == 404 for e in http),
     "HTTP GET /khong-co answered 404")
flows = [e for e in ev if e["event_type"] == "flow"]
risky = [r["name"] for f in flows for r in f["ndpi"].get("risks", [])]
print("risks:", sorted(set(risky)))
need(any({"SQL Injection", "XSS Attack"} <= {r["name"] for r in f["ndpi"].get("risks", [])}
         for f in flows), "nDPI's URL checks flag both the SQL injection and the XSS in one request")
need(any(f["ndpi"]["master"] == "DNS" or f["ndpi"]["app"] == "DNS" for f in flows), "a flow detected as DNS by nDPI")
need(any("HTTP" in f["ndpi"]["proto"] and f["dest_port"] == 8080 and f["flow"]["pkts_toclient"] > 0
         for f in flows), "an HTTP flow to port 8080 with packets both ways")
need(all(e.get("host") == "live-test" for e in ev), "every event names the sensor")
stats = [e["stats"] for e in ev if e["event_type"] == "stats"]
need(len(stats) == 2, "a stats event on SIGUSR1 and one at exit")
need(stats and stats[0]["capture"]["kernel_packets"] > 0 and stats[0]["capture"]["kernel_drops"] == 0,
     "pcap_stats: the kernel's packet count, no drops")
sys.exit(1 if fail else 0)
PY
