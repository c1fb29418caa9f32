// The queued-ingestion worker against a stand-in for Azure Storage on loopback (just what the
// worker calls: create queue/container, poll, download a blob).
#include "serve/http_server.h"
#include "serve/kusto/cluster/commands.h"
#include "serve/kusto/cluster/kql.h"
#include "serve/kusto/dm.h"

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
  cluster::Catalog catalog;
  cluster::load_sample(catalog);
  ASSERT_TRUE(cluster::run_command(catalog, "Samples", ".create table Q (a:string, n:long)").ok());
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
  auto count = cluster::run_query(catalog, "Samples", "Q | count");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0][0].i, 0);
}

// The Node SDK sends "ignoreFirstRecord": true as a JSON boolean; konform read only the string
// form, so the CSV header line was ingested as a row with no error. Both forms are read now, and
// a value of any other type is a failure notification with nothing stored.
TEST(KustoDmE2E, IgnoreFirstRecordIsReadAsABooleanOrAStringAndAnythingElseFails) {
  const std::string blob = "name,n\nok,1\nalso,2\n";
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
  cluster::Catalog catalog;
  cluster::load_sample(catalog);
  DmOptions o;
  o.storage.blob_url = storage.url();
  o.storage.queue_url = storage.url();
  auto dm = DataManagement::start(catalog, o);
  ASSERT_TRUE(dm.ok()) << dm.error().message;
  int table_number = 0;
  // Ingests the blob into a fresh table with the given ignoreFirstRecord JSON value; returns the
  // outcome and the table's row count afterwards.
  auto ingest = [&](const std::string& ignore_first) {
    std::string table = "Q" + std::to_string(++table_number);
    EXPECT_TRUE(
        cluster::run_command(catalog, "Samples", ".create table " + table + " (a:string, n:long)")
            .ok());
    auto outcome = (*dm)->process(
        R"({"Id":"0f3c3c1e-8d2a-4a8e-9a55-2b8f6a1f0c11","BlobPath":")" + storage.url() +
        R"(/devstoreaccount1/c/b.csv","DatabaseName":"Samples","TableName":")" + table +
        R"(","ReportLevel":2,"AdditionalProperties":{"authorizationContext":"x","format":"csv",)"
        R"("ignoreFirstRecord":)" +
        ignore_first + "}}");
    auto count = cluster::run_query(catalog, "Samples", table + " | count");
    EXPECT_TRUE(count.ok());
    return std::pair{outcome, count.ok() ? count->rows[0][0].i : -1};
  };
  for (const char* skip : {"true", R"("true")", R"("True")"}) {
    auto [outcome, rows] = ingest(skip);
    EXPECT_TRUE(outcome.ok) << skip << ": " << outcome.notification;
    EXPECT_EQ(rows, 2) << skip;
  }
  // "n" is not a long: without ignoreFirstRecord the header line is a bad row, so the blob
  // fails as a whole.
  for (const char* keep : {"false", R"("false")", "null"}) {
    auto [outcome, rows] = ingest(keep);
    EXPECT_FALSE(outcome.ok) << keep;
    EXPECT_EQ(rows, 0) << keep;
  }
  for (const char* bad : {"1", R"("yes")", "[true]", "{}"}) {
    auto [outcome, rows] = ingest(bad);
    EXPECT_FALSE(outcome.ok) << bad;
    EXPECT_EQ(outcome.queue, failure_queue);
    EXPECT_NE(outcome.notification.find("ignoreFirstRecord must be true or false"),
              std::string::npos)
        << outcome.notification;
    EXPECT_EQ(rows, 0) << bad;
  }
}

TEST(KustoDmE2E, AdditionalPropertiesOfTheWrongTypeAreFailureNotifications) {
  HttpServer storage({}, [&](const ServerRequest& r) {
    ServerResponse res;
    if (r.method == "PUT" || r.method == "POST") res.status = 201;
    return res;
  });
  ASSERT_TRUE(storage.start().ok());
  cluster::Catalog catalog;
  cluster::load_sample(catalog);
  DmOptions o;
  o.storage.blob_url = storage.url();
  o.storage.queue_url = storage.url();
  auto dm = DataManagement::start(catalog, o);
  ASSERT_TRUE(dm.ok()) << dm.error().message;
  for (const char* props : {R"({"authorizationContext":"x","format":7})",
                            R"({"authorizationContext":"x","ingestionMappingReference":true})",
                            R"({"authorizationContext":["x"]})",
                            R"({"authorizationContext":"x","ingestionMapping":5})", R"("x")"}) {
    auto outcome = (*dm)->process(
        R"({"Id":"0f3c3c1e-8d2a-4a8e-9a55-2b8f6a1f0c11","BlobPath":")" + storage.url() +
        R"(/devstoreaccount1/c/b.csv","DatabaseName":"Samples","TableName":"States",)"
        R"("AdditionalProperties":)" +
        std::string(props) + "}");
    EXPECT_FALSE(outcome.ok) << props;
    EXPECT_NE(outcome.notification.find("AdditionalProperties"), std::string::npos)
        << outcome.notification;
    EXPECT_NE(outcome.notification.find("\"ErrorCode\":\"BadRequest_InvalidMessage\""),
              std::string::npos)
        << outcome.notification;
  }
}

