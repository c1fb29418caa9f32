// The source map on text that is not valid JSON: it maps what it could read and stops (the
// fuzzer found "[}"-like text made the scanner loop for ever, allocating a node per turn).
#include "scenario/source_map.h"

#include <gtest/gtest.h>

namespace konform::scenario {
namespace {

TEST(SourceMap, StopsAtAMismatchedBracketInsteadOfLoopingForEver) {
  for (std::string_view text : {"[}", "{\"a\": ]", "[1, 2 }", "{\"a\": [3 }, \"b\": 4}"}) {
    SourceMap map(text);
    std::vector<json::PathStep> first = {{"", 0, true}};
    EXPECT_LE(map.value_offset(first), text.size()) << text;
  }
  SourceMap map("[1, 2 }, 3]");
  EXPECT_EQ(map.value_offset({{"", 1, true}}), 4u) << "what was read before the error is mapped";
}

} // namespace
} // namespace konform::scenario
