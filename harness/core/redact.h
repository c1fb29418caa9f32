#pragma once
// The one redaction every writer uses: a secret (the bearer token) never reaches a byte konform
// writes — console, JSON and JUnit reports, golden files, recordings — whatever echoed it back
// (a server that reflects the Authorization header in its body or an error message).
#include <string>
#include <string_view>

namespace konform::redact {

inline constexpr std::string_view kMask = "***";

// Replaces every occurrence of `secret` in `s` with kMask; an empty secret changes nothing.
void in_place(std::string& s, std::string_view secret);
std::string redacted(std::string_view s, std::string_view secret);

} // namespace konform::redact
