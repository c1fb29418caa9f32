// Normalised paths: the same cell of any row, table layout or response reads the same, named by
// its table and column, so differences and noise can be counted over steps and repeats.
#include "compare/ksql_stream.h"
#include "diff/normalise.h"
#include "json/document.h"

#include <gtest/gtest.h>

namespace konform::diff {
namespace {

using protocol::Kind;

std::string normalised(Kind kind, std::string_view body, std::string_view path) {
  auto doc = json::Document::parse(body);
  EXPECT_TRUE(doc.ok()) << doc.error().message;
  if (!doc) return {};
  auto root = doc->root();
  return normalise_path(kind, path, &root);
}

constexpr std::string_view kV2 =
    R"([{"FrameType":"DataSetHeader","Version":"v2.0"},)"
    R"({"FrameType":"TableHeader","TableId":0,"TableKind":"PrimaryResult","TableName":"PrimaryResult",)"
    R"("Columns":[{"ColumnName":"State","ColumnType":"string"},{"ColumnName":"EventTime","ColumnType":"datetime"}]},)"
    R"({"FrameType":"TableFragment","TableId":0,"Rows":[["TEXAS","2007-01-01T00:00:00Z"]]},)"
    R"({"FrameType":"TableFragment","TableId":0,"Rows":[["OHIO","2007-01-02T00:00:00Z"]]},)"
    R"({"FrameType":"TableCompletion","TableId":0,"RowCount":2},)"
    R"({"FrameType":"DataTable","TableId":1,"TableKind":"QueryCompletionInformation","TableName":"QueryCompletionInformation",)"
    R"("Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"ClientRequestId","ColumnType":"string"}],)"
    R"("Rows":[["2024-01-01T00:00:00Z","x"]]},)"
    R"({"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}])";

TEST(Normalise, KustoV2CellsAreNamedByTableAndColumnWhateverTheRowOrFragment) {
  EXPECT_EQ(normalised(Kind::kusto_v2, kV2, "$[2].Rows[0][1]"), "PrimaryResult[*].EventTime");
  EXPECT_EQ(normalised(Kind::kusto_v2, kV2, "$[3].Rows[0][1]"), "PrimaryResult[*].EventTime");
  EXPECT_EQ(normalised(Kind::kusto_v2, kV2, "$[5].Rows[0][1]"),
            "QueryCompletionInformation[*].ClientRequestId");
  EXPECT_EQ(normalised(Kind::kusto_v2, kV2, "$[3].Rows[0]"), "PrimaryResult[*]");
  EXPECT_EQ(normalised(Kind::kusto_v2, kV2, "$[1].Columns[1]"), "PrimaryResult.Columns.EventTime");
  EXPECT_EQ(normalised(Kind::kusto_v2, kV2, "$[0].Version"), "DataSetHeader.Version");
  EXPECT_EQ(normalised(Kind::kusto_v2, kV2, "$[6].HasErrors"), "DataSetCompletion.HasErrors");
}

TEST(Normalise, KustoV1TablesAreNamedFromTheTableOfContents) {
  constexpr std::string_view v1 =
      R"({"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"N","DataType":"Int64"}],"Rows":[[1],[2]]},)"
      R"({"TableName":"Table_1","Columns":[{"ColumnName":"Value","DataType":"String"}],"Rows":[["{}"]]},)"
      R"({"TableName":"Table_2","Columns":[{"ColumnName":"Timestamp","DataType":"DateTime"},{"ColumnName":"Severity","DataType":"Int32"},)"
      R"({"ColumnName":"SeverityName","DataType":"String"},{"ColumnName":"StatusDescription","DataType":"String"}],"Rows":[["t",4,"Info","ok"]]},)"
      R"({"TableName":"Table_3","Columns":[{"ColumnName":"Ordinal","DataType":"Int64"},{"ColumnName":"Kind","DataType":"String"},)"
      R"({"ColumnName":"Name","DataType":"String"},{"ColumnName":"Id","DataType":"String"}],)"
      R"("Rows":[[0,"QueryResult","PrimaryResult","a"],[1,"QueryProperties","@ExtendedProperties","b"],[2,"QueryStatus","QueryStatus","c"]]}]})";
  EXPECT_EQ(normalised(Kind::kusto_v1, v1, "$.Tables[0].Rows[1][0]"), "PrimaryResult[*].N");
  EXPECT_EQ(normalised(Kind::kusto_v1, v1, "$.Tables[2].Rows[0][0]"), "QueryStatus[*].Timestamp");
  EXPECT_EQ(normalised(Kind::kusto_v1, v1, "$.Tables[3].Rows[2][3]"), "TableOfContents[*].Id");
  EXPECT_EQ(normalised(Kind::kusto_v1, v1, "$.Tables[0].Columns[0]"), "PrimaryResult.Columns.N");
}

TEST(Normalise, KsqlRowsAreNamedByTheHeaderSchemaInEveryLayout) {
  constexpr std::string_view query =
      R"([{"header":{"queryId":"q1","schema":"`USERID` STRING, `PAGEID` STRING"}},)"
      R"({"row":{"columns":["U1","P1"]}},{"row":{"columns":["U2","P2"]}},{"finalMessage":"Limit Reached"}])";
  EXPECT_EQ(normalised(Kind::ksql_stream, query, "$[2].row.columns[1]"), "row[*].PAGEID");
  EXPECT_EQ(normalised(Kind::ksql_stream, query, "$[0].header.queryId"), "header.queryId");
  EXPECT_EQ(normalised(Kind::ksql_stream, query, "$[3].finalMessage"), "finalMessage");
  constexpr std::string_view delimited =
      R"([{"queryId":"q2","columnNames":["USERID","PAGEID"],"columnTypes":["STRING","STRING"]},["U1","P1"]])";
  EXPECT_EQ(normalised(Kind::ksql_stream, delimited, "$[1][1]"), "row[*].PAGEID");
  EXPECT_EQ(normalised(Kind::ksql_stream, delimited, "$[0].queryId"), "queryId");
}

TEST(Normalise, OtherKindsAndUnknownShapesKeepTheEnginePath) {
  EXPECT_EQ(normalised(Kind::json, R"({"a":[1,2]})", "$.a[1]"), "$.a[1]");
  EXPECT_EQ(normalised(Kind::ksql_entities, R"([{"commandId":"x"}])", "$[0].commandId"),
            "$[0].commandId");
  // A v2 body that has no table at that frame: the path stays positional, never invented.
  EXPECT_EQ(normalised(Kind::kusto_v2, R"([1,2])", "$[1]"), "$[1]");
  EXPECT_EQ(normalise_path(Kind::kusto_v2, "$[2].Rows[0][1]", nullptr), "$[2].Rows[0][1]");
}

TEST(Normalise, SplitPathReadsQuotedMembersAndRejectsOtherText) {
  auto segs = split_path(R"($.a["odd key"][3])");
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[0].key, "a");
  EXPECT_EQ(segs[1].key, "odd key");
  EXPECT_TRUE(segs[2].is_index);
  EXPECT_EQ(segs[2].index, 3u);
  EXPECT_TRUE(split_path("line 3").empty());
  EXPECT_TRUE(split_path("$[x]").empty());
}

} // namespace
} // namespace konform::diff
