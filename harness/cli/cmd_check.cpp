// `konform check [PATH...]`: replays scenarios against a target (or the embedded reference
// endpoint), prints each scenario as it finishes, writes --junit / --json / --html reports, and
// turns the verdict into the exit code.
#include "cli/app.h"
#include "cli/check_options.h"
#include "cli/report_files.h"
#include "report/writers.h"
#include "runner/check_runner.h"

#include <iostream>

namespace konform::cli {
namespace {

int exit_code(const std::string& verdict) {
  if (verdict == "passed") return exit_ok;
  if (verdict == "failed") return exit_failed;
  if (verdict == "bad-input") return exit_bad_input;
  return exit_runtime;
}

int check_main(int argc, char** argv) {
  auto parsed = parse_check_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::cerr << "konform check: " << parsed.error().message << "\n";
    return exit_bad_input;
  }
  if (parsed->help) {
    std::cout << check_help() << "\n";
    return exit_ok;
  }
  runner::CheckOptions& options = parsed->run;
  auto token = resolve_token(parsed->connection);
  if (!token) {
    std::cerr << "konform check: " << token.error().message << "\n";
    return exit_bad_input;
  }
  options.token = std::move(*token);

  options.on_scenario = [](const report::ScenarioResult& scenario) {
    std::cout << report::console_scenario(scenario) << std::flush;
  };
  auto run = runner::run_check(options);
  if (!run) {
    std::cerr << "konform check: " << run.error().message << "\n";
    return exit_bad_input;
  }
  std::cout << "\n" << report::console_summary(*run);

  ReportFiles files("konform check", options.token);
  files.write("--junit", parsed->junit, [&] { return report::junit_xml(*run); });
  files.write("--json", parsed->json, [&] { return report::json_report(*run); });
  files.write("--html", parsed->html, [&] { return report::html_report(*run); });
  return files.exit_code(exit_code(run->verdict()));
}

const bool registered = register_command(
    {"check", "replay scenarios, compare responses with golden files, gate CI", check_main});

} // namespace
} // namespace konform::cli
