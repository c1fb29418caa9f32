#!/usr/bin/env bash
# `konform serve` (Kusto) against nginx serving a static file of the same size, under wrk on
# loopback. Each server gets one worker thread pinned to CPU 1, wrk runs pinned to CPU 0, so the
# comparison is per core. Two cases, issue 4's speed target (>= 0.8x nginx requests/s):
#   1. GET /v1/rest/ping                                   vs a static file of the same size
#   2. GET /v2/rest/query?db=Samples&csl=StormEvents|take 3 vs a static file of the same size
#
#   3. the same query with the query cache off (--query-cache 0): every request lexes, runs
#      and encodes it again — what a load test of ever-changing queries costs
#
# Usage: bench/serve_vs_nginx.sh [path/to/konform]
# Environment: CONNECTIONS (50) DURATION (10, seconds) PORT (18090, nginx; konform uses PORT+1, and PORT+2 with the cache off).
# Build konform in Release first: cmake --preset release && cmake --build --preset release --target konform
set -euo pipefail

KONFORM=${1:-build/release/konform}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10}
PORT=${PORT:-18090}
KPORT=$((PORT + 1))

for tool in nginx wrk taskset curl python3; do
  command -v "$tool" >/dev/null || { echo "serve_vs_nginx: $tool is not installed (scripts/install-deps.sh)" >&2; exit 2; }
done
[ -x "$KONFORM" ] || { echo "serve_vs_nginx: $KONFORM is not an executable (give the konform path)" >&2; exit 2; }

work=$(mktemp -d)
serve_pid=""
nocache_pid=""
cleanup() {
  [ -n "$nocache_pid" ] && kill "$nocache_pid" 2>/dev/null && wait "$nocache_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

taskset -c 1 "$KONFORM" serve --listen "127.0.0.1:$KPORT" --ksql-listen 127.0.0.1:0 --threads 1 --quiet 2>"$work/serve.log" &
serve_pid=$!
KURL="http://127.0.0.1:$KPORT"
NPORT=$((PORT + 2))
taskset -c 1 "$KONFORM" serve --listen "127.0.0.1:$NPORT" --ksql-listen 127.0.0.1:0 --threads 1 --quiet --query-cache 0 2>"$work/nocache.log" &
nocache_pid=$!
for _ in $(seq 1 100); do curl -sf "$KURL/v1/rest/ping" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$KURL/v1/rest/ping" >/dev/null || { echo "serve_vs_nginx: konform serve did not start" >&2; cat "$work/serve.log" >&2; exit 3; }

PING=/v1/rest/ping
QUERY='/v2/rest/query?db=Samples&csl=StormEvents%20%7C%20take%203'
# Static files with exactly the bytes konform answers, so both send the same body size.
curl -sf "$KURL$PING" >"$work/ping.txt"
curl -sf "$KURL$QUERY" >"$work/query.json"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$work/query.json"

. "$(dirname "$0")/nginx_static.sh"
start_nginx "$work" "$PORT"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/ping.txt" >/dev/null 2>&1 && break; sleep 0.1; done

rps() { taskset -c 0 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

echo "== wrk -t1 -c$CONNECTIONS -d${DURATION}s, servers on CPU 1 (one worker thread), wrk on CPU 0"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$NPORT/v1/rest/ping" >/dev/null 2>&1 && break; sleep 0.1; done
for case in ping query nocache; do
  kurl=$KURL
  case $case in
    ping) kpath=$PING; npath=/ping.txt ;;
    query) kpath=$QUERY; npath=/query.json ;;
    nocache) kpath=$QUERY; npath=/query.json; kurl="http://127.0.0.1:$NPORT" ;;
  esac
  size=$(stat -c %s "$work/$npath")
  n=$(rps "http://127.0.0.1:$PORT$npath")
  k=$(rps "$kurl$kpath")
  python3 - "$case" "$size" "$n" "$k" <<'PY'
import sys
case, size, n, k = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"  {case:8s} body {size:5d} B   nginx {n:10.0f} req/s   konform serve {k:10.0f} req/s   ratio {k / n:.3f} (target >= 0.8)")
PY
done
