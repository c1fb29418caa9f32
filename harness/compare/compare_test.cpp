// The generic comparison and its rules: key order, every difference reported, types, numbers,
// ignore / unordered / tolerance / matchers, bad JSON on either side, the text kind.
#include "compare/compare.h"
#include "test_support/compare_bodies.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::compare {
namespace {

using protocol::Kind;
using test_support::diff;
using test_support::paths;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Compare, KeyOrderNeverMatters) {
  EXPECT_TRUE(
      diff(R"({"a":1,"b":{"x":[1,2],"y":null}})", R"({"b":{"y":null,"x":[1,2]},"a":1})").empty());
}

TEST(Compare, ReportsEveryDifferenceWithPathExpectedAndActual) {
  auto ds = diff(R"({"a":1,"b":[1,2,3],"c":{"d":"x"},"gone":true})",
                 R"({"a":2,"b":[1,5],"c":{"d":"y"},"new":false})");
  ASSERT_EQ(ds.size(), 6u);
  EXPECT_THAT(paths(ds), ElementsAre("$.a", "$.b[1]", "$.b[2]", "$.c.d", "$.gone", "$.new"));
  EXPECT_EQ(ds[0].expected, "1");
  EXPECT_EQ(ds[0].actual, "2");
  EXPECT_EQ(ds[0].message, "expected 1, got 2");
  EXPECT_EQ(ds[2].expected, "3");
  EXPECT_EQ(ds[2].actual, "(missing)");
  EXPECT_EQ(ds[3].expected, "\"x\"");
  EXPECT_EQ(ds[4].message, "member \"gone\" missing");
  EXPECT_EQ(ds[5].actual, "false");
  EXPECT_EQ(ds[5].message, "unexpected member \"new\"");
}

// A long string (a statementText, a CSV cell) that first differs far from its start: both values
// are kept far enough for the report to point at the difference; the message stays short.
TEST(Compare, LongStringsKeepTheirFirstDifference) {
  std::string head(800, 'x');
  auto ds = diff("{\"s\":\"" + head + "A tail\"}", "{\"s\":\"" + head + "B tail\"}");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].expected, "\"" + head + "A tail\"");
  EXPECT_EQ(ds[0].actual, "\"" + head + "B tail\"");
  EXPECT_LT(ds[0].message.size(), 700u);
  // Past the keep limit the value is cut, never inside a UTF-8 character.
  std::string huge;
  for (int i = 0; i < 9000; ++i)
    huge += "\xc3\xa9";
  auto cut = diff("{\"s\":\"" + huge + "a\"}", "{\"s\":\"" + huge + "b\"}");
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_TRUE(cut[0].expected.ends_with("\xc3\xa9..."));
  EXPECT_LE(cut[0].expected.size(), 16u * 1024);
}

TEST(Compare, LargeReorderedObjectsPairMembersByName) {
  std::string expected = "{";
  std::string actual = "{";
  for (int i = 0; i < 100; ++i) {
    expected += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
    int k = 99 - i;
    actual += (i ? "," : "") + std::string("\"k") + std::to_string(k) +
              "\":" + std::to_string(k == 42 ? -1 : k);
  }
  auto ds = diff(expected + ",\"gone\":1}", actual + ",\"new2\":2,\"new1\":1}");
  EXPECT_THAT(paths(ds), ElementsAre("$.k42", "$.gone", "$.new2", "$.new1"));
}

TEST(Compare, ExtraArrayElementsAreNamed) {
  auto ds = diff("[1]", "[1,2,3]");
  EXPECT_THAT(paths(ds), ElementsAre("$[1]", "$[2]"));
  EXPECT_EQ(ds[1].message, "unexpected element [2]");
}

TEST(Compare, TypeDifferencesAreDifferences) {
  auto ds = diff(R"({"n":1,"b":true,"z":null})", R"({"n":"1","b":1,"z":0})");
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[0].message, "expected a number (1), got a string (\"1\")");
  EXPECT_EQ(ds[1].message, "expected a boolean (true), got a number (1)");
  EXPECT_EQ(ds[2].path, "$.z");
}

