#pragma once
// `konform check`: loads scenarios, runs them against a target (or the embedded reference
// endpoint), judges every response (status, headers, protocol validators, golden comparison),
// and returns a RunResult for the report writers.
#include "core/result.h"
#include "report/run_result.h"
#include "scenario/model.h"
#include "scenario/parser.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace konform::runner {

struct CheckOptions {
  std::vector<std::string> paths{"scenarios"}; // files or folders
  std::string filter;                          // glob on scenario name or file path
  // No target at all: the embedded reference endpoint is started on ephemeral loopback ports.
  // Otherwise kusto scenarios go to kusto_target (or target), ksql ones to ksql_target (or target).
  std::string target;
  std::string kusto_target;
  std::string ksql_target;
  std::string ca_file;
  bool insecure = false;
  std::string token; // resolved already (resolve_token); never written anywhere
  std::vector<std::pair<std::string, std::string>> variables; // --var k=v
  bool update_golden = false;
  bool http2 = false; // --http2: every request over HTTP/2 (as a scenario's "http": "2" does)
  // The folder tree scenario files, bodyFile and golden paths must stay inside (--root); empty:
  // scenario::default_root of each PATH (its git work tree, else the folder itself).
  std::string root;
  // Per request: connect, send and the whole response, however slowly it arrives.
  std::chrono::milliseconds timeout{30000};
  // Largest response body, as received and after Content-Encoding is undone (--max-body).
  std::size_t max_body = std::size_t(256) << 20;
  // Called as each scenario finishes, so the console can show progress.
  std::function<void(const report::ScenarioResult&)> on_scenario;
};

// Runs the check. The error is bad input that stops the run before it starts (an invalid URL,
// a PATH that does not exist); everything else is inside the RunResult: a bad scenario file is
// counted and the others still run, an unreachable target is RunResult::runtime_error.
Result<report::RunResult> run_check(const CheckOptions& options);

// The scenario files of options.paths that options.filter selects, each parsed or with its
// located error. The error is a PATH that does not exist or a --root that is not a folder.
Result<std::vector<scenario::LoadedFile>> load_scenarios(const CheckOptions& options);

// --token / --token-file / --token-command: at most one may be given. The file's content and the
// command's standard output are trimmed. Messages never contain the token.
Result<std::string> resolve_token(const std::string& token, const std::string& token_file,
                                  const std::string& token_command);

} // namespace konform::runner
