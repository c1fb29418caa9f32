#!/usr/bin/env bash
# How many repeated runs does `konform load --baseline ... --max-regression ...` need for a stable
# verdict on this machine? Runs the same build RUNS times against one nginx on loopback (nginx on
# CPU 1, konform on CPU 0), saves every --json, and treats each run as a candidate against each
# other run as its baseline: with no change at all, every FAILED gate is a false alarm. A verdict
# over N repeated runs is the majority of N gates, each candidate against its own baseline run
# (save N baselines, run the gate N times, fail when most fail); the script prints the false-alarm
# rate for N = 1, 3, 5 and, for the same gates, how often a made-up regression (latencies 1.5x,
# rps 0.8x applied to the candidate's numbers) is caught. Steal time is printed beside.
#
# Usage: bench/baseline_noise.sh [path/to/konform]
# Environment: RUNS (12) DURATION (2, seconds) RATE (5000, open model; 0 = closed only)
# CONNECTIONS (16) PORT (18091).
set -euo pipefail
KONFORM=${1:-build/release/konform}
RUNS=${RUNS:-12}
DURATION=${DURATION:-2}
RATE=${RATE:-5000}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18091}
. "$(dirname "$0")/lib_turns.sh"
bench_require baseline_noise "" nginx taskset python3
bench_nginx "$PORT"

s0=$(steal_ticks); t0=$(date +%s)
for i in $(seq 1 "$RUNS"); do
  taskset -c 0 "$KONFORM" load --url "$URL" -t 1 -c "$CONNECTIONS" -d "${DURATION}s" -q \
    --json "$work/closed-$i.json" >/dev/null
  if [ "$RATE" != 0 ]; then
    taskset -c 0 "$KONFORM" load --url "$URL" -t 1 -c "$CONNECTIONS" -d "${DURATION}s" -R "$RATE" \
      -q --json "$work/open-$i.json" >/dev/null
  fi
done
elapsed=$(($(date +%s) - t0))
echo "host: $(nproc) CPUs, $(uptime | sed 's/.*load average/load average/'), steal $(( ($(steal_ticks) - s0) * 100 / $(getconf CLK_TCK) / elapsed ))% of one CPU over ${elapsed}s"

python3 - "$work" "$RUNS" "$RATE" <<'PY'
import json, random, statistics, sys
work, runs, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
random.seed(1)
def load(model):
    out = []
    for i in range(1, runs + 1):
        r = json.load(open(f"{work}/{model}-{i}.json"))
        c = r["latency_us"]["corrected"]
        out.append({"rps": r["rps"], "p50": c["p50"], "p99": c["p99"], "p99.9": c["p99_9"]})
    return out
gates = {"closed": [("rps", 0.05), ("p99", 0.10), ("p99", 0.25)],
         "open": [("p50", 0.10), ("p99", 0.10), ("p99", 0.25), ("p99.9", 0.25)]}
def worse(metric, old, new, limit):
    return new < old * (1 - limit) if metric == "rps" else new > old * (1 + limit)
for model in (["closed", "open"] if rate else ["closed"]):
    data = load(model)
    print(f"== {model} model: {runs} runs" + (f" at -R {rate:.0f}" if model == "open" else ""))
    for m in ("rps", "p50", "p99", "p99.9"):
        v = [d[m] for d in data]
        print(f"  {m:6} median {statistics.median(v):10.1f}  min {min(v):10.1f}  max {max(v):10.1f}"
              f"  stdev/mean {statistics.pstdev(v) / statistics.mean(v):6.1%}")
    for metric, limit in gates[model]:
        line = f"  gate {metric}={limit:.0%}:"
        for n in (1, 3, 5):
            if 2 * n > runs:
                continue
            false_alarms = caught = 0
            trials = 2000
            for _ in range(trials):
                picks = random.sample(range(runs), 2 * n)
                pairs = list(zip(picks[:n], picks[n:]))  # (baseline, candidate), all distinct runs
                fails = sum(worse(metric, data[b][metric], data[c][metric], limit) for b, c in pairs)
                factor = 0.8 if metric == "rps" else 1.5
                regressed = sum(worse(metric, data[b][metric], data[c][metric] * factor, limit)
                                for b, c in pairs)
                false_alarms += fails * 2 > n
                caught += regressed * 2 > n
            line += f"  N={n}: false alarm {false_alarms / trials:5.1%}, caught {caught / trials:5.1%}"
        print(line)
PY
