// Direct messages (docs/protocol.md "dm"): by name or by connection id, delivered only to the
// two parties, numbered per pair, stored in the pair's room dmu:<a>:<b> (user ids sorted) and
// readable there by either party only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './server.mjs';
import { uniq, seqsOf, enter, history, sendExpectingError, assertMessage, dmRoom } from './protocol.mjs';

const srv = useServer();

const T = { timeout: 15_000 };

// amy<u>, zed<u> and tom<u> in one room; pair is amy's and zed's dm room (by user id).
async function trio() {
  const u = uniq('').slice(1);
  const room = uniq('dmr');
  const [amy, zed, tom] = await Promise.all(['amy', 'zed', 'tom'].map((n) => enter(srv.wsUrl, { name: `${n}${u}`, room })));
  return { u, room, amy, zed, tom, pair: dmRoom(amy.welcome.userId, zed.welcome.userId) };
}

async function sendDm(from, to, message, clientMsgId) {
  from.client.send({ action: 'dm', to, message, clientMsgId });
  const ack = await from.client.next((m) => (m.type === 'ack' || m.type === 'error') && m.clientMsgId === clientMsgId, 5000,
    `the ack of dm ${clientMsgId}`);
  if (ack.type === 'error') throw new Error(`dm refused: ${JSON.stringify(ack)}`);
  return ack;
}

test('dm by name reaches the sender and the recipient only, as a dm event in the pair\'s room', T, async () => {
  const { u, room, amy, zed, tom, pair } = await trio();
  const ack = await sendDm(zed, `amy${u}`, 'psst', 'd1');
  assert.deepEqual({ room: ack.room, seq: ack.seq, duplicate: ack.duplicate, clientMsgId: ack.clientMsgId },
    { room: pair, seq: 1, duplicate: false, clientMsgId: 'd1' }, JSON.stringify(ack));
  for (const x of [zed, amy]) {
    const d = await x.client.next((m) => m.type === 'dm' && m.text === 'psst', 5000, `the dm at ${x.welcome.name}`);
    assertMessage(d, { type: 'dm', room: pair, text: 'psst', from: zed.id, name: `zed${u}`, seq: 1 });
    assert.equal(d.to, `amy${u}`, JSON.stringify(d));
    assert.equal(d.id, ack.id);
  }
  await tom.client.none((m) => m.type === 'dm' || JSON.stringify(m).includes('psst'), 500, 'the dm at a third member');
  for (const x of [amy, zed]) {
    await x.client.none((m) => m.type === 'dm' && m.text === 'psst', 50, 'a second copy of the dm');
    assert.ok(!x.client.messages.some((m) => m.type === 'message' && m.text === 'psst'), 'a dm is not a room message');
  }
  const h = await history(tom.client, room);
  assert.ok(!h.messages.some((m) => m.text === 'psst'), 'the dm is not in the shared room\'s history');
});

test('dm by connection id; the pair numbers its messages 1, 2, 3 whoever sends', T, async () => {
  const { u, amy, zed, tom, pair } = await trio();
  const a1 = await sendDm(amy, zed.id, 'one', 'i1');
  const a2 = await sendDm(zed, amy.id, 'two', 'i2');
  const a3 = await sendDm(amy, `zed${u}`, 'three', 'i3');
  assert.deepEqual([a1, a2, a3].map((x) => [x.room, x.seq]), [[pair, 1], [pair, 2], [pair, 3]]);
  const d = await zed.client.next((m) => m.type === 'dm' && m.text === 'one', 5000, 'the dm by id at zed');
  assertMessage(d, { type: 'dm', room: pair, from: amy.id, name: `amy${u}`, seq: 1 });
  assert.equal(d.to, `zed${u}`);
  const d2 = await amy.client.next((m) => m.type === 'dm' && m.text === 'two', 5000, 'the reply at amy');
  assert.equal(d2.to, `amy${u}`);
  // another pair starts at 1
  const t1 = await sendDm(amy, `tom${u}`, 'to tom', 't1');
  assert.deepEqual([t1.room, t1.seq], [dmRoom(amy.welcome.userId, tom.welcome.userId), 1]);
  await tom.client.next((m) => m.type === 'dm' && m.text === 'to tom', 5000);
  await zed.client.none((m) => m.type === 'dm' && m.text === 'to tom', 300, 'amy\'s dm to tom at zed');
});

