#!/usr/bin/env bash
# konform load and wrk side by side against one nginx on loopback (anchors-tools.md §1.9 method):
# nginx has one worker pinned to CPU 1 serving a small static JSON file, the load tool is pinned to
# CPU 0, client CPU comes from GNU time (user + sys). Prints the figures and the ratios for the
# four speed targets of issue 6:
#   1. closed model requests/s, konform / wrk            (target >= 1.0)
#   2. client CPU per keep-alive request                 (target <= 10 us)
#   3. open model at RATE req/s: p99 |actual - intended| (target <= 50 us)
#   4. RSS over a SOAK-second open-model run              (target: flat within 5%)
#
# Usage: bench/load_vs_wrk.sh [path/to/konform]
# Environment: THREADS (1) CONNECTIONS (50) DURATION (10, seconds) RATE (10000) SOAK (60, seconds;
# 600 for the 10-minute run) PORT (18089). Build konform in Release first:
#   cmake --preset release && cmake --build --preset release --target konform
set -euo pipefail

KONFORM=${1:-build/release/konform}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10}
RATE=${RATE:-10000}
SOAK=${SOAK:-60}
PORT=${PORT:-18089}

for tool in nginx wrk taskset /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "load_vs_wrk: $tool is not installed" >&2; exit 2; }
done
[ -x "$KONFORM" ] || { echo "load_vs_wrk: $KONFORM is not an executable (give the konform path)" >&2; exit 2; }

work=$(mktemp -d)
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

printf '{"ok":true}' >"$work/small.json" # 11 bytes, as in the reference measurement
. "$(dirname "$0")/nginx_static.sh"
start_nginx "$work" "$PORT"
sleep 0.5
URL="http://127.0.0.1:$PORT/small.json"
curl -sf "$URL" >/dev/null 2>&1 || python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1])" "$URL"

# Runs a command pinned to CPU 0 and prints "user sys maxrss_kb" from GNU time.
timed() { taskset -c 0 /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err"; cat "$work/time"; }

echo "== closed model: $THREADS thread(s), $CONNECTIONS connections, ${DURATION}s, nginx on CPU 1, client on CPU 0"
read -r wu ws wm < <(timed wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$URL")
wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$work/out")
wrk_n=$(awk '/requests in/ {print $1}' "$work/out")
read -r ku ks km < <(timed "$KONFORM" load --url "$URL" -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" -q --json "$work/closed.json")
read -r k_rps k_n < <(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['rps'], r['requests'])" "$work/closed.json")

python3 - "$wrk_rps" "$wrk_n" "$wu" "$ws" "$wm" "$k_rps" "$k_n" "$ku" "$ks" "$km" <<'EOF'
import sys
wrk_rps, wrk_n, wu, ws, wm, k_rps, k_n, ku, ks, km = map(float, sys.argv[1:])
wcpu = (wu + ws) * 1e6 / wrk_n
kcpu = (ku + ks) * 1e6 / k_n
print(f"  wrk     {wrk_rps:10.0f} req/s  {wrk_n:9.0f} requests  CPU {wu:.2f}+{ws:.2f}s = {wcpu:5.2f} us/request  maxRSS {wm/1024:.1f} MiB")
print(f"  konform {k_rps:10.0f} req/s  {k_n:9.0f} requests  CPU {ku:.2f}+{ks:.2f}s = {kcpu:5.2f} us/request  maxRSS {km/1024:.1f} MiB")
print(f"  ratio requests/s konform/wrk = {k_rps / wrk_rps:.3f}   (target >= 1.0)")
print(f"  client CPU per request: konform {kcpu:.2f} us (target <= 10), wrk {wcpu:.2f} us, ratio {kcpu / wcpu:.3f}")
EOF

echo "== open model: $RATE req/s for ${DURATION}s"
taskset -c 0 "$KONFORM" load --url "$URL" -t "$THREADS" -c "$CONNECTIONS" -R "$RATE" -d "${DURATION}s" -q --json "$work/open.json" >/dev/null
python3 - "$work/open.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
lag = r["schedule_lag_us"]
print(f"  achieved {r['rps']:.1f} req/s of {r['target_rps']:.0f}; schedule lag (actual - intended send): "
      f"p50 {lag['p50']} us, p99 {lag['p99']} us (target <= 50), p99.9 {lag['p99_9']} us, max {lag['max']} us; "
      f"late {r['late']}, dropped {r['dropped']}")
c = r["latency_us"]["corrected"]; u = r["latency_us"]["uncorrected"]
print(f"  latency p50/p99: corrected {c['p50']}/{c['p99']} us, uncorrected {u['p50']}/{u['p99']} us")
EOF

echo "== RSS over a ${SOAK}s open-model run at $RATE req/s (sampled every second)"
taskset -c 0 "$KONFORM" load --url "$URL" -t "$THREADS" -c "$CONNECTIONS" -R "$RATE" -d "${SOAK}s" -q >/dev/null &
pid=$!
: >"$work/rss"
while kill -0 "$pid" 2>/dev/null; do
  awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null >>"$work/rss" || true
  sleep 1
done
wait "$pid" || true
python3 - "$work/rss" <<'EOF'
import sys
v = [int(x) for x in open(sys.argv[1]).read().split()]
if len(v) < 8:
    print("  too few samples"); sys.exit(0)
settled = v[5:-1]  # after start-up, before exit
lo, hi = min(settled), max(settled)
print(f"  RSS after 5 s {settled[0]/1024:.1f} MiB, at the end {settled[-1]/1024:.1f} MiB, "
      f"min {lo/1024:.1f} max {hi/1024:.1f} MiB: spread {100.0 * (hi - lo) / lo:.2f}% (target <= 5%)")
EOF
