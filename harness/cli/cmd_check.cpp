// `konform check [PATH...]`: replays scenarios against a target (or the embedded reference
// endpoint), prints each scenario as it finishes, writes --junit / --json / --html reports, and
// turns the verdict into the exit code.
#include "cli/app.h"
#include "cli/connection_options.h"
#include "core/file.h"
#include "core/redact.h"
#include "report/writers.h"
#include "runner/check_runner.h"

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

int check_main(int argc, char** argv) {
  cxxopts::Options opts("konform check",
                        "Replay scenarios against an endpoint and compare every response with "
                        "its golden file and with the protocol.");
  opts.positional_help("[PATH...]");
  opts.add_options()("paths", "Scenario files or folders (default: scenarios/)",
                     cxxopts::value<std::vector<std::string>>())(
      "filter", "Run only scenarios whose name or file matches this glob (* and ?)",
      cxxopts::value<std::string>())(
      "target",
      "Endpoint URL (http:// or https://) for every scenario; without any target the embedded "
      "reference endpoint runs on loopback",
      cxxopts::value<std::string>())(
      "kusto-target", "Endpoint URL for \"endpoint\": \"kusto\" scenarios (overrides --target)",
      cxxopts::value<std::string>())(
      "ksql-target", "Endpoint URL for \"endpoint\": \"ksql\" scenarios (overrides --target)",
      cxxopts::value<std::string>())(
      "http2",
      "Every request over HTTP/2: h2c with prior knowledge on http://, ALPN h2 on https:// (a "
      "scenario or step chooses with \"http\": \"2\")")(
      "update-golden", "Write or refresh the golden files from the target's responses")(
      "junit", "Write a JUnit XML report to FILE", cxxopts::value<std::string>())(
      "json", "Write the JSON report to FILE", cxxopts::value<std::string>())(
      "html", "Write a self-contained HTML report to FILE", cxxopts::value<std::string>())(
      "timeout",
      "Deadline per request in milliseconds: connect, send and the whole response (a body still "
      "arriving then fails the step)",
      cxxopts::value<unsigned>()->default_value("30000"))(
      "root",
      "Folder tree that scenarios, bodyFile and golden paths must stay inside (default: the git "
      "work tree holding each PATH, else the PATH's folder)",
      cxxopts::value<std::string>())("h,help", "Show this help");
  add_connection_options(opts);
  add_variable_option(opts);
  add_max_body_option(opts, "Largest response body, as received and decompressed (e.g. 1048576, "
                            "64KiB, 256MiB, 1GiB); larger fails the step");
  opts.parse_positional({"paths"});

  runner::CheckOptions options;
  std::string junit, json_file, html_file;
  try {
    auto args = opts.parse(argc, argv);
    if (args.count("help")) {
      std::cout << opts.help() << "\n";
      return exit_ok;
    }
    if (args.count("paths")) options.paths = args["paths"].as<std::vector<std::string>>();
    auto text = [&](const char* name) {
      return args.count(name) ? args[name].as<std::string>() : std::string();
    };
    options.filter = text("filter");
    options.target = text("target");
    options.kusto_target = text("kusto-target");
    options.ksql_target = text("ksql-target");
    options.update_golden = args.count("update-golden") > 0;
    options.http2 = args.count("http2") > 0;
    options.timeout = std::chrono::milliseconds(args["timeout"].as<unsigned>());
    options.root = text("root");
    junit = text("junit");
    json_file = text("json");
    html_file = text("html");
    const auto connection = read_connection_options(args);
    options.ca_file = connection.ca_file;
    options.insecure = connection.insecure;
    auto max_body = read_max_body(args);
    if (!max_body) {
      std::cerr << "konform check: " << max_body.error().message << "\n";
      return exit_bad_input;
    }
    options.max_body = *max_body;
    auto token = resolve_token(connection);
    if (!token) {
      std::cerr << "konform check: " << token.error().message << "\n";
      return exit_bad_input;
    }
    options.token = std::move(*token);
    auto variables = read_variables(args);
    if (!variables) {
      std::cerr << "konform check: " << variables.error().message << "\n";
      return exit_bad_input;
    }
    options.variables = std::move(*variables);
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "konform check: " << e.what() << " (see konform check --help)\n";
    return exit_bad_input;
  }

  options.on_scenario = [](const report::ScenarioResult& scenario) {
    std::cout << report::console_scenario(scenario) << std::flush;
  };
  auto run = runner::run_check(options);
  if (!run) {
    std::cerr << "konform check: " << run.error().message << "\n";
    return exit_bad_input;
  }
  std::cout << "\n" << report::console_summary(*run);

  int code = exit_code(run->verdict());
  // Each report is rendered only when asked for.
  auto write = [&](const std::string& path, auto render) {
    if (path.empty()) return;
    // Reports are redacted already; this is the last line of defence for every report byte.
    auto st = file::write(path, redact::redacted(render(), options.token));
    if (!st) {
      std::cerr << "konform check: cannot write the report: " << st.error().message << "\n";
      code = exit_runtime;
    }
  };
  write(junit, [&] { return report::junit_xml(*run); });
  write(json_file, [&] { return report::json_report(*run); });
  write(html_file, [&] { return report::html_report(*run); });
  return code;
}

const bool registered = register_command(
    {"check", "replay scenarios, compare responses with golden files, gate CI", check_main});

} // namespace
} // namespace konform::cli
