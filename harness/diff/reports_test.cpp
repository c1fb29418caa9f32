// --reports: two saved reports of the same command compared; different formats are bad input.
#include "diff/reports.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::diff {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string check_report(std::string_view outcome_a, std::string_view outcome_b,
                         std::string_view path_b) {
  return R"({"format":"konform-check-report","version":1,"scenarios":[{"name":"s","steps":[)"
         R"({"name":"a","outcome":")" +
         std::string(outcome_a) + R"(","differences":[]},{"name":"b","outcome":")" +
         std::string(outcome_b) + R"(","differences":[)" +
         (path_b.empty() ? std::string() : R"({"path":")" + std::string(path_b) + R"("})") +
         "]}]}]}";
}

TEST(Reports, CheckReportsNameNewlyFailingAndPassingStepsAndDifferences) {
  auto c = compare_reports(check_report("passed", "failed", "$[2].Rows[0][1]"), "old.json",
                           check_report("failed", "passed", ""), "new.json");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_THAT(c->newly_failing, ElementsAre("s / a"));
  EXPECT_THAT(c->newly_passing, ElementsAre("s / b"));
  EXPECT_THAT(c->gone, ElementsAre("s / b: $[2].Rows[0][1]"));
  EXPECT_TRUE(c->appeared.empty());
  EXPECT_TRUE(c->regressed());
}

TEST(Reports, DiffReportsCompareTheGroupsBeyondNoise) {
  auto report = [](std::string_view groups) {
    return R"({"format":"konform-diff-report","version":1,"steps":[{"scenario":"s","name":"a",)"
           R"("outcome":"passed"}],"groups":[)" +
           std::string(groups) + "]}";
  };
  auto c = compare_reports(report(R"({"path":"headers.date","noise":true})"), "old.json",
                           report(R"({"path":"headers.date","noise":true},)"
                                  R"({"path":"PrimaryResult[*].N","noise":false})"),
                           "new.json");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_THAT(c->appeared, ElementsAre("PrimaryResult[*].N"));
  EXPECT_TRUE(c->regressed());
}

TEST(Reports, DifferentFormatsAreBadInputLocatedInTheNewReport) {
  auto c = compare_reports(check_report("passed", "passed", ""), "old.json",
                           "{\n  \"format\": \"konform-diff-report\", \"version\": 1, "
                           "\"steps\": [], \"groups\": []}",
                           "new.json");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("new.json:2:13: this is a konform-diff-report but "
                                           "old.json is a konform-check-report"));
  auto other = compare_reports("{\"format\": \"something\"}", "x.json",
                               check_report("passed", "passed", ""), "new.json");
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.error().message, HasSubstr("x.json:1:12: not a konform report"));
}

} // namespace
} // namespace konform::diff
