#include "load/baseline.h"

#include "core/text.h"
#include "json/document.h"
#include "json/locate.h"
#include "load/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace konform::load {
namespace {

std::string printf_string(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// Metric name → the key of a latency object in the JSON result.
struct LatencyMetric {
  const char* metric;
  const char* histogram; // "corrected" / "uncorrected"
  const char* key;
};
constexpr LatencyMetric latency_metrics[] = {
    {"p50", "corrected", "p50"},
    {"p90", "corrected", "p90"},
    {"p99", "corrected", "p99"},
    {"p99.9", "corrected", "p99_9"},
    {"uncorrected_p50", "uncorrected", "p50"},
    {"uncorrected_p90", "uncorrected", "p90"},
    {"uncorrected_p99", "uncorrected", "p99"},
    {"uncorrected_p99.9", "uncorrected", "p99_9"},
};

// Settings that make two runs incomparable when both record them and they differ. The target's
// address is not among them: CI starts the server on a new ephemeral port every time.
constexpr const char* identity_settings[] = {"threads", "connections", "shard", "inputs"};

enum class Direction { higher_is_worse, lower_is_worse, points };

Direction direction_of(std::string_view metric) {
  if (metric == "rps") return Direction::lower_is_worse;
  if (metric == "error_rate") return Direction::points;
  return Direction::higher_is_worse;
}

std::string format_value(std::string_view metric, double v) {
  if (metric == "rps") return printf_string("%.1f", v);
  if (metric == "error_rate") return printf_string("%.3f%%", 100 * v);
  return format_latency(v);
}

class Reader {
public:
  Reader(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {}

  // "OLD.json:12:5: <what>" at the value of `path` (or its nearest existing ancestor).
  Error error_at(const std::vector<json::PathStep>& path, const std::string& what) const {
    const auto at = json::locate_path(text_, path);
    return make_error(origin_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                      ": " + what);
  }

  static std::string dotted(const std::vector<json::PathStep>& path) {
    std::string out;
    for (const auto& p : path)
      out += p.is_index ? "[" + std::to_string(p.index) + "]" : (out.empty() ? "" : ".") + p.key;
    return out;
  }

  Result<double> number(simdjson::dom::element parent, std::vector<json::PathStep> path) const {
    simdjson::dom::element e;
    if (parent[path.back().key].get(e) != simdjson::SUCCESS)
      return error_at(path, "\"" + dotted(path) + "\" is missing" + hint);
    double v = 0;
    if (e.get(v) != simdjson::SUCCESS || !std::isfinite(v) || v < 0)
      return error_at(path, "\"" + dotted(path) + "\" must be a number >= 0, not " +
                                json::type_name(e.type()) + hint);
    return v;
  }

  Result<simdjson::dom::element> object(simdjson::dom::element parent,
                                        const std::vector<json::PathStep>& path) const {
    simdjson::dom::element e;
    if (parent[path.back().key].get(e) != simdjson::SUCCESS)
      return error_at(path, "\"" + dotted(path) + "\" is missing" + hint);
    if (!e.is_object())
      return error_at(path, "\"" + dotted(path) + "\" must be an object, not " +
                                json::type_name(e.type()) + hint);
    return e;
  }

  // The latency metrics of one "latency_us" object (at `path`).
  Status latencies(simdjson::dom::element latency, const std::vector<json::PathStep>& path,
                   RunMetrics& out) const {
    for (const auto& m : latency_metrics) {
      auto p = path;
      p.push_back({m.histogram});
      simdjson::dom::element h;
      const bool present = latency[m.histogram].get(h) == simdjson::SUCCESS;
      if (!present && std::string_view(m.histogram) == "corrected")
        return error_at(p, "\"" + dotted(p) + "\" is missing" + hint);
      std::optional<double> value;
      if (present) {
        if (!h.is_object())
          return error_at(p, "\"" + dotted(p) + "\" must be an object, not " +
                                 json::type_name(h.type()) + hint);
        auto count = number(h, with(p, "count"));
        if (!count) return count.error();
        p.push_back({m.key});
        auto v = number(h, p);
        if (!v) return v.error();
        if (*count > 0) value = *v; // an empty histogram measured nothing
      }
      out.values.push_back({m.metric, value});
    }
    return Ok{};
  }

  static std::vector<json::PathStep> with(std::vector<json::PathStep> path, std::string key) {
    path.push_back({std::move(key)});
    return path;
  }

  static constexpr const char* hint =
      " (a baseline is a result saved with `konform load --json` or `konform merge --json`)";

private:
  std::string_view text_;
  std::string origin_;
};

std::uint64_t counter(simdjson::dom::element e, std::string_view key) {
  double v = 0;
  return e[key].get(v) == simdjson::SUCCESS && v > 0 ? static_cast<std::uint64_t>(v) : 0;
}

// A step's error rate from its counters, as LoadResult::error_rate counts the whole run (steps
// have no dropped sends: a send is dropped before its step is known to have been attempted).
double step_error_rate(simdjson::dom::element step) {
  simdjson::dom::element errors;
  if (step["errors"].get(errors) != simdjson::SUCCESS) return 0;
  const auto unanswered = counter(errors, "connect") + counter(errors, "read") +
                          counter(errors, "write") + counter(errors, "timeout") +
                          counter(errors, "malformed");
  const auto attempted = counter(step, "requests") + unanswered;
  const auto failed = counter(errors, "failed_responses") + unanswered;
  return attempted ? static_cast<double>(failed) / static_cast<double>(attempted) : 0;
}

const RunMetrics* metrics_of(const RunSummary& run, std::string_view step) {
  if (step.empty()) return &run.total;
  for (const auto& s : run.steps)
    if (s.step == step) return &s;
  return nullptr;
}

std::string subject(std::string_view step, std::string_view metric) {
  return step.empty() ? std::string(metric)
                      : "step '" + std::string(step) + "' " + std::string(metric);
}

} // namespace

const MetricValue* RunMetrics::find(std::string_view metric) const {
  for (const auto& v : values)
    if (v.metric == metric) return &v;
  return nullptr;
}

const std::vector<std::string>& compared_metrics() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n{"rps"};
    for (const auto& m : latency_metrics)
      n.push_back(m.metric);
    n.push_back("error_rate");
    return n;
  }();
  return names;
}

