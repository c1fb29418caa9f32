// The setup and cleanup commands of the official Node SDK's e2e suite (azure-kusto-node,
// packages/azure-kusto-ingest/test/e2eTests/e2eTest.ts) over loopback HTTP, in its order, with
// its JSON request bodies; and the access log line that names each command.
#include "http/client.h"
#include "json/document.h"
#include "json/writer.h"
#include "serve/kusto/cluster/commands.h"
#include "serve/kusto/kusto_service.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

namespace konform::serve::kusto {
namespace {

class KustoSdkSuiteCommands : public ::testing::Test {
protected:
  void SetUp() override {
    service = std::move(KustoService::create({}).value());
    ServerOptions so;
    so.threads = 2;
    so.access_log = [this](const AccessLogEntry& e) {
      std::lock_guard lock(mu);
      log.push_back(e);
    };
    auto* svc = service.get();
    server =
        std::make_unique<HttpServer>(so, [svc](const ServerRequest& q) { return svc->handle(q); });
    ASSERT_TRUE(server->start().ok());
    client = std::make_unique<http::Client>(*http::parse_url(server->url()));
  }
  // POST /v1/rest/mgmt as the SDK sends it; returns the response.
  http::Response mgmt(const std::string& db, const std::string& csl) {
    std::string body;
    json::Writer w(body);
    w.begin_object().field("db", db).field("csl", csl).end_object();
    http::Request r{"POST",
                    "/v1/rest/mgmt",
                    {{"Content-Type", "application/json; charset=utf-8"},
                     {"Accept", "application/json"},
                     {"x-ms-client-request-id", "KNC.execute;" + std::to_string(++requests)}},
                    body};
    auto res = client->send(r);
    EXPECT_TRUE(res.ok()) << res.error().message;
    return res.ok() ? std::move(res.value()) : http::Response{};
  }
  // Declared before the server, so destroyed after it: the server's threads may still write a
  // log line while the fixture is torn down.
  std::mutex mu;
  std::vector<AccessLogEntry> log;
  std::unique_ptr<KustoService> service;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<http::Client> client;
  int requests = 0;
};

TEST_F(KustoSdkSuiteCommands, SetupAndCleanupSucceedAndHaveTheirEffect) {
  const std::string db = "Samples";
  const std::string columns =
      "(rownumber:int, rowguid:string, xdouble:real, xfloat:real, xbool:bool, xint16:int, "
      "xint32:int, xint64:long, xuint8:long, xuint16:long, xuint32:long, xuint64:long, "
      "xdate:datetime, xsmalltext:string, xtext:string, xnumberAsText:string, xtime:timespan, "
      "xtextWithNulls:string, xdynamicWithNulls:dynamic)";
  const std::string mapping =
      R"([{"column":"rownumber","Properties":{"Path":"$.rownumber"},"datatype":"int"},)"
      R"({"column":"rowguid","Properties":{"Path":"$.rowguid"},"datatype":"string"}])";
  const std::vector<std::string> tables = {"queued_file_csv_node_e2e_17_42",
                                           "streaming_file_json_node_e2e_17_42"};
  for (const auto& t : tables) {
    for (
        const std::string& csl :
        {".create-merge table " + t + " " + columns,
         ".alter table " + t + " policy streamingingestion enable",
         ".alter table " + t +
             R"( policy ingestionbatching @'{"MaximumBatchingTimeSpan":"00:00:10", "MaximumNumberOfItems": 500, "MaximumRawDataSizeMB": 1024}')",
         ".create-or-alter table " + t + " ingestion json mapping 'mappingRef' '" + mapping +
             "'"}) {
      auto r = mgmt(db, csl);
      EXPECT_EQ(r.status, 200) << csl << "\n" << r.body;
    }
    // Sent to the DM endpoint with the default database; here the engine role answers it too.
    auto refresh = mgmt("NetDefaultDB", ".refresh database '" + db + "' table '" + t +
                                            "' cache ingestionbatchingpolicy");
    EXPECT_EQ(refresh.status, 200) << refresh.body;
  }
  auto clear = mgmt(db, ".clear database cache streamingingestion schema");
  EXPECT_EQ(clear.status, 200) << clear.body;

  auto shown = mgmt(db, ".show table " + tables[0] + " policy streamingingestion");
  ASSERT_EQ(shown.status, 200) << shown.body;
  auto doc = json::Document::parse(shown.body);
  ASSERT_TRUE(doc.ok());
  auto row = doc->root()["Tables"].at(0)["Rows"].at(0);
  EXPECT_EQ(row.at(2).get_string().value(), R"({"IsEnabled":true,"HintAllocatedRate":null})");
  EXPECT_EQ(row.at(4).get_string().value(), "Table");

  // The suite's "Parse .show database correctly" test: one primary result with two columns.
  auto retention =
      mgmt(db, ".show database " + db + "  policy retention | project ChildEntities, EntityType");
  ASSERT_EQ(retention.status, 200) << retention.body;
  auto rdoc = json::Document::parse(retention.body);
  ASSERT_TRUE(rdoc.ok());
  auto cols = rdoc->root()["Tables"].at(0)["Columns"];
  EXPECT_EQ(cols.at(0)["ColumnName"].get_string().value(), "ChildEntities");
  EXPECT_EQ(cols.at(1)["ColumnName"].get_string().value(), "EntityType");

  // afterAll: ".drop tables (" + names.toString() + ") ifexists" - commas, no spaces.
  auto drop = mgmt(db, ".drop tables (" + tables[0] + "," + tables[1] +
                           ",status_table_csv_node_e2e_17_42) ifexists");
  ASSERT_EQ(drop.status, 200) << drop.body;
  auto after = mgmt(db, ".show tables");
  EXPECT_EQ(after.body.find("node_e2e"), std::string::npos) << after.body;

  // A valid command konform lacks: a 400 that names it, not a syntax error.
  auto unsupported = mgmt(db, ".show export containers");
  EXPECT_EQ(unsupported.status, 400);
  EXPECT_NE(unsupported.body.find("'.show export' is valid Kusto but not supported by konform"),
            std::string::npos)
      << unsupported.body;
  EXPECT_EQ(unsupported.body.find("SYN0002"), std::string::npos) << unsupported.body;

  // Every request's log line carries its command (the 400 included) beside its request id.
  // (A line is written once the response is sent, possibly just after the client has it.)
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mu);
      if (log.size() == static_cast<std::size_t>(requests)) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(log.size(), static_cast<std::size_t>(requests));
  const auto& last = log.back();
  EXPECT_EQ(last.status, 400);
  EXPECT_EQ(last.note, ".show export containers");
  EXPECT_EQ(last.client_request_id, "KNC.execute;" + std::to_string(requests));
  EXPECT_EQ(log.front().note.substr(0, 50), (".create-merge table " + tables[0]).substr(0, 50));
  EXPECT_EQ(log.front().note.size(), 123u); // 120 bytes and "..."
}

// Without the data-management role there is no Azurite to read a blob from: sourceKind=uri says
// what to start konform serve with.
TEST_F(KustoSdkSuiteCommands, IngestFromBlobWithoutAzuriteSaysWhatIsNeeded) {
  ASSERT_EQ(mgmt("Samples", ".create table B (a:string)").status, 200);
  http::Request r{"POST",
                  "/v1/rest/ingest/Samples/B?streamFormat=csv&sourceKind=uri",
                  {{"Content-Type", "application/json"}},
                  R"({"sourceUri":"http://127.0.0.1:10000/devstoreaccount1/c/b.csv?sig=S3CRET"})"};
  auto res = client->send(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("needs konform serve started with --dm-listen"), std::string::npos)
      << res->body;
  EXPECT_EQ(res->body.find("S3CRET"), std::string::npos);
  // .show export containers belongs to the data-management role.
  auto containers = mgmt("Samples", ".show export containers");
  EXPECT_EQ(containers.status, 400);
  EXPECT_TRUE(cluster::is_show_export_containers(" .show export  containers"));
  EXPECT_FALSE(cluster::is_show_export_containers(".show export containers x"));
}

} // namespace
} // namespace konform::serve::kusto
