// Frame and message limits (close codes 1003, 1007, 1009) and the idle / duration timers (1001).
// Compression is not offered here, so the sizes on the wire are the sizes sent.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fetchT, poll, sleep } from './server.mjs';
import { connect, join, closeAll, terminateAll } from './client.mjs';

const T = { timeout: 15_000 };
const raw = { perMessageDeflate: false };

afterEach(() => closeAll());
after(() => terminateAll());

// Sends one message as fragments (a text frame then continuation frames) of the given sizes.
function sendFragmented(client, text, fragmentSize) {
  for (let off = 0; off < text.length; off += fragmentSize) {
    const chunk = text.slice(off, off + fragmentSize);
    client.ws.send(chunk, { fin: off + fragmentSize >= text.length, binary: false, compress: false });
  }
}

async function expectGone(srv, id) {
  const status = await poll(async () => {
    const r = await fetchT(srv.connectionUrl(id));
    await r.arrayBuffer();
    return r.status === 410 ? 410 : null;
  }, { timeoutMs: 2000 });
  assert.equal(status, 410, `GET @connections/${id} after the server closed it`);
}

describe('frame and message limits', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  afterEach(() => srv?.assertAlive());
  after(async () => { await closeAll(); terminateAll(); if (srv) await srv.stop(); });

  test('a message over 131072 bytes is closed with 1009', T, async () => {
    const { client, id } = await join(srv.wsUrl, { name: 'big', ...raw });
    client.send(JSON.stringify({ action: 'sendmessage', message: 'x'.repeat(140_000) }));
    const info = await client.closed(5000);
    assert.equal(info.code, 1009, `close code (reason "${info.reason}")`);
    await expectGone(srv, id);
  });

  test('a fragmented message over 131072 bytes (fragments of 16 KiB) is closed with 1009', T, async () => {
    const { client } = await join(srv.wsUrl, { name: 'bigfrag', ...raw });
    const text = JSON.stringify({ action: 'hello', pad: 'p'.repeat(150_000) });
    sendFragmented(client, text, 16 * 1024);
    const info = await client.closed(5000);
    assert.equal(info.code, 1009, `close code (reason "${info.reason}")`);
  });

  test('a single frame over 32 KiB is closed with 1009', T, async () => {
    const { client } = await join(srv.wsUrl, { name: 'bigframe', ...raw });
    client.send(JSON.stringify({ action: 'hello', pad: 'q'.repeat(40_000) }));
    const info = await client.closed(5000);
    assert.equal(info.code, 1009, `close code (reason "${info.reason}")`);
  });

  test('a 100 KB message sent as 32 KiB fragments is reassembled and routed', T, async () => {
    const { client, id } = await join(srv.wsUrl, { name: 'okfrag', ...raw });
    const text = JSON.stringify({ action: 'hello', pad: 'r'.repeat(100_000) });
    sendFragmented(client, text, 32 * 1024);
    const welcome = await client.next((m) => m.type === 'welcome', 5000, 'the welcome to the fragmented hello');
    assert.equal(welcome.connectionId, id);
  });

  test('a binary frame is closed with 1003', T, async () => {
    const { client, id } = await join(srv.wsUrl, { name: 'binary', ...raw });
    client.send(Buffer.from(JSON.stringify({ action: 'hello' })), { binary: true });
    const info = await client.closed(5000);
    assert.equal(info.code, 1003, `close code (reason "${info.reason}")`);
    await expectGone(srv, id);
  });

  test('a text frame that is not valid UTF-8 is closed with 1007', T, async () => {
    const { client } = await join(srv.wsUrl, { name: 'badutf8', ...raw });
    client.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    const info = await client.closed(5000);
    assert.equal(info.code, 1007, `close code (reason "${info.reason}")`);
  });

  test('the server keeps serving other clients after those closes', T, async () => {
    const [a, b] = await Promise.all([join(srv.wsUrl, { name: 'after-a' }), join(srv.wsUrl, { name: 'after-b' })]);
    a.client.send({ action: 'sendmessage', message: 'still alive' });
    await b.client.next((m) => m.type === 'message' && m.text === 'still alive', 5000);
  });
});

describe('idle timeout and maximum duration (--idle-timeout 1 --max-duration 5)', () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--idle-timeout', '1', '--max-duration', '5'] }); });
  afterEach(() => srv?.assertAlive());
  after(async () => { await closeAll(); terminateAll(); if (srv) await srv.stop(); });

  test('a silent client is closed with 1001 within ~3 s and its id is gone', T, async () => {
    const { client, id } = await join(srv.wsUrl, { name: 'silent' });
    const t0 = Date.now(); // the hello was its last message
    const info = await client.closed(3500);
    const elapsed = info.at - t0;
    assert.equal(info.code, 1001, `close code (reason "${info.reason}")`);
    assert.ok(elapsed >= 700, `closed after ${elapsed} ms, before the 1 s idle timeout`);
    await expectGone(srv, id);
  });

  test('application messages keep the idle timer from firing', T, async () => {
    const { client, id } = await join(srv.wsUrl, { name: 'chatty' });
    const t0 = Date.now();
    let lastSentAt = t0;
    while (Date.now() - t0 < 2500) {
      lastSentAt = Date.now();
      client.send({ action: 'ping' });
      await client.next((m) => m.type === 'pong', 2000, 'pong');
      await sleep(300);
    }
    assert.equal(client.closeInfo, null, `closed while active: ${JSON.stringify(client.closeInfo)}`);
    const info = await client.closed(3500);
    assert.equal(info.code, 1001, `close code (reason "${info.reason}")`);
    // The server's idle clock starts when the last ping arrived, which is after it was sent
    // (measured from the send, a slow pong on a loaded machine cannot make it look early).
    assert.ok(info.at - lastSentAt >= 950, `closed ${info.at - lastSentAt} ms after the last message was sent`);
    await expectGone(srv, id);
  });

  test('an active client is still closed with 1001 at the maximum duration', T, async () => {
    const t0 = Date.now();
    const client = await connect(`${srv.wsUrl}?name=marathon`);
    const pinger = setInterval(() => {
      if (!client.closeInfo) client.send({ action: 'ping' });
    }, 300);
    try {
      const info = await client.closed(9000);
      const elapsed = info.at - t0;
      assert.equal(info.code, 1001, `close code (reason "${info.reason}")`);
      assert.ok(elapsed >= 4500, `closed after ${elapsed} ms, before the 5 s maximum duration`);
    } finally {
      clearInterval(pinger);
    }
  });
});
