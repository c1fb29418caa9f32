#include "json/locate.h"

#include "core/text.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace konform::json {

Location location_of_offset(std::string_view text, std::size_t offset) {
  Location loc;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

namespace {

// A strict recursive-descent scanner (RFC 8259). It builds nothing; it records the first error
// offset and, when asked, the offset where the value at a target path begins.
class Scanner {
public:
  Scanner(std::string_view t, const std::span<const PathStep>* target) : t_(t), target_(target) {}

  bool document() {
    skip_ws();
    if (!value(0, true)) return false;
    skip_ws();
    if (pos_ != t_.size()) return fail("unexpected text after the end of the JSON value");
    return true;
  }

  std::size_t error_offset() const { return error_offset_; }
  const std::string& error() const { return error_; }
  std::size_t best_offset() const { return best_offset_; }

private:
  bool fail(std::string what) {
    if (error_.empty()) {
      error_ = std::move(what);
      error_offset_ = pos_;
    }
    return false;
  }

  void skip_ws() {
    while (pos_ < t_.size() &&
           (t_[pos_] == ' ' || t_[pos_] == '\t' || t_[pos_] == '\n' || t_[pos_] == '\r'))
      ++pos_;
  }

  // depth = how many steps of the target path the current value matches so far; on_path says
  // whether the path up to here matched.
  bool value(std::size_t depth, bool on_path) {
    if (depth > 1000) return fail("nesting is deeper than 1000 levels");
    if (on_path && target_ && depth <= target_->size()) best_offset_ = pos_;
    if (pos_ >= t_.size()) return fail("unexpected end of input, expected a value");
    char c = t_[pos_];
    if (c == '{') return object(depth, on_path);
    if (c == '[') return array(depth, on_path);
    if (c == '"') return string(nullptr);
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    for (std::string_view lit : {"true", "false", "null"})
      if (t_.substr(pos_, lit.size()) == lit) {
        pos_ += lit.size();
        return true;
      }
    if (c == '\'') return fail("strings must use double quotes, not single quotes");
    return fail("expected a value (object, array, string, number, true, false or null)");
  }

  bool step_matches(std::size_t depth, bool on_path, const std::string* key, std::size_t index) {
    if (!on_path || !target_ || depth >= target_->size()) return false;
    const auto& step = (*target_)[depth];
    return key ? (!step.is_index && step.key == *key) : (step.is_index && step.index == index);
  }

  bool object(std::size_t depth, bool on_path) {
    ++pos_;
    skip_ws();
    if (pos_ < t_.size() && t_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (pos_ >= t_.size() || t_[pos_] != '"')
        return fail(pos_ < t_.size() && t_[pos_] == '}'
                        ? "trailing comma before '}' is not allowed in JSON"
                        : "expected a member name in double quotes");
      std::string key;
      if (!string(&key)) return false;
      skip_ws();
      if (pos_ >= t_.size() || t_[pos_] != ':')
        return fail("expected ':' after the member name \"" + key + "\"");
      ++pos_;
      skip_ws();
      bool match = step_matches(depth, on_path, &key, 0);
      if (!value(depth + 1, match)) return false;
      skip_ws();
      if (pos_ < t_.size() && t_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < t_.size() && t_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or '}' after an object member");
    }
  }

  bool array(std::size_t depth, bool on_path) {
    ++pos_;
    skip_ws();
    if (pos_ < t_.size() && t_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (std::size_t index = 0;; ++index) {
      skip_ws();
      if (pos_ < t_.size() && t_[pos_] == ']')
        return fail("trailing comma before ']' is not allowed in JSON");
      bool match = step_matches(depth, on_path, nullptr, index);
      if (!value(depth + 1, match)) return false;
      skip_ws();
      if (pos_ < t_.size() && t_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < t_.size() && t_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or ']' after an array element");
    }
  }

  // The four hexadecimal digits at `at` as a number; false when they are not all there.
  bool hex4(std::size_t at, std::uint32_t& value) const {
    if (at + 4 > t_.size()) return false;
    auto [end, ec] = std::from_chars(t_.data() + at, t_.data() + at + 4, value, 16);
    return ec == std::errc() && end == t_.data() + at + 4;
  }

  bool string(std::string* out) {
    ++pos_;
    while (pos_ < t_.size()) {
      auto c = static_cast<unsigned char>(t_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20)
        return fail(c == '\n' ? "unterminated string (a raw newline inside a string)"
                              : "control character inside a string must be escaped");
      if (c >= 0x80) {
        std::size_t n = utf8_length(t_.substr(pos_));
        if (n == 0) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02X", c);
          return fail(std::string("invalid UTF-8 (byte ") + hex +
                      "); JSON text must be UTF-8: save the file as UTF-8 or write the "
                      "character as a \\u escape");
        }
        if (out) out->append(t_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (c == '\\') {
        ++pos_;
        if (pos_ >= t_.size()) break;
        char e = t_[pos_];
        if (e == 'u') {
          std::uint32_t unit = 0;
          if (!hex4(pos_ + 1, unit)) return fail("\\u must be followed by four hexadecimal digits");
          pos_ += 4;
          // A high surrogate followed by \uDC00-\uDFFF is one character; a lone one is kept as
          // U+FFFD, as the key can then match nothing a document could name anyway.
          std::uint32_t low = 0;
          if (unit >= 0xD800 && unit < 0xDC00 && t_.substr(pos_ + 1, 2) == "\\u" &&
              hex4(pos_ + 3, low) && low >= 0xDC00 && low < 0xE000) {
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            pos_ += 6;
          } else if (unit >= 0xD800 && unit < 0xE000) {
            unit = 0xFFFD;
          }
          if (out) text::append_utf8(*out, unit);
        } else {
          static constexpr std::string_view escapes = "\"\\/bfnrt", decoded = "\"\\/\b\f\n\r\t";
          auto at = escapes.find(e);
          if (at == std::string_view::npos)
            return fail(std::string("invalid escape sequence \\") + e);
          if (out) *out += decoded[at];
        }
      } else if (out) {
        *out += static_cast<char>(c);
      }
      ++pos_;
    }
    return fail("unterminated string");
  }

  bool number() {
    std::size_t start = pos_;
    if (t_[pos_] == '-') ++pos_;
    auto digits = [&] {
      std::size_t s = pos_;
      while (pos_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[pos_])))
        ++pos_;
      return pos_ - s;
    };
    if (pos_ < t_.size() && t_[pos_] == '0') {
      ++pos_;
      if (pos_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[pos_])))
        return fail("numbers must not have leading zeros");
    } else if (digits() == 0) {
      pos_ = start;
      return fail("invalid number");
    }
    if (pos_ < t_.size() && t_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return fail("expected digits after the decimal point");
    }
    if (pos_ < t_.size() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < t_.size() && (t_[pos_] == '+' || t_[pos_] == '-')) ++pos_;
      if (digits() == 0) return fail("expected digits in the exponent");
    }
    return in_range(start);
  }

  // simdjson refuses integers beyond 64 bits and numbers beyond a double's range; say so here,
  // located, instead of leaving the user with simdjson's unlocated message.
  bool in_range(std::size_t start) {
    std::string_view n = t_.substr(start, pos_ - start);
    bool integer = n.find_first_of(".eE") == std::string_view::npos;
    bool ok = true;
    if (integer) {
      std::int64_t i = 0;
      std::uint64_t u = 0;
      auto [p1, e1] = std::from_chars(n.data(), n.data() + n.size(), i);
      auto [p2, e2] = std::from_chars(n.data(), n.data() + n.size(), u);
      ok = e1 == std::errc() || e2 == std::errc();
    } else {
      ok = std::isfinite(std::strtod(std::string(n).c_str(), nullptr));
    }
    if (ok) return true;
    pos_ = start;
    return fail("the number " + std::string(n.substr(0, 40)) + (n.size() > 40 ? "..." : "") +
                " is out of range (" +
                (integer ? "integers must fit in 64 bits" : "beyond a double's range") + ")");
  }

  // The length of the well-formed UTF-8 sequence at the start of s (RFC 3629: no overlong
  // forms, no surrogates, nothing above U+10FFFF), or 0.
  static std::size_t utf8_length(std::string_view s) {
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
    unsigned char c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
      if (c == 0xED && b(1) >= 0xA0) return 0; // surrogate
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
      if (c == 0xF4 && b(1) >= 0x90) return 0; // above U+10FFFF
      return 4;
    }
    return 0;
  }

  std::string_view t_;
  const std::span<const PathStep>* target_;
  std::size_t pos_ = 0;
  std::size_t error_offset_ = 0;
  std::string error_;
  std::size_t best_offset_ = 0;
};

} // namespace

std::optional<Location> locate_error(std::string_view text) {
  Scanner s(text, nullptr);
  if (s.document()) return std::nullopt;
  auto loc = location_of_offset(text, s.error_offset());
  loc.what = s.error();
  return loc;
}

Location locate_path(std::string_view text, std::span<const PathStep> path) {
  Scanner s(text, &path);
  (void)s.document();
  return location_of_offset(text, s.best_offset());
}

} // namespace konform::json
