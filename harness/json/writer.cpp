#include "json/writer.h"

#include <charconv>
#include <cmath>

namespace konform::json {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (a lead byte >= 0x80), or 0 when it
// is ill-formed: a stray continuation byte, a truncated sequence, an overlong form, a surrogate
// or a code point above U+10FFFF (RFC 3629, Unicode table 3-7).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = at(0);
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  unsigned char lo = 0x80, hi = 0xBF; // the range allowed for the second byte
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F; // no surrogates
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F; // nothing above U+10FFFF
  if (at(1) < lo || at(1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if ((at(k) & 0xC0) != 0x80) return 0;
  return n;
}

} // namespace

void append_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0; // start of the current run of characters that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') continue;
    if (c >= 0x80) {
      // JSON is UTF-8: a byte that is not part of a well-formed sequence (input echoed from a
      // request or a file) is written as U+FFFD, as a decoder shows it, so the output stays JSON.
      if (std::size_t n = utf8_sequence(s, i)) {
        i += n - 1;
        continue;
      }
      out.append(s.data() + run, i - run);
      run = i + 1;
      out += "\\ufffd";
      continue;
    }
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void Writer::newline() {
  if (indent_ == 0) return;
  out_ += '\n';
  out_.append(stack_.size() * static_cast<std::size_t>(indent_), ' ');
}

void Writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  if (stack_.back().has_items) out_ += ',';
  stack_.back().has_items = true;
  newline();
}

Writer& Writer::begin_object() {
  before_value();
  out_ += '{';
  stack_.push_back({false, true});
  return *this;
}

Writer& Writer::end_object() {
  bool had = stack_.back().has_items;
  stack_.pop_back();
  if (had) newline();
  out_ += '}';
  return *this;
}

Writer& Writer::begin_array() {
  before_value();
  out_ += '[';
  stack_.push_back({false, false});
  return *this;
}

Writer& Writer::end_array() {
  bool had = stack_.back().has_items;
  stack_.pop_back();
  if (had) newline();
  out_ += ']';
  return *this;
}

Writer& Writer::key(std::string_view k) {
  before_value();
  append_quoted(out_, k);
  out_ += indent_ ? ": " : ":";
  after_key_ = true;
  return *this;
}

Writer& Writer::string(std::string_view s) {
  before_value();
  append_quoted(out_, s);
  return *this;
}

Writer& Writer::number(std::int64_t v) {
  before_value();
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

Writer& Writer::number(std::uint64_t v) {
  before_value();
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

Writer& Writer::number(double v) {
  before_value();
  if (!std::isfinite(v)) {
    out_ += "null"; // JSON has no NaN/Infinity; protocols that need them encode strings.
    return *this;
  }
  char buf[32];
  // Shortest representation that round-trips exactly.
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

Writer& Writer::boolean(bool v) {
  before_value();
  out_ += v ? "true" : "false";
  return *this;
}

Writer& Writer::null() {
  before_value();
  out_ += "null";
  return *this;
}

Writer& Writer::raw(std::string_view json_text) {
  before_value();
  out_ += json_text;
  return *this;
}

Writer& Writer::element(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
  case element_type::OBJECT: {
    // A named copy: value_unsafe() on the temporary result returns a reference into it, which
    // a range-for would use after the temporary is gone (GCC 12 -O3 -Wdangling-pointer).
    simdjson::dom::object object = e.get_object().value_unsafe();
    begin_object();
    for (auto [k, v] : object) {
      key(k);
      element(v);
    }
    return end_object();
  }
  case element_type::ARRAY: {
    simdjson::dom::array array = e.get_array().value_unsafe();
    begin_array();
    for (auto v : array)
      element(v);
    return end_array();
  }
  case element_type::STRING:
    return string(e.get_string().value_unsafe());
  case element_type::INT64:
    return number(e.get_int64().value_unsafe());
  case element_type::UINT64:
    return number(e.get_uint64().value_unsafe());
  case element_type::DOUBLE:
    return number(e.get_double().value_unsafe());
  case element_type::BOOL:
    return boolean(e.get_bool().value_unsafe());
  case element_type::NULL_VALUE:
    return null();
  }
  return *this;
}

std::string pretty(simdjson::dom::element e) {
  std::string out;
  Writer(out, 2).element(e);
  out += '\n';
  return out;
}

std::string compact(simdjson::dom::element e) {
  std::string out;
  Writer(out).element(e);
  return out;
}

} // namespace konform::json
