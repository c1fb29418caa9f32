// Aggregation: differences grouped by normalised path over steps and repeats, counted once per
// compared response pair, noise marked, at most three examples, most frequent first.
#include "compare/compare.h"
#include "diff/aggregate.h"
#include "diff/exchange_diff.h"

#include <gtest/gtest.h>

namespace konform::diff {
namespace {

Response response(std::string id, int status = 200, std::string body = "{}") {
  Response r;
  r.responded = true;
  r.status = status;
  r.body = std::move(body);
  r.client_request_id = std::move(id);
  return r;
}

PathDifference at(std::string path, std::string a = "1", std::string b = "2") {
  return {path, path, a, b, "m"};
}

TEST(Aggregate, GroupsByPathCountingEachResponsePairOnceWithThreeExamples) {
  Noise noise;
  noise.learn("s", "q", {"QueryStatus[*].Timestamp"});
  Aggregator agg;
  for (int i = 0; i < 5; ++i)
    agg.add("s", "q", response("b" + std::to_string(i)), response("c" + std::to_string(i)),
            {at("PrimaryResult[*].Count"), at("PrimaryResult[*].Count"),
             at("QueryStatus[*].Timestamp")},
            noise);
  agg.add("s", "other", response("b"), response("c"), {at("QueryStatus[*].Timestamp")}, noise);
  auto groups = agg.groups();
  ASSERT_EQ(groups.size(), 2u);
  // Most frequent first. Noise for step q, not for step "other": the group is not all noise.
  EXPECT_EQ(groups[0].path, "QueryStatus[*].Timestamp");
  EXPECT_EQ(groups[0].count, 6u);
  EXPECT_FALSE(groups[0].noise);
  EXPECT_EQ(groups[1].path, "PrimaryResult[*].Count");
  EXPECT_EQ(groups[1].count, 5u); // two rows differ in each pair: counted once per pair
  EXPECT_FALSE(groups[1].noise);
  ASSERT_EQ(groups[1].examples.size(), 3u);
  EXPECT_EQ(groups[1].examples[0].baseline_request_id, "b0");
  EXPECT_EQ(groups[1].examples[0].candidate_request_id, "c0");
  EXPECT_EQ(groups[1].examples[0].baseline, "1");
  EXPECT_EQ(groups[1].examples[0].candidate, "2");
}

TEST(Aggregate, AGroupThatIsNoiseEverywhereCarriesItsRate) {
  Noise noise;
  noise.learn("s", "q", {"headers.date"});
  noise.learn("s", "q", {});
  Aggregator agg;
  agg.add("s", "q", response("b"), response("c"), {at("headers.date")}, noise);
  auto groups = agg.groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_TRUE(groups[0].noise);
  EXPECT_DOUBLE_EQ(groups[0].noise_rate, 0.5);
}

TEST(ExchangeDiff, StatusHeadersAndBodyWithNormalisedPaths) {
  compare::BodyComparer comparer;
  Response a =
      response("b", 200,
               R"([{"FrameType":"DataTable","TableId":0,"TableKind":"PrimaryResult",)"
               R"("TableName":"PrimaryResult","Columns":[{"ColumnName":"N","ColumnType":"long"}],)"
               R"("Rows":[[1],[2]]}])");
  Response b = a;
  b.body = R"([{"FrameType":"DataTable","TableId":0,"TableKind":"PrimaryResult",)"
           R"("TableName":"PrimaryResult","Columns":[{"ColumnName":"N","ColumnType":"long"}],)"
           R"("Rows":[[1],[3]]}])";
  b.status = 206;
  a.headers = {{"Content-Type", "application/json"}, {"Content-Length", "10"}, {"Server", "x"}};
  b.headers = {{"content-type", "application/json"}, {"Content-Length", "99"}};
  compare::Rules rules;
  auto diffs = compare_responses(a, b, protocol::Kind::kusto_v2, rules, comparer);
  ASSERT_EQ(diffs.size(), 3u);
  EXPECT_EQ(diffs[0].path, "status");
  // Header names compare case-insensitively; Content-Length follows the body and is left out.
  EXPECT_EQ(diffs[1].path, "headers.server");
  EXPECT_EQ(diffs[1].second, "(missing)");
  EXPECT_EQ(diffs[2].path, "PrimaryResult[*].N");
  EXPECT_EQ(diffs[2].raw_path, "$[0].Rows[1][0]");
}

TEST(ExchangeDiff, VolatileHeadersCountOnlyWithoutProtocolDefaults) {
  compare::BodyComparer comparer;
  Response a = response("b");
  Response b = response("c");
  a.headers = {{"x-ms-activity-id", "1"}};
  b.headers = {{"x-ms-activity-id", "2"}};
  compare::Rules rules;
  EXPECT_TRUE(compare_responses(a, b, protocol::Kind::json, rules, comparer).empty());
  rules.protocol_defaults = false;
  auto diffs = compare_responses(a, b, protocol::Kind::json, rules, comparer);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].path, "headers.x-ms-activity-id");
}

} // namespace
} // namespace konform::diff
