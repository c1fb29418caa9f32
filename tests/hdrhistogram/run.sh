#!/usr/bin/env bash
# Interop: an .hlog written by `konform load` is read by Debian's libhdrhistogram-java
# (HistogramLogReader and HistogramLogProcessor) and must give the same counts and percentiles
# konform reported in its JSON, and the same percentile distribution as konform's --hgrm.
# Usage: run.sh path/to/konform
set -euo pipefail
konform=$1
here=$(cd "$(dirname "$0")" && pwd)
jar=""
for candidate in /usr/share/java/hdrhistogram.jar /usr/share/java/HdrHistogram.jar; do
  [ -f "$candidate" ] && jar=$candidate && break
done
if [ -z "$jar" ] || ! command -v java >/dev/null; then
  echo "interop: needs java and the libhdrhistogram-java package (apt-get install libhdrhistogram-java)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Open model against the embedded reference endpoint: untagged (corrected), uncorrected, lag,
# step and step-uncorrected tags all get written. Several intervals, so the reader has to add
# them up.
"$konform" load -R 1500 -d 3s -t 2 -c 8 -q --hlog "$work/run.hlog" --json "$work/run.json" \
  --hgrm "$work/run.hgrm" >"$work/summary.txt"
java -cp "$jar" "$here/HlogSummary.java" "$work/run.hlog" >"$work/java.txt"
java -cp "$jar" org.HdrHistogram.HistogramLogProcessor -i "$work/run.hlog" \
  -outputValueUnitRatio 1000 >"$work/java.hgrm" 2>"$work/java.err"

python3 - "$work/run.json" "$work/java.txt" "$work/run.hgrm" "$work/java.hgrm" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
java = {}
for line in open(sys.argv[2]):
    if line.startswith("intervals"):
        intervals = int(line.split()[1]); continue
    fields = dict(f.split("=", 1) for f in line.split())
    java[fields.pop("tag")] = fields
failures = []
def same(what, a, b):
    if a != b: failures.append(f"{what}: konform {a} != java {b}")
def check(tag, lat):
    j = java.get(tag)
    if j is None:
        failures.append(f"tag {tag} missing in what Java read"); return
    same(f"{tag} count", lat["count"], int(j["count"]))
    for key, p in (("p50", "50.0"), ("p75", "75.0"), ("p90", "90.0"), ("p99", "99.0"),
                   ("p99_9", "99.9"), ("p99_99", "99.99")):
        same(f"{tag} {key}", lat[key], int(j["p" + p]))
    same(f"{tag} max", lat["max"], int(j["max"]))
    if abs(lat["mean"] - float(j["mean"])) > 1e-3 * max(1.0, lat["mean"]):
        failures.append(f"{tag} mean: konform {lat['mean']} != java {j['mean']}")
check("-", ours["latency_us"]["corrected"])
check("uncorrected", ours["latency_us"]["uncorrected"])
check("lag", ours["schedule_lag_us"])
for step in ours["steps"]:
    check("step:" + step["name"], step["latency_us"]["corrected"])
    check("step-uncorrected:" + step["name"], step["latency_us"]["uncorrected"])
if ours["latency_us"]["corrected"]["count"] < 1000:
    failures.append("too few requests to be a meaningful comparison")
if intervals < 3 * 5:
    failures.append(f"only {intervals} intervals read (expected >= 3 per tag)")

def rows(path):
    out, footer = [], []
    for line in open(path):
        if line.startswith("#["):
            footer.append(line.split("]")[0].replace(" ", ""))
        elif line.strip() and line.split()[0][0].isdigit():
            v = line.split()
            out.append((v[0], int(v[2]), round(float(v[1]), 9)))
    return out, [f for f in footer if not f.startswith("#[StartTime")]
ours_rows, ours_footer = rows(sys.argv[3])
java_rows, java_footer = rows(sys.argv[4])
same("hgrm lines", len(ours_rows), len(java_rows))
for a, b in zip(ours_rows, java_rows):
    if a != b:
        failures.append(f"hgrm line konform {a} != java {b}"); break
same("hgrm footer", ours_footer, java_footer)

if failures:
    print("interop FAILED:\n  " + "\n  ".join(failures)); sys.exit(1)
c = ours["latency_us"]["corrected"]
print(f"interop ok: {c['count']} requests, {intervals} intervals, tags {sorted(java)}; "
      f"p50 {c['p50']} p99 {c['p99']} p99.99 {c['p99_99']} max {c['max']} us agree with HdrHistogram Java; "
      f"{len(ours_rows)} .hgrm lines identical")
PY
