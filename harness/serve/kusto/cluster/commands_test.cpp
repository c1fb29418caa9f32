#include "serve/kusto/cluster/commands.h"
#include "serve/kusto/cluster/kql.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto::cluster {
namespace {

class CommandsTest : public ::testing::Test {
protected:
  void SetUp() override { load_sample(catalog); }
  Result<CommandResult, Failure> run(std::string_view c) {
    return run_command(catalog, "Samples", c);
  }
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
  ASSERT_TRUE(t.ok()) << t.error().detail;
  EXPECT_TRUE(t->piped);
  ASSERT_EQ(t->table.rows.size(), 1u);
  EXPECT_EQ(t->table.columns.size(), 1u);
}

// The Go SDK suite's "transformations on mgmt queries".
TEST_F(CommandsTest, ShowDatabasesPipesIntoAConstantProjection) {
  auto t = run(".show databases | project A=\"1\" | take 1");
  ASSERT_TRUE(t.ok()) << t.error().detail;
  EXPECT_TRUE(t->piped);
  ASSERT_EQ(t->table.rows.size(), 1u);
  EXPECT_EQ(t->table.columns[0].name, "A");
  EXPECT_EQ(t->table.rows[0][0].s, "1");
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
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->table.rows[0][1].s, "a:string, b:long");
  EXPECT_TRUE(run(".create table T (a:string, b:long)").ok()); // same schema: no-op
  auto conflict = run(".create table T (a:string, c:int)");
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.error().detail.find(".create-merge"), std::string::npos);
  auto m = run(".create-merge table T (c:int)");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->table.rows[0][1].s, "a:string, b:long, c:int");
  auto q = run_query(catalog, "Samples", "T | count");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->rows[0][0].i, 0);
  ASSERT_TRUE(run(".drop table T").ok());
  auto gone = run(".drop table T");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "BadRequest_TableNotExist");
  EXPECT_TRUE(run(".drop table T ifexists").ok());
  EXPECT_FALSE(run(".create table U (a:varchar)").ok());
}

TEST_F(CommandsTest, IngestionMappingsAreStoredAndShown) {
  auto c = run(
      R"(.create table States ingestion json mapping "m1" '[{"column":"State","path":"$.s"},{"column":"Population","path":"$.p"}]')");
  ASSERT_TRUE(c.ok()) << c.error().detail;
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
  EXPECT_EQ(bad.error().code, "BadRequest_InvalidMapping");
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
  EXPECT_EQ(u.error().status, 400);
  EXPECT_FALSE(run(".show").ok());
  EXPECT_FALSE(run(".show table").ok());
  EXPECT_FALSE(run(".create table T (a:string").ok());
  auto db = run_command(catalog, "Nope", ".show tables");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "BadRequest_DatabaseNotExist");
}

