#pragma once
// compare_bodies() as the compare tests call it: the differences, after a failed expectation
// (and none) when a body did not parse; and their paths or messages alone.
#include "compare/compare.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace konform::test_support {

inline std::vector<compare::Difference> diff(std::string_view expected, std::string_view actual,
                                             protocol::Kind kind = protocol::Kind::json,
                                             const compare::Rules& rules = {}) {
  auto r = compare::compare_bodies(expected, actual, kind, rules);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::vector<compare::Difference>{};
}

inline std::vector<std::string> paths(const std::vector<compare::Difference>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds)
    out.push_back(d.path);
  return out;
}

inline std::vector<std::string> messages(const std::vector<compare::Difference>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds)
    out.push_back(d.message);
  return out;
}

} // namespace konform::test_support
