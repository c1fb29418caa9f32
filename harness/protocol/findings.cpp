#include "protocol/findings.h"

#include "json/writer.h"
#include <algorithm>

namespace konform::protocol {
namespace {

// Keys that are plain identifiers print as .Key, anything else as ["key"] (JSONPath bracket form).
bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '@' || c == '-';
  });
}

void append_key(std::string& out, std::string_view key) {
  if (is_identifier(key)) {
    out += '.';
    out += key;
  } else {
    out += '[';
    json::append_quoted(out, key);
    out += ']';
  }
}

} // namespace

void JsonPath::push_key(std::string_view key) {
  steps_.push_back(Step{std::string(key), 0, false});
}

void JsonPath::push_index(std::size_t index) {
  steps_.push_back(Step{{}, index, true});
}

std::string JsonPath::str() const {
  std::string out = "$";
  for (const auto& s : steps_) {
    if (s.is_index)
      out += "[" + std::to_string(s.index) + "]";
    else
      append_key(out, s.key);
  }
  return out;
}

std::string child_path(std::string_view parent, std::string_view key) {
  std::string out(parent.empty() ? std::string_view("$") : parent);
  append_key(out, key);
  return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
  std::string out(parent.empty() ? std::string_view("$") : parent);
  out += "[" + std::to_string(index) + "]";
  return out;
}

void Findings::add(Level level, std::string path, std::string_view rule, std::string message) {
  if (list_.size() + 1 == max_findings) {
    // The last slot says that the list was cut, so that a report never looks complete when it is
    // not.
    list_.push_back(Finding{Level::warning, "", "finding-limit",
                            "more than " + std::to_string(max_findings - 1) +
                                " findings; the rest of this body was not reported"});
    ++dropped_;
    return;
  }
  if (full()) {
    ++dropped_;
    return;
  }
  list_.push_back(Finding{level, std::move(path), std::string(rule), std::move(message)});
}

bool Findings::has(Level level) const {
  return std::any_of(list_.begin(), list_.end(),
                     [&](const Finding& f) { return f.level == level; });
}

bool Findings::has_rule(std::string_view rule) const {
  return std::any_of(list_.begin(), list_.end(), [&](const Finding& f) { return f.rule == rule; });
}

} // namespace konform::protocol
