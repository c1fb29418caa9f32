#!/usr/bin/env bash
# README command 2: builds and runs every test — the debug build (unit, e2e, real clients) and an
# ASan+UBSan build of the same suite — then fuzzes every parser for a bounded time (14 targets ×
# 25 s, about 6 minutes after the build). Idempotent; .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

for preset in dev asan-ubsan; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: tests"
  if [ "$preset" = dev ]; then
    ctest --preset "$preset" -j "$jobs"
  else
    # Real-client tests exercise Node programs, not our memory safety: the debug run covers them.
    ctest --preset "$preset" -j "$jobs" -LE realclients
  fi
done

# A fixed libFuzzer seed: CI fuzzes for real (and further each run, the corpus in build/fuzz
# grows) but does not fail at random on a crash met by chance; fuzz.sh by hand draws new seeds.
echo "== fuzz: every target for 25 s"
FUZZ_SEED=${FUZZ_SEED:-12} scripts/fuzz.sh 25
