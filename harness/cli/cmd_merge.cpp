// `konform merge A.hlog B.hlog ...`: adds the histograms of several load runs (shards of one
// distributed run) exactly and prints the report one process would have printed.
#include "cli/app.h"
#include "cli/baseline_gate.h"
#include "cli/report_files.h"
#include "core/file.h"
#include "load/hlog.h"
#include "load/html_report.h"
#include "load/merge.h"
#include "load/merge_intervals.h"
#include "load/report.h"
#include "load/threshold.h"

#include <cxxopts.hpp>

#include <iostream>

namespace konform::cli {
namespace {

constexpr const char* me = "konform merge: ";

int merge_main(int argc, char** argv) {
  cxxopts::Options opts("konform merge",
                        "Merge HdrHistogram interval logs written by `konform load --hlog` (one "
                        "per shard) and report the whole run.");
  opts.positional_help("LOG.hlog...");
  // clang-format off
  opts.add_options()
      ("json", "Write the versioned JSON result here", cxxopts::value<std::string>())
      ("hgrm", "Write the merged percentile distribution here", cxxopts::value<std::string>())
      ("html", "Write a self-contained HTML report of the merged run here", cxxopts::value<std::string>())
      ("threshold", "Fail (exit 1) unless this holds on the merged data (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("logs", "Interval logs", cxxopts::value<std::vector<std::string>>())
      ("h,help", "Show this help");
  // clang-format on
  BaselineGate::add_options(opts);
  opts.parse_positional({"logs"});
  cxxopts::ParseResult args;
  try {
    args = opts.parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << me << e.what() << " (see konform merge --help)\n";
    return exit_bad_input;
  }
  if (args.count("help")) {
    std::cout << opts.help() << "\n";
    return exit_ok;
  }
  BaselineGate gate;
  if (!gate.prepare(args, me)) return exit_bad_input;
  if (!args.count("logs")) {
    std::cerr << me << "give at least one .hlog file (written by konform load --hlog)\n";
    return exit_bad_input;
  }
  std::vector<load::Threshold> thresholds;
  if (args.count("threshold"))
    for (const auto& t : args["threshold"].as<std::vector<std::string>>()) {
      auto th = load::parse_threshold(t);
      if (!th) {
        std::cerr << me << th.error().message << "\n";
        return exit_bad_input;
      }
      thresholds.push_back(std::move(*th));
    }

  std::vector<load::MergeInput> inputs;
  bool unreadable = false;
  for (const auto& path : args["logs"].as<std::vector<std::string>>()) {
    auto text = file::read(path);
    if (!text) {
      std::cerr << me << text.error().message << "\n";
      unreadable = true; // the other logs are still merged
      continue;
    }
    inputs.push_back({path, std::move(*text)});
  }
  auto merged = load::merge_hlogs(inputs);
  if (!merged) {
    std::cerr << me << merged.error().message << "\n";
    return exit_bad_input;
  }
  for (const auto& p : merged->problems)
    std::cerr << me << "skipped " << p << "\n";
  for (const auto& i : merged->incomplete)
    std::cerr << me << "incomplete run: " << i << "\n";
  const auto& result = merged->result;
  std::cout << load::summary_text(result);

  auto path = [&](const char* option) {
    return args.count(option) ? args[option].as<std::string>() : std::string();
  };
  ReportFiles files("konform merge");
  files.write("--json", path("json"), [&] { return load::to_json(result); });
  files.write("--hgrm", path("hgrm"),
              [&] { return load::percentile_distribution(result.corrected); });
  const auto outcomes = load::evaluate(thresholds, result);
  files.write("--html", path("html"), [&] {
    // A second walk over the logs, one interval at a time, for the over-time plots.
    auto series = load::merge_intervals(inputs);
    for (const auto& p : series.problems)
      std::cerr << me << "--html: " << p << "\n";
    return load::html_report(result, outcomes, series.points, "konform merge");
  });
  std::cout << load::outcomes_text(outcomes);
  if (const int regression = gate.finish(result, me); regression != exit_ok) return regression;
  if (!load::all_passed(outcomes)) return exit_failed;
  if (unreadable || !merged->problems.empty() || !merged->incomplete.empty()) return exit_bad_input;
  return files.exit_code(exit_ok);
}

const bool registered = register_command(
    {"merge", "merge load interval logs (.hlog) of several shards into one report", merge_main});

} // namespace
} // namespace konform::cli
