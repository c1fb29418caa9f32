#!/usr/bin/env bash
# The distributed run of deploy/konform-load-job.yaml, tested without Kubernetes: the container's
# command is read from the manifest (so the two cannot drift) and run by `sh -c` with the
# manifest's env names, as the kubelet runs it, once per shard with JOB_COMPLETION_INDEX set.
# Only the values change: TARGET is a local `konform serve`, SCENARIOS the repository's
# scenarios/kusto/ping.json (bundled in the image under /usr/share/konform/scenarios/kusto; a
# light one, so every request is answered in time on a busy 2-core machine), RESULTS a scratch folder, LOAD a short -n run instead of ten minutes, SHARDS 4.
# Usage: run.sh path/to/konform path/to/source
set -euo pipefail
konform=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
manifest=$src/deploy/konform-load-job.yaml
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "work: $work"
fail() { echo "deploy test: $*" >&2; exit 1; }

# The manifest's pieces: the shell command (args, a folded scalar), the env names it uses, the
# completions count and the merge command (an annotation). PyYAML is Debian's python3-yaml.
python3 - "$manifest" "$work" "$src" <<'PY'
import os, sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
container = spec["template"]["spec"]["containers"][0]
assert container["command"] == ["sh", "-c"], container["command"]
env = {e["name"]: e["value"] for e in container["env"]}
assert env["SHARDS"] == str(spec["completions"]), "SHARDS must equal completions"
assert spec["parallelism"] == spec["completions"], "all shards must start together"
assert spec["completionMode"] == "Indexed"
# The pods read the scenarios bundled in the image: deploy/Dockerfile copies scenarios/ there.
bundled = "/usr/share/konform/scenarios/"
assert env["SCENARIOS"].startswith(bundled), f"SCENARIOS {env['SCENARIOS']} is not under {bundled}"
in_repo = os.path.join(sys.argv[3], "scenarios", env["SCENARIOS"][len(bundled):])
assert os.path.exists(in_repo), f"SCENARIOS {env['SCENARIOS']}: the repository has no {in_repo}"
open(sys.argv[2] + "/command", "w").write(container["args"][0])
open(sys.argv[2] + "/merge", "w").write(job["metadata"]["annotations"]["konform/merge"])
open(sys.argv[2] + "/env-names", "w").write(" ".join(env))
PY
command=$(cat "$work/command")
merge_command=$(cat "$work/merge")
for name in TARGET SHARDS LOAD SCENARIOS RESULTS; do
  grep -qw "$name" "$work/env-names" || fail "the manifest no longer sets $name: update run.sh"
done
echo "manifest command: $command"

# konform serve on free loopback ports.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kusto_port=$(free_port)
ksql_port=$(free_port)
"$konform" serve --listen "127.0.0.1:$kusto_port" --ksql-listen "127.0.0.1:$ksql_port" --quiet \
  >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' \
    "$kusto_port" 2>/dev/null && break
  sleep 0.1
done

# PATH carries the konform under test, as the image's /usr/local/bin does.
export PATH="$(dirname "$konform"):$PATH"
export TARGET="http://127.0.0.1:$kusto_port" SCENARIOS="$src/scenarios/kusto/ping.json"
export LOAD="-R 200 -n 400 -t 1 -c 4 --timeout 10s"
requests=400

# Runs the manifest's command as shard $1 of $2 into folder $3 (JOB_COMPLETION_INDEX as Kubernetes
# sets it), in the background; its pid is in $! of the caller.
shard() {
  mkdir -p "$3"
  JOB_COMPLETION_INDEX=$1 SHARDS=$2 RESULTS=$3 sh -c "$command" >"$3/out-$1" 2>&1
}

# 1. Four shards, started together as the Job's pods are, then merged by the manifest's merge.
shard_pids=()
for i in 0 1 2 3; do
  shard "$i" 4 "$work/four" &
  shard_pids+=($!)
done
for i in 0 1 2 3; do
  wait "${shard_pids[$i]}" || fail "shard $i/4 exited $?: $(cat "$work/four/out-$i")"
done
ls "$work/four"/shard-{0,1,2,3}.hlog >/dev/null || fail "a shard wrote no log"
RESULTS=$work/four sh -c "$merge_command" >"$work/merge.out" 2>&1 ||
  fail "merge of 4 shards exited $?: $(cat "$work/merge.out")"

# 2. One process, the same command with SHARDS=1: the whole -n.
shard 0 1 "$work/one" || fail "the single run exited $?: $(cat "$work/one/out-0")"
RESULTS=$work/one sh -c "$merge_command" >"$work/merge-one.out" 2>&1 ||
  fail "merge of the single run exited $?: $(cat "$work/merge-one.out")"

