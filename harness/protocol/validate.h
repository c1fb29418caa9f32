#pragma once
// Protocol validators: does a response follow the Kusto or ksqlDB protocol, independently of any
// golden file? Used by `konform validate` (saved files), `konform check` (every response) and
// `konform load --validate` (sampled responses).
#include "http/message.h"
#include "vocabulary/kind.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::protocol {

// Kind (what a response is supposed to be) and its names: vocabulary/kind.h.

enum class Level {
  violation,     // the protocol is broken
  in_band_error, // a protocol-valid response that reports a failure
  warning,       // allowed but unusual
};

std::string_view to_string(Level level);

struct Finding {
  Level level = Level::violation;
  std::string path;    // JSON path of the offending value ("$[3].Rows[0][2]"), or "" for HTTP
  std::string rule;    // stable rule id, e.g. "kusto.v2.frame-order"
  std::string message; // what is wrong, in words
};

// What the validator may know besides the body. Everything is optional: `validate FILE` only
// has a body; `check` and `load` know the HTTP exchange too.
struct Exchange {
  int status = 0;                         // 0 = unknown
  const http::Headers* headers = nullptr; // response headers, null = unknown
  const http::Headers* request_headers = nullptr;
  std::string_view request_accept; // the Accept header that was sent (ksqlDB)
};

// Validates a decoded (not compressed) body as `kind`. With a known status >= 400, a Kusto
// result kind is validated as kusto_error and a ksqlDB success kind as ksql_error.
std::vector<Finding> validate(Kind kind, std::string_view body, const Exchange& exchange = {});

// The same, without copying a large body: reserves SIMDJSON_PADDING spare capacity in `body`
// (the on-demand parser reads a little past the end) and validates it in place. The content of
// `body` is not changed. `konform validate` and the benchmark use it for gigabyte files.
std::vector<Finding> validate_in_place(Kind kind, std::string& body, const Exchange& exchange = {});

// Guesses the kind of a saved body (for `validate` without --as); nullopt when nothing fits.
std::optional<Kind> detect_kind(std::string_view body);

} // namespace konform::protocol
