#include "compare/path.h"

#include "json/writer.h"
#include <charconv>

namespace konform::compare {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || c == '-' || c == '$';
}

bool is_plain_name(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key)
    if (!is_name_char(c)) return false;
  return true;
}

Error path_error(std::string_view text, std::size_t at, std::string_view what) {
  return make_error("invalid JSON path '" + std::string(text) + "' at character " +
                        std::to_string(at + 1) + ": " + std::string(what) +
                        " (paths look like $.Tables[*].Rows[0][2], $..ActivityId or "
                        "$[\"odd key\"])",
                    ErrorKind::path);
}

} // namespace

void append_key(std::string& out, std::string_view key) {
  if (is_plain_name(key)) {
    out += '.';
    out += key;
    return;
  }
  out += '[';
  json::append_quoted(out, key);
  out += ']';
}

std::string Path::str() const {
  std::string out = "$";
  for (const auto& s : segments()) {
    if (s.is_index) {
      out += '[';
      out += std::to_string(s.index);
      out += ']';
    } else {
      append_key(out, s.key);
    }
  }
  return out;
}

Result<Pattern> Pattern::parse(std::string_view text) {
  Pattern p;
  p.text_ = std::string(text);
  std::size_t i = 0;
  if (text.empty() || text[0] != '$') return path_error(text, 0, "a path starts with '$'");
  ++i;
  while (i < text.size()) {
    char c = text[i];
    if (c == '.') {
      if (i + 1 < text.size() && text[i + 1] == '.') {
        p.steps_.push_back({Op::descend, {}, 0});
        i += 2;
        if (i < text.size() && text[i] == '[') continue; // $..[*] and $..["key"]
      } else {
        ++i;
      }
      if (i < text.size() && text[i] == '*') {
        p.steps_.push_back({Op::any_key, {}, 0});
        ++i;
        continue;
      }
      std::size_t start = i;
      while (i < text.size() && is_name_char(text[i]))
        ++i;
      if (i == start) return path_error(text, start, "expected a member name after '.'");
      p.steps_.push_back({Op::key, std::string(text.substr(start, i - start)), 0});
    } else if (c == '[') {
      ++i;
      if (i < text.size() && text[i] == '*') {
        if (i + 1 >= text.size() || text[i + 1] != ']')
          return path_error(text, i + 1, "expected ']' after '[*'");
        p.steps_.push_back({Op::any_index, {}, 0});
        i += 2;
      } else if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
        char quote = text[i++];
        std::string key;
        while (i < text.size() && text[i] != quote) {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          key += text[i++];
        }
        if (i + 1 >= text.size() || text[i + 1] != ']')
          return path_error(text, i, "unterminated quoted member name");
        i += 2;
        p.steps_.push_back({Op::key, std::move(key), 0});
      } else {
        std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9')
          ++i;
        std::size_t index = 0;
        auto r = std::from_chars(text.data() + start, text.data() + i, index);
        if (i == start || r.ec != std::errc() || i >= text.size() || text[i] != ']')
          return path_error(text, start, "expected an index, '*' or a quoted name inside [ ]");
        ++i;
        p.steps_.push_back({Op::index, {}, index});
      }
    } else {
      return path_error(text, i, "expected '.' or '['");
    }
  }
  if (!p.steps_.empty() && p.steps_.back().op == Op::descend)
    return path_error(text, text.size() - 1, "'..' must be followed by a member name or [ ]");
  return p;
}

bool Pattern::matches(std::span<const Segment> path) const {
  return match_from(0, path, 0);
}

bool Pattern::match_from(std::size_t step, std::span<const Segment> path, std::size_t at) const {
  for (; step < steps_.size(); ++step, ++at) {
    const Step& s = steps_[step];
    if (s.op == Op::descend) {
      // "..": the next step may match at this depth or any deeper one.
      for (std::size_t k = at; k < path.size(); ++k)
        if (match_from(step + 1, path, k)) return true;
      return false;
    }
    if (at >= path.size()) return false;
    const Segment& seg = path[at];
    switch (s.op) {
    case Op::key:
      if (seg.is_index || seg.key != s.key) return false;
      break;
    case Op::index:
      if (!seg.is_index || seg.index != s.index) return false;
      break;
    case Op::any_key:
      if (seg.is_index) return false;
      break;
    case Op::any_index:
      if (!seg.is_index) return false;
      break;
    case Op::descend:
      break;
    }
  }
  return at == path.size();
}

} // namespace konform::compare
