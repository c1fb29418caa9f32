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
  const std::uint8_t* run_x = nullptr; // strings not compared yet: run bytes from run_x / run_y
  const std::uint8_t* run_y = nullptr;
  std::size_t run = 0;
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
      // [length][bytes][NUL] in the string buffer, in tape order: the strings of a value
      // usually lie back to back on both sides, so they are compared as one run (one memcmp
      // per row rather than one per string).
      const std::uint8_t* px = es + (x & kPayload);
      const std::uint8_t* py = as + (y & kPayload);
      std::uint32_t lx = 0;
      std::uint32_t ly = 0;
      std::memcpy(&lx, px, sizeof lx);
      std::memcpy(&ly, py, sizeof ly);
      if (lx != ly) return false;
      if (lx >= 2 && px[sizeof lx] == '{' && px[sizeof lx + 1] == '{') return false; // a matcher?
      std::size_t len = sizeof lx + lx + 1;
      if (run_x + run == px && run_y + run == py) {
        run += len;
      } else {
        if (run > 0 && std::memcmp(run_x, run_y, run) != 0) return false;
        run_x = px;
        run_y = py;
        run = len;
      }
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
  return run == 0 || std::memcmp(run_x, run_y, run) == 0;
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
