// A raw Node HTTP/1.1 client reads the chunked /query stream of a push query while rows are
// inserted from other connections: it must see the header first, then each row as it arrives
// (the next row is inserted only after the previous one was read), then the final message at
// LIMIT and the end of the response.
import assert from 'node:assert/strict';
import http from 'node:http';

const url = new URL(process.env.KSQL_URL);

function post(path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path, method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', Accept: 'application/vnd.ksql.v1+json', ...headers },
    }, res => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', c => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function ksql(statements) {
  const r = await post('/ksql', { ksql: statements, streamsProperties: {} });
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body);
}

await ksql("CREATE STREAM PAGEVIEWS (USERID STRING KEY, PAGEID STRING, VIEWTIME BIGINT) " +
           "WITH (kafka_topic='pageviews', value_format='JSON');");

// The reader: one keep-alive-less connection, chunks collected as they come.
const received = [];
let waiter = null;
let ended = false;
const response = new Promise((resolve, reject) => {
  const req = http.request({
    host: url.hostname, port: url.port, path: '/query', method: 'POST', agent: false,
    headers: { 'Content-Type': 'application/vnd.ksql.v1+json', Accept: 'application/vnd.ksql.v1+json' },
  }, res => {
    res.setEncoding('utf8');
    res.on('data', chunk => {
      received.push(chunk);
      if (waiter) waiter();
    });
    res.on('end', () => { ended = true; if (waiter) waiter(); resolve(res); });
  });
  req.on('error', reject);
  req.end(JSON.stringify({
    ksql: 'SELECT USERID, PAGEID, VIEWTIME FROM PAGEVIEWS EMIT CHANGES LIMIT 3;',
    streamsProperties: {},
  }));
});

// Resolves once the text read so far satisfies `done`; fails after 10 s.
function until(done, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(received.join(''))}`)), 10000);
    const check = () => {
      if (done(received.join(''))) { clearTimeout(timer); waiter = null; resolve(); }
    };
    waiter = check;
    check();
  });
}

await until(text => text.includes('"header"'), 'the header');
const header = received.join('');
assert.match(header, /^\[\{"header":\{"queryId":"transient_PAGEVIEWS_\d+","schema":"`USERID` STRING, `PAGEID` STRING, `VIEWTIME` BIGINT"\}\},\n$/);
assert.ok(!ended, 'the stream must stay open until LIMIT');

for (let i = 1; i <= 3; i++) {
  await ksql(`INSERT INTO PAGEVIEWS (USERID, PAGEID, VIEWTIME) VALUES ('USER_${i}', 'PAGE_${i}', ${i});`);
  const row = `{"row":{"columns":["USER_${i}","PAGE_${i}",${i}]}}`;
  await until(text => text.includes(row), `row ${i}`);
  if (i < 3) assert.ok(!ended, `the stream ended after row ${i} of 3`);
}
const res = await response;
assert.equal(res.statusCode, 200);
assert.equal(res.headers['content-type'], 'application/vnd.ksql.v1+json');
assert.equal(res.headers['transfer-encoding'], 'chunked');
const body = received.join('');
assert.equal(body.slice(header.length),
  '{"row":{"columns":["USER_1","PAGE_1",1]}},\n' +
  '{"row":{"columns":["USER_2","PAGE_2",2]}},\n' +
  '{"row":{"columns":["USER_3","PAGE_3",3]}},\n' +
  '{"finalMessage":"Limit Reached"}]');

// The transient query is gone once the limit is reached.
const [queries] = await ksql('SHOW QUERIES;');
assert.deepEqual(queries.queries, []);
console.log(`push query: header, 3 rows each as inserted, final message (${received.length} chunks)`);
