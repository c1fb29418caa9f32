#pragma once
// Regression gates against a baseline run: "is this build slower than the last one?". A saved
// `konform load --json` (or `konform merge --json`) result is read back, compared metric by
// metric with the new run (old, new, new ÷ old, for the whole run and per step), and
// `--max-regression 'p99=10%'` limits fail the run beyond them. Runs made with different
// settings (model, rate, threads, connections, shards, steps) are not comparable: the
// differences are listed so the CLI can refuse them unless forced. Pure functions, no I/O.
#include "core/result.h"
#include "load/options.h"
#include "load/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::load {

// One metric of one run: latencies in µs, rps in requests/s, error_rate as a fraction.
// nullopt: the run did not measure it (no uncorrected histogram in a merge of foreign logs).
struct MetricValue {
  std::string metric; // "rps", "p50", "p99.9", "uncorrected_p99", "error_rate", ...
  std::optional<double> value;
};

struct RunMetrics {
  std::string step; // empty: the whole run
  std::vector<MetricValue> values;
  const MetricValue* find(std::string_view metric) const;
};

// What the gates compare: a run's identity (for refusing incomparable runs) and its metrics.
struct RunSummary {
  std::string origin; // the file name, or "this run"
  std::string model;  // "open" / "closed"
  double target_rps = 0;
  std::vector<std::pair<std::string, std::string>> settings; // threads, connections, shard, inputs
  std::vector<std::string> step_names;
  RunMetrics total;
  std::vector<RunMetrics> steps;
};

// The metrics compared, in report order.
const std::vector<std::string>& compared_metrics();

// Reads a versioned JSON result (`konform load --json`, `konform merge --json`). Errors name
// `origin:line:column`, what is wrong and how to get a valid file.
Result<RunSummary> read_run_json(std::string_view text, std::string_view origin);
// The same summary of a result in memory (through its JSON, so both sides are read alike).
RunSummary summarize(const LoadResult& result, std::string_view origin = "this run");

// What a run with these options will record as its identity (model, rate, threads, connections,
// shard, steps), so the CLI can refuse an incomparable baseline before sending any load. Mirrors
// the settings run_load.cpp writes (a run never has more threads than connections).
RunSummary planned_identity(const LoadOptions& options, std::string_view origin = "this run");

// Why the two runs are not comparable, one line per difference ("connections: 10 in OLD.json,
// 50 in this run"); empty when they are.
std::vector<std::string> setting_differences(const RunSummary& baseline, const RunSummary& now);

// `--max-regression 'p99=10%'`, `'rps=5%'`, `'error_rate=0.5%'`, `'step:query:p99=20%'`.
// Latencies: worse when new > old × (1 + limit); rps: worse when new < old × (1 − limit);
// error_rate: worse when it rises by more than the limit in percentage points (a relative change
// of a rate near zero means nothing).
struct RegressionLimit {
  std::string text;   // as given, for the report
  std::string step;   // empty: the whole run
  std::string metric; // one of compared_metrics()
  double limit = 0;   // a fraction: 10% → 0.10
};
Result<RegressionLimit> parse_max_regression(std::string_view text);

struct ComparisonRow {
  std::string step; // empty: the whole run
  std::string metric;
  std::optional<double> old_value, new_value;
  std::optional<double> ratio; // new ÷ old; nullopt when either is missing or old is 0
};

struct GateOutcome {
  const RegressionLimit* limit = nullptr;
  bool passed = false;
  std::string explanation; // "p99 rose 23.4% (1.20ms → 1.48ms), limit 10%"
};

struct Comparison {
  std::vector<ComparisonRow> rows;
  std::vector<GateOutcome> gates;
  bool failed() const;
};

Comparison compare_runs(const RunSummary& baseline, const RunSummary& now,
                        const std::vector<RegressionLimit>& limits);

// The table the CLI prints: metric, old, new, ratio, then one line per gate.
std::string comparison_text(const Comparison& comparison, const RunSummary& baseline);

} // namespace konform::load
