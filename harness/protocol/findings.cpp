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
  // A broken generator repeats one mistake in every row: keep the first few of each rule, count
  // the rest, so that one rule can never crowd out another (a flood of warnings must not hide a
  // violation) and memory stays bounded.
  auto& seen = per_rule_[std::string(rule)];
  if (++seen.count > max_per_rule || list_.size() >= max_findings) {
    ++seen.dropped;
    seen.worst_dropped_level = std::min(seen.worst_dropped_level, level);
    return;
  }
  list_.push_back(Finding{level, std::move(path), std::string(rule), std::move(message)});
}

std::vector<Finding> Findings::take() {
  // One closing finding per rule that was cut, at the most severe level it dropped, so that a
  // report never looks complete (or milder) than the body was.
  for (const auto& [rule, seen] : per_rule_)
    if (seen.dropped)
      list_.push_back(Finding{seen.worst_dropped_level, "", rule,
                              std::to_string(seen.dropped) + " more " + rule +
                                  " findings in this body were not listed"});
  per_rule_.clear();
  return std::move(list_);
}

bool Findings::has(Level level) const {
  return std::any_of(list_.begin(), list_.end(),
                     [&](const Finding& f) { return f.level == level; });
}

bool Findings::has_rule(std::string_view rule) const {
  return std::any_of(list_.begin(), list_.end(), [&](const Finding& f) { return f.rule == rule; });
}

} // namespace konform::protocol
