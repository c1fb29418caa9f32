#include "serve/ksql/negotiation.h"

#include <gtest/gtest.h>

namespace konform::serve::ksql {
namespace {

const std::vector<std::string_view> query_produces = {kDelimited, kV1Json, kJson};

TEST(KsqlNegotiation, NoAcceptMatchesWithoutAType) {
  auto n = negotiate(std::nullopt, query_produces);
  EXPECT_TRUE(n.acceptable);
  EXPECT_FALSE(n.type);
}

TEST(KsqlNegotiation, WildcardPicksTheRoutesFirstType) {
  // curl's "*/*" on /query gets the delimited format (RestApiTest ...AllEndpointsDefaultMIME).
  EXPECT_EQ(negotiate("*/*", query_produces).type, std::string(kDelimited));
  EXPECT_EQ(negotiate("application/*", query_produces).type, std::string(kDelimited));
}

TEST(KsqlNegotiation, QWeightsOrderTheRanges) {
  EXPECT_EQ(negotiate("application/json;q=0.5, application/vnd.ksql.v1+json", query_produces).type,
            std::string(kV1Json));
  EXPECT_EQ(
      negotiate("application/vnd.ksql.v1+json;q=0.2, application/json;q=0.9", query_produces).type,
      std::string(kJson));
  // axios' default: json first, the wildcard after it.
  EXPECT_EQ(negotiate("application/json, text/plain, */*", query_produces).type,
            std::string(kJson));
}

TEST(KsqlNegotiation, NothingAcceptableIs406) {
  EXPECT_FALSE(negotiate("unsupported/type", query_produces).acceptable);
  EXPECT_FALSE(negotiate("application/json;q=0", query_produces).acceptable);
  EXPECT_TRUE(negotiate("text/html, application/JSON", query_produces).acceptable);
}

} // namespace
} // namespace konform::serve::ksql
