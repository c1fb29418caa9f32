#pragma once
// Pass/fail gates on a load result, k6-style: `p99<50ms`, `p99.9<=200ms`, `mean<10ms`,
// `max<1s`, `error_rate<0.1%`, `rps>1000`, `lag_p99<50us`, `dropped==0`. Latency metrics use the
// corrected histogram (measured from the intended send time); `uncorrected_p99` etc. use the other.
#include "core/result.h"
#include "load/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::load {

struct Threshold {
  std::string text;   // as given, for the report
  std::string metric; // "p99", "uncorrected_p99.9", "mean", "error_rate", "rps", ...
  std::string op;     // "<", "<=", ">", ">=", "=="
  double value = 0;   // µs for latencies, a fraction for error_rate, a count or rate otherwise
};

struct ThresholdOutcome {
  const Threshold* threshold = nullptr;
  bool passed = false;
  double actual = 0;
  std::string actual_text; // "p99 = 12.3ms"
};

// The error names the expression, what is wrong, and an example of a valid one.
Result<Threshold> parse_threshold(std::string_view text);
std::vector<ThresholdOutcome> evaluate(const std::vector<Threshold>& thresholds,
                                       const LoadResult& result);
// The console's lines, one per threshold: "  threshold ok:     p99<10ms  (p99 = 1.2ms)" or
// "  threshold FAILED: ...", aligned so a column of them reads at a glance.
std::string outcomes_text(const std::vector<ThresholdOutcome>& outcomes);
bool all_passed(const std::vector<ThresholdOutcome>& outcomes);

// "1.5s", "200ms", "50us", "10" (seconds when no unit) → microseconds; nullopt if malformed.
std::optional<double> parse_duration_us(std::string_view text, double unitless_scale_us = 1e6);

} // namespace konform::load