TEST(Compare, NumbersCompareExactlyWithoutLosingInt64Precision) {
  // Both round to the same double; as int64 they differ.
  EXPECT_EQ(diff("[9223372036854775807]", "[9223372036854775806]").size(), 1u);
  EXPECT_EQ(diff("[18446744073709551615]", "[18446744073709551614]").size(), 1u);
  EXPECT_TRUE(diff("[9223372036854775807]", "[9223372036854775807]").empty());
  // The same number written differently is the same value.
  EXPECT_TRUE(diff("[1, 2.5, 100]", "[1.0, 2.50, 1e2]").empty());
  EXPECT_TRUE(diff("[5]", "[5.0]").empty());
  EXPECT_EQ(diff("[5]", "[5.000001]").size(), 1u);
  EXPECT_EQ(diff("[0.1]", "[0.10000000000000002]").size(), 1u);
  EXPECT_EQ(diff("[-1]", "[18446744073709551615]").size(), 1u);
}

TEST(Compare, NumericToleranceIsAbsolute) {
  Rules r;
  r.numeric_tolerance = 0.01;
  EXPECT_TRUE(diff(R"({"x":1.0,"y":100})", R"({"x":1.005,"y":100.005})", Kind::json, r).empty());
  auto ds = diff(R"({"x":1.0})", R"({"x":1.02})", Kind::json, r);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].path, "$.x");
  // Tolerance is for numbers only.
  EXPECT_EQ(diff(R"({"x":"1.0"})", R"({"x":"1.001"})", Kind::json, r).size(), 1u);
}

TEST(Compare, IgnorePathsWithWildcardsAndDescent) {
  Rules r;
  r.ignore = {"$.meta.time", "$.rows[*][1]", "$..etag"};
  auto ds = diff(R"({"meta":{"time":1,"n":1},"rows":[[1,"a"],[2,"b"]],"deep":{"x":{"etag":"1"}}})",
                 R"({"meta":{"time":2,"n":1},"rows":[[1,"z"],[3,"y"]],"deep":{"x":{"etag":"2"}}})",
                 Kind::json, r);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].path, "$.rows[1][0]");
}

TEST(Compare, IgnoredPathMayBeMissingOrExtra) {
  Rules r;
  r.ignore = {"$.volatile"};
  EXPECT_TRUE(diff(R"({"a":1,"volatile":1})", R"({"a":1})", Kind::json, r).empty());
  EXPECT_TRUE(diff(R"({"a":1})", R"({"a":1,"volatile":2})", Kind::json, r).empty());
}

TEST(Compare, UnorderedArraysAreMultisets) {
  Rules r;
  r.unordered = {"$.items"};
  EXPECT_TRUE(
      diff(R"({"items":[1,2,2,{"a":3}]})", R"({"items":[{"a":3},2,1,2]})", Kind::json, r).empty());
  // Multiset, not set: a duplicate that appears once is missing once.
  auto ds = diff(R"({"items":[1,2,2,7]})", R"({"items":[2,1,8,9]})", Kind::json, r);
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0].path, "$.items");
  EXPECT_EQ(ds[0].expected, "2");
  EXPECT_THAT(ds[0].message, HasSubstr("not found"));
  EXPECT_EQ(ds[1].expected, "7");
  EXPECT_EQ(ds[2].path, "$.items[2]");
  EXPECT_EQ(ds[2].actual, "8");
  EXPECT_THAT(ds[2].message, HasSubstr("unexpected element [2]"));
  EXPECT_EQ(ds[3].actual, "9");
  // Without the rule, order matters.
  EXPECT_EQ(diff("[1,2]", "[2,1]").size(), 2u);
}

TEST(Compare, UnorderedPairsByValueWhateverTheShuffle) {
  // Reversed, with duplicates, key order changed and 1 written as 1.0: pairs are found by value.
  std::string expected = "[";
  std::string actual = "[";
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    expected +=
        (i ? "," : "") + std::string(R"({"id":)") + std::to_string(i % 150) + R"(,"v":[1,"x"]})";
    int k = n - 1 - i;
    actual += (i ? "," : "") + std::string(R"({"v":[1.0,"x"],"id":)") +
              std::to_string(k == 7 ? 999 : k % 150) + "}";
  }
  expected += "]";
  actual += "]";
  Rules r;
  r.unordered = {"$"};
  auto ds = diff(expected, actual, Kind::json, r);
  // Element 7 of the expected side became id 999 (at actual index n-1-7): one change inside.
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].path, "$[392].id");
  EXPECT_EQ(ds[0].expected, "7");
  EXPECT_EQ(ds[0].actual, "999");
}

