// The session `konform record` records in front of `konform serve` (tests/record/run_recorded.sh):
// @cubejs-backend/ksql-driver creates, lists, describes and drops a stream through the proxy.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { KsqlDriver } = require('@cubejs-backend/ksql-driver');

const url = process.env.KSQL_URL;
assert.ok(url, 'KSQL_URL is not set (run through run_recorded.sh)');
const driver = new KsqlDriver({ url, username: '', password: '' });

const created = await driver.query(
  "CREATE STREAM rec_orders (id VARCHAR KEY, amount DOUBLE, qty INT) " +
  "WITH (kafka_topic='rec_orders', value_format='JSON', partitions=1)");
assert.equal(created.commandStatus.status, 'SUCCESS');
assert.deepEqual((await driver.fetchTables()).map(t => t.fullTableName), ['REC_ORDERS']);
const describe = await driver.query('DESCRIBE `REC_ORDERS`');
assert.deepEqual(describe.sourceDescription.fields.map(f => f.name), ['ID', 'AMOUNT', 'QTY']);
const dropped = await driver.query('DROP STREAM `REC_ORDERS`');
assert.equal(dropped.commandStatus.status, 'SUCCESS');
console.log('@cubejs-backend/ksql-driver through konform record: all calls passed');
