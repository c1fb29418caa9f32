// The queued-ingestion worker against a stand-in for Azure Storage on loopback (just what the
// worker calls: create queue/container, poll, download a blob).
#include "serve/http_server.h"
#include "serve/kusto/dm.h"
#include "serve/kusto/engine/commands.h"
#include "serve/kusto/engine/kql.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto {
namespace {

// A blob that is not UTF-8 was stored as rows, and every later query answer was invalid JSON
// (the same check as streaming ingestion).
TEST(KustoDmE2E, ABlobThatIsNotUtf8IsAFailedIngestionAndNothingIsStored) {
  const std::string blob = "ok,1\nbad\xFF,2\n";
  HttpServer storage({}, [&](const ServerRequest& r) {
    ServerResponse res;
    if (r.method == "PUT" || r.method == "POST") res.status = 201;
    if (r.method == "GET" && r.path.find("/messages") != std::string::npos)
      res.body = "<?xml version=\"1.0\"?><QueueMessagesList></QueueMessagesList>";
    else if (r.method == "GET")
      res.body = blob;
    return res;
  });
  ASSERT_TRUE(storage.start().ok());
  engine::Catalog catalog;
  engine::load_sample(catalog);
  ASSERT_TRUE(engine::run_command(catalog, "Samples", ".create table Q (a:string, n:long)").ok());
  DmOptions o;
  o.storage.blob_url = storage.url();
  o.storage.queue_url = storage.url();
  auto dm = DataManagement::start(catalog, o);
  ASSERT_TRUE(dm.ok()) << dm.error().message;
  auto outcome = (*dm)->process(
      R"({"Id":"0f3c3c1e-8d2a-4a8e-9a55-2b8f6a1f0c11","BlobPath":")" + storage.url() +
      R"(/devstoreaccount1/c/b.csv","DatabaseName":"Samples","TableName":"Q","ReportLevel":2,)"
      R"("AdditionalProperties":{"authorizationContext":"x","format":"csv"}})");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.queue, failure_queue);
  EXPECT_NE(outcome.notification.find("not valid UTF-8 at byte offset 8"), std::string::npos)
      << outcome.notification;
  auto count = engine::run_query(catalog, "Samples", "Q | count");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0][0].i, 0);
}

} // namespace
} // namespace konform::serve::kusto