test('the pair\'s history is readable by both parties (type dm, oldest first) and refused to a third (not_member)', T, async () => {
  const { u, amy, zed, tom, pair } = await trio();
  await sendDm(amy, `zed${u}`, 'h1', 'h1');
  await sendDm(zed, `amy${u}`, 'h2', 'h2');
  await sendDm(amy, `zed${u}`, 'h3', 'h3');
  for (const x of [amy, zed]) {
    const h = await history(x.client, pair);
    assert.deepEqual(seqsOf(h.messages), [1, 2, 3], JSON.stringify(h));
    assert.deepEqual(h.messages.map((m) => [m.type, m.text, m.name, m.to]), [
      ['dm', 'h1', `amy${u}`, `zed${u}`], ['dm', 'h2', `zed${u}`, `amy${u}`], ['dm', 'h3', `amy${u}`, `zed${u}`],
    ]);
    assert.equal(h.lastSeq, 3);
    assert.equal(h.hasMore, false);
  }
  const page = await history(zed.client, pair, { before: 3, limit: 1 });
  assert.deepEqual(seqsOf(page.messages), [2]);
  assert.equal(page.hasMore, true);
  await sendExpectingError(tom.client, { action: 'history', room: pair }, { code: 'not_member', action: 'history' });
  // a party that reconnects as the same person (its guest token) reads it too, under any name;
  // someone else under the party's name does not (issue 16)
  await amy.client.close();
  const again = await enter(srv.wsUrl, { name: 'amy-again', room: uniq('elsewhere'), guest: amy.welcome.guestToken });
  assert.equal(again.welcome.userId, amy.welcome.userId);
  const h = await history(again.client, pair);
  assert.deepEqual(h.messages.map((m) => m.text), ['h1', 'h2', 'h3']);
  const namesake = await enter(srv.wsUrl, { name: `amy${u}`, room: uniq('elsewhere') });
  await sendExpectingError(namesake.client, { action: 'history', room: pair }, { code: 'not_member', action: 'history' });
});

test('dm to nobody, to someone in no shared room, or to a closed connection is unknown_recipient', T, async () => {
  const { u, room, amy, zed } = await trio();
  const loner = await enter(srv.wsUrl, { name: `loner${u}`, room: uniq('lonely') });
  await sendExpectingError(amy.client, { action: 'dm', to: `nobody${u}`, message: 'hello?', clientMsgId: 'u1' },
    { code: 'unknown_recipient', action: 'dm', clientMsgId: 'u1' });
  await sendExpectingError(amy.client, { action: 'dm', to: `loner${u}`, message: 'hello?' },
    { code: 'unknown_recipient', action: 'dm' });
  await loner.client.none((m) => m.type === 'dm', 200, 'a dm to someone sharing no room');
  await sendExpectingError(amy.client, { action: 'dm', to: 'AAAAAAAAAAAAAAA=', message: 'hello?' },
    { code: 'unknown_recipient', action: 'dm' });
  await zed.client.close();
  await amy.client.next((m) => m.type === 'presence' && m.event === 'leave' && m.room === room && m.connectionId === zed.id, 5000,
    'zed\'s leave (its disconnect is done)');
  await sendExpectingError(amy.client, { action: 'dm', to: zed.id, message: 'gone?' }, { code: 'unknown_recipient', action: 'dm' });
  await sendExpectingError(amy.client, { action: 'dm', to: `zed${u}`, message: 'gone?' }, { code: 'unknown_recipient', action: 'dm' });
});

test('malformed dm: missing or wrong-typed fields are bad_request, an over-long text too_long', T, async () => {
  const { u, amy, zed } = await trio();
  await sendExpectingError(amy.client, { action: 'dm', message: 'to whom?' }, { code: 'bad_request', action: 'dm' });
  await sendExpectingError(amy.client, { action: 'dm', to: `zed${u}` }, { code: 'bad_request', action: 'dm' });
  await sendExpectingError(amy.client, { action: 'dm', to: 7, message: 'x' }, { code: 'bad_request', action: 'dm' });
  await sendExpectingError(amy.client, { action: 'dm', to: `zed${u}`, message: ['x'] }, { code: 'bad_request', action: 'dm' });
  await sendExpectingError(amy.client, { action: 'dm', to: `zed${u}`, message: 'x'.repeat(4097), clientMsgId: 'long' },
    { code: 'too_long', action: 'dm', clientMsgId: 'long' });
  await zed.client.none((m) => m.type === 'dm', 300, 'a refused dm');
  const ok = await sendDm(amy, `zed${u}`, 'x'.repeat(4096), 'max');
  assert.equal(ok.seq, 1, 'the refused dms used no seq');
});
