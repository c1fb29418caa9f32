#include "diff/diff_runner.h"

#include "compare/compare.h"
#include "core/redact.h"
#include "core/utc_timestamp.h"
#include "diff/aggregate.h"
#include "diff/exchange_diff.h"
#include "http/url.h"
#include "runner/step_runner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace konform::diff {
namespace {

using scenario::Endpoint;

struct Side {
  std::string name; // "baseline", "candidate", "baseline2"
  std::optional<http::Url> kusto;
  std::optional<http::Url> ksql;
  const std::optional<http::Url>& url(Endpoint e) const {
    return e == Endpoint::kusto ? kusto : ksql;
  }
};

Result<std::optional<http::Url>> side_url(const std::string& flag, const std::string& specific,
                                          const std::string& general) {
  const std::string& value = specific.empty() ? general : specific;
  if (value.empty()) return std::optional<http::Url>{};
  auto url = http::parse_url(value);
  if (!url) return make_error("--" + flag + ": " + url.error().message);
  return std::optional<http::Url>(*url);
}

Result<Side> make_side(const std::string& name, const std::string& general,
                       const std::string& kusto, const std::string& ksql) {
  Side side{name, {}, {}};
  auto k = side_url(kusto.empty() ? name : "kusto-" + name, kusto, general);
  if (!k) return k.error();
  auto q = side_url(ksql.empty() ? name : "ksql-" + name, ksql, general);
  if (!q) return q.error();
  side.kusto = *k;
  side.ksql = *q;
  return side;
}

std::string origins(const Side& side) {
  std::string k = side.kusto ? side.kusto->origin() : "";
  std::string q = side.ksql ? side.ksql->origin() : "";
  if (k == q || q.empty()) return k;
  if (k.empty()) return q;
  return k + " (Kusto), " + q + " (ksqlDB)";
}

struct SideRun {
  std::vector<Response> steps;
  std::string unreachable;
};

SideRun run_side(const scenario::Scenario& sc, const Side& side, const runner::CheckOptions& co) {
  SideRun out;
  auto run = runner::run_scenario(sc, *side.url(sc.endpoint), co, [&](runner::StepRun& step) {
    Response r;
    r.responded = step.result.status != 0;
    r.status = step.result.status;
    r.headers = std::move(step.response_headers);
    r.body = std::move(step.response_body);
    r.client_request_id = step.result.client_request_id;
    r.latency = step.result.latency;
    r.findings = step.result.findings;
    if (!r.responded)
      for (const auto& f : step.result.failures)
        r.failure += (r.failure.empty() ? "" : "; ") + redact::redacted(f, co.token);
    out.steps.push_back(std::move(r));
  });
  if (!run.unreachable.empty())
    out.unreachable = "the " + side.name + " " + redact::redacted(run.unreachable, co.token);
  return out;
}

std::chrono::microseconds p50(std::vector<std::chrono::microseconds> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

bool is_violation(const report::Finding& f) {
  return f.level == "violation";
}

void add_violations(const Response& r, std::vector<report::Finding>& out) {
  for (const auto& f : r.findings)
    if (is_violation(f) && out.size() < 20 &&
        std::none_of(out.begin(), out.end(), [&](const report::Finding& o) {
          return o.rule == f.rule && o.path == f.path;
        }))
      out.push_back(f);
}

std::set<std::string> paths_of(const std::vector<PathDifference>& diffs) {
  std::set<std::string> out;
  for (const auto& d : diffs)
    out.insert(d.path);
  return out;
}

// A side that answered against one that did not: one difference at "response".
std::optional<PathDifference> answer_difference(const Response& a, const Response& b) {
  if (a.responded == b.responded) return std::nullopt;
  auto what = [](const Response& r) {
    return r.responded ? "status " + std::to_string(r.status) : "no response: " + r.failure;
  };
  return PathDifference{"response", "", what(a), what(b),
                        "response: " + what(a) + " vs " + what(b)};
}

struct Runner {
  const DiffOptions& options;
  Side baseline, candidate;
  std::optional<Side> baseline2;
  int rounds = 2;
  DiffRun out;
  Aggregator aggregator;
  compare::BodyComparer comparer;

  std::vector<PathDifference> differences(Response& a, Response& b, const scenario::Step& step) {
    if (auto d = answer_difference(a, b)) return {*d};
    if (!a.responded) return {};
    return compare_responses(a, b, step.kind, step.rules, comparer);
  }

  // false: an endpoint is unreachable, the run stops.
  bool scenario(const scenario::Scenario& original) {
    scenario::Scenario sc = original;
    for (auto& step : sc.steps) {
      step.golden.clear(); // the other side is the reference, not a golden file
      if (!options.protocol_defaults) step.rules.protocol_defaults = false;
    }
    for (const Side* side : {&baseline, &candidate, baseline2 ? &*baseline2 : nullptr})
      if (side && !side->url(sc.endpoint)) {
        std::string e(scenario::to_string(sc.endpoint));
        out.result.bad_input.push_back(sc.file + ": scenario \"" + sc.name + "\" talks to the " +
                                       e + " endpoint, which has no " + side->name + ": pass --" +
                                       side->name + " URL or --" + e + "-" + side->name + " URL");
        return true;
      }
    std::vector<SideRun> base, reference, cand;
    for (int r = 0; r < rounds; ++r) {
      for (auto [side, runs] :
           {std::pair{&baseline, &base}, std::pair{baseline2 ? &*baseline2 : nullptr, &reference},
            std::pair{&candidate, &cand}}) {
        if (!side) continue;
        runs->push_back(run_side(sc, *side, options.check));
        if (!runs->back().unreachable.empty()) {
          out.result.runtime_error = runs->back().unreachable;
          return false;
        }
      }
    }
    // Noise first: the baseline against its second instance, or against itself a round later.
    for (std::size_t i = 0; i < sc.steps.size(); ++i) {
      const auto& step = sc.steps[i];
      for (int r = 0; r < rounds; ++r) {
        SideRun* other = baseline2 ? &reference[r] : r + 1 < rounds ? &base[r + 1] : nullptr;
        if (!other || i >= base[r].steps.size() || i >= other->steps.size()) continue;
        Response& a = base[r].steps[i];
        Response& b = other->steps[i];
        if (!a.responded || !b.responded) continue;
        out.noise.learn(sc.name, step.name, paths_of(differences(a, b, step)));
      }
    }
    for (std::size_t i = 0; i < sc.steps.size(); ++i) {
      const auto& step = sc.steps[i];
      StepDiff sd;
      sd.scenario = sc.name;
      sd.file = sc.file;
      sd.step = step.name;
      sd.location = step.location;
      sd.method = step.method;
      std::vector<std::chrono::microseconds> lb, lc;
      for (int r = 0; r < rounds; ++r) {
        if (i >= base[r].steps.size() || i >= cand[r].steps.size()) continue;
        Response& a = base[r].steps[i];
        Response& b = cand[r].steps[i];
        if (r == 0) {
          sd.baseline_request_id = a.client_request_id;
          sd.candidate_request_id = b.client_request_id;
        }
        if (a.responded) lb.push_back(a.latency);
        if (b.responded) lc.push_back(b.latency);
        add_violations(a, sd.baseline_violations);
        add_violations(b, sd.candidate_violations);
        if (!a.responded && !b.responded) {
          std::string note =
              "round " + std::to_string(r + 1) + ": neither side answered (" + a.failure + ")";
          if (sd.notes.size() < 5) sd.notes.push_back(std::move(note));
          continue;
        }
        ++sd.compared;
        auto diffs = differences(a, b, step);
        bool beyond = false;
        for (const auto& d : diffs) {
          if (out.noise.find(sc.name, step.name, d.path)) {
            if (std::find(sd.noise_paths.begin(), sd.noise_paths.end(), d.path) ==
                sd.noise_paths.end())
              sd.noise_paths.push_back(d.path);
            continue;
          }
          beyond = true;
          if (std::none_of(sd.differences.begin(), sd.differences.end(),
                           [&](const PathDifference& o) { return o.path == d.path; }) &&
              sd.differences.size() < 50)
            sd.differences.push_back(d);
        }
        if (beyond) ++sd.differing;
        aggregator.add(sc.name, step.name, a, b, diffs, out.noise);
      }
      sd.baseline_p50 = p50(std::move(lb));
      sd.candidate_p50 = p50(std::move(lc));
      if (options.on_step) options.on_step(sd);
      out.result.steps.push_back(std::move(sd));
    }
    return true;
  }
};

std::vector<NoiseSummary> summarise(const Noise& noise) {
  struct Sum {
    std::size_t differed = 0, compared = 0, steps = 0;
  };
  std::map<std::string, Sum> by_path;
  for (const auto& e : noise.learned()) {
    auto& s = by_path[e.path];
    s.differed += e.differed;
    s.compared += e.compared;
    ++s.steps;
  }
  std::vector<NoiseSummary> out;
  for (const auto& [path, s] : by_path)
    out.push_back(
        {path, static_cast<double>(s.differed) / static_cast<double>(s.compared), s.steps, false});
  for (const auto& e : noise.from_file())
    if (!by_path.count(e.path)) out.push_back({e.path, e.rate, 0, true});
  return out;
}

} // namespace

Result<DiffRun> run_diff(const DiffOptions& options) {
  auto start = std::chrono::steady_clock::now();
  auto baseline =
      make_side("baseline", options.baseline, options.kusto_baseline, options.ksql_baseline);
  if (!baseline) return baseline.error();
  auto candidate =
      make_side("candidate", options.candidate, options.kusto_candidate, options.ksql_candidate);
  if (!candidate) return candidate.error();
  auto baseline2 =
      make_side("baseline2", options.baseline2, options.kusto_baseline2, options.ksql_baseline2);
  if (!baseline2) return baseline2.error();
  if (!baseline->kusto && !baseline->ksql)
    return make_error("no baseline: pass --baseline URL (or --kusto-baseline / --ksql-baseline)");
  if (!candidate->kusto && !candidate->ksql)
    return make_error(
        "no candidate: pass --candidate URL (or --kusto-candidate / --ksql-candidate)");
  if (options.repeat < 0 || options.repeat > 100)
    return make_error("--repeat " + std::to_string(options.repeat) +
                      ": write a number of rounds from 1 to 100");
  auto loaded = runner::load_scenarios(options.check);
  if (!loaded) return loaded.error();

  Runner runner{options, *baseline, *candidate, {}, 2, {}, {}, {}};
  if (baseline2->kusto || baseline2->ksql) runner.baseline2 = *baseline2;
  runner.rounds = options.repeat > 0 ? options.repeat : runner.baseline2 ? 1 : 2;
  runner.out.noise = options.noise;
  DiffResult& result = runner.out.result;
  result.started_at = utc_timestamp_now();
  result.baseline = origins(*baseline);
  result.candidate = origins(*candidate);
  result.baseline2 = runner.baseline2 ? origins(*runner.baseline2) : "";
  result.repeat = runner.rounds;
  result.protocol_defaults = options.protocol_defaults;

  for (auto& [file, sc] : *loaded) {
    if (!sc) {
      result.bad_input.push_back(redact::redacted(sc.error().message, options.check.token));
      continue;
    }
    try {
      if (!runner.scenario(*sc)) break;
    } catch (const std::exception& e) {
      // Nothing a server sends may end the run (see run_check): this scenario reports it as a
      // failed step and the others run.
      StepDiff sd;
      sd.scenario = sc->name;
      sd.file = sc->file;
      sd.step = "(scenario)";
      sd.differing = 1;
      sd.notes.push_back(std::string("the scenario stopped on an internal error (") + e.what() +
                         "); the other scenarios still run");
      result.steps.push_back(std::move(sd));
    }
  }
  result.groups = runner.aggregator.groups();
  result.noise = summarise(runner.out.noise);
  result.duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return std::move(runner.out);
}

std::size_t DiffResult::failed_steps() const {
  return static_cast<std::size_t>(
      std::count_if(steps.begin(), steps.end(), [](const StepDiff& s) { return s.failed(); }));
}

std::string DiffResult::verdict() const {
  if (!runtime_error.empty()) return "runtime-failure";
  if (!bad_input.empty()) return "bad-input";
  if (failed_steps() > 0) return "failed";
  return "passed";
}

} // namespace konform::diff
