#include "compare/canonical.h"

#include "json/writer.h"

namespace konform::compare {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

// Longest line content kept inline; longer rows are broken into one value per line.
constexpr std::size_t kInlineWidth = 120;

bool is_scalar(element e) {
  element_type t = e.type();
  return t != element_type::OBJECT && t != element_type::ARRAY;
}

void scalar(std::string& out, element e) {
  json::Writer(out).element(e);
}

void indent(std::string& out, int depth) {
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

void write(std::string& out, element e, int depth);

// Writes a container of scalars on one line; false (and nothing written) when it would be too
// long or holds a nested container.
bool write_inline(std::string& out, element e) {
  std::size_t start = out.size();
  bool is_object = e.type() == element_type::OBJECT;
  out += is_object ? '{' : '[';
  bool first = true;
  auto too_long = [&] { return out.size() - start > kInlineWidth; };
  if (is_object) {
    // Named copies: value_unsafe() of a temporary result must not be iterated directly.
    simdjson::dom::object obj = e.get_object().value_unsafe();
    for (auto [k, v] : obj) {
      if (!is_scalar(v) || too_long()) {
        out.resize(start);
        return false;
      }
      if (!first) out += ", ";
      first = false;
      json::append_quoted(out, k);
      out += ": ";
      scalar(out, v);
    }
  } else {
    simdjson::dom::array arr = e.get_array().value_unsafe();
    for (auto v : arr) {
      if (!is_scalar(v) || too_long()) {
        out.resize(start);
        return false;
      }
      if (!first) out += ", ";
      first = false;
      scalar(out, v);
    }
  }
  out += is_object ? '}' : ']';
  if (too_long()) {
    out.resize(start);
    return false;
  }
  return true;
}

void write(std::string& out, element e, int depth) {
  element_type t = e.type();
  if (t == element_type::OBJECT) {
    auto obj = e.get_object().value_unsafe();
    if (obj.begin() == obj.end()) {
      out += "{}";
      return;
    }
    if (depth > 0 && write_inline(out, e)) return;
    out += "{\n";
    bool first = true;
    for (auto [k, v] : obj) {
      if (!first) out += ",\n";
      first = false;
      indent(out, depth + 1);
      json::append_quoted(out, k);
      out += ": ";
      write(out, v, depth + 1);
    }
    out += '\n';
    indent(out, depth);
    out += '}';
  } else if (t == element_type::ARRAY) {
    auto arr = e.get_array().value_unsafe();
    if (arr.begin() == arr.end()) {
      out += "[]";
      return;
    }
    if (depth > 0 && write_inline(out, e)) return;
    out += "[\n";
    bool first = true;
    for (auto v : arr) {
      if (!first) out += ",\n";
      first = false;
      indent(out, depth + 1);
      write(out, v, depth + 1);
    }
    out += '\n';
    indent(out, depth);
    out += ']';
  } else {
    scalar(out, e);
  }
}

} // namespace

std::string canonical_json(element root) {
  std::string out;
  write(out, root, 0);
  out += '\n';
  return out;
}

} // namespace konform::compare
