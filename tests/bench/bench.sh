#!/usr/bin/env bash
# bench.sh - haidang-sensor against nDPI's own ndpiReader, side by side in one run.
#
# Builds (once) the large benchmark capture with ../shared/tools/make-bench-pcap, then
# runs each program RUNS times (default 5) on it and keeps the fastest run of each:
# whole-process wall time, packets per second, and peak resident memory (from GNU time).
# haidang-sensor runs with DPI and every metadata parser on, writing its events to
# /dev/null (so JSON formatting is paid for); ndpiReader runs with its defaults and -q.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
build=${HAIDANG_BUILD:-build}
sensor=$build/sensor/haidang-sensor
out=$build/bench
runs=${RUNS:-5}
copies=${COPIES:-40}
maker=$here/../shared/tools/make-bench-pcap
mkdir -p "$out"
pcap=$out/bench-$copies.pcap
if [ ! -s "$pcap" ]; then
  [ -x "$maker" ] || { echo "bench: $maker not found (the shared corpus tools are needed)" >&2; exit 1; }
  echo "building the benchmark capture ($copies copies of the corpus) ..." >&2
  "$maker" "$pcap" "$copies" >&2
fi
packets=$(capinfos -c -M "$pcap" | awk '/Number of packets/ {print $NF}')
bytes=$(stat -c %s "$pcap")

best() { # prints "wall_s maxrss_kb" of the fastest of $runs runs of "$@"
  local i
  for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/stderr" || {
      echo "bench: '$*' failed:" >&2; cat "$out/stderr" >&2; exit 1; }
    cat "$out/time"
  done | sort -n | head -1
}

# the indicator index at feed scale (1 M generated indicators), then the
# starter rule set plus those indicators as the sensor's rules
rulesdir=$out/rules-1m
rm -rf "$rulesdir" "$out/iocgen"
mkdir -p "$out/iocgen"
echo "== indicator index: load time, memory, lookups/s" >&2
TMPDIR=$out/iocgen "$build/tests/ioc_bench" 1000000 --keep
cp -r rules "$rulesdir"
mv "$out"/iocgen/ioc_bench.*/bench.csv "$rulesdir/ioc/generated-1m.csv"
echo >&2

read -r nd_wall nd_rss < <(best ndpiReader -i "$pcap" -q)
read -r hd_wall hd_rss < <(best "$sensor" -r "$pcap" --eve /dev/null --no-progress)
read -r h1_wall h1_rss < <(best "$sensor" -r "$pcap" --eve /dev/null --no-progress --workers 1)
# with the rules: the sensor logs how long loading them took (it happens
# once, at start or on SIGHUP beside the running rules); packets/s is
# measured over the rest of each run, and the run with the shortest rest
# is kept, with its own load time
best_after_load() { # prints "wall_s maxrss_kb load_ms"
  local i ms
  for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/stderr" || {
      echo "bench: '$*' failed:" >&2; cat "$out/stderr" >&2; exit 1; }
    ms=$(sed -n 's/.*rules: .*, \([0-9]*\) ms$/\1/p' "$out/stderr" | tail -1)
    echo "$(cat "$out/time") ${ms:-0}"
  done | awk '{print $1 - $3 / 1000, $0}' | sort -n | head -1 | cut -d' ' -f2-
}
read -r hr_wall hr_rss load_ms < <(best_after_load "$sensor" -r "$pcap" --eve /dev/null --no-progress --rules "$rulesdir")

awk -v p="$packets" -v b="$bytes" -v nw="$nd_wall" -v nr="$nd_rss" -v hw="$hd_wall" \
    -v hr="$hd_rss" -v h1w="$h1_wall" -v h1r="$h1_rss" -v rw="$hr_wall" -v rr="$hr_rss" \
    -v cpus="$(nproc)" -v runs="$runs" -v lms="${load_ms:-0}" '
