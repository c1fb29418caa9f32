// Kusto responses compared as tables: messages name table, row and column; volatile values of
// QueryStatus / QueryCompletionInformation / TableOfContents are ignored, result data never is.
#include "compare/compare.h"
#include "core/file.h"
#include "test_support/compare_bodies.h"
#include "test_support/shared_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace konform::compare {
namespace {

using protocol::Kind;
using test_support::diff;
using test_support::messages;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// A v2 body: header, @ExtendedProperties (with a cursor), PrimaryResult with `rows`,
// QueryCompletionInformation with the given ids, time and statistics, completion.
constexpr std::string_view kV2 = R"json([
{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},
{"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","TableName":"@ExtendedProperties",
 "Columns":[{"ColumnName":"TableId","ColumnType":"int"},{"ColumnName":"Key","ColumnType":"string"},
            {"ColumnName":"Value","ColumnType":"dynamic"}],
 "Rows":[[1,"Visualization","{\"Visualization\":null}"],[1,"Cursor","637239957206@EXEC@"]]},
{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult",
 "Columns":@COLS@,"Rows":@ROWS@},
{"FrameType":"DataTable","TableId":2,"TableKind":"QueryCompletionInformation",
 "TableName":"QueryCompletionInformation",
 "Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},
            {"ColumnName":"ClientRequestId","ColumnType":"string"},
            {"ColumnName":"ActivityId","ColumnType":"guid"},{"ColumnName":"SubActivityId","ColumnType":"guid"},
            {"ColumnName":"ParentActivityId","ColumnType":"guid"},{"ColumnName":"Level","ColumnType":"int"},
            {"ColumnName":"LevelName","ColumnType":"string"},{"ColumnName":"StatusCode","ColumnType":"int"},
            {"ColumnName":"StatusCodeName","ColumnType":"string"},{"ColumnName":"EventType","ColumnType":"int"},
            {"ColumnName":"EventTypeName","ColumnType":"string"},{"ColumnName":"Payload","ColumnType":"string"}],
 "Rows":[["@TIME@","konform.s;@ID@","@ID@","@ID@","@ID@",4,"Info",0,"S_OK (0)",4,"QueryInfo",
          "{\"Count\":1,\"Text\":\"@INFO@\"}"],
         ["@TIME@","konform.s;@ID@","@ID@","@ID@","@ID@",6,"Stats",0,"S_OK (0)",0,
          "QueryResourceConsumption","{\"ExecutionTime\":@EXEC@}"]]},
{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}
])json";

constexpr std::string_view kCols =
    R"([{"ColumnName":"Name","ColumnType":"string"},{"ColumnName":"Count","ColumnType":"long"}])";
constexpr std::string_view kId = "3bdcc252-0000-4000-8000-000000000001";
constexpr std::string_view kTime = "2024-05-01T10:00:00.1234567Z";

std::string v2(std::string_view rows, std::string_view id = kId, std::string_view time = kTime,
               std::string_view exec = "0.0156",
               std::string_view info = "Query completed successfully",
               std::string_view columns = kCols) {
  std::string s(kV2);
  s = replace_all(s, "@ROWS@", rows);
  s = replace_all(s, "@COLS@", columns);
  s = replace_all(s, "@ID@", id);
  s = replace_all(s, "@TIME@", time);
  s = replace_all(s, "@EXEC@", exec);
  return replace_all(s, "@INFO@", info);
}

constexpr std::string_view kRows = R"([["a",1],["b",2],["c",3],["d",5]])";

TEST(KustoTables, CellDifferenceNamesTableRowAndColumn) {
  auto ds = diff(v2(kRows), v2(R"([["a",1],["b",2],["c",3],["d",6]])"), Kind::kusto_v2);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].message, "PrimaryResult row 3, column Count: expected 5, got 6");
  EXPECT_EQ(ds[0].path, "$[2].Rows[3][1]");
  EXPECT_EQ(ds[0].expected, "5");
  EXPECT_EQ(ds[0].actual, "6");
}

