#include "compare/tape.h"

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace konform::compare {

namespace {

using simdjson::dom::element;
using simdjson::internal::tape_ref;

// simdjson keeps a value's place on the tape private; element and array are standard-layout
// classes whose only member is that tape_ref, so each is pointer-interconvertible with it.
template <class V> const tape_ref& tape_of(const V& v) {
  static_assert(std::is_standard_layout_v<V>);
  static_assert(sizeof(V) == sizeof(tape_ref));
  return *reinterpret_cast<const tape_ref*>(&v);
}

constexpr std::uint64_t kPayload = simdjson::internal::JSON_VALUE_MASK;

bool same_tapes(const tape_ref& te, const tape_ref& ta) {
  const std::uint64_t* et = te.doc->tape.get();
  const std::uint64_t* at = ta.doc->tape.get();
  const std::uint8_t* es = te.doc->string_buf.get();
  const std::uint8_t* as = ta.doc->string_buf.get();
  std::size_t i = te.json_index;
  std::size_t j = ta.json_index;
  const std::size_t end = te.after_element();
  // Strings are [length][bytes][NUL] in the string buffer, in tape order. When every string of
  // the value lies at the same distance from the value's first string on both sides, one
  // memcmp of the two ranges (lengths included) compares them all.
  constexpr std::uint64_t kNone = ~std::uint64_t{0};
  std::uint64_t first_x = kNone;
  std::uint64_t first_y = 0;
  std::uint64_t last_x = 0;
  std::uint64_t last_y = 0;
  // Equal type sequences mean equal nesting (brackets and scalars in the same order), so the
  // scope indices and counts of brackets need no check of their own, and the actual side never
  // reads past its own value.
  while (i < end) {
    std::uint64_t x = et[i];
    std::uint64_t y = at[j];
    auto type = static_cast<std::uint8_t>(x >> 56);
    if (type != static_cast<std::uint8_t>(y >> 56)) return false;
    switch (type) {
    case '"': {
      std::uint64_t ox = x & kPayload;
      std::uint64_t oy = y & kPayload;
      if (first_x == kNone) {
        first_x = ox;
        first_y = oy;
      } else if (ox - first_x != oy - first_y) {
        return false;
      }
      last_x = ox;
      last_y = oy;
      // "{{" may be a golden matcher. (A shorter string has its NUL at one of these bytes.)
      const std::uint8_t* px = es + ox + sizeof(std::uint32_t);
      if (px[0] == '{' && px[1] == '{') return false;
      ++i;
      ++j;
      break;
    }
    case 'l':
    case 'u':
    case 'd': // the value is the next word: equal bits, equal number (JSON has no NaN)
      if (et[i + 1] != at[j + 1]) return false;
      i += 2;
      j += 2;
      break;
    default: // brackets, true, false, null
      ++i;
      ++j;
      break;
    }
  }
  if (first_x == kNone) return true;
  std::uint32_t lx = 0;
  std::uint32_t ly = 0;
  std::memcpy(&lx, es + last_x, sizeof lx);
  std::memcpy(&ly, as + last_y, sizeof ly);
  if (lx != ly) return false;
  std::size_t span = last_x - first_x + sizeof lx + lx;
  return std::memcmp(es + first_x, as + first_y, span) == 0;
}

} // namespace

bool same_tape(element e, element a) {
  return same_tapes(tape_of(e), tape_of(a));
}

bool same_tape(simdjson::dom::array e, simdjson::dom::array a) {
  return same_tapes(tape_of(e), tape_of(a));
}

std::size_t tape_array_size(element v) {
  const tape_ref& t = tape_of(v);
  std::uint64_t x = t.doc->tape[t.json_index];
  if (static_cast<std::uint8_t>(x >> 56) != '[') return 0;
  return static_cast<std::size_t>((x >> 32) & simdjson::internal::JSON_COUNT_MASK);
}

} // namespace konform::compare