// The setup and cleanup sequence of the official Node SDK's e2e suite (azure-kusto-node,
// packages/azure-kusto-ingest/test/e2eTests/e2eTest.ts), command for command.
TEST_F(CommandsTest, TheNodeSdkSuiteSetupAndCleanupCommandsRun) {
  const std::string columns =
      "(rownumber:int, rowguid:string, xdouble:real, xfloat:real, xbool:bool, xint16:int, "
      "xint32:int, xint64:long, xuint8:long, xuint16:long, xuint32:long, xuint64:long, "
      "xdate:datetime, xsmalltext:string, xtext:string, xnumberAsText:string, xtime:timespan, "
      "xtextWithNulls:string, xdynamicWithNulls:dynamic)";
  for (std::string t : {"general_csv_node_e2e_1", "queued_file_csv_node_e2e_1"}) {
    auto c = run(".create-merge table " + t + " " + columns);
    ASSERT_TRUE(c.ok()) << c.error().detail;
    auto s = run(".alter table " + t + " policy streamingingestion enable");
    ASSERT_TRUE(s.ok()) << s.error().detail;
    auto b = run(
        ".alter table " + t +
        R"( policy ingestionbatching @'{"MaximumBatchingTimeSpan":"00:00:10", "MaximumNumberOfItems": 500, "MaximumRawDataSizeMB": 1024}')");
    ASSERT_TRUE(b.ok()) << b.error().detail;
    auto r =
        run_command(catalog, "NetDefaultDB",
                    ".refresh database 'Samples' table '" + t + "' cache ingestionbatchingpolicy");
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(r->table.columns[0].name, "NodeId");
    auto m = run(
        ".create-or-alter table " + t +
        R"( ingestion json mapping 'mappingRef' '[{"column":"rownumber","Properties":{"Path":"$.rownumber"},"datatype":"int"}]')");
    ASSERT_TRUE(m.ok()) << m.error().detail;
  }
  auto clear = run(".clear database cache streamingingestion schema");
  ASSERT_TRUE(clear.ok()) << clear.error().detail;
  EXPECT_EQ(clear->table.rows[0][1].s, "Succeeded");

  // What was stored is what .show prints, in the service's result shape.
  auto s = run(".show table general_csv_node_e2e_1 policy streamingingestion");
  ASSERT_TRUE(s.ok()) << s.error().detail;
  ASSERT_EQ(s->table.columns.size(), 5u);
  EXPECT_EQ(s->table.columns[0].name, "PolicyName");
  EXPECT_EQ(s->table.columns[3].name, "ChildEntities");
  EXPECT_EQ(s->table.rows[0][0].s, "StreamingIngestionPolicy");
  EXPECT_EQ(s->table.rows[0][1].s, "[Samples].[general_csv_node_e2e_1]");
  EXPECT_EQ(s->table.rows[0][2].s, R"({"IsEnabled":true,"HintAllocatedRate":null})");
  EXPECT_EQ(s->table.rows[0][4].s, "Table");
  auto b = run(".show table general_csv_node_e2e_1 policy ingestionbatching");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(
      b->table.rows[0][2].s,
      R"({"MaximumBatchingTimeSpan":"00:00:10","MaximumNumberOfItems":500,"MaximumRawDataSizeMB":1024})");
  EXPECT_TRUE(run(".alter table general_csv_node_e2e_1 policy streamingingestion disable").ok());
  s = run(".show table general_csv_node_e2e_1 policy streamingingestion");
  EXPECT_EQ(s->table.rows[0][2].s, R"({"IsEnabled":false,"HintAllocatedRate":null})");
  auto unset = run(".show table States policy ingestionbatching");
  ASSERT_TRUE(unset.ok());
  EXPECT_EQ(unset->table.rows[0][2].s, "null");

  auto retention =
      run(".show database Samples  policy retention | project ChildEntities, EntityType");
  ASSERT_TRUE(retention.ok()) << retention.error().detail;
  EXPECT_TRUE(retention->piped);
  ASSERT_EQ(retention->table.columns.size(), 2u);
  EXPECT_EQ(retention->table.rows[0][1].s, "Database");
  EXPECT_NE(retention->table.rows[0][0].s.find("\"general_csv_node_e2e_1\""), std::string::npos);

  auto drop = run(".drop tables (general_csv_node_e2e_1,queued_file_csv_node_e2e_1,"
                  "status_fail_csv_node_e2e_1) ifexists");
  ASSERT_TRUE(drop.ok()) << drop.error().detail;
  auto tables = run(".show tables");
  ASSERT_EQ(tables->table.rows.size(), 2u); // States and StormEvents again
}

// The Python SDK suite's setup (azure-kusto-python, azure-kusto-ingest/tests/test_e2e_ingest.py):
// "name: type" columns, a mapping given as adjacent string literals (Kusto concatenates them)
// that ends in a trailing comma (the service's JSON reader accepts it).
TEST_F(CommandsTest, ThePythonSdkSuiteSetupCommandsRun) {
  auto c =
      run(".create table py_test (rownumber: int, rowguid: string, xdynamicWithNulls: dynamic)");
  ASSERT_TRUE(c.ok()) << c.error().detail;
  auto m = run(".create table py_test ingestion json mapping 'JsonMapping' '['\n"
               "    '    { \"column\" : \"rownumber\", \"datatype\" : \"int\", "
               "\"Properties\":{\"Path\":\"$.rownumber\"}},'\n"
               "    '    { \"column\" : \"rowguid\", \"datatype\" : \"string\", "
               "\"Properties\":{\"Path\":\"$.rowguid\"}},'\n"
               "    ']'");
  ASSERT_TRUE(m.ok()) << m.error().detail;
  auto shown = run(".show table py_test ingestion json mappings");
  ASSERT_EQ(shown->table.rows.size(), 1u);
  EXPECT_EQ(
      shown->table.rows[0][2].s,
      R"([{"column":"rownumber","datatype":"int","Properties":{"Path":"$.rownumber"}},{"column":"rowguid","datatype":"string","Properties":{"Path":"$.rowguid"}}])");
  // Only commas outside JSON strings are dropped.
  auto kept = run(
      R"(.create table py_test ingestion json mapping 'm2' '[{"column":"rowguid","path":"$.x, ]"},]')");
  ASSERT_TRUE(kept.ok()) << kept.error().detail;
  EXPECT_EQ(kept->table.rows[0][2].s, R"([{"column":"rowguid","path":"$.x, ]"}])");
  EXPECT_TRUE(run(".alter table py_test policy streamingingestion enable ").ok());
  EXPECT_TRUE(run(".clear database cache streamingingestion schema").ok());
  EXPECT_TRUE(run(".drop table py_test ifexists").ok());
}