// ReportMethod Table: with a table endpoint, `.get ingestion resources` names the status table,
// and a message asking for table reporting (Node spells the keys partitionKey/rowKey) ends with
// the entity's final Status; Table alone posts no queue notification. Malformed reporting fields
// are failures that say which field is wrong.
TEST(KustoDmE2E, ReportMethodTableEndsTheStatusEntitySucceededOrFailed) {
  HttpServer storage({}, [&](const ServerRequest& r) {
    ServerResponse res;
    if (r.method == "PUT" || r.method == "POST") res.status = 201;
    if (r.method == "GET" && r.path.find("/messages") != std::string::npos)
      res.body = "<?xml version=\"1.0\"?><QueueMessagesList></QueueMessagesList>";
    else if (r.method == "GET")
      res.body = "a,1\n";
    return res;
  });
  ASSERT_TRUE(storage.start().ok());
  cluster::Catalog catalog;
  cluster::load_sample(catalog);
  ASSERT_TRUE(cluster::run_command(catalog, "Samples", ".create table Q (a:string, n:long)").ok());
  DmOptions o;
  o.storage.blob_url = storage.url();
  o.storage.queue_url = storage.url();
  o.storage.table_url = storage.url();
  auto dm = DataManagement::start(catalog, o);
  ASSERT_TRUE(dm.ok()) << dm.error().message;
  auto resources = (*dm)->ingestion_resources();
  ASSERT_TRUE(resources.ok());
  bool table_row = false;
  for (const auto& row : resources->rows)
    if (row[0].s == "IngestionsStatusTable") {
      table_row = true;
      EXPECT_NE(row[1].s.find("/devstoreaccount1/ingestionsstatus?sv="), std::string::npos)
          << row[1].s;
    }
  EXPECT_TRUE(table_row);

  auto message = [&](const std::string& reporting) {
    return R"({"Id":"0f3c3c1e-8d2a-4a8e-9a55-2b8f6a1f0c11","BlobPath":")" + storage.url() +
           R"(/devstoreaccount1/c/b.csv?sig=secret","DatabaseName":"Samples","TableName":"Q",)"
           R"("ReportLevel":2,)" +
           reporting + R"(,"AdditionalProperties":{"authorizationContext":"x","format":"csv"}})";
  };
  auto ok = (*dm)->process(message(
      R"("ReportMethod":1,"IngestionStatusInTable":{"tableConnectionString":"https://elsewhere",)"
      R"("partitionKey":"pk1","rowKey":"rk1"})"));
  EXPECT_TRUE(ok.ok);
  EXPECT_TRUE(ok.notification.empty()) << "Table alone posts no queue notification";
  EXPECT_EQ(ok.status_partition_key, "pk1");
  EXPECT_EQ(ok.status_row_key, "rk1");
  EXPECT_NE(ok.status_entity.find(R"("Status":"Succeeded")"), std::string::npos)
      << ok.status_entity;
  EXPECT_EQ(ok.status_entity.find("secret"), std::string::npos) << "no SAS in the status table";

  auto both = (*dm)->process(message(
      R"("ReportMethod":2,"IngestionStatusInTable":{"PartitionKey":"pk2","RowKey":"rk2"})"));
  EXPECT_TRUE(both.ok);
  EXPECT_EQ(both.queue, success_queue);
  EXPECT_EQ(both.status_row_key, "rk2");

  struct Case {
    std::string reporting, says;
  };
  for (const auto& c : std::vector<Case>{
           {R"("ReportMethod":"Table","IngestionStatusInTable":{"PartitionKey":"p","RowKey":"r"})",
            "ReportMethod must be 0"},
           {R"("ReportMethod":1,"IngestionStatusInTable":{"PartitionKey":"a/b","RowKey":"r"})",
            "PartitionKey is not a valid table key"},
           {R"("ReportMethod":1,"IngestionStatusInTable":{"PartitionKey":"p"})",
            "RowKey must be a string"},
           {R"("ReportMethod":1,"IngestionStatusInTable":"x")", "must be a JSON object"}}) {
    auto failed = (*dm)->process(message(c.reporting));
    EXPECT_FALSE(failed.ok) << c.reporting;
    EXPECT_NE(failed.notification.find(c.says), std::string::npos) << failed.notification;
  }
  auto count = cluster::run_query(catalog, "Samples", "Q | count");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0][0].i, 2) << "only the two well-formed messages ingested";
}

// Without a table endpoint there is no status table row (the SDKs then cannot pick Table), and a
// message asking for one fails saying so instead of silently dropping the status.
TEST(KustoDmE2E, WithoutATableEndpointTableReportingIsAClearFailure) {
  HttpServer storage({}, [&](const ServerRequest& r) {
    ServerResponse res;
    if (r.method == "PUT" || r.method == "POST") res.status = 201;
    if (r.method == "GET") res.body = "a,1\n";
    return res;
  });
  ASSERT_TRUE(storage.start().ok());
  cluster::Catalog catalog;
  cluster::load_sample(catalog);
  DmOptions o;
  o.storage.blob_url = storage.url();
  o.storage.queue_url = storage.url();
  auto dm = DataManagement::start(catalog, o);
  ASSERT_TRUE(dm.ok()) << dm.error().message;
  auto resources = (*dm)->ingestion_resources();
  ASSERT_TRUE(resources.ok());
  for (const auto& row : resources->rows)
    EXPECT_NE(row[0].s, "IngestionsStatusTable");
  auto failed = (*dm)->process(
      R"({"Id":"0f3c3c1e-8d2a-4a8e-9a55-2b8f6a1f0c11","BlobPath":")" + storage.url() +
      R"(/devstoreaccount1/c/b.csv","DatabaseName":"Samples","TableName":"Q","ReportLevel":2,)"
      R"("ReportMethod":2,"IngestionStatusInTable":{"PartitionKey":"p","RowKey":"r"},)"
      R"("AdditionalProperties":{"authorizationContext":"x","format":"csv"}})");
  EXPECT_FALSE(failed.ok);
  EXPECT_NE(failed.notification.find("no table service (--azurite-table)"), std::string::npos)
      << failed.notification;
}

} // namespace
} // namespace konform::serve::kusto
