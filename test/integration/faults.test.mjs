// Faults under load (issue 7, "Faults"), on SQLite: SIGTERM while clients send (stop accepting,
// close every session with 1001, run $disconnect for each, keep every acked message, exit 0,
// restart), and SIGKILL while several senders send as fast as they can (every `ack` a client
// received is in the history after the restart, exactly once). The DynamoDB store going away is
// dynamo_faults.test.mjs.

import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, makeDataDir, removeDataDir, sleep } from './server.mjs';
import { connect, closeAll, terminateAll } from './client.mjs';
import { uniq, enter, wholeHistory } from './protocol.mjs';

const T = { timeout: 60_000 };
const servers = [];
const dirs = [];
afterEach(async () => { await closeAll(); });
after(async () => {
  terminateAll();
  for (const s of servers) await s.stop();
  for (const d of dirs) await removeDataDir(d);
});

async function start(dataDir) {
  // no per-connection rate limit: these senders are meant to be fast
  const srv = await startServer({ dataDir, store: 'sqlite', args: ['--rate-limit', '0'] });
  servers.push(srv);
  return srv;
}

// Keeps `window` sendmessages in flight from client until stop(); resolves the acks received
// (each {clientMsgId, id, seq}) once stopped or once the socket closed.
function pump(client, room, prefix, window = 8) {
  const acks = [];
  let next = 0;
  let inFlight = 0;
  let running = true;
  const send = () => {
    while (running && inFlight < window && client.ws.readyState === 1) {
      client.send({ action: 'sendmessage', room, message: `${prefix} ${next}`, clientMsgId: `${prefix}-${next}` });
      next += 1;
      inFlight += 1;
    }
  };
  client.ws.on('message', (data) => {
    let m;
    try { m = JSON.parse(data.toString()); } catch { return; }
    if ((m.type === 'ack' || m.type === 'error') && m.clientMsgId?.startsWith(`${prefix}-`)) {
      inFlight -= 1;
      if (m.type === 'ack') acks.push({ clientMsgId: m.clientMsgId, id: m.id, seq: m.seq });
      send();
    }
  });
  send();
  return {
    acks,
    get sent() { return next; },
    stop() { running = false; },
  };
}

function assertEveryAckOnce(acks, messages) {
  const byId = new Map();
  for (const m of messages) {
    assert.ok(!byId.has(m.id), `message id ${m.id} twice in history`);
    byId.set(m.id, m);
  }
  const seqs = messages.map((m) => m.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'a seq twice in history');
  const texts = new Map();
  for (const m of messages) texts.set(m.text, (texts.get(m.text) ?? 0) + 1);
  for (const a of acks) {
    const m = byId.get(a.id);
    assert.ok(m, `acked ${a.clientMsgId} (seq ${a.seq}) is missing from history`);
    assert.equal(m.seq, a.seq, `seq of ${a.clientMsgId}`);
    assert.equal(m.text, a.clientMsgId.replace(/-(\d+)$/, ' $1'), `text of ${a.clientMsgId}`);
    assert.equal(texts.get(m.text), 1, `${a.clientMsgId} stored more than once`);
  }
}

const sql = (dataDir, query) =>
  execFileSync('sqlite3', [join(dataDir, 'parley.db'), query], { encoding: 'utf8' }).trim();

test('SIGTERM under load: stops accepting, closes every session with 1001, runs $disconnect for each, keeps every ack, restarts', T, async () => {
  const dataDir = await makeDataDir();
  dirs.push(dataDir);
  const room = uniq('term');
  const first = await start(dataDir);
  const clients = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => enter(first.wsUrl, { name: `t${i}`, room })));
  const pumps = clients.map((c, i) => pump(c.client, room, `t${i}`));
  await sleep(400);
  assert.ok(pumps.every((p) => p.acks.length > 0), 'every sender had acks before the SIGTERM');

  const stopped = first.stop();  // SIGTERM, then waits for the exit
  const closes = await Promise.all(clients.map((c) => c.client.closed(10_000)));
  // the listener is closed before the sessions: a new handshake is refused
  await assert.rejects(connect(first.wsUrl, { timeoutMs: 2000 }), /ECONNREFUSED|503|socket hang up|ECONNRESET/);
  const status = await stopped;
  for (const p of pumps) p.stop();
  assert.deepEqual(closes.map((c) => c.code), clients.map(() => 1001), 'close codes');
  assert.equal(status.code, 0, `exit status ${JSON.stringify(status)}`);
  assert.equal(status.killed, false, 'exited on its own within the grace period');
  // every $disconnect ran before the exit: no connection or member row is left behind
  assert.equal(sql(dataDir, 'SELECT count(*) FROM connections'), '0', 'connection rows after SIGTERM');
  assert.equal(sql(dataDir, `SELECT count(*) FROM members WHERE room = '${room}'`), '0', 'member rows after SIGTERM');

  const second = await start(dataDir);
  const reader = await enter(second.wsUrl, { name: 'after-term', room });
  const acks = pumps.flatMap((p) => p.acks);
  assertEveryAckOnce(acks, await wholeHistory(reader.client, room));
  await second.stop();
});

test('kill -9 under load loses no acknowledged message: every ack is in history exactly once after the restart', T, async () => {
  const dataDir = await makeDataDir();
  dirs.push(dataDir);
  const room = uniq('kill');
  const first = await start(dataDir);
  const senders = await Promise.all([1, 2, 3, 4].map((i) => enter(first.wsUrl, { name: `k${i}`, room })));
  const pumps = senders.map((s, i) => pump(s.client, room, `k${i}`, 16));
  // mid-way: once a few hundred messages are acked, with more in flight
  for (let i = 0; i < 200 && pumps.reduce((n, p) => n + p.acks.length, 0) < 300; i++) await sleep(25);
  const status = await first.kill();
  assert.equal(status.signal, 'SIGKILL');
  await Promise.all(senders.map((s) => s.client.closed(5000)));
  for (const p of pumps) p.stop();
  const acks = pumps.flatMap((p) => p.acks);
  const sent = pumps.reduce((n, p) => n + p.sent, 0);
  assert.ok(acks.length > 0 && acks.length < sent, `killed mid-way: ${acks.length} acked of ${sent} sent`);

  const second = await start(dataDir);
  const reader = await enter(second.wsUrl, { name: 'after-kill', room });
  const messages = await wholeHistory(reader.client, room);
  assertEveryAckOnce(acks, messages);
  // unacked messages may or may not have been stored, but never twice, and seqs have no gap
  assert.deepEqual(messages.map((m) => m.seq), messages.map((_, i) => i + 1), 'seqs 1..n without gaps');
  console.log(`# kill -9: ${acks.length} acked of ${sent} sent, ${messages.length} in history after the restart`);
  await second.stop();
});
