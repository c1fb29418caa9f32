#include "load/threshold.h"

#include "core/text.h"
#include "load/report.h"

#include <cstdio>

namespace konform::load {
namespace {

enum class Family { latency, lag, rate, fraction, count };

struct Metric {
  Family family;
  const Histogram* histogram = nullptr;
  double percentile = -1; // -1: not a percentile
  std::string aggregate;  // "max", "mean", "stdev", "min" for histogram metrics
};

// Splits "uncorrected_p99.9" into the histogram and the aggregate; false when unknown.
bool classify(std::string_view name, Family& family, std::string& aggregate, double& pct,
              std::string& which) {
  which = "corrected";
  if (name == "rps") {
    family = Family::rate;
    return true;
  }
  if (name == "error_rate") {
    family = Family::fraction;
    return true;
  }
  if (name == "dropped" || name == "late" || name == "errors" || name == "requests") {
    family = Family::count;
    aggregate = std::string(name);
    return true;
  }
  family = Family::latency;
  if (name.starts_with("uncorrected_")) {
    which = "uncorrected";
    name.remove_prefix(12);
  } else if (name.starts_with("lag_")) {
    which = "lag";
    family = Family::lag;
    name.remove_prefix(4);
  }
  if (name == "max" || name == "mean" || name == "stdev" || name == "min") {
    aggregate = std::string(name);
    return true;
  }
  if (name.starts_with("p")) {
    auto v = text::parse_double(name.substr(1));
    if (v && *v >= 0 && *v <= 100) {
      pct = *v;
      return true;
    }
  }
  return false;
}

} // namespace

std::optional<double> parse_duration_us(std::string_view t, double unitless_scale_us) {
  t = text::trim(t);
  double scale = unitless_scale_us;
  auto strip = [&](std::string_view suffix, double s) {
    if (t.size() > suffix.size() && t.ends_with(suffix)) {
      t.remove_suffix(suffix.size());
      scale = s;
      return true;
    }
    return false;
  };
  strip("us", 1) || strip("µs", 1) || strip("ms", 1e3) || strip("s", 1e6) || strip("m", 60e6) ||
      strip("h", 3600e6);
  auto v = text::parse_double(t);
  if (!v || *v < 0) return std::nullopt;
  return *v * scale;
}

Result<Threshold> parse_threshold(std::string_view text) {
  Threshold th;
  th.text = std::string(text);
  const auto bad = [&](const std::string& why) {
    return make_error("--threshold '" + std::string(text) + "': " + why +
                      " (examples: p99<50ms, p99.9<200ms, error_rate<0.1%, rps>1000)");
  };
  const auto op_at = text.find_first_of("<>=");
  if (op_at == std::string_view::npos || op_at == 0)
    return bad("expected METRIC OP VALUE with OP one of < <= > >= ==");
  std::size_t op_len = 1;
  if (op_at + 1 < text.size() && text[op_at + 1] == '=') op_len = 2;
  th.op = std::string(text.substr(op_at, op_len));
  if (th.op == "=") return bad("use == for equality");
  th.metric = std::string(text::trim(text.substr(0, op_at)));
  const auto value_text = text::trim(text.substr(op_at + op_len));
  Family family;
  std::string aggregate, which;
  double pct = -1;
  if (!classify(th.metric, family, aggregate, pct, which))
    return bad("unknown metric '" + th.metric +
               "' (pN, max, mean, stdev, min, uncorrected_pN, lag_pN, error_rate, rps, dropped, "
               "late, errors, requests)");
  switch (family) {
  case Family::latency:
  case Family::lag: {
    // A latency without a unit is read as milliseconds, as k6 does.
    auto us = parse_duration_us(value_text, 1e3);
    if (!us)
      return bad("'" + std::string(value_text) + "' is not a duration such as 50ms, 1.5s or 800us");
    th.value = *us;
    break;
  }
  case Family::fraction: {
    auto v = value_text;
    const bool percent = v.ends_with('%');
    if (percent) v.remove_suffix(1);
    auto d = text::parse_double(text::trim(v));
    if (!d || *d < 0)
      return bad("'" + std::string(value_text) + "' is not a rate such as 0.1% or 0.001");
    th.value = percent ? *d / 100.0 : *d;
    break;
  }
  case Family::rate:
  case Family::count: {
    auto d = text::parse_double(value_text);
    if (!d || *d < 0) return bad("'" + std::string(value_text) + "' is not a number");
    th.value = *d;
    break;
  }
  }
  return th;
}

std::vector<ThresholdOutcome> evaluate(const std::vector<Threshold>& thresholds,
                                       const LoadResult& r) {
  std::vector<ThresholdOutcome> out;
  for (const auto& th : thresholds) {
    Family family;
    std::string aggregate, which;
    double pct = -1;
    classify(th.metric, family, aggregate, pct, which);
    ThresholdOutcome o;
    o.threshold = &th;
    char buf[128];
    switch (family) {
    case Family::latency:
    case Family::lag: {
      const Histogram& h = which == "lag"           ? r.lag
                           : which == "uncorrected" ? r.uncorrected
                                                    : r.corrected;
      // An empty histogram would read as zero and pass every "<" gate: a gate on something
      // these results never measured fails and says so.
      if (h.total_count() == 0 && r.counters.requests > 0) {
        o.actual_text =
            th.metric + " not measured: " +
            (which == "lag" ? "the schedule lag exists in the open model only (-R)"
             : which == "uncorrected"
                 ? "these results have no uncorrected histogram (a log of another tool?)"
                 : "no latency was recorded");
        out.push_back(std::move(o));
        continue;
      }
      if (pct >= 0)
        o.actual = static_cast<double>(h.value_at_percentile(pct));
      else if (aggregate == "max")
        o.actual = static_cast<double>(h.max());
      else if (aggregate == "min")
        o.actual = static_cast<double>(h.min());
      else if (aggregate == "mean")
        o.actual = h.mean();
      else
        o.actual = h.stdev();
      o.actual_text = th.metric + " = " + format_latency(o.actual);
      break;
    }
    case Family::fraction:
      o.actual = r.error_rate();
      std::snprintf(buf, sizeof buf, "%s = %.4f%%", th.metric.c_str(), 100.0 * o.actual);
      o.actual_text = buf;
      break;
    case Family::rate:
      o.actual = r.rps();
      std::snprintf(buf, sizeof buf, "%s = %.2f", th.metric.c_str(), o.actual);
      o.actual_text = buf;
      break;
    case Family::count:
      o.actual = static_cast<double>(aggregate == "dropped"  ? r.dropped
                                     : aggregate == "late"   ? r.late
                                     : aggregate == "errors" ? r.counters.errors.total()
                                                             : r.counters.requests);
      std::snprintf(buf, sizeof buf, "%s = %.0f", th.metric.c_str(), o.actual);
      o.actual_text = buf;
      break;
    }
    if (th.op == "<")
      o.passed = o.actual < th.value;
    else if (th.op == "<=")
      o.passed = o.actual <= th.value;
    else if (th.op == ">")
      o.passed = o.actual > th.value;
    else if (th.op == ">=")
      o.passed = o.actual >= th.value;
    else
      o.passed = o.actual == th.value;
    // With no measured request there is nothing that could pass a latency or rate gate.
    if (r.counters.requests == 0 && family != Family::count && o.passed) {
      o.passed = false;
      o.actual_text += ", but no response was measured";
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::string outcomes_text(const std::vector<ThresholdOutcome>& outcomes) {
  std::string out;
  for (const auto& o : outcomes)
    out += std::string(o.passed ? "  threshold ok:     " : "  threshold FAILED: ") +
           o.threshold->text + "  (" + o.actual_text + ")\n";
  return out;
}

bool all_passed(const std::vector<ThresholdOutcome>& outcomes) {
  for (const auto& o : outcomes)
    if (!o.passed) return false;
  return true;
}

} // namespace konform::load
