#!/usr/bin/env bash
# konform's open-model schedule lag beside the host's own floor (issue 18): in turns, the bare
# timer loop bench/floor_loop.cpp (sleep to 60 µs before each slot, then spin; timer slack 1 ns)
# and `konform load -t 1 -R RATE -d DURATION -c C` against one nginx worker, both pinned to CPU 0
# with nginx on CPU 1, for C = 16 and 50. Each turn prints both p99 lags, their ratio
# konform/floor and the hypervisor's steal time during it; the summary gives the median ratio
# per C (goal: <= 1.5 over at least 5 turns). Which one goes first alternates between turns.
#
# Usage: bench/open_model_lag.sh [path/to/konform] [path/to/floor_loop]
# Environment: TURNS (5) RATE (10000) DURATION (4, seconds) CONNECTIONS ("16 50") PORT (18093);
# OLD=path/to/another/konform also runs that build in every turn (its ratio in column "old").
# Build both in Release: cmake --preset release && cmake --build --preset release --target konform floor_loop
set -euo pipefail
KONFORM=${1:-build/release/konform}
FLOOR=${2:-build/release/bench/floor_loop}
TURNS=${TURNS:-5}
RATE=${RATE:-10000}
DURATION=${DURATION:-4}
CONNECTIONS=${CONNECTIONS:-16 50}
PORT=${PORT:-18093}
OLD=${OLD:-}
for tool in nginx taskset python3; do
  command -v "$tool" >/dev/null || { echo "open_model_lag: $tool is not installed" >&2; exit 2; }
done
for b in "$KONFORM" "$FLOOR" ${OLD:+"$OLD"}; do
  [ -x "$b" ] || { echo "open_model_lag: $b is not an executable" >&2; exit 2; }
done
work=$(mktemp -d)
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
printf '{"ok":true}' >"$work/small.json"
. "$(dirname "$0")/nginx_static.sh"
start_nginx "$work" "$PORT"
sleep 0.5
URL="http://127.0.0.1:$PORT/small.json"
steal() { awk '/^cpu / {print $9}' /proc/stat; }
hz=$(getconf CLK_TCK)

# Appends "<turn> <c> <tool> <p99_us> <p50_us> <late> <steal % of one CPU>" to $work/runs.
floor_run() {
  local s0 out
  s0=$(steal)
  out=$(taskset -c 0 "$FLOOR" "$RATE" "$DURATION")
  echo "$1 $2 floor $(echo "$out" | awk '{print $8, $6, $4}') $(( ($(steal) - s0) * 100 / hz / DURATION ))" >>"$work/runs"
}
# konform_run TURN C [TOOL BINARY]
konform_run() {
  local s0 tool=${3:-konform} bin=${4:-$KONFORM}
  s0=$(steal)
  taskset -c 0 "$bin" load --url "$URL" -t 1 -c "$2" -R "$RATE" -d "${DURATION}s" -q \
    --json "$work/k.json" >/dev/null
  echo "$1 $2 $tool $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); l=r["schedule_lag_us"]; print(l["p99"], l["p50"], r["late"])' "$work/k.json") $(( ($(steal) - s0) * 100 / hz / DURATION ))" >>"$work/runs"
}

echo "host: $(nproc) CPUs, $(uptime | sed 's/.*load average/load average/'), $(cat /proc/self/autogroup 2>/dev/null || echo 'no autogroup')"
: >"$work/runs"
for turn in $(seq 1 "$TURNS"); do
  for c in $CONNECTIONS; do
    if [ $((turn % 2)) -eq 1 ]; then
      floor_run "$turn" "$c"; konform_run "$turn" "$c"
      [ -z "$OLD" ] || konform_run "$turn" "$c" old "$OLD"
    else
      [ -z "$OLD" ] || konform_run "$turn" "$c" old "$OLD"
      konform_run "$turn" "$c"; floor_run "$turn" "$c"
    fi
  done
done
python3 - "$work/runs" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    turn, c, tool, p99, p50, late, steal = line.split()
    runs.setdefault((int(c), int(turn)), {})[tool] = (int(p99), int(p50), int(late), int(steal))
old = any("old" in r for r in runs.values())
print(f"{'c':>3} {'turn':>4} {'floor p99':>10} {'konform p99':>12} {'ratio':>7} "
      f"{'floor p50':>10} {'konform p50':>12} {'floor late':>10} {'konform late':>12} {'steal %':>8}"
      + (f" {'old p99':>10} {'old ratio':>9}" if old else ""))
ratios, old_ratios = {}, {}
for (c, turn), r in sorted(runs.items()):
    f, k = r["floor"], r["konform"]
    ratio = k[0] / max(f[0], 1)
    ratios.setdefault(c, []).append(ratio)
    line = (f"{c:>3} {turn:>4} {f[0]:>8}us {k[0]:>10}us {ratio:>7.2f} {f[1]:>8}us {k[1]:>10}us "
            f"{f[2]:>10} {k[2]:>12} {f[3]:>3}/{k[3]:<3}")
    if old:
        o = r["old"]
        old_ratios.setdefault(c, []).append(o[0] / max(f[0], 1))
        line += f" {o[0]:>8}us {old_ratios[c][-1]:>9.2f}"
    print(line)
for c, rs in sorted(ratios.items()):
    print(f"-c {c}: median p99 lag ratio konform/floor {statistics.median(rs):.2f} over {len(rs)} turns"
          f" (min {min(rs):.2f}, max {max(rs):.2f}; goal <= 1.5)"
          + (f"; old build {statistics.median(old_ratios[c]):.2f}" if old else ""))
PY
