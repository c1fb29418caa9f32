#!/usr/bin/env bash
# How long konform's HTML reports take to open in Debian's headless chromium (issue 17: "opens in
# under a second for 1,000 steps and for a 10-minute load run"). In turns, an empty page and each
# given page are loaded with `chromium --headless --dump-dom` from file://; for each it prints
#   - in-page: milliseconds from the navigation start until the page is parsed, its own script
#     has run and the layout is done (a probe script appended to a copy of the page reads
#     performance.now() after forcing a layout), which is what the reader waits for;
#   - wall: seconds of the whole chromium command, and that minus the empty page's in the same
#     turn (chromium's own start-up is most of it);
#   - cpu: user+system seconds of chromium and its children, minus the empty page's.
# The summary gives the median of each per page. Figures on a shared host are noisy: record
# `uptime` and steal beside them (bench/README.md, HTML section).
#
# Usage: bench/html_open.sh PAGE.html...
# Environment: TURNS (5).
set -euo pipefail
TURNS=${TURNS:-5}
browser=""
for candidate in chromium chromium-browser; do
  command -v "$candidate" >/dev/null && browser=$candidate && break
done
[ -n "$browser" ] || { echo "html_open: chromium is not installed" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: bench/html_open.sh PAGE.html..." >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Two probes in a copy of each page: the first, right after <head>, notes when parsing reached
# it; the last runs after everything before it (the page's own script included) and forces the
# layout. "in-page" is the time between them: the page's own parse, script and layout.
start='<script>window.__konformT0=performance.now()</script>'
probe='<script>(function(){document.body.getBoundingClientRect();
void document.documentElement.offsetHeight;var laid=performance.now();
document.documentElement.setAttribute("data-open-ms",(laid-window.__konformT0).toFixed(1)+" nav "+laid.toFixed(1));
})();</script>'
printf '<!doctype html><html><head>%s<meta charset="utf-8"><title>empty</title></head><body></body></html>\n%s\n' \
  "$start" "$probe" >"$work/page0.html"
names=(empty)
i=1
for page in "$@"; do
  [ -f "$page" ] || { echo "html_open: $page is not a file" >&2; exit 2; }
  grep -q '<head>' "$page" || { echo "html_open: $page has no <head>" >&2; exit 2; }
  { sed "0,/<head>/s||<head>$start|" "$page"; printf '\n%s\n' "$probe"; } >"$work/page$i.html"
  names+=("$(basename "$page") ($(du -h "$page" | cut -f1))")
  i=$((i + 1))
done

# One load: "<wall s> <cpu s> <in-page ms>"
measure() {
  local page=$1 out
  out=$(
    /usr/bin/time -f '%e %U %S' -o "$work/time" timeout 120 "$browser" --headless --no-sandbox \
      --disable-gpu --no-first-run --user-data-dir="$work/profile" --dump-dom "file://$page" \
      2>/dev/null
  )
  local ms
  ms=$(printf '%s' "$out" | sed -n 's/.*data-open-ms="\([0-9.]*\) .*/\1/p' | head -1)
  awk -v ms="${ms:-nan}" '{printf "%s %.2f %s\n", $1, $2 + $3, ms}' "$work/time"
}

measure "$work/page0.html" >/dev/null # warm the file cache and the profile
: >"$work/runs"
for turn in $(seq "$TURNS"); do
  read -r ew ec ems < <(measure "$work/page0.html")
  for k in $(seq 1 $((${#names[@]} - 1))); do
    read -r w c ms < <(measure "$work/page$k.html")
    echo "$turn $k $w $c $ms $ew $ec $ems" >>"$work/runs"
    printf 'turn %d  %-40s in-page %8s ms (empty %s)  wall %5.2f s (empty %5.2f, +%5.2f)  cpu +%5.2f s\n' \
      "$turn" "${names[$k]}" "$ms" "$ems" "$w" "$ew" "$(echo "$w - $ew" | bc)" "$(echo "$c - $ec" | bc)"
  done
done
echo "median over $TURNS turns:"
for k in $(seq 1 $((${#names[@]} - 1))); do
  python3 - "$work/runs" "$k" "${names[$k]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.split()[1] == sys.argv[2]]
med = lambda xs: statistics.median(float(x) for x in xs)
print("  %-40s in-page %7.1f ms   wall above empty %5.2f s   cpu above empty %5.2f s"
      % (sys.argv[3], med(r[4] for r in rows), med(float(r[2]) - float(r[5]) for r in rows),
         med(float(r[3]) - float(r[6]) for r in rows)))
PY
done