// The Go SDK suite's table setup (azure-kusto-go azkustodata/testshared/shared.go): bracketed
// names, `.ingest inline into table ... <| \n<csv>\n` (really ingested), a json mapping with
// "path"/"datatype", the cache clear, and `.drop table ... ifexists` as its cleanup.
TEST_F(CommandsTest, TheGoSdkSuiteSetupCommandsRun) {
  EXPECT_TRUE(run(R"(.drop table ["goe2e_all"] ifexists)").ok());
  auto c = run(
      R"(.create table ["goe2e_all"] (vnum:int, vdec:decimal, vdate:datetime, vspan:timespan, vobj:dynamic, vb:bool, vreal:real, vstr:string, vlong:long, vguid:guid))");
  ASSERT_TRUE(c.ok()) << c.error().detail;
  auto in = run(
      ".ingest inline into table [\"goe2e_all\"] <| \n"
      R"(1,"2.00000000000001","2020-03-04T14:05:01.3109965Z","01:23:45.6789000","{""moshe"":""value""}",true,0.01,"asdf",9223372036854775807,"74be27de-1e4e-49d9-b579-fe0b331d3642")"
      "\n");
  ASSERT_TRUE(in.ok()) << in.error().detail;
  ASSERT_EQ(in->table.columns.size(), 5u);
  EXPECT_EQ(in->table.columns[0].name, "ExtentId");
  EXPECT_EQ(in->table.columns[3].name, "HasErrors");
  auto nulls = run(".ingest inline into table goe2e_all <| "
                   "\nnull,null,null,null,null,null,null,\"\",null,null\n");
  ASSERT_TRUE(nulls.ok()) << nulls.error().detail;
  auto q = run_query(catalog, "Samples", "goe2e_all | where vnum == 1 | project vstr, vlong");
  ASSERT_TRUE(q.ok()) << q.error().detail;
  ASSERT_EQ(q->rows.size(), 1u);
  EXPECT_EQ(q->rows[0][0].s, "asdf");
  EXPECT_EQ(q->rows[0][1].i, 9223372036854775807LL);
  EXPECT_EQ(run_query(catalog, "Samples", "goe2e_all | count")->rows[0][0].i, 2);
  auto m = run(
      R"(.create table ["goe2e_all"] ingestion json mapping 'Logs_mapping' '[{"column":"vstr","path":"$.payload.data","datatype":"string"}]')");
  ASSERT_TRUE(m.ok()) << m.error().detail;
  EXPECT_TRUE(run(".clear database cache streamingingestion schema").ok());
  EXPECT_TRUE(run(R"(.drop table ["goe2e_all"] ifexists)").ok());
  EXPECT_EQ(run(".show tables")->table.rows.size(), 2u);
}

