#!/usr/bin/env bash
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# Builds the libFuzzer targets (harness/fuzz, preset `fuzz`: clang, ASan+UBSan) and runs each for
# SECONDS (default 30), starting from seeds made of what the repository holds (scenarios, goldens,
# harness/fuzz/seeds and regressions) and ../shared/corpus when present.
# Crash inputs land in build/fuzz/artifacts/<target>/, logs in build/fuzz/logs/; the corpus each
# target grows is kept in build/fuzz/corpus/<target>/ for the next run. Exit 1 when any target
# crashed. To replay or minimise one input: build/fuzz/harness/fuzz/<target>_fuzz FILE.
# FUZZ_SEED=N fixes libFuzzer's random seed (-seed=N): from the same corpus the same mutations are
# tried, so a run does not fail by chance on a crash found in a new random direction. scripts/test.sh
# (CI) sets it; unset (by hand), each run draws a new seed and explores further. Either way the
# corpus grows in build/fuzz/corpus, so the next run (even with the same seed) starts further on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
seed_opt=()
if [ -n "${FUZZ_SEED:-}" ]; then
  [[ $FUZZ_SEED =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_SEED must be a positive integer" >&2; exit 2; }
  seed_opt=(-seed="$FUZZ_SEED")
  echo "fuzz: libFuzzer seed $FUZZ_SEED (FUZZ_SEED)"
fi
shift || true
all=(scenario json_path compare validate exchange response_parser hlog gzip kql ingest sql_parser
     serve_kusto serve_ksql diff_files serve_h2 har path elements)
if (($#)); then targets=("$@"); else targets=("${all[@]}"); fi
out=build/fuzz

echo "== fuzz: configure and build"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

# Seeds are assembled afresh each run (the repository's files may have changed): the committed
# seeds and regressions of each target, scenarios, data files and goldens, ../shared/corpus.
seeds=$out/seeds
rm -rf "$seeds"
for t in "${all[@]}"; do
  mkdir -p "$seeds/$t"
  # Kept crash inputs too: one that crashes again fails the run at once.
  for d in seeds regressions; do
    if [ -d "harness/fuzz/$d/$t" ]; then cp harness/fuzz/"$d/$t"/* "$seeds/$t/"; fi
  done
done
shared=../shared/corpus
[ -d "$shared" ] || { echo "fuzz: $shared is absent: seeds from the repository only"; shared=; }
n=0
seed() { cp "$1" "$seeds/$2/$((n++))"; }
while IFS= read -r f; do seed "$f" scenario; done < <(find scenarios -name '*.json')
while IFS= read -r f; do seed "$f" ingest; done < <(find scenarios/kusto/data -type f)
while IFS= read -r f; do
  seed "$f" validate
  seed "$f" exchange
  seed "$f" elements # JSON streams (ksqlDB) and other bodies, as the array layout
  { cat "$f"; printf '\0'; cat "$f"; } >"$seeds/compare/$((n++))" # a golden against itself
  gzip -c "$f" >"$seeds/gzip/$((n++))"
done < <(find golden ${shared:+"$shared"} -type f \( -name '*.json' -o -name '*.txt' \))

passed=0 failed=0
mkdir -p "$out/logs"
for t in "${targets[@]}"; do
  bin=$out/harness/fuzz/${t}_fuzz
  mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
  log=$out/logs/$t.log
  status=0
  # The outer timeout only guards against a fuzzer that stops answering; libFuzzer ends itself.
  timeout $((seconds + 120)) "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" "${seed_opt[@]}" \
    "$out/corpus/$t" "$seeds/$t" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true) # none: crashed at once
  if [ "$status" = 0 ]; then
    passed=$((passed + 1))
    printf 'fuzz: %-16s ok      %10s runs  %7s exec/s  cov %s\n' "$t" "${runs:-?}" "${rate:-?}" \
      "${cov:-?}"
  else
    failed=$((failed + 1))
    artifact=$(grep -o 'Test unit written to .*' "$log" | tail -1 | sed 's/.* written to //' || true)
    why=$(grep -m1 -o -e 'ERROR: [A-Za-z]*Sanitizer: [a-z-]*' -e 'ERROR: libFuzzer: [a-z-]*' \
      -e 'runtime error: .*' "$log" || true)
    printf 'fuzz: %-16s FAILED  %s  input: %s  log: %s\n' "$t" "${why:-exit $status}" \
      "${artifact:-none}" "$log"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
