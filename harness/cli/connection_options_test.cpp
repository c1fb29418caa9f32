// The flags check, diff and load share are read the same way by each.
#include "cli/connection_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::cli {
namespace {

using ::testing::HasSubstr;

cxxopts::ParseResult parse(std::vector<const char*> argv) {
  cxxopts::Options opts("konform test");
  add_connection_options(opts);
  add_variable_option(opts);
  add_max_body_option(opts, "Largest response body");
  argv.insert(argv.begin(), "konform test");
  return opts.parse(static_cast<int>(argv.size()), argv.data());
}

TEST(ConnectionOptions, TokenSourcesAndTlsAreRead) {
  const auto c = read_connection_options(
      parse({"--token", "t0k", "--ca-file", "ca.pem", "--insecure", "--token-command", "echo x"}));
  EXPECT_EQ(c.token, "t0k");
  EXPECT_EQ(c.token_command, "echo x");
  EXPECT_EQ(c.ca_file, "ca.pem");
  EXPECT_TRUE(c.insecure);
  EXPECT_FALSE(read_connection_options(parse({})).insecure);
}

TEST(ConnectionOptions, TwoTokenSourcesAreRefused) {
  auto token = resolve_token(read_connection_options(parse({"--token", "a", "--token", "b"})));
  ASSERT_TRUE(token) << "the last --token wins, as cxxopts keeps it";
  auto both = resolve_token(
      read_connection_options(parse({"--token", "a", "--token-file", "/nonexistent"})));
  EXPECT_FALSE(both);
}

TEST(ConnectionOptions, VariablesAreCheckedEachNamed) {
  auto ok = read_variables(parse({"--var", "db=Samples", "--var", "n=1"}));
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].first, "n");
  auto bad = read_variables(parse({"--var", "db=Samples", "--var", "1x=2"}));
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("1x=2"));
  EXPECT_THAT(bad.error().message, HasSubstr("write NAME=VALUE"));
}

TEST(ConnectionOptions, MaxBodyIsASizeWithinLimits) {
  auto dflt = read_max_body(parse({}));
  ASSERT_TRUE(dflt);
  EXPECT_EQ(*dflt, std::size_t(256) << 20);
  auto kib = read_max_body(parse({"--max-body", "64KiB"}));
  ASSERT_TRUE(kib);
  EXPECT_EQ(*kib, 64u * 1024);
  for (const char* bad : {"0", "lots", "2TiB"}) {
    auto r = read_max_body(parse({"--max-body", bad}));
    ASSERT_FALSE(r) << bad;
    EXPECT_THAT(r.error().message, HasSubstr(std::string("--max-body ") + bad + ": write a size"));
  }
}

} // namespace
} // namespace konform::cli