TEST_F(CommandsTest, IngestInlineReadsItsPropertiesAndRefusesWhatItDoesNotImplement) {
  ASSERT_TRUE(run(".create table I (a:string, n:long)").ok());
  auto skip = run(".ingest inline into table I with (format=csv, ignoreFirstRecord=true) <|\n"
                  "a,n\nx,1\ny,2");
  ASSERT_TRUE(skip.ok()) << skip.error().detail;
  EXPECT_EQ(run_query(catalog, "Samples", "I | count")->rows[0][0].i, 2);
  auto psv = run(".ingest inline into table I with (format='psv') <| z|3");
  ASSERT_TRUE(psv.ok()) << psv.error().detail;
  EXPECT_EQ(run_query(catalog, "Samples", "I | where a == 'z' | count")->rows[0][0].i, 1);
  // A malformed record ingests nothing and names its line.
  auto bad = run(".ingest inline into table I <| q,4\nr,notanumber");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(run_query(catalog, "Samples", "I | count")->rows[0][0].i, 3);
  for (std::string_view c : {".ingest inline into table I with (tags='[\"a\"]') <| x,1",
                             ".ingest inline into table I [x,1]"}) {
    auto f = run(c);
    ASSERT_FALSE(f.ok()) << c;
    EXPECT_EQ(f.error().code, "BadRequest_NotSupported") << c;
  }
  auto flag = run(".ingest inline into table I with (ignoreFirstRecord=yes) <| x,1");
  ASSERT_FALSE(flag.ok());
  EXPECT_NE(flag.error().detail.find("ignoreFirstRecord must be true or false"), std::string::npos);
  EXPECT_EQ(run(".ingest inline into table Missing <| x,1").error().code,
            "BadRequest_TableNotExist");
  EXPECT_EQ(run(".ingest inline table I <| x").error().inner->code, "SYN0002");
}

// `.drop table` answers the remaining tables in `.show tables`' four columns and may be piped,
// as recorded from a real cluster (shared corpus: Azure__azure-kusto-rust
// data_create_query_delete_table, `.drop table KustoRsTest | where TableName == "KustoRsTest"`).
TEST_F(CommandsTest, DropTableAnswersTheRemainingTablesAndPipes) {
  ASSERT_TRUE(run(".create table KustoRsTest (str:string)").ok());
  auto piped = run(R"(.drop table KustoRsTest | where TableName == "KustoRsTest")");
  ASSERT_TRUE(piped.ok()) << piped.error().detail;
  EXPECT_TRUE(piped->piped);
  ASSERT_EQ(piped->table.columns.size(), 4u);
  EXPECT_EQ(piped->table.columns[2].name, "Folder");
  EXPECT_EQ(piped->table.columns[3].name, "DocString");
  EXPECT_TRUE(piped->table.rows.empty());
  auto plain = run(".drop table States");
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(plain->table.columns.size(), 4u);
  ASSERT_EQ(plain->table.rows.size(), 1u);
  EXPECT_EQ(plain->table.rows[0][0].s, "StormEvents");
  ASSERT_TRUE(run(".create table B (x:long)").ok());
  EXPECT_EQ(run(".drop tables (B) ifexists")->table.columns.size(), 4u);
}

// The Java SDK suite's setup and cleanup (azure-kusto-java ingest E2ETest): an auto_delete
// policy with an ISO date without a zone, and `.drop table T ifexists skip-seal`.
TEST_F(CommandsTest, TheJavaSdkSuiteSetupAndCleanupCommandsRun) {
  ASSERT_TRUE(run(".create table JavaTest (rownumber:int, rowguid:string)").ok());
  auto p = run(
      R"(.alter table JavaTest policy auto_delete @'{ "ExpiryDate" : "2026-12-04T12:00:00.123", "DeleteIfNotEmpty": true }')");
  ASSERT_TRUE(p.ok()) << p.error().detail;
  EXPECT_EQ(p->table.rows[0][0].s, "AutoDeletePolicy");
  EXPECT_EQ(p->table.rows[0][2].s,
            R"({"ExpiryDate":"2026-12-04T12:00:00.123Z","DeleteIfNotEmpty":true})");
  auto bad = run(R"(.alter table JavaTest policy auto_delete @'{"DeleteIfNotEmpty": true}')");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "BadRequest_InvalidPolicy");
  EXPECT_FALSE(run(R"(.alter table JavaTest policy auto_delete '{"ExpiryDate":"soon"}')").ok());
  ASSERT_TRUE(run(".drop table JavaTest ifexists skip-seal").ok());
  EXPECT_EQ(run(".show tables")->table.rows.size(), 2u);
  EXPECT_TRUE(run(".drop table JavaTest ifexists skip-seal").ok());
}

