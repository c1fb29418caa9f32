// `konform load`: a multi-threaded load generator (closed model like wrk, open model like wrk2)
// with corrected and uncorrected latency histograms, thresholds as CI gates and HdrHistogram logs.
#include "cli/app.h"
#include "cli/baseline_gate.h"
#include "core/file.h"
#include "core/text.h"
#include "load/engine.h"
#include "load/hlog.h"
#include "load/html_report.h"
#include "load/merge.h"
#include "load/report.h"
#include "load/scenario_mix.h"
#include "load/threshold.h"
#include "runner/check_runner.h"
#include "scenario/parser.h"
#include "scenario/variables.h"
#include "serve/reference_endpoint.h"
#include "vocabulary/kind.h"

#include <cstdio>
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>
#include <optional>

namespace konform::cli {
namespace {

constexpr const char* me = "konform load: ";

struct BadInput {
  std::string message;
};

std::chrono::microseconds duration_option(const cxxopts::ParseResult& args, const char* name) {
  const auto text = args[name].as<std::string>();
  auto us = load::parse_duration_us(text);
  if (!us)
    throw BadInput{std::string("--") + name + " '" + text +
                   "': expected a duration such as 30s, 500ms, 2m or 1h (no unit = seconds)"};
  return std::chrono::microseconds(static_cast<std::int64_t>(*us));
}

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

int load_main(int argc, char** argv) {
  cxxopts::Options opts(
      "konform load",
      "Load a target with one request (--url) or the steps of scenarios as a weighted mix.\n"
      "Without --url/--target the embedded reference endpoint is started on loopback.");
  opts.positional_help("[SCENARIO...]");
  // clang-format off
  opts.add_options()
      ("url", "Load this one URL", cxxopts::value<std::string>())
      ("target", "Origin for scenario steps (http[s]://host:port)", cxxopts::value<std::string>())
      ("X,method", "Method for --url", cxxopts::value<std::string>()->default_value("GET"))
      ("H,header", "Header for --url, 'Name: value' (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("body-file", "Request body for --url", cxxopts::value<std::string>())
      ("as", "Protocol kind of --url's responses for --validate: " + protocol::kind_list(), cxxopts::value<std::string>())
      ("stream-for", "--url is an endless stream (ksqlDB /query): read each for this long", cxxopts::value<std::string>())
      ("var", "Scenario variable k=v (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("weight", "Weight of a scenario step in the mix, step=N (repeatable; default 1)", cxxopts::value<std::vector<std::string>>())
      ("t,threads", "Threads", cxxopts::value<unsigned>()->default_value("2"))
      ("c,connections", "Keep-alive connections, spread over the threads", cxxopts::value<unsigned>()->default_value("10"))
      ("d,duration", "Measured duration (30s, 2m, ...)", cxxopts::value<std::string>()->default_value("10s"))
      ("n,requests", "Stop after this many requests instead of a duration", cxxopts::value<std::uint64_t>())
      ("warmup", "Run this long first, excluded from the results", cxxopts::value<std::string>()->default_value("0s"))
      ("timeout", "Per request", cxxopts::value<std::string>()->default_value("2s"))
      ("R,rate", "Open model: requests per second over all shards (0 = closed model)", cxxopts::value<double>()->default_value("0"))
      ("coalesce", "Closed model: the longest nap before reading responses in batches while many are outstanding (0 = off)", cxxopts::value<std::string>()->default_value("100us"))
      ("io", "Closed model over http: auto (io_uring where the kernel allows it, else epoll) or epoll", cxxopts::value<std::string>()->default_value("auto"))
      ("http2", "HTTP/2: h2c with prior knowledge (http:// only), as h2load does")
      ("m,max-concurrent-streams", "--http2: requests in flight on each connection (h2load's -m)", cxxopts::value<unsigned>()->default_value("1"))
      ("max-in-flight", "Open model: drop scheduled sends beyond this many outstanding", cxxopts::value<std::uint64_t>()->default_value("0"))
      ("shard", "Run shard i/N of the schedule (0-based i), for distributed runs", cxxopts::value<std::string>())
      ("token", "Send 'Authorization: Bearer TOKEN' (never printed or written)", cxxopts::value<std::string>())
      ("token-file", "Read the bearer token from this file", cxxopts::value<std::string>())
      ("token-command", "Run this command; its standard output is the bearer token", cxxopts::value<std::string>())
      ("ca-file", "Extra trust anchors for https (PEM)", cxxopts::value<std::string>())
      ("insecure", "Do not verify TLS certificates (test servers only)")
      ("validate", "Validate sampled responses against the protocol and count violations")
      ("validate-every", "Validate one response in N per thread", cxxopts::value<unsigned>()->default_value("100"))
      ("json", "Write the versioned JSON result here", cxxopts::value<std::string>())
      ("hlog", "Write an HdrHistogram interval log here", cxxopts::value<std::string>())
      ("hgrm", "Write the percentile distribution (wrk2 / HdrHistogram .hgrm) here", cxxopts::value<std::string>())
      ("html", "Write a self-contained HTML report (latency plots, intervals, errors, thresholds) here", cxxopts::value<std::string>())
      ("threshold", "Fail (exit 1) unless this holds: p99<50ms, error_rate<0.1%, rps>1000 ... (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("q,quiet", "No live line on stderr")
      ("scenarios", "Scenario files or folders", cxxopts::value<std::vector<std::string>>())
      ("h,help", "Show this help");
  // clang-format on
  BaselineGate::add_options(opts);
  opts.parse_positional({"scenarios"});

  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << me << e.what() << " (see konform load --help)\n";
    return exit_bad_input;
  }
  if (args.count("help")) {
    std::cout << opts.help() << "\n";
    return exit_ok;
  }
  BaselineGate gate; // the baseline is read before the run: a bad file costs no load
  if (!gate.prepare(args, me)) return exit_bad_input;
  auto text_opt = [&](const char* name) {
    return args.count(name) ? args[name].as<std::string>() : std::string();
  };
  auto list_opt = [&](const char* name) {
    return args.count(name) ? args[name].as<std::vector<std::string>>()
                            : std::vector<std::string>{};
  };

  load::LoadOptions lo;
  std::vector<load::Threshold> thresholds;
  std::unique_ptr<serve::ReferenceEndpoint> endpoint;
  try {
    lo.threads = args["threads"].as<unsigned>();
    lo.connections = args["connections"].as<unsigned>();
    lo.duration = duration_option(args, "duration");
    lo.warmup = duration_option(args, "warmup");
    lo.timeout = duration_option(args, "timeout");
    if (args.count("requests")) lo.requests = args["requests"].as<std::uint64_t>();
    lo.rate = args["rate"].as<double>();
    lo.coalesce.longest = duration_option(args, "coalesce");
    if (const auto io = args["io"].as<std::string>(); io == "epoll")
      lo.io_uring = false;
    else if (io != "auto")
      throw BadInput{"--io '" + io + "': expected auto or epoll"};
    lo.max_in_flight = args["max-in-flight"].as<std::uint64_t>();
    lo.http2 = args.count("http2") > 0;
    lo.max_concurrent_streams = args["max-concurrent-streams"].as<unsigned>();
    if (lo.max_concurrent_streams == 0 || lo.max_concurrent_streams > 1024)
      throw BadInput{"--max-concurrent-streams " + std::to_string(lo.max_concurrent_streams) +
                     ": expected 1 to 1024 streams per connection"};
    if (args.count("max-concurrent-streams") && !lo.http2)
      throw BadInput{"--max-concurrent-streams needs --http2 (HTTP/1.1 has one request in flight "
                     "per connection; raise -c instead)"};
    lo.validate = args.count("validate") > 0;
    lo.validate_every = args["validate-every"].as<unsigned>();
    lo.insecure = args.count("insecure") > 0;
    lo.ca_file = text_opt("ca-file");
    if (args.count("shard")) {
      auto shard = load::parse_shard(text_opt("shard"));
      if (!shard) throw BadInput{shard.error().message};
      lo.shard = *shard;
    }
    for (const auto& t : list_opt("threshold")) {
      auto th = load::parse_threshold(t);
      if (!th) throw BadInput{th.error().message};
      if (lo.rate <= 0 && th->metric.starts_with("lag_"))
        throw BadInput{"--threshold '" + t +
                       "': the schedule lag is measured in the open model only; add -R RATE, or "
                       "drop this threshold"};
      thresholds.push_back(std::move(*th));
    }
    auto token =
        runner::resolve_token(text_opt("token"), text_opt("token-file"), text_opt("token-command"));
    if (!token) throw BadInput{token.error().message};
    lo.bearer_token = std::move(*token);
  } catch (const BadInput& e) {
    std::cerr << me << e.message << "\n";
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << me << e.what() << " (see konform load --help)\n";
    return exit_bad_input;
  }

  const auto scenario_paths = list_opt("scenarios");
  if (args.count("url") && !scenario_paths.empty()) {
    std::cerr << me << "give either --url or scenarios, not both\n";
    return exit_bad_input;
  }

  // Scenarios first: which endpoint they talk to decides the embedded listener.
  std::vector<scenario::Scenario> scenarios;
  if (!scenario_paths.empty()) {
    auto files = scenario::find_scenario_files(scenario_paths);
    if (!files) {
      std::cerr << me << files.error().message << "\n";
      return exit_bad_input;
    }
    scenario::ParseOptions po;
    for (const auto& v : list_opt("var")) {
      auto assignment = scenario::parse_variable(v); // an invalid one is reported below
      if (assignment) po.external_variables.push_back(assignment->first);
    }
    bool bad = false;
    for (const auto& f : *files) {
      auto sc = scenario::load_scenario(f, po);
      if (!sc) {
        std::cerr << me << sc.error().message << "\n";
        bad = true; // the rest of the files are still loaded
        continue;
      }
      scenarios.push_back(std::move(*sc));
    }
    if (scenarios.empty()) {
      std::cerr << me << "no usable scenario in " << scenario_paths.size() << " path(s)\n";
      return exit_bad_input;
    }
    if (bad)
      std::cerr << me << "continuing with the " << scenarios.size() << " scenario(s) that parsed\n";
  }

  std::string origin_text = args.count("url") ? text_opt("url") : text_opt("target");
  if (origin_text.empty()) {
    serve::EndpointOptions eo;
    auto started = serve::ReferenceEndpoint::start(std::move(eo));
    if (!started) {
      std::cerr << me
                << "the embedded reference endpoint did not start: " << started.error().message
                << "\n";
      return exit_runtime;
    }
    endpoint = std::move(*started);
    const bool ksql = !scenarios.empty() && scenarios[0].endpoint == scenario::Endpoint::ksql;
    // One origin per run: scenarios written for the other embedded service are left out.
    const auto first = scenarios.empty() ? scenario::Endpoint::kusto : scenarios[0].endpoint;
    std::erase_if(scenarios, [&](const scenario::Scenario& sc) {
      if (sc.endpoint == first) return false;
      std::cerr << me << "skipped " << sc.file << ": it talks to the "
                << scenario::to_string(sc.endpoint) << " endpoint and this run loads the "
                << scenario::to_string(first) << " one (run it separately or give --target)\n";
      return true;
    });
    origin_text = ksql ? endpoint->ksql_url() : endpoint->kusto_url();
    if (scenarios.empty()) origin_text += "/v1/rest/ping";
    std::cerr << me << "no --url/--target: loading the embedded reference endpoint at "
              << origin_text << "\n";
  }
  auto url = http::parse_url(origin_text);
  if (!url) {
    std::cerr << me << (args.count("url") ? "--url: " : "--target: ") << url.error().message
              << "\n";
    return exit_bad_input;
  }
  lo.origin = *url;
  if (lo.http2 && lo.origin.tls) {
    std::cerr << me
              << "--http2: load speaks h2c (HTTP/2 over plain TCP, prior knowledge) only; "
                 "give an http:// target, or drop --http2 for https\n";
    return exit_bad_input;
  }

  if (scenarios.empty()) {
    load::Step step;
    step.name = url->target;
    step.request.method = args["method"].as<std::string>();
    step.request.target = url->target;
    for (const auto& h : list_opt("header")) {
      const auto colon = h.find(':');
      if (colon == std::string::npos || colon == 0) {
        std::cerr << me << "--header '" << h << "': expected 'Name: value'\n";
        return exit_bad_input;
      }
      step.request.headers.emplace_back(std::string(text::trim(h.substr(0, colon))),
                                        std::string(text::trim(h.substr(colon + 1))));
    }
    if (args.count("body-file")) {
      auto body = file::read(text_opt("body-file"));
      if (!body) {
        std::cerr << me << "--body-file: " << body.error().message << "\n";
        return exit_bad_input;
      }
      step.request.body = std::move(*body);
    }
    if (args.count("as")) {
      step.kind = protocol::parse_kind(text_opt("as"));
      if (!step.kind) {
        std::cerr << me << "--as '" << text_opt("as") << "': unknown protocol kind ("
                  << protocol::kind_list() << ")\n";
        return exit_bad_input;
      }
    }
    if (args.count("stream-for")) {
      try {
        step.stream_for = std::chrono::duration_cast<std::chrono::milliseconds>(
            duration_option(args, "stream-for"));
      } catch (const BadInput& e) {
        std::cerr << me << e.message << "\n";
        return exit_bad_input;
      }
      step.streaming = step.stream_for.count() > 0;
    }
    lo.steps.push_back(std::move(step));
  } else {
    load::MixOptions mo;
    mo.origin = lo.origin.origin();
    for (const auto& v : list_opt("var")) {
      auto assignment = scenario::parse_variable(v);
      if (!assignment) {
        std::cerr << me << assignment.error().message << "\n";
        return exit_bad_input;
      }
      mo.variables[assignment->first] = std::move(assignment->second);
    }
    for (const auto& w : list_opt("weight")) {
      const auto eq = w.find('=');
      auto n = eq == std::string::npos ? std::nullopt : text::parse_int(w.substr(eq + 1));
      if (!n || *n < 0 || *n > 1000000) {
        std::cerr << me << "--weight '" << w << "': expected step=N with N a whole number >= 0\n";
        return exit_bad_input;
      }
      mo.weights[w.substr(0, eq)] = static_cast<unsigned>(*n);
    }
    auto mix = load::build_mix(scenarios, mo);
    for (const auto& s : mix.skipped)
      std::cerr << me << "skipped " << s << "\n";
    if (mix.steps.empty()) {
      std::cerr << me << "no step of the scenarios can be replayed as load\n";
      return exit_bad_input;
    }
    lo.steps = std::move(mix.steps);
  }

  if (const int code = gate.check_before(lo, me); code != exit_ok) return code;
  HlogSink hlog;
  if (args.count("hlog")) {
    if (auto st = hlog.open(text_opt("hlog")); !st) {
      std::cerr << me << st.error().message << "\n";
      return exit_bad_input;
    }
  }
  // The HTML report plots requests/s and p99 per interval: a few numbers per interval are kept.
  std::vector<load::IntervalPoint> intervals;
  std::optional<double> first_interval;
  const bool html = args.count("html") > 0;
  if (hlog.active() || html)
    lo.on_interval = [&](const load::IntervalView& v) {
      if (hlog.active()) hlog.interval(v);
      if (!html) return;
      if (!first_interval) first_interval = v.start_epoch_s;
      intervals.push_back(load::interval_point(v, *first_interval));
    };
  if (!args.count("quiet"))
    lo.on_live = [](const load::LiveSample& s) {
      std::fprintf(stderr, "%s\n", load::live_line(s).c_str());
    };

  auto result = load::run_load(lo);
  if (endpoint) endpoint->stop();
  if (!result) {
    std::cerr << me << result.error().message << "\n";
    return result.error().kind == ErrorKind::connect ? exit_runtime : exit_bad_input;
  }
  std::cout << load::summary_text(*result);

  int code = exit_ok;
  if (hlog.active())
    if (auto st = hlog.close(*result); !st) {
      std::cerr << me << st.error().message << "\n";
      code = exit_runtime;
    }
  if (args.count("json"))
    if (auto st = file::write(text_opt("json"), load::to_json(*result)); !st) {
      std::cerr << me << "--json: " << st.error().message << "\n";
      code = exit_runtime;
    }
  if (args.count("hgrm"))
    if (auto st = file::write(text_opt("hgrm"), load::percentile_distribution(result->corrected));
        !st) {
      std::cerr << me << "--hgrm: " << st.error().message << "\n";
      code = exit_runtime;
    }

  const auto outcomes = load::evaluate(thresholds, *result);
  if (html)
    if (auto st = file::write(text_opt("html"),
                              load::html_report(*result, outcomes, intervals, "konform load"));
        !st) {
      std::cerr << me << "--html: " << st.error().message << "\n";
      code = exit_runtime;
    }

  bool failed = false;
  for (const auto& o : outcomes) {
    std::cout << (o.passed ? "  threshold ok:     " : "  threshold FAILED: ") << o.threshold->text
              << "  (" << o.actual_text << ")\n";
    failed |= !o.passed;
  }
  // Nothing ever answered with HTTP: the target is unreachable, mute or not an HTTP server,
  // which is not a threshold question (the thresholds above still show what was measured).
  if (const auto why = load::no_response_diagnosis(*result, lo.origin.origin()); !why.empty()) {
    std::cerr << me << why << "\n";
    return exit_runtime;
  }
  if (const int regression = gate.finish(*result, me); regression != exit_ok) return regression;
  if (failed) return exit_failed;
  return code;
}

const bool registered = register_command(
    {"load", "load a target: closed or open model, corrected latency histograms", load_main});

} // namespace
} // namespace konform::cli
