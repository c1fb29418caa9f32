#!/usr/bin/env bash
# A real client recorded and replayed: `konform serve` (with a small --data folder), `konform
# record` in front of it, the Node script pointed at the proxy; then the recording must pass
# `konform check` against a fresh serve, fail naming the changed cell against one with changed
# --data (when the session reads that data: CHANGED=1), and hold no bearer token.
# usage: [CHANGED=1] run_recorded.sh <konform binary> <clients folder> <script.mjs>
set -euo pipefail
konform=$1
clients=$2
script=$3
cd "$clients"
(
  flock 9
  [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null
) 9>"${TMPDIR:-/tmp}/konform-$(basename "$clients")-npm.lock"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

for d in data changed; do mkdir -p "$work/$d/Samples"; echo "Name:string, Count:long" >"$work/$d/Samples/Recorded.schema"; done
printf 'a,1\nb,2\nc,3\n' >"$work/data/Samples/Recorded.csv"
printf 'a,1\nb,5\nc,3\n' >"$work/changed/Samples/Recorded.csv"

# Starts `konform serve --data DIR`; sets KUSTO and KSQL to its URLs.
serve() {
  local log="$work/serve-$1.log"
  "$konform" serve --listen 127.0.0.1:0 --ksql-listen 127.0.0.1:0 --data "$work/$1" 2>"$log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    KUSTO=$(grep -o 'Kusto on http://[0-9.:]*' "$log" | head -1 | sed 's/Kusto on //' || true)
    KSQL=$(grep -o 'ksqlDB on http://[0-9.:]*' "$log" | head -1 | sed 's/ksqlDB on //' || true)
    [ -n "$KUSTO" ] && [ -n "$KSQL" ] && return 0
    sleep 0.1
  done
  echo "konform serve did not print its URLs" >&2; cat "$log" >&2; return 1
}

serve data
"$konform" record --upstream "$KUSTO" --ksql-upstream "$KSQL" --listen 127.0.0.1:0 \
  --out "$work/rec/session.json" >"$work/record.out" 2>"$work/record.log" &
record_pid=$!
proxy=""
for _ in $(seq 1 100); do
  proxy=$(grep -o 'recording on http://[0-9.:]*' "$work/record.log" | head -1 | sed 's/recording on //' || true)
  [ -n "$proxy" ] && break
  sleep 0.1
done
[ -n "$proxy" ] || { echo "konform record did not print its URL" >&2; cat "$work/record.log" >&2; exit 1; }

token="recorded-bearer-$RANDOM$RANDOM-token"
KUSTO_URL="$proxy" KSQL_URL="$proxy" KUSTO_TOKEN="$token" timeout 120 node "$clients/$script"
kill -INT "$record_pid"
wait "$record_pid" || { echo "konform record failed" >&2; cat "$work/record.log" >&2; exit 1; }
cat "$work/record.out"

if grep -rl -- "$token" "$work/rec" >/dev/null 2>&1; then
  echo "the bearer token was written to the recording" >&2; exit 1
fi

files=("$work"/rec/*.json)
serve data
if ! "$konform" check "${files[@]}" --root "$work" --kusto-target "$KUSTO" --ksql-target "$KSQL" \
  >"$work/check.out" 2>&1; then
  echo "the recording does not replay against a fresh konform serve:" >&2; cat "$work/check.out" >&2; exit 1
fi
echo "replayed against a fresh konform serve: passed"

if [ "${CHANGED:-0}" = 1 ]; then
  serve changed
  status=0
  "$konform" check "${files[@]}" --root "$work" --kusto-target "$KUSTO" --ksql-target "$KSQL" \
    >"$work/check.out" 2>&1 || status=$?
  if [ "$status" -ne 1 ] || ! grep -q 'column Count: expected 2, got 5' "$work/check.out"; then
    echo "against changed --data the check should fail naming the changed cell (exit $status):" >&2
    cat "$work/check.out" >&2; exit 1
  fi
  echo "against changed --data: failed naming the changed cell, as it should"
fi
