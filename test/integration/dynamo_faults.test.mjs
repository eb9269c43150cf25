// The DynamoDB store going away under a running server (issue 4, "Faults"): parley serve
// --store dynamodb against a dynalite that is SIGKILLed while clients chat, then restarted on
// the same port and data. Senders get an `error` event with code `internal` (and the server a
// log line naming the table), the server neither crashes nor hangs, a message is acked only
// once it is stored, and after the restart messages flow again with every acked one in history.
// Always runs on DynamoDB, whatever PARLEY_STORE says.

import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep } from './server.mjs';
import { closeAll, terminateAll } from './client.mjs';
import { uniq, enter, say, wholeHistory, pingPong } from './protocol.mjs';

const servers = [];
afterEach(async () => { await closeAll(); });
after(async () => {
  terminateAll();
  for (const s of servers) await s.stop();
});

async function start() {
  const srv = await startServer({ store: 'dynamodb' });
  servers.push(srv);
  return srv;
}

// The ack or the error answering clientMsgId.
const answer = (client, clientMsgId, timeoutMs) =>
  client.next((m) => (m.type === 'ack' || m.type === 'error') && m.clientMsgId === clientMsgId, timeoutMs,
    `the ack or error of ${clientMsgId}`);

test('store down: sendmessage answers error internal, the server lives on, logs it, and recovers', { timeout: 60_000 }, async () => {
  const srv = await start();
  const room = uniq('fault');
  const a = await enter(srv.wsUrl, { name: 'ann', room });
  const b = await enter(srv.wsUrl, { name: 'bob', room });
  const before = await say(a.client, room, 'before the fault', { clientMsgId: 'k-before' });

  await srv.dynalite.kill();
  const started = Date.now();
  a.client.send({ action: 'sendmessage', room, message: 'during the fault', clientMsgId: 'k-during' });
  const err = await answer(a.client, 'k-during', 20_000);
  assert.equal(err.type, 'error', JSON.stringify(err));
  assert.equal(err.code, 'internal', JSON.stringify(err));
  assert.ok(Date.now() - started < 15_000, `the error took ${Date.now() - started} ms`);
  await pingPong(a.client);  // the server and the connection are alive
  assert.match(srv.stderr(), /dynamodb unavailable.*"table":"parley-/, 'a server log line names the failing table');
  assert.equal(srv.exited(), null, 'the server is still running');
  await b.client.none((m) => m.type === 'message' && m.text === 'during the fault', 300, 'an unstored message fanned out');

  await srv.dynalite.restart();
  // The client's retry (same clientMsgId) is stored once, now.
  let ack;
  for (let i = 0; i < 40 && !(ack && ack.type === 'ack'); i++) {
    if (i) await sleep(250);
    a.client.send({ action: 'sendmessage', room, message: 'during the fault', clientMsgId: 'k-during' });
    ack = await answer(a.client, 'k-during', 20_000);
  }
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  assert.equal(ack.seq, before.seq + 1, 'no seq was used by the failed attempt');
  const live = await b.client.next((m) => m.type === 'message' && m.text === 'during the fault', 5000, 'the retried message at bob');
  assert.equal(live.seq, ack.seq);
  const after = await say(b.client, room, 'after the fault');
  assert.equal(after.seq, ack.seq + 1);
  const all = await wholeHistory(a.client, room);
  assert.deepEqual(all.map((m) => [m.seq, m.text]), [[1, 'before the fault'], [2, 'during the fault'], [3, 'after the fault']]);
});

test('store killed while clients chat: every acked message is in history once, unacked ones can be retried', { timeout: 120_000 }, async (t) => {
  const srv = await start();
  const room = uniq('chatfault');
  const senders = await Promise.all([1, 2, 3].map((i) => enter(srv.wsUrl, { name: `s${i}`, room })));
  const outcomes = new Map(); // clientMsgId -> {client, text, answer}
  let n = 0;
  let running = true;
  const loops = senders.map(async (s, i) => {
    while (running) {
      const clientMsgId = `s${i}-${n++}`;
      const text = `text of ${clientMsgId}`;
      s.client.send({ action: 'sendmessage', room, message: text, clientMsgId });
      outcomes.set(clientMsgId, { client: s.client, text, answer: answer(s.client, clientMsgId, 30_000) });
      await sleep(15);
    }
  });
  await sleep(600);
  await srv.dynalite.kill();
  await sleep(600);
  running = false;
  await Promise.all(loops);
  const answers = new Map();
  for (const [id, o] of outcomes) answers.set(id, await o.answer);
  const errors = [...answers.values()].filter((m) => m.type === 'error');
  assert.ok(errors.length > 0, 'some sends fell in the outage');
  for (const e of errors) assert.equal(e.code, 'internal', JSON.stringify(e));
  assert.equal(srv.exited(), null, 'the server is still running');

  await srv.dynalite.restart();
  // The senders retry what failed, with the same clientMsgId, until acked.
  for (const [id, m] of answers) {
    let reply = m;
    for (let i = 0; reply.type !== 'ack' && i < 40; i++) {
      if (i) await sleep(250);
      const o = outcomes.get(id);
      o.client.send({ action: 'sendmessage', room, message: o.text, clientMsgId: id });
      reply = await answer(o.client, id, 20_000);
    }
    assert.equal(reply.type, 'ack', `${id} never acked after the restart: ${JSON.stringify(reply)}`);
    answers.set(id, reply);
  }
  const all = await wholeHistory(senders[0].client, room);
  const byText = new Map();
  for (const m of all) byText.set(m.text, (byText.get(m.text) ?? 0) + 1);
  for (const [id, ack] of answers) {
    assert.equal(byText.get(outcomes.get(id).text), 1, `${id} is in history exactly once`);
    assert.ok(all.some((m) => m.seq === ack.seq && m.id === ack.id), `${id}'s ack (seq ${ack.seq}) matches history`);
  }
  assert.equal(all.length, answers.size, 'nothing else is in history');
  const seqs = all.map((m) => m.seq);
  const gaps = seqs.at(-1) - seqs.length;
  t.diagnostic(`${answers.size} messages, ${errors.length} failed during the outage and were retried; ${gaps} seq gaps`);
});
