// Rate limits and slow clients (docs/protocol.md "Rate limits", "Slow clients"): token buckets per
// connection and per source IP answer {"message":"Too Many Requests",...} and do not route the
// frame; a cap on connections per IP refuses the handshake with 429; the management API answers
// 429 LimitExceededException over its rate; a client that stops reading cannot grow the server's
// memory and is closed with 1008 once its send queue has stayed full.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, fetchT, poll, sleep } from './server.mjs';
import { connect, closeAll, terminateAll } from './client.mjs';
import { uniq, enter, say, pingPong } from './protocol.mjs';
import { rawConnect } from './rawws.mjs';

const T = { timeout: 30_000 };
const isThrottle = (m) => m.type === undefined && m.message === 'Too Many Requests';

afterEach(() => closeAll());
after(() => terminateAll());

async function metric(srv, name) {
  const text = await (await fetchT(srv.metricsUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && /^[a-z_]+(\{[^}]*\})? /.test(line)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

// Answers to `n` pings sent at once: {pongs, throttled} once all n have come back.
async function burstOfPings(client, n) {
  const start = client.frames.length;
  for (let i = 0; i < n; i++) client.send({ action: 'ping' });
  await poll(() => {
    const got = client.frames.slice(start).map((f) => f.json);
    return got.filter((m) => m?.type === 'pong' || (m && isThrottle(m))).length >= n || null;
  }, { timeoutMs: 10_000 });
  const got = client.frames.slice(start).map((f) => f.json);
  for (let i = start; i < client.frames.length; i++) client.consumed.add(i);
  return { pongs: got.filter((m) => m?.type === 'pong').length, throttled: got.filter((m) => m && isThrottle(m)) };
}

describe('per-connection rate limit (--rate-limit 5 --rate-burst 10)', () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--rate-limit', '5', '--rate-burst', '10'] }); });
  afterEach(() => srv?.assertAlive());
  after(async () => { await closeAll(); if (srv) await srv.stop(); });

  test('rate limit per connection: frames over the burst get "Too Many Requests" and are not routed', T, async () => {
    const c = await connect(srv.wsUrl);
    const { pongs, throttled } = await burstOfPings(c, 30);
    // 10 tokens, plus at most a couple refilled while the 30 frames were handled
    assert.ok(pongs >= 10 && pongs <= 13, `pongs: ${pongs} (burst 10)`);
    assert.equal(pongs + throttled.length, 30);
    const t = throttled[0];
    assert.equal(typeof t.connectionId, 'string');
    assert.equal(typeof t.requestId, 'string');
    assert.ok(await metric(srv, 'parley_throttled_total{kind="frame"}') >= throttled.length);
  });

  test('rate limit per connection: the bucket refills at the rate, and the connection stays open', T, async () => {
    const c = await connect(srv.wsUrl);
    await burstOfPings(c, 20);  // empties the bucket
    await sleep(1200);          // ~6 tokens back at 5 a second
    const { pongs } = await burstOfPings(c, 4);
    assert.equal(pongs, 4, 'the refilled tokens are usable');
    assert.equal(c.closeInfo, null);
  });

  test('rate limit per connection: one connection\'s flood does not throttle another', T, async () => {
    const a = await connect(srv.wsUrl);
    const b = await connect(srv.wsUrl);
    await burstOfPings(a, 30);
    const { pongs } = await burstOfPings(b, 5);
    assert.equal(pongs, 5);
  });
});

describe('per-IP rate limit (--rate-limit 0 --ip-rate-limit 2 --ip-rate-burst 8)', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--rate-limit', '0', '--ip-rate-limit', '2', '--ip-rate-burst', '8'] });
  });
  afterEach(() => srv?.assertAlive());
  after(async () => { await closeAll(); if (srv) await srv.stop(); });

  test('rate limit per IP: all connections of one address share one bucket', T, async () => {
    const a = await connect(srv.wsUrl);
    const b = await connect(srv.wsUrl);
    const [ra, rb] = await Promise.all([burstOfPings(a, 8), burstOfPings(b, 8)]);
    const pongs = ra.pongs + rb.pongs;
    assert.ok(pongs >= 8 && pongs <= 10, `pongs of both: ${pongs} (one bucket of 8)`);
    assert.ok(ra.throttled.length + rb.throttled.length >= 6);
  });
});