function row(name, w, r) {
  printf "%-34s %8.3f %12.0f %10.1f\n", name, w, p / w, r / 1024
}
BEGIN {
  printf "capture: %d packets, %.1f MB; best of %d runs; %d CPUs\n\n", p, b / 1e6, runs, cpus
  printf "%-34s %8s %12s %10s\n", "program", "wall s", "packets/s", "peak MiB"
  row("ndpiReader -q (nDPI 4.2)", nw, nr)
  row("haidang-sensor (workers = CPUs)", hw, hr)
  row("haidang-sensor --workers 1", h1w, h1r)
  row("haidang-sensor + rules + 1M IOCs", rw, rr)
  row("  same, after loading the rules", rw - lms / 1000, rr)
  printf "\nhaidang / ndpiReader: %.2fx the packets/s (target >= 2.5x), %.2fx the peak memory (target <= 0.5x)\n",
         nw / hw, hr / nr
  printf "with the starter rules and 1 M indicators: rules load in %.2f s, then %.2fx the packets/s (target >= 2x; %.2fx counting the load)\n", lms / 1000, nw / (rw - lms / 1000), nw / rw
}'

# the queue: incidents/s through the sensor's publishing path into a private
# redis-server, over a unix socket and over TCP, beside redis-benchmark
# sending the same ingest call pipelined (-P 256) on the same server
echo >&2
echo "== queue: incidents/s into Redis (tests/bench/queue_bench.c) and redis-benchmark" >&2
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null || {
  echo "bench: redis-server and redis-benchmark (redis-tools) are needed for the queue figures" >&2; exit 1; }
rq=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --unixsocket "$rq/redis.sock" --unixsocketperm 700 \
  --dir "$rq" --save '' --appendonly no --daemonize yes --pidfile "$rq/redis.pid" \
  --logfile "$rq/redis.log" >/dev/null
trap 'kill "$(cat "$rq/redis.pid" 2>/dev/null)" 2>/dev/null; sleep 0.2; rm -rf "$rq"' EXIT
for _ in $(seq 50); do [ -S "$rq/redis.sock" ] && break; sleep 0.1; done
n=${QUEUE_N:-100000}
for via in "unix://$rq/redis.sock" "redis://127.0.0.1:$port"; do
  redis-cli -s "$rq/redis.sock" FLUSHALL >/dev/null
  "$build/tests/queue_bench" "$via" "$n" "$rq/args" | tee "$rq/ours"
  mapfile -t args < "$rq/args"
  if [ "${via%%:*}" = unix ]; then conn=(-s "$rq/redis.sock"); else conn=(-h 127.0.0.1 -p "$port"); fi
  for c in 1 50; do
    rb=$(redis-benchmark "${conn[@]}" -n 400000 -P 256 -c "$c" "${args[@]}" 2>/dev/null |
         tr '\r' '\n' | sed -n 's/.*[: ] \([0-9.]*\) requests per second.*/\1/p' | tail -1)
    ours=$(sed -n 's/.* \([0-9]*\) replayed (unchanged)\/s/\1/p' "$rq/ours")
    awk -v o="$ours" -v r="$rb" -v c="$c" -v via="${conn[0]/-s/unix}" 'BEGIN {
      if (via == "-h") via = "tcp"
      printf "%-5s the same ingest call: haidang %.0f/s, redis-benchmark -P 256 -c %d %.0f/s: %.0f%% (target >= 50%%)\n",
             via, o, c, r, 100 * o / r }'
  done
done

# the console with 100,000 incidents: list, show, claim (tests/bench/triage_bench.py,
# its own private server), then the TUI's first screen on this one
echo >&2
echo "== triage: 100,000 incidents (tests/bench/triage_bench.py, tui_first_screen.py)" >&2
HAIDANG_BUILD="$build" python3 tests/bench/triage_bench.py 100000
redis-cli -s "$rq/redis.sock" FLUSHALL >/dev/null
"$build/tests/queue_bench" "unix://$rq/redis.sock" 100000 >/dev/null
if command -v tmux >/dev/null; then
  python3 tests/bench/tui_first_screen.py "$build/triage/haidang-triage" "unix://$rq/redis.sock" 5
else
  echo "bench: tmux not installed: no TUI figure" >&2
fi