TEST(KustoTables, EveryChangedCellIsReported) {
  auto ds = diff(v2(kRows), v2(R"([["A",1],["b",2],["c",30],["D",50]])"), Kind::kusto_v2);
  EXPECT_THAT(messages(ds),
              ElementsAre("PrimaryResult row 0, column Name: expected \"a\", got \"A\"",
                          "PrimaryResult row 2, column Count: expected 3, got 30",
                          "PrimaryResult row 3, column Name: expected \"d\", got \"D\"",
                          "PrimaryResult row 3, column Count: expected 5, got 50"));
}

TEST(KustoTables, MissingAndExtraRowsAreNamed) {
  auto fewer = diff(v2(kRows), v2(R"([["a",1],["b",2]])"), Kind::kusto_v2);
  EXPECT_THAT(messages(fewer),
              ElementsAre("PrimaryResult row 2: row missing", "PrimaryResult row 3: row missing"));
  EXPECT_EQ(fewer[0].path, "$[2].Rows");
  EXPECT_EQ(fewer[0].expected, R"(["c",3])");
  auto more = diff(v2(R"([["a",1]])"), v2(R"([["a",1],["z",9]])"), Kind::kusto_v2);
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].message, "PrimaryResult row 1: unexpected row");
  EXPECT_EQ(more[0].path, "$[2].Rows[1]");
  EXPECT_EQ(more[0].actual, R"(["z",9])");
}

TEST(KustoTables, ColumnsMatchByNameMissingAndExtraAreNamed) {
  std::string three = R"([{"ColumnName":"Name","ColumnType":"string"},)"
                      R"({"ColumnName":"Count","ColumnType":"long"},)"
                      R"({"ColumnName":"Extra","ColumnType":"int"}])";
  std::string only_name = R"([{"ColumnName":"Name","ColumnType":"string"}])";
  auto ds =
      diff(v2(R"([["a",1]])"),
           v2(R"([["a",1,7]])", "3bdcc252-0000-4000-8000-000000000001",
              "2024-05-01T10:00:00.1234567Z", "0.0156", "Query completed successfully", three),
           Kind::kusto_v2);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].message, "PrimaryResult: unexpected column Extra");
  EXPECT_EQ(ds[0].path, "$[2].Columns[2]");
  auto missing =
      diff(v2(R"([["a",1]])"),
           v2(R"([["a"]])", "3bdcc252-0000-4000-8000-000000000001", "2024-05-01T10:00:00.1234567Z",
              "0.0156", "Query completed successfully", only_name),
           Kind::kusto_v2);
  ASSERT_EQ(missing.size(), 1u) << missing[1].message;
  EXPECT_EQ(missing[0].message, "PrimaryResult: column Count missing");
}

TEST(KustoTables, ReorderedColumnsAreOneDifferenceNotOnePerCell) {
  std::string swapped = R"([{"ColumnName":"Count","ColumnType":"long"},)"
                        R"({"ColumnName":"Name","ColumnType":"string"}])";
  auto ds =
      diff(v2(kRows),
           v2(R"([[1,"a"],[2,"b"],[3,"c"],[6,"d"]])", "3bdcc252-0000-4000-8000-000000000001",
              "2024-05-01T10:00:00.1234567Z", "0.0156", "Query completed successfully", swapped),
           Kind::kusto_v2);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].message,
            "PrimaryResult: columns in a different order: expected Name, Count, got Count, Name");
  // Cells still pair up by column name: only the real change is reported, at its actual path.
  EXPECT_EQ(ds[1].message, "PrimaryResult row 3, column Count: expected 5, got 6");
  EXPECT_EQ(ds[1].path, "$[2].Rows[3][0]");
}