describe('connections per IP (--max-connections-per-ip 3)', () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--max-connections-per-ip', '3'] }); });
  afterEach(() => srv?.assertAlive());
  after(async () => { await closeAll(); if (srv) await srv.stop(); });

  test('max connections per IP: the handshake over the cap is refused with 429; a freed slot is reusable', T, async () => {
    const open = [await connect(srv.wsUrl), await connect(srv.wsUrl), await connect(srv.wsUrl)];
    await assert.rejects(connect(srv.wsUrl), /Unexpected server response: 429/);
    assert.ok(await metric(srv, 'parley_throttled_total{kind="connection_per_ip"}') >= 1);
    await open[0].close();
    const again = await poll(async () => {
      try { return await connect(srv.wsUrl); } catch { return null; }
    }, { timeoutMs: 3000 });
    assert.ok(again, 'a connection after one closed');
    await pingPong(again);
  });
});

describe('management API rate (--management-rate-limit 1 --management-rate-burst 3)', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--management-rate-limit', '1', '--management-rate-burst', '3'] });
  });
  afterEach(() => srv?.assertAlive());
  after(async () => { await closeAll(); if (srv) await srv.stop(); });

  test('management API rate limit: calls over the caller\'s bucket answer 429 LimitExceededException', T, async () => {
    const statuses = [];
    let throttled;
    for (let i = 0; i < 6; i++) {
      const r = await fetchT(srv.connectionUrl('AAAAAAAAAAAAAAA='));
      const body = await r.text();
      statuses.push(r.status);
      if (r.status === 429) throttled = { type: r.headers.get('x-amzn-errortype'), body: JSON.parse(body) };
    }
    assert.deepEqual(statuses.slice(0, 3), [410, 410, 410], `statuses: ${statuses}`);
    assert.ok(statuses.slice(3).includes(429), `statuses: ${statuses}`);
    assert.equal(throttled.type, 'LimitExceededException');
    assert.equal(typeof throttled.body.message, 'string');
    await sleep(1100);
    const r = await fetchT(srv.connectionUrl('AAAAAAAAAAAAAAA='));
    await r.text();
    assert.equal(r.status, 410, 'a token is back after a second');
  });
});

// VmHWM: the peak resident set of the process (kB). ASan keeps freed memory in quarantine, so a
// sanitizer build says nothing about the application's own memory: skipped there.
const peakRssKb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const sanitized = /asan|sanitize/i.test(process.env.PARLEY_BIN ?? '') || !!process.env.ASAN_OPTIONS;

// Sends `count` messages of `size` characters to `room` from the senders (concurrently, each
// waiting for its acks in windows) and resolves with the acks.
// (`size` characters: a number, a space, then `fill` repeated.)
// With `reader`, each batch waits until the reader has received it: the reader (in this busy
// test process) must never fall a queue's worth behind, or posts to it answer 429 too.
async function flood(senders, room, count, size, fill = 'x', reader = null) {
  const text = (i) => `${String(i).padStart(6, '0')} ${fill.repeat(size - 7)}`;
  const per = Math.ceil(count / senders.length);
  const got = (seq) => reader.client.frames.some((f) => f.json?.type === 'message' && f.json.room === room && f.json.seq === seq);
  const acks = await Promise.all(senders.map(async (s, k) => {
    const mine = [];
    for (let i = 0; i < per; i += 10) {
      const batch = [];
      for (let j = i; j < Math.min(per, i + 10); j++) batch.push(say(s.client, room, text(k * per + j), { timeoutMs: 20_000 }));
      const acked = await Promise.all(batch);
      mine.push(...acked);
      if (reader) {
        const last = Math.max(...acked.map((x) => x.seq));
        await poll(() => got(last) || null, { timeoutMs: 20_000, intervalMs: 5 });
      }
    }
    return mine;
  }));
  return acks.flat();
}

const SLOW = { timeout: 120_000 };

