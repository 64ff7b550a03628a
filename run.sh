#!/usr/bin/env bash
# run.sh - haidang's single entry point.
#
#   ./run.sh demo    install what is missing, build, run the sensor on the demo capture
#   ./run.sh test    install what is missing, build, run the whole test suite
#   ./run.sh bench   build, then measure the sensor against nDPI's ndpiReader
#   ./run.sh build   install what is missing and build only
#   ./run.sh valgrind [SUITE...]  the suites with every program under valgrind memcheck
#   ./run.sh fuzz [SECONDS] [TARGET]...
#                    build the libFuzzer targets with clang (build-fuzz/) and run each
#                    for SECONDS (600), one after another (docs/security.md)
#
# Packages come from Debian 12. As root, missing ones are installed with apt-get;
# otherwise the exact apt-get command is printed and nothing else is done.
# Re-running is fast: installed packages and an existing build are reused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
BUILD=${HAIDANG_BUILD:-build}

build_pkgs=(meson ninja-build pkg-config gcc libc6-dev libpcap-dev libndpi-dev libssl-dev libyara-dev
            libcjson-dev zlib1g-dev libhiredis-dev libncurses-dev)
run_pkgs=(python3 redis-server)
test_pkgs=(python3 python3-yaml python3-jsonschema libndpi-bin iproute2 dnsmasq-base librsvg2-bin weasyprint poppler-utils systemd
           bind9-dnsutils curl openssl procps tcpdump redis-server redis-tools tmux)
# every suite but bounds: its resident-memory caps cannot hold beside memcheck's shadow memory
valgrind_suites=(unit pcap rules playbooks detect queue deploy corpus peers live fuzz)
fuzz_pkgs=(clang libclang-rt-14-dev python3)
bench_pkgs=(tcpreplay wireshark-common libndpi-bin time python3 redis-server redis-tools tmux)

say() { printf '%s\n' "$*" >&2; }

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || printf '%s\n' "$p"
  done
}

ensure_pkgs() {
  local missing
  mapfile -t missing < <(missing_pkgs "$@" | sort -u)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "haidang needs these Debian packages. Install them as root, then run this again:"
    say "  apt-get install -y --no-install-recommends ${missing[*]}"
    say "(Cần cài các gói Debian trên bằng quyền root rồi chạy lại.)"
    exit 1
  fi
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    # shellcheck disable=SC2086
    meson setup "$BUILD" -Dwerror=true ${build_options:-} >/dev/null
  fi
  meson compile -C "$BUILD" >/dev/null || meson compile -C "$BUILD"
}

demo() {
  out=$(mktemp -d)
  # a private redis-server for the queue, on a unix socket in the temp dir
  redis-server --port 0 --unixsocket "$out/redis.sock" --unixsocketperm 700 --dir "$out" \
    --save '' --appendonly no --daemonize yes --pidfile "$out/redis.pid" \
    --logfile "$out/redis.log" >/dev/null
  trap 'kill "$(cat "$out/redis.pid" 2>/dev/null)" 2>/dev/null; sleep 0.2; rm -rf "${out:-}"' EXIT
  for _ in $(seq 50); do [ -S "$out/redis.sock" ] && break; sleep 0.1; done
  url="unix://$out/redis.sock"
  say "== haidang-sensor -r tests/data/demo.pcap --rules rules --eve $out/eve.json --redis $url"
  "$BUILD/sensor/haidang-sensor" -r tests/data/demo.pcap --rules rules --eve "$out/eve.json" \
    --sensor-id demo-sensor --agency "Sở Thông tin và Truyền thông (demo)" --no-progress \
    --redis "$url" --spool "$out/spool"
  python3 tests/tools/eve-summary.py "$out/eve.json"
  say ""
  say "== the incidents in the queue: haidang-triage --redis $url list"
  "$BUILD/triage/haidang-triage" --redis "$url" list
  top=$("$BUILD/triage/haidang-triage" --redis "$url" list --json --limit 1 |
        python3 -c 'import json,sys; l=json.load(sys.stdin); print(l[0]["id"] if l else "")')
  if [ -n "$top" ]; then
    say ""
    say "== the most urgent one: haidang-triage show ${top:0:12}"
    "$BUILD/triage/haidang-triage" --redis "$url" show "${top:0:12}"
  fi
  say ""
  say "== sensor health: haidang-triage sensors"
  "$BUILD/triage/haidang-triage" --redis "$url" sensors
}

