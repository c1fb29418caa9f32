#pragma once
// Small string helpers shared by every module (ASCII only: HTTP and JSON keywords are ASCII).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::text {

// ASCII lower case, no locale (HTTP names and keywords are ASCII).
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
// Case-insensitive ASCII comparison; inline because load's response parser calls it per header.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}
// Without leading and trailing white space (isspace: also \r, \n, \v, \f).
std::string_view trim(std::string_view s);
// Without HTTP's optional white space (space and tab only, RFC 9110 OWS) around a header value.
constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}
bool istarts_with(std::string_view s, std::string_view prefix);
std::string to_lower(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
// The parts with `separator` between them: "a, b, c".
std::string join(const std::vector<std::string_view>& parts, std::string_view separator = ", ");
// Parses a whole decimal integer; nullopt on any stray character or overflow.
std::optional<std::int64_t> parse_int(std::string_view s);
std::optional<double> parse_double(std::string_view s);
// A byte size as users write it: "1048576", "64k"/"64KiB", "256M"/"256MiB", "1G"/"1GiB" (powers
// of 1024; "KB", "MB", "GB" too, case-insensitive); nullopt on anything else or overflow.
std::optional<std::uint64_t> parse_size(std::string_view s);
// Shell-style glob with * and ? (used by --filter).
bool glob_match(std::string_view pattern, std::string_view s);
// Percent-decoding of a URL query component ('+' becomes a space).
// Appends code point `cp` (at most U+10FFFF; a JSON \u escape's value) to `out` as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);
std::string url_decode(std::string_view s);
std::string url_encode(std::string_view s);

} // namespace konform::text
