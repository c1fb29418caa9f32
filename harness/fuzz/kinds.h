#pragma once
// Every protocol kind a selector byte can pick (validate and compare targets): the kinds of
// vocabulary/kind.h in enum order, so a kept input picks the same kind as when it was found.
#include "vocabulary/kind.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace konform::fuzz {

using protocol::Kind;

inline Kind kind_of(std::uint8_t selector) {
  static const std::vector<Kind> kinds = [] {
    std::vector<Kind> out;
    for (const auto& k : protocol::kind_names())
      out.push_back(k.kind);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return kinds[selector % kinds.size()];
}

} // namespace konform::fuzz
