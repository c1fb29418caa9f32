#include "cli/connection_options.h"

#include "cli/words.h"
#include "core/text.h"
#include "runner/check_runner.h"
#include "scenario/variables.h"

namespace konform::cli {
void add_connection_options(cxxopts::Options& options) {
  // clang-format off
  options.add_options()
      ("ca-file", "PEM file with extra trust anchors for https targets", cxxopts::value<std::string>())
      ("insecure", "Do not verify TLS certificates (test servers only)")
      ("token", "Send 'Authorization: Bearer TOKEN' (never printed or written)", cxxopts::value<std::string>())
      ("token-file", "Read the bearer token from this file", cxxopts::value<std::string>())
      ("token-command", "Run this shell command; its standard output is the bearer token", cxxopts::value<std::string>());
  // clang-format on
}

ConnectionOptions read_connection_options(const cxxopts::ParseResult& args) {
  ConnectionOptions c;
  c.token = text_of(args, "token");
  c.token_file = text_of(args, "token-file");
  c.token_command = text_of(args, "token-command");
  c.ca_file = text_of(args, "ca-file");
  c.insecure = args.count("insecure") > 0;
  return c;
}

Result<std::string> resolve_token(const ConnectionOptions& options) {
  return runner::resolve_token(options.token, options.token_file, options.token_command);
}

void add_variable_option(cxxopts::Options& options) {
  options.add_options()(
      "var", "Set a scenario variable NAME=VALUE (repeatable; overrides the scenario's default)",
      cxxopts::value<std::vector<std::string>>());
}

Result<std::vector<std::pair<std::string, std::string>>>
read_variables(const cxxopts::ParseResult& args) {
  std::vector<std::pair<std::string, std::string>> variables;
  if (!args.count("var")) return variables;
  for (const auto& assignment : args["var"].as<std::vector<std::string>>()) {
    auto v = scenario::parse_variable(assignment);
    if (!v) return v.error();
    variables.push_back(std::move(*v));
  }
  return variables;
}

void add_timeout_option(cxxopts::Options& options, const std::string& help) {
  options.add_options()("timeout", help, cxxopts::value<std::string>()->default_value("30000"));
}

Result<std::chrono::milliseconds> read_timeout(const cxxopts::ParseResult& args) {
  const auto text = args["timeout"].as<std::string>();
  const auto ms = text::parse_int(text);
  if (!ms || *ms < 1 || *ms > 86400000)
    return make_error("--timeout '" + text +
                      "': expected a deadline in milliseconds, a whole number from 1 to 86400000 "
                      "(e.g. 30000)");
  return std::chrono::milliseconds(*ms);
}

void add_max_body_option(cxxopts::Options& options, const std::string& help) {
  options.add_options()("max-body", help, cxxopts::value<std::string>()->default_value("256MiB"));
}

Result<std::size_t> read_max_body(const cxxopts::ParseResult& args) {
  const auto text = args["max-body"].as<std::string>();
  auto size = text::parse_size(text);
  if (!size || *size == 0 || *size > (std::uint64_t(1) << 40))
    return make_error("--max-body " + text +
                      ": write a size between 1 byte and 1TiB, e.g. 1048576, 64KiB, 256MiB");
  return static_cast<std::size_t>(*size);
}

} // namespace konform::cli