// The Java SDK suite's testShowPrincipals: the service's columns, one row (konform's only
// principal is the --token holder).
TEST_F(CommandsTest, ShowDatabasePrincipalsAnswersTheServiceColumns) {
  auto p = run(".show database Samples principals");
  ASSERT_TRUE(p.ok()) << p.error().detail;
  ASSERT_EQ(p->table.columns.size(), 6u);
  EXPECT_EQ(p->table.columns[0].name, "Role");
  EXPECT_EQ(p->table.columns[4].name, "PrincipalFQN");
  ASSERT_EQ(p->table.rows.size(), 1u);
  EXPECT_EQ(p->table.rows[0][0].s, "Database Samples Admin");
  EXPECT_EQ(run(".show database Other principals").error().code, "BadRequest_DatabaseNotExist");
  EXPECT_EQ(run(".show database Samples schema").error().code, "BadRequest_NotSupported");
}

TEST_F(CommandsTest, DropTablesWithoutIfexistsDropsNoneWhenOneIsMissing) {
  ASSERT_TRUE(run(".create table A (x:long)").ok());
  auto missing = run(".drop tables (A, Missing)");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "BadRequest_TableNotExist");
  EXPECT_EQ(run(".show tables")->table.rows.size(), 3u); // A is still there
  ASSERT_TRUE(run(".drop tables (A, States)").ok());
  EXPECT_EQ(run(".show tables")->table.rows.size(), 1u);
  EXPECT_EQ(run(".drop tables A, B").error().inner->code, "SYN0002");
}

TEST_F(CommandsTest, PoliciesAreValidatedAndCanBeDeleted) {
  auto bad = run(R"(.alter table States policy ingestionbatching '{"MaximumBatchingTime":"1"}')");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "BadRequest_InvalidPolicy");
  EXPECT_NE(bad.error().detail.find("MaximumBatchingTime"), std::string::npos);
  EXPECT_FALSE(run(R"(.alter table States policy streamingingestion '{"IsEnabled":"yes"}')").ok());
  EXPECT_FALSE(run(R"(.alter table States policy retention '[1]')").ok());
  auto db = run(R"(.alter database Samples policy retention '{"SoftDeletePeriod":"10.00:00:00"}')");
  ASSERT_TRUE(db.ok()) << db.error().detail;
  EXPECT_EQ(db->table.rows[0][2].s,
            R"({"SoftDeletePeriod":"10.00:00:00","Recoverability":"Enabled"})");
  EXPECT_EQ(db->table.rows[0][1].s, "[Samples]");
  ASSERT_TRUE(run(".alter database Samples policy streamingingestion enable").ok());
  ASSERT_TRUE(run(".delete database Samples policy retention").ok());
  EXPECT_EQ(run(".show database Samples policy retention")->table.rows[0][2].s, "null");
  auto nope = run(".alter table Nope policy streamingingestion enable");
  ASSERT_FALSE(nope.ok());
  EXPECT_EQ(nope.error().code, "BadRequest_TableNotExist");
}

// A valid Kusto command konform does not implement says so, naming it; only text that is not a
// command at all (or a known command with broken arguments) is a syntax error.
TEST_F(CommandsTest, UnsupportedValidCommandsAreNotSyntaxErrors) {
  for (std::string_view c :
       {".show export containers", ".show database Samples policy caching",
        ".alter table States policy update @'[]'", ".show table States extents",
        ".create function f() { 1 }", ".drop column States.Population", ".set T <| print 1",
        ".alter-merge table States (x:long)", ".show table States ingestion avro mappings"}) {
    auto f = run(c);
    ASSERT_FALSE(f.ok()) << c;
    EXPECT_EQ(f.error().code, "BadRequest_NotSupported") << c;
    EXPECT_FALSE(f.error().inner) << c;
    EXPECT_NE(f.error().detail.find("not supported by konform serve"), std::string::npos);
  }
  EXPECT_NE(run(".show export containers").error().detail.find("'.show export'"),
            std::string::npos);
  for (std::string_view c : {".frobnicate tables", ".create table T (a:string", ".show",
                             ".alter table States policy ingestionbatching"}) {
    auto f = run(c);
    ASSERT_FALSE(f.ok()) << c;
    ASSERT_TRUE(f.error().inner) << c << ": " << f.error().detail;
    EXPECT_EQ(f.error().inner->code, "SYN0002") << c;
  }
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
} // namespace konform::serve::kusto::cluster
