#include "scenario/source_map.h"

#include "core/text.h"

#include <algorithm>

namespace konform::scenario {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

} // namespace

// The text was accepted by simdjson already, which limits nesting to 1024 levels, so the
// recursion is bounded; the scanner is lenient and simply stops on anything unexpected.
SourceMap::SourceMap(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  skip_ws();
  scan_value();
  text_ = {};
}

void SourceMap::skip_ws() {
  while (pos_ < text_.size() &&
         (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
    ++pos_;
}

// Skips a string at pos_ (on its opening quote); `out` gets the decoded text when given.
bool SourceMap::scan_string(std::string* out) {
  ++pos_;
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      return true;
    }
    if (c != '\\') {
      if (out) *out += c;
      ++pos_;
      continue;
    }
    if (++pos_ >= text_.size()) return false;
    char e = text_[pos_++];
    if (!out) {
      continue;
    }
    switch (e) {
    case 'b':
      *out += '\b';
      break;
    case 'f':
      *out += '\f';
      break;
    case 'n':
      *out += '\n';
      break;
    case 'r':
      *out += '\r';
      break;
    case 't':
      *out += '\t';
      break;
    case 'u': {
      auto unit = [&](std::uint32_t& v) {
        if (pos_ + 4 > text_.size()) return false;
        v = 0;
        for (int i = 0; i < 4; ++i) {
          int h = hex(text_[pos_ + i]);
          if (h < 0) return false;
          v = v * 16 + static_cast<std::uint32_t>(h);
        }
        pos_ += 4;
        return true;
      };
      std::uint32_t cp = 0, low = 0;
      if (!unit(cp)) return false;
      if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
        pos_ += 2;
        if (!unit(low)) return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      text::append_utf8(*out, cp);
      break;
    }
    default:
      *out += e; // \" \\ \/
    }
  }
  return false;
}

std::uint32_t SourceMap::scan_value() {
  auto id = static_cast<std::uint32_t>(nodes_.size());
  nodes_.push_back({pos_, pos_, 0, 0});
  if (pos_ >= text_.size()) return id;
  char c = text_[pos_];
  if (c == '{' || c == '[') {
    scan_children(id, c == '{');
  } else if (c == '"') {
    scan_string(nullptr);
  } else {
    while (pos_ < text_.size() &&
           std::string_view(",]} \t\r\n").find(text_[pos_]) == std::string_view::npos)
      ++pos_;
  }
  return id;
}

// The children of an array or object are collected while scanning and then stored side by side
// in children_, so that element i of an array is found by index.
void SourceMap::scan_children(std::uint32_t node, bool object) {
  char close = object ? '}' : ']';
  ++pos_;
  std::vector<std::uint32_t> mine;
  for (;;) {
    skip_ws();
    if (pos_ >= text_.size()) break;
    if (text_[pos_] == close) {
      ++pos_;
      break;
    }
    std::size_t key_at = pos_;
    std::string name;
    if (object) {
      if (text_[pos_] != '"' || !scan_string(&name)) break;
      skip_ws();
      if (pos_ >= text_.size() || text_[pos_] != ':') break;
      ++pos_;
      skip_ws();
    }
    std::uint32_t child = scan_value();
    nodes_[child].key = key_at;
    mine.push_back(child);
    if (object) members_.try_emplace(MemberKey{node, std::move(name)}, child);
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    // Neither ',' nor the closing bracket: stop (a value that consumed nothing, as in "[}",
    // would otherwise be scanned again for ever).
    if (pos_ >= text_.size() || text_[pos_] != close) break;
  }
  nodes_[node].first = static_cast<std::uint32_t>(children_.size());
  nodes_[node].count = static_cast<std::uint32_t>(mine.size());
  children_.insert(children_.end(), mine.begin(), mine.end());
}

std::pair<std::uint32_t, std::size_t>
SourceMap::walk(const std::vector<json::PathStep>& path) const {
  std::uint32_t at = 0;
  std::size_t depth = 0;
  if (nodes_.empty()) return {0, 0};
  for (const auto& step : path) {
    const Node& n = nodes_[at];
    if (step.is_index) {
      if (step.index >= n.count) break;
      at = children_[n.first + step.index];
    } else {
      auto it = members_.find(MemberKey{at, step.key});
      if (it == members_.end()) break;
      at = it->second;
    }
    ++depth;
  }
  return {at, depth};
}

std::size_t SourceMap::value_offset(const std::vector<json::PathStep>& path) const {
  if (nodes_.empty()) return 0;
  return nodes_[walk(path).first].value;
}

std::size_t SourceMap::key_offset(const std::vector<json::PathStep>& path) const {
  if (nodes_.empty()) return 0;
  auto [node, depth] = walk(path);
  bool member = depth == path.size() && !path.empty() && !path.back().is_index;
  return member ? nodes_[node].key : nodes_[node].value;
}

json::Location SourceMap::location(std::size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  std::size_t line = static_cast<std::size_t>(it - line_starts_.begin()); // >= 1
  json::Location loc;
  loc.line = line;
  loc.column = offset - line_starts_[line - 1] + 1;
  return loc;
}

} // namespace konform::scenario
