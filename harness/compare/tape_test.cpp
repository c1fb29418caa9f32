// Identical values are skipped by one scan of simdjson's tape (compare/tape.h). These are the
// cases where two identical values must still be judged: a golden matcher ("{{any-guid}}" is
// not a guid), a path matcher, and a Kusto row that does not fit its table even though both
// sides send the same; and the values the tape tells apart but the comparison does not.
#include "compare/compare.h"
#include "compare/tape.h"
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
  // The strings of a value are compared as one range of the string buffer: the same bytes split
  // differently, or a change in the last string, still differ.
  EXPECT_FALSE(same(R"(["a","bc"])", R"(["ab","c"])"));
  EXPECT_FALSE(same(R"(["ab","c"])", R"(["ab","d"])"));
  EXPECT_TRUE(same(R"({"k":"v","n":["x","",{"{":"}"}]})", R"({"k":"v","n":["x","",{"{":"}"}]})"));
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

// QueryCompletionInformation rows differ on every run in their ids and timestamps (and a
// statistics row in its payload). Such a row is decided on the tape from its other cells; these
// are the cases where the other cells still count, or where the row does not fit its table.
std::string qci(std::string_view rows) {
  std::string s =
      R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},)"
      R"({"FrameType":"DataTable","TableId":2,"TableKind":"QueryCompletionInformation",)"
      R"("TableName":"QueryCompletionInformation","Columns":[)"
      R"({"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"ActivityId","ColumnType":"guid"},)"
      R"({"ColumnName":"Level","ColumnType":"int"},{"ColumnName":"LevelName","ColumnType":"string"},)"
      R"({"ColumnName":"EventTypeName","ColumnType":"string"},{"ColumnName":"Payload","ColumnType":"string"}],)"
      R"("Rows":)";
  s += rows;
  s += R"(},{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";
  return s;
}

TEST(Tape, VolatileKustoRowsAreJudgedByTheirOtherCells) {
  std::string expected = qci(
      R"([["2024-05-01T10:00:00Z","3bdcc252-0000-4000-8000-000000000001",4,"Info","QueryInfo","{\"Count\":1}"],)"
      R"(["2024-05-01T10:00:00Z","3bdcc252-0000-4000-8000-000000000001",6,"Stats","QueryResourceConsumption","{\"ExecutionTime\":0.1}"]])");
  // Another run: new ids, timestamps and statistics, nothing else.
  std::string rerun = qci(
      R"([["2025-01-02T03:04:05Z","9f1c0a52-5d0e-4a47-9d7e-1f3b2f0c9a11",4,"Info","QueryInfo","{\"Count\":1}"],)"
      R"(["2025-01-02T03:04:05Z","9f1c0a52-5d0e-4a47-9d7e-1f3b2f0c9a11",6,"Stats","QueryResourceConsumption","{\"ExecutionTime\":0.7}"]])");
  EXPECT_TRUE(diff(expected, rerun, Kind::kusto_v2).empty());
  // The same run with a changed level and an Info payload: both reported at their cells, the
  // statistics payload still not.
  std::string changed = qci(
      R"([["2025-01-02T03:04:05Z","9f1c0a52-5d0e-4a47-9d7e-1f3b2f0c9a11",4,"Info","QueryInfo","{\"Count\":2}"],)"
      R"(["2025-01-02T03:04:05Z","9f1c0a52-5d0e-4a47-9d7e-1f3b2f0c9a11",5,"Stats","QueryResourceConsumption","{\"ExecutionTime\":0.7}"]])");
  auto ds = diff(expected, changed, Kind::kusto_v2);
  EXPECT_THAT(paths(ds), ElementsAre("$[1].Rows[0][5]", "$[1].Rows[1][2]"));
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(
      ds[0].message,
      R"(QueryCompletionInformation row 0, column Payload: expected "{\"Count\":1}", got "{\"Count\":2}")");
  EXPECT_EQ(ds[1].message, "QueryCompletionInformation row 1, column Level: expected 6, got 5");
  // A golden matcher in a cell next to volatile ones is still judged, and a row one cell short
  // is still one that does not fit its table (its missing cell is the statistics payload).
  std::string golden = qci(
      R"([["2024-05-01T10:00:00Z","3bdcc252-0000-4000-8000-000000000001","{{any-string}}","Info","QueryInfo","{\"Count\":1}"],)"
      R"(["2024-05-01T10:00:00Z","3bdcc252-0000-4000-8000-000000000001",6,"Stats","QueryResourceConsumption","{\"ExecutionTime\":0.1}"]])");
  std::string short_row = qci(
      R"([["2025-01-02T03:04:05Z","9f1c0a52-5d0e-4a47-9d7e-1f3b2f0c9a11",4,"Info","QueryInfo","{\"Count\":1}"],)"
      R"(["2025-01-02T03:04:05Z","9f1c0a52-5d0e-4a47-9d7e-1f3b2f0c9a11",6,"Stats","QueryResourceConsumption"]])");
  auto against_golden = diff(golden, short_row, Kind::kusto_v2);
  EXPECT_THAT(paths(against_golden), ElementsAre("$[1].Rows[0][2]", "$[1].Rows[1]"));
}

} // namespace
} // namespace konform::compare
