#!/usr/bin/env bash
# README command 1: installs what is missing (Debian 12 packages), builds the release preset, and
# runs `konform check` on the bundled scenarios against the embedded reference endpoint (loopback,
# ephemeral ports), printing the verdict. Idempotent: a second run only re-checks.
# Reports: reports/check.html (open it in a browser), reports/check.json, reports/check-junit.xml.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== build (release preset)"
cmake --preset release >/dev/null
cmake --build --preset release --target konform -j "$(nproc)"

echo "== konform check: bundled scenarios against the embedded reference endpoint"
status=0
# --root: the scenarios' goldens live beside them in this tree, with or without a .git folder.
build/release/konform check scenarios --root . \
  --html reports/check.html --json reports/check.json --junit reports/check-junit.xml || status=$?

case $status in
  0) echo "quickstart: every bundled scenario passed (reports/check.html, check.json, check-junit.xml)" ;;
  1) echo "quickstart: some steps FAILED (details above and in reports/check.html)" ;;
  2) echo "quickstart: bad input: a scenario or golden file is invalid (messages above)" ;;
  *) echo "quickstart: runtime failure (exit $status): the endpoint could not start or be reached" ;;
esac
exit "$status"
