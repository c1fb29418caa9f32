#include "serve/kusto/engine/commands.h"
#include "serve/kusto/engine/kql.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto::engine {
namespace {

class CommandsTest : public ::testing::Test {
protected:
  void SetUp() override { load_sample(catalog); }
  Outcome<CommandResult> run(std::string_view c) { return run_command(catalog, "Samples", c); }
  Catalog catalog;
};

TEST_F(CommandsTest, ShowVersionDatabasesAndTables) {
  auto v = run(".show version");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->table.columns[0].name, "BuildVersion");
  auto d = run(".show databases");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->table.rows.size(), 2u);
  auto t = run(".show tables");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->table.rows.size(), 2u);
  EXPECT_EQ(t->table.rows[0][0].s, "States");
  EXPECT_EQ(t->table.rows[1][0].s, "StormEvents");
  EXPECT_FALSE(t->piped);
}

TEST_F(CommandsTest, ShowCommandsPipeIntoQueryOperators) {
  auto t = run(".show tables | where TableName == 'States' | project TableName");
  ASSERT_TRUE(t.ok()) << t.failure().detail;
  EXPECT_TRUE(t->piped);
  ASSERT_EQ(t->table.rows.size(), 1u);
  EXPECT_EQ(t->table.columns.size(), 1u);
}

TEST_F(CommandsTest, SchemaAsJsonListsColumnsWithCslTypes) {
  auto s = run(".show table States schema as json");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(
      s->table.rows[0][1].s,
      R"({"Name":"States","OrderedColumns":[{"Name":"State","Type":"System.String","CslType":"string"},{"Name":"Abbreviation","Type":"System.String","CslType":"string"},{"Name":"Population","Type":"System.Int64","CslType":"long"}]})");
}

TEST_F(CommandsTest, CreateMergeAndDropTables) {
  auto c = run(".create table T (a:string, b:long)");
  ASSERT_TRUE(c.ok()) << c.failure().detail;
  EXPECT_EQ(c->table.rows[0][1].s, "a:string, b:long");
  EXPECT_TRUE(run(".create table T (a:string, b:long)").ok()); // same schema: no-op
  auto conflict = run(".create table T (a:string, c:int)");
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.failure().detail.find(".create-merge"), std::string::npos);
  auto m = run(".create-merge table T (c:int)");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->table.rows[0][1].s, "a:string, b:long, c:int");
  auto q = run_query(catalog, "Samples", "T | count");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->rows[0][0].i, 0);
  ASSERT_TRUE(run(".drop table T").ok());
  auto gone = run(".drop table T");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.failure().code, "BadRequest_TableNotExist");
  EXPECT_TRUE(run(".drop table T ifexists").ok());
  EXPECT_FALSE(run(".create table U (a:varchar)").ok());
}

TEST_F(CommandsTest, IngestionMappingsAreStoredAndShown) {
  auto c = run(
      R"(.create table States ingestion json mapping "m1" '[{"column":"State","path":"$.s"},{"column":"Population","path":"$.p"}]')");
  ASSERT_TRUE(c.ok()) << c.failure().detail;
  auto again = run(
      R"(.create table States ingestion json mapping "m1" '[{"column":"State","path":"$.s"}]')");
  EXPECT_FALSE(again.ok());
  EXPECT_TRUE(
      run(R"(.create-or-alter table States ingestion json mapping "m1" '[{"column":"State","path":"$.s"}]')")
          .ok());
  EXPECT_TRUE(
      run(R"(.create table States ingestion csv mapping "c1" '[{"column":"State","Properties":{"Ordinal":"0"}}]')")
          .ok());
  auto bad =
      run(R"(.create table States ingestion json mapping "m2" '[{"column":"Nope","path":"$.s"}]')");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.failure().code, "BadRequest_InvalidMapping");
  auto all = run(".show table States ingestion mappings");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->table.rows.size(), 2u);
  auto json_only = run(".show table States ingestion json mappings");
  ASSERT_TRUE(json_only.ok());
  ASSERT_EQ(json_only->table.rows.size(), 1u);
  EXPECT_EQ(json_only->table.rows[0][2].s, R"([{"column":"State","path":"$.s"}])");
}

TEST_F(CommandsTest, UnknownCommandsAndDatabasesAre400) {
  auto u = run(".alter database x policy caching");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.failure().status, 400);
  EXPECT_FALSE(run(".show").ok());
  EXPECT_FALSE(run(".show table").ok());
  EXPECT_FALSE(run(".create table T (a:string").ok());
  auto db = run_command(catalog, "Nope", ".show tables");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.failure().code, "BadRequest_DatabaseNotExist");
}

TEST(KustoDmCommands, AreRecognisedAndTheEngineAnswersWrongEndpoint) {
  EXPECT_TRUE(is_dm_command(".get ingestion resources"));
  EXPECT_TRUE(is_dm_command("  .get kusto identity token"));
  EXPECT_FALSE(is_dm_command(".show tables"));
  auto f = wrong_endpoint_error(".get ingestion resources");
  EXPECT_EQ(f.type, "Kusto.Common.Svc.Exceptions.AdminCommandWrongEndpointException");
  EXPECT_FALSE(f.permanent);
}

} // namespace
} // namespace konform::serve::kusto::engine
