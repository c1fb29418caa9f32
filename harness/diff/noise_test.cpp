// Noise: learned per step with its rate, written as an editable file and read back; a bad noise
// file is located at file:line:column.
#include "diff/noise.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::diff {
namespace {

using ::testing::HasSubstr;

TEST(Noise, APathIsNoiseOnlyForTheStepWhereTheBaselineDifferedFromItself) {
  Noise noise;
  noise.learn("s", "query", {"QueryCompletionInformation[*].Timestamp", "headers.date"});
  noise.learn("s", "query", {"QueryCompletionInformation[*].Timestamp"});
  const NoiseEntry* t = noise.find("s", "query", "QueryCompletionInformation[*].Timestamp");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->rate, 1.0);
  const NoiseEntry* d = noise.find("s", "query", "headers.date");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->rate, 0.5);
  EXPECT_EQ(noise.find("s", "other step", "headers.date"), nullptr);
  EXPECT_EQ(noise.find("s", "query", "PrimaryResult[*].Count"), nullptr);
  EXPECT_EQ(noise.learned().size(), 2u);
}

TEST(Noise, TheWrittenFileReadsBackWithTheSameVerdicts) {
  Noise learned;
  learned.learn("kusto-query-v2", "plain frames", {"QueryCompletionInformation[*].ActivityId"});
  learned.learn("ksql-streams", "push", {"header.queryId"});
  std::string text = noise_file_text(learned);
  auto read = parse_noise_file(text, "noise.json");
  ASSERT_TRUE(read.ok()) << read.error().message << "\n" << text;
  EXPECT_NE(
      read->find("kusto-query-v2", "plain frames", "QueryCompletionInformation[*].ActivityId"),
      nullptr);
  EXPECT_NE(read->find("ksql-streams", "push", "header.queryId"), nullptr);
  EXPECT_EQ(read->find("ksql-streams", "other", "header.queryId"), nullptr);
  // One entry per line: a person can delete one with an editor.
  EXPECT_THAT(text, HasSubstr("\n    {\"scenario\":\"ksql-streams\""));
}

TEST(Noise, FileEntriesAreGlobs) {
  auto read = parse_noise_file(
      R"({"format":"konform-noise","version":1,"noise":[{"scenario":"*","step":"*","path":"headers.date"},
          {"scenario":"kusto-*","step":"*","path":"QueryStatus[*].*"}]})",
      "n.json");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_NE(read->find("any", "step", "headers.date"), nullptr);
  EXPECT_NE(read->find("kusto-x", "s", "QueryStatus[*].Timestamp"), nullptr);
  EXPECT_EQ(read->find("ksql-x", "s", "QueryStatus[*].Timestamp"), nullptr);
}

TEST(Noise, ABadFileIsLocatedAtTheOffendingValue) {
  auto syntax =
      parse_noise_file("{\"format\": \"konform-noise\",\n  \"version\": 1,\n  x}", "n.json");
  ASSERT_FALSE(syntax.ok());
  EXPECT_THAT(syntax.error().message, HasSubstr("n.json:3:"));

  auto missing = parse_noise_file(
      "{\"format\": \"konform-noise\", \"version\": 1,\n \"noise\": [\n  {\"scenario\": \"*\", "
      "\"step\": \"*\"}]}",
      "n.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("n.json:3:3: noise[0] has no \"path\""));

  auto rate =
      parse_noise_file("{\"format\": \"konform-noise\", \"version\": 1, \"noise\": [\n"
                       "  {\"scenario\": \"*\", \"step\": \"*\", \"path\": \"x\", \"rate\": 7}]}",
                       "n.json");
  ASSERT_FALSE(rate.ok());
  EXPECT_THAT(rate.error().message, HasSubstr("n.json:2:"));
  EXPECT_THAT(rate.error().message, HasSubstr("rate must be a number from 0 to 1"));

  auto typo = parse_noise_file(
      R"({"format": "konform-noise", "version": 1, "noise": [{"scenario": "*", "step": "*", "pth": "x"}]})",
      "n.json");
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.error().message, HasSubstr("unknown field \"pth\""));

  auto format = parse_noise_file(R"({"format": "konform-check-report", "version": 1})", "n.json");
  ASSERT_FALSE(format.ok());
  EXPECT_THAT(format.error().message, HasSubstr("n.json:1:12: \"format\" must be"));
}

} // namespace
} // namespace konform::diff
