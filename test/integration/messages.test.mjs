// Messages (docs/protocol.md "sendmessage", "message", "ack"): per-room seq without gaps, id,
// ts, the ack, "stored before it is delivered", and idempotent retries by clientMsgId.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { useServer } from './server.mjs';
import { connect } from './client.mjs';
import { uniq, range, seqsOf, enter, say, joinRoom, history, sendExpectingError, wsQuery, assertMessage, sendMany } from './protocol.mjs';

const srv = useServer();

const T = { timeout: 15_000 };
const isMsg = (room, text) => (m) => m.type === 'message' && m.room === room && (text === undefined || m.text === text);
const countMsgs = (client, pred) => client.messages.filter((m) => m.type === 'message' && pred(m)).length;

function assertAck(ack, { room, clientMsgId, duplicate = false }) {
  const ctx = JSON.stringify(ack);
  assert.equal(ack.type, 'ack', ctx);
  assert.equal(ack.room, room, `ack.room: ${ctx}`);
  if (clientMsgId === undefined) assert.equal(ack.clientMsgId ?? undefined, undefined, `no clientMsgId was given: ${ctx}`);
  else assert.equal(ack.clientMsgId, clientMsgId, `ack.clientMsgId: ${ctx}`);
  assert.ok(Number.isInteger(ack.seq) && ack.seq > 0, `ack.seq: ${ctx}`);
  assert.equal(typeof ack.id, 'string', `ack.id: ${ctx}`);
  assert.ok(ack.id.length > 0, `ack.id: ${ctx}`);
  assert.equal(ack.duplicate, duplicate, `ack.duplicate: ${ctx}`);
}

test('a room numbers its messages 1, 2, 3, ... in sending order; ids are unique; ts is server time', T, async () => {
  const room = uniq('seq');
  const a = await enter(srv.wsUrl, { name: 'seq-a', room });
  const b = await enter(srv.wsUrl, { name: 'seq-b', room });
  const t0 = Date.now();
  const acks = [];
  for (let i = 0; i < 15; i++) acks.push(await say(a.client, room, `n${i}`));
  const t1 = Date.now();
  assert.deepEqual(acks.map((x) => x.seq), range(1, 15), 'acks of sequential sends');
  const got = [];
  for (let i = 0; i < 15; i++) got.push(await b.client.next(isMsg(room), 5000, `message ${i + 1}`));
  assert.deepEqual(seqsOf(got), range(1, 15), 'b receives them in seq order');
  for (const [i, m] of got.entries()) {
    assertMessage(m, { room, text: `n${i}`, from: a.id, name: 'seq-a', seq: i + 1 });
    assert.equal(m.id, acks[i].id, 'message id equals the ack id');
    assert.ok(m.ts >= t0 - 2000 && m.ts <= t1 + 2000, `ts ${m.ts} outside [${t0}, ${t1}] (+-2 s)`);
  }
  assert.equal(new Set(got.map((m) => m.id)).size, got.length, 'ids are unique');
  for (let i = 1; i < got.length; i++) assert.ok(got[i].ts >= got[i - 1].ts, `ts decreases at seq ${got[i].seq}`);
});

test('concurrent senders: the seqs are exactly 1..N, no gap and no duplicate', T, async () => {
  const room = uniq('conc');
  const senders = await Promise.all(range(1, 4).map((i) => enter(srv.wsUrl, { name: `cs${i}`, room })));
  const reader = await enter(srv.wsUrl, { name: 'cr', room });
  const per = 25;
  const acks = (await Promise.all(senders.map((s, k) => sendMany(s.client, room, per, (i) => `s${k} ${i}`)))).flat();
  const N = per * senders.length;
  assert.deepEqual(acks.map((x) => x.seq).sort((x, y) => x - y), range(1, N), 'ack seqs');
  assert.equal(new Set(acks.map((x) => x.id)).size, N, 'ack ids unique');
  const got = [];
  for (let i = 0; i < N; i++) got.push(await reader.client.next(isMsg(room), 5000, `message #${i + 1} of ${N}`));
  assert.deepEqual(seqsOf(got).sort((x, y) => x - y), range(1, N), 'received seqs');
  // every sender's messages arrived, each once (handlers run concurrently, so a sender's
  // pipelined messages may be numbered in any order)
  for (const [k, s] of senders.entries()) {
    const mine = got.filter((m) => m.connectionId === s.id).map((m) => m.text).sort();
    assert.deepEqual(mine, range(0, per - 1).map((i) => `s${k} ${i}`).sort());
  }
  assert.equal(new Set(got.map((m) => m.id)).size, N, 'received ids unique');
});

