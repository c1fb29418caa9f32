// @cubejs-backend/ksql-driver (Cube's ksqlDB driver, unmodified from npm) against konform serve:
// what it creates through /ksql it must list, describe and type exactly as against ksqlDB.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { KsqlDriver } = require('@cubejs-backend/ksql-driver');

const url = process.env.KSQL_URL;
assert.ok(url, 'KSQL_URL is not set');
const driver = new KsqlDriver({ url, username: '', password: '' });

await driver.testConnection(); // SHOW VARIABLES;

const created = await driver.query(
  "CREATE STREAM orders (id VARCHAR KEY, amount DOUBLE, status STRING, qty INT) " +
  "WITH (kafka_topic='orders', value_format='JSON', partitions=3)");
assert.equal(created['@type'], 'currentStatus');
assert.equal(created.commandStatus.status, 'SUCCESS');
assert.equal(created.commandId, 'stream/`ORDERS`/create');

await driver.query(
  "CREATE TABLE users (id BIGINT PRIMARY KEY, name STRING) WITH (kafka_topic='users', value_format='JSON')");
// The pre-aggregation path: a dashed `schema-table` name, created AS SELECT.
const preAgg = await driver.query(
  "CREATE TABLE `dev_pre_aggregations-users_rollup` WITH (KEY_FORMAT='JSON') AS SELECT * FROM users");
assert.match(preAgg.commandStatus.message, /^Created query with ID CTAS_/);

const tables = await driver.fetchTables();
const byName = Object.fromEntries(tables.map(t => [t.fullTableName, t]));
assert.deepEqual(Object.keys(byName).sort(),
  ['ORDERS', 'USERS', 'dev_pre_aggregations-users_rollup'].sort());
assert.equal(byName['dev_pre_aggregations-users_rollup'].tableSchema, 'dev_pre_aggregations');
assert.equal(byName['dev_pre_aggregations-users_rollup'].tableName, 'users_rollup');
assert.deepEqual(
  (await driver.getTablesQuery('dev_pre_aggregations')).map(t => t.table_name), ['users_rollup']);

const schema = await driver.tablesSchema(); // DESCRIBE `<name>`; for each
assert.deepEqual(schema[''].ORDERS, [
  { name: 'ID', type: 'STRING' },
  { name: 'AMOUNT', type: 'DOUBLE' },
  { name: 'STATUS', type: 'STRING' },
  { name: 'QTY', type: 'INTEGER' },
]);
assert.deepEqual(schema[''].USERS, [{ name: 'ID', type: 'BIGINT' }, { name: 'NAME', type: 'STRING' }]);
assert.deepEqual(schema.dev_pre_aggregations.users_rollup,
  [{ name: 'ID', type: 'BIGINT' }, { name: 'NAME', type: 'STRING' }]);

const describe = await driver.query('DESCRIBE `ORDERS` EXTENDED');
assert.equal(describe.sourceDescription.topic, 'orders');
assert.equal(describe.sourceDescription.partitions, 3);
assert.equal(describe.sourceDescription.fields[0].type, 'KEY');
// The driver's own type mapping (it has no entry for DOUBLE and passes it through).
assert.deepEqual(await driver.tableColumnTypes('ORDERS', describe), [
  { name: 'ID', type: 'text' },
  { name: 'AMOUNT', type: 'DOUBLE' },
  { name: 'STATUS', type: 'text' },
  { name: 'QTY', type: 'int' },
]);

// Errors reach the driver's message path (it reads only `message`).
await assert.rejects(driver.query('DESCRIBE `NOPE`'),
  /ksql API error for 'DESCRIBE `NOPE`;': Could not find STREAM\/TABLE 'NOPE' in the Metastore/);
await assert.rejects(driver.query('CREATE STREAM broken (a INT) WITH (value_format=\'JSON\')'),
  /Missing required property "KAFKA_TOPIC"/);

// Cleanup as Cube does it.
const dropped = await driver.query('DROP TABLE `dev_pre_aggregations-users_rollup` DELETE TOPIC');
assert.equal(dropped.commandStatus.status, 'SUCCESS');
assert.deepEqual((await driver.fetchTables()).map(t => t.fullTableName).sort(), ['ORDERS', 'USERS']);
console.log('cube ksql-driver: created, listed, described and dropped through /ksql');
