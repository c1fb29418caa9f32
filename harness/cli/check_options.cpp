#include "cli/check_options.h"

#include "cli/words.h"

#include <cxxopts.hpp>

namespace konform::cli {
namespace {

cxxopts::Options check_command_options() {
  cxxopts::Options opts("konform check",
                        "Replay scenarios against an endpoint and compare every response with "
                        "its golden file and with the protocol.");
  opts.positional_help("[PATH...]");
  // clang-format off
  opts.add_options()
      ("paths", "Scenario files or folders (default: scenarios/)", cxxopts::value<std::vector<std::string>>())
      ("filter", "Run only scenarios whose name or file matches this glob (* and ?)", cxxopts::value<std::string>())
      ("target", "Endpoint URL (http:// or https://) for every scenario; without any target the embedded reference endpoint runs on loopback", cxxopts::value<std::string>())
      ("kusto-target", "Endpoint URL for \"endpoint\": \"kusto\" scenarios (overrides --target)", cxxopts::value<std::string>())
      ("ksql-target", "Endpoint URL for \"endpoint\": \"ksql\" scenarios (overrides --target)", cxxopts::value<std::string>())
      ("http2", "Every request over HTTP/2: h2c with prior knowledge on http://, ALPN h2 on https:// (a scenario or step chooses with \"http\": \"2\")")
      ("update-golden", "Write or refresh the golden files from the target's responses")
      ("junit", "Write a JUnit XML report to FILE", cxxopts::value<std::string>())
      ("json", "Write the JSON report to FILE", cxxopts::value<std::string>())
      ("html", "Write a self-contained HTML report to FILE", cxxopts::value<std::string>())
      ("root", "Folder tree that scenarios, bodyFile and golden paths must stay inside (default: the git work tree holding each PATH, else the PATH's folder)", cxxopts::value<std::string>())
      ("h,help", "Show this help");
  // clang-format on
  add_connection_options(opts);
  add_variable_option(opts);
  add_timeout_option(opts, "Deadline per request in milliseconds: connect, send and the whole "
                           "response (a body still arriving then fails the step)");
  add_max_body_option(opts, "Largest response body, as received and decompressed (e.g. 1048576, "
                            "64KiB, 256MiB, 1GiB); larger fails the step");
  opts.parse_positional({"paths"});
  return opts;
}

Result<CheckCommandLine> read(const cxxopts::ParseResult& args) {
  CheckCommandLine c;
  if (args.count("help")) {
    c.help = true;
    return c;
  }
  auto text = [&](const char* name) { return text_of(args, name); };
  auto& run = c.run;
  if (args.count("paths")) run.paths = args["paths"].as<std::vector<std::string>>();
  run.filter = text("filter");
  run.target = text("target");
  run.kusto_target = text("kusto-target");
  run.ksql_target = text("ksql-target");
  run.update_golden = args.count("update-golden") > 0;
  run.http2 = args.count("http2") > 0;
  auto timeout = read_timeout(args);
  if (!timeout) return timeout.error();
  run.timeout = *timeout;
  run.root = text("root");
  c.junit = text("junit");
  c.json = text("json");
  c.html = text("html");
  c.connection = read_connection_options(args);
  run.ca_file = c.connection.ca_file;
  run.insecure = c.connection.insecure;
  auto max_body = read_max_body(args);
  if (!max_body) return max_body.error();
  run.max_body = *max_body;
  auto variables = read_variables(args);
  if (!variables) return variables.error();
  run.variables = std::move(*variables);
  return c;
}

} // namespace

Result<CheckCommandLine> parse_check_options(const std::vector<std::string>& args) {
  auto opts = check_command_options();
  return parse_words<CheckCommandLine>(opts, "check", args, read);
}

std::string check_help() {
  return check_command_options().help();
}

} // namespace konform::cli
