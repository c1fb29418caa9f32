// The management commands and query shapes of the official Python, Go and Java SDK e2e suites
// (azure-kusto-python azure-kusto-data/tests/test_e2e_data.py, azure-kusto-go
// azkustodata/testshared/shared.go and test/etoe, azure-kusto-java ingest E2ETest.java), sent by
// azure-kusto-data from npm against konform serve (label sdk-suites): a regression in any of
// them fails here, as it would in those suites' own runs.
import assert from "node:assert/strict";
import { Client, ClientRequestProperties } from "azure-kusto-data";

const url = process.env.KUSTO_URL;
assert.ok(url, "KUSTO_URL must be set (run.sh)");
const db = "Samples";
const client = new Client(url);
const rows = async (csl) => (await client.execute(db, csl)).primaryResults[0].toJSON().data;
const suffix = `${Date.now()}_${Math.floor(Math.random() * 100000)}`;

// Go: drop/create with bracketed names, .ingest inline of the all-types row and the null row,
// the Logs mapping, the cache clear; then the suite's inline datatable ordered by vnum.
const go = `goe2e_all_data_types_${suffix}`;
await client.execute(db, `.drop table ["${go}"] ifexists`);
await client.execute(db, `.create table ["${go}"] (vnum:int, vdec:decimal, vdate:datetime, vspan:timespan, vobj:dynamic, vb:bool, vreal:real, vstr:string, vlong:long, vguid:guid)`);
await client.execute(db, `.ingest inline into table ["${go}"] <| \n1,"2.00000000000001","2020-03-04T14:05:01.3109965Z","01:23:45.6789000","{""moshe"":""value""}",true,0.01,"asdf",9223372036854775807,"74be27de-1e4e-49d9-b579-fe0b331d3642"\n`);
await client.execute(db, `.ingest inline into table ["${go}"] <| \nnull,null,null,null,null,null,null,"",null,null\n`);
await client.execute(db, `.create table ["${go}"] ingestion json mapping 'Logs_mapping' '[{"column":"vstr","path":"$.payload.data","datatype":"string"}]'`);
await client.execute(db, ".clear database cache streamingingestion schema");
const ingested = await rows(`["${go}"] | where vnum == 1 | project vstr, vlong`);
assert.deepEqual(ingested, [{ vstr: "asdf", vlong: 9223372036854775807 }]);
assert.equal((await rows(`["${go}"] | count`))[0].Count, 2);
const inline = await rows(
  'datatable(vnum:int, vdec:decimal, vstr:string, vguid:guid) [1, decimal(2.00000000000001), "asdf", guid("74be27de-1e4e-49d9-b579-fe0b331d3642"), int(null), decimal(null), "", guid(null),] | order by vnum | take 5 | count',
);
assert.equal(inline[0].Count, 2);
assert.deepEqual(await rows('.show databases | project A="1" | take 1'), [{ A: "1" }]);
// TestError/TestStatement: table(param) with the name sent as a KQL string literal (as the Go
// SDK sends it), the dynamic column compared through tostring().
const props = new ClientRequestProperties();
props.setParameter("tableName", JSON.stringify(go));
const viaParam = await client.execute(
  db,
  'declare query_parameters(tableName:string); table(tableName) | where tostring(vobj) == tostring(dynamic({"moshe": "value"})) | count',
  props,
);
assert.equal(viaParam.primaryResults[0].toJSON().data[0].Count, 1);

// Python data suite: .create table, .ingest inline on the same line, ordered query, .drop table.
const py = `StreamingTestTable${suffix}`;
await client.execute(db, `.create table ${py} (AvgTicketPrice:real,Cancelled:bool,Carrier:string,Dest:string)`);
await client.execute(db, `.ingest inline into table ${py} <| 882.98,false,Kibana Airlines,Sydney\n190.63,false,JetBeats,Venice\n190.63,true,ES-Air,Mumbai`);
const ordered = await rows(`${py}| order by AvgTicketPrice asc, Dest asc`);
assert.deepEqual(ordered.map((r) => r.Dest), ["Mumbai", "Venice", "Sydney"]);

// Java: auto_delete policy, principals (the service's columns), cleanup with skip-seal.
const java = `JavaTest${suffix}`;
await client.execute(db, `.create table ${java} (rownumber:int, rowguid:string)`);
await client.execute(db, `.alter table ${java} policy auto_delete @'{ "ExpiryDate" : "2030-01-01T00:00:00", "DeleteIfNotEmpty": true }'`);
const principals = (await client.execute(db, `.show database ${db} principals`)).primaryResults[0];
assert.deepEqual(
  principals.columns.map((c) => c.name),
  ["Role", "PrincipalType", "PrincipalDisplayName", "PrincipalObjectId", "PrincipalFQN", "Notes"],
);

// Cleanup as the suites do; .drop table answers the remaining tables and may be piped.
await client.execute(db, `.drop table ${java} ifexists skip-seal`);
await client.execute(db, `.drop table ${py}`);
const dropped = (await client.execute(db, `.drop table ["${go}"] | where TableName == "${go}"`)).primaryResults[0];
assert.deepEqual(dropped.columns.map((c) => c.name), ["TableName", "DatabaseName", "Folder", "DocString"]);
assert.equal(dropped.toJSON().data.length, 0);
console.log("Python, Go and Java SDK suites' commands: all checks passed");
