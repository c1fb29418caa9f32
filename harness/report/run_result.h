#pragma once
// The result of a `konform check` run, as plain data: what the runner produces and the only thing
// the report writers (console, JUnit XML, JSON) read. Tokens never reach this structure.
#include "vocabulary/rules.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace konform::report {

// Version of the JSON report layout; bump when a field changes meaning or disappears.
inline constexpr int kJsonReportVersion = 1;

enum class Outcome {
  passed,
  failed,  // the response did not meet an expectation
  error,   // the step could not be judged: bad golden file, target unreachable, ...
  updated, // --update-golden wrote the golden file
};
std::string_view to_string(Outcome outcome);

// A golden difference as the comparator reports it (vocabulary/rules.h).
using Difference = compare::Difference;

// A protocol finding as the writers print it: the level is the text protocol::to_string(Level)
// gives, so report/ does not depend on the validators.
struct Finding {
  std::string level; // "violation", "in-band-error", "warning"
  std::string path;
  std::string rule;
  std::string message;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What was sent and received, kept for steps that did not pass so that the HTML report can show
// them: the token is redacted (core/redact.h) before anything is stored here, bodies are cut at
// kExchangeBodyLimit.
inline constexpr std::size_t kExchangeBodyLimit = 256 * 1024;
struct Exchange {
  HeaderList request_headers;
  std::string request_body;
  HeaderList response_headers;
  std::string response_body; // decoded (gzip/deflate undone)
  bool request_body_cut = false;
  bool response_body_cut = false;
};

struct StepResult {
  std::string name;
  std::string location;          // scenario file:line:column of the step
  std::string client_request_id; // x-ms-client-request-id that was sent
  std::string method;
  std::string url; // origin + target, as sent
  int expected_status = 0;
  int status = 0; // 0 when no response arrived
  std::chrono::microseconds latency{0};
  Outcome outcome = Outcome::passed;
  std::vector<std::string> failures;   // one line each: status, headers, captures, errors
  std::vector<Difference> differences; // golden comparison
  std::vector<Finding> findings;       // protocol validation (violations fail the step)
  std::string golden;                  // golden file compared with / written, "" = none
  Exchange exchange;                   // empty for a passed step
};

struct ScenarioResult {
  std::string name;
  std::string file;
  std::string endpoint;  // "kusto" / "ksql"
  std::string target;    // origin the scenario ran against
  std::string bad_input; // non-empty: the file could not be used; the message locates why
  std::vector<StepResult> steps;
};

struct Totals {
  int scenarios = 0;
  int bad_files = 0;
  int steps = 0;
  int passed = 0;
  int failed = 0;
  int errors = 0;
  int updated = 0;
};

struct RunResult {
  std::vector<ScenarioResult> scenarios;
  std::string runtime_error; // non-empty: the run could not go on (target unreachable, ...)
  bool embedded_endpoint = false;
  std::string started_at; // UTC, ISO 8601
  std::chrono::microseconds duration{0};

  Totals totals() const;
  // "passed", "failed", "bad-input" or "runtime-failure", in that order of precedence reversed:
  // a runtime failure outranks bad input, which outranks a failed step.
  std::string verdict() const;
};

} // namespace konform::report