describe('slow clients (--max-send-queue 1048576 --rate-limit 0)', () => {
  test('bounded send queue: a client that never reads cannot grow the server\'s memory; the others get everything', SLOW, async () => {
    const srv = await startServer({ args: ['--max-send-queue', '1048576', '--rate-limit', '0', '--send-queue-timeout', '0'] });
    try {
      const room = uniq('slow');
      const slow = await rawConnect(`${srv.wsUrl}?room=${room}&name=sloth`);
      slow.sendText(JSON.stringify({ action: 'hello' }));
      slow.pause();  // never reads again
      const senders = [await enter(srv.wsUrl, { room, name: 's1' }), await enter(srv.wsUrl, { room, name: 's2' })];
      const reader = await enter(srv.wsUrl, { room, name: 'reader' });
      const before = peakRssKb(srv.pid);
      // 24 MB of messages for the slow client (4000 characters of 4 UTF-8 bytes each): kernel
      // buffers hold about 4 MB, its queue 64 KiB
      const count = 1500;
      const acks = await flood(senders, room, count, 4000, '\u{1F600}', reader);
      assert.equal(acks.length, count);
      // the reader got every message, in seq order
      const seqs = new Set();
      await poll(() => {
        for (const f of reader.client.frames) if (f.json?.type === 'message' && f.json.room === room) seqs.add(f.json.seq);
        return seqs.size >= count || null;
      }, { timeoutMs: 20_000 });
      assert.equal(seqs.size, count, 'messages the reader got');
      const grownMb = (peakRssKb(srv.pid) - before) / 1024;
      console.log(`# peak RSS grew by ${grownMb.toFixed(1)} MB while 24 MB went to a client that never reads`);
      if (!sanitized) assert.ok(grownMb < 12, `peak RSS grew by ${grownMb.toFixed(1)} MB for 24 MB sent to a client that never reads`);
      assert.ok(await metric(srv, 'parley_posts_total{result="throttled"}') > 0, 'posts to the slow client answered 429');
      assert.equal(slow.ended, false, 'no close policy: the slow client stays connected');
      slow.destroy();
    } finally {
      await srv.stop();
    }
  });

  test('slow client close policy: a queue full for --send-queue-timeout closes it with 1008; $disconnect runs; the others keep receiving', SLOW, async () => {
    const srv = await startServer({ args: ['--max-send-queue', '1048576', '--rate-limit', '0', '--send-queue-timeout', '1'] });
    try {
      const room = uniq('slow');
      const slow = await rawConnect(`${srv.wsUrl}?room=${room}&name=sloth`);
      slow.sendText(JSON.stringify({ action: 'hello' }));
      slow.pause();
      const sender = await enter(srv.wsUrl, { room, name: 'sender' });
      const reader = await enter(srv.wsUrl, { room, name: 'reader' });
      // enough to fill the kernel buffers and the 1 MiB queue (posts to it then answer 429)
      let sent = 0;
      while (await metric(srv, 'parley_slow_client_closes_total') < 1) {
        sent += (await flood([sender], room, 200, 4000, '\u{1F600}', reader)).length;
        assert.ok(sent < 5000, 'the slow client was never closed');
      }
      // it reads again (within the 5 s closing deadline): what was written, then the close frame
      slow.resume();
      const close = await slow.closeFrame(10_000);
      assert.equal(close.code, 1008, `close code (reason "${close.reason}")`);
      assert.match(close.reason, /slow/i);
      // $disconnect ran: the room saw it leave
      await reader.client.next((m) => m.type === 'presence' && m.event === 'leave' && m.name === 'sloth', 10_000,
        'the slow client\'s leave');
      // and the room goes on
      const ack = await say(sender.client, room, 'after the slow client');
      await reader.client.next((m) => m.type === 'message' && m.seq === ack.seq, 5000);
      const seqs = new Set(reader.client.frames.filter((f) => f.json?.type === 'message' && f.json.room === room).map((f) => f.json.seq));
      assert.equal(seqs.size, sent + 1, 'the reader got every message');
    } finally {
      await srv.stop();
    }
  });
});