# ./run.sh fuzz [SECONDS] [TARGET]...: each target alone (never two at once),
# its corpus kept in build-fuzz/corpus/<target>, seeds rebuilt from the corpus
# and the repo each time; a crash, leak or sanitizer report is copied to
# tests/fuzz/regress/<target>/ and makes the exit status 1.
fuzz() {
  local secs=${1:-600} fb=build-fuzz t rc=0 log st dict tmp
  shift || true
  local targets=("$@")
  [ ${#targets[@]} -gt 0 ] || targets=(decode dns http tls ioc import conf playbook redis_reply spool)
  if [ ! -f "$fb/build.ninja" ]; then
    CC=clang meson setup "$fb" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false >/dev/null
  fi
  meson compile -C "$fb" >/dev/null || meson compile -C "$fb"
  rm -rf "$fb/seeds"
  HAIDANG_SENSOR="$here/build/sensor/haidang-sensor" python3 tests/fuzz/seeds.py "$fb/seeds" >/dev/null
  printf '%-12s %6s %12s %8s %6s %7s %7s %s\n' target secs execs exec/s cov ft corpus crashes
  for t in "${targets[@]}"; do
    [ -x "$fb/tests/fuzz/fuzz_$t" ] || { say "no such fuzz target: $t"; rc=2; continue; }
    mkdir -p "$fb/corpus/$t" "$fb/seeds/$t" "$fb/artifacts/$t"
    log="$fb/fuzz-$t.log"
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
    # the targets' scratch files, on tmpfs when there is one
    tmp=$(mktemp -d /dev/shm/haidang-fuzz.XXXXXX 2>/dev/null || mktemp -d)
    HAIDANG_FUZZ_TMPDIR=$tmp \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$fb/tests/fuzz/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -detect_leaks=1 \
      -max_len=65536 -timeout=30 -close_fd_mask=3 -print_final_stats=1 \
      -artifact_prefix="$fb/artifacts/$t/" "${dict[@]}" "$fb/corpus/$t" "$fb/seeds/$t" \
      >"$log" 2>&1 || true
    rm -rf "$tmp"
    st=$(awk '/cov: .* ft: /{c=$0} /stat::number_of_executed_units/{e=$2}
              /stat::average_exec_per_sec/{s=$2}
              END{match(c,/cov: [0-9]+/); cv=substr(c,RSTART+5,RLENGTH-5);
                  match(c,/ft: [0-9]+/); f=substr(c,RSTART+4,RLENGTH-4);
                  printf "%s %s %s %s", e?e:"?", s?s:"?", cv?cv:"?", f?f:"?"}' "$log")
    local found=0 a
    for a in "$fb/artifacts/$t"/*; do
      [ -f "$a" ] || continue
      case $a in *.seen) continue ;; esac
      case $(basename "$a") in
        slow-unit-*)
          # over 10 s but under the 30 s timeout: worth a look, not a failure
          say "$t: slow input kept as $a.seen (log: $log)"
          mv "$a" "$a.seen"
          continue ;;
      esac
      found=$((found + 1))
      mkdir -p "tests/fuzz/regress/$t"
      cp "$a" "tests/fuzz/regress/$t/"
      mv "$a" "$a.seen"
      say "$t: $(basename "$a") -> tests/fuzz/regress/$t/ (log: $log)"
    done
    # shellcheck disable=SC2086
    printf '%-12s %6s %12s %8s %6s %7s %7s %s\n' "$t" "$secs" $st \
      "$(find "$fb/corpus/$t" -type f | wc -l)" "$found"
    [ "$found" -eq 0 ] || rc=1
  done
  return $rc
}

case "${1:-}" in
  demo)
    ensure_pkgs "${build_pkgs[@]}" "${run_pkgs[@]}"
    build
    demo
    ;;
  test)
    ensure_pkgs "${build_pkgs[@]}" "${test_pkgs[@]}"
    build
    meson test -C "$BUILD" --print-errorlogs --num-processes 2 "${@:2}"
    # the same code again under AddressSanitizer and UBSan, over the captures
    say "== sanitizer build (ASan + UBSan): every suite (unit, pcap, queue, corpus, peers, detect, rules, playbooks, deploy, bounds, live, fuzz)"
    BUILD=$BUILD-asan build_options="-Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false" build
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      meson test -C "$BUILD-asan" --print-errorlogs --num-processes 2 \
        --suite unit --suite pcap --suite queue --suite corpus --suite peers --suite detect --suite rules \
        --suite playbooks --suite deploy --suite bounds --suite live --suite fuzz
    ;;
  bench)
    ensure_pkgs "${build_pkgs[@]}" "${bench_pkgs[@]}"
    build
    HAIDANG_BUILD="$BUILD" tests/bench/bench.sh "${@:2}"
    ;;
  build)
    ensure_pkgs "${build_pkgs[@]}"
    build
    ;;
  valgrind)
    # every program the suites start runs under memcheck (tests/tools/vgwrap.sh.in);
    # valgrind-report fails on any error or definite/indirect leak in any of them
    ensure_pkgs "${build_pkgs[@]}" "${test_pkgs[@]}" valgrind
    BUILD=$BUILD-valgrind build_options="-Dvalgrind=true" build
    rm -rf "$BUILD-valgrind/valgrind" && mkdir -p "$BUILD-valgrind/valgrind"
    suites=("${@:2}")
    [ ${#suites[@]} -gt 0 ] || suites=("${valgrind_suites[@]}")
    args=()
    for s in "${suites[@]}" valgrind; do args+=(--suite "$s"); done
    HAIDANG_TEST_SLOW=10 meson test -C "$BUILD-valgrind" --print-errorlogs --num-processes 2 \
      --timeout-multiplier 20 "${args[@]}"
    ;;
  fuzz)
    ensure_pkgs "${build_pkgs[@]}" "${fuzz_pkgs[@]}"
    build
    fuzz "${@:2}"
    ;;
  *)
    say "usage: ./run.sh demo | test | bench | build | valgrind [SUITE...] | fuzz [SECONDS] [TARGET]..."
    exit 2
    ;;
esac
