# shellcheck shell=bash
# Sourced by the side-by-side load bench scripts (load_vs_wrk.sh, load_vs_h2load.sh,
# baseline_noise.sh): what each of them did the same way, written once.
#   bench_require NAME HINT TOOL...  exits 2 unless every TOOL and $KONFORM are there (the
#                                    message starts with NAME; HINT names the packages, if any)
#   bench_nginx PORT                 a work folder $work (removed on exit), $work/small.json,
#                                    one nginx worker on CPU 1 serving it (bench/nginx_static.sh)
#                                    at $URL, its worker's pid in $nginx_worker; with BENCH_TLS=1
#                                    over TLS (https $URL) with a throwaway certificate for
#                                    127.0.0.1 in $work/cert.pem
#   steal_ticks, nginx_ticks         clock ticks the hypervisor stole (all CPUs), the nginx
#                                    worker's CPU ticks
#   timed CMD...                     runs CMD pinned to CPU 0 (stdout to $work/out, stderr to
#                                    $work/err) and prints "user sys maxrss_kb steal nginx_ticks"
#   bench_turns ROUNDS A B           ROUNDS rounds of `A ROUND` and `B ROUND`, alternating which
#                                    goes first, so neither tool always runs on a warmer host
. "$(dirname "${BASH_SOURCE[0]}")/nginx_static.sh"

bench_require() {
  local name=$1 hint=$2 tool
  shift 2
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$name: $tool is not installed${hint:+ ($hint)}" >&2; exit 2; }
  done
  [ -x "$KONFORM" ] || { echo "$name: $KONFORM is not an executable (give the konform path)" >&2; exit 2; }
}

bench_cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}

bench_nginx() {
  work=$(mktemp -d)
  trap bench_cleanup EXIT
  printf '{"ok":true}' >"$work/small.json" # 11 bytes, as in the reference measurement
  local scheme=http
  if [ "${BENCH_TLS:-0}" = 1 ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    NGINX_LISTEN_OPTIONS="ssl ${NGINX_LISTEN_OPTIONS:-}"
    NGINX_SERVER_EXTRA="ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem;"
    scheme=https
  fi
  NGINX_LISTEN_OPTIONS=${NGINX_LISTEN_OPTIONS:-} NGINX_SERVER_EXTRA=${NGINX_SERVER_EXTRA:-} start_nginx "$work" "$1"
  sleep 0.5
  URL="$scheme://127.0.0.1:$1/small.json"
  nginx_worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
}

steal_ticks() { awk '/^cpu / {print $9}' /proc/stat; }
nginx_ticks() { awk '{print $14 + $15}' "/proc/$nginx_worker/stat"; }

timed() {
  local s0 n0
  s0=$(steal_ticks) n0=$(nginx_ticks)
  taskset -c 0 /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err"
  echo "$(cat "$work/time") $(($(steal_ticks) - s0)) $(($(nginx_ticks) - n0))"
}

bench_turns() {
  local rounds=$1 first=$2 second=$3 round
  for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then "$first" "$round"; "$second" "$round"; else "$second" "$round"; "$first" "$round"; fi
  done
}
