#pragma once
// Appends JSON text to a caller-owned std::string. Servers build responses with it (one buffer,
// reused per connection), report writers and golden files use the pretty form.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace konform::json {

// Appends s as a quoted JSON string with the mandatory escapes (and \u00XX for controls).
void append_quoted(std::string& out, std::string_view s);

class Writer {
public:
  // indent = 0: compact; otherwise pretty-printed with that many spaces per level.
  explicit Writer(std::string& out, int indent = 0) : out_(out), indent_(indent) {}

  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view k);
  Writer& string(std::string_view s);
  Writer& number(std::int64_t v);
  Writer& number(std::uint64_t v);
  Writer& number(int v) { return number(static_cast<std::int64_t>(v)); }
  Writer& number(double v);
  Writer& boolean(bool v);
  Writer& null();
  // A value that is already JSON text (inserted verbatim).
  Writer& raw(std::string_view json_text);
  // A parsed value, re-serialised (object keys kept in document order).
  Writer& element(simdjson::dom::element e);

  // Convenience: key + value.
  template <class T> Writer& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  std::string& out() { return out_; }

private:
  Writer& value(std::string_view s) { return string(s); }
  Writer& value(const std::string& s) { return string(s); }
  Writer& value(const char* s) { return string(s); }
  Writer& value(bool b) { return boolean(b); }
  Writer& value(int v) { return number(v); }
  Writer& value(std::int64_t v) { return number(v); }
  Writer& value(std::uint64_t v) { return number(v); }
  Writer& value(double v) { return number(v); }

  void before_value();
  void newline();

  std::string& out_;
  int indent_;
  // Per open container: has it any member yet, and is the next value after a key?
  struct Frame {
    bool has_items = false;
    bool is_object = false;
  };
  std::vector<Frame> stack_;
  bool after_key_ = false;
};

// Canonical pretty-printed form of a document (2-space indent, keys in document order,
// numbers as parsed): what golden files are stored as, so git diffs stay readable.
std::string pretty(simdjson::dom::element e);
std::string compact(simdjson::dom::element e);

} // namespace konform::json