TEST(Compare, UnorderedWithOneChangedElementShowsTheChangeInside) {
  Rules r;
  r.unordered = {"$"};
  auto ds = diff(R"([{"id":1,"v":"a"},{"id":2,"v":"b"}])", R"([{"id":2,"v":"B"},{"id":1,"v":"a"}])",
                 Kind::json, r);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].path, "$[0].v");
  EXPECT_EQ(ds[0].actual, "\"B\"");
}

TEST(Compare, UnorderedMatchingHonoursIgnoreRulesInsideElements) {
  Rules r;
  r.unordered = {"$[*]"};
  r.ignore = {"$[*][*].ts"};
  EXPECT_TRUE(diff(R"([[{"id":1,"ts":5},{"id":2,"ts":6}]])",
                   R"([[{"id":2,"ts":9},{"id":1,"ts":0}]])", Kind::json, r)
                  .empty());
}

TEST(Compare, MatchersByPath) {
  Rules r;
  r.matchers = {{"$.id", Matcher::any_guid},       {"$.when", Matcher::any_datetime},
                {"$.took", Matcher::any_timespan}, {"$.name", Matcher::any_string},
                {"$.n", Matcher::any_number},      {"$.ok", Matcher::any_bool},
                {"$.blob", Matcher::any_value}};
  std::string expected = R"({"id":"x","when":"x","took":"x","name":"x","n":0,"ok":false,"blob":1})";
  EXPECT_TRUE(
      diff(expected,
           R"({"id":"3bdcc252-b0a2-4ae3-83aa-b2aef9df49f7","when":"2022-08-07T08:33:16.8406426Z",
                       "took":"00:00:00.0156198","name":"y","n":2.5,"ok":true,"blob":{"q":[1]}})",
           Kind::json, r)
          .empty());
  auto ds = diff(expected,
                 R"({"id":"not-a-guid","when":"yesterday","took":"fast","name":1,"n":"2",
                     "ok":"true","blob":null})",
                 Kind::json, r);
  EXPECT_THAT(paths(ds), ElementsAre("$.id", "$.when", "$.took", "$.name", "$.n", "$.ok"));
  EXPECT_EQ(ds[0].expected, "{{any-guid}}");
  EXPECT_EQ(ds[0].message, "expected any-guid, got \"not-a-guid\"");
}

TEST(Compare, MatchersAsGoldenValues) {
  std::string golden = R"({"id":"{{any-guid}}","at":"{{any-datetime}}","v":"{{any-value}}",
                           "literal":"{{not-a-matcher}}"})";
  EXPECT_TRUE(diff(golden, R"({"id":"123E27DE-1E4E-49D9-B579-FE0B331D3642","at":"2024-01-01",
                               "v":[1],"literal":"{{not-a-matcher}}"})")
                  .empty());
  auto ds = diff(golden, R"({"id":"123","at":"2024-01-01T00:00:00Z","literal":"x"})");
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[0].path, "$.id");
  // any-value still requires the member.
  EXPECT_EQ(ds[1].path, "$.v");
  EXPECT_EQ(ds[1].actual, "(missing)");
  EXPECT_EQ(ds[2].path, "$.literal");
}

TEST(Compare, BadJsonOnEitherSideNamesTheSideAndLineColumn) {
  auto e = compare_bodies("{\n  \"a\": 1,\n  \"b\": }", "{}", Kind::json, {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::expected);
  EXPECT_THAT(e.error().message, HasSubstr("expected body:3:8"));
  auto a = compare_bodies("{}", "[1,\n2,,3]", Kind::kusto_v2, {});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().kind, ErrorKind::actual);
  EXPECT_THAT(a.error().message, HasSubstr("actual body:2:3"));
}

TEST(Compare, InvalidRulePathIsAnError) {
  Rules r;
  r.ignore = {"$.a[x]"};
  auto res = compare_bodies("{}", "{}", Kind::json, r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().kind, ErrorKind::rules);
  EXPECT_THAT(res.error().message, HasSubstr("$.a[x]"));
  EXPECT_THAT(res.error().message, HasSubstr("character 5"));
}

