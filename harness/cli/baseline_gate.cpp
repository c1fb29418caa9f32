#include "cli/baseline_gate.h"

#include "cli/app.h"
#include "core/file.h"

#include <iostream>

namespace konform::cli {

void BaselineGate::add_options(cxxopts::Options& options) {
  // clang-format off
  options.add_options("Baseline")
      ("baseline", "Compare with this saved --json result: old, new and new/old per metric", cxxopts::value<std::string>())
      ("max-regression", "Fail (exit 1) when a metric is this much worse than the baseline: p99=10%, rps=5%, error_rate=0.5% (points), step:NAME:p99=20% (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("force", "Compare with a baseline run with other settings (model, rate, threads, connections, shards, steps)");
  // clang-format on
}

Result<BaselineFlags> parse_baseline_flags(const cxxopts::ParseResult& args) {
  BaselineFlags flags;
  flags.force = args.count("force") > 0;
  if (args.count("max-regression"))
    for (const auto& text : args["max-regression"].as<std::vector<std::string>>()) {
      auto limit = load::parse_max_regression(text);
      if (!limit) return limit.error();
      flags.limits.push_back(std::move(*limit));
    }
  if (args.count("baseline")) flags.path = args["baseline"].as<std::string>();
  if (flags.path.empty() && (!flags.limits.empty() || flags.force))
    return make_error(std::string(flags.force ? "--force" : "--max-regression") +
                      " compares with a baseline: add --baseline OLD.json (a result saved with "
                      "--json)");
  return flags;
}

Status BaselineGate::prepare(BaselineFlags flags) {
  force_ = flags.force;
  limits_ = std::move(flags.limits);
  if (flags.path.empty()) return Ok{};
  auto text = file::read(flags.path);
  if (!text) return make_error("--baseline: " + text.error().message);
  auto summary = load::read_run_json(*text, flags.path);
  if (!summary) return summary.error();
  baseline_ = std::move(*summary);
  return Ok{};
}

bool BaselineGate::prepare(const cxxopts::ParseResult& args, const char* me) {
  auto flags = parse_baseline_flags(args);
  auto st = flags ? prepare(std::move(*flags)) : Status(flags.error());
  if (!st) std::cerr << me << st.error().message << "\n";
  return st.ok();
}

int BaselineGate::check_before(const load::LoadOptions& options, const char* me) const {
  if (!baseline_ || force_) return exit_ok;
  const auto differences = load::setting_differences(*baseline_, load::planned_identity(options));
  for (const auto& d : differences)
    std::cerr << me << "not comparable with the baseline: " << d << "\n";
  if (differences.empty()) return exit_ok;
  std::cerr << me
            << "nothing was sent: run with the baseline's settings, save a new baseline, or add "
               "--force\n";
  return exit_bad_input;
}

int BaselineGate::finish(const load::LoadResult& result, const char* me) const {
  if (!baseline_) return exit_ok;
  const auto now = load::summarize(result);
  const auto differences = load::setting_differences(*baseline_, now);
  for (const auto& d : differences)
    std::cerr << me << (force_ ? "compared anyway (--force), the runs differ in " : "")
              << (force_ ? "" : "not comparable with the baseline: ") << d << "\n";
  if (!differences.empty() && !force_) {
    std::cerr << me
              << "run again with the baseline's settings, save a new baseline, or add --force\n";
    return exit_bad_input;
  }
  const auto comparison = load::compare_runs(*baseline_, now, limits_);
  std::cout << load::comparison_text(comparison, *baseline_);
  return comparison.failed() ? exit_failed : exit_ok;
}

} // namespace konform::cli