test('ack carries clientMsgId, id, seq, room and duplicate:false; the sender gets the message event too', T, async () => {
  const room = uniq('ack');
  const a = await enter(srv.wsUrl, { name: 'ack-a', room });
  const b = await enter(srv.wsUrl, { name: 'ack-b', room });
  const cid = randomUUID();
  a.client.send({ action: 'sendmessage', room, message: 'acked', clientMsgId: cid });
  const ack = await a.client.next((m) => m.type === 'ack', 5000, 'the ack');
  assertAck(ack, { room, clientMsgId: cid });
  assert.equal(ack.seq, 1);
  for (const c of [a, b]) {
    const m = await c.client.next(isMsg(room, 'acked'), 5000);
    assertMessage(m, { room, from: a.id, name: 'ack-a', seq: ack.seq });
    assert.equal(m.id, ack.id);
    assert.equal(m.clientMsgId, cid, 'the message carries the clientMsgId');
  }
  // without clientMsgId: an ack without it, a message without it
  a.client.send({ action: 'sendmessage', room, message: 'plain' });
  const ack2 = await a.client.next((m) => m.type === 'ack', 5000, 'the second ack');
  assertAck(ack2, { room });
  assert.equal(ack2.seq, 2);
  const m2 = await b.client.next(isMsg(room, 'plain'), 5000);
  assert.equal(m2.clientMsgId ?? undefined, undefined, JSON.stringify(m2));
});

test('a message is stored before it is delivered: history read on receipt contains it', T, async () => {
  const room = uniq('stored');
  const a = await enter(srv.wsUrl, { name: 'st-a', room });
  const b = await enter(srv.wsUrl, { name: 'st-b', room });
  for (let i = 0; i < 10; i++) {
    a.client.send({ action: 'sendmessage', room, message: `s${i}`, clientMsgId: `st-${i}` });
    const m = await b.client.next(isMsg(room, `s${i}`), 5000);
    const h = await history(b.client, room, { after: m.seq - 1, limit: 1 });
    assert.deepEqual(h.messages.map((x) => [x.seq, x.id, x.text]), [[m.seq, m.id, m.text]],
      `history right after receiving seq ${m.seq}: ${JSON.stringify(h)}`);
    assert.ok(h.lastSeq >= m.seq, JSON.stringify(h));
  }
});

test('the same clientMsgId sent twice is stored once: duplicate ack, one message for everyone, one in history', T, async () => {
  const room = uniq('idem');
  const a = await enter(srv.wsUrl, { name: 'id-a', room });
  const b = await enter(srv.wsUrl, { name: 'id-b', room });
  const c = await enter(srv.wsUrl, { name: 'id-c', room });
  const cid = randomUUID();
  const frame = { action: 'sendmessage', room, message: 'only once', clientMsgId: cid };
  a.client.send(frame);
  const ack1 = await a.client.next((m) => m.type === 'ack' && m.clientMsgId === cid, 5000, 'first ack');
  assertAck(ack1, { room, clientMsgId: cid, duplicate: false });
  await b.client.next(isMsg(room, 'only once'), 5000);
  a.client.send(frame);
  const ack2 = await a.client.next((m) => m.type === 'ack' && m.clientMsgId === cid, 5000, 'second ack');
  assertAck(ack2, { room, clientMsgId: cid, duplicate: true });
  assert.equal(ack2.seq, ack1.seq);
  assert.equal(ack2.id, ack1.id);
  // the next message gets the next seq: the retry used none
  const ack3 = await say(a.client, room, 'next');
  assert.equal(ack3.seq, ack1.seq + 1);
  for (const x of [a, b, c]) await x.client.next(isMsg(room, 'next'), 5000);
  for (const x of [a, b, c]) {
    assert.equal(countMsgs(x.client, (m) => m.room === room && m.clientMsgId === cid), 1,
      `members see exactly one "only once": ${JSON.stringify(x.client.messages.filter((m) => m.type === 'message'))}`);
  }
  const h = await history(c.client, room);
  assert.deepEqual(h.messages.map((m) => [m.seq, m.text]), [[1, 'only once'], [2, 'next']]);
});

