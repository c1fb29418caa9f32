#pragma once
// What every fuzz target shares: the bytes libFuzzer hands over, read as a selector byte and
// parts. Raw files (scenarios, goldens, recorded responses) stay usable as seeds as they are:
// a selector is only taken from a first byte that UTF-8 text and JSON never start with.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace konform::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// 0x80..0xBF (a UTF-8 continuation byte) first: it is a selector and is removed from `text`.
inline std::optional<std::uint8_t> take_selector(std::string_view& text) {
  if (text.empty()) return std::nullopt;
  auto b = static_cast<std::uint8_t>(text.front());
  if (b < 0x80 || b > 0xBF) return std::nullopt;
  text.remove_prefix(1);
  return static_cast<std::uint8_t>(b - 0x80);
}

// Splits at the first NUL (two inputs in one: golden and response, mapping and data, ...).
// Without a NUL the second part is empty.
inline std::pair<std::string_view, std::string_view> split_nul(std::string_view text) {
  auto nul = text.find('\0');
  if (nul == std::string_view::npos) return {text, {}};
  return {text.substr(0, nul), text.substr(nul + 1)};
}

} // namespace konform::fuzz
