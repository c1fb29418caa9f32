// azure-kusto-ingest 7.x StreamingIngestClient (gzip bodies) against konform serve, then the rows
// read back through azure-kusto-data.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { Client } from "azure-kusto-data";
import { StreamingIngestClient, IngestionProperties, DataFormat } from "azure-kusto-ingest";

const url = process.env.KUSTO_URL;
assert.ok(url, "KUSTO_URL is not set (run through run.sh)");
const query = new Client(url);
await query.executeMgmt("Samples", ".create table Streamed (name:string, n:long, at:datetime)");
await query.executeMgmt(
  "Samples",
  `.create table Streamed ingestion json mapping "jm" '[{"column":"name","path":"$.name"},{"column":"n","path":"$.n"},{"column":"at","path":"$.at"}]'`
);

const ingest = new StreamingIngestClient(url);
const csv = new IngestionProperties({ database: "Samples", table: "Streamed", format: DataFormat.CSV });
const res = await ingest.ingestFromStream(Readable.from(["a,1,2024-01-01T00:00:00Z\nb,2,\n"]), csv);
assert.equal(res.Tables?.[0]?.Rows?.[0]?.[0], 2, "ConsumedRecordsCount");

const json = new IngestionProperties({
  database: "Samples",
  table: "Streamed",
  format: DataFormat.MULTIJSON,
  ingestionMappingReference: "jm",
});
await ingest.ingestFromStream(Readable.from(['[{"name":"c","n":3},{"name":"d","n":4,"at":"2024-02-02"}]']), json);

// A malformed record: 400 from the service and nothing of that request ingested.
await assert.rejects(
  ingest.ingestFromStream(Readable.from(["e,5,\nf,notanumber,\n"]), csv),
  (err) => err.response?.status === 400 || /400/.test(String(err))
);
// An unknown mapping: BadRequest_MappingReferenceWasNotFound.
const missing = new IngestionProperties({ database: "Samples", table: "Streamed", format: DataFormat.JSON, ingestionMappingReference: "nope" });
await assert.rejects(ingest.ingestFromStream(Readable.from(['{"name":"x"}']), missing), (err) => {
  assert.equal(err.response?.data?.error?.code, "BadRequest_MappingReferenceWasNotFound");
  return true;
});

const rows = [...(await query.execute("Samples", "Streamed")).primaryResults[0].rows()].map((r) => r.toJSON());
assert.deepEqual(rows.map((r) => r.name), ["a", "b", "c", "d"]);
assert.equal(rows[3].at.toISOString(), "2024-02-02T00:00:00.000Z");
console.log("azure-kusto-ingest streaming: all checks passed");
