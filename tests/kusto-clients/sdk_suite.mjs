// The flows of the official Node SDK e2e suite (azure-kusto-node packages/azure-kusto-ingest/test/
// e2eTests/e2eTest.ts), written by this project and run with azure-kusto-data/-ingest from npm
// against konform serve with Azurite (label sdk-suites): the suite's setup commands, queued
// ingestion with ignoreFirstRecord, table-status polling (ReportMethod QueueAndTable), ingestion
// from a blob named by `.show export containers`, `.show database ... policy retention`, and the
// `.drop tables (...) ifexists` cleanup. A regression in any of them fails here as it would in
// the SDK team's own run.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, KustoConnectionStringBuilder } from "azure-kusto-data";
import { IngestClient, IngestionProperties, DataFormat, ReportLevel, ReportMethod, StreamingIngestClient } from "azure-kusto-ingest";
import { ContainerClient } from "@azure/storage-blob";

const engineUrl = process.env.KUSTO_URL;
const dmUrl = process.env.KUSTO_DM_URL;
assert.ok(engineUrl && dmUrl, "KUSTO_URL and KUSTO_DM_URL must be set (WITH_AZURITE=1 run.sh)");
const db = "Samples";
const queryClient = new Client(engineUrl);
const dmKustoClient = new Client(dmUrl);
const ingestClient = new IngestClient(dmUrl);
const streamingIngestClient = new StreamingIngestClient(engineUrl);

// The suite's table layout, mapping and naming (suffix _node_e2e_<time>_<random>).
const tableColumns =
  "(rownumber:int, rowguid:string, xdouble:real, xfloat:real, xbool:bool, xint16:int, xint32:int, xint64:long, xuint8:long, xuint16:long, xuint32:long, xuint64:long, xdate:datetime, xsmalltext:string, xtext:string, xnumberAsText:string, xtime:timespan, xtextWithNulls:string, xdynamicWithNulls:dynamic)";
const mapping = JSON.stringify([
  { column: "rownumber", Properties: { Path: "$.rownumber" }, datatype: "int" },
  { column: "rowguid", Properties: { Path: "$.rowguid" }, datatype: "string" },
]);
const suffix = `_node_e2e_${Date.now()}_${Math.floor(Math.random() * 100000)}`;
const tables = Object.fromEntries(["queued_file_csv_ignore_first_record", "status_table_json_with_mapping_ref", "streaming_blob_csv"].map((t) => [t, t + suffix]));

// beforeAll, concurrently as the suite does.
await Promise.all(
  Object.values(tables).map(async (table) => {
    await queryClient.execute(db, `.create-merge table ${table} ${tableColumns}`);
    await queryClient.execute(db, `.alter table ${table} policy streamingingestion enable`);
    await queryClient.execute(
      db,
      `.alter table ${table} policy ingestionbatching @'{"MaximumBatchingTimeSpan":"00:00:10", "MaximumNumberOfItems": 500, "MaximumRawDataSizeMB": 1024}'`,
    );
    await dmKustoClient.execute(KustoConnectionStringBuilder.DefaultDatabaseName, `.refresh database '${db}' table '${table}' cache ingestionbatchingpolicy`);
    await queryClient.execute(db, `.create-or-alter table ${table} ingestion json mapping 'mappingRef' '${mapping}'`);
  }),
);
await queryClient.execute(db, ".clear database cache streamingingestion schema");
const policy = (await queryClient.execute(db, `.show table ${tables.streaming_blob_csv} policy streamingingestion`)).primaryResults[0].toJSON().data[0];
assert.match(policy.Policy, /"IsEnabled":true/, "the streaming ingestion policy is stored and shown");

