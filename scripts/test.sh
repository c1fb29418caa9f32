#!/usr/bin/env bash
# README command 2: checks the formatting, builds and runs every test — the debug build (unit, e2e,
# real clients) and an ASan+UBSan build of the same suite — compiles the benchmarks (release), then
# fuzzes every parser for a bounded time (16 targets × 25 s, about 6 minutes after the build).
# Idempotent; .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

# Every tracked C++ file as clang-format (14, .clang-format) writes it; nothing is rewritten.
echo "== clang-format"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z -- '*.cpp' '*.h' | xargs -0 clang-format --dry-run -Werror
else
  find harness bench tests \( -name node_modules -prune \) -o \( -name '*.cpp' -o -name '*.h' \) \
    -print0 | xargs -0 clang-format --dry-run -Werror
fi

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

# The benchmarks are built only by the release preset: compile them (not run: timings on a CI
# runner mean nothing) so that bench/*.cpp cannot rot unseen.
echo "== release: the benchmarks compile"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs" --target konform_benches

# A fixed libFuzzer seed: CI fuzzes for real (and further each run, the corpus in build/fuzz
# grows) but does not fail at random on a crash met by chance; fuzz.sh by hand draws new seeds.
echo "== fuzz: every target for 25 s"
FUZZ_SEED=${FUZZ_SEED:-12} scripts/fuzz.sh 25
