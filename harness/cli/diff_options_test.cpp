// `konform diff`'s command line, read without sending anything or reading files.
#include "cli/diff_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::cli {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::vector<std::string> args) {
  auto r = parse_diff_options(args);
  return r ? std::string("(parsed)") : r.error().message;
}

TEST(DiffOptions, SidesRoundsAndFilesAreRead) {
  auto d = parse_diff_options({"scenarios/kusto", "--baseline", "http://127.0.0.1:1", "--candidate",
                               "http://127.0.0.1:2", "--ksql-baseline2", "http://127.0.0.1:3",
                               "--repeat", "3", "--noise", "n.json", "--learn-noise", "l.json",
                               "--no-protocol-defaults", "--timeout", "750", "--token-file", "t"});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d->reports);
  EXPECT_EQ(d->run.check.paths, std::vector<std::string>{"scenarios/kusto"});
  EXPECT_EQ(d->run.baseline, "http://127.0.0.1:1");
  EXPECT_EQ(d->run.candidate, "http://127.0.0.1:2");
  EXPECT_EQ(d->run.ksql_baseline2, "http://127.0.0.1:3");
  EXPECT_EQ(d->run.repeat, 3);
  EXPECT_FALSE(d->run.protocol_defaults);
  EXPECT_EQ(d->run.check.timeout, std::chrono::milliseconds(750));
  EXPECT_EQ(d->noise_file, "n.json") << "read after parsing, by cmd_diff";
  EXPECT_EQ(d->learn_noise, "l.json");
  EXPECT_EQ(d->connection.token_file, "t");
}

TEST(DiffOptions, ReportsModeTakesExactlyTwoFiles) {
  auto d = parse_diff_options({"--reports", "old.json", "new.json", "--json", "c.json"});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->reports);
  EXPECT_EQ(d->paths.size(), 2u);
  EXPECT_EQ(d->json, "c.json");
  EXPECT_THAT(error_of({"--reports", "old.json"}), HasSubstr("give two report files"));
}

TEST(DiffOptions, BadValuesAreNamedWithWhatToWrite) {
  EXPECT_THAT(error_of({"--repeat", "0"}), HasSubstr("--repeat 0: write a number of rounds"));
  EXPECT_THAT(error_of({"--repeat", "many"}), HasSubstr("--repeat many: write a number"));
  EXPECT_THAT(error_of({"--timeout", "-1"}), HasSubstr("--timeout '-1': expected a deadline"));
  EXPECT_THAT(error_of({"--max-body", "1TB"}), HasSubstr("--max-body 1TB"));
  EXPECT_THAT(error_of({"--var", "x"}), HasSubstr("write NAME=VALUE"));
  EXPECT_THAT(error_of({"--baseline"}), HasSubstr("see konform diff --help"));
  EXPECT_TRUE(parse_diff_options({"--help"})->help);
  EXPECT_THAT(diff_help(), HasSubstr("--token-command"));
}

} // namespace
} // namespace konform::cli
