#include "compare/compare.h"
#include "core/base64.h"
#include "core/file.h"
#include "core/gzip.h"
#include "json/document.h"
#include "record/convert.h"
#include "record/correlate.h"
#include "record/output.h"
#include "record/secrets.h"
#include "scenario/parser.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace konform::record {
namespace {

namespace fs = std::filesystem;
using test_support::ScratchDir;

Exchange exchange(std::string method, std::string target, std::string request_body, int status,
                  std::string response_body, http::Headers request_headers = {}) {
  Exchange e;
  e.method = std::move(method);
  e.target = std::move(target);
  e.request_body.bytes = std::move(request_body);
  e.request_body.size = e.request_body.bytes.size();
  e.request_headers = std::move(request_headers);
  e.status = status;
  e.response_headers = {{"Content-Type", "application/json"}};
  e.response_body.bytes = std::move(response_body);
  e.response_body.size = e.response_body.bytes.size();
  return e;
}

struct Recorded {
  Summary summary;
  std::string scenario; // the text of --out
};

Recorded record(const ScratchDir& dir, const std::vector<Exchange>& exchanges,
                ConvertOptions options = {}) {
  if (options.out.empty()) options.out = dir.path("rec.json");
  Staging staging;
  auto summary = convert(exchanges, options, staging);
  EXPECT_TRUE(summary.ok()) << (summary.ok() ? "" : summary.error().message);
  if (!summary) return {};
  EXPECT_TRUE(staging.commit().ok());
  auto text = file::read(options.out);
  EXPECT_TRUE(text.ok());
  return {*summary, text ? *text : ""};
}

TEST(Service, KsqlPathsAreKsqlEverythingElseKusto) {
  EXPECT_EQ(service_of("/ksql"), Service::ksql);
  EXPECT_EQ(service_of("/status/stream/X/create"), Service::ksql);
  EXPECT_EQ(service_of("/close-query"), Service::ksql);
  EXPECT_EQ(service_of("/query?x=1"), Service::ksql);
  EXPECT_EQ(service_of("/v2/rest/query"), Service::kusto);
  EXPECT_EQ(service_of("/v1/rest/ingest/Db/T?streamFormat=csv"), Service::kusto);
}

TEST(Scrubber, MasksTheBearerTokenWhereverItIsEchoed) {
  Scrubber s;
  s.learn({{"Authorization", "Bearer s3cret.token.value"}});
  auto out = s.scrub(R"({"error":"token s3cret.token.value expired"})", "step 1 response body");
  EXPECT_EQ(out.find("s3cret"), std::string::npos);
  ASSERT_EQ(s.notes().size(), 1u);
  EXPECT_NE(s.notes()[0].find("step 1 response body"), std::string::npos);
  EXPECT_NE(s.notes()[0].find("bearer token"), std::string::npos);
}

TEST(Scrubber, MasksTheQueryStringOfSasUrls) {
  Scrubber s;
  auto out = s.scrub(
      R"(["TempStorage","https://acct.blob.core.windows.net/temp?sv=2018&sig=AbC%2Bd&se=1"],)"
      R"(["Q","http://127.0.0.1:10000/devstoreaccount1/q?sv=1&sp=r&sig=XyZ"],)"
      R"(["Plain","https://example.com/x?a=1"])",
      "where");
  EXPECT_EQ(out.find("sig="), std::string::npos) << out;
  EXPECT_EQ(out.find("AbC"), std::string::npos);
  EXPECT_EQ(out.find("XyZ"), std::string::npos);
  EXPECT_NE(out.find("https://acct.blob.core.windows.net/temp?***\""), std::string::npos) << out;
  EXPECT_NE(out.find("https://example.com/x?a=1"), std::string::npos) << out; // no SAS: kept
  // A storage URL loses its query even without sig=.
  EXPECT_EQ(s.scrub("https://a.queue.core.windows.net/q?sv=1&sp=r", "w"),
            "https://a.queue.core.windows.net/q?***");
  // A sig= outside a URL keeps its name, not its value.
  EXPECT_EQ(s.scrub("SharedAccessSignature=sv=1&sig=SECRET&se=2", "w"),
            "SharedAccessSignature=sv=1&sig=***&se=2");
}

TEST(Scrubber, ScrubsBase64QueueMessages) {
  Scrubber s;
  std::string message = R"({"BlobPath":"http://h/c/b.csv.gz?sv=1&sig=TOPSECRET"})";
  std::string xml =
      "<QueueMessage><MessageText>" + base64::encode(message) + "</MessageText></QueueMessage>";
  auto out = s.scrub(xml, "w");
  auto begin = out.find("<MessageText>") + 13;
  auto decoded = base64::decode(out.substr(begin, out.find("</MessageText>") - begin));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->find("TOPSECRET"), std::string::npos);
  EXPECT_NE(decoded->find("?***"), std::string::npos);
}