test('a retry with the same clientMsgId but another text returns the first ack and stores nothing new', T, async () => {
  const room = uniq('idem2');
  const a = await enter(srv.wsUrl, { name: 'id2-a', room });
  const ack1 = await say(a.client, room, 'original', { clientMsgId: 'same-id' });
  a.client.send({ action: 'sendmessage', room, message: 'changed', clientMsgId: 'same-id' });
  const ack2 = await a.client.next((m) => m.type === 'ack' && m.clientMsgId === 'same-id', 5000, 'the retry ack');
  assertAck(ack2, { room, clientMsgId: 'same-id', duplicate: true });
  assert.deepEqual([ack2.seq, ack2.id], [ack1.seq, ack1.id]);
  await a.client.none((m) => m.type === 'message' && m.text === 'changed', 300, 'a message for the retry');
  const h = await history(a.client, room);
  assert.deepEqual(h.messages.map((m) => m.text), ['original']);
});

test('a retry from a new connection (after a reconnect) is stored once', T, async () => {
  const room = uniq('idem3');
  const watcher = await enter(srv.wsUrl, { name: 'id3-w', room });
  const a = await enter(srv.wsUrl, { name: 'id3-a', room });
  const cid = randomUUID();
  const ack1 = await say(a.client, room, 'before reconnect', { clientMsgId: cid });
  // The ack is posted before the fan-out, so the sender's next steps may overtake its live
  // copy to the watcher (protocol.md: live messages of different senders are not ordered; a
  // gap is filled by the rules). The copy must come, once, whatever the retry does.
  await watcher.client.next((m) => m.type === 'message' && m.clientMsgId === cid, 5000, 'the live copy');
  await a.client.close();
  const a2 = await enter(srv.wsUrl, { name: 'id3-a', room, since: ack1.seq - 1 });
  a2.client.send({ action: 'sendmessage', room, message: 'before reconnect', clientMsgId: cid });
  const ack2 = await a2.client.next((m) => m.type === 'ack' && m.clientMsgId === cid, 5000, 'the ack of the retry');
  assertAck(ack2, { room, clientMsgId: cid, duplicate: true });
  assert.deepEqual([ack2.seq, ack2.id], [ack1.seq, ack1.id]);
  await say(a2.client, room, 'marker');
  await watcher.client.next(isMsg(room, 'marker'), 5000);
  assert.equal(countMsgs(watcher.client, (m) => m.clientMsgId === cid), 1, 'the watcher saw one copy');
  assert.equal(countMsgs(a2.client, (m) => m.clientMsgId === cid && m.type === 'message'), 0,
    'the retrying connection got no second message event (it has the first in its since-history)');
  const h = await history(watcher.client, room);
  assert.equal(h.messages.filter((m) => m.clientMsgId === cid).length, 1);
});

test('copies of one clientMsgId sent back to back (concurrent handlers) are stored once', T, async () => {
  const room = uniq('race');
  const a = await enter(srv.wsUrl, { name: 'race-a', room });
  const b = await enter(srv.wsUrl, { name: 'race-b', room });
  const ids = range(1, 10).map(() => randomUUID());
  for (const cid of ids) {
    for (let k = 0; k < 3; k++) a.client.send({ action: 'sendmessage', room, message: `race ${cid}`, clientMsgId: cid });
  }
  for (const cid of ids) {
    const acks = [];
    for (let k = 0; k < 3; k++) acks.push(await a.client.next((m) => m.type === 'ack' && m.clientMsgId === cid, 5000, `ack ${k + 1}/3 of ${cid}`));
    assert.equal(new Set(acks.map((x) => `${x.seq}/${x.id}`)).size, 1, `the three acks name one message: ${JSON.stringify(acks)}`);
    assert.equal(acks.filter((x) => x.duplicate === false).length, 1, `exactly one ack is not a duplicate: ${JSON.stringify(acks)}`);
    assert.equal(acks.filter((x) => x.duplicate === true).length, 2, JSON.stringify(acks));
  }
  const ack = await say(a.client, room, 'end');
  assert.equal(ack.seq, ids.length + 1, 'one seq per clientMsgId');
  await b.client.next(isMsg(room, 'end'), 5000);
  for (const cid of ids) assert.equal(countMsgs(b.client, (m) => m.clientMsgId === cid), 1, `copies of ${cid} at b`);
  const h = await history(b.client, room);
  assert.deepEqual(seqsOf(h.messages), range(1, ids.length + 1));
});

