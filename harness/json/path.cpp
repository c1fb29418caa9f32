#include "json/path.h"

#include "core/text.h"
#include "json/writer.h"

#include <charconv>
#include <optional>

namespace konform::json {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || c == '-' || c == '$';
}

constexpr std::string_view path_example = "write e.g. $[0].commandId or $.Tables[0].Rows[0][1]";
constexpr std::string_view pattern_example =
    "paths look like $.Tables[*].Rows[0][2], $..ActivityId or $[\"odd key\"]";

struct Problem {
  std::size_t at = 0;
  std::string what;
};

Error path_error(std::string_view text, const Problem& p, std::string_view example) {
  return make_error("invalid JSON path \"" + std::string(text) + "\" at character " +
                        std::to_string(p.at + 1) + ": " + p.what + " (" + std::string(example) +
                        ")",
                    ErrorKind::path);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the text form one step at a time; the one grammar of paths and patterns.
class Reader {
public:
  explicit Reader(std::string_view t) : t_(t) {}

  // The steps, or the first problem. Wildcard steps are read too: Path::parse refuses them.
  std::optional<Problem> read(std::vector<PathPattern::Step>& out) {
    if (t_.empty() || t_[0] != '$') return Problem{0, "a path starts with '$'"};
    i_ = 1;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == '.') {
        if (i_ + 1 < t_.size() && t_[i_ + 1] == '.') {
          out.push_back({PathPattern::Op::descend, {}, 0});
          i_ += 2;
          if (i_ < t_.size() && t_[i_] == '[') continue; // $..[*] and $..["key"]
        } else {
          ++i_;
        }
        // A name runs to the next '.' or '[' (captures name members with spaces this way).
        std::size_t start = i_;
        while (i_ < t_.size() && t_[i_] != '.' && t_[i_] != '[')
          ++i_;
        if (i_ == start) return Problem{start, "expected a member name after '.'"};
        std::string_view name = t_.substr(start, i_ - start);
        if (name == "*")
          out.push_back({PathPattern::Op::any_key, {}, 0});
        else
          out.push_back({PathPattern::Op::key, std::string(name), 0});
      } else if (c == '[') {
        ++i_;
        if (i_ < t_.size() && t_[i_] == '*') {
          if (i_ + 1 >= t_.size() || t_[i_ + 1] != ']')
            return Problem{i_ + 1, "expected ']' after '[*'"};
          out.push_back({PathPattern::Op::any_index, {}, 0});
          i_ += 2;
        } else if (i_ < t_.size() && (t_[i_] == '"' || t_[i_] == '\'')) {
          std::string key;
          if (auto p = quoted(key)) return p;
          out.push_back({PathPattern::Op::key, std::move(key), 0});
        } else {
          std::size_t start = i_;
          while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9')
            ++i_;
          std::size_t index = 0;
          auto r = std::from_chars(t_.data() + start, t_.data() + i_, index);
          if (i_ == start || i_ >= t_.size() || t_[i_] != ']')
            return Problem{start, "an array index is a non-negative integer in brackets, like "
                                  "[0], or '*' or a quoted name"};
          if (r.ec != std::errc()) return Problem{start, "the array index is too large"};
          ++i_;
          out.push_back({PathPattern::Op::index, {}, index});
        }
      } else {
        return Problem{i_, "expected '.' or '['"};
      }
    }
    if (!out.empty() && out.back().op == PathPattern::Op::descend)
      return Problem{t_.size() - 1, "'..' must be followed by a member name or [ ]"};
    return std::nullopt;
  }