Result<RunSummary> read_run_json(std::string_view text, std::string_view origin) {
  auto doc = json::Document::parse(text, origin);
  if (!doc)
    return make_error(doc.error().message +
                      " (a baseline is a result saved with `konform load --json`)");
  const Reader r(text, origin);
  simdjson::dom::element root = doc->root();
  if (!root.is_object())
    return r.error_at({}, "expected a JSON object, found " + json::type_name(root.type()) +
                              Reader::hint);
  std::int64_t version = 0;
  simdjson::dom::element ve;
  if (root["version"].get(ve) != simdjson::SUCCESS)
    return r.error_at({}, "no \"version\": not a konform load result" + std::string(Reader::hint));
  if (ve.get(version) != simdjson::SUCCESS || version != LoadResult::json_version)
    return r.error_at({{"version"}}, "\"version\" is " + std::string(simdjson::to_string(ve)) +
                                         "; this konform reads version " +
                                         std::to_string(LoadResult::json_version) +
                                         " results (save the baseline again with this build)");

  RunSummary out;
  out.origin = std::string(origin);
  std::string_view model;
  if (root["model"].get(model) != simdjson::SUCCESS || (model != "open" && model != "closed"))
    return r.error_at({{"model"}},
                      "\"model\" must be \"open\" or \"closed\"" + std::string(Reader::hint));
  out.model = std::string(model);
  auto target = r.number(root, {{"target_rps"}});
  if (!target) return target.error();
  out.target_rps = *target;

  simdjson::dom::object settings;
  if (root["settings"].get(settings) == simdjson::SUCCESS)
    for (const char* key : identity_settings) {
      std::string_view v;
      if (settings[key].get(v) == simdjson::SUCCESS) out.settings.emplace_back(key, std::string(v));
    }

  auto rps = r.number(root, {{"rps"}});
  if (!rps) return rps.error();
  out.total.values.push_back({"rps", *rps});
  auto latency = r.object(root, {{"latency_us"}});
  if (!latency) return latency.error();
  if (auto st = r.latencies(*latency, {{"latency_us"}}, out.total); !st) return st.error();
  auto error_rate = r.number(root, {{"error_rate"}});
  if (!error_rate) return error_rate.error();
  out.total.values.push_back({"error_rate", *error_rate});

  simdjson::dom::element steps_e;
  if (root["steps"].get(steps_e) == simdjson::SUCCESS) {
    simdjson::dom::array steps;
    if (steps_e.get(steps) != simdjson::SUCCESS)
      return r.error_at({{"steps"}}, "\"steps\" must be an array, not " +
                                         json::type_name(steps_e.type()) + Reader::hint);
    std::size_t i = 0;
    for (auto s : steps) {
      const std::vector<json::PathStep> at{{"steps"}, {"", i, true}};
      std::string_view name;
      if (!s.is_object() || s["name"].get(name) != simdjson::SUCCESS)
        return r.error_at(at, "steps[" + std::to_string(i) +
                                  "] must be an object with a \"name\" string" + Reader::hint);
      RunMetrics m;
      m.step = std::string(name);
      auto srps = r.number(s, Reader::with(at, "rps"));
      if (!srps) return srps.error();
      m.values.push_back({"rps", *srps});
      auto slat = r.object(s, Reader::with(at, "latency_us"));
      if (!slat) return slat.error();
      if (auto st = r.latencies(*slat, Reader::with(at, "latency_us"), m); !st) return st.error();
      m.values.push_back({"error_rate", step_error_rate(s)});
      out.step_names.push_back(m.step);
      out.steps.push_back(std::move(m));
      ++i;
    }
  }
  return out;
}

