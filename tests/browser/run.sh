#!/usr/bin/env bash
# Loads konform's HTML reports in headless chromium and asserts what the browser built.
# Usage: run.sh path/to/konform path/to/source
set -euo pipefail
konform=$1
source_dir=$2
browser=""
for candidate in chromium chromium-browser; do
  command -v "$candidate" >/dev/null && browser=$candidate && break
done
if [ -z "$browser" ]; then
  echo "SKIPPED: browser test needs chromium (apt-get install chromium, or scripts/install-deps.sh)" >&2
  exit 77
fi
reports="$source_dir/reports"
mkdir -p "$reports"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Runs chromium headless on a page: the DOM to $work/NAME.dom, the console log to
# $work/NAME.log, a screenshot to reports/NAME.png.
load() {
  local name=$1 page=$2
  local flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
    --user-data-dir="$work/profile-$name" --enable-logging=stderr --v=0)
  timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$page" >"$work/$name.dom" \
    2>"$work/$name.log" || fail "$name: chromium --dump-dom exited $?"
  timeout 120 "$browser" "${flags[@]}" --window-size=1280,1600 \
    --screenshot="$reports/$name.png" "file://$page" >/dev/null 2>>"$work/$name.log" ||
    fail "$name: chromium --screenshot exited $?"
  [ -s "$reports/$name.png" ] || fail "$name: no screenshot written"
  if grep -E "Uncaught|CONSOLE.*(Error|error)" "$work/$name.log" >&2; then
    fail "$name: JavaScript error logged"
  fi
  # The page's script sets the marker last: it is missing when any statement before it threw.
  grep -q 'data-konform-ready="1"' "$work/$name.dom" || fail "$name: the page's script did not finish"
}
expect() { # expect NAME TEXT: the dumped DOM contains TEXT
  grep -qF -- "$2" "$work/$1.dom" || fail "$1: the DOM lacks: $2"
}

# check: a copy of the bundled scenarios and goldens, one Kusto cell and one long ksqlDB string
# changed, so that the page has failed steps to show.
tree="$work/tree"
mkdir -p "$tree/.git"
cp -r "$source_dir/scenarios" "$source_dir/golden" "$tree/"
sed -i 's/\[6\]/[7]/' "$tree/golden/kusto/query_v1/count.json"
sed -i "s/KEY_FORMAT='KAFKA', PARTITIONS=1/KEY_FORMAT='KAFKA', PARTITIONS=4/" \
  "$tree/golden/ksql/streams/create.json"
set +e
"$konform" check "$tree/scenarios" --token konform-test-secret-7f3a --html "$reports/check.html" \
  >"$work/check.out" 2>&1
code=$?
set -e
[ "$code" = 1 ] || { cat "$work/check.out" >&2; fail "check exited $code, expected 1"; }
load check "$reports/check.html"
expect check '<td class="step-name">create stream</td>'
expect check '<td class="step-name">gzip response decoded before comparison</td>'
expect check '<td class="path">$.Tables[0].Rows[0][0]'
expect check '<td class="path">$[0].statementText'
expect check "PARTITIONS=<mark>4</mark>"
expect check '<td class="differs">6</td>' # the Kusto table with its differing cell marked
# The "failed only" filter, opened through its address: the script sets the class that hides
# the passed steps.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$work/profile-filter" --dump-dom "file://$reports/check.html#failed" \
  >"$work/filter.dom" 2>/dev/null || fail "check: chromium exited $? on #failed"
grep -q '<body class="failed-only"' "$work/filter.dom" || fail "check: #failed did not filter"
expect check '<code class="crid">konform.kusto-query-v1;'
# Request and response are folded and built by the script when opened; "#expanded" opens them all.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$work/profile-expanded" --dump-dom "file://$reports/check.html#expanded" \
  >"$work/expanded.dom" 2>/dev/null || fail "check: chromium exited $? on #expanded"
grep -qF '<th>Authorization</th><td>***</td>' "$work/expanded.dom" ||
  fail "check: #expanded did not build the request headers (token redacted)"
grep -qF '<details class="response" open=""><summary>response: 200</summary>' "$work/expanded.dom" ||
  fail "check: #expanded did not open the responses"
if grep -q konform-test-secret-7f3a "$reports/check.html"; then fail "check: the token is in the page"; fi

# load: a short open-model run on the embedded endpoint with two thresholds.
"$konform" load -R 200 -d 3s -t 1 -c 4 -q --threshold 'p99<5s' --threshold 'error_rate<50%' \
  --html "$reports/load.html" >"$work/load.out" 2>&1 ||
  { cat "$work/load.out" >&2; fail "load exited $?"; }
load load "$reports/load.html"
expect load 'aria-label="latency by percentile"'
expect load 'data-name="corrected"'
expect load 'data-name="uncorrected"'
expect load 'aria-label="requests/s per interval"'
expect load '<code>p99&lt;5s</code>'
expect load 'class="ok">met'
# One point per plotted percentile (0 .. 99.999, 51 of them) in each series.
for series in corrected uncorrected; do
  points=$(python3 - "$work/load.dom" "$series" <<'PY'
import re, sys
dom = open(sys.argv[1]).read()
g = re.search(r'<g class="series[^"]*" data-name="%s">(.*?)</g>' % sys.argv[2], dom, re.S)
print(len(re.findall(r'<circle class="point" data-p=', g.group(1))) if g else 0)
PY
)
  [ "$points" = 51 ] || fail "load: the $series series has $points points, expected 51"