TEST(Compare, RulePathsAreCheckedWithAReason) {
  for (const char* good : {"$", "$.a.b", "$[0]", "$[*].Rows", "$..ActivityId", "$.*", "$..[*]",
                           "$[\"odd key\"].x", "$.@context"})
    EXPECT_TRUE(check_rule_path(good).ok()) << good;
  auto no_root = check_rule_path("a.b");
  ASSERT_FALSE(no_root.ok());
  EXPECT_THAT(no_root.error().message, HasSubstr("starts with '$'"));
  auto open_bracket = check_rule_path("$.rows[1");
  ASSERT_FALSE(open_bracket.ok());
  EXPECT_THAT(open_bracket.error().message, HasSubstr("character 8"));
  EXPECT_FALSE(check_rule_path("$..").ok());
  EXPECT_FALSE(check_rule_path("$.").ok());
}

TEST(Compare, OddKeysArePrintedQuoted) {
  auto ds = diff(R"({"a b":1,"@type":"x"})", R"({"a b":2,"@type":"y"})");
  EXPECT_THAT(paths(ds), ElementsAre("$[\"a b\"]", "$.@type"));
}

TEST(Compare, TextKindShowsTheFirstDifferentLine) {
  auto ds = diff("line one\nline two\nline three\n", "line one\nline 2\nline three\n", Kind::text);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].path, "line 2");
  EXPECT_EQ(ds[0].expected, "\"line two\"");
  EXPECT_EQ(ds[0].actual, "\"line 2\"");
  EXPECT_THAT(ds[0].message, HasSubstr("line 2, column 6"));
  EXPECT_TRUE(diff("same", "same", Kind::text).empty());
  auto longer = diff("abc", "abc\ndef", Kind::text);
  ASSERT_EQ(longer.size(), 1u);
  EXPECT_THAT(longer[0].message, HasSubstr("4 more bytes"));
  // Text is not parsed: invalid JSON is fine.
  EXPECT_EQ(diff("{oops", "{oops!", Kind::text).size(), 1u);
}

TEST(Compare, ParsedDocumentsCanBeComparedDirectly) {
  simdjson::dom::parser p1;
  simdjson::dom::parser p2;
  auto e = p1.parse(std::string_view(R"({"a":[1,2]})"));
  auto a = p2.parse(std::string_view(R"({"a":[1,3]})"));
  auto ds = compare(e.value(), a.value(), Kind::json, {});
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].path, "$.a[1]");
}

TEST(Compare, BodyComparerGivesTheSameAnswersWhenReused) {
  BodyComparer comparer;
  for (int round = 0; round < 3; ++round) {
    auto big =
        comparer.compare(R"({"a":[1,2,3],"b":"x"})", R"({"b":"y","a":[1,2,4]})", Kind::json, {});
    ASSERT_TRUE(big.ok());
    EXPECT_THAT(paths(*big), ElementsAre("$.a[2]", "$.b"));
    // A shorter body after a longer one: no bytes of the previous body may leak in.
    auto small = comparer.compare("[1]", "[1]", Kind::json, {});
    ASSERT_TRUE(small.ok());
    EXPECT_TRUE(small->empty());
    auto bad = comparer.compare("[1]", "[1", Kind::json, {});
    ASSERT_FALSE(bad.ok());
    EXPECT_THAT(bad.error().message, HasSubstr("actual body:1:3"));
  }
}

TEST(Compare, CompareInPlaceLeavesTheBodiesAsTheyWere) {
  BodyComparer comparer;
  std::string expected = R"({"a":[1,2,3],"b":"x"})";
  std::string actual = R"({"b":"y","a":[1,2,4]})";
  auto ds = comparer.compare_in_place(expected, actual, Kind::json, {});
  ASSERT_TRUE(ds.ok());
  EXPECT_THAT(paths(*ds), ElementsAre("$.a[2]", "$.b"));
  EXPECT_EQ(expected, R"({"a":[1,2,3],"b":"x"})");
  EXPECT_EQ(actual, R"({"b":"y","a":[1,2,4]})");
  std::string broken = "{\n\"a\": }";
  auto bad = comparer.compare_in_place(expected, broken, Kind::json, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("actual body:2:6"));
  EXPECT_EQ(broken, "{\n\"a\": }");
}

TEST(Compare, VolatileHeadersAreTheGeneratedOnes) {
  EXPECT_TRUE(is_volatile_header("x-ms-activity-id"));
  EXPECT_TRUE(is_volatile_header("X-MS-Activity-Id"));
  EXPECT_TRUE(is_volatile_header("date"));
  EXPECT_FALSE(is_volatile_header("Content-Type"));
  EXPECT_FALSE(is_volatile_header("x-ms-activity"));
}

} // namespace
} // namespace konform::compare
