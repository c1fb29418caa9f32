// `konform load`: a multi-threaded load generator (closed model like wrk, open model like wrk2)
// with corrected and uncorrected latency histograms, thresholds as CI gates and HdrHistogram logs.
// Three stages: the command line is read (load_options.h, no I/O), then what it names is
// prepared (token, scenarios, request body, baseline, the embedded endpoint), then the load runs
// and its results are printed and written.
#include "cli/app.h"
#include "cli/baseline_gate.h"
#include "cli/load_options.h"
#include "cli/report_files.h"
#include "core/file.h"
#include "load/hlog.h"
#include "load/html_report.h"
#include "load/merge.h"
#include "load/report.h"
#include "load/run_load.h"
#include "load/scenario_mix.h"
#include "load/threshold.h"
#include "scenario/parser.h"
#include "serve/reference_endpoint.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

namespace konform::cli {
namespace {

constexpr const char* me = "konform load: ";

// Writes the .hlog as the run goes: one block of lines per finished interval.
class HlogSink {
public:
  Status open(const std::string& path) {
    path_ = path;
    out_.open(path, std::ios::trunc);
    if (!out_) return make_error("--hlog " + path + ": cannot create the file");
    return Ok{};
  }
  bool active() const { return out_.is_open(); }
  void interval(const load::IntervalView& v) {
    if (!base_) {
      base_ = v.start_epoch_s;
      out_ << load::hlog_header(*base_, "konform " KONFORM_VERSION);
    }
    out_ << load::hlog_interval_lines(v, *base_);
    out_.flush();
  }
  Status close(const load::LoadResult& result) {
    if (!base_) {
      base_ = 0;
      out_ << load::hlog_header(0, "konform " KONFORM_VERSION);
    }
    out_ << load::hlog_summary_comment(result);
    out_.close();
    if (!out_) return make_error("--hlog " + path_ + ": write failed");
    return Ok{};
  }

private:
  std::string path_;
  std::ofstream out_;
  std::optional<double> base_;
};

// Loads the scenario files; an unusable one is named and the rest are used. Empty when none
// parsed (each reason printed).
std::vector<scenario::Scenario> load_scenarios(const LoadOptions& o) {
  std::vector<scenario::Scenario> scenarios;
  scenario::ParseOptions po;
  for (const auto& v : o.variables)
    po.external_variables.push_back(v.first);
  auto files = scenario::load_scenario_files(o.scenario_paths, po);
  if (!files) {
    std::cerr << me << files.error().message << "\n";
    return scenarios;
  }
  bool bad = false;
  for (auto& [f, sc] : *files) {
    if (!sc) {
      std::cerr << me << sc.error().message << "\n";
      bad = true; // the rest of the files are still loaded
      continue;
    }
    scenarios.push_back(std::move(*sc));
  }
  if (scenarios.empty())
    std::cerr << me << "no usable scenario in " << o.scenario_paths.size() << " path(s)\n";
  else if (bad)
    std::cerr << me << "continuing with the " << scenarios.size() << " scenario(s) that parsed\n";
  return scenarios;
}

// No --url/--target: starts the embedded reference endpoint and points the run at it. Scenarios
// written for the other embedded service are left out (one origin per run).
Result<http::Url> start_embedded(std::vector<scenario::Scenario>& scenarios,
                                 std::unique_ptr<serve::ReferenceEndpoint>& endpoint) {
  auto started = serve::ReferenceEndpoint::start(serve::EndpointOptions{});
  if (!started)
    return make_error("the embedded reference endpoint did not start: " + started.error().message,
                      ErrorKind::connect);
  endpoint = std::move(*started);
  const auto first = scenarios.empty() ? scenario::Endpoint::kusto : scenarios[0].endpoint;
  std::erase_if(scenarios, [&](const scenario::Scenario& sc) {
    if (sc.endpoint == first) return false;
    std::cerr << me << "skipped " << sc.file << ": it talks to the "
              << scenario::to_string(sc.endpoint) << " endpoint and this run loads the "
              << scenario::to_string(first) << " one (run it separately or give --target)\n";
    return true;
  });
  auto origin_text =
      first == scenario::Endpoint::ksql ? endpoint->ksql_url() : endpoint->kusto_url();
  if (scenarios.empty()) origin_text += "/v1/rest/ping";
  std::cerr << me << "no --url/--target: loading the embedded reference endpoint at " << origin_text
            << "\n";
  return http::parse_url(origin_text);
}

// --url's one request (a mix of one step).
Result<std::vector<load::Step>> url_step(const LoadOptions& o, const http::Url& url) {
  load::Step step;
  step.name = url.target;
  step.request.method = o.method;
  step.request.target = url.target;
  step.request.headers = o.headers;
  if (!o.body_file.empty()) {
    auto body = file::read(o.body_file);
    if (!body) return make_error("--body-file: " + body.error().message);
    step.request.body = std::move(*body);
  }
  step.kind = o.kind;
  if (o.stream_for) {
    step.stream_for = *o.stream_for;
    step.streaming = step.stream_for.count() > 0;
  }
  return std::vector<load::Step>{std::move(step)};
}

// The steps of the scenarios as a weighted mix; the ones that cannot be replayed are named.
Result<std::vector<load::Step>> mix_steps(const LoadOptions& o,
                                          const std::vector<scenario::Scenario>& scenarios,
                                          const http::Url& origin) {
  load::MixOptions mo;
  mo.origin = origin.origin();
  for (const auto& [name, value] : o.variables)
    mo.variables[name] = value;
  mo.weights = o.weights;
  auto mix = load::build_mix(scenarios, mo);
  for (const auto& s : mix.skipped)
    std::cerr << me << "skipped " << s << "\n";
  if (mix.steps.empty()) return make_error("no step of the scenarios can be replayed as load");
  return std::move(mix.steps);
}

// Prints the summary, writes the files asked for and picks the exit code.
int report(const LoadOptions& o, const load::LoadResult& result, const BaselineGate& gate,
           HlogSink& hlog, const std::vector<load::IntervalPoint>& intervals) {
  std::cout << load::summary_text(result);
  ReportFiles files("konform load");
  if (hlog.active()) files.record("", hlog.close(result));
  files.write("--json", o.json, [&] { return load::to_json(result); });
  files.write("--hgrm", o.hgrm, [&] { return load::percentile_distribution(result.corrected); });
  const auto outcomes = load::evaluate(o.thresholds, result);
  files.write("--html", o.html,
              [&] { return load::html_report(result, outcomes, intervals, "konform load"); });
  std::cout << load::outcomes_text(outcomes);
  // Nothing ever answered with HTTP: the target is unreachable, mute or not an HTTP server,
  // which is not a threshold question (the thresholds above still show what was measured).
  if (const auto why = load::no_response_diagnosis(result, o.run.origin.origin()); !why.empty()) {
    std::cerr << me << why << "\n";
    return exit_runtime;
  }
  if (const int regression = gate.finish(result, me); regression != exit_ok) return regression;
  return load::all_passed(outcomes) ? files.exit_code(exit_ok) : exit_failed;
}

int load_main(int argc, char** argv) {
  auto parsed = parse_load_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::cerr << me << parsed.error().message << "\n";
    return exit_bad_input;
  }
  if (parsed->help) {
    std::cout << load_help() << "\n";
    return exit_ok;
  }
  LoadOptions& o = *parsed;
  load::LoadOptions& lo = o.run;

