// The session `konform record` records in front of `konform serve` (tests/record/run_recorded.sh):
// azure-kusto-data with a bearer token — a v2 query with ClientRequestProperties and parameters,
// a v2 and a v1 query, .create table / .drop table — and azure-kusto-ingest's
// StreamingIngestClient (gzip CSV). Every call must succeed through the proxy as against serve.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { Client, ClientRequestProperties, KustoConnectionStringBuilder } from "azure-kusto-data";
import { StreamingIngestClient, IngestionProperties, DataFormat } from "azure-kusto-ingest";

const url = process.env.KUSTO_URL;
const token = process.env.KUSTO_TOKEN;
assert.ok(url && token, "KUSTO_URL / KUSTO_TOKEN are not set (run through run_recorded.sh)");
const kcsb = KustoConnectionStringBuilder.withAccessToken(url, token);
const client = new Client(kcsb);

const props = new ClientRequestProperties();
props.setOption("servertimeout", 60000);
props.setParameter("name", "b");
const one = await client.execute(
  "Samples",
  "declare query_parameters(name:string); Recorded | where Name == name | project Name, Count",
  props
);
assert.deepEqual([...one.primaryResults[0].rows()].map((r) => r.toJSON()), [{ Name: "b", Count: 2 }]);

const all = await client.execute("Samples", "Recorded | take 10");
assert.equal(all.primaryResults[0]._rows.length, 3);
const v1 = await client.executeQueryV1("Samples", "Recorded | count");
assert.equal([...v1.primaryResults[0].rows()][0].toJSON().Count, 3);

await client.executeMgmt("Samples", ".create table RecordedClient (a:string, n:long)");
const ingest = new StreamingIngestClient(kcsb);
const csv = new IngestionProperties({ database: "Samples", table: "RecordedClient", format: DataFormat.CSV });
const res = await ingest.ingestFromStream(Readable.from(["x,1\ny,2\n"]), csv);
assert.equal(res.Tables?.[0]?.Rows?.[0]?.[0], 2, "ConsumedRecordsCount");
const count = await client.execute("Samples", "RecordedClient | count");
assert.equal([...count.primaryResults[0].rows()][0].toJSON().Count, 2);
await client.executeMgmt("Samples", ".drop table RecordedClient");
console.log("azure-kusto-data / azure-kusto-ingest through konform record: all calls passed");