private:
  // A quoted name: '...' or "...", with JSON string escapes (as append_key writes them), then ']'.
  std::optional<Problem> quoted(std::string& key) {
    const char quote = t_[i_];
    const std::size_t open = i_++;
    while (i_ < t_.size() && t_[i_] != quote) {
      if (t_[i_] != '\\') {
        key += t_[i_++];
        continue;
      }
      const std::size_t at = i_++;
      if (i_ >= t_.size()) break;
      const char e = t_[i_++];
      switch (e) {
      case '"':
      case '\'':
      case '\\':
      case '/':
        key += e;
        break;
      case 'b':
        key += '\b';
        break;
      case 'f':
        key += '\f';
        break;
      case 'n':
        key += '\n';
        break;
      case 'r':
        key += '\r';
        break;
      case 't':
        key += '\t';
        break;
      case 'u': {
        auto cp = hex4();
        if (!cp) return Problem{at, "\\u must be followed by four hexadecimal digits"};
        if (*cp >= 0xD800 && *cp <= 0xDBFF && t_.substr(i_, 2) == "\\u") {
          i_ += 2;
          auto low = hex4();
          if (!low) return Problem{at, "\\u must be followed by four hexadecimal digits"};
          if (*low >= 0xDC00 && *low <= 0xDFFF)
            cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          else
            return Problem{at, "a high surrogate \\u escape must be followed by a low one"};
        } else if (*cp >= 0xD800 && *cp <= 0xDFFF) {
          return Problem{at, "an unpaired surrogate \\u escape is not a character"};
        }
        text::append_utf8(key, *cp);
        break;
      }
      default:
        return Problem{at, std::string("invalid escape sequence \\") + e + " in a quoted name"};
      }
    }
    if (i_ + 1 >= t_.size() || t_[i_] != quote || t_[i_ + 1] != ']')
      return Problem{open, "unterminated quoted key; write ['key'] or [\"key\"]"};
    i_ += 2;
    return std::nullopt;
  }

  std::optional<std::uint32_t> hex4() {
    if (i_ + 4 > t_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      int h = hex_value(t_[i_ + k]);
      if (h < 0) return std::nullopt;
      v = v * 16 + static_cast<std::uint32_t>(h);
    }
    i_ += 4;
    return v;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

// Where the first wildcard starts in `text` (the reader keeps no offsets per step; wildcards are
// rare, so this finds the character again).
std::size_t wildcard_offset(std::string_view text) {
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '"' || text[i] == '\'') { // skip a quoted name
      char q = text[i];
      for (++i; i < text.size() && text[i] != q; ++i)
        if (text[i] == '\\') ++i;
      continue;
    }
    if (text[i] == '*' || (text[i] == '.' && i + 1 < text.size() && text[i + 1] == '.')) return i;
  }
  return 0;
}

} // namespace

bool is_plain_name(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key)
    if (!is_name_char(c)) return false;
  return true;
}

void append_key(std::string& out, std::string_view key) {
  if (is_plain_name(key)) {
    out += '.';
    out += key;
    return;
  }
  out += '[';
  append_quoted(out, key);
  out += ']';
}

void append_index(std::string& out, std::size_t index) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, index);
  out += '[';
  out.append(buf, r.ptr);
  out += ']';
}

std::string child_path(std::string_view parent, std::string_view key) {
  std::string out(parent.empty() ? std::string_view("$") : parent);
  append_key(out, key);
  return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
  std::string out(parent.empty() ? std::string_view("$") : parent);
  append_index(out, index);
  return out;
}

Result<Path> Path::parse(std::string_view text) {
  std::vector<PathPattern::Step> read;
  if (auto p = Reader(text).read(read)) return path_error(text, *p, path_example);
  std::vector<PathStep> steps;
  steps.reserve(read.size());
  for (auto& s : read) {
    if (s.op == PathPattern::Op::key) {
      steps.push_back({std::move(s.key), 0, false});
    } else if (s.op == PathPattern::Op::index) {
      steps.push_back({{}, s.index, true});
    } else {
      const std::size_t at = wildcard_offset(text);
      return path_error(text,
                        {at, s.op == PathPattern::Op::any_index
                                 ? "[*] selects every element: an array index is a non-negative "
                                   "integer in brackets, like [0], as a capture needs one value"
                                 : "wildcards select many values; a capture needs one"},
                        path_example);
    }
  }
  return Path(std::move(steps));
}

Result<PathPattern> PathPattern::parse(std::string_view text) {
  PathPattern p;
  if (auto problem = Reader(text).read(p.steps_))
    return path_error(text, *problem, pattern_example);
  p.text_ = std::string(text);
  return p;
}

bool PathPattern::matches(std::span<const PathStepRef> path) const {
  return match_from<std::string_view>(0, path, 0);
}

bool PathPattern::matches(std::span<const PathStep> path) const {
  return match_from<std::string>(0, path, 0);
}

template <class Key>
bool PathPattern::match_from(std::size_t step, std::span<const BasicPathStep<Key>> path,
                             std::size_t at) const {
  for (; step < steps_.size(); ++step, ++at) {
    const Step& s = steps_[step];
    if (s.op == Op::descend) {
      // "..": the next step may match at this depth or any deeper one.
      for (std::size_t k = at; k < path.size(); ++k)
        if (match_from<Key>(step + 1, path, k)) return true;
      return false;
    }
    if (at >= path.size()) return false;
    const auto& seg = path[at];
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

} // namespace konform::json
