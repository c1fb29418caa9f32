#pragma once
// Reads a management command word by word (shared by the command files): keywords
// case-insensitively, names plain, ['bracketed'] or quoted, string literals in the Kusto forms.
#include "core/text.h"

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace konform::serve::kusto::cluster {

class CommandReader {
public:
  explicit CommandReader(std::string_view s) : s_(s) {}

  void space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  bool keyword(std::string_view k) {
    space();
    if (pos_ + k.size() > s_.size() || !text::iequals(s_.substr(pos_, k.size()), k)) return false;
    std::size_t end = pos_ + k.size();
    if (end < s_.size() && word_char(s_[end])) return false;
    pos_ = end;
    return true;
  }
  bool symbol(char c) {
    space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::optional<std::string> name() {
    space();
    if (pos_ >= s_.size()) return std::nullopt;
    if (s_[pos_] == '[' || s_[pos_] == '"' || s_[pos_] == '\'') {
      bool bracket = s_[pos_] == '[';
      if (bracket) ++pos_;
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return std::nullopt;
      char q = s_[pos_++];
      auto end = s_.find(q, pos_);
      if (end == std::string_view::npos) return std::nullopt;
      std::string out(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      if (bracket && !symbol(']')) return std::nullopt;
      return out;
    }
    std::size_t start = pos_;
    while (pos_ < s_.size() && (word_char(s_[pos_]) || s_[pos_] == '.'))
      ++pos_;
    if (pos_ == start) return std::nullopt;
    return std::string(s_.substr(start, pos_ - start));
  }
  // A string literal: '...' or "..." with backslash escapes, or verbatim @'...' / @"..." where
  // a doubled quote stands for one (the form the SDK suites use for policy JSON).
  std::optional<std::string> string_literal() {
    space();
    bool verbatim = pos_ + 1 < s_.size() && s_[pos_] == '@';
    std::size_t at = pos_ + (verbatim ? 1 : 0);
    if (at >= s_.size() || (s_[at] != '\'' && s_[at] != '"')) return std::nullopt;
    char q = s_[at];
    std::size_t k = at + 1;
    std::string out;
    while (k < s_.size()) {
      char c = s_[k++];
      if (!verbatim && c == '\\' && k < s_.size()) {
        out += s_[k++];
        continue;
      }
      if (c == q) {
        if (verbatim && k < s_.size() && s_[k] == q) {
          out += q;
          ++k;
          continue;
        }
        pos_ = k;
        return out;
      }
      out += c;
    }
    return std::nullopt;
  }
  // One or more adjacent string literals, concatenated as Kusto does ('[' '{...},' ']': how the
  // Python SDK suite writes a mapping over several lines).
  std::optional<std::string> string_literals() {
    auto out = string_literal();
    if (!out) return std::nullopt;
    for (;;) {
      CommandReader look = *this;
      auto more = look.string_literal();
      if (!more) return out;
      *out += *more;
      *this = look;
    }
  }
  // Text inside parentheses (the reader is at '('); the lists read here never nest.
  std::optional<std::string_view> parenthesized() {
    if (!symbol('(')) return std::nullopt;
    auto end = s_.find(')', pos_);
    if (end == std::string_view::npos) return std::nullopt;
    auto body = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return body;
  }
  bool at_end() {
    space();
    return pos_ >= s_.size();
  }
  std::size_t pos() const { return pos_; }
  // The command up to the reader's position, for messages naming what was recognised.
  std::string_view consumed() const { return text::trim(s_.substr(0, pos_)); }
  // The command up to the end of the next word, for "... is not supported" messages.
  std::string_view through_next_word() const {
    std::size_t k = pos_;
    while (k < s_.size() && std::isspace(static_cast<unsigned char>(s_[k])))
      ++k;
    while (k < s_.size() && (word_char(s_[k]) || s_[k] == '.'))
      ++k;
    return text::trim(s_.substr(0, k));
  }

private:
  static bool word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  }
  std::string_view s_;
  std::size_t pos_ = 0;
};

} // namespace konform::serve::kusto::cluster
