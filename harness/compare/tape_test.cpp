// Identical values are skipped by one scan of simdjson's tape (compare/tape.h). These are the
// cases where two identical values must still be judged: a golden matcher ("{{any-guid}}" is
// not a guid), a path matcher, and a Kusto row that does not fit its table even though both
// sides send the same; and the values the tape tells apart but the comparison does not.
#include "compare/compare.h"
#include "compare/tape.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::compare {
namespace {

using protocol::Kind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Difference> diff(std::string_view expected, std::string_view actual, Kind kind,
                             const Rules& rules = {}) {
  auto r = compare_bodies(expected, actual, kind, rules);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::vector<Difference>{};
}

std::vector<std::string> paths(const std::vector<Difference>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds)
    out.push_back(d.path);
  return out;
}

simdjson::dom::element parse(simdjson::dom::parser& p, const simdjson::padded_string& s) {
  return p.parse(s).value();
}

TEST(Tape, SameTapeIsByteForByteEquality) {
  simdjson::dom::parser p1;
  simdjson::dom::parser p2;
  auto same = [&](std::string_view a, std::string_view b) {
    simdjson::padded_string pa(a);
    simdjson::padded_string pb(b);
    return same_tape(parse(p1, pa), parse(p2, pb));
  };
  EXPECT_TRUE(
      same(R"({"a":[1,2.5,"x",true,null,{}]})", R"({ "a" : [1, 2.5, "x", true, null, {}] })"));
  EXPECT_FALSE(same(R"({"a":1,"b":2})", R"({"b":2,"a":1})")); // order: the full walk decides
  EXPECT_FALSE(same(R"([1])", R"([1.0])"));                   // types differ: the walk decides
  EXPECT_FALSE(same(R"(["ab"])", R"(["abc"])"));
  EXPECT_FALSE(same(R"([[1],2])", R"([[1,2]])"));
  EXPECT_FALSE(same(R"(["{{any-guid}}"])", R"(["{{any-guid}}"])")); // maybe a golden matcher
}

TEST(Tape, IdenticalValuesStillMeetGoldenAndPathMatchers) {
  // The literal text "{{any-guid}}" is not a guid, even when the actual body sends it too.
  std::string body = R"({"a":{"id":"{{any-guid}}","n":1},"b":[["{{any-number}}"]]})";
  EXPECT_THAT(paths(diff(body, body, Kind::json)), ElementsAre("$.a.id", "$.b[0][0]"));
  Rules r;
  r.matchers = {{"$.a.id", Matcher::any_guid}};
  std::string plain = R"({"a":{"id":"x","n":1}})";
  EXPECT_THAT(paths(diff(plain, plain, Kind::json, r)), ElementsAre("$.a.id"));
}

constexpr std::string_view kV2 = R"([
{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},
{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult",
 "Columns":[{"ColumnName":"Name","ColumnType":"string"},{"ColumnName":"Id","ColumnType":"guid"},
            {"ColumnName":"Count","ColumnType":"long"}],
 "Rows":[["a","{{any-guid}}",1],["b","3bdcc252-b0a2-4ae3-83aa-b2aef9df49f7"],["c","x",3]]},
{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";

TEST(Tape, IdenticalKustoRowsAreStillCheckedAgainstTheirTable) {
  auto ds = diff(kV2, kV2, Kind::kusto_v2);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].path, "$[1].Rows[0][1]"); // a golden matcher in a row
  EXPECT_THAT(ds[0].message, HasSubstr("expected any-guid"));
  EXPECT_EQ(ds[1].path, "$[1].Rows[1]"); // a row that is one cell short on both sides
  EXPECT_THAT(ds[1].message, HasSubstr("the row has 2 cells but the table has 3 columns"));
  Rules r;
  r.matchers = {{"$[1].Rows[*][2]", Matcher::any_string}};
  EXPECT_THAT(paths(diff(kV2, kV2, Kind::kusto_v2, r)),
              ElementsAre("$[1].Rows[0][1]", "$[1].Rows[0][2]", "$[1].Rows[1]", "$[1].Rows[2][2]"));
}

TEST(Tape, IdenticalKsqlRowsStillMeetMatchers) {
  std::string body = R"([{"header":{"queryId":"q1","schema":"`USERID` STRING, `N` INT"}},)"
                     R"({"row":{"columns":["{{any-guid}}",1]}},{"row":{"columns":["u",2]}}])";
  EXPECT_THAT(paths(diff(body, body, Kind::ksql_stream)), ElementsAre("$[1].row.columns[0]"));
  Rules r;
  r.matchers = {{"$[*].row.columns[1]", Matcher::any_string}};
  EXPECT_THAT(paths(diff(body, body, Kind::ksql_stream, r)),
              ElementsAre("$[1].row.columns[0]", "$[1].row.columns[1]", "$[2].row.columns[1]"));
}

} // namespace
} // namespace konform::compare
