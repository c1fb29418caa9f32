#!/usr/bin/env bash
# konform load --http2 and h2load side by side against one nginx http2 plain listener on loopback
# (h2c with prior knowledge, as h2load does on an http:// URL), or with TLS=1 its `ssl http2`
# listener (HTTP/2 over TLS chosen by ALPN h2, a throwaway certificate for 127.0.0.1 that konform
# verifies with --ca-file; h2load verifies none): nginx has one worker pinned to CPU 1
# serving a small static JSON file, the load tool is pinned to CPU 0, client CPU comes from GNU
# time (user + sys). Both tools get the same connections (-c), streams per connection (-m), one
# thread and the same duration; ROUNDS pairs run back to back, alternating which tool goes first.
# Prints per round and as medians the two targets of issue 16:
#   1. requests/s, konform / h2load                   (target >= 1.0)
#   2. client CPU per request, konform / h2load       (target <= 0.8)
# with the hypervisor's steal time and nginx's CPU per request beside every run, so a figure taken
# while the host was busy says so.
#
# Usage: bench/load_vs_h2load.sh [path/to/konform]
# Environment: CONNECTIONS (10) STREAMS (10) DURATION (10, seconds) ROUNDS (3) PORT (18090)
# TLS (0; 1: over TLS).
# Build konform in Release: cmake --preset release && cmake --build --preset release --target konform
set -euo pipefail

KONFORM=${1:-build/release/konform}
CONNECTIONS=${CONNECTIONS:-10}
STREAMS=${STREAMS:-10}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18090}
TLS=${TLS:-0}

. "$(dirname "$0")/lib_turns.sh"
bench_require load_vs_h2load "nginx-light, nghttp2-client" nginx h2load taskset /usr/bin/time python3
BENCH_TLS=$TLS NGINX_LISTEN_OPTIONS=http2 bench_nginx "$PORT"
trust=()
[ "$TLS" = 1 ] && trust=(--ca-file "$work/cert.pem")
h2load -n 10 -c 1 "$URL" | grep -q "10 succeeded" || { echo "load_vs_h2load: nginx does not answer HTTP/2 on $URL" >&2; exit 2; }

run_h2load() {
  local t
  t=$(timed h2load -t 1 -c "$CONNECTIONS" -m "$STREAMS" -D "$DURATION" "$URL")
  # "finished in 10.00s, 51234.50 req/s, ..." and "requests: N total, N started, N done, N succeeded"
  echo "h2load $1 $(awk '/^finished in/ {print $4}' "$work/out") $(awk '/^requests:/ {print $8}' "$work/out") $t" >>"$work/runs.tsv"
}
run_konform() {
  local t
  t=$(timed "$KONFORM" load --http2 --url "$URL" "${trust[@]}" -t 1 -c "$CONNECTIONS" -m "$STREAMS" -d "${DURATION}s" -q --json "$work/k.json")
  echo "konform $1 $(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['rps'], r['requests'])" "$work/k.json") $t" >>"$work/runs.tsv"
}

echo "== HTTP/2 $([ "$TLS" = 1 ] && echo "over TLS" || echo "h2c") closed model: $ROUNDS rounds of ${DURATION}s per tool, 1 thread, $CONNECTIONS connections x $STREAMS streams, nginx on CPU 1, client on CPU 0"
echo "   host: $(uptime)"
: >"$work/runs.tsv"
bench_turns "$ROUNDS" run_h2load run_konform
python3 - "$work/runs.tsv" "$DURATION" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import statistics, sys
rows, duration, hz, cpus = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
runs = {}
for line in open(rows):
    tool, rnd, rps, n, user, sys_, rss, steal, nginx = line.split()
    n = float(n)
    runs[(tool, int(rnd))] = dict(rps=float(rps), n=n, user=float(user), sys=float(sys_), rss=float(rss),
                                  cpu_us=(float(user) + float(sys_)) * 1e6 / n,
                                  steal=100 * float(steal) / (hz * duration * cpus),
                                  nginx_us=float(nginx) / hz * 1e6 / n)
rounds = sorted({r for _, r in runs})
for r in rounds:
    for tool in ("h2load", "konform"):
        x = runs[(tool, r)]
        print(f"  round {r} {tool:7s} {x['rps']:8.0f} req/s  CPU {x['user']:.2f}+{x['sys']:.2f}s = "
              f"{x['cpu_us']:5.2f} us/request  maxRSS {x['rss']/1024:.1f} MiB  "
              f"[nginx {x['nginx_us']:.1f} us/request, steal {x['steal']:.1f}%]")
ratio = [runs[("konform", r)]["rps"] / runs[("h2load", r)]["rps"] for r in rounds]
cpu = [runs[("konform", r)]["cpu_us"] / runs[("h2load", r)]["cpu_us"] for r in rounds]
print(f"  requests/s konform/h2load per round: {', '.join(f'{v:.3f}' for v in ratio)}; "
      f"median {statistics.median(ratio):.3f}   (target >= 1.0)")
print(f"  client CPU per request konform/h2load per round: {', '.join(f'{v:.3f}' for v in cpu)}; "
      f"median {statistics.median(cpu):.3f}   (target <= 0.8)")
PY
