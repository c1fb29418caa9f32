// `konform diff [SCENARIO...] --baseline URL --candidate URL`: the same requests sent to the
// version in production and to a candidate, the responses compared with each other (no golden
// file), noise learned from the baseline; and `konform diff --reports OLD.json NEW.json`: what
// changed between two saved check or diff reports.
#include "cli/app.h"
#include "cli/connection_options.h"
#include "core/file.h"
#include "core/redact.h"
#include "diff/diff_runner.h"
#include "diff/reports.h"
#include "diff/writers.h"

#include <cxxopts.hpp>
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
  if (paths.size() != 2) {
    std::cerr << "konform diff --reports: give two report files, OLD.json NEW.json\n";
    return exit_bad_input;
  }
  auto changes = diff::compare_report_files(paths[0], paths[1]);
  if (!changes) {
    std::cerr << "konform diff --reports: " << changes.error().message << "\n";
    return exit_bad_input;
  }
  std::cout << diff::console_report_changes(*changes);
  if (!json_file.empty()) {
    auto st = file::write(json_file, diff::json_report_changes(*changes));
    if (!st) {
      std::cerr << "konform diff: cannot write the report: " << st.error().message << "\n";
      return exit_runtime;
    }
  }
  return changes->regressed() ? exit_failed : exit_ok;
}

