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

// Go TestStatement "Complex query with Builder": the builder's typed literals, ten comparisons
// joined by `and` after `take 1`; then the same with query parameters, declared in the Go SDK's
// form (sorted, a parameter named `guid` like the type) and sent as the literals the SDK quotes.
const goWhere = (v) =>
  `| take 1 | where vnum == ${v.num} and vdec == ${v.dec} and vdate == ${v.dt} and vspan == ${v.span} and tostring(vobj) == tostring(${v.obj}) and vb == ${v.b} and vreal == ${v.rl} and vstr == ${v.str} and vlong == ${v.lg} and vguid == ${v.guid}`;
const goLiterals = {
  b: "bool(true)",
  dec: "decimal(2.00000000000001)",
  dt: "datetime(2020-03-04T14:05:01.3109965Z)",
  guid: "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)",
  lg: "long(9223372036854775807)",
  num: "int(1)",
  obj: 'dynamic({"moshe":"value"})',
  rl: "real(0.01)",
  span: "timespan(01:23:45.6789000)",
  str: '"asdf"',
};
assert.deepEqual((await rows(`["${go}"] ${goWhere(goLiterals)}`)).map((r) => r.vstr), ["asdf"]);
const goProps = new ClientRequestProperties();
for (const [k, v] of Object.entries(goLiterals)) goProps.setParameter(k, v);
const goNames = Object.fromEntries(Object.keys(goLiterals).map((k) => [k, k]));
const goDeclared = await client.execute(
  db,
  `declare query_parameters(b:bool, dec:decimal, dt:datetime, guid:guid, lg:long, num:int, obj:dynamic, rl:real, span:timespan, str:string);\n["${go}"] ${goWhere(goNames)}`,
  goProps,
);
assert.deepEqual(goDeclared.primaryResults[0].toJSON().data.map((r) => r.vstr), ["asdf"]);
// TestQueries: dynamic literals of string literals are dynamic strings, their text kept as
// written (the Go suite expects `{ "a": 1}` with its space back).
const dyn = (await rows(`print PlainValue = dynamic('1'), PlainArray = dynamic('[1,2,3]'), PlainJson= dynamic('{ "a": 1}'), JsonArray= dynamic('[{ "a": 1}, { "a": 2}]')`))[0];
assert.deepEqual(dyn, { PlainValue: "1", PlainArray: "[1,2,3]", PlainJson: '{ "a": 1}', JsonArray: '[{ "a": 1}, { "a": 2}]' });

// Python data suite: .create table, .ingest inline on the same line, ordered query, .drop table.
const py = `StreamingTestTable${suffix}`;
await client.execute(db, `.create table ${py} (AvgTicketPrice:real,Cancelled:bool,Carrier:string,Dest:string)`);
await client.execute(db, `.ingest inline into table ${py} <| 882.98,false,Kibana Airlines,Sydney\n190.63,false,JetBeats,Venice\n190.63,true,ES-Air,Mumbai`);
const ordered = await rows(`${py}| order by AvgTicketPrice asc, Dest asc`);
assert.deepEqual(ordered.map((r) => r.Dest), ["Mumbai", "Venice", "Sydney"]);

// Java: auto_delete policy, principals (the service's columns), cleanup with skip-seal.
const java = `JavaTest${suffix}`;
await client.execute(
  db,
  `.create table ${java} (rownumber:int, rowguid:string, xdouble:real, xfloat:real, xbool:bool, xint16:int, xint32:int, xint64:long, xuint8:long, xuint16:long, xuint32:long, xuint64:long, xdate:datetime, xsmalltext:string, xtext:string, xnumberAsText:string, xtime:timespan, xtextWithNulls:string, xdynamicWithNulls:dynamic)`,
);
// Two rows of the suites' dataset.csv (bools written 0/1, a negative timespan, a quoted dynamic).
await client.execute(
  db,
  `.ingest inline into table ${java} <| 1,00000001-0000-0000-0001-020304050607,1.0001,1.01,1,1,1,1,1,1,1,1,2015-01-01T01:01:01.0000000Z,One,"One",1,00:00:01.0010001,,"{""rowId"": 1, ""arr"": [0,1]}"\n2,00000002-0000-0000-0001-020304050607,2.0002,2.02,0,2,2,2,2,2,2,2,2016-01-01T01:01:01.0000000Z,Two,"Two",2,-00:00:02.0020002,,"{""rowId"": 2, ""arr"": [0,2]}"`,
);
// testParameterizedQuery: seven typed parameters, sent as the Java SDK's Csl*Format literals.
const javaProps = new ClientRequestProperties();
for (const [k, v] of Object.entries({
  xdoubleParam: "real(2.0002)",
  xboolParam: "bool(false)",
  xint16Param: "int(2)",
  xint64Param: "long(2)",
  xdateParam: "datetime(2016-01-01T01:01:01.0000000Z)",
  xtextParam: '"Two"',
  xtimeParam: "time(-00:00:02.0020002)",
}))
  javaProps.setParameter(k, v);
const javaParams = await client.execute(
  db,
  `declare query_parameters(xdoubleParam:real, xboolParam:bool, xint16Param:int, xint64Param:long, xdateParam:datetime, xtextParam:string, xtimeParam:time); ${java} | where xdouble == xdoubleParam and xbool == xboolParam and xint16 == xint16Param and xint64 == xint64Param and xdate == xdateParam and xtext == xtextParam and xtime == xtimeParam`,
  javaProps,
);
assert.deepEqual(javaParams.primaryResults[0].toJSON().data.map((r) => r.xtext), ["Two"]);
assert.equal((await rows(`${java} | take 100000 | count`))[0].Count, 2);
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