done

# merge: two shards of one run, the second started 0.7 s after the first so that their
# intervals do not share boundaries; the merged page plots one point per interval of the grid
# merge puts them on (each shard interval in the grid second nearest its start).
"$konform" load -R 200 -d 3s -t 1 -c 2 -q --shard 0/2 --hlog "$work/shard0.hlog" \
  >"$work/shard0.out" 2>&1 &
shard0=$!
sleep 0.7
"$konform" load -R 200 -d 3s -t 1 -c 2 -q --shard 1/2 --hlog "$work/shard1.hlog" \
  >"$work/shard1.out" 2>&1 || { cat "$work/shard1.out" >&2; fail "load --shard 1/2 exited $?"; }
wait "$shard0" || { cat "$work/shard0.out" >&2; fail "load --shard 0/2 exited $?"; }
"$konform" merge "$work/shard0.hlog" "$work/shard1.hlog" --html "$reports/merge.html" \
  >"$work/merge.out" 2>&1 || { cat "$work/merge.out" >&2; fail "merge exited $?"; }
load merge "$reports/merge.html"
expect merge 'aria-label="latency by percentile"'
expect merge '<title>konform merge</title>'
intervals=$(python3 - "$work/shard0.hlog" "$work/shard1.hlog" <<'PY'
import math, sys
starts = []
for path in sys.argv[1:]:
    base = 0.0
    for line in open(path):
        if line.startswith("#[BaseTime:"):
            base = float(line.split()[1])
        elif line[:1].isdigit():
            starts.append(base + float(line.split(",")[0]))
origin = min(starts)
print(len({math.floor(s - origin + 0.5) for s in starts}))
PY
)
for plot in "requests/s" "p99 latency"; do
  points=$(python3 - "$work/merge.dom" "$plot" <<'PY'
import re, sys
dom = open(sys.argv[1]).read()
svg = re.search(r'aria-label="%s per interval">(.*?)</svg>' % re.escape(sys.argv[2]), dom, re.S)
print(len(re.findall(r'<circle class="point"', svg.group(1))) if svg else 0)
PY
)
  [ "$points" = "$intervals" ] ||
    fail "merge: the $plot plot has $points points, expected one per interval: $intervals"
done

# diff: a baseline and a candidate `konform serve` on loopback, the candidate with one changed
# cell; noise from asking the baseline twice, ids compared (--no-protocol-defaults) so that the
# page has noise to mark.
data="$work/diff-data"
mkdir -p "$data/same/Samples" "$data/changed/Samples"
for d in same changed; do
  printf 'StartTime:datetime, EventId:long, State:string, EventType:string, DamageProperty:long' \
    >"$data/$d/Samples/StormEvents.schema"
  printf 'State:string, Abbreviation:string, Population:long' >"$data/$d/Samples/States.schema"
  printf 'FLORIDA,FL,21538187\nTEXAS,TX,29145505\n' >"$data/$d/Samples/States.csv"
done
printf '2007-01-01T00:00:00Z,100001,FLORIDA,Tornado,5000\n2007-01-02T00:00:00Z,100002,TEXAS,Hail,0\n' \
  >"$data/same/Samples/StormEvents.csv"
sed 's/Tornado/Waterspout/' "$data/same/Samples/StormEvents.csv" >"$data/changed/Samples/StormEvents.csv"
serve_pids=()
start_serve() { # start_serve NAME DATA: the Kusto URL in $url
  "$konform" serve --quiet --threads 1 --listen 127.0.0.1:0 --ksql-listen 127.0.0.1:0 \
    --data "$2" 2>"$work/serve-$1.log" &
  serve_pids+=($!)
  url=""
  for _ in $(seq 100); do
    url=$(sed -n 's/.*Kusto on \(http:[^,]*\),.*/\1/p' "$work/serve-$1.log")
    [ -n "$url" ] && break
    sleep 0.1
  done
}
start_serve baseline "$data/same"
baseline_url=$url
start_serve candidate "$data/changed"
candidate_url=$url
set +e
"$konform" diff "$source_dir/scenarios" --filter kusto-query-v1 --no-protocol-defaults \
  --kusto-baseline "$baseline_url" --kusto-candidate "$candidate_url" \
  --html "$reports/diff.html" >"$work/diff.out" 2>&1
code=$?
set -e
for pid in "${serve_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
[ "$code" = 1 ] || { cat "$work/diff.out" >&2; fail "diff exited $code, expected 1"; }
load diff "$reports/diff.html"
expect diff '<td class="path">PrimaryResult[*].EventType</td>'
expect diff '<tr class="group noise"><td class="path">QueryStatus[*].ActivityId</td>'
expect diff 'class="noise-mark"'
expect diff '<span class="diff-mark">difference</span>'

if [ "$failures" -gt 0 ]; then
  echo "$failures browser check(s) failed; pages and screenshots are in $reports" >&2
  exit 1
fi
echo "browser: every report loaded, asserted and screenshotted into $reports"