  BaselineGate gate; // the baseline is read before the run: a bad file costs no load
  if (auto st = gate.prepare(o.baseline); !st) {
    std::cerr << me << st.error().message << "\n";
    return exit_bad_input;
  }
  auto token = resolve_token(o.connection);
  if (!token) {
    std::cerr << me << token.error().message << "\n";
    return exit_bad_input;
  }
  lo.bearer_token = std::move(*token);

  // Scenarios first: which endpoint they talk to decides the embedded listener.
  std::vector<scenario::Scenario> scenarios;
  if (!o.scenario_paths.empty()) {
    scenarios = load_scenarios(o);
    if (scenarios.empty()) return exit_bad_input;
  }
  std::unique_ptr<serve::ReferenceEndpoint> endpoint;
  if (o.origin) {
    lo.origin = *o.origin;
  } else {
    auto origin = start_embedded(scenarios, endpoint);
    if (!origin) {
      std::cerr << me << origin.error().message << "\n";
      return exit_runtime;
    }
    lo.origin = *origin;
  }

  auto steps = scenarios.empty() ? url_step(o, lo.origin) : mix_steps(o, scenarios, lo.origin);
  if (!steps) {
    std::cerr << me << steps.error().message << "\n";
    return exit_bad_input;
  }
  lo.steps = std::move(*steps);

  if (const int code = gate.check_before(lo, me); code != exit_ok) return code;
  HlogSink hlog;
  if (!o.hlog.empty())
    if (auto st = hlog.open(o.hlog); !st) {
      std::cerr << me << st.error().message << "\n";
      return exit_bad_input;
    }
  // The HTML report plots requests/s and p99 per interval: a few numbers per interval are kept.
  std::vector<load::IntervalPoint> intervals;
  std::optional<double> first_interval;
  const bool html = !o.html.empty();
  if (hlog.active() || html)
    lo.on_interval = [&](const load::IntervalView& v) {
      if (hlog.active()) hlog.interval(v);
      if (!html) return;
      if (!first_interval) first_interval = v.start_epoch_s;
      intervals.push_back(load::interval_point(v, *first_interval));
    };
  if (!o.quiet)
    lo.on_live = [](const load::LiveSample& s) {
      std::fprintf(stderr, "%s\n", load::live_line(s).c_str());
    };

  auto result = load::run_load(lo);
  if (endpoint) endpoint->stop();
  if (!result) {
    std::cerr << me << result.error().message << "\n";
    // The target could not be reached, or refused TLS or HTTP/2 (load/tls_setup.h): a runtime
    // failure; everything else run_load refuses is bad input.
    const auto kind = result.error().kind;
    return kind == ErrorKind::connect || kind == ErrorKind::tls || kind == ErrorKind::timeout
               ? exit_runtime
               : exit_bad_input;
  }
  return report(o, *result, gate, hlog, intervals);
}

const bool registered = register_command(
    {"load", "load a target: closed or open model, corrected latency histograms", load_main});

} // namespace
} // namespace konform::cli
