// A raw Node http2 client of /inserts-stream (prior knowledge): the body is written line by line
// and each row is acknowledged as it is inserted (a running push query on another stream sees
// it); a malformed row gets ksqlDB's in-stream InsertError, then the response ends normally (no
// reset, rows before it stay inserted, later rows are ignored) and the connection goes on. Over
// HTTP/1.1 the endpoint answers 400/40004 as ksqlDB does.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';

const url = new URL(process.env.KSQL_URL);
const session = http2.connect(url.origin);
session.on('error', e => { throw e; });

// A request whose DATA frames are recorded one by one; `body` may be written later.
function open(path, headers = {}) {
  const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json', ...headers });
  const res = { status: 0, frames: [], ended: false, reset: null, waiters: [] };
  const notify = () => { for (const w of res.waiters.splice(0)) w(); };
  req.setEncoding('utf8');
  req.on('response', h => { res.status = h[':status']; res.headers = h; notify(); });
  req.on('data', d => { res.frames.push(d); notify(); });
  req.on('end', () => { res.ended = true; notify(); });
  req.on('close', () => { res.reset = req.rstCode; notify(); });
  res.until = (done, what) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(res.frames)}`)), 10000);
    const check = () => { if (done()) { clearTimeout(timer); resolve(); } else res.waiters.push(check); };
    check();
  });
  res.req = req;
  return res;
}

async function ksql(statement) {
  const r = open('/ksql', { accept: 'application/json' });
  r.req.end(JSON.stringify({ ksql: statement }));
  await r.until(() => r.ended, 'the /ksql response');
  assert.equal(r.status, 200, r.frames.join(''));
}

await ksql("CREATE STREAM S (ID INT KEY, NAME STRING) WITH (kafka_topic='s', value_format='json', partitions=1);");

const push = open('/query-stream', { accept: 'application/vnd.ksqlapi.delimited.v1' });
push.req.end(JSON.stringify({ sql: 'SELECT * FROM S EMIT CHANGES;' }));
await push.until(() => push.frames.length === 1, 'the push query metadata');

const ins = open('/inserts-stream');
ins.req.write('{"target":"s"}\n'); // the target is case-insensitive
ins.req.write('{"ID":1,"NAME":"one"}\n');
await ins.until(() => ins.frames.length === 1, 'the first ack');
assert.equal(ins.status, 200);
assert.equal(ins.headers['content-type'], 'application/vnd.ksqlapi.delimited.v1');
assert.equal(ins.frames[0], '{"seq":0,"status":"ok"}\n');
await push.until(() => push.frames.length === 2, 'the inserted row in the push query');
assert.equal(push.frames[1], '[1,"one"]\n');

ins.req.write('{"ID":2,"NAME":"two"}\n{"ID": nope}\n');
ins.req.end('{"ID":3,"NAME":"three"}\n');
await ins.until(() => ins.ended, 'the end of the inserts response');
assert.deepEqual(ins.frames.slice(1), [
  '{"seq":1,"status":"ok"}\n',
  '{"@type":"InsertError","status":"error","seq":2,"message":"Invalid JSON in inserts stream","error_code":40000}\n',
]);
await ins.until(() => ins.reset !== null, 'the stream to close');
assert.equal(ins.reset, http2.constants.NGHTTP2_NO_ERROR, 'the stream ends, it is not reset');
await push.until(() => push.frames.length === 3, 'row 2 in the push query');
assert.equal(push.frames[2], '[2,"two"]\n');

// The connection goes on: acks as one JSON array with Accept: application/json.
const json = open('/inserts-stream', { accept: 'application/json' });
json.req.end('{"target":"S"}\n{"ID":4,"NAME":"four"}\n{"ID":5,"NAME":"five"}');
await json.until(() => json.ended, 'the JSON acks');
assert.equal(json.frames.join(''), '[{"seq":0,"status":"ok"},{"seq":1,"status":"ok"}]');
await push.until(() => push.frames.length === 5, 'rows 4 and 5 in the push query');
assert.deepEqual(push.frames.slice(3), ['[4,"four"]\n', '[5,"five"]\n']);

// An unknown target fails before any row: HTTP 400, ksqlDB's error body.
const unknown = open('/inserts-stream');
unknown.req.end('{"target":"NOPE"}\n{"ID":1}\n');
await unknown.until(() => unknown.ended, 'the unknown-target answer');
assert.equal(unknown.status, 400);
assert.equal(JSON.parse(unknown.frames.join('')).error_code, 40001);

// Resetting the push query's stream ends the transient query, as a disconnect does.
push.req.close(http2.constants.NGHTTP2_CANCEL);
await push.until(() => push.reset !== null, 'the push query stream to close');
let listed = [];
for (let i = 0; i < 50; i++) {
  const q = open('/ksql', { accept: 'application/json' });
  q.req.end(JSON.stringify({ ksql: 'LIST QUERIES;' }));
  await q.until(() => q.ended, 'LIST QUERIES');
  listed = JSON.parse(q.frames.join(''))[0].queries;
  if (listed.length === 0) break;
  await new Promise(r => setTimeout(r, 20));
}
assert.deepEqual(listed, [], 'the transient query is gone after RST_STREAM');
session.close();

// HTTP/1.1: ksqlDB's ServerUtils.checkHttp2.
const h1 = await new Promise((resolve, reject) => {
  const req = http.request({ host: url.hostname, port: url.port, path: '/inserts-stream', method: 'POST', agent: false }, res => {
    let data = '';
    res.on('data', c => { data += c; });
    res.on('end', () => resolve({ status: res.statusCode, body: data }));
  });
  req.on('error', reject);
  req.end('{"target":"S"}\n{"ID":9}\n');
});
assert.equal(h1.status, 400);
assert.deepEqual(JSON.parse(h1.body),
  { '@type': 'generic_error', error_code: 40004, message: 'This endpoint is only available when using HTTP2' });
