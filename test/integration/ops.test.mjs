// Operations: /healthz and /metrics (Prometheus text) reflect what the server does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { fetchT, poll, useServer } from './server.mjs';
import { join } from './client.mjs';

const srv = useServer();

const T = { timeout: 15_000 };

// The value of one sample line, e.g. metric('parley_posts_total{result="ok"}').
function sample(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function metrics() {
  const res = await fetchT(srv.metricsUrl);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return res.text();
}

test('/healthz answers 200 ok', T, async () => {
  const res = await fetchT(`http://127.0.0.1:${srv.port}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'ok\n');
});

test('/metrics counts connections, messages, posts and handler and store latency', T, async () => {
  const before = await metrics();
  for (const family of ['parley_connections_open', 'parley_connects_total', 'parley_messages_in_total',
    'parley_messages_out_total', 'parley_posts_total', 'parley_integration_seconds', 'parley_store_seconds']) {
    assert.match(before, new RegExp(`# TYPE ${family} (counter|gauge|histogram)`), family);
  }
  const connects0 = sample(before, 'parley_connects_total');
  const in0 = sample(before, 'parley_messages_in_total');
  const hist0 = sample(before, 'parley_integration_seconds_count{route="sendmessage"}') ?? 0;
  const store0 = sample(before, 'parley_store_seconds_count{op="append_message"}') ?? 0;

  const a = await join(srv.wsUrl, { name: 'meter-a' });
  const b = await join(srv.wsUrl, { name: 'meter-b' });
  a.client.send({ action: 'sendmessage', message: 'counted' });
  await b.client.next((m) => m.type === 'message' && m.text === 'counted', 5000, 'the message');

  // The gateway records a handler's latency when the handler returns, which may be just after
  // its frames were delivered: wait for it.
  let after;
  await poll(async () => {
    after = await metrics();
    return sample(after, 'parley_integration_seconds_count{route="sendmessage"}') === hist0 + 1;
  });
  assert.equal(sample(after, 'parley_connects_total'), connects0 + 2);
  assert.ok(sample(after, 'parley_connections_open') >= 2);
  assert.ok(sample(after, 'parley_messages_in_total') >= in0 + 3, 'two hellos and a message');
  assert.ok(sample(after, 'parley_posts_total{result="ok"}') > 0);
  assert.equal(sample(after, 'parley_integration_seconds_count{route="sendmessage"}'), hist0 + 1);
  assert.ok(sample(after, 'parley_store_seconds_count{op="append_message"}') >= store0 + 1);
  // Buckets are cumulative and end with +Inf equal to the count.
  const inf = sample(after, 'parley_integration_seconds_bucket{route="sendmessage",le="+Inf"}');
  assert.equal(inf, hist0 + 1);
});

// An upgrade request with the given WebSocket headers: resolves {status, headers, body} (101 or
// a refusal), the socket closed.
function upgrade(headers) {
  return new Promise((res, rej) => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, path: '/dev?name=ghost', method: 'GET', timeout: 5000,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', ...headers },
    });
    req.on('upgrade', (resp, socket) => { socket.destroy(); res({ status: resp.statusCode, headers: resp.headers }); });
    req.on('response', (resp) => {
      let body = '';
      resp.setEncoding('utf8');
      resp.on('data', (d) => { body += d; });
      resp.on('end', () => res({ status: resp.statusCode, headers: resp.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer to the upgrade')));
    req.on('error', rej);
    req.end();
  });
}

test('a malformed WebSocket handshake is refused before $connect runs; a good one gets the RFC 6455 accept key', T, async () => {
  const connects = async () => sample(await metrics(), 'parley_integration_seconds_count{route="$connect"}') ?? 0;
  const before = await connects();
  const key = randomBytes(16).toString('base64');
  const v8 = await upgrade({ 'Sec-WebSocket-Version': '8', 'Sec-WebSocket-Key': key });
  assert.equal(v8.status, 426);
  assert.equal(v8.headers['sec-websocket-version'], '13');
  assert.deepEqual(JSON.parse(v8.body), { message: 'Unsupported WebSocket version' });
  for (const bad of [undefined, '', 'short==', randomBytes(17).toString('base64'), `${key.slice(0, 21)}!==`]) {
    const r = await upgrade({ 'Sec-WebSocket-Version': '13', ...(bad === undefined ? {} : { 'Sec-WebSocket-Key': bad }) });
    assert.equal(r.status, 400, `key ${bad}`);
    assert.deepEqual(JSON.parse(r.body), { message: 'Invalid Sec-WebSocket-Key' });
  }
  assert.equal(await connects(), before, 'no $connect for a refused handshake');
  // RFC 6455 section 1.3's example key and answer.
  const ok = await upgrade({ 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' });
  assert.equal(ok.status, 101);
  assert.equal(ok.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  assert.equal(ok.headers.upgrade, 'websocket');
  assert.equal(await connects(), before + 1);
});

test('a post to a gone connection is counted as gone', T, async () => {
  const gone0 = sample(await metrics(), 'parley_posts_total{result="gone"}') ?? 0;
  const res = await fetchT(`${srv.mgmtUrl}/@connections/AAAAAAAAAAAAAAA%3D`,
    { method: 'POST', body: 'x' });
  assert.equal(res.status, 410);
  assert.equal(sample(await metrics(), 'parley_posts_total{result="gone"}'), gone0 + 1);
});
