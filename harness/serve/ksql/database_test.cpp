#include "serve/ksql/database.h"
#include "serve/ksql/ksql_request.h"
#include "serve/ksql/query_format.h"
#include "serve/ksql/sql_parser.h"

#include <gtest/gtest.h>

namespace konform::serve::ksql {
namespace {

class KsqlDatabase : public ::testing::Test {
protected:
  ExecuteResult run(std::string_view ksql, RequestContext ctx = {}) {
    auto parsed = parse_statements(ksql);
    if (!parsed) {
      ADD_FAILURE() << parsed.error().message();
      return StatementError{};
    }
    return database.execute(*parsed, std::move(ctx));
  }
  // The entities of a request that must succeed, joined like the /ksql array.
  std::string ok(std::string_view ksql, RequestContext ctx = {}) {
    auto r = run(ksql, std::move(ctx));
    EXPECT_TRUE(r.ok()) << ksql << ": " << (r ? "" : r.error().message);
    std::string out;
    if (!r) return out;
    for (auto& e : *r)
      out += e + "\n";
    return out;
  }
  StatementError fails(std::string_view ksql) {
    auto r = run(ksql);
    EXPECT_FALSE(r.ok()) << ksql;
    return r ? StatementError{} : r.error();
  }
  QueryPlan plan(std::string_view select, RequestContext ctx = {}) {
    auto parsed = parse_statements(select);
    auto p = database.plan_query(parsed->at(0), ctx);
    if (!p) {
      ADD_FAILURE() << p.error().message;
      return {};
    }
    return *p;
  }
  StatementError plan_fails(std::string_view select) {
    auto parsed = parse_statements(select);
    auto p = database.plan_query(parsed->at(0), {});
    EXPECT_FALSE(p.ok()) << select;
    return p ? StatementError{} : p.error();
  }

  // A push query whose output lands in `out`.
  struct Collected {
    std::string out;
    bool limit = false, completed = false;
  };
  std::shared_ptr<Collected> start(const QueryPlan& p) {
    auto c = std::make_shared<Collected>();
    PushCallbacks cb;
    cb.row = [c](const std::vector<Value>& row) {
      c->out += query_row(QueryFormat::StreamedRows, row);
    };
    cb.limit_reached = [c] { c->limit = true; };
    cb.completed = [c] { c->completed = true; };
    EXPECT_TRUE(database.start_push(p, cb));
    return c;
  }

  Database database;
};

TEST_F(KsqlDatabase, CreateStreamAnswersCurrentStatusWithTheNormalisedStatement) {
  auto out = ok("create stream pageviews (id INT KEY, `Page` varchar) with "
                "(kafka_topic='pv', value_format='json', partitions=2);");
  EXPECT_EQ(out,
            "{\"@type\":\"currentStatus\",\"statementText\":\"CREATE STREAM PAGEVIEWS (ID INTEGER "
            "KEY, `Page` STRING) WITH (CLEANUP_POLICY='delete', KAFKA_TOPIC='pv', "
            "KEY_FORMAT='KAFKA', PARTITIONS=2, VALUE_FORMAT='JSON');\",\"commandId\":\"stream/"
            "`PAGEVIEWS`/create\",\"commandStatus\":{\"status\":\"SUCCESS\",\"message\":\"Stream "
            "created\",\"queryId\":null},\"commandSequenceNumber\":0,\"warnings\":[]}\n");
  EXPECT_EQ(database.command_status("stream/`PAGEVIEWS`/create"),
            "{\"status\":\"SUCCESS\",\"message\":\"Stream created\",\"queryId\":null}");
  EXPECT_FALSE(database.command_status("stream/`NOPE`/create"));
}

TEST_F(KsqlDatabase, IfNotExistsGivesTheWarningEntityAndPlainCreateAnError) {
  ok("CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='JSON');");
  auto warn =
      ok("CREATE STREAM IF NOT EXISTS s (a INT) WITH (kafka_topic='t', value_format='JSON');");
  EXPECT_EQ(warn,
            "{\"@type\":\"warning_entity\",\"statementText\":\"CREATE STREAM IF NOT EXISTS "
            "s (a INT) WITH (kafka_topic='t', value_format='JSON');\",\"message\":\"Cannot "
            "add stream `S`: A stream with the same name already exists.\",\"warnings\":[]}\n");
  auto err =
      fails("CREATE TABLE S (A INT PRIMARY KEY) WITH (kafka_topic='t', value_format='JSON');");
  EXPECT_EQ(err.error_code, 40001);
  EXPECT_EQ(err.message, "Cannot add table `S`: A stream with the same name already exists.");
}

TEST_F(KsqlDatabase, ABadStatementRejectsTheWholeRequestBeforeAnythingRuns) {
  auto err = fails("CREATE STREAM A (X INT) WITH (kafka_topic='a', value_format='JSON');\n"
                   "CREATE STREAM B (X INT) WITH (value_format='JSON');");
  EXPECT_EQ(err.statement_text, "CREATE STREAM B (X INT) WITH (value_format='JSON');");
  EXPECT_EQ(err.message, "Missing required property \"KAFKA_TOPIC\" which has no default value.");
  EXPECT_NE(ok("SHOW STREAMS;").find("\"streams\":[]"), std::string::npos)
      << "A must not exist: validation runs before execution";
}

TEST_F(KsqlDatabase, StatementsLaterInARequestSeeEarlierOnes) {
  auto out = ok("CREATE STREAM A (K STRING KEY, X INT) WITH (kafka_topic='a', value_format='JSON');"
                "INSERT INTO A (K, X) VALUES ('k', 1);"
                "SHOW STREAMS;");
  // INSERT VALUES yields no entity: two entities for three statements.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_NE(out.find("{\"type\":\"STREAM\",\"name\":\"A\",\"topic\":\"a\",\"keyFormat\":\"KAFKA\","
                     "\"valueFormat\":\"JSON\",\"isWindowed\":false}"),
            std::string::npos);
}

