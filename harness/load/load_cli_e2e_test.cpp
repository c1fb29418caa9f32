// `konform load` options that it shares with `konform check`, as a user meets them.
#include "test_support/run_binary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace {

using ::testing::HasSubstr;

// --var is validated as check validates it (scenario::parse_variable): a name must start with a
// letter or '_', and the message says how to write one.
TEST(LoadCliVar, AnInvalidAssignmentIsBadInputWithCheckMessage) {
  const std::string scenarios = KONFORM_SOURCE_DIR "/scenarios/kusto";
  for (const std::string bad : {"1db=x", "=x", "novalue"}) {
    const auto run =
        konform::test_support::run_binary("load " + scenarios + " -n 1 -q --var " + bad);
    EXPECT_EQ(run.code, 2) << bad << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr("write NAME=VALUE")) << bad;
  }
}

} // namespace
