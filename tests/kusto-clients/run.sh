#!/usr/bin/env bash
# Runs one real-client Node script against a fresh `konform serve` on free loopback ports.
# usage: [WITH_AZURITE=1] run.sh <konform binary> <script.mjs> [extra konform serve options...]
# The script gets KUSTO_URL (and KUSTO_DM_URL / AZURITE_* when queued ingestion is set up).
# RUN_TIMEOUT (seconds, default 120) bounds the script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
konform=$1
script=$2
shift 2
cd "$here"
# Several tests share node_modules: install once, under a lock.
(
  flock 9
  [ -d node_modules/azure-kusto-data ] || npm ci --no-audit --no-fund >/dev/null
) 9>"${TMPDIR:-/tmp}/konform-kusto-clients-npm.lock"

log=$(mktemp)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -f "$log"
  [ -z "${certs:-}" ] || rm -rf "$certs"
}
trap cleanup EXIT

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
wait_port() {
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

extra=()
if [ "${WITH_AZURITE:-0}" = 1 ]; then
  # Azurite on free loopback ports, in memory, without telemetry; konform serve then plays the
  # data-management role against it.
  blob_port=$(free_port)
  queue_port=$(free_port)
  table_port=$(free_port)
  node_modules/.bin/azurite --inMemoryPersistence --disableTelemetry --silent \
    --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port" >/dev/null 2>&1 &
  pids+=($!)
  # The status table (ReportMethod Table) over https: the SDKs' @azure/data-tables client
  # refuses plain http. A throw-away self-signed certificate for 127.0.0.1, trusted by konform
  # (--azurite-ca) and by node (NODE_EXTRA_CA_CERTS).
  certs=$(mktemp -d)
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$certs/key.pem" -out "$certs/cert.pem" \
    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
  tls_table_port=$(free_port)
  node_modules/.bin/azurite-table --inMemoryPersistence --disableTelemetry --silent \
    --tableHost 127.0.0.1 --tablePort "$tls_table_port" \
    --cert "$certs/cert.pem" --key "$certs/key.pem" >/dev/null 2>&1 &
  pids+=($!)
  wait_port "$blob_port"
  wait_port "$queue_port"
  wait_port "$tls_table_port"
  extra=(--dm-listen 127.0.0.1:0 --azurite-blob "http://127.0.0.1:$blob_port"
         --azurite-queue "http://127.0.0.1:$queue_port"
         --azurite-table "https://127.0.0.1:$tls_table_port" --azurite-ca "$certs/cert.pem")
  export NODE_EXTRA_CA_CERTS="$certs/cert.pem"
fi

"$konform" serve --listen 127.0.0.1:0 --ksql-listen 127.0.0.1:0 "${extra[@]}" "$@" 2>"$log" &
pids+=($!)
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'Kusto on http://[0-9.:]*' "$log" | head -1 | sed 's/Kusto on //' || true)
  [ -n "$url" ] && break
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then cat "$log" >&2; exit 1; fi
  sleep 0.1
done
[ -n "$url" ] || { echo "konform serve did not print its URL" >&2; cat "$log" >&2; exit 1; }
dm=""
if [ "${WITH_AZURITE:-0}" = 1 ]; then
  for _ in $(seq 1 100); do
    dm=$(grep -o 'data management on http://[0-9.:]*' "$log" | head -1 | sed 's/data management on //' || true)
    [ -n "$dm" ] && break
    sleep 0.1
  done
  [ -n "$dm" ] || { echo "konform serve did not print its data-management URL" >&2; cat "$log" >&2; exit 1; }
fi
export KUSTO_URL="$url" KUSTO_DM_URL="$dm"
status=0
timeout "${RUN_TIMEOUT:-120}" node "$here/$script" || status=$?
if [ "$status" -ne 0 ]; then echo "--- konform serve log ---" >&2; tail -50 "$log" >&2; fi
exit "$status"
