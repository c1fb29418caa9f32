#pragma once
// `konform load`'s command line read into one value, without printing, exceptions or I/O:
// parse_load_options is what the CLI tests call, and cmd_load.cpp then resolves the token,
// loads scenarios and the baseline, runs the load and prints. Each error names the option, what
// is wrong and what to give instead.
#include "cli/baseline_gate.h"
#include "cli/connection_options.h"
#include "core/result.h"
#include "load/options.h"
#include "load/threshold.h"
#include "vocabulary/kind.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace konform::cli {

struct LoadOptions {
  bool help = false; // --help: print load_help() and nothing else
  // The run as far as the command line decides it: the model, connections, durations, TLS
  // trust, shard. The origin, steps and token are filled in by cmd_load.cpp.
  load::LoadOptions run;
  ConnectionOptions connection;
  std::vector<load::Threshold> thresholds;
  BaselineFlags baseline;

  // What to load: --url (one request), or scenario files against --target, or neither (the
  // embedded reference endpoint).
  std::string url, target;
  std::optional<http::Url> origin; // --url or --target, parsed; unset: the embedded endpoint
  std::vector<std::string> scenario_paths;
  // --url's request.
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body_file; // read by cmd_load.cpp
  std::optional<protocol::Kind> kind;
  std::optional<std::chrono::milliseconds> stream_for;
  // Scenario mix.
  std::vector<std::pair<std::string, std::string>> variables;
  std::map<std::string, unsigned> weights;

  // Outputs.
  std::string json, hlog, hgrm, html;
  bool quiet = false;
};

// args are the words after `konform load`.
Result<LoadOptions> parse_load_options(const std::vector<std::string>& args);
std::string load_help();

} // namespace konform::cli
