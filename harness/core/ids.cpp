#include "core/ids.h"

#include <random>

namespace konform::ids {

void append_uuid4(std::string& out) {
  // One generator per thread: no locking, and seeded once from the OS.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // RFC 4122 variant
  char text[36];
  char* p = text;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    std::uint64_t word = i < 8 ? hi : lo;
    int shift = (7 - (i % 8)) * 8;
    auto byte = static_cast<unsigned>((word >> shift) & 0xff);
    *p++ = hex[byte >> 4];
    *p++ = hex[byte & 15];
  }
  out.append(text, sizeof text);
}

std::string uuid4() {
  std::string out;
  out.reserve(36);
  append_uuid4(out);
  return out;
}

} // namespace konform::ids