TEST(KustoTables, ProtocolDefaultsIgnoreIdsTimestampsStatisticsAndCursor) {
  std::string golden = v2(kRows);
  std::string other_run =
      v2(kRows, "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "2025-12-31T23:59:59Z", "0.9999");
  EXPECT_TRUE(diff(golden, other_run, Kind::kusto_v2).empty());
  // Without the defaults the same bodies differ in ids, timestamps, statistics and the cursor.
  Rules strict;
  strict.protocol_defaults = false;
  auto ds = diff(golden, other_run, Kind::kusto_v2, strict);
  EXPECT_GE(ds.size(), 12u);
  EXPECT_THAT(messages(ds),
              ::testing::Contains(HasSubstr("QueryCompletionInformation row 1, column Payload")));
  EXPECT_THAT(messages(ds),
              ::testing::Contains(HasSubstr("@ExtendedProperties row 1, column Value")));
}

TEST(KustoTables, ProtocolDefaultsStillCompareStatusTextAndData) {
  auto ds = diff(v2(kRows),
                 v2(kRows, "3bdcc252-0000-4000-8000-000000000001", "2024-05-01T10:00:00.1234567Z",
                    "0.0156", "Query failed"),
                 Kind::kusto_v2);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_THAT(ds[0].message, HasSubstr("QueryCompletionInformation row 0, column Payload"));
  // An id-looking value in a PrimaryResult is data.
  std::string ids = R"([{"ColumnName":"ActivityId","ColumnType":"guid"}])";
  auto data = diff(
      v2(R"([["3bdcc252-0000-4000-8000-000000000001"]])", "3bdcc252-0000-4000-8000-000000000001",
         "2024-05-01T10:00:00.1234567Z", "0.0156", "Query completed successfully", ids),
      v2(R"([["3bdcc252-0000-4000-8000-000000000002"]])", "3bdcc252-0000-4000-8000-000000000001",
         "2024-05-01T10:00:00.1234567Z", "0.0156", "Query completed successfully", ids),
      Kind::kusto_v2);
  ASSERT_EQ(data.size(), 1u);
  EXPECT_THAT(data[0].message, HasSubstr("PrimaryResult row 0, column ActivityId"));
}

TEST(KustoTables, FragmentedTablesReadLikeOneTable) {
  std::string head =
      R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0","IsFragmented":true},)"
      R"({"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult",)"
      R"("Columns":[{"ColumnName":"N","ColumnType":"long"}]},)";
  std::string tail = R"({"FrameType":"TableCompletion","TableId":1,"RowCount":3},)"
                     R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";
  std::string one =
      head +
      R"({"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[1],[2],[3]]},)" +
      tail;
  std::string two =
      head +
      R"({"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[1]]},)"
      R"({"FrameType":"TableProgress","TableId":1,"TableProgress":50.0},)"
      R"({"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[2],[4]]},)" +
      tail;
  auto ds = diff(one, two, Kind::kusto_v2);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].message, "PrimaryResult row 2, column N: expected 3, got 4");
  EXPECT_EQ(ds[0].path, "$[4].Rows[1][0]"); // in the second fragment of the actual body
  // DataReplace discards the rows before it.
  std::string replaced =
      head +
      R"({"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[9]]},)"
      R"({"FrameType":"TableFragment","TableFragmentType":"DataReplace","TableId":1,"Rows":[[1],[2],[3]]},)" +
      tail;
  EXPECT_TRUE(diff(one, replaced, Kind::kusto_v2).empty());
}

TEST(KustoTables, DataTableAgainstFragmentedLayoutIsReported) {
  std::string data_table =
      R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},)"
      R"({"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult",)"
      R"("Columns":[{"ColumnName":"N","ColumnType":"long"}],"Rows":[[1]]},)"
      R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";
  std::string fragmented =
      R"([{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},)"
      R"({"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult",)"
      R"("Columns":[{"ColumnName":"N","ColumnType":"long"}]},)"
      R"({"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[1]]},)"
      R"({"FrameType":"TableCompletion","TableId":1,"RowCount":1},)"
      R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";
  auto ds = diff(data_table, fragmented, Kind::kusto_v2);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].path, "$[3]");
  EXPECT_EQ(ds[0].message, "unexpected frame TableCompletion");
  EXPECT_EQ(ds[1].path, "$[1].FrameType");
  EXPECT_EQ(ds[1].actual, "\"TableHeader\"");
}

