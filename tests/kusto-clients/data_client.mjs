// azure-kusto-data 7.x against konform serve: v2 and v1 queries, management commands, with and
// without ClientRequestProperties, typed values, and an error surfaced the way the SDK does.
import assert from "node:assert/strict";
import { Client, ClientRequestProperties } from "azure-kusto-data";

const url = process.env.KUSTO_URL;
assert.ok(url, "KUSTO_URL is not set (run through run.sh)");
const client = new Client(url);

// v2 query, no properties: typed values come back as the SDK's types.
const v2 = await client.execute("Samples", "StormEvents | where EpisodeId == 8");
const rows = [...v2.primaryResults[0].rows()].map((r) => r.toJSON());
assert.equal(rows.length, 1);
const row = rows[0];
assert.ok(row.StartTime instanceof Date, "datetime is a Date");
assert.equal(row.StartTime.toISOString(), "2007-03-15T18:20:00.000Z");
assert.equal(row.ReportId, "2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e08");
assert.equal(row.EventId, 100008);
assert.equal(row.BeginLat, 38.5739);
assert.deepEqual(row.Details, { Source: "Storm Chaser", Rating: "EF3" });
assert.equal(row.Verified, true);
assert.equal(row.Duration, 60000, "timespan 00:01:00 is 60000 ms");
assert.equal(row.DamageCost, "99999999999.99", "decimal stays a string");

// With ClientRequestProperties: options, parameters and a client request id.
const props = new ClientRequestProperties();
props.setOption("servertimeout", 60000);
props.setParameter("state", "TEXAS");
props.clientRequestId = "konform.realclient;" + crypto.randomUUID();
const withProps = await client.execute(
  "Samples",
  "declare query_parameters(state:string); StormEvents | where State == state | project EventId",
  props
);
assert.equal(withProps.primaryResults[0]._rows.length, 3);

// v1 query.
const v1 = await client.executeQueryV1("Samples", "StormEvents | count");
assert.equal([...v1.primaryResults[0].rows()][0].toJSON().Count, 20);

// Management commands (v1, one table).
const tables = await client.executeMgmt("Samples", ".show tables");
const names = [...tables.primaryResults[0].rows()].map((r) => r.toJSON().TableName);
assert.deepEqual(names, ["States", "StormEvents"]);
const created = await client.executeMgmt("Samples", ".create table RealClient (a:string, n:long)");
assert.equal([...created.primaryResults[0].rows()][0].toJSON().TableName, "RealClient");
const version = await client.executeMgmt("Samples", ".show version", props);
assert.equal(version.primaryResults[0]._rows.length, 1);

// The official ingest e2e suite's setup commands and its "Parse .show database correctly" test,
// sent with execute() as the suite does.
await client.execute("Samples", ".alter table RealClient policy streamingingestion enable");
await client.execute(
  "Samples",
  `.alter table RealClient policy ingestionbatching @'{"MaximumBatchingTimeSpan":"00:00:10", "MaximumNumberOfItems": 500, "MaximumRawDataSizeMB": 1024}'`,
);
await client.execute("Samples", ".clear database cache streamingingestion schema");
const policy = await client.execute("Samples", ".show table RealClient policy streamingingestion");
assert.equal([...policy.primaryResults[0].rows()][0].toJSON().Policy, '{"IsEnabled":true,"HintAllocatedRate":null}');
const retention = await client.execute("Samples", ".show database Samples  policy retention | project ChildEntities, EntityType");
assert.equal(retention.primaryResults.length, 1);
assert.deepEqual(retention.primaryResults[0].columns.map((c) => c.name), ["ChildEntities", "EntityType"]);
await client.execute("Samples", ".drop tables (RealClient,NotThere) ifexists");
// A valid command konform lacks is a clear 400, not a syntax error.
await assert.rejects(client.execute("Samples", ".show export containers"), (err) => {
  assert.equal(err.response?.status, 400);
  assert.match(err.response.data.error["@message"], /'.show export' is valid Kusto but not supported by konform serve/);
  return true;
});

// Errors: a semantic error is a 400 the SDK surfaces with the OneAPI body.
await assert.rejects(client.execute("Samples", "NoSuchTable | take 1"), (err) => {
  const body = err.response?.data;
  assert.equal(err.response?.status, 400);
  assert.equal(body.error.code, "General_BadRequest");
  assert.match(body.error["@message"], /NoSuchTable/);
  return true;
});
// A partial failure in the v2 stream becomes the SDK's "Kusto request had errors".
const trunc = new ClientRequestProperties();
trunc.setOption("truncationmaxrecords", 2);
await assert.rejects(client.execute("Samples", "StormEvents", trunc), /Kusto request had errors/);

console.log("azure-kusto-data: all checks passed");
