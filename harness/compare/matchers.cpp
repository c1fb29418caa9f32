#include "compare/matchers.h"

#include "core/ids.h"

namespace konform::compare {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Consumes exactly n digits at s[i].
bool digits(std::string_view s, std::size_t& i, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k, ++i)
    if (i >= s.size() || !is_digit(s[i])) return false;
  return true;
}

bool expect(std::string_view s, std::size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

// hh:mm[:ss[.fraction]] at s[i]; seconds required when `need_seconds`.
bool clock(std::string_view s, std::size_t& i, bool need_seconds) {
  if (!digits(s, i, 2) || !expect(s, i, ':') || !digits(s, i, 2)) return false;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!digits(s, i, 2)) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      std::size_t start = i;
      while (i < s.size() && is_digit(s[i]))
        ++i;
      if (i == start) return false;
    }
  } else if (need_seconds) {
    return false;
  }
  return true;
}

bool iso_duration(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (!expect(s, i, 'P') || i == s.size()) return false;
  bool in_time = false;
  bool any = false;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return false;
      in_time = true;
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '.'))
      ++i;
    if (i == start || i == s.size()) return false;
    char unit = s[i++];
    std::string_view units = in_time ? "HMS" : "YMWD";
    if (units.find(unit) == std::string_view::npos) return false;
    any = true;
  }
  return any;
}

} // namespace

std::optional<Matcher> golden_matcher(std::string_view v) {
  if (v.size() < 5 || v[0] != '{' || v[1] != '{' || v[v.size() - 1] != '}' ||
      v[v.size() - 2] != '}')
    return std::nullopt;
  return parse_matcher(v.substr(2, v.size() - 4));
}

bool is_iso_datetime(std::string_view s) {
  std::size_t i = 0;
  if (!digits(s, i, 4) || !expect(s, i, '-') || !digits(s, i, 2) || !expect(s, i, '-') ||
      !digits(s, i, 2))
    return false;
  if (i == s.size()) return true; // a date alone
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
  ++i;
  if (!clock(s, i, false)) return false;
  if (i == s.size()) return true;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  ++i;
  return digits(s, i, 2) && expect(s, i, ':') && digits(s, i, 2) && i == s.size();
}

bool is_timespan(std::string_view s) {
  if (!s.empty() && (s[0] == 'P' || (s.size() > 1 && s[0] == '-' && s[1] == 'P')))
    return iso_duration(s);
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  // Optional "d." day prefix: digits followed by '.' before hh:mm:ss.
  std::size_t start = i;
  while (i < s.size() && is_digit(s[i]))
    ++i;
  if (i < s.size() && s[i] == '.' && i > start)
    ++i;
  else
    i = start;
  return clock(s, i, true) && i == s.size();
}

bool satisfies(Matcher m, simdjson::dom::element a) {
  using simdjson::dom::element_type;
  element_type t = a.type();
  switch (m) {
  case Matcher::any_value:
    return true;
  case Matcher::any_string:
    return t == element_type::STRING;
  case Matcher::any_number:
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  case Matcher::any_bool:
    return t == element_type::BOOL;
  case Matcher::any_guid:
    return t == element_type::STRING && ids::is_guid(a.get_string().value_unsafe());
  case Matcher::any_datetime:
    return t == element_type::STRING && is_iso_datetime(a.get_string().value_unsafe());
  case Matcher::any_timespan:
    return t == element_type::STRING && is_timespan(a.get_string().value_unsafe());
  }
  return false;
}

} // namespace konform::compare