TEST(KustoTables, MissingAndUnexpectedTablesAreNamed) {
  std::string body = v2(kRows);
  // Rename the primary table on one side: one table missing, one unexpected.
  std::string renamed = body;
  auto at = renamed.find(R"("TableName":"PrimaryResult")");
  renamed.replace(at, 27, R"("TableName":"Renamed")");
  auto ds = diff(body, renamed, Kind::kusto_v2);
  EXPECT_THAT(messages(ds), ElementsAre("table PrimaryResult (PrimaryResult) missing",
                                        "unexpected table Renamed (PrimaryResult)"));
  EXPECT_EQ(ds[1].path, "$[2]");
}

TEST(KustoTables, UnorderedRowsByRule) {
  Rules r;
  r.unordered = {"$[*].Rows"};
  EXPECT_TRUE(
      diff(v2(kRows), v2(R"([["d",5],["c",3],["a",1],["b",2]])"), Kind::kusto_v2, r).empty());
  auto ds = diff(v2(kRows), v2(R"([["d",5],["c",3],["a",1],["x",2]])"), Kind::kusto_v2, r);
  EXPECT_THAT(messages(ds), ElementsAre("PrimaryResult row 1: expected row not found (rows "
                                        "compared in any order)",
                                        "PrimaryResult row 3: unexpected row (rows compared in "
                                        "any order)"));
  EXPECT_EQ(ds[1].path, "$[2].Rows[3]");
}

TEST(KustoTables, IgnoreRuleOnACellPath) {
  Rules r;
  r.ignore = {"$[2].Rows[*][1]"};
  EXPECT_TRUE(
      diff(v2(kRows), v2(R"([["a",10],["b",20],["c",30],["d",50]])"), Kind::kusto_v2, r).empty());
}

TEST(KustoTables, V1TablesTakeTheirNamesFromTheTableOfContents) {
  auto v1 = [](std::string_view cell, std::string_view activity, std::string_view toc_id) {
    return std::string(
               R"({"Tables":[)"
               R"({"TableName":"Table_0","Columns":[{"ColumnName":"x","DataType":"Int64","ColumnType":"long"}],"Rows":[[1],[)") +
           std::string(cell) +
           R"(]]},)"
           R"({"TableName":"Table_1","Columns":[{"ColumnName":"Value","DataType":"String","ColumnType":"string"}],"Rows":[["{\"Visualization\":null}"]]},)"
           R"({"TableName":"Table_2","Columns":[{"ColumnName":"Timestamp","DataType":"DateTime","ColumnType":"datetime"},)"
           R"({"ColumnName":"Severity","DataType":"Int32","ColumnType":"int"},{"ColumnName":"SeverityName","DataType":"String","ColumnType":"string"},)"
           R"({"ColumnName":"StatusDescription","DataType":"String","ColumnType":"string"},{"ColumnName":"ActivityId","DataType":"Guid","ColumnType":"guid"}],)"
           R"("Rows":[["2022-08-07T08:33:16.8406426Z",4,"Info","Query completed successfully",")" +
           std::string(activity) +
           R"("],["2022-08-07T08:33:16.8406426Z",6,"Stats","{\"ExecutionTime\":0.)" +
           std::string(activity.substr(0, 3)) + R"(}",")" + std::string(activity) +
           R"("]]},)"
           R"({"TableName":"Table_3","Columns":[{"ColumnName":"Ordinal","DataType":"Int64"},{"ColumnName":"Kind","DataType":"String"},)"
           R"({"ColumnName":"Name","DataType":"String"},{"ColumnName":"Id","DataType":"String"},{"ColumnName":"PrettyName","DataType":"String"}],)"
           R"("Rows":[[0,"QueryResult","PrimaryResult",")" +
           std::string(toc_id) +
           R"(",""],[1,"QueryProperties","@ExtendedProperties","5a4806b4-deb1-466b-9d98-302763974f0d",""],)"
           R"([2,"QueryStatus","QueryStatus","00000000-0000-0000-0000-000000000000",""]]}]})";
  };
  std::string golden =
      v1("2", "3bdcc252-0000-4000-8000-000000000001", "cae915d4-b0a2-4ae3-83aa-b2aef9df49f7");
  EXPECT_TRUE(
      diff(golden,
           v1("2", "999cc252-0000-4000-8000-000000000009", "11111111-b0a2-4ae3-83aa-b2aef9df49f7"),
           Kind::kusto_v1)
          .empty());
  auto ds =
      diff(golden,
           v1("3", "3bdcc252-0000-4000-8000-000000000001", "cae915d4-b0a2-4ae3-83aa-b2aef9df49f7"),
           Kind::kusto_v1);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].message, "PrimaryResult row 1, column x: expected 2, got 3");
  EXPECT_EQ(ds[0].path, "$.Tables[0].Rows[1][0]");
}

