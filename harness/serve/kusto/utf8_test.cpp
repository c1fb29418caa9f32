#include "serve/kusto/utf8.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto::utf8 {
namespace {

TEST(Utf8, FindsTheFirstIllFormedByte) {
  EXPECT_EQ(first_invalid("plain ascii"), std::nullopt);
  EXPECT_EQ(first_invalid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::nullopt);
  EXPECT_EQ(first_invalid("ab\xFF"), 2u);
  EXPECT_EQ(first_invalid("\xC0\xAF"), 0u);         // overlong '/'
  EXPECT_EQ(first_invalid("x\xED\xA0\x80"), 1u);    // a surrogate
  EXPECT_EQ(first_invalid("\xF4\x90\x80\x80"), 0u); // above U+10FFFF
  EXPECT_EQ(first_invalid("ok\xE2\x82"), 2u);       // cut short
}

TEST(Utf8, ScrubReplacesEachBadByteWithU_FFFD) {
  EXPECT_EQ(scrub("a\xFF"
                  "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(scrub("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(scrub("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

} // namespace
} // namespace konform::serve::kusto::utf8
