// Operations: /healthz and /metrics (Prometheus text) reflect what the server does.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fetchT, poll } from './server.mjs';
import { join, closeAll, terminateAll } from './client.mjs';

let srv;
before(async () => { srv = await startServer(); });
afterEach(async () => { await closeAll(); srv?.assertAlive(); });
after(async () => {
  await closeAll();
  terminateAll();
  if (srv) await srv.stop();
});

const T = { timeout: 15_000 };

// The value of one sample line, e.g. metric('parley_posts_total{result="ok"}').
function sample(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function metrics() {
  const res = await fetchT(`http://127.0.0.1:${srv.port}/metrics`);
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

test('a post to a gone connection is counted as gone', T, async () => {
  const gone0 = sample(await metrics(), 'parley_posts_total{result="gone"}') ?? 0;
  const res = await fetchT(`http://127.0.0.1:${srv.port}/dev/@connections/AAAAAAAAAAAAAAA%3D`,
    { method: 'POST', body: 'x' });
  assert.equal(res.status, 410);
  assert.equal(sample(await metrics(), 'parley_posts_total{result="gone"}'), gone0 + 1);
});