# Each shard alone, for its own percentiles (merge says the other 3 are missing: exit 2).
for i in 0 1 2 3; do
  code=0
  "$konform" merge "$work/four/shard-$i.hlog" --json "$work/four/alone-$i.json" \
    >"$work/alone.out" 2>&1 || code=$?
  [ "$code" = 2 ] || fail "merge of shard $i alone exited $code, not 2 (3 shards missing)"
  grep -q "3 of 4 shards missing" "$work/alone.out" || fail "$(cat "$work/alone.out")"
done

python3 - "$work" "$requests" <<'PY'
import json, sys
work, requests = sys.argv[1], int(sys.argv[2])
merged = json.load(open(f"{work}/four/merged.json"))
single = json.load(open(f"{work}/one/merged.json"))
shards = [json.load(open(f"{work}/four/alone-{i}.json")) for i in range(4)]
problems = []
def check(ok, what):
    if not ok: problems.append(what)
# The shards partition the schedule: together exactly the single process's -n.
check(single["requests"] == requests, f"single run: {single['requests']} requests, not {requests}")
check(merged["requests"] == single["requests"],
      f"merged {merged['requests']} requests != single process {single['requests']}")
check(sum(s["requests"] for s in shards) == merged["requests"], "shard requests do not add up")
check(merged["attempted"] == single["attempted"], "attempts differ")
check(merged["target_rps"] == single["target_rps"], "the shards' rates do not add up to -R")
for kind in ("corrected", "uncorrected"):
    m = merged["latency_us"][kind]
    parts = [s["latency_us"][kind] for s in shards]
    check(m["count"] == sum(p["count"] for p in parts), f"{kind} count")
    check(m["count"] == single["latency_us"][kind]["count"], f"{kind} count != single")
    check(m["max"] == max(p["max"] for p in parts), f"{kind} max")
    check(m["min"] == min(p["min"] for p in parts), f"{kind} min")
    mean = sum(p["mean"] * p["count"] for p in parts) / m["count"]
    check(abs(m["mean"] - mean) <= 1e-6 * mean, f"{kind} mean {m['mean']} != {mean}")
    # A percentile of a union lies between the parts' same percentiles; HdrHistogram with 3
    # significant digits reports a bucket's upper end, so allow one part in a thousand.
    for key in ("p50", "p75", "p90", "p99", "p99_9"):
        lo, hi = min(p[key] for p in parts), max(p[key] for p in parts)
        check(lo * 0.999 - 1 <= m[key] <= hi * 1.001 + 1,
              f"{kind} {key} {m[key]} outside the shards' [{lo}, {hi}]")
if problems:
    sys.exit("deploy test: " + "; ".join(problems))
print(f"merged {merged['requests']} requests = single process; merged p50 "
      f"{merged['latency_us']['corrected']['p50']}us p99 {merged['latency_us']['corrected']['p99']}us "
      f"(single run p50 {single['latency_us']['corrected']['p50']}us p99 "
      f"{single['latency_us']['corrected']['p99']}us)")
PY

# 3. A shard that fails. Killed mid-run (its log has intervals but no closing summary) ...
mkdir -p "$work/killed"
LOAD="-R 100 -d 60s -t 1 -c 2" JOB_COMPLETION_INDEX=3 SHARDS=4 RESULTS=$work/killed \
  sh -c "$command" >/dev/null 2>&1 &
killed=$!
pids+=($killed)
for _ in $(seq 1 100); do
  grep -q '^Tag=' "$work/killed/shard-3.hlog" 2>/dev/null && break
  sleep 0.1
done
kill -9 "$killed"
wait "$killed" 2>/dev/null || true
cp "$work/four"/shard-{0,1,2}.hlog "$work/killed/"
code=0
RESULTS=$work/killed sh -c "$merge_command" >"$work/killed.out" 2>&1 || code=$?
[ "$code" = 2 ] || fail "merge with a killed shard exited $code, not 2: $(cat "$work/killed.out")"
grep -q "shard-3.hlog: no closing #\[konform-summary\] line" "$work/killed.out" ||
  fail "merge did not name the unfinished log: $(cat "$work/killed.out")"
grep -q "1 of 4 shards missing (3/4)" "$work/killed.out" ||
  fail "merge did not name the missing shard: $(cat "$work/killed.out")"

# ... or never started (no log at all).
rm "$work/killed/shard-3.hlog"
code=0
RESULTS=$work/killed sh -c "$merge_command" >"$work/missing.out" 2>&1 || code=$?
[ "$code" = 2 ] || fail "merge with a missing shard exited $code, not 2"
grep -q "1 of 4 shards missing (3/4)" "$work/missing.out" ||
  fail "merge did not name the missing shard: $(cat "$work/missing.out")"
echo "deploy test: ok"
