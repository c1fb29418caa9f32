// `konform diff [SCENARIO...] --baseline URL --candidate URL`: the same requests sent to the
// version in production and to a candidate, the responses compared with each other (no golden
// file), noise learned from the baseline; and `konform diff --reports OLD.json NEW.json`: what
// changed between two saved check or diff reports.
#include "cli/app.h"
#include "cli/diff_options.h"
#include "cli/report_files.h"
#include "diff/diff_runner.h"
#include "diff/reports.h"
#include "diff/writers.h"

#include <iostream>

namespace konform::cli {
namespace {

int exit_code(const std::string& verdict) {
  if (verdict == "passed") return exit_ok;
  if (verdict == "failed") return exit_failed;
  if (verdict == "bad-input") return exit_bad_input;
  return exit_runtime;
}

int reports_main(const std::vector<std::string>& paths, const std::string& json_file) {
  auto changes = diff::compare_report_files(paths[0], paths[1]);
  if (!changes) {
    std::cerr << "konform diff --reports: " << changes.error().message << "\n";
    return exit_bad_input;
  }
  std::cout << diff::console_report_changes(*changes);
  ReportFiles files("konform diff --reports");
  files.write("--json", json_file, [&] { return diff::json_report_changes(*changes); });
  return files.exit_code(changes->regressed() ? exit_failed : exit_ok);
}

int diff_main(int argc, char** argv) {
  auto parsed = parse_diff_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::cerr << "konform diff: " << parsed.error().message << "\n";
    return exit_bad_input;
  }
  if (parsed->help) {
    std::cout << diff_help() << "\n";
    return exit_ok;
  }
  if (parsed->reports) return reports_main(parsed->paths, parsed->json);
  diff::DiffOptions& options = parsed->run;
  auto token = resolve_token(parsed->connection);
  if (!token) {
    std::cerr << "konform diff: " << token.error().message << "\n";
    return exit_bad_input;
  }
  options.check.token = std::move(*token);
  if (!parsed->noise_file.empty()) {
    auto noise = diff::read_noise_file(parsed->noise_file);
    if (!noise) {
      std::cerr << "konform diff: " << noise.error().message << "\n";
      return exit_bad_input;
    }
    options.noise = std::move(*noise);
  }

  options.on_step = [](const diff::StepDiff& step) {
    std::cout << diff::console_step(step) << std::flush;
  };
  auto run = diff::run_diff(options);
  if (!run) {
    std::cerr << "konform diff: " << run.error().message << "\n";
    return exit_bad_input;
  }
  const auto& result = run->result;
  std::cout << diff::console_summary(result);
  if (!result.runtime_error.empty()) std::cerr << "konform diff: " << result.runtime_error << "\n";

  ReportFiles files("konform diff", options.check.token);
  files.write("--junit", parsed->junit, [&] { return diff::junit_xml(result); });
  files.write("--json", parsed->json, [&] { return diff::json_report(result); });
  files.write("--html", parsed->html, [&] { return diff::html_report(result); });
  files.write("--learn-noise", parsed->learn_noise,
              [&] { return diff::noise_file_text(run->noise); });
  return files.exit_code(exit_code(result.verdict()));
}

const bool registered = register_command(
    {"diff", "compare a candidate's responses with a baseline's, beyond learned noise", diff_main});

} // namespace
} // namespace konform::cli