TEST_F(KsqlDatabase, SelectOnKsqlIs40002) {
  ok("CREATE STREAM A (X INT) WITH (kafka_topic='a', value_format='JSON');");
  auto err = fails("SELECT * FROM A EMIT CHANGES;");
  EXPECT_EQ(err.error_code, 40002);
  EXPECT_EQ(err.message, "The following statement types should be issued to the websocket "
                         "endpoint '/query':\n\t* PRINT\n\t* SELECT");
}

TEST_F(KsqlDatabase, InsertValuesErrorsUseTheServersMessages) {
  ok("CREATE STREAM TEST (K STRING KEY, ID INT) WITH (kafka_topic='t', value_format='JSON');");
  EXPECT_EQ(fails("INSERT INTO TEST (K, ID) VALUES ('10');").message,
            "Failed to prepare statement: Expected number columns and values to match: 2, 1");
  EXPECT_EQ(fails("INSERT INTO TEST (K, ID) VALUES (FOO.bar, '10');").message,
            "Failed to prepare statement: 'FOO' is not a valid stream/table name or alias.");
  EXPECT_EQ(fails("INSERT INTO TEST (K, ROWOFFSET) VALUES ('1', 5);").message,
            "Inserting into column `ROWOFFSET` is not allowed.");
  EXPECT_EQ(fails("INSERT INTO NOPE VALUES (1);").message,
            "Cannot insert values into an unknown stream/table: NOPE");
  EXPECT_NE(fails("INSERT INTO TEST (K, ID) VALUES ('1', 'x');").message.find("INTEGER"),
            std::string::npos);
}

TEST_F(KsqlDatabase, DescribeListsKeyColumnsFirst) {
  ok("CREATE STREAM S (ID INT, K STRING KEY, D DECIMAL(4, 2)) WITH (kafka_topic='t', "
     "value_format='JSON');");
  auto out = ok("DESCRIBE S;");
  EXPECT_NE(out.find("\"fields\":[{\"name\":\"K\",\"schema\":{\"type\":\"STRING\",\"fields\":null,"
                     "\"memberSchema\":null},\"type\":\"KEY\"},{\"name\":\"ID\",\"schema\":{"
                     "\"type\":\"INTEGER\",\"fields\":null,\"memberSchema\":null}},{\"name\":\"D\","
                     "\"schema\":{\"type\":\"DECIMAL\",\"fields\":null,\"memberSchema\":null,"
                     "\"parameters\":{\"precision\":4,\"scale\":2}}}]"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\"partitions\":0"), std::string::npos) << "only EXTENDED fills partitions";
  EXPECT_NE(ok("DESCRIBE S EXTENDED;").find("\"extended\":true"), std::string::npos);
  EXPECT_EQ(fails("DESCRIBE NOPE;").message, "Could not find STREAM/TABLE 'NOPE' in the Metastore");
}