int diff_main(int argc, char** argv) {
  cxxopts::Options opts(
      "konform diff",
      "Send every scenario's requests to a baseline and a candidate endpoint and compare the "
      "responses with each other, beyond the noise learned from the baseline.\n"
      "  konform diff [SCENARIO...] --baseline URL --candidate URL [--baseline2 URL]\n"
      "  konform diff --reports OLD.json NEW.json");
  opts.positional_help("[SCENARIO...]");
  auto url = [](const char* what) { return std::string(what); };
  opts.add_options()("paths", "Scenario files or folders (default: scenarios/)",
                     cxxopts::value<std::vector<std::string>>())(
      "filter", "Run only scenarios whose name or file matches this glob (* and ?)",
      cxxopts::value<std::string>())("baseline", url("The version in production (URL)"),
                                     cxxopts::value<std::string>())(
      "candidate", "The version under test (URL)", cxxopts::value<std::string>())(
      "baseline2",
      "A second instance of the baseline version: whatever differs between the two is noise",
      cxxopts::value<std::string>())("kusto-baseline", "Baseline URL for Kusto scenarios",
                                     cxxopts::value<std::string>())(
      "ksql-baseline", "Baseline URL for ksqlDB scenarios", cxxopts::value<std::string>())(
      "kusto-candidate", "Candidate URL for Kusto scenarios", cxxopts::value<std::string>())(
      "ksql-candidate", "Candidate URL for ksqlDB scenarios", cxxopts::value<std::string>())(
      "kusto-baseline2", "Second baseline URL for Kusto scenarios", cxxopts::value<std::string>())(
      "ksql-baseline2", "Second baseline URL for ksqlDB scenarios", cxxopts::value<std::string>())(
      "repeat",
      "Rounds per scenario (baseline, baseline2, candidate each time); without --baseline2 the "
      "baseline rounds are compared with each other to learn noise (default: 2, or 1 with "
      "--baseline2)",
      cxxopts::value<int>())("noise", "Read noise paths from FILE (written by --learn-noise)",
                             cxxopts::value<std::string>())(
      "learn-noise", "Write the noise learned in this run to FILE (editable JSON)",
      cxxopts::value<std::string>())(
      "no-protocol-defaults",
      "Compare ids and timestamps too (check leaves them out): they are then learned as noise")(
      "reports", "Compare two saved check or diff JSON reports given as OLD.json NEW.json")(
      "junit", "Write a JUnit XML report to FILE", cxxopts::value<std::string>())(
      "json", "Write the JSON report to FILE", cxxopts::value<std::string>())(
      "html", "Write a self-contained HTML report to FILE",
      cxxopts::value<std::string>())("timeout", "Deadline per request in milliseconds",
                                     cxxopts::value<unsigned>()->default_value("30000"))(
      "root", "Folder tree that scenarios and bodyFile paths must stay inside",
      cxxopts::value<std::string>())("h,help", "Show this help");
  add_connection_options(opts);
  add_variable_option(opts);
  add_max_body_option(opts, "Largest response body (e.g. 64KiB, 256MiB)");
  opts.parse_positional({"paths"});

  diff::DiffOptions options;
  std::string junit, json_file, html_file, learn_noise;
  try {
    auto args = opts.parse(argc, argv);
    if (args.count("help")) {
      std::cout << opts.help() << "\n";
      return exit_ok;
    }
    auto text = [&](const char* name) {
      return args.count(name) ? args[name].as<std::string>() : std::string();
    };
    std::vector<std::string> paths;
    if (args.count("paths")) paths = args["paths"].as<std::vector<std::string>>();
    if (args.count("reports")) return reports_main(paths, text("json"));
    if (!paths.empty()) options.check.paths = paths;
    options.check.filter = text("filter");
    options.baseline = text("baseline");
    options.candidate = text("candidate");
    options.baseline2 = text("baseline2");
    options.kusto_baseline = text("kusto-baseline");
    options.ksql_baseline = text("ksql-baseline");
    options.kusto_candidate = text("kusto-candidate");
    options.ksql_candidate = text("ksql-candidate");
    options.kusto_baseline2 = text("kusto-baseline2");
    options.ksql_baseline2 = text("ksql-baseline2");
    if (args.count("repeat")) {
      options.repeat = args["repeat"].as<int>();
      if (options.repeat < 1 || options.repeat > 100) {
        std::cerr << "konform diff: --repeat " << options.repeat
                  << ": write a number of rounds from 1 to 100\n";
        return exit_bad_input;
      }
    }
    options.protocol_defaults = args.count("no-protocol-defaults") == 0;
    options.check.timeout = std::chrono::milliseconds(args["timeout"].as<unsigned>());
    options.check.root = text("root");
    junit = text("junit");
    json_file = text("json");
    html_file = text("html");
    learn_noise = text("learn-noise");
    const auto connection = read_connection_options(args);
    options.check.ca_file = connection.ca_file;
    options.check.insecure = connection.insecure;
    auto max_body = read_max_body(args);
    if (!max_body) {
      std::cerr << "konform diff: " << max_body.error().message << "\n";
      return exit_bad_input;
    }
    options.check.max_body = *max_body;
    auto token = resolve_token(connection);
    if (!token) {
      std::cerr << "konform diff: " << token.error().message << "\n";
      return exit_bad_input;
    }
    options.check.token = std::move(*token);
    auto variables = read_variables(args);
    if (!variables) {
      std::cerr << "konform diff: " << variables.error().message << "\n";
      return exit_bad_input;
    }
    options.check.variables = std::move(*variables);
    if (auto noise_file = text("noise"); !noise_file.empty()) {
      auto noise = diff::read_noise_file(noise_file);
      if (!noise) {
        std::cerr << "konform diff: " << noise.error().message << "\n";
        return exit_bad_input;
      }
      options.noise = std::move(*noise);
    }
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "konform diff: " << e.what() << " (see konform diff --help)\n";
    return exit_bad_input;
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

  int code = exit_code(result.verdict());
  auto write = [&](const std::string& path, auto render) {
    if (path.empty()) return;
    // The last line of defence: no report byte carries the token.
    auto st = file::write(path, redact::redacted(render(), options.check.token));
    if (!st) {
      std::cerr << "konform diff: cannot write " << path << ": " << st.error().message << "\n";
      code = exit_runtime;
    }
  };
  write(junit, [&] { return diff::junit_xml(result); });
  write(json_file, [&] { return diff::json_report(result); });
  write(html_file, [&] { return diff::html_report(result); });
  write(learn_noise, [&] { return diff::noise_file_text(run->noise); });
  return code;
}

const bool registered = register_command(
    {"diff", "compare a candidate's responses with a baseline's, beyond learned noise", diff_main});

} // namespace
} // namespace konform::cli