TEST(Correlate, SubstituteEscapesLiteralDollarBraces) {
  EXPECT_EQ(substitute("/status/stream/X/create", {{"stream/X/create", "commandId"}}),
            "/status/${commandId}");
  EXPECT_EQ(substitute("a ${b} c", {}), "a $${b} c");
  // Only whole tokens: CSAS_X_1 is not replaced inside CSAS_X_12.
  EXPECT_EQ(substitute("TERMINATE CSAS_X_12;", {{"CSAS_X_1", "queryId"}}), "TERMINATE CSAS_X_12;");
  EXPECT_EQ(substitute("TERMINATE CSAS_X_1;", {{"CSAS_X_1", "queryId"}}), "TERMINATE ${queryId};");
}

const char* kCreated =
    R"([{"@type":"currentStatus","statementText":"CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');",)"
    R"("commandId":"stream/`S`/create","commandStatus":{"status":"SUCCESS","message":"Stream created","queryId":null},)"
    R"("commandSequenceNumber":4,"warnings":[]}])";

std::vector<Exchange> ksql_session() {
  return {
      exchange("POST", "/ksql",
               R"({"ksql":"CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');"})",
               200, kCreated),
      exchange("GET", "/status/stream/`S`/create", "", 200,
               R"({"status":"SUCCESS","message":"Stream created","queryId":null})"),
      exchange(
          "POST", "/ksql", R"({"ksql":"LIST STREAMS;","commandSequenceNumber":4})", 200,
          R"([{"@type":"streams","statementText":"LIST STREAMS;","streams":[],"warnings":[]}])"),
      exchange(
          "POST", "/query-stream", R"({"sql":"SELECT * FROM S EMIT CHANGES;"})", 200,
          R"({"queryId":"8d3a6a5e-6a4c-4c0b-9d53-0a4b0e3f4a11","columnNames":["A"],"columnTypes":["INTEGER"]})"
          "\n"),
      exchange("POST", "/close-query", R"({"queryId":"8d3a6a5e-6a4c-4c0b-9d53-0a4b0e3f4a11"})", 200,
               ""),
  };
}