test('a clientMsgId is scoped to its room: the same id in another room is a new message', T, async () => {
  const r1 = uniq('sc1');
  const r2 = uniq('sc2');
  const a = await enter(srv.wsUrl, { name: 'sc-a', room: r1 });
  await joinRoom(a.client, r2);
  const ack1 = await say(a.client, r1, 'in r1', { clientMsgId: 'scoped' });
  const ack2 = await say(a.client, r2, 'in r2', { clientMsgId: 'scoped' });
  assertAck(ack1, { room: r1, clientMsgId: 'scoped', duplicate: false });
  assertAck(ack2, { room: r2, clientMsgId: 'scoped', duplicate: false });
  assert.equal(ack2.seq, 1);
  assert.notEqual(ack2.id, ack1.id);
});

test('clientMsgId: 64 bytes is fine; longer or not a string is bad_request', T, async () => {
  const room = uniq('cml');
  const a = await enter(srv.wsUrl, { name: 'cml', room });
  const ok = 'k'.repeat(64);
  const ack = await say(a.client, room, 'sixty-four', { clientMsgId: ok });
  assert.equal(ack.clientMsgId, ok);
  await sendExpectingError(a.client, { action: 'sendmessage', room, message: 'x', clientMsgId: 'k'.repeat(65) },
    { code: 'bad_request', action: 'sendmessage' });
  // 22 two-byte characters = 44 bytes fine; 33 = 66 bytes too long
  await say(a.client, room, 'two-byte ok', { clientMsgId: '\u00e9'.repeat(22) });
  await sendExpectingError(a.client, { action: 'sendmessage', room, message: 'x', clientMsgId: '\u00e9'.repeat(33) },
    { code: 'bad_request', action: 'sendmessage' });
  await sendExpectingError(a.client, { action: 'sendmessage', room, message: 'x', clientMsgId: 12 },
    { code: 'bad_request', action: 'sendmessage' });
  const h = await history(a.client, room);
  assert.deepEqual(h.messages.map((m) => m.text), ['sixty-four', 'two-byte ok']);
});

test('message length: 1 and 4096 characters (non-ASCII too) are stored verbatim; 0 is bad_request, 4097 too_long', T, async () => {
  const room = uniq('len');
  const a = await enter(srv.wsUrl, { name: 'len', room });
  const texts = ['.', 'x'.repeat(4096), '\u00e9'.repeat(4096), 'quotes " and \\ and \n newline\t<b>&amp;</b> \u2603 \ud83d\ude00'];
  for (const t of texts) await say(a.client, room, t);
  await sendExpectingError(a.client, { action: 'sendmessage', room, message: 'y'.repeat(4097), clientMsgId: 'long1' },
    { code: 'too_long', action: 'sendmessage', clientMsgId: 'long1' });
  await sendExpectingError(a.client, { action: 'sendmessage', room, message: '\u00e9'.repeat(4097) },
    { code: 'too_long', action: 'sendmessage' });
  await sendExpectingError(a.client, { action: 'sendmessage', room, message: '' },
    { code: 'bad_request', action: 'sendmessage' });
  const h = await history(a.client, room);
  assert.equal(h.messages.length, texts.length, 'only the accepted messages are stored');
  for (const [i, t] of texts.entries()) assert.equal(h.messages[i].text, t, `text #${i} verbatim`);
  for (const t of texts) {
    const m = await a.client.next(isMsg(room), 5000);
    assert.equal(m.text, t);
  }
});

test('seq keeps counting after members come and go (no seq reuse in an emptied room)', T, async () => {
  const room = uniq('empty');
  const a = await enter(srv.wsUrl, { name: 'em-a', room });
  await sendMany(a.client, room, 3);
  await a.client.close();
  const b = await connect(wsQuery(srv.wsUrl, { name: 'em-b', room }));
  b.send({ action: 'hello' });
  const h = await b.next((m) => m.type === 'history' && m.room === room, 5000);
  assert.equal(h.lastSeq, 3);
  const ack = await say(b, room, 'fourth');
  assert.equal(ack.seq, 4);
});