RunSummary summarize(const LoadResult& result, std::string_view origin) {
  const auto text = to_json(result);
  auto summary = read_run_json(text, origin);
  // to_json writes everything read_run_json needs; a failure here is a bug in one of them.
  if (!summary) {
    RunSummary empty;
    empty.origin = std::string(origin);
    return empty;
  }
  return std::move(*summary);
}

RunSummary planned_identity(const LoadOptions& o, std::string_view origin) {
  RunSummary out;
  out.origin = std::string(origin);
  out.model = o.rate > 0 ? "open" : "closed";
  out.target_rps = o.rate > 0 ? o.rate / o.shard.count : 0;
  out.settings = {{"threads", std::to_string(std::min(o.threads, o.connections))},
                  {"connections", std::to_string(o.connections)},
                  {"shard", std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count)}};
  for (const auto& step : o.steps)
    out.step_names.push_back(step.name);
  return out;
}

std::vector<std::string> setting_differences(const RunSummary& a, const RunSummary& b) {
  std::vector<std::string> out;
  auto both = [&](const std::string& what, const std::string& va, const std::string& vb) {
    out.push_back(what + ": " + va + " in " + a.origin + ", " + vb + " in " + b.origin);
  };
  if (a.model != b.model) both("model", a.model, b.model);
  if (std::abs(a.target_rps - b.target_rps) > 1e-6 * std::max(a.target_rps, b.target_rps))
    both("rate (target requests/s)", printf_string("%.3f", a.target_rps),
         printf_string("%.3f", b.target_rps));
  for (const auto& [key, va] : a.settings)
    for (const auto& [kb, vb] : b.settings)
      if (key == kb && va != vb) both(key, va, vb);
  auto sa = a.step_names, sb = b.step_names;
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  if (sa != sb) {
    std::string only_a, only_b;
    for (const auto& n : sa)
      if (!std::binary_search(sb.begin(), sb.end(), n)) only_a += (only_a.empty() ? "" : ", ") + n;
    for (const auto& n : sb)
      if (!std::binary_search(sa.begin(), sa.end(), n)) only_b += (only_b.empty() ? "" : ", ") + n;
    std::string what = "steps:";
    if (!only_a.empty()) what += " only in " + a.origin + ": " + only_a + ";";
    if (!only_b.empty()) what += " only in " + b.origin + ": " + only_b + ";";
    if (only_a.empty() && only_b.empty()) what += " the same names, repeated differently;";
    what.pop_back();
    out.push_back(what);
  }
  return out;
}

Result<RegressionLimit> parse_max_regression(std::string_view text) {
  RegressionLimit out;
  out.text = std::string(text);
  const std::string example =
      " (examples: 'p99=10%', 'rps=5%', 'error_rate=0.5%', 'step:query:p99.9=20%')";
  const auto eq = text.rfind('=');
  if (eq == std::string_view::npos)
    return make_error("--max-regression '" + out.text + "': expected METRIC=PERCENT" + example);
  std::string_view name = text::trim(text.substr(0, eq));
  if (name.starts_with("step:")) {
    name.remove_prefix(5);
    const auto colon = name.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return make_error("--max-regression '" + out.text +
                        "': a step limit is step:NAME:METRIC=PERCENT" + example);
    out.step = std::string(name.substr(0, colon));
    name.remove_prefix(colon + 1);
  }
  const auto& known = compared_metrics();
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    std::string list;
    for (const auto& k : known)
      list += (list.empty() ? "" : ", ") + k;
    return make_error("--max-regression '" + out.text + "': unknown metric '" + std::string(name) +
                      "'; compared are " + list);
  }
  out.metric = std::string(name);
  auto value = text::trim(text.substr(eq + 1));
  if (!value.ends_with('%'))
    return make_error("--max-regression '" + out.text + "': the limit is a percentage such as 10%" +
                      example);
  value.remove_suffix(1);
  auto pct = text::parse_double(text::trim(value));
  if (!pct || *pct < 0 || !std::isfinite(*pct) || (out.metric == "rps" && *pct >= 100))
    return make_error("--max-regression '" + out.text + "': the limit must be a percentage >= 0" +
                      std::string(out.metric == "rps" ? " and below 100% for rps" : "") + example);
  out.limit = *pct / 100;
  return out;
}

bool Comparison::failed() const {
  return std::any_of(gates.begin(), gates.end(), [](const GateOutcome& g) { return !g.passed; });
}