TEST(Convert, CorrelatesCommandIdSequenceNumberAndQueryId) {
  ScratchDir dir;
  auto r = record(dir, ksql_session());
  // commandId from the CREATE, sent back in /status; the sequence number sent back in LIST.
  EXPECT_NE(r.scenario.find(R"("path": "/status/${commandId}")"), std::string::npos) << r.scenario;
  EXPECT_NE(r.scenario.find(R"("commandSequenceNumber":"${commandSequenceNumber}")"),
            std::string::npos)
      << r.scenario;
  EXPECT_NE(r.scenario.find(R"("capture": {"commandId": "$[0].commandId", )"
                            R"("commandSequenceNumber": "$[0].commandSequenceNumber"})"),
            std::string::npos)
      << r.scenario;
  // The push query's id (an on-line /query-stream body is not one JSON document, so its id is
  // not captured) stays literal; the statement text the client sent is never a variable.
  EXPECT_EQ(r.scenario.find("${statementText}"), std::string::npos);
  EXPECT_EQ(r.summary.correlations.size(), 2u);
  // The scenario is one `check` accepts.
  auto parsed = scenario::parse_scenario(r.scenario, dir.path("rec.json"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->endpoint, scenario::Endpoint::ksql);
  ASSERT_EQ(parsed->steps.size(), 5u);
  EXPECT_EQ(parsed->steps[0].captures.size(), 2u);
  EXPECT_EQ(parsed->steps[2].kind, protocol::Kind::ksql_entities);
  EXPECT_EQ(parsed->steps[4].kind, protocol::Kind::text);
  EXPECT_TRUE(parsed->steps[4].golden.empty()); // an empty body has no golden
}

// A produced value under a key that needs quoting is captured with a path that `check` reads
// back: the quote of "it's Id" used to be written as \' inside ['...'], an escape no JSON path
// accepts, so the recording was refused as bad input.
TEST(Convert, ACaptureUnderAKeyThatNeedsQuotingReadsBack) {
  ScratchDir dir;
  auto r = record(dir, {exchange("POST", "/ksql", R"({"ksql":"LIST STREAMS;"})", 200,
                                 R"([{"@type":"streams","it's Id":"tmp123","streams":[]}])"),
                        exchange("GET", "/status/tmp123", "", 200, R"({"status":"SUCCESS"})")});
  auto parsed = scenario::parse_scenario(r.scenario, dir.path("rec.json"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << r.scenario;
  ASSERT_EQ(parsed->steps.size(), 2u);
  ASSERT_EQ(parsed->steps[0].captures.size(), 1u) << r.scenario;
  EXPECT_EQ(parsed->steps[0].captures[0].path, R"($[0]["it's Id"])");
}

TEST(Convert, PercentEncodedCommandIdInThePathIsCorrelated) {
  ScratchDir dir;
  auto session = ksql_session();
  session[1].target = "/status/stream/%60S%60/create";
  auto r = record(dir, session);
  EXPECT_NE(r.scenario.find(R"("path": "/status/${commandId}")"), std::string::npos) << r.scenario;
}

TEST(Convert, NoCorrelateKeepsRecordedValues) {
  ScratchDir dir;
  ConvertOptions options;
  options.correlate = false;
  auto r = record(dir, ksql_session(), options);
  EXPECT_NE(r.scenario.find(R"("path": "/status/stream/`S`/create")"), std::string::npos);
  EXPECT_EQ(r.scenario.find("capture"), std::string::npos);
  EXPECT_TRUE(r.summary.correlations.empty());
}

TEST(Convert, QueryIdOfACommandIsCapturedForTerminate) {
  ScratchDir dir;
  auto r = record(
      dir, {exchange("POST", "/ksql", R"({"ksql":"CREATE STREAM T AS SELECT * FROM S;"})", 200,
                     R"([{"@type":"currentStatus","commandId":"stream/`T`/create",)"
                     R"("commandStatus":{"status":"SUCCESS","queryId":"CSAS_T_7"},)"
                     R"("commandSequenceNumber":9}])"),
            exchange("POST", "/ksql", R"({"ksql":"TERMINATE CSAS_T_7;"})", 200,
                     R"([{"@type":"currentStatus","commandId":"terminate/CSAS_T_7/execute"}])")});
  EXPECT_NE(r.scenario.find(R"("body": {"ksql":"TERMINATE ${queryId};"})"), std::string::npos)
      << r.scenario;
  EXPECT_NE(r.scenario.find(R"("queryId": "$[0].commandStatus.queryId")"), std::string::npos);
}

TEST(Convert, FixedWordsOfAResponseAreNotCorrelated) {
  ScratchDir dir;
  auto r = record(dir, {exchange("GET", "/v1/rest/auth/metadata", "", 200,
                                 R"({"dSTS":{"ServiceName":"kusto","TenantId":"t-42-x"}})"),
                        exchange("POST", "/v1/rest/query", R"({"db":"kusto","csl":"T | count"})",
                                 200, R"({"Tables":[]})", {{"x-ms-app", "my-kusto-app"}})});
  EXPECT_EQ(r.scenario.find("${"), std::string::npos) << r.scenario;
  EXPECT_TRUE(r.summary.correlations.empty());
}

TEST(Convert, KustoStepKeepsTheHeadersThatMatterAndDropsTheRest) {
  ScratchDir dir;
  http::Headers headers = {{"Host", "127.0.0.1:9"},
                           {"Connection", "keep-alive"},
                           {"Content-Length", "40"},
                           {"x-ms-client-request-id", "KNC.execute;1"},
                           {"x-ms-app", "tests"},
                           {"x-ms-user", "me"},
                           {"x-ms-client-version", "Kusto.JavaScript.Client:{7.0.3}"},
                           {"Accept", "application/json"},
                           {"Content-Type", "application/json; charset=utf-8"},
                           {"Authorization", "Bearer TOKEN-123456"},
                           {"Cookie", "session=abc"}};
  auto r = record(
      dir, {exchange("POST", "/v1/rest/mgmt", R"({"db":"Samples","csl":".show version"})", 200,
                     R"({"Tables":[{"TableName":"Table_0","Columns":[],"Rows":[]}]})", headers)});
  for (auto gone : {"Host", "Connection", "Content-Length", "KNC.execute", "Authorization",
                    "TOKEN-123456", "Cookie", "session"})
    EXPECT_EQ(r.scenario.find(gone), std::string::npos) << gone << "\n" << r.scenario;
  for (auto kept : {"x-ms-app", "x-ms-user", "x-ms-client-version", "\"Accept\"", "Content-Type"})
    EXPECT_NE(r.scenario.find(kept), std::string::npos) << kept;
  EXPECT_NE(r.scenario.find(R"("protocol": "kusto-v1")"), std::string::npos) << r.scenario;
  EXPECT_NE(r.scenario.find(R"("name": "01 POST /v1/rest/mgmt: .show version")"),
            std::string::npos);
  bool authorization_noted = false;
  for (const auto& n : r.summary.redactions)
    authorization_noted |= n.find("request header Authorization: dropped") != std::string::npos;
  EXPECT_TRUE(authorization_noted);
  // The golden is in the canonical form --update-golden writes.
  auto golden = file::read(dir.path("rec.golden/01-post-v1-rest-mgmt.json"));
  ASSERT_TRUE(golden.ok());
  EXPECT_EQ(*golden, *compare::canonical_golden(
                         R"({"Tables":[{"TableName":"Table_0","Columns":[],"Rows":[]}]})",
                         protocol::Kind::kusto_v1));
}

TEST(Convert, RedactionsAreSummedUpPerPlaceWithTheExchangesNamed) {
  ScratchDir dir;
  http::Headers auth = {{"Authorization", "Bearer TOKEN-123456"}};
  std::vector<Exchange> exchanges;
  for (int i = 0; i < 3; ++i)
    exchanges.push_back(exchange("GET", "/v1/rest/ping", "", 200, "Pong", auth));
  exchanges.push_back(exchange("GET", "/v1/rest/ping", "", 200, "Pong"));
  exchanges.push_back(exchange("GET", "/v1/rest/ping", "", 200, "Pong TOKEN-123456", auth));
  auto r = record(dir, exchanges);
  ASSERT_EQ(r.summary.redactions.size(), 2u);
  EXPECT_EQ(r.summary.redactions[0], "request header Authorization: dropped in exchanges 1-3, 5");
  EXPECT_EQ(r.summary.redactions[1], "response body: the bearer token masked in exchange 5");
}

TEST(Convert, GzipCsvBodyIsStoredDecompressedInABodyFile) {
  ScratchDir dir;
  std::string csv = "a,1\nb,2\n";
  auto e = exchange("POST", "/v1/rest/ingest/Samples/T?streamFormat=Csv", gzip::compress(csv), 200,
                    R"({"Tables":[{"TableName":"Table_0","Columns":[],"Rows":[]}]})",
                    {{"Content-Encoding", "gzip"}, {"Content-Type", "application/octet-stream"}});
  auto r = record(dir, {e});
  EXPECT_NE(r.scenario.find(R"("bodyFile": "rec.bodies/01.csv")"), std::string::npos) << r.scenario;
  EXPECT_NE(r.scenario.find(R"("gzip": true)"), std::string::npos);
  EXPECT_EQ(r.scenario.find("Content-Encoding"), std::string::npos);
  EXPECT_NE(r.scenario.find(R"("protocol": "kusto-ingest")"), std::string::npos);
  EXPECT_EQ(*file::read(dir.path("rec.bodies/01.csv")), csv);
  auto parsed = scenario::parse_scenario(r.scenario, dir.path("rec.json"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed->steps[0].body, csv);
  EXPECT_TRUE(parsed->steps[0].gzip);
}

TEST(Convert, BothServicesGiveTwoScenarios) {
  ScratchDir dir;
  auto r =
      record(dir, {exchange("GET", "/v1/rest/ping", "", 200, "Pong"),
                   exchange("GET", "/info", "", 200, R"({"KsqlServerInfo":{"version":"1"}})")});
  ASSERT_EQ(r.summary.scenarios.size(), 2u);
  EXPECT_TRUE(fs::exists(dir.path("rec.ksql.json")));
  EXPECT_NE(r.scenario.find(R"("endpoint": "kusto")"), std::string::npos);
}

TEST(Convert, TruncatedPushQueryReplaysWithStreamForMs) {
  ScratchDir dir;
  auto e = exchange("POST", "/query", R"({"ksql":"SELECT * FROM S EMIT CHANGES;"})", 200,
                    "[{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` INTEGER\"}},\n"
                    "{\"row\":{\"columns\":[1]}},\n");
  e.truncated = true;
  e.streamed = std::chrono::milliseconds(2500);
  auto r = record(dir, {e});
  EXPECT_NE(r.scenario.find(R"("streamForMs": 2500)"), std::string::npos) << r.scenario;
  EXPECT_NE(r.scenario.find(R"("protocol": "ksql-stream")"), std::string::npos) << r.scenario;
}

TEST(Output, RefusesToOverwriteWithoutForce) {
  ScratchDir dir;
  auto out = dir.write("rec.json", "{}");
  auto st = check_out(out, false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::exists);
  EXPECT_NE(st.error().message.find("--force"), std::string::npos);
  EXPECT_TRUE(check_out(out, true).ok());
  EXPECT_TRUE(check_out(dir.path("new.json"), false).ok());
}

TEST(Output, NothingIsInPlaceUntilCommitAndNothingStaysWithoutIt) {
  ScratchDir dir;
  {
    Staging staging;
    ASSERT_TRUE(staging.stage(dir.path("a/rec.json"), "{}").ok());
    EXPECT_FALSE(fs::exists(dir.path("a/rec.json")));
  } // destroyed without commit: an interrupted run
  std::size_t left = 0;
  for (auto& f : fs::recursive_directory_iterator(dir.path()))
    left += f.is_regular_file();
  EXPECT_EQ(left, 0u);
  Staging staging;
  ASSERT_TRUE(staging.stage(dir.path("a/rec.json"), "{\"x\":1}").ok());
  ASSERT_TRUE(staging.commit().ok());
  EXPECT_EQ(*file::read(dir.path("a/rec.json")), "{\"x\":1}");
}

} // namespace
} // namespace konform::record
