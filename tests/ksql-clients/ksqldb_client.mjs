// The npm ksqldb-client (HTTP/2 with prior knowledge, one JSON value per DATA frame) against
// `konform serve`: connect; listStreams; create a stream; a push streamQuery fed by insertInto
// from a second client, each row arriving before the next is inserted; a pull query; closing
// the push query with terminatePushQuery; disconnect.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const KsqldbClient = require('ksqldb-client');

const url = new URL(process.env.KSQL_URL);
const options = { host: `http://${url.hostname}`, port: Number(url.port), timeout: 20000 };
const reader = new KsqldbClient(options);
const writer = new KsqldbClient(options);
await reader.connect();
await writer.connect();
assert.ok(reader.connected && writer.connected);

assert.deepEqual(await reader.listStreams(), [], 'a fresh server has no streams');
const created = await reader.executeStatement(
  "CREATE STREAM RIDERS (PROFILEID STRING KEY, LATITUDE DOUBLE, LONGITUDE DOUBLE) " +
  "WITH (kafka_topic='riders', value_format='json', partitions=1);");
assert.equal(created.status, 200, JSON.stringify(created));
assert.equal(created.data.rows[0].commandStatus.status, 'SUCCESS');
const streams = await reader.listStreams();
assert.deepEqual(streams.map(s => s.name), ['RIDERS']);

// The push query: the callback gets the metadata, then one row per DATA frame.
const rows = [];
let metadata = null;
let waiter = null;
const push = reader.streamQuery('SELECT * FROM RIDERS EMIT CHANGES;', data => {
  assert.equal(data.status, 200);
  metadata = data.metadata;
  if (data.rows) rows.push(...data.rows);
  if (waiter) waiter();
});
function until(done, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; rows ${JSON.stringify(rows)}`)), 10000);
    const check = () => { if (done()) { clearTimeout(timer); waiter = null; resolve(); } };
    waiter = check;
    check();
  });
}
await until(() => metadata !== null, 'the push query metadata');
assert.match(metadata.queryId, /^transient_RIDERS_\d+$/);
assert.deepEqual(metadata.columnNames, ['PROFILEID', 'LATITUDE', 'LONGITUDE']);
assert.deepEqual(metadata.columnTypes, ['STRING', 'DOUBLE', 'DOUBLE']);

for (let i = 1; i <= 3; i++) {
  const row = { PROFILEID: `p${i}`, LATITUDE: i + 0.5, LONGITUDE: -i - 0.25 };
  const inserted = await writer.insertInto('RIDERS', row);
  assert.equal(inserted.status, 200, JSON.stringify(inserted));
  await until(() => rows.length === i, `row ${i}`);
  assert.deepEqual(rows[i - 1], row);
}

// A pull query (application/json: one array, metadata then rows).
const pulled = await writer.query('SELECT * FROM RIDERS;');
assert.equal(pulled.status, 200, JSON.stringify(pulled));
assert.equal(pulled.data.rows.length, 3);
assert.deepEqual(pulled.data.rows[2], { PROFILEID: 'p3', LATITUDE: 3.5, LONGITUDE: -3.25 });

// Closing the push query ends its response; the transient query is gone.
const closed = await writer.terminatePushQuery(metadata.queryId);
assert.equal(closed.status, 200, JSON.stringify(closed));
const ended = await push;
assert.equal(ended.status, 200);
const again = await writer.terminatePushQuery(metadata.queryId);
assert.equal(again.status, 400);
assert.equal(again.error.error_code, 40000);

await reader.disconnect();
await writer.disconnect();
assert.ok(!reader.connected && !writer.connected);