TEST_F(KsqlDatabase, PushQuerySeesRowsInsertedAfterItStartedUntilItsLimit) {
  ok("CREATE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='t', value_format='JSON');"
     "INSERT INTO S (K, V) VALUES ('before', 0);");
  auto p = plan("SELECT V, K FROM S WHERE V > 1 EMIT CHANGES LIMIT 2;");
  EXPECT_EQ(p.header_schema(), "`V` INTEGER, `K` STRING");
  EXPECT_EQ(p.id.rfind("transient_S_", 0), 0u) << p.id;
  auto c = start(p);
  EXPECT_EQ(database.running_push_queries(), 1u);
  ok("INSERT INTO S (K, V) VALUES ('a', 1); INSERT INTO S (K, V) VALUES ('b', 2);");
  EXPECT_EQ(c->out, "{\"row\":{\"columns\":[2,\"b\"]}},\n");
  EXPECT_FALSE(c->limit);
  ok("INSERT INTO S (K, V) VALUES ('c', 3); INSERT INTO S (K, V) VALUES ('d', 4);");
  EXPECT_TRUE(c->limit);
  EXPECT_EQ(c->out, "{\"row\":{\"columns\":[2,\"b\"]}},\n{\"row\":{\"columns\":[3,\"c\"]}},\n");
  EXPECT_EQ(database.running_push_queries(), 0u) << "a query at its LIMIT is gone";
}

TEST_F(KsqlDatabase, EarliestReplaysEarlierRowsAndStopPushForgetsTheQuery) {
  ok("CREATE STREAM S (V INT) WITH (kafka_topic='t', value_format='JSON');"
     "INSERT INTO S (V) VALUES (1);");
  RequestContext earliest;
  earliest.properties["auto.offset.reset"] = "earliest";
  auto c = start(plan("SELECT * FROM S EMIT CHANGES;", earliest));
  EXPECT_EQ(c->out, "{\"row\":{\"columns\":[1]}},\n");
  auto listed = ok("SHOW QUERIES;");
  EXPECT_NE(listed.find("\"queryType\":\"PUSH\""), std::string::npos) << listed;
  database.stop_push(plan("SELECT * FROM S EMIT CHANGES;").id); // another id: no effect
  EXPECT_EQ(database.running_push_queries(), 1u);
  auto latest = start(plan("SELECT * FROM S EMIT CHANGES;"));
  EXPECT_EQ(latest->out, "") << "latest (the default) sees no earlier rows";
}

