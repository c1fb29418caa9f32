#include "json/document.h"
#include "json/writer.h"
#include "serve/kusto/cluster/kql.h"
#include "serve/kusto/encode_v1.h"
#include "serve/kusto/encode_v2.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto {
namespace {

using cluster::Type;
using cluster::Value;

cluster::ResultTable sample_rows(std::size_t n) {
  cluster::ResultTable t;
  t.columns = {{"a", Type::int32}, {"when", Type::datetime}, {"d", Type::dynamic}};
  for (std::size_t k = 0; k < n; ++k)
    t.rows.push_back({Value::of_int(static_cast<std::int64_t>(k)),
                      cluster::parse_value(Type::datetime, "2020-01-01").value(),
                      Value::of_text(R"({"k":1})")});
  return t;
}

const RequestIds ids{"KNC.execute;abc", "11111111-2222-3333-4444-555555555555"};

std::vector<std::string> frame_types(const json::Document& doc) {
  std::vector<std::string> out;
  auto frames = doc.root().get_array().value(); // a named copy: the range must outlive the loop
  for (auto f : frames)
    out.emplace_back(f["FrameType"].get_string().value());
  return out;
}

TEST(KustoEncodeV2, DefaultLayoutIsDataTables) {
  std::string body;
  encode_v2(body, *prepare_result(sample_rows(2)), {}, ids, nullptr);
  auto doc = json::Document::parse(body);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(frame_types(*doc), (std::vector<std::string>{"DataSetHeader", "DataTable", "DataTable",
                                                         "DataTable", "DataSetCompletion"}));
  auto primary = doc->root().at(2);
  EXPECT_EQ(primary["TableKind"].get_string().value(), "PrimaryResult");
  EXPECT_EQ(primary["Columns"].at(1)["ColumnType"].get_string().value(), "datetime");
  EXPECT_TRUE(primary["Columns"].at(1)["DataType"].error()); // v2 columns carry no DataType
  EXPECT_EQ(json::compact(primary["Rows"].at(0)), R"([0,"2020-01-01T00:00:00Z",{"k":1}])");
  auto qci = doc->root().at(3);
  EXPECT_EQ(qci["Rows"].at(0).at(1).get_string().value(), "KNC.execute;abc");
  EXPECT_FALSE(doc->root().at(4)["HasErrors"].get_bool().value());
  EXPECT_EQ(body.find('\n'), std::string::npos);
}

TEST(KustoEncodeV2, FragmentedAndProgressiveLayouts) {
  V2Options o;
  o.fragmented = true;
  o.newlines = true;
  o.fragment_rows = 2;
  std::string body;
  encode_v2(body, *prepare_result(sample_rows(3)), o, ids, nullptr);
  auto doc = json::Document::parse(body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(frame_types(*doc),
            (std::vector<std::string>{"DataSetHeader", "DataTable", "TableHeader", "TableFragment",
                                      "TableFragment", "TableCompletion", "DataTable",
                                      "DataSetCompletion"}));
  EXPECT_NE(body.find("}\n,{"), std::string::npos);
  EXPECT_TRUE(doc->root().at(0)["IsFragmented"].get_bool().value());
  EXPECT_EQ(doc->root().at(5)["RowCount"].get_int64().value(), 3);

  V2Options p;
  p.progressive = true;
  body.clear();
  encode_v2(body, *prepare_result(sample_rows(1)), p, ids, nullptr);
  auto prog = json::Document::parse(body);
  ASSERT_TRUE(prog.ok());
  EXPECT_EQ(frame_types(*prog),
            (std::vector<std::string>{"DataSetHeader", "DataTable", "TableHeader", "TableFragment",
                                      "TableProgress", "TableCompletion", "DataTable",
                                      "DataSetCompletion"}));
  EXPECT_TRUE(prog->root().at(0)["IsProgressive"].get_bool().value());
}

TEST(KustoEncodeV2, PartialFailureGoesWhereThePlacementSays) {
  auto failure = truncation_failure(2);
  auto run = [&](V2Options o) {
    std::string body;
    encode_v2(body, *prepare_result(sample_rows(2)), o, ids, &failure);
    return json::Document::parse(body).value();
  };
  V2Options in_data;
  auto a = run(in_data);
  auto rows = a.root().at(2)["Rows"].get_array().value();
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows.at(2)["OneApiErrors"].error()); // an object inside Rows
  auto done = a.root().at(3);
  EXPECT_TRUE(done["HasErrors"].get_bool().value());
  EXPECT_EQ(done["OneApiErrors"].at(0)["error"]["code"].get_string().value(), "LimitsExceeded");

  V2Options end_of_table;
  end_of_table.fragmented = true;
  end_of_table.placement = ErrorPlacement::end_of_table;
  auto b = run(end_of_table);
  EXPECT_FALSE(b.root().at(4)["OneApiErrors"].error()); // on TableCompletion
  EXPECT_EQ(b.root().at(3)["Rows"].get_array().value().size(), 2u);

  V2Options end_of_dataset;
  end_of_dataset.placement = ErrorPlacement::end_of_dataset;
  auto c = run(end_of_dataset);
  EXPECT_EQ(c.root().at(2)["Rows"].get_array().value().size(), 2u);
  EXPECT_EQ(c.root().at(3)["TableKind"].get_string().value(), "QueryCompletionInformation");
  EXPECT_TRUE(c.root().at(4)["HasErrors"].get_bool().value());

  V2Options deferred;
  deferred.defer_partial = true;
  auto d = run(deferred);
  EXPECT_FALSE(d.root().at(4)["HasErrors"].get_bool().value());
  EXPECT_EQ(d.root().at(3)["Rows"].at(0).at(5).get_int64().value(), 2); // Level 2 = Error
}

TEST(KustoEncodeV1, QueryHasFourTablesAndCommandsOne) {
  std::string body;
  encode_v1_query(body, *prepare_result(sample_rows(1)), ids, nullptr, false);
  auto doc = json::Document::parse(body);
  ASSERT_TRUE(doc.ok());
  auto tables = doc->root()["Tables"].get_array().value();
  ASSERT_EQ(tables.size(), 4u);
  EXPECT_EQ(tables.at(0)["Columns"].at(0)["DataType"].get_string().value(), "Int32");
  EXPECT_EQ(tables.at(0)["Columns"].at(0)["ColumnType"].get_string().value(), "int");
  EXPECT_EQ(tables.at(2)["Rows"].at(0).at(9).get_string().value(), "KNC.execute;abc");
  EXPECT_EQ(tables.at(3)["Rows"].at(0).at(1).get_string().value(), "QueryResult");

  body.clear();
  encode_v1_command(body, sample_rows(1));
  auto cmd = json::Document::parse(body);
  ASSERT_TRUE(cmd.ok());
  EXPECT_EQ(cmd->root()["Tables"].get_array().value().size(), 1u);

  auto failure = truncation_failure(1);
  body.clear();
  encode_v1_query(body, *prepare_result(sample_rows(1)), ids, &failure, false);
  auto partial = json::Document::parse(body);
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->root()["Exceptions"].error());
  EXPECT_FALSE(partial->root()["Tables"].at(0)["Rows"].at(1)["Exceptions"].error());
}

TEST(KustoOneApiError, CarriesContextAndInnerError) {
  auto f = cluster::syntax_error("T take 1", 1, 3, "take");
  std::string body;
  append_oneapi_error(body, f, ids, "DN.FE.ExecuteQuery");
  auto doc = json::Document::parse(body);
  ASSERT_TRUE(doc.ok());
  auto e = doc->root()["error"];
  EXPECT_EQ(e["code"].get_string().value(), "General_BadRequest");
  EXPECT_EQ(e["@context"]["clientRequestId"].get_string().value(), "KNC.execute;abc");
  EXPECT_EQ(e["@context"]["activityId"].get_string().value(), ids.activity_id);
  EXPECT_TRUE(e["@permanent"].get_bool().value());
  EXPECT_EQ(e["innererror"]["@errorCode"].get_string().value(), "SYN0002");
  EXPECT_EQ(e["innererror"]["@pos"].get_string().value(), "3");
}

} // namespace
} // namespace konform::serve::kusto
