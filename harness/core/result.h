#pragma once
// Result<T>: the error-returning convention of all library code. Library code never prints, exits
// or throws across module boundaries; it returns a Result and only harness/cli turns an Error into
// a message and an exit code.
#include <string>
#include <utility>
#include <variant>

namespace konform {

// What went wrong, phrased for the person who has to fix it: where, what, and what to do.
struct Error {
  std::string message;
  // A short machine-readable category where callers branch on it ("connect", "timeout", "read",
  // "write", "tls", "limit", ...); empty when there is nothing to branch on.
  std::string kind;
};

template <class T> class [[nodiscard]] Result {
public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string message, std::string kind = {}) {
  return Error{std::move(message), std::move(kind)};
}

} // namespace konform
