#pragma once
// UTF-8 checks for text that arrives in a request and may end up in a JSON response (JSON must be
// valid UTF-8; a stray 0xFF makes the whole response unreadable to every client).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace konform::serve::kusto::utf8 {

// The offset of the first byte that does not start a well-formed UTF-8 sequence (overlongs,
// surrogates and code points above U+10FFFF included); nullopt when all of s is valid.
std::optional<std::size_t> first_invalid(std::string_view s);

// s with every ill-formed sequence replaced by U+FFFD, the way a decoder shows it.
std::string scrub(std::string_view s);

} // namespace konform::serve::kusto::utf8
