#!/usr/bin/env bash
# The recording proxy's cost, side by side in one run (issue 13's speed target: wrk through
# `konform record` to nginx reaches >= 0.5x the requests/s of wrk straight to nginx). nginx
# (one worker, CPU 1) serves a 1 KiB JSON file; wrk (one thread, CPU 0) measures it directly and
# through the proxy in alternating turns, so a change of host load hits both sides alike. The
# proxy records every exchange as it would for a real recording (appended to its sealed spill
# files in the output folder, read back at the end); --dry-run only skips writing tens of
# thousands of steps. Beside requests/s it prints the proxy's peak resident memory (VmHWM), which
# stays flat however many exchanges a turn records.
#
# Usage: bench/record_vs_nginx.sh [path/to/konform]
# Environment: CONNECTIONS (50) DURATION (5, seconds per turn) TURNS (3) PORT (18190; proxy PORT+1)
# Build konform in Release first: cmake --preset release && cmake --build --preset release --target konform
set -euo pipefail

KONFORM=${1:-build/release/konform}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-5}
TURNS=${TURNS:-3}
PORT=${PORT:-18190}
PPORT=$((PORT + 1))

for tool in nginx wrk taskset curl python3; do
  command -v "$tool" >/dev/null || { echo "record_vs_nginx: $tool is not installed" >&2; exit 2; }
done
[ -x "$KONFORM" ] || { echo "record_vs_nginx: $KONFORM is not an executable (give the konform path)" >&2; exit 2; }

work=$(mktemp -d)
proxy_pid=""
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 -c "import json; print(json.dumps({'Tables':[{'TableName':'Table_0','Rows':[['x'*40, i] for i in range(18)]}]}))" >"$work/body.json"
. "$(dirname "$0")/nginx_static.sh"
start_nginx "$work" "$PORT"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/body.json" >/dev/null 2>&1 && break; sleep 0.1; done

start_proxy() {
  "$KONFORM" record --upstream "http://127.0.0.1:$PORT" --listen "127.0.0.1:$PPORT" --quiet \
    --dry-run --out "$work/bench.json" >"$work/record.out" 2>"$work/record.log" &
  proxy_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PPORT/body.json" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "record_vs_nginx: konform record did not start" >&2; cat "$work/record.log" >&2; exit 3
}
stop_proxy() { # not in $(...): wait needs the proxy to be this shell's child
  kill -INT "$proxy_pid"; wait "$proxy_pid" || true; proxy_pid=""
}
# Same bytes through the proxy as straight from nginx.
start_proxy
cmp <(curl -sf "http://127.0.0.1:$PORT/body.json") <(curl -sf "http://127.0.0.1:$PPORT/body.json")
stop_proxy

# CPU seconds a process has used (utime + stime): the CPU per request does not depend on how much
# of the shared host the process got, so it is printed beside the requests/s.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
rps() { taskset -c 0 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
echo "== wrk -t1 -c$CONNECTIONS -d${DURATION}s, nginx on CPU 1 (one worker), wrk on CPU 0, proxy unpinned; $TURNS turns"
echo "   host load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
direct_sum=0; proxied_sum=0
for turn in $(seq 1 "$TURNS"); do
  n0=$(cpu "$worker")
  d=$(rps "http://127.0.0.1:$PORT/body.json")
  n1=$(cpu "$worker")
  start_proxy
  p0=$(cpu "$proxy_pid"); m0=$(cpu "$worker")
  p=$(rps "http://127.0.0.1:$PPORT/body.json")
  p1=$(cpu "$proxy_pid"); m1=$(cpu "$worker")
  hwm=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$proxy_pid/status")
  stop_proxy
  recorded=$(cat "$work/record.out")
  python3 - "$turn" "$d" "$p" "$n0" "$n1" "$p0" "$p1" "$m0" "$m1" "$DURATION" "$recorded" "$hwm" <<'PY'
import sys
t, d, p, n0, n1, p0, p1, m0, m1, dur = sys.argv[1], *map(float, sys.argv[2:11])
rec = sys.argv[11] + f" (proxy peak RSS {sys.argv[12]})"
us = lambda cpu, rps: 1e6 * cpu / (rps * dur) if rps else 0
print(f"  turn {t}: nginx {d:9.0f} req/s ({us(n1 - n0, d):5.1f} us CPU/req) | through konform record "
      f"{p:9.0f} req/s (proxy {us(p1 - p0, p):5.1f} us CPU/req, nginx {us(m1 - m0, p):5.1f}) | {rec}")
PY
  direct_sum=$(python3 -c "print($direct_sum + $d)")
  proxied_sum=$(python3 -c "print($proxied_sum + $p)")
done
python3 - "$direct_sum" "$proxied_sum" <<'PY'
import sys
d, p = float(sys.argv[1]), float(sys.argv[2])
print(f"  ratio through the proxy / straight: {p / d:.3f} (target >= 0.5)")
PY
echo "   host load after: $(cut -d' ' -f1-3 /proc/loadavg)"
