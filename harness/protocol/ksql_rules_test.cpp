// One minimal document that breaks each ksqlDB rule and one that satisfies it (same scheme as
// kusto_rules_test.cpp). Stream layouts of every server generation are covered.
#include "protocol/validate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace konform::protocol {
namespace {

std::string show(const std::vector<Finding>& fs) {
  std::string s;
  for (const auto& f : fs)
    s += "\n  " + std::string(to_string(f.level)) + " " + f.rule + " " + f.path + ": " + f.message;
  return s;
}

bool has(const std::vector<Finding>& fs, const std::string& rule, Level level) {
  for (const auto& f : fs)
    if (f.rule == rule && f.level == level) return true;
  return false;
}

void check(const std::string& rule, Level level, Kind kind, const std::string& good,
           const std::string& bad, const Exchange& ex = {}) {
  SCOPED_TRACE(rule);
  auto g = validate(kind, good, ex);
  for (const auto& f : g) {
    EXPECT_NE(f.level, Level::violation) << "good document:" << show(g);
    EXPECT_NE(f.rule, rule) << "good document:" << show(g);
  }
  auto b = validate(kind, bad, ex);
  EXPECT_TRUE(has(b, rule, level))
      << "bad document lacks " << to_string(level) << " " << rule << ":" << show(b);
}

const std::string status_entity =
    R"({"@type":"currentStatus","statementText":"sql","commandId":"stream/`S`/create","commandStatus":{"status":"SUCCESS","message":"Stream created","queryId":null},"commandSequenceNumber":2,"warnings":[]})";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

TEST(KsqlErrors, ErrorBodies) {
  std::string generic = R"({"@type":"generic_error","error_code":40000,"message":"m"})";
  std::string statement =
      R"({"@type":"statement_error","error_code":40001,"message":"m","statementText":"SELECT 1;","entities":[]})";
  check("ksql.error.reported", Level::in_band_error, Kind::ksql_error, "", generic);
  check("ksql.error.type", Level::violation, Kind::ksql_error, generic,
        replace(generic, "generic_error", "oops"));
  check("ksql.error.code", Level::violation, Kind::ksql_error, generic,
        replace(generic, "40000", "\"40000\""));
  check("ksql.error.code", Level::violation, Kind::ksql_error, generic,
        replace(generic, "40000", "400"));
  check("ksql.error.message", Level::violation, Kind::ksql_error, generic,
        replace(generic, R"("message":"m")", R"("message":null)"));
  check("ksql.error.statement", Level::violation, Kind::ksql_error, statement,
        replace(statement, R"(,"entities":[])", ""));
  check("ksql.error.statement", Level::violation, Kind::ksql_error, statement,
        replace(statement, R"("statementText":"SELECT 1;",)", ""));
  check("ksql.error.shape", Level::violation, Kind::ksql_error,
        replace(generic, "}", R"(,"stackTrace":["at x"]})"),
        replace(generic, "}", R"(,"stackTrace":"at x"})"));
  check("ksql.error.json", Level::violation, Kind::ksql_error, generic, "{\"@type\":");
  // error_code / 100 is the HTTP status (50000 with 400 is ksqlDB's one exception).
  Exchange e400{400, nullptr, nullptr, ""};
  check("ksql.error.status", Level::violation, Kind::ksql_error, generic,
        replace(generic, "40000", "40300"), e400);
  EXPECT_FALSE(has(validate(Kind::ksql_error, replace(generic, "40000", "50000"), e400),
                   "ksql.error.status", Level::violation));
  // Vert.x answers unknown paths with text.
  auto text = validate(Kind::ksql_error, "Not Found", {404, nullptr, nullptr, ""});
  EXPECT_TRUE(has(text, "ksql.error.plain-text", Level::warning)) << show(text);
  EXPECT_TRUE(has(text, "ksql.error.text", Level::in_band_error)) << show(text);
}

TEST(KsqlEntities, EntityLists) {
  std::string good = "[" + status_entity + "]";
  check("ksql.entities", Level::violation, Kind::ksql_entities, good, "\"x\"");
  check("ksql.json", Level::violation, Kind::ksql_entities, good, "[{");
  check("ksql.entity.shape", Level::violation, Kind::ksql_entities, good, "[1]");
  check("ksql.entity.type", Level::violation, Kind::ksql_entities, good,
        R"([{"statementText":"x"}])");
  check("ksql.entity.unknown-type", Level::warning, Kind::ksql_entities, good,
        R"([{"@type":"shiny","statementText":"x","warnings":[]}])");
  check("ksql.entity.shape", Level::violation, Kind::ksql_entities, good,
        "[" + replace(status_entity, R"("statementText":"sql",)", "") + "]");
  check("ksql.entity.warnings-missing", Level::warning, Kind::ksql_entities, good,
        "[" + replace(status_entity, R"(,"warnings":[])", "") + "]");
  check("ksql.entity.warning", Level::warning, Kind::ksql_entities, good,
        "[" + replace(status_entity, R"("warnings":[])", R"("warnings":[{"message":"degraded"}])") +
            "]");
  check("ksql.current-status", Level::violation, Kind::ksql_entities, good,
        "[" + replace(status_entity, "stream/`S`/create", "create-S") + "]");
  check(
      "ksql.current-status", Level::violation, Kind::ksql_entities, good,
      "[" +
          replace(status_entity, R"("commandSequenceNumber":2)", R"("commandSequenceNumber":"2")") +
          "]");
  check("ksql.current-status", Level::warning, Kind::ksql_entities, good,
        "[" + replace(status_entity, R"(,"commandSequenceNumber":2)", "") + "]");
  check("ksql.command-status", Level::violation, Kind::ksql_entities, good,
        "[" + replace(status_entity, "SUCCESS", "DONE") + "]");
  check("ksql.command-error", Level::in_band_error, Kind::ksql_entities, good,
        "[" + replace(status_entity, "SUCCESS", "ERROR") + "]");
  check(
      "ksql.entity.shape", Level::violation, Kind::ksql_entities,
      R"([{"@type":"streams","statementText":"LIST STREAMS;","streams":[{"type":"STREAM","name":"S","topic":"t","keyFormat":"KAFKA","valueFormat":"JSON","isWindowed":false}],"warnings":[]}])",
      R"([{"@type":"streams","statementText":"LIST STREAMS;","streams":[{"type":"TABLE","name":"S","topic":"t"}],"warnings":[]}])");
  check(
      "ksql.entity.shape", Level::violation, Kind::ksql_entities,
      R"([{"@type":"kafka_topics","statementText":"SHOW TOPICS;","topics":[{"name":"thetopic","replicaInfo":[1,2,3]}],"warnings":[]}])",
      R"([{"@type":"kafka_topics","statementText":"SHOW TOPICS;","topics":[{"name":"thetopic"}],"warnings":[]}])");
  check(
      "ksql.entity.warning-entity", Level::warning, Kind::ksql_entities, good,
      R"([{"@type":"warning_entity","statementText":"CREATE STREAM IF NOT EXISTS S ...","message":"Cannot add stream S: A stream with the same name already exists.","warnings":[]}])");
  // INSERT INTO ... VALUES yields no entity at all: an empty list is a valid answer.
  EXPECT_TRUE(validate(Kind::ksql_entities, "[]").empty());
}

TEST(KsqlEntities, InfoHealthcheckStatusMetadata) {
  std::string info =
      R"({"KsqlServerInfo":{"version":"8.5.0-0","kafkaClusterId":"j3t","ksqlServiceId":"default_","serverStatus":"RUNNING"}})";
  check("ksql.info", Level::violation, Kind::ksql_entities, info, replace(info, "RUNNING", "FINE"));
  check("ksql.info", Level::violation, Kind::ksql_entities, info,
        replace(info, R"("kafkaClusterId":"j3t",)", ""));
  check("ksql.info.status", Level::in_band_error, Kind::ksql_entities, info,
        replace(info, "RUNNING", "DEGRADED"));
  std::string health =
      R"({"isHealthy":true,"details":{"metastore":{"isHealthy":true},"kafka":{"isHealthy":true}},"serverState":"READY"})";
  check("ksql.healthcheck", Level::violation, Kind::ksql_entities, health,
        replace(health, "READY", "BUSY"));
  check("ksql.healthcheck.unhealthy", Level::in_band_error, Kind::ksql_entities, health,
        R"({"isHealthy":false,"details":{"kafka":{"isHealthy":false}}})");
  check("ksql.command-status", Level::violation, Kind::ksql_entities,
        R"({"status":"SUCCESS","message":"Stream created","queryId":null})",
        R"({"status":"OK","message":"Stream created"})");
  check("ksql.status", Level::violation, Kind::ksql_entities,
        R"({"commandStatuses":{"stream/`S`/create":"SUCCESS"}})",
        R"({"commandStatuses":{"stream/`S`/create":"MAYBE"}})");
  check(
      "ksql.metadata", Level::violation, Kind::ksql_entities,
      R"({"version":"1.0.0","clusterId":{"scope":{"path":[],"clusters":{"kafka-cluster":"k"}},"id":""}})",
      R"({"version":"1.0.0","clusterId":{"scope":{"clusters":{}},"id":""}})");
}

const std::string g6_header =
    R"({"header":{"queryId":"transient_X_1","schema":"`A` INTEGER KEY, `B` DOUBLE, `C` ARRAY<STRING>"}})";
const std::string g6_row = R"({"row":{"columns":[123,234.0,["hello"]]}})";

TEST(KsqlStream, StreamedRowArraysOfKsqlDb) {
  // G6 push with a final message; G6 pull without one.
  std::string push =
      "[" + g6_header + ",\n" + g6_row + ",\n" + R"({"finalMessage":"Query Completed"}])";
  std::string pull = "[" + g6_header + ",\n" + g6_row + "]";
  EXPECT_TRUE(validate(Kind::ksql_stream, push).empty()) << show(validate(Kind::ksql_stream, push));
  EXPECT_TRUE(validate(Kind::ksql_stream, pull).empty());
  check("ksql.stream.row-width", Level::violation, Kind::ksql_stream, pull,
        "[" + g6_header + R"(,{"row":{"columns":[1,2.0]}}])");
  check("ksql.stream.value-type", Level::violation, Kind::ksql_stream, pull,
        "[" + g6_header + R"(,{"row":{"columns":["1",2.0,[]]}}])");
  check("ksql.stream.header", Level::violation, Kind::ksql_stream, pull, "[" + g6_row + "]");
  check("ksql.stream.header", Level::violation, Kind::ksql_stream, pull,
        R"([{"header":{"queryId":"q"}}])");
  check("ksql.stream.schema", Level::violation, Kind::ksql_stream, pull,
        R"([{"header":{"queryId":"q","schema":"`A INTEGER"}}])");
  check("ksql.stream.query-id", Level::warning, Kind::ksql_stream, pull,
        R"([{"header":{"schema":"`A` INTEGER"}}])");
  check("ksql.stream.order", Level::violation, Kind::ksql_stream, push,
        "[" + g6_header + R"(,{"finalMessage":"Limit Reached"},)" + g6_row + "]");
  check("ksql.stream.order", Level::violation, Kind::ksql_stream, pull,
        "[" + g6_header + "," + g6_header + "]");
  check("ksql.stream.element", Level::violation, Kind::ksql_stream, pull,
        "[" + g6_header + R"(,{"row":{"columns":[1,1.0,[]]},"finalMessage":"x"}])");
  check("ksql.stream.element", Level::violation, Kind::ksql_stream, pull,
        "[" + g6_header + R"(,{"rows":[]}])");
  check("ksql.stream.row", Level::violation, Kind::ksql_stream, pull,
        "[" + g6_header + R"(,{"row":{"columns":[1,1.0,[]],"tombstone":"yes"}}])");
  check("ksql.stream.final-message", Level::violation, Kind::ksql_stream, push,
        "[" + g6_header + R"(,{"finalMessage":7}])");
  check("ksql.stream.empty", Level::violation, Kind::ksql_stream, pull, "[]");
  check("ksql.stream.layout", Level::violation, Kind::ksql_stream, pull, "hello");
  // Tombstones and protobuf rows.
  EXPECT_TRUE(validate(Kind::ksql_stream,
                       "[" + g6_header + R"(,{"row":{"columns":[1,null,null],"tombstone":true}}])")
                  .empty());
  EXPECT_TRUE(validate(Kind::ksql_stream, "[" + g6_header + R"(,{"row":{"protobufBytes":"CHs="}}])")
                  .empty());
}

TEST(KsqlStream, MidStreamErrorsInEachGeneration) {
  std::string error =
      R"({"errorMessage":{"@type":"generic_error","error_code":50000,"message":"boom"}})";
  // G3–G5: "\n" + error + ",\n" and the array is never closed: an in-band error, nothing more.
  auto g3 = validate(Kind::ksql_stream, "[" + g6_header + ",\n" + g6_row + ",\n\n" + error + ",\n");
  EXPECT_TRUE(has(g3, "ksql.stream.error", Level::in_band_error)) << show(g3);
  for (const auto& f : g3)
    EXPECT_NE(f.level, Level::violation) << show(g3);
  // G6 push: the error then ",\n]" — a trailing comma strict parsers reject (warning).
  auto g6 = validate(Kind::ksql_stream, "[" + g6_header + ",\n" + error + ",\n]");
  EXPECT_TRUE(has(g6, "ksql.stream.error", Level::in_band_error)) << show(g6);
  EXPECT_TRUE(has(g6, "ksql.stream.trailing-comma", Level::warning)) << show(g6);
  // Unclosed without an error: the client stopped reading a running push query.
  auto open = validate(Kind::ksql_stream, "[" + g6_header + ",\n" + g6_row + ",\n");
  EXPECT_TRUE(has(open, "ksql.stream.unclosed", Level::warning)) << show(open);
  // Cut inside an element: the server stopped mid-write.
  check("ksql.stream.truncated", Level::violation, Kind::ksql_stream, "[" + g6_header + "]",
        "[" + g6_header + ",\n{\"row\":{\"colu");
  // The error object itself is checked.
  auto bad =
      validate(Kind::ksql_stream,
               "[" + g6_header + R"(,{"errorMessage":{"@type":"generic_error","message":"x"}}])");
  EXPECT_TRUE(has(bad, "ksql.error.code", Level::violation)) << show(bad);
}

TEST(KsqlStream, NewlineDelimitedGenerations) {
  // G1 (KSQL 5.0–5.3): no header, null fields, keep-alive blank lines.
  std::string g1 =
      "{\"row\":{\"columns\":[1,\"a\"]},\"errorMessage\":null,\"finalMessage\":null}\n\n"
      "{\"row\":null,\"errorMessage\":null,\"finalMessage\":\"Limit Reached\"}\n";
  EXPECT_TRUE(validate(Kind::ksql_stream, g1).empty()) << show(validate(Kind::ksql_stream, g1));
  // G2 (KSQL 5.4): a header line first.
  std::string g2 =
      "{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` BIGINT\"}}\n{\"row\":{\"columns\":[1]}}\n"
      "{\"finalMessage\":\"Limit Reached\"}\n";
  EXPECT_TRUE(validate(Kind::ksql_stream, g2).empty()) << show(validate(Kind::ksql_stream, g2));
  check("ksql.stream.row-width", Level::violation, Kind::ksql_stream, g2,
        "{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` "
        "BIGINT\"}}\n{\"row\":{\"columns\":[1,2]}}\n");
  check("ksql.stream.json", Level::violation, Kind::ksql_stream, g2,
        "{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` "
        "BIGINT\"}}\n{oops}\n{\"finalMessage\":\"x\"}\n");
}

TEST(KsqlStream, QueryStreamEndpoint) {
  std::string meta =
      R"({"queryId":"transient_FOO_1","columnNames":["F_STR","F_INT"],"columnTypes":["STRING","INTEGER"]})";
  std::string delimited = meta + "\n[\"foo0\",0]\n[\"foo1\",1]\n";
  EXPECT_TRUE(validate(Kind::ksql_stream, delimited).empty())
      << show(validate(Kind::ksql_stream, delimited));
  std::string json_array = "[" + meta + R"(,["foo0",0]])";
  EXPECT_TRUE(validate(Kind::ksql_stream, json_array).empty());
  check("ksql.stream.row-width", Level::violation, Kind::ksql_stream, delimited,
        meta + "\n[\"foo0\"]\n");
  check("ksql.stream.value-type", Level::violation, Kind::ksql_stream, delimited,
        meta + "\n[0,\"foo0\"]\n");
  check("ksql.stream.metadata", Level::violation, Kind::ksql_stream, delimited,
        R"({"queryId":"q","columnNames":["A","B"],"columnTypes":["STRING"]})"
        "\n");
  check("ksql.stream.query-id", Level::warning, Kind::ksql_stream, delimited,
        R"({"queryId":null,"columnNames":["A"],"columnTypes":["STRING"]})"
        "\n[\"x\"]\n");
  check("ksql.stream.element", Level::violation, Kind::ksql_stream, delimited,
        meta + "\n\"row\"\n");
  check(
      "ksql.stream.error", Level::in_band_error, Kind::ksql_stream, delimited,
      meta + "\n[\"foo0\",0]\n" +
          R"({"@type":"generic_error","error_code":50000,"message":"java.lang.RuntimeException: Failure in processing"})" +
          "\n");
  check("ksql.stream.truncated", Level::violation, Kind::ksql_stream, delimited,
        meta + "\n[\"foo0\",0]\n[\"fo");
  EXPECT_TRUE(
      validate(Kind::ksql_stream, meta + "\n" + R"({"continuationToken":"abc"})" + "\n").empty());
  // The JSON array form left open after a whole row: the row's ']' does not close the array, so
  // the stream is unclosed (a warning), not cut off inside an element.
  auto open = validate(Kind::ksql_stream, "[" + meta + ",\n[\"foo0\",0],\n[\"foo1\",1]\n");
  EXPECT_TRUE(has(open, "ksql.stream.unclosed", Level::warning)) << show(open);
  EXPECT_FALSE(has(open, "ksql.stream.truncated", Level::violation)) << show(open);
}

TEST(KsqlHttp, ContentTypeFitsAccept) {
  std::string meta = R"({"queryId":"q","columnNames":["A"],"columnTypes":["STRING"]})";
  std::string delimited = meta + "\n[\"x\"]\n";
  std::string array = "[" + g6_header + "," + g6_row + "]";
  http::Headers ct_delim{{"Content-Type", "application/vnd.ksqlapi.delimited.v1"}};
  http::Headers ct_v1{{"Content-Type", "application/vnd.ksql.v1+json"}};
  http::Headers ct_json{{"Content-Type", "application/json"}};
  http::Headers ct_html{{"Content-Type", "text/html; charset=utf-8"}};
  auto run = [](const std::string& body, const http::Headers& h, std::string_view accept) {
    return validate(Kind::ksql_stream, body, {200, &h, nullptr, accept});
  };
  EXPECT_TRUE(run(delimited, ct_delim, "application/vnd.ksqlapi.delimited.v1").empty());
  EXPECT_TRUE(run(delimited, ct_delim, "*/*").empty());       // curl's default gets delimited (G6)
  EXPECT_TRUE(run(array, ct_v1, "application/json").empty()); // /query answers v1+json
  EXPECT_TRUE(run(array, ct_v1, "application/vnd.ksql.v1+json").empty());
  EXPECT_TRUE(
      has(run(delimited, ct_delim, "application/json"), "ksql.http.accept", Level::violation));
  EXPECT_TRUE(has(run(array, ct_v1, "application/vnd.ksqlapi.delimited.v1"), "ksql.http.accept",
                  Level::violation));
  EXPECT_TRUE(has(run(array, ct_html, "*/*"), "ksql.http.content-type", Level::violation));
  EXPECT_TRUE(has(run(array, ct_delim, "*/*"), "ksql.http.content-type", Level::violation));
  EXPECT_TRUE(has(run(delimited, ct_v1, "*/*"), "ksql.http.content-type", Level::violation));
  // /ksql answers application/json even to Accept: application/vnd.ksql.v1+json (G5/G6).
  EXPECT_TRUE(validate(Kind::ksql_entities, "[" + status_entity + "]",
                       {200, &ct_json, nullptr, "application/vnd.ksql.v1+json"})
                  .empty());
  // FailureHandler errors have no Content-Type at all: fine for an error.
  http::Headers none;
  auto err =
      validate(Kind::ksql_error, R"({"@type":"generic_error","error_code":40000,"message":"m"})",
               {400, &none, nullptr, "application/json"});
  EXPECT_FALSE(has(err, "ksql.http.content-type", Level::warning)) << show(err);
}

} // namespace
} // namespace konform::protocol
