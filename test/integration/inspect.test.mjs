// The inspector's stream (/inspect/stream, server-sent events) without a browser: who may open
// it, and what a viewer that stops reading costs the server (its --inspect-buffer, then drops,
// counted in /metrics and told to the viewer when it reads again).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { startServer, fetchT } from './server.mjs';

const T = { timeout: 60_000 };
const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function server(args) {
  const srv = await startServer({ args });
  servers.push(srv);
  return srv;
}

async function metric(srv, name) {
  const text = await (await fetchT(srv.metricsUrl)).text();
  const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}

// A raw HTTP client of the stream, so that the test decides when its socket is read.
function rawStream(srv) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(srv.managementPort), '127.0.0.1', () => {
      sock.write(`GET /inspect/stream HTTP/1.1\r\nHost: 127.0.0.1:${srv.managementPort}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    sock.text = '';
    sock.on('data', (d) => { sock.text += d.toString('latin1'); });
    sock.once('data', () => resolve(sock));
    sock.on('error', reject);
  });
}

async function until(fn, what, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('/inspect is refused to a proxied peer as /metrics is, and served to loopback', T, async () => {
  const srv = await server([]);
  // Only on the management listener: the public port is what a proxy puts anyone in front of.
  for (const path of ['/inspect', '/inspect/stream', '/metrics']) {
    const pub = await fetchT(`${srv.base}${path}`);
    assert.equal(pub.status, 403, `${path} on the public port`);
    await pub.body?.cancel();
  }
  for (const path of ['/inspect', '/inspect/', '/inspect/inspect.js', '/inspect/stream', '/metrics']) {
    const proxied = await fetchT(`${srv.managementBase}${path}`, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    assert.equal(proxied.status, 403, `${path} through a proxy`);
    await proxied.body?.cancel();
    const forwarded = await fetchT(`${srv.managementBase}${path}`, { headers: { Forwarded: 'for=203.0.113.7' } });
    assert.equal(forwarded.status, 403, `${path} with Forwarded`);
    await forwarded.body?.cancel();
  }
  const page = await fetchT(`${srv.managementBase}/inspect`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy'), /default-src 'self'/);
  assert.match(await page.text(), /Parley inspector/);
  const sock = await rawStream(srv);
  await until(() => sock.text.includes('event: hello'), 'the hello');
  assert.match(sock.text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(sock.text, /Content-Type: text\/event-stream/i);
  sock.destroy();
});

test('a viewer that stops reading costs its buffer, no more; it is told what it missed when it reads again', T, async () => {
  const bound = 65536;
  const srv = await server(['--inspect-buffer', String(bound), '--rate-limit', '0']);
  const viewer = await rawStream(srv);
  await until(() => viewer.text.includes('event: connections'), 'the first snapshot');
  viewer.pause();  // from now on nothing is read: the kernel's buffers fill, then the server's
  assert.equal(await metric(srv, 'parley_inspect_viewers'), 1);

  const ws = new WebSocket(`${srv.wsUrl}?name=loud`);
  await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
  const acked = new Set();
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    if (m.type === 'ack') acked.add(m.id);
  });
  // About 3 MB of events (each holds its 2 KB body twice: event and JSON-escaped frame).
  const body = 'x'.repeat(2000);
  const n = 600;
  let maxBuffered = 0;
  for (let i = 0; i < n; i++) {
    ws.send(JSON.stringify({ action: 'sendmessage', message: body, clientMsgId: `m${i}` }));
    if (i % 100 === 99) {
      await until(() => acked.size >= i - 50, 'acks');
      maxBuffered = Math.max(maxBuffered, await metric(srv, 'parley_inspect_buffered_bytes'));
    }
  }
  await until(() => acked.size >= n, 'every ack');
  const dropped = await until(async () => {
    const d = await metric(srv, 'parley_inspect_dropped_total');
    return d > 0 ? d : 0;
  }, 'drops');
  maxBuffered = Math.max(maxBuffered, await metric(srv, 'parley_inspect_buffered_bytes'));
  assert.ok(maxBuffered <= bound, `buffered ${maxBuffered} bytes, bound ${bound}`);
  assert.ok(maxBuffered > bound / 2, `the buffer did fill (${maxBuffered} bytes)`);
  // The chat was not held up by the viewer: every message was acknowledged.
  assert.equal(acked.size, n);

  viewer.resume();
  const notice = await until(() => viewer.text.match(/event: dropped\ndata: (\{[^\n]*\})/), 'the dropped notice');
  const told = JSON.parse(notice[1]).dropped;
  assert.ok(told > 0 && told <= dropped, `told ${told}, dropped ${dropped}`);
  await until(async () => (await metric(srv, 'parley_inspect_buffered_bytes')) < bound / 4, 'the buffer drained');
  // And it goes on: a new event reaches it after the notice.
  const at = viewer.text.length;
  ws.send(JSON.stringify({ action: 'sendmessage', message: 'after the gap' }));
  await until(() => viewer.text.slice(at).includes('after the gap'), 'an event after the gap');
  ws.close();
  viewer.destroy();
  await until(async () => (await metric(srv, 'parley_inspect_viewers')) === 0, 'the viewer detached');
});
