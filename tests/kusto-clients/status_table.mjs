// ReportMethod Table and QueueAndTable with azure-kusto-ingest 7.x: `.get ingestion resources`
// names a status table in Azurite's table service (https), the SDK writes its Pending entity
// there, and konform serve's data-management role updates it to Succeeded or Failed as the
// queued ingestion ends; the SDK's own TableReportIngestionResult reads it back.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { Client } from "azure-kusto-data";
import { IngestClient, IngestionProperties, DataFormat, ReportLevel, ReportMethod } from "azure-kusto-ingest";
import { QueueClient } from "@azure/storage-queue";

const engineUrl = process.env.KUSTO_URL;
const dmUrl = process.env.KUSTO_DM_URL;
assert.ok(engineUrl && dmUrl, "KUSTO_URL and KUSTO_DM_URL must be set (WITH_AZURITE=1 run.sh)");
const engine = new Client(engineUrl);
const dm = new Client(dmUrl);

const resources = [...(await dm.executeMgmt("NetDefaultDB", ".get ingestion resources")).primaryResults[0].rows()].map((r) => r.toJSON());
const byKind = Object.fromEntries(resources.map((r) => [r.ResourceTypeName, r.StorageRoot]));
// Path-style (Azurite): the SDK's createStatusTableClient keeps "devstoreaccount1/ingestionsstatus"
// as the table name, which addresses the same path.
assert.match(byKind.IngestionsStatusTable, /^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/ingestionsstatus\?sv=.*&tn=ingestionsstatus&.*sig=/);

// Idle past Azurite's 5 s keep-alive first: the worker's table connection (made at startup) is
// then closed under it, which left every status Pending until the update was retried.
await new Promise((r) => setTimeout(r, 7000));
await engine.executeMgmt("Samples", ".create table Reported (name:string, n:long)");
const ingest = new IngestClient(dmUrl);
const props = (reportMethod, reportLevel = ReportLevel.FailuresAndSuccesses) =>
  new IngestionProperties({ database: "Samples", table: "Reported", format: DataFormat.CSV, reportLevel, reportMethod });

// Polls the SDK's result until the status is no longer Pending (what the e2e suites do).
async function finalStatus(result) {
  const until = Date.now() + 30000;
  for (;;) {
    const status = await result.getIngestionStatusCollection();
    if (status.Status !== "Pending" || Date.now() > until) return status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Table: Pending first (written by the SDK), then Succeeded.
const ok = await ingest.ingestFromStream(Readable.from(["t1,1\nt2,2\n"]), props(ReportMethod.Table));
const okStatus = await finalStatus(ok);
assert.equal(okStatus.Status, "Succeeded", JSON.stringify(okStatus));
assert.equal(okStatus.Database, "Samples");
assert.equal(okStatus.Table, "Reported");
assert.ok(okStatus.OperationId && okStatus.UpdatedOn);
assert.ok(!/sig=/.test(okStatus.IngestionSourcePath), "no SAS signature in the status table");

// A blob that is not UTF-8: Failed, with the error and a permanent failure status.
const bad = await ingest.ingestFromStream(Readable.from([Buffer.from([0x74, 0x33, 0x2c, 0xff, 0xfe, 0x0a])]), props(ReportMethod.Table));
const badStatus = await finalStatus(bad);
assert.equal(badStatus.Status, "Failed", JSON.stringify(badStatus));
assert.match(badStatus.Details, /not valid UTF-8/);
assert.equal(badStatus.ErrorCode, "BadRequest_InvalidBlob");
assert.equal(badStatus.FailureStatus, "Permanent");

// QueueAndTable: the table says Succeeded and a success notification is queued as well.
const both = await ingest.ingestFromStream(Readable.from(["t4,4\n"]), props(ReportMethod.QueueAndTable));
assert.equal((await finalStatus(both)).Status, "Succeeded");
const queue = new QueueClient(byKind.SuccessfulIngestionsQueue);
let notes = [];
for (const until = Date.now() + 15000; notes.length === 0 && Date.now() < until; ) {
  notes = (await queue.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems;
  if (notes.length === 0) await new Promise((r) => setTimeout(r, 200));
}
assert.equal(notes.length, 1, "exactly one success notification: Table alone posts none");
assert.equal(JSON.parse(Buffer.from(notes[0].messageText, "base64").toString()).Table, "Reported");

const count = [...(await engine.execute("Samples", "Reported | count")).primaryResults[0].rows()][0].toJSON().Count;
assert.equal(count, 3, "the two good blobs are ingested, the bad one is not");
console.log("azure-kusto-ingest status table (Azurite, https): all checks passed");
