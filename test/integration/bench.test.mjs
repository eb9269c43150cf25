// `parley bench --mode rooms` (issue 18, the many-rooms load) against a real `parley serve` and
// against the Node `ws` peer of bench/compare.sh: 40 connections in 4 rooms of 10, every one
// sending, first at a steady rate, then with 2 in flight each. Every message must reach exactly
// the 10 members of its sender's room and nobody else: the generator's own accounting says so
// (no missing, duplicate or misrouted delivery, deliveries = accepted sends x 10), and observers
// that are not the generator's check it from outside.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, runParley, repoRoot, poll } from './server.mjs';
import { closeAll, terminateAll } from './client.mjs';
import { uniq, enter } from './protocol.mjs';
import { freePort } from './cli.mjs';
import { WebSocketServer } from 'ws';

const T = { timeout: 30_000 };
const CONNECTIONS = 40;
const ROOMS = 4;
const PER_ROOM = CONNECTIONS / ROOMS;

after(async () => {
  await closeAll();
  terminateAll();
});

// The generator's run, its JSON line parsed, and the checks every target must pass.
async function roomsRun(url, extra) {
  const r = await runParley(['bench', '--url', url, '--connections', String(CONNECTIONS),
    '--rooms', String(ROOMS), '--mode', 'rooms', '--interval', '0.125', '--duration', '0.5',
    '--window', '2', '--json', ...extra], { timeoutMs: 25_000 });
  assert.equal(r.code, 0, `parley bench exited ${r.code}\n${r.out}${r.err}`);
  const result = JSON.parse(r.out.trim().split('\n').at(-1));
  assert.equal(result.connected, CONNECTIONS, r.err);
  assert.equal(result.closed_by_server, 0);
  assert.equal(result.rooms.rooms, ROOMS);
  for (const name of ['steady', 'fast']) {
    const p = result.rooms[name];
    assert.ok(p.sent > 0, `${name}: nothing sent`);
    assert.equal(p.missing, 0, `${name}: missing deliveries ${JSON.stringify(p)}`);
    assert.equal(p.duplicates, 0, `${name}: duplicates ${JSON.stringify(p)}`);
    assert.equal(p.misrouted, 0, `${name}: deliveries to another room ${JSON.stringify(p)}`);
    assert.equal(p.errors, 0, `${name}: error answers ${JSON.stringify(p)}`);
    // Every accepted send reached its room's 10, in the window or while draining.
    assert.equal(p.delivery.count, (p.sent - p.refused) * PER_ROOM, `${name}: ${JSON.stringify(p)}`);
  }
  // One message per connection every 0.125 s for 0.5 s: the default rate limit refuses none.
  const steady = result.rooms.steady;
  assert.equal(steady.refused, 0);
  assert.equal(steady.sent, CONNECTIONS * 4,
    `steady: ${steady.sent} sends, not one per connection per 0.125 s`);
  assert.ok(result.rooms.fast.sent > steady.sent, 'the fast phase sent no more than the steady one');
  return result;
}

test('parley serve: each message reaches its room\'s 10 members and no other room', T, async () => {
  const srv = await startServer();  // the default per-connection rate limit, as users run it
  try {
    const prefix = uniq('bq');
    // Outside observers: one in room 1 (it sees the 10 members' messages) and one in a room of
    // the same prefix that no generator connection is in.
    const member = (await enter(srv.wsUrl, { name: 'observer', room: `${prefix}-1` })).client;
    const outsider = (await enter(srv.wsUrl, { name: 'outsider', room: `${prefix}-x` })).client;
    const result = await roomsRun(srv.wsUrl, ['--hello', '--room', prefix]);
    // The steady phase's sends are the run's first (sequence numbers 0 .. sent-1, in the
    // marker) and its 10 members in room 1 sent 4 each: exactly 40 of them reach the observer.
    const seqOf = (e) => Number(/^~B[a-z]{4}(\d{10})~/.exec(e.text)?.[1]);
    const steadySent = result.rooms.steady.sent;
    const inRoom = () => member.messages.filter((e) => e.type === 'message');
    await poll(() => inRoom().filter((e) => seqOf(e) < steadySent).length >= PER_ROOM * 4, { timeoutMs: 5000 });
    const seen = inRoom();
    assert.equal(seen.filter((e) => seqOf(e) < steadySent).length, PER_ROOM * 4,
      'the observer in room 1 did not get the steady phase\'s 40 messages of room 1');
    assert.ok(seen.some((e) => seqOf(e) >= steadySent), 'the observer got none of the fast phase');
    // The generator names connection i "b<i>" and puts it in room i % 4.
    for (const e of seen) {
      assert.equal(e.room, `${prefix}-1`);
      assert.equal(Number(e.name.slice(1)) % ROOMS, 1, `message from ${e.name} reached room 1`);
      assert.ok(Number.isInteger(seqOf(e)), `not a bench message: ${e.text}`);
    }
    assert.deepEqual(outsider.messages.filter((e) => e.type === 'message'), [],
      'a room with no generator connection received messages');
    srv.assertAlive();
  } finally {
    await srv.stop();
  }
});

