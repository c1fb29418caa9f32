#pragma once
// `konform validate` without the printing: validates saved response files (raw bodies, or the
// recorded-exchange JSON form below) and renders the results as text lines or versioned JSON.
// The CLI only parses options, calls these and prints.
//
// Recorded-exchange form: a JSON object whose only keys are
//   "konform_exchange": 1, "status": int, "headers": {name: value}, "body": string
//   (or "body_base64": string), and optionally "request_headers": {name: value},
//   "request_accept": string.
// The body is the response as received (Content-Encoding is undone before validating), so the
// HTTP-level rules (headers, status vs error code, Content-Type vs Accept) apply offline too.
#include "http/message.h"
#include "protocol/validate.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace konform::protocol {

struct FileResult {
  std::string file;
  std::optional<Kind> kind; // nullopt when unreadable or undetectable
  bool detected = false;    // kind came from detect_kind, not --as
  bool exchange = false;    // the file was a recorded exchange
  std::string input_error;  // non-empty: the input could not be validated (exit 2)
  std::vector<Finding> findings;

  std::size_t count(Level level) const;
};

// Validates one file. `as` overrides detection. Never throws; unreadable input, a body that is
// not JSON where JSON is needed (with file:line:column) and an undetectable kind come back in
// input_error. A JSON body that merely ends early is a truncated response: a violation.
// A recorded exchange's body is decompressed up to max_body bytes (more is unreadable input
// naming the limit: a gzip bomb costs at most that much).
inline constexpr std::size_t kDefaultMaxBody = std::size_t(256) << 20;
FileResult validate_file(const std::string& path, std::optional<Kind> as,
                         std::size_t max_body = kDefaultMaxBody);

// "conformant", "in-band-error", "violation" or "unreadable": the verdict of one file.
std::string_view verdict(const FileResult& result);

// Human-readable lines for one file (header line, then one line per finding).
std::string render_text(const FileResult& result);

// The machine-readable result of a run: {"format":"konform.validate","version":1,...}.
std::string render_json(const std::vector<FileResult>& results, int exit_code);

} // namespace konform::protocol