Comparison compare_runs(const RunSummary& baseline, const RunSummary& now,
                        const std::vector<RegressionLimit>& limits) {
  Comparison out;
  auto add_rows = [&](const std::string& step, const RunMetrics* old_m, const RunMetrics* new_m) {
    for (const auto& metric : compared_metrics()) {
      ComparisonRow row;
      row.step = step;
      row.metric = metric;
      if (old_m)
        if (const auto* v = old_m->find(metric)) row.old_value = v->value;
      if (new_m)
        if (const auto* v = new_m->find(metric)) row.new_value = v->value;
      if (row.old_value && row.new_value && *row.old_value > 0)
        row.ratio = *row.new_value / *row.old_value;
      if (!row.old_value && !row.new_value) continue; // measured by neither: nothing to show
      out.rows.push_back(std::move(row));
    }
  };
  add_rows("", &baseline.total, &now.total);
  // One and the same step on both sides: its rows would repeat the whole run's.
  const bool one_step = baseline.step_names.size() <= 1 && baseline.step_names == now.step_names;
  if (!one_step) {
    for (const auto& s : now.steps)
      add_rows(s.step, metrics_of(baseline, s.step), &s);
    for (const auto& s : baseline.steps)
      if (!metrics_of(now, s.step)) add_rows(s.step, &s, nullptr);
  }

  for (const auto& limit : limits) {
    GateOutcome g;
    g.limit = &limit;
    const auto what = subject(limit.step, limit.metric);
    const auto* old_m = metrics_of(baseline, limit.step);
    const auto* new_m = metrics_of(now, limit.step);
    const MetricValue* ov = old_m ? old_m->find(limit.metric) : nullptr;
    const MetricValue* nv = new_m ? new_m->find(limit.metric) : nullptr;
    // A gate on something one side did not measure never passes by reading zero.
    if (!ov || !ov->value) {
      g.explanation = what + " not measured in " + baseline.origin;
      out.gates.push_back(std::move(g));
      continue;
    }
    if (!nv || !nv->value) {
      g.explanation = what + " not measured in " + now.origin;
      out.gates.push_back(std::move(g));
      continue;
    }
    const double o = *ov->value, n = *nv->value;
    const auto values = format_value(limit.metric, o) + " -> " + format_value(limit.metric, n);
    const auto allowed = printf_string("%g%%", 100 * limit.limit);
    switch (direction_of(limit.metric)) {
    case Direction::higher_is_worse:
    case Direction::lower_is_worse: {
      const bool higher = direction_of(limit.metric) == Direction::higher_is_worse;
      // Tiny slack for the histogram's 3 significant digits and for float rounding.
      const double bound = higher ? o * (1 + limit.limit) : o * (1 - limit.limit);
      g.passed = higher ? n <= bound * (1 + 1e-9) : n >= bound * (1 - 1e-9);
      const double change = o > 0 ? (n - o) / o * 100 : (n > 0 ? INFINITY : 0);
      g.explanation =
          what + " " + printf_string("%+.1f%%", change) + " (" + values + ")" +
          (g.passed ? ", within " + allowed
                    : ", beyond the " + allowed + (higher ? " rise" : " fall") + " allowed");
      break;
    }
    case Direction::points: {
      const double rise = n - o;
      g.passed = rise <= limit.limit + 1e-12;
      g.explanation = what + " " + printf_string("%+.3f", 100 * rise) + " points (" + values + ")" +
                      (g.passed ? ", within " + allowed
                                : ", beyond the " + allowed + " (percentage points) allowed");
      break;
    }
    }
    out.gates.push_back(std::move(g));
  }
  return out;
}

std::string comparison_text(const Comparison& c, const RunSummary& baseline) {
  std::string out = "Against the baseline " + baseline.origin + ":\n";
  out += printf_string("  %-22s %12s %12s %8s\n", "metric", "old", "new", "new/old");
  std::string step = "";
  for (const auto& row : c.rows) {
    if (row.step != step) {
      step = row.step;
      out += "  step '" + step + "'\n";
    }
    auto cell = [&](const std::optional<double>& v) {
      return v ? format_value(row.metric, *v) : std::string("-");
    };
    out += printf_string("  %-22s %12s %12s %8s\n",
                         ((row.step.empty() ? "" : "  ") + row.metric).c_str(),
                         cell(row.old_value).c_str(), cell(row.new_value).c_str(),
                         row.ratio ? printf_string("%.3f", *row.ratio).c_str() : "-");
  }
  for (const auto& g : c.gates)
    out += std::string(g.passed ? "  regression ok:     " : "  regression FAILED: ") +
           g.limit->text + "  (" + g.explanation + ")\n";
  return out;
}

} // namespace konform::load
