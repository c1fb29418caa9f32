#pragma once
// Random identifiers: version-4 UUIDs for client-request-ids, activity ids and command ids.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace konform::ids {

std::string uuid4();
// The same, appended to out (no temporary string; servers stamp several per response).
void append_uuid4(std::string& out);

namespace detail {

// Per byte: 1 a hex digit, 2 a dash. A table lookup, never a libc call: isxdigit through the PLT
// on each of 32 digits was a tenth of the validator's time on result bodies full of guids.
inline constexpr std::array<std::uint8_t, 256> guid_classes = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c)
    t[static_cast<std::size_t>(c)] = 1;
  for (int c = 'a'; c <= 'f'; ++c)
    t[static_cast<std::size_t>(c)] = 1;
  for (int c = 'A'; c <= 'F'; ++c)
    t[static_cast<std::size_t>(c)] = 1;
  t[static_cast<std::size_t>('-')] = 2;
  return t;
}();

// What each of the 36 positions of 8-4-4-4-12 must be.
inline constexpr std::array<std::uint8_t, 36> guid_shape = [] {
  std::array<std::uint8_t, 36> shape{};
  for (std::size_t i = 0; i < shape.size(); ++i)
    shape[i] = (i == 8 || i == 13 || i == 18 || i == 23) ? 2 : 1;
  return shape;
}();

} // namespace detail

// True for the 8-4-4-4-12 hexadecimal form (case-insensitive). Inline: validators call it per
// cell of result bodies full of guids.
inline bool is_guid(std::string_view s) {
  if (s.size() != detail::guid_shape.size()) return false;
  bool miss = false; // no early exit: a branch-free loop over all 36 bytes
  for (std::size_t i = 0; i < detail::guid_shape.size(); ++i)
    miss |= (detail::guid_classes[static_cast<unsigned char>(s[i])] & detail::guid_shape[i]) == 0;
  return !miss;
}

} // namespace konform::ids
