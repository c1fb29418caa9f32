#include "cli/diff_options.h"

#include "cli/words.h"
#include "core/text.h"

#include <cxxopts.hpp>

namespace konform::cli {
namespace {

cxxopts::Options diff_command_options() {
  cxxopts::Options opts(
      "konform diff",
      "Send every scenario's requests to a baseline and a candidate endpoint and compare the "
      "responses with each other, beyond the noise learned from the baseline.\n"
      "  konform diff [SCENARIO...] --baseline URL --candidate URL [--baseline2 URL]\n"
      "  konform diff --reports OLD.json NEW.json");
  opts.positional_help("[SCENARIO...]");
  // clang-format off
  opts.add_options()
      ("paths", "Scenario files or folders (default: scenarios/)", cxxopts::value<std::vector<std::string>>())
      ("filter", "Run only scenarios whose name or file matches this glob (* and ?)", cxxopts::value<std::string>())
      ("baseline", "The version in production (URL)", cxxopts::value<std::string>())
      ("candidate", "The version under test (URL)", cxxopts::value<std::string>())
      ("baseline2", "A second instance of the baseline version: whatever differs between the two is noise", cxxopts::value<std::string>())
      ("kusto-baseline", "Baseline URL for Kusto scenarios", cxxopts::value<std::string>())
      ("ksql-baseline", "Baseline URL for ksqlDB scenarios", cxxopts::value<std::string>())
      ("kusto-candidate", "Candidate URL for Kusto scenarios", cxxopts::value<std::string>())
      ("ksql-candidate", "Candidate URL for ksqlDB scenarios", cxxopts::value<std::string>())
      ("kusto-baseline2", "Second baseline URL for Kusto scenarios", cxxopts::value<std::string>())
      ("ksql-baseline2", "Second baseline URL for ksqlDB scenarios", cxxopts::value<std::string>())
      ("repeat", "Rounds per scenario (baseline, baseline2, candidate each time); without --baseline2 the baseline rounds are compared with each other to learn noise (default: 2, or 1 with --baseline2)", cxxopts::value<std::string>())
      ("noise", "Read noise paths from FILE (written by --learn-noise)", cxxopts::value<std::string>())
      ("learn-noise", "Write the noise learned in this run to FILE (editable JSON)", cxxopts::value<std::string>())
      ("no-protocol-defaults", "Compare ids and timestamps too (check leaves them out): they are then learned as noise")
      ("reports", "Compare two saved check or diff JSON reports given as OLD.json NEW.json")
      ("junit", "Write a JUnit XML report to FILE", cxxopts::value<std::string>())
      ("json", "Write the JSON report to FILE", cxxopts::value<std::string>())
      ("html", "Write a self-contained HTML report to FILE", cxxopts::value<std::string>())
      ("root", "Folder tree that scenarios and bodyFile paths must stay inside", cxxopts::value<std::string>())
      ("h,help", "Show this help");
  // clang-format on
  add_connection_options(opts);
  add_variable_option(opts);
  add_timeout_option(opts, "Deadline per request in milliseconds");
  add_max_body_option(opts, "Largest response body (e.g. 64KiB, 256MiB)");
  opts.parse_positional({"paths"});
  return opts;
}

Result<DiffCommandLine> read(const cxxopts::ParseResult& args) {
  DiffCommandLine d;
  if (args.count("help")) {
    d.help = true;
    return d;
  }
  auto text = [&](const char* name) { return text_of(args, name); };
  if (args.count("paths")) d.paths = args["paths"].as<std::vector<std::string>>();
  d.json = text("json");
  if (args.count("reports")) {
    d.reports = true;
    if (d.paths.size() != 2)
      return make_error("--reports: give two report files, OLD.json NEW.json");
    return d;
  }
  auto& run = d.run;
  if (!d.paths.empty()) run.check.paths = d.paths;
  run.check.filter = text("filter");
  run.baseline = text("baseline");
  run.candidate = text("candidate");
  run.baseline2 = text("baseline2");
  run.kusto_baseline = text("kusto-baseline");
  run.ksql_baseline = text("ksql-baseline");
  run.kusto_candidate = text("kusto-candidate");
  run.ksql_candidate = text("ksql-candidate");
  run.kusto_baseline2 = text("kusto-baseline2");
  run.ksql_baseline2 = text("ksql-baseline2");
  if (args.count("repeat")) {
    const auto repeat = text("repeat");
    const auto n = text::parse_int(repeat);
    if (!n || *n < 1 || *n > 100)
      return make_error("--repeat " + repeat + ": write a number of rounds from 1 to 100");
    run.repeat = static_cast<int>(*n);
  }
  run.protocol_defaults = args.count("no-protocol-defaults") == 0;
  auto timeout = read_timeout(args);
  if (!timeout) return timeout.error();
  run.check.timeout = *timeout;
  run.check.root = text("root");
  d.connection = read_connection_options(args);
  run.check.ca_file = d.connection.ca_file;
  run.check.insecure = d.connection.insecure;
  auto max_body = read_max_body(args);
  if (!max_body) return max_body.error();
  run.check.max_body = *max_body;
  auto variables = read_variables(args);
  if (!variables) return variables.error();
  run.check.variables = std::move(*variables);
  d.noise_file = text("noise");
  d.junit = text("junit");
  d.html = text("html");
  d.learn_noise = text("learn-noise");
  return d;
}

} // namespace

Result<DiffCommandLine> parse_diff_options(const std::vector<std::string>& args) {
  auto opts = diff_command_options();
  return parse_words<DiffCommandLine>(opts, "diff", args, read);
}

std::string diff_help() {
  return diff_command_options().help();
}

} // namespace konform::cli