// Files as the suite's e2eData holds them: a CSV with a header line, a JSON with a mapping.
const dir = mkdtempSync(join(tmpdir(), "konform-sdk-suite-"));
const row = (n) => `${n},guid-${n},1.5,2.5,true,1,2,3,4,5,6,7,2020-01-01T00:00:00Z,small,text,123,01:00:00,,`;
const csv = join(dir, "dataset.csv");
writeFileSync(csv, ["rownumber,rowguid,xdouble,xfloat,xbool,xint16,xint32,xint64,xuint8,xuint16,xuint32,xuint64,xdate,xsmalltext,xtext,xnumberAsText,xtime,xtextWithNulls,xdynamicWithNulls", row(1), row(2), row(3)].join("\n") + "\n");
const json = join(dir, "dataset.json");
writeFileSync(json, '{"rownumber":1,"rowguid":"a"}\n{"rownumber":2,"rowguid":"b"}\n');

async function assertRowsCount(table, expected) {
  let count = -1;
  for (const until = Date.now() + 30000; Date.now() < until; ) {
    count = [...(await queryClient.execute(db, `${table} | count`)).primaryResults[0].rows()][0].toJSON().Count;
    if (count >= expected) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(count, expected, `rows in ${table}`);
}

try {
  // queuedIngestClient ingestFromFile_csv_ignore_first_record: the header line is skipped.
  await ingestClient.ingestFromFile(
    csv,
    new IngestionProperties({ database: db, table: tables.queued_file_csv_ignore_first_record, format: DataFormat.CSV, ignoreFirstRecord: true, flushImmediately: true }),
  );
  await assertRowsCount(tables.queued_file_csv_ignore_first_record, 3);

  // ingestFromFile_TableReporting_json_with_mapping_ref: poll the status table until it leaves
  // Pending; it must say Succeeded.
  const props = new IngestionProperties({ database: db, table: tables.status_table_json_with_mapping_ref, format: DataFormat.JSON, ingestionMappingReference: "mappingRef", flushImmediately: true });
  props.reportLevel = ReportLevel.FailuresAndSuccesses;
  props.reportMethod = ReportMethod.QueueAndTable;
  const res = await ingestClient.ingestFromFile(json, props);
  assert.equal(res.constructor.name, "TableReportIngestionResult");
  let status;
  for (const until = Date.now() + 60000; Date.now() < until; ) {
    status = await res.getIngestionStatusCollection();
    if (status.Status !== "Pending") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status.Status, "Succeeded", JSON.stringify(status));
  await assertRowsCount(tables.status_table_json_with_mapping_ref, 2);

  // StreamingIngestClient ingestFromBlob_csv: upload to the `.show export containers` container
  // (asked of the DM endpoint), then ingest with sourceKind=uri.
  const exported = await dmKustoClient.execute(db, ".show export containers");
  const container = exported.primaryResults[0].toJSON().data[0].StorageRoot;
  const blob = new ContainerClient(container).getBlockBlobClient(`${Date.now()}dataset.csv`);
  await blob.uploadData(Buffer.from([row(4), row(5)].join("\n") + "\n"));
  await streamingIngestClient.ingestFromBlob(blob.url, new IngestionProperties({ database: db, table: tables.streaming_blob_csv, format: DataFormat.CSV }));
  await assertRowsCount(tables.streaming_blob_csv, 2);

  // "Parse .show database correctly": one primary result, the two projected columns.
  const retention = await queryClient.execute(db, `.show database ${db}  policy retention | project ChildEntities, EntityType`);
  assert.deepEqual(
    retention.primaryResults[0].columns.map((c) => c.name),
    ["ChildEntities", "EntityType"],
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  // afterAll: names joined by Array.toString (commas, no spaces).
  await queryClient.execute(db, ".drop tables (" + Object.values(tables).toString() + ") ifexists");
}
const left = JSON.stringify((await queryClient.execute(db, ".show tables")).primaryResults[0].toJSON().data);
assert.ok(!left.includes("_node_e2e_"), "the cleanup dropped every suite table");
console.log("Node SDK e2e suite flows: all checks passed");
