#!/usr/bin/env bash
# Builds deploy/Dockerfile and checks the image the way the Job uses it. Needs a running Docker
# daemon, so it is not part of ctest or CI (they have none): run it by hand after changing
# deploy/ or the build, e.g. `deploy/verify-image.sh` from anywhere in the checkout.
#   1. docker build (the Release build inside takes a while: it compiles from scratch);
#   2. the runtime image: its size, its user (not root), every shared library of konform found;
#   3. `konform --version`, then `konform serve` in one container and `konform load` (closed and
#      open model) in another, over the host's loopback;
#   4. deploy/konform-load-job.yaml's own command (read from the file, as tests/deploy/run.sh
#      does) in 2 containers at once with JOB_COMPLETION_INDEX set as Kubernetes sets it, with
#      the manifest's SCENARIOS (a bundled scenario) and a host folder mounted at its RESULTS; only
#      TARGET, SHARDS and LOAD (a short -n run) differ. Then the manifest's merge in a third
#      container: the merged request count must be the whole -n, without errors.
# Environment: IMAGE (default konform:verify), BUILD_NETWORK (e.g. host, when the daemon runs with
# --bridge=none), SKIP_BUILD=1 to check an image already built.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
image=${IMAGE:-konform:verify}
fail() { echo "verify-image: $*" >&2; exit 1; }

if ! docker info >/dev/null 2>&1; then
  echo "verify-image: no Docker daemon answers (\`docker info\` failed): start one, or set" \
    "DOCKER_HOST, and run this again. Nothing was checked." >&2
  exit 2
fi
python3 -c 'import yaml' 2>/dev/null ||
  fail "needs python3 with PyYAML (Debian: python3-yaml) to read the manifest's command"

work=$(mktemp -d)
containers=()
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The build.
if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== docker build -f deploy/Dockerfile -t $image $src"
  start=$(date +%s)
  docker build ${BUILD_NETWORK:+--network "$BUILD_NETWORK"} -f "$src/deploy/Dockerfile" \
    -t "$image" "$src"
  echo "built in $(( $(date +%s) - start )) s"
fi

# 2. The runtime image.
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "== image $image: $((size / 1000000)) MB"
user=$(docker image inspect -f '{{.Config.User}}' "$image")
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "the image runs as root ('$user')"
uid=$(docker run --rm --entrypoint id "$image" -u)
[ "$uid" != 0 ] || fail "the image's user $user has uid 0"
echo "runs as $user (uid $uid)"
libs=$(docker run --rm --entrypoint ldd "$image" /usr/local/bin/konform)
echo "$libs" | grep -q "not found" && fail "shared libraries missing in the image:
$(echo "$libs" | grep "not found")"
echo "every shared library found: $(echo "$libs" | awk '{print $1}' | tr '\n' ' ')"
docker run --rm --entrypoint ls "$image" /usr/share/konform/scenarios/kusto/ping.json >/dev/null ||
  fail "the bundled scenarios are not in /usr/share/konform/scenarios"

# 3. --version, then serve and load in separate containers over the host's loopback.
version=$(docker run --rm "$image" --version) || fail "konform --version failed"
echo "== konform --version: $version"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kusto_port=$(free_port)
ksql_port=$(free_port)
serve=konform-verify-serve-$$
docker run -d --rm --name "$serve" --network host "$image" serve \
  --listen "127.0.0.1:$kusto_port" --ksql-listen "127.0.0.1:$ksql_port" --quiet >/dev/null
containers+=("$serve")
for _ in $(seq 1 100); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' \
    "$kusto_port" 2>/dev/null && break
  sleep 0.1
done
chmod 777 "$work" # the image's user writes its results into this folder

# Checks that a --json result has requests and no errors; $1 the file, $2 what it was.
check_result() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
errors = r["errors"]["total"]
if r["requests"] <= 0 or errors:
    sys.exit(f"verify-image: {sys.argv[2]}: {r['requests']} requests, {errors} errors")
print(f"{sys.argv[2]}: {r['requests']} requests, 0 errors, p99 "
      f"{r['latency_us']['corrected']['p99']} us")
PY
}
echo "== konform load in a container against konform serve in another"
docker run --rm --network host -v "$work:/results" "$image" load \
  --url "http://127.0.0.1:$kusto_port/v1/rest/ping" -d 3s -t 1 -c 4 -q --json /results/closed.json \
  >/dev/null || fail "konform load (closed model, --url) failed"
check_result "$work/closed.json" "closed model, --url, 3 s"
docker run --rm --network host -v "$work:/results" "$image" load \
  --target "http://127.0.0.1:$kusto_port" /usr/share/konform/scenarios/kusto/ping.json \
  -R 200 -d 3s -t 1 -c 4 -q --json /results/open.json >/dev/null ||
  fail "konform load (open model, the bundled ping scenario) failed"
check_result "$work/open.json" "open model, bundled scenario, -R 200 3 s"

# 4. The manifest's command, 2 shards in 2 containers, then its merge.
python3 - "$src/deploy/konform-load-job.yaml" "$work" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
container = job["spec"]["template"]["spec"]["containers"][0]
assert container["command"] == ["sh", "-c"], container["command"]
env = {e["name"]: e["value"] for e in container["env"]}
open(sys.argv[2] + "/command", "w").write(container["args"][0])
open(sys.argv[2] + "/merge", "w").write(job["metadata"]["annotations"]["konform/merge"])
open(sys.argv[2] + "/scenarios-dir", "w").write(env["SCENARIOS"])
open(sys.argv[2] + "/results-dir", "w").write(env["RESULTS"])
PY
command=$(cat "$work/command")
merge_command=$(cat "$work/merge")
scenarios_dir=$(cat "$work/scenarios-dir")
results_dir=$(cat "$work/results-dir")
mkdir -p "$work/results"
chmod 777 "$work/results"
requests=400
echo "== the manifest's command, 2 shards in 2 containers: $command"
shard_pids=()
for i in 0 1; do
  docker run --rm --network host --entrypoint sh \
    -e TARGET="http://127.0.0.1:$kusto_port" -e SHARDS=2 -e JOB_COMPLETION_INDEX=$i \
    -e LOAD="-R 200 -n $requests -t 1 -c 4 --timeout 10s" \
    -e SCENARIOS="$scenarios_dir" -e RESULTS="$results_dir" \
    -v "$work/results:$results_dir" \
    "$image" -c "$command" >"$work/shard-$i.out" 2>&1 &
  shard_pids+=($!)
done
for i in 0 1; do
  wait "${shard_pids[$i]}" || fail "shard $i/2 exited non-zero: $(cat "$work/shard-$i.out")"
done
docker run --rm --entrypoint sh -e RESULTS="$results_dir" -v "$work/results:$results_dir" \
  "$image" -c "$merge_command" >"$work/merge.out" 2>&1 ||
  fail "the manifest's merge failed: $(cat "$work/merge.out")"
python3 - "$work/results/merged.json" "$requests" <<'PY'
import json, sys
merged, requests = json.load(open(sys.argv[1])), int(sys.argv[2])
if merged["requests"] != requests or merged["errors"]["total"]:
    sys.exit(f"verify-image: merged {merged['requests']} requests (-n {requests}), "
             f"{merged['errors']['total']} errors")
print(f"merged 2 shards: {merged['requests']} requests = -n, 0 errors, "
      f"p99 {merged['latency_us']['corrected']['p99']} us")
PY
echo "verify-image: ok ($image, $((size / 1000000)) MB, user $user)"