TEST(KustoTables, ErrorBodiesIgnoreContextIdsButNotTheError) {
  auto err = [](std::string_view code, std::string_view id, std::string_view when) {
    return std::string(R"({"error":{"code":")") + std::string(code) +
           R"(","message":"Request is invalid","@context":{"timestamp":")" + std::string(when) +
           R"(","serviceAlias":"HELP","clientRequestId":"konform.x;)" + std::string(id) +
           R"(","activityId":")" + std::string(id) +
           R"(","activityType":"DN.FE.ExecuteQuery"},"@permanent":true}})";
  };
  EXPECT_TRUE(diff(err("BadRequest_SyntaxError", "a1", "2024-01-01T00:00:00Z"),
                   err("BadRequest_SyntaxError", "b2", "2025-01-01T00:00:00Z"), Kind::kusto_error)
                  .empty());
  auto ds = diff(err("BadRequest_SyntaxError", "a1", "2024-01-01T00:00:00Z"),
                 err("BadRequest_EntityNotFound", "b2", "2025-01-01T00:00:00Z"), Kind::kusto_error);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].path, "$.error.code");
}

TEST(KustoTables, InDataErrorRowsCompareAsJson) {
  std::string good = v2(R"([["a",1],{"OneApiErrors":[{"error":{"code":"LimitsExceeded"}}]}])");
  std::string bad = v2(R"([["a",1],{"OneApiErrors":[{"error":{"code":"Other"}}]}])");
  auto ds = diff(good, bad, Kind::kusto_v2);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].path, "$[2].Rows[1].OneApiErrors[0].error.code");
  EXPECT_THAT(ds[0].message, HasSubstr("PrimaryResult row 1:"));
}

TEST(KustoTables, RealRecordingsMatchThemselvesAndTheirKeyReorderedCopy) {
  KONFORM_SKIP_WITHOUT_SHARED("corpus/kusto/Azure__azure-kusto-python");
  std::string dir = test_support::shared_path("corpus/kusto/Azure__azure-kusto-python/");
  auto deft = file::read(dir + "azure-kusto-data__tests__input__deft.json");
  auto reordered = file::read(dir + "azure-kusto-data__tests__input__alternative_order.json");
  ASSERT_TRUE(deft.ok() && reordered.ok());
  EXPECT_TRUE(diff(*deft, *deft, Kind::kusto_v2).empty());
  EXPECT_TRUE(diff(*deft, *reordered, Kind::kusto_v2).empty());
  // The canonical golden form compares equal to the body it came from.
  auto golden = canonical_golden(*deft, Kind::kusto_v2);
  ASSERT_TRUE(golden.ok());
  EXPECT_TRUE(diff(*golden, *deft, Kind::kusto_v2).empty());
}

} // namespace
} // namespace konform::compare
