#!/usr/bin/env bash
# Runs the official Node SDK e2e suite, unmodified, from your own checkout of azure-kusto-node
# against `konform serve` (engine and data-management roles) with Azurite (blob, queue, and the
# table service over https for the status table), and prints one line per test and the totals.
# Not part of ctest: the suite is third-party code and is not in this repository.
#
# usage: run_official_node_suite.sh <azure-kusto-node checkout> [extra jest arguments]
#   e.g. ... ~/src/azure-kusto-node -t '^(?!.*TableReporting)'   (skip the 3-minute pollers)
# The checkout must have its dependencies installed and built (`npm ci && npm run build` there),
# so that `npx jest` runs in it. KONFORM names the binary (default: build/dev/konform).
# Exit: 0 all ran tests passed, 1 some failed, 2 bad usage or the run could not start.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=${1:?usage: run_official_node_suite.sh <azure-kusto-node checkout> [jest arguments]}
shift
checkout=$(cd "$checkout" && pwd)
konform=${KONFORM:-$here/../../build/dev/konform}
[ -x "$konform" ] || { echo "no konform binary at $konform (set KONFORM)" >&2; exit 2; }
# TEST_DATABASE is an empty database of its own, as on a real cluster.
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
mkdir "$data/e2e"
# run.sh gives the script no arguments: the jest arguments travel in the environment, as JSON.
export OFFICIAL_NODE_CHECKOUT="$checkout" TEST_DATABASE=e2e WITH_AZURITE=1 RUN_TIMEOUT=${RUN_TIMEOUT:-1800}
OFFICIAL_JEST_ARGS=$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@")
export OFFICIAL_JEST_ARGS
"$here/run.sh" "$konform" official_node_suite.mjs --data "$data"
