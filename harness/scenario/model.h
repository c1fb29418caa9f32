#pragma once
// The scenario model: what a scenario file says, after parsing and checking, before any variable
// is expanded. `check` runs it (runner/), `load` reuses its requests. Strings that may hold
// ${variables} stay unexpanded here; the runner expands them per step, because captured values
// only exist at run time.
#include "vocabulary/kind.h"
#include "vocabulary/rules.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace konform::scenario {

// Which listener of the embedded endpoint a scenario talks to, and which of --kusto-target /
// --ksql-target applies (both fall back to --target), so one run can cover both services.
enum class Endpoint { kusto, ksql };
std::string_view to_string(Endpoint endpoint);

// An expectation on one response header.
struct HeaderExpectation {
  std::string name;
  bool present = true;               // false: the header must be absent
  std::optional<std::string> equals; // exact value (variables expanded)
  std::optional<std::string> regex;  // ECMAScript regex searched in the value (anchor with ^ $)
};

// A value taken from a response into a variable for the later steps.
struct Capture {
  std::string variable;
  std::string path; // JSON path into the decoded response body, e.g. $[0].commandId
};

struct Step {
  std::string name;
  std::string method = "GET";
  std::string path = "/";                                   // path and query, may hold ${variables}
  std::vector<std::pair<std::string, std::string>> headers; // in file order
  std::optional<std::string> body;         // the bytes to send (inline JSON is compacted)
  bool body_is_json = false;               // inline JSON: values are JSON-escaped on expansion
  bool gzip = false;                       // compress the body, send Content-Encoding: gzip
  std::chrono::milliseconds stream_for{0}; // endless streams: stop reading after this long
  // "http": "2" / "1.1" on the step (unset: the scenario's): HTTP/2 is h2c with prior knowledge
  // on http://, ALPN h2 on https://.
  std::optional<bool> http2;
  // "bodyLines" / "bodyLinesFile": a streamed body (ksqlDB /inserts-stream: the target, then one
  // row a line), each line sent as a DATA frame of its own with its "\n".
  struct BodyLine {
    std::string text;
    bool json = false; // written as a JSON value: variables expand JSON-escaped
  };
  std::vector<BodyLine> body_lines;

  int expect_status = 200;
  std::vector<HeaderExpectation> expect_headers;
  protocol::Kind kind = protocol::Kind::json;
  bool kind_given = false; // the file named a protocol explicitly
  std::string golden;      // resolved path of the golden body, "" = none
  compare::Rules rules;
  std::vector<Capture> captures;

  std::string location; // "file:line:column" of the step, for messages at run time
};

struct Scenario {
  std::string name;
  std::string file; // as given on the command line / found in a folder
  Endpoint endpoint = Endpoint::kusto;
  std::string description;
  bool http2 = false; // "http": "2": every step over HTTP/2 unless the step says otherwise
  std::vector<std::pair<std::string, std::string>> variables; // defaults, in file order
  std::vector<Step> steps;
  // The golden and body files the steps read (resolved paths): when a folder is searched for
  // scenarios, these JSON files are this scenario's data, not scenarios of their own.
  std::vector<std::string> data_files;
};

} // namespace konform::scenario
