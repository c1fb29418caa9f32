#include "compare/tape.h"

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace konform::compare {

namespace {

using simdjson::dom::element;
using simdjson::internal::tape_ref;

// simdjson keeps an element's place on the tape private; the element is a standard-layout class
// whose only member is that tape_ref, so the two are pointer-interconvertible.
static_assert(std::is_standard_layout_v<element>);
static_assert(sizeof(element) == sizeof(tape_ref));

const tape_ref& tape_of(const element& v) {
  return *reinterpret_cast<const tape_ref*>(&v);
}

constexpr std::uint64_t kPayload = simdjson::internal::JSON_VALUE_MASK;

} // namespace

bool same_tape(element e, element a) {
  const tape_ref& te = tape_of(e);
  const tape_ref& ta = tape_of(a);
  const std::uint64_t* et = te.doc->tape.get();
  const std::uint64_t* at = ta.doc->tape.get();
  const std::uint8_t* es = te.doc->string_buf.get();
  const std::uint8_t* as = ta.doc->string_buf.get();
  std::size_t i = te.json_index;
  std::size_t j = ta.json_index;
  const std::size_t end = te.after_element();
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
      const std::uint8_t* px = es + (x & kPayload);
      const std::uint8_t* py = as + (y & kPayload);
      std::uint32_t lx = 0;
      std::uint32_t ly = 0;
      std::memcpy(&lx, px, sizeof lx);
      std::memcpy(&ly, py, sizeof ly);
      if (lx != ly) return false;
      px += sizeof lx;
      py += sizeof ly;
      if (lx >= 2 && px[0] == '{' && px[1] == '{') return false; // maybe a golden matcher
      if (std::memcmp(px, py, lx) != 0) return false;
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
  return true;
}

std::size_t tape_array_size(element v) {
  const tape_ref& t = tape_of(v);
  std::uint64_t x = t.doc->tape[t.json_index];
  if (static_cast<std::uint8_t>(x >> 56) != '[') return 0;
  return static_cast<std::size_t>((x >> 32) & simdjson::internal::JSON_COUNT_MASK);
}

} // namespace konform::compare
