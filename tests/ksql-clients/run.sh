#!/usr/bin/env bash
# Runs one real-client Node script against a fresh `konform serve` on free loopback ports.
# usage: run.sh <konform binary> <script.mjs> [extra konform serve options...]
# The script gets KSQL_URL (http://127.0.0.1:<port> of the ksqlDB listener).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
konform=$1
script=$2
shift 2
cd "$here"
# Several tests share node_modules: install once, under a lock.
(
  flock 9
  [ -d node_modules/@cubejs-backend/ksql-driver ] && [ -d node_modules/ksqldb-client ] || npm ci --no-audit --no-fund >/dev/null
) 9>"${TMPDIR:-/tmp}/konform-ksql-clients-npm.lock"

log=$(mktemp)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap cleanup EXIT

"$konform" serve --listen 127.0.0.1:0 --ksql-listen 127.0.0.1:0 "$@" 2>"$log" &
pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'ksqlDB on http://[0-9.:]*' "$log" | head -1 | sed 's/ksqlDB on //' || true)
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; exit 1; fi
  sleep 0.1
done
[ -n "$url" ] || { echo "konform serve did not print its URL" >&2; cat "$log" >&2; exit 1; }
export KSQL_URL="$url"
status=0
timeout 120 node "$here/$script" || status=$?
if [ "$status" -ne 0 ]; then echo "--- konform serve log ---" >&2; tail -50 "$log" >&2; fi
exit "$status"
