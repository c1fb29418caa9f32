#pragma once
// Distributed runs: every process writes an .hlog; `konform merge` adds their histograms exactly
// (HdrHistogram add) and rebuilds the same LoadResult a single process would report.
//
// Tags konform writes: untagged = latency from the intended send time (what
// HistogramLogProcessor reads by default), "uncorrected", "lag" (schedule lag), and per step
// "step:<name>" (corrected) and "step-uncorrected:<name>". Counters that are not histograms
// (status codes, errors, dropped sends) travel in one "#[konform-summary: {json}]" comment line
// at the end of the log, which other HdrHistogram readers skip as a comment. Logs of konform
// builds before step-uncorrected merge with an empty per-step uncorrected histogram, which the
// JSON leaves out instead of printing zeros. The summary also names the process's shard ("i/N"),
// threads and connections, so a merge knows which shards it has and how many connections the
// whole run had.
#include "core/result.h"
#include "load/hlog.h"
#include "load/result.h"

#include <string>
#include <vector>

namespace konform::load {

// The lines of one finished interval (base_epoch_s: the log's BaseTime).
std::string hlog_interval_lines(const IntervalView& interval, double base_epoch_s);
// The closing "#[konform-summary: ...]" comment.
std::string hlog_summary_comment(const LoadResult& result);

struct MergeInput {
  std::string origin; // file name, for messages
  std::string text;
};

struct MergeOutcome {
  LoadResult result;
  std::vector<std::string> problems; // unreadable lines, "file:line:column: what"
  // Why the merged run is not the whole distributed run: a shard i/N with no log among the
  // inputs, the same shard twice, shards of different N, or a konform log without its closing
  // summary (the process was killed or is still running). The merge is still reported.
  std::vector<std::string> incomplete;
};

// Fails only when no input holds a single readable interval.
Result<MergeOutcome> merge_hlogs(const std::vector<MergeInput>& inputs);

} // namespace konform::load
