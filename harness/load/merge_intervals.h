#pragma once
// The "over time" series of `konform merge --html`: requests/s and p99 per interval of the whole
// distributed run, from the shards' interval logs.
//
// Memory stays bounded whatever the run length: the logs are walked side by side in time order
// (each shard's next line held still encoded, a few words), the histograms of one interval are
// added into a single reusable histogram and only its summary (an IntervalPoint, a few numbers)
// is kept. Merging every interval's histograms first would hold ~188 KiB per interval: 110 MiB
// for a 10-minute run.
//
// Alignment rule (shards start at different moments, so their one-second intervals do not share
// boundaries): the intervals are put on one grid that starts at the earliest interval start of
// all logs, with the interval length of the logs (the longest first interval among them; konform
// writes 1 s). Each shard interval goes whole into the grid interval whose start is nearest to
// its own start, which is the one it overlaps most (a shard 0.4 s late goes into the grid
// interval it shares 0.6 s with; exactly half way goes to the later one). A grid interval's:
//   - requests/s: the sum over shards of each shard's responses ÷ its seconds in that interval
//     (what each shard's own report shows for it), so a shard's short last interval is not
//     diluted to the grid length;
//   - p99: of the sum of the histograms put there, exactly as one process that had recorded all
//     those responses would compute it.
// With one log, or shards started on the same second boundary, every point is the one the load
// run's own report shows. Only untagged lines count (latency from the intended send time, the
// line HistogramLogProcessor reads by default), as for the merged totals.
#include "load/html_report.h"
#include "load/merge.h"

#include <string>
#include <vector>

namespace konform::load {

struct IntervalSeries {
  std::vector<IntervalPoint> points; // in time order, start_s from the earliest interval
  // Lines whose start lies before the previous line's of the same log: left out of the plot
  // (their counts are in the totals), "file:line:1: what".
  std::vector<std::string> problems;
};

IntervalSeries merge_intervals(const std::vector<MergeInput>& inputs);

} // namespace konform::load
