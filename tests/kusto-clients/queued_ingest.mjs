// azure-kusto-ingest 7.x QueuedIngestClient through Azurite: konform serve's data-management role
// hands out SAS-signed Azurite URLs, polls the ingestion queue, ingests the blobs and posts
// notifications; the rows are then read through azure-kusto-data on the engine.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Client } from "azure-kusto-data";
import { IngestClient, IngestionProperties, DataFormat, ReportLevel, ReportMethod, StreamingIngestClient } from "azure-kusto-ingest";
import { QueueClient } from "@azure/storage-queue";
import { ContainerClient } from "@azure/storage-blob";

const engineUrl = process.env.KUSTO_URL;
const dmUrl = process.env.KUSTO_DM_URL;
assert.ok(engineUrl && dmUrl, "KUSTO_URL and KUSTO_DM_URL must be set (WITH_AZURITE=1 run.sh)");
const engine = new Client(engineUrl);
const dm = new Client(dmUrl);

// The engine role refuses DM commands with the real wrong-endpoint error.
await assert.rejects(engine.executeMgmt("NetDefaultDB", ".get ingestion resources"), (err) => {
  assert.equal(err.response?.status, 400);
  assert.equal(err.response.data.error["@type"], "Kusto.Common.Svc.Exceptions.AdminCommandWrongEndpointException");
  return true;
});
// The DM role answers with SAS-signed URLs.
const resources = [...(await dm.executeMgmt("NetDefaultDB", ".get ingestion resources")).primaryResults[0].rows()].map((r) => r.toJSON());
const byKind = Object.fromEntries(resources.map((r) => [r.ResourceTypeName, r.StorageRoot]));
for (const kind of ["SecuredReadyForAggregationQueue", "FailedIngestionsQueue", "SuccessfulIngestionsQueue", "TempStorage"])
  assert.match(byKind[kind], /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/[a-z-]+\?sv=.*&sig=/, kind);
const token = [...(await dm.executeMgmt("NetDefaultDB", ".get kusto identity token")).primaryResults[0].rows()][0].toJSON();
assert.ok(token.AuthorizationContext);

await engine.executeMgmt("Samples", ".create table Queued (name:string, n:long)");
const ingest = new IngestClient(dmUrl);
const props = new IngestionProperties({
  database: "Samples",
  table: "Queued",
  format: DataFormat.CSV,
  reportLevel: ReportLevel.FailuresAndSuccesses,
  reportMethod: ReportMethod.Queue,
});
// A stream (uploaded as is) and a file (gzipped by the SDK).
await ingest.ingestFromStream(Readable.from(["q1,1\nq2,2\n"]), props);
const dir = mkdtempSync(join(tmpdir(), "konform-queued-"));
writeFileSync(join(dir, "data.csv"), "q3,3\nq4,4\n");
try {
  await ingest.ingestFromFile(join(dir, "data.csv"), props);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// A malformed blob: a failure notification, nothing ingested.
await ingest.ingestFromStream(Readable.from(["q5,notanumber\n"]), props);

// The SDK sends ignoreFirstRecord as a JSON boolean: the header line must be skipped (it was
// ingested as a row, or failed the blob, when only the string "true" was read).
await engine.executeMgmt("Samples", ".create table QueuedHeader (name:string, n:long)");
await ingest.ingestFromStream(
  Readable.from(["name,n\nh1,1\nh2,2\n"]),
  new IngestionProperties({
    database: "Samples",
    table: "QueuedHeader",
    format: DataFormat.CSV,
    ignoreFirstRecord: true,
    reportLevel: ReportLevel.DoNotReport,
  }),
);

const deadline = Date.now() + 30000;
let count = 0;
while (Date.now() < deadline) {
  count = [...(await engine.execute("Samples", "Queued | count")).primaryResults[0].rows()][0].toJSON().Count;
  if (count >= 4) break;
  await new Promise((r) => setTimeout(r, 200));
}
assert.equal(count, 4, "rows of both queued blobs are visible to queries");
let headerRows = 0;
while (Date.now() < deadline + 10000) {
  headerRows = [...(await engine.execute("Samples", "QueuedHeader | count")).primaryResults[0].rows()][0].toJSON().Count;
  if (headerRows >= 2) break;
  await new Promise((r) => setTimeout(r, 200));
}
assert.equal(headerRows, 2, "ignoreFirstRecord: true skips the CSV header line");

async function drain(url, want) {
  const q = new QueueClient(url);
  const got = [];
  const until = Date.now() + 15000;
  while (got.length < want && Date.now() < until) {
    const res = await q.receiveMessages({ numberOfMessages: 32 });
    for (const m of res.receivedMessageItems) got.push(JSON.parse(Buffer.from(m.messageText, "base64").toString()));
    if (got.length < want) await new Promise((r) => setTimeout(r, 200));
  }
  return got;
}
const successes = await drain(byKind.SuccessfulIngestionsQueue, 2);
assert.equal(successes.length, 2);
for (const s of successes) {
  assert.equal(s.Table, "Queued");
  assert.ok(!/sig=/.test(s.IngestionSourcePath), "no SAS signature in notifications");
}
const failures = await drain(byKind.FailedIngestionsQueue, 1);
assert.equal(failures.length, 1);
assert.equal(failures[0].FailureStatus, "Permanent");
assert.match(failures[0].Details, /notanumber/);
// The e2e suite's ingestFromBlob: upload to the container `.show export containers` names (DM
// role), then StreamingIngestClient.ingestFromBlob (sourceKind=uri), plain and gzip.
const exported = await dm.execute("Samples", ".show export containers");
const container = exported.primaryResults[0].toJSON().data[0].StorageRoot;
assert.match(container, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/tempstorage\?sv=.*&sig=/);
await engine.executeMgmt("Samples", ".create table FromBlob (name:string, n:long)");
const streaming = new StreamingIngestClient(engineUrl);
const plain = new ContainerClient(container).getBlockBlobClient(`fromblob_${Date.now()}.csv`);
await plain.upload("b1,1\nb2,2\n", 10);
await streaming.ingestFromBlob(plain.url, new IngestionProperties({ database: "Samples", table: "FromBlob", format: DataFormat.CSV }));
const zipped = new ContainerClient(container).getBlockBlobClient(`fromblob_${Date.now()}.csv.gz`);
const gz = (await import("node:zlib")).gzipSync("b3,3\n");
await zipped.upload(gz, gz.length);
await streaming.ingestFromBlob(zipped.url, new IngestionProperties({ database: "Samples", table: "FromBlob", format: DataFormat.CSV }));
const fromBlob = [...(await engine.execute("Samples", "FromBlob | count")).primaryResults[0].rows()][0].toJSON().Count;
assert.equal(fromBlob, 3, "rows of both blobs ingested with sourceKind=uri are visible at once");
// A blob elsewhere than the configured Azurite is never fetched (sent by hand: the SDK itself
// asks the blob's size first).
const offHost = await fetch(`${engineUrl}/v1/rest/ingest/Samples/FromBlob?streamFormat=csv&sourceKind=uri`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ sourceUri: "http://127.0.0.2:9/devstoreaccount1/c/x.csv?sig=abc" }),
});
assert.equal(offHost.status, 400);
const offHostBody = await offHost.text();
assert.match(offHostBody, /not on the configured blob endpoint/);
assert.ok(!offHostBody.includes("sig=abc"), "the SAS signature is not echoed");

console.log("azure-kusto-ingest queued (Azurite): all checks passed");
