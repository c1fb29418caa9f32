// `konform check`'s command line, read without running anything.
#include "cli/check_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::cli {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::vector<std::string> args) {
  auto r = parse_check_options(args);
  return r ? std::string("(parsed)") : r.error().message;
}

TEST(CheckOptions, DefaultsAreTheDocumentedOnes) {
  auto c = parse_check_options({});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->help);
  EXPECT_EQ(c->run.paths, std::vector<std::string>{"scenarios"});
  EXPECT_EQ(c->run.timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(c->run.max_body, std::size_t(256) << 20);
  EXPECT_TRUE(c->run.target.empty());
  EXPECT_TRUE(c->junit.empty());
  EXPECT_TRUE(c->run.token.empty());
}

TEST(CheckOptions, EverythingGivenLandsInTheRun) {
  auto c = parse_check_options({"scenarios/kusto",
                                "scenarios/ksql",
                                "--filter",
                                "q*",
                                "--target",
                                "http://127.0.0.1:1",
                                "--ksql-target",
                                "http://127.0.0.1:2",
                                "--http2",
                                "--update-golden",
                                "--timeout",
                                "500",
                                "--max-body",
                                "1MiB",
                                "--var",
                                "db=Samples",
                                "--ca-file",
                                "ca.pem",
                                "--insecure",
                                "--token",
                                "secret",
                                "--junit",
                                "j.xml",
                                "--json",
                                "r.json",
                                "--html",
                                "r.html",
                                "--root",
                                "."});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->run.paths.size(), 2u);
  EXPECT_EQ(c->run.filter, "q*");
  EXPECT_EQ(c->run.target, "http://127.0.0.1:1");
  EXPECT_EQ(c->run.ksql_target, "http://127.0.0.1:2");
  EXPECT_TRUE(c->run.http2);
  EXPECT_TRUE(c->run.update_golden);
  EXPECT_EQ(c->run.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c->run.max_body, std::size_t(1) << 20);
  ASSERT_EQ(c->run.variables.size(), 1u);
  EXPECT_EQ(c->run.ca_file, "ca.pem");
  EXPECT_TRUE(c->run.insecure);
  EXPECT_EQ(c->connection.token, "secret");
  EXPECT_TRUE(c->run.token.empty()) << "resolved after parsing, by cmd_check";
  EXPECT_EQ(c->junit, "j.xml");
  EXPECT_EQ(c->json, "r.json");
  EXPECT_EQ(c->html, "r.html");
  EXPECT_EQ(c->run.root, ".");
}

TEST(CheckOptions, BadValuesAreNamedWithWhatToWrite) {
  EXPECT_THAT(error_of({"--timeout", "soon"}), HasSubstr("--timeout 'soon': expected a deadline"));
  EXPECT_THAT(error_of({"--timeout", "0"}), HasSubstr("--timeout '0'"));
  EXPECT_THAT(error_of({"--max-body", "huge"}), HasSubstr("--max-body huge: write a size"));
  EXPECT_THAT(error_of({"--var", "=x"}), HasSubstr("write NAME=VALUE"));
  EXPECT_THAT(error_of({"--nope"}), HasSubstr("see konform check --help"));
}

TEST(CheckOptions, HelpNamesTheSharedOptions) {
  auto c = parse_check_options({"-h"});
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->help);
  for (const char* o : {"--token-file", "--ca-file", "--var", "--max-body", "--http2"})
    EXPECT_THAT(check_help(), HasSubstr(o));
}

} // namespace
} // namespace konform::cli