test('the Node ws peer (bench/peers/ws_broadcast.js): one room per ?room=', T, async () => {
  const port = await freePort();
  // `ws` from test/integration's packages: bench/peers' own are installed by compare.sh only.
  const peer = spawn(process.execPath, [join(repoRoot, 'bench', 'peers', 'ws_broadcast.js'), String(port)], {
    env: { ...process.env, NODE_PATH: join(repoRoot, 'test', 'integration', 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  peer.stdout.on('data', (d) => { log += d; });
  peer.stderr.on('data', (d) => { log += d; });
  try {
    assert.ok(await poll(() => log.includes('listening'), { timeoutMs: 5000 }), `the peer did not start: ${log}`);
    const result = await roomsRun(`ws://127.0.0.1:${port}/`, ['--peer-protocol', 'raw']);
    assert.equal(result.rooms.fast.refused, 0, 'the peer has no rate limit');
  } finally {
    peer.kill('SIGKILL');
  }
});

test('the fast phase never has more than --window of a connection\'s messages in flight', T, async () => {
  // A slow peer: it holds each connection's first 2 messages (the steady phase's) 3.8 s, past the
  // generator's 3 s wait after the phase and any stall timeout, and the later ones 0.3 s. It
  // records how many of a connection's messages it held at once: at most those 2, and once both
  // are out, at most the window (1).
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((res) => wss.once('listening', res));
  const rooms = new Map();
  let maxHeld = 0;
  let maxHeldAfterSteady = 0;
  wss.on('connection', (ws, req) => {
    const name = new URL(req.url, 'http://peer').searchParams.get('room');
    if (!rooms.has(name)) rooms.set(name, new Set());
    rooms.get(name).add(ws);
    let received = 0;
    let held = 0;
    let steadyOut = 0;
    ws.on('message', (data) => {
      received += 1;
      held += 1;
      maxHeld = Math.max(maxHeld, held);
      if (steadyOut === 2) maxHeldAfterSteady = Math.max(maxHeldAfterSteady, held);
      const steady = received <= 2;
      setTimeout(() => {
        held -= 1;
        if (steady) steadyOut += 1;
        for (const c of rooms.get(name)) if (c.readyState === c.OPEN) c.send(data, { binary: false });
      }, steady ? 3800 : 300);
    });
  });
  try {
    const r = await runParley(['bench', '--url', `ws://127.0.0.1:${wss.address().port}/`, '--peer-protocol', 'raw',
      '--connections', String(CONNECTIONS), '--rooms', String(ROOMS), '--mode', 'rooms', '--interval', '0.3',
      '--duration', '0.6', '--window', '1', '--json'], { timeoutMs: 25_000 });
    assert.equal(r.code, 0, r.out + r.err);
    const { steady, fast } = JSON.parse(r.out.trim().split('\n').at(-1)).rooms;
    assert.equal(steady.sent, CONNECTIONS * 2, 'one send per connection every 0.3 s for 0.6 s');
    assert.ok(steady.missing > 0, 'the steady phase\'s messages were meant to be late');
    assert.ok(fast.sent > 0 && fast.missing === 0, JSON.stringify(fast));
    assert.equal(maxHeld, 2, 'a connection had more messages out than its steady ones');
    assert.equal(maxHeldAfterSteady, 1, 'a connection had more than its window out in the fast phase');
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise((res) => wss.close(res));
  }
});
