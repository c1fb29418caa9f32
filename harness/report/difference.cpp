#include "report/difference.h"

namespace konform::report {
namespace {

bool is_json_string(const std::string& s) {
  return s.size() >= 2 && s.front() == '"' && (s.back() == '"' || s.ends_with("..."));
}

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Moves a byte offset back to the start of its UTF-8 character, so no window cuts one in two.
std::size_t char_start(const std::string& s, std::size_t i) {
  while (i > 0 && i < s.size() && continuation(s[i]))
    --i;
  return i;
}

// The string value's text: the JSON text without its quotes (or without the "..." the compare
// engine appends to a value it cut).
std::string_view content(const std::string& json, bool& cut) {
  std::string_view v(json);
  v.remove_prefix(1);
  cut = false;
  if (v.ends_with("...") && !(v.size() >= 4 && v[v.size() - 4] == '"')) {
    v.remove_suffix(3);
    cut = true;
  } else if (v.ends_with("\"")) {
    v.remove_suffix(1);
  }
  return v;
}

std::string window(std::string_view v, std::size_t from, std::size_t to, bool cut) {
  std::string out;
  if (from > 0) out += "...";
  out += '"';
  out += v.substr(from, to - from);
  if (to < v.size() || (cut && to >= v.size()))
    out += "\"...";
  else
    out += '"';
  return out;
}

} // namespace

std::optional<StringMismatch> string_mismatch(const Difference& d, std::size_t long_from,
                                              std::size_t context) {
  if (!is_json_string(d.expected) || !is_json_string(d.actual)) return std::nullopt;
  if (d.expected.size() <= long_from && d.actual.size() <= long_from) return std::nullopt;
  bool ecut = false, acut = false;
  std::string_view e = content(d.expected, ecut);
  std::string_view a = content(d.actual, acut);
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i])
    ++i;
  std::string es(e), as(a);
  i = char_start(i < es.size() ? es : as, i);
  StringMismatch m;
  m.beyond_excerpt = ecut && acut && i == std::min(e.size(), a.size());
  m.position = 1;
  for (std::size_t k = 0; k < i; ++k)
    if (!continuation(e[k])) ++m.position;
  std::size_t from = i > context ? char_start(es, i - context) : 0;
  auto end_of = [&](const std::string& s) {
    std::size_t to = std::min(s.size(), i + 2 * context);
    return to < s.size() ? char_start(s, to) : to;
  };
  m.expected_window = window(e, from, end_of(es), ecut);
  m.actual_window = window(a, from, end_of(as), acut);
  m.window_at = (from > 0 ? 3 : 0) + 1 + (i - from);
  return m;
}

std::vector<std::string> difference_lines(const Difference& d) {
  std::vector<std::string> lines;
  std::string head = d.path.empty() ? std::string("$") : d.path;
  if (auto m = string_mismatch(d)) {
    // The message's table/row/column prefix, if any, still helps: keep it before the position.
    std::string where;
    if (auto colon = d.message.find(": expected "); colon != std::string::npos)
      where = d.message.substr(0, colon) + ", ";
    if (m->beyond_excerpt)
      lines.push_back(head + ": " + where + "strings agree in their first " +
                      std::to_string(m->position - 1) +
                      " characters (all that the comparison keeps) and differ after them");
    else
      lines.push_back(head + ": " + where + "strings differ at character " +
                      std::to_string(m->position));
    lines.push_back("  expected " + m->expected_window);
    lines.push_back("  got      " + m->actual_window);
    lines.push_back("           " + std::string(m->window_at, ' ') + "^");
    return lines;
  }
  if (!d.message.empty())
    lines.push_back(head + ": " + d.message);
  else
    lines.push_back(head + ": expected " + d.expected + ", got " + d.actual);
  return lines;
}

} // namespace konform::report