TEST_F(KsqlDatabase, AnInsertsStreamRowFillsMapAndStructColumnsByTheirTypes) {
  ok("CREATE STREAM N (ID INT KEY, M MAP<STRING, INT>, P STRUCT<CITY STRING, `zip` INT>, "
     "L ARRAY<STRUCT<X INT>>) WITH (kafka_topic='n', value_format='JSON');");
  auto insert = inserts_row_statement(
      "N", R"({"id":1,"m":{"a":1,"b's":2},"P":{"city":"Oslo","zip":150},"L":[{"x":3}]})",
      database.source_columns("N"));
  ASSERT_TRUE(insert.ok()) << insert.error().message;
  ok(*insert);
  auto p = plan("SELECT * FROM N;");
  EXPECT_EQ(pull_body(QueryFormat::StreamedRows, p, database.run_pull(p)),
            "[{\"header\":{\"queryId\":\"" + p.id +
                "\",\"schema\":\"`ID` INTEGER, `M` MAP<STRING, INTEGER>, `P` STRUCT<`CITY` STRING, "
                "`zip` INTEGER>, `L` ARRAY<STRUCT<`X` INTEGER>>\"}},\n{\"row\":{\"columns\":[1,{"
                "\"a\":1,\"b's\":2},{\"CITY\":\"Oslo\",\"zip\":150},[{\"X\":3}]]}},\n"
                "{\"finalMessage\":\"Query Completed\"}]");

  // A key the struct does not declare, or an object for a column of another type: the row is
  // refused, naming why.
  auto unknown =
      inserts_row_statement("N", R"({"ID":2,"P":{"street":"x"}})", database.source_columns("N"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message,
            "the struct STRUCT<`CITY` STRING, `zip` INTEGER> has no field \"street\"");
  auto scalar = inserts_row_statement("N", R"({"ID":{"a":1}})", database.source_columns("N"));
  ASSERT_FALSE(scalar.ok());
  EXPECT_EQ(scalar.error().message,
            "an object fills a MAP or STRUCT column, and this one is INTEGER");
}

TEST_F(KsqlDatabase, StreamPullQueryReturnsWhatIsThere) {
  ok("CREATE STREAM S1 (MYKEY INT KEY, MYVALUE INT) WITH (kafka_topic='t', value_format='JSON');"
     "INSERT INTO S1 (MYKEY, MYVALUE) VALUES (10, 1);"
     "INSERT INTO S1 (MYKEY, MYVALUE) VALUES (11, 2);");
  auto p = plan("SELECT * FROM S1;");
  EXPECT_FALSE(p.push);
  EXPECT_EQ(pull_body(QueryFormat::StreamedRows, p, database.run_pull(p)),
            "[{\"header\":{\"queryId\":\"" + p.id +
                "\",\"schema\":\"`MYKEY` INTEGER, `MYVALUE` INTEGER\"}},\n{\"row\":{\"columns\":"
                "[10,1]}},\n{\"row\":{\"columns\":[11,2]}},\n{\"finalMessage\":\"Query "
                "Completed\"}]");
  EXPECT_EQ(plan_fails("SELECT * FROM S1 GROUP BY MYKEY;").message,
            "Pull queries don't support GROUP BY clauses. See https://cnfl.io/queries for more "
            "info.\nAdd EMIT CHANGES if you intended to issue a push query.");
}

TEST_F(KsqlDatabase, CreateAsSelectRunsAPersistentQueryUntilTerminated) {
  ok("CREATE STREAM S1 (K STRING KEY, V INT) WITH (kafka_topic='t', value_format='JSON');");
  auto created = ok("CREATE STREAM S2 AS SELECT K, V * 10 AS V10 FROM S1 WHERE V > 0;");
  EXPECT_NE(created.find("\"message\":\"Created query with ID CSAS_S2_1\",\"queryId\":"
                         "\"CSAS_S2_1\""),
            std::string::npos)
      << created;
  ok("INSERT INTO S1 (K, V) VALUES ('a', 4); INSERT INTO S1 (K, V) VALUES ('b', -1);");
  auto p = plan("SELECT * FROM S2;");
  EXPECT_EQ(p.header_schema(), "`K` STRING, `V10` INTEGER");
  EXPECT_EQ(database.run_pull(p).size(), 1u);
  EXPECT_NE(fails("DROP STREAM S1;").message.find("read from this source: [S2]"),
            std::string::npos);
  auto terminated = ok("TERMINATE CSAS_S2_1;");
  EXPECT_NE(terminated.find("\"commandId\":\"terminate/CSAS_S2_1/execute\""), std::string::npos);
  ok("INSERT INTO S1 (K, V) VALUES ('c', 5);");
  EXPECT_EQ(database.run_pull(p).size(), 1u) << "a terminated query moves no more rows";
  EXPECT_NE(ok("DROP STREAM S1;").find("Source `S1` (topic: t) was dropped."), std::string::npos);
}

TEST_F(KsqlDatabase, SetIsScopedToTheRequest) {
  ok("CREATE STREAM S1 (V INT) WITH (kafka_topic='t', value_format='JSON');"
     "INSERT INTO S1 (V) VALUES (7);");
  ok("SET 'auto.offset.reset'='earliest'; CREATE STREAM S2 AS SELECT * FROM S1;");
  ok("CREATE STREAM S3 AS SELECT * FROM S1;"); // a new request: back to latest
  EXPECT_EQ(database.run_pull(plan("SELECT * FROM S2;")).size(), 1u);
  EXPECT_EQ(database.run_pull(plan("SELECT * FROM S3;")).size(), 0u);
  auto props = ok("SET 'auto.offset.reset'='earliest'; LIST PROPERTIES;");
  EXPECT_NE(props.find("\"overwrittenProperties\":[\"ksql.streams.auto.offset.reset\"]"),
            std::string::npos)
      << props;
}

TEST_F(KsqlDatabase, TablePullKeepsTheLatestRowPerKey) {
  ok("CREATE SOURCE TABLE T (ID INT PRIMARY KEY, NAME STRING) WITH (kafka_topic='t', "
     "value_format='JSON');");
  EXPECT_NE(fails("INSERT INTO T (ID, NAME) VALUES (1, 'a');").message.find("read-only"),
            std::string::npos);
  ok("CREATE TABLE U (ID INT PRIMARY KEY, NAME STRING) WITH (kafka_topic='u', "
     "value_format='JSON');");
  EXPECT_EQ(plan_fails("SELECT * FROM U;").message,
            "The `U` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE "
            "QUERYABLE_U AS SELECT * FROM U'. See https://cnfl.io/queries for more info.");
  ok("CREATE TABLE Q AS SELECT * FROM U;");
  ok("INSERT INTO U (ID, NAME) VALUES (1, 'a'); INSERT INTO U (ID, NAME) VALUES (2, 'b');"
     "INSERT INTO U (ID, NAME) VALUES (1, 'c');");
  auto p = plan("SELECT * FROM Q;");
  EXPECT_EQ(p.header_schema(), "`ID` INTEGER KEY, `NAME` STRING");
  EXPECT_EQ(pull_body(QueryFormat::StreamedRows, p, database.run_pull(p)),
            "[{\"header\":{\"queryId\":\"" + p.id +
                "\",\"schema\":\"`ID` INTEGER KEY, `NAME` STRING\"}},\n{\"row\":{\"columns\":[1,"
                "\"c\"]}},\n{\"row\":{\"columns\":[2,\"b\"]}}]");
}

TEST_F(KsqlDatabase, CommandSequenceNumbersAreWaitedFor) {
  DatabaseOptions o;
  o.command_timeout = std::chrono::milliseconds(50);
  Database quick(o);
  EXPECT_FALSE(quick.wait_for_command(0)) << "nothing ran yet";
  ok("SHOW STREAMS;"); // not a command: no sequence number used
  auto parsed = parse_statements("CREATE STREAM S (V INT) WITH (kafka_topic='t', "
                                 "value_format='JSON');");
  auto r = quick.execute(*parsed, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(quick.wait_for_command(0));
  EXPECT_FALSE(quick.wait_for_command(1));
}

TEST_F(KsqlDatabase, TerminateClusterDropsEverythingAndCompletesPushQueries) {
  ok("CREATE STREAM S (V INT) WITH (kafka_topic='keep', value_format='JSON');"
     "CREATE STREAM S2 WITH (kafka_topic='gone') AS SELECT * FROM S;");
  auto c = start(plan("SELECT * FROM S EMIT CHANGES;"));
  auto bad = database.terminate_cluster({"("});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "Invalid pattern: (");
  auto body = database.terminate_cluster({"go.*"});
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find("\"commandId\":\"cluster/TerminateCluster/"
                       "terminate\""),
            std::string::npos);
  EXPECT_TRUE(c->completed);
  auto topics = ok("SHOW TOPICS;");
  EXPECT_NE(topics.find("\"keep\""), std::string::npos);
  EXPECT_EQ(topics.find("\"gone\""), std::string::npos) << topics;
  EXPECT_NE(ok("SHOW STREAMS;").find("\"streams\":[]"), std::string::npos);
}

TEST_F(KsqlDatabase, UnsupportedFeaturesAreStatementErrorsNamingTheSubset) {
  ok("CREATE STREAM S (K INT KEY, V INT) WITH (kafka_topic='t', value_format='JSON');");
  auto err = fails("CREATE TABLE T AS SELECT K, COUNT(*) FROM S GROUP BY K;");
  EXPECT_EQ(err.error_code, 40001);
  EXPECT_NE(err.message.find("not supported by konform serve"), std::string::npos);
  EXPECT_NE(plan_fails("SELECT COUNT(*) FROM S EMIT CHANGES;").message.find("konform serve"),
            std::string::npos);
}

} // namespace
} // namespace konform::serve::ksql
