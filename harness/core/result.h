#pragma once
// Result<T, E>: the error-returning convention of all library code. Library code never prints,
// exits or throws across module boundaries; it returns a Result and only harness/cli turns an
// Error into a message and an exit code. E is Error unless a module needs a richer error to build
// a protocol's error body from (serve/kusto's Failure, serve/ksql's StatementError and the SQL
// parser's SyntaxError), as simdjson's simdjson_result<T> carries its own error_code.
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace konform {

// A category callers branch on; none where there is nothing to branch on.
enum class ErrorKind {
  none,
  connect,  // the target cannot be resolved or connected to
  tls,      // the TLS handshake or its setup failed
  read,     // reading a response failed
  write,    // writing a request failed
  timeout,  // the time allowed ran out
  limit,    // a size limit was reached (a body, a decompressed body)
  data,     // serve's --data folder is unusable
  scenario, // a scenario file is unusable
  rules,    // a comparison rule is invalid
  expected, // the expected (golden) body of a comparison is unusable
  actual,   // the actual body of a comparison is unusable
  golden,   // a body to store as a golden file is unusable
  path,     // a JSON path is malformed
  format,   // data is not in the format it claims (an ingested CSV line)
  protocol, // the peer broke the protocol (HTTP/2 framing, a reset stream)
  exists,   // a file to be written exists already (and may not be overwritten)
};

constexpr std::string_view to_string(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::none:
    return "";
  case ErrorKind::connect:
    return "connect";
  case ErrorKind::tls:
    return "tls";
  case ErrorKind::read:
    return "read";
  case ErrorKind::write:
    return "write";
  case ErrorKind::timeout:
    return "timeout";
  case ErrorKind::limit:
    return "limit";
  case ErrorKind::data:
    return "data";
  case ErrorKind::scenario:
    return "scenario";
  case ErrorKind::rules:
    return "rules";
  case ErrorKind::expected:
    return "expected";
  case ErrorKind::actual:
    return "actual";
  case ErrorKind::golden:
    return "golden";
  case ErrorKind::path:
    return "path";
  case ErrorKind::format:
    return "format";
  case ErrorKind::protocol:
    return "protocol";
  case ErrorKind::exists:
    return "exists";
  }
  return "";
}

// What went wrong, phrased for the person who has to fix it: where, what, and what to do.
struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::none;
};

template <class T, class E = Error> class [[nodiscard]] Result {
public:
  Result(T value) : v_(std::move(value)) {}
  Result(E error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { return std::get<1>(v_); }

private:
  std::variant<T, E> v_;
};

// Result<void> equivalent: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string message, ErrorKind kind = ErrorKind::none) {
  return Error{std::move(message), kind};
}

} // namespace konform
