#pragma once
// `konform check`'s command line read into one value, without printing, exceptions or I/O (the
// token is resolved afterwards by cmd_check.cpp), so the CLI tests can call it directly.
#include "cli/connection_options.h"
#include "core/result.h"
#include "runner/check_runner.h"

#include <string>
#include <vector>

namespace konform::cli {

struct CheckCommandLine {
  bool help = false;             // --help: print check_help() and nothing else
  runner::CheckOptions run;      // everything but the token
  ConnectionOptions connection;  // the token's sources; TLS already copied into `run`
  std::string junit, json, html; // reports to write (empty: not asked for)
};

// args are the words after `konform check`.
Result<CheckCommandLine> parse_check_options(const std::vector<std::string>& args);
std::string check_help();

} // namespace konform::cli
