// Rooms (docs/protocol.md, issue 3): ?room on connect, hello -> welcome + history, join / leave,
// a connection in several rooms, fan-out only to a room's members, the home room of the seed's
// sendmessage without a room.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, useServer } from './server.mjs';
import { connect, closeAll, ID_RE } from './client.mjs';
import { uniq, range, seqsOf, enter, say, joinRoom, ask, history, sendExpectingError, handshake, wsQuery, assertMessage, sendMany } from './protocol.mjs';

const srv = useServer();

const T = { timeout: 15_000 };
const isMsg = (room) => (m) => m.type === 'message' && m.room === room;

test('hello answers welcome (connectionId, name, rooms = [home]) and then the home room\'s history', T, async () => {
  const room = uniq('home');
  const client = await connect(wsQuery(srv.wsUrl, { name: 'ann', room }));
  client.send({ action: 'hello' });
  const welcome = await client.next((m) => m.type === 'welcome', 5000, 'welcome');
  assert.match(welcome.connectionId, ID_RE);
  assert.equal(welcome.name, 'ann');
  assert.deepEqual(welcome.rooms, [room], `welcome.rooms: ${JSON.stringify(welcome)}`);
  const h = await client.next((m) => m.type === 'history', 5000, 'history');
  assert.equal(h.room, room, JSON.stringify(h));
  assert.deepEqual(h.messages, [], 'a new room has no messages');
  assert.equal(h.hasMore, false);
  assert.equal(h.lastSeq, 0);
  const iw = client.frames.findIndex((f) => f.json?.type === 'welcome');
  const ih = client.frames.findIndex((f) => f.json?.type === 'history');
  assert.ok(iw < ih, 'welcome comes before history');
});

test('without ?room the home room is lobby', T, async () => {
  const { welcome, history: h } = await enter(srv.wsUrl, { name: uniq('nr') });
  assert.deepEqual(welcome.rooms, ['lobby']);
  assert.equal(h.room, 'lobby');
  assert.ok(Array.isArray(h.messages) && h.messages.length <= 50, JSON.stringify(h).slice(0, 300));
  assert.ok(Number.isInteger(h.lastSeq), JSON.stringify(h).slice(0, 300));
});

test('valid room names (64 characters, letters, digits, _ - .) are accepted on connect and on join', T, async () => {
  const long = `r${uniq('').replace(/-/g, '')}`.padEnd(64, 'x');
  assert.equal(long.length, 64);
  const odd = `A_b-c.9${uniq('')}`;
  const a = await enter(srv.wsUrl, { name: 'rn', room: long });
  assert.deepEqual(a.welcome.rooms, [long]);
  const { joined } = await joinRoom(a.client, odd);
  assert.equal(joined.room, odd);
  const ack = await say(a.client, odd, 'odd room');
  assert.equal(ack.room, odd);
});

test('connect with a bad room or since is refused with HTTP 400 and a JSON {"message"}', T, async () => {
  const bad = [
    { room: 'x'.repeat(65) }, { room: 'has space' }, { room: 'a/b' }, { room: 'dm:a:b' }, { room: 'caf\u00e9' },
    { since: '-1' }, { since: 'abc' }, { since: '1.5' },
  ];
  for (const params of bad) {
    const url = wsQuery(srv.wsUrl, { name: 'bad', ...params });
    const r = await handshake(url);
    assert.equal(r.status, 400, `${url}: status ${r.status} body ${r.body}`);
    assert.equal(typeof r.json?.message, 'string', `${url}: body should be JSON {"message": "..."}, got ${JSON.stringify(r.body)}`);
  }
  // and good ones are accepted
  for (const params of [{ room: uniq('ok') }, { room: uniq('ok'), since: '0' }]) {
    const url = wsQuery(srv.wsUrl, { name: 'good', ...params });
    const r = await handshake(url);
    assert.equal(r.status, 101, `${url}: status ${r.status} body ${r.body}`);
  }
});

test('join answers joined (room, name, lastSeq) then the room\'s history; welcome then lists both rooms', T, async () => {
  const r1 = uniq('j1');
  const r2 = uniq('j2');
  const a = await enter(srv.wsUrl, { name: 'ja', room: r1 });
  const acks = [];
  for (let i = 0; i < 3; i++) acks.push(await say(a.client, r1, `before join ${i}`));
  assert.deepEqual(acks.map((x) => x.seq), [1, 2, 3]);

  const b = await enter(srv.wsUrl, { name: 'jb', room: r2 });
  const from = b.client.frames.length;
  const { joined, history: h } = await joinRoom(b.client, r1);
  assert.deepEqual({ room: joined.room, name: joined.name, lastSeq: joined.lastSeq }, { room: r1, name: 'jb', lastSeq: 3 },
    JSON.stringify(joined));
  assert.deepEqual(seqsOf(h.messages), [1, 2, 3]);
  for (const [i, m] of h.messages.entries()) assertMessage(m, { room: r1, text: `before join ${i}`, from: a.id, name: 'ja' });
  assert.equal(h.hasMore, false);
  assert.equal(h.lastSeq, 3);
  const types = b.client.frames.slice(from).map((f) => f.json?.type).filter((t) => t === 'joined' || t === 'history');
  assert.deepEqual(types.slice(0, 2), ['joined', 'history'], 'joined comes before its history');

  // a second hello: welcome lists the home room first, then one history per room
  b.client.send({ action: 'hello' });
  const w = await b.client.next((m) => m.type === 'welcome', 5000, 'second welcome');
  assert.deepEqual(w.rooms, [r2, r1]);
  const hs = [
    await b.client.next((m) => m.type === 'history', 5000, 'first history after hello'),
    await b.client.next((m) => m.type === 'history', 5000, 'second history after hello'),
  ];
  assert.deepEqual(hs.map((x) => x.room).sort(), [r1, r2].sort(), 'one history per room');
  assert.deepEqual(seqsOf(hs.find((x) => x.room === r1).messages), [1, 2, 3]);
});

test('joining a room you are already in answers joined + history again (no error)', T, async () => {
  const room = uniq('again');
  const a = await enter(srv.wsUrl, { name: 'again', room });
  await say(a.client, room, 'one');
  const first = await joinRoom(a.client, room);
  assert.equal(first.joined.lastSeq, 1);
  assert.deepEqual(seqsOf(first.history.messages), [1]);
  const second = await joinRoom(a.client, room);
  assert.equal(second.joined.name, 'again');
  assert.deepEqual(seqsOf(second.history.messages), [1]);
  await a.client.none((m) => m.type === 'error', 300, 'an error for re-joining');
  // still a single membership: one message event per message
  await say(a.client, room, 'two');
  await a.client.next((m) => isMsg(room)(m) && m.text === 'two', 5000);
  await a.client.none((m) => isMsg(room)(m) && m.text === 'two', 300, 'a second copy of "two"');
});

test('a connection in several rooms gets each room\'s messages, each tagged with its room', T, async () => {
  const rooms = [uniq('m1'), uniq('m2'), uniq('m3')];
  const c = await enter(srv.wsUrl, { name: 'multi', room: rooms[0] });
  await joinRoom(c.client, rooms[1]);
  await joinRoom(c.client, rooms[2]);
  const senders = await Promise.all(rooms.map((room, i) => enter(srv.wsUrl, { name: `s${i}`, room })));
  await Promise.all(senders.map((s, i) => say(s.client, rooms[i], `to ${rooms[i]}`)));
  for (const [i, room] of rooms.entries()) {
    const m = await c.client.next((x) => isMsg(room)(x), 5000, `the message of ${room}`);
    assertMessage(m, { room, text: `to ${room}`, from: senders[i].id, name: `s${i}`, seq: 1 });
  }
  // and it can send to each of them with "room"
  const ack = await say(c.client, rooms[2], 'from multi');
  assert.equal(ack.room, rooms[2]);
  const got = await senders[2].client.next((x) => isMsg(rooms[2])(x) && x.text === 'from multi', 5000);
  assertMessage(got, { room: rooms[2], from: c.id, name: 'multi', seq: 2 });
  for (const s of [senders[0], senders[1]]) {
    await s.client.none((x) => x.type === 'message' && x.text === 'from multi', 200, 'a message of another room');
  }
});

test('two rooms never see each other\'s messages; each room numbers its own seqs', T, async () => {
  const r1 = uniq('iso1');
  const r2 = uniq('iso2');
  const a = await enter(srv.wsUrl, { name: 'iso-a', room: r1 });
  const b = await enter(srv.wsUrl, { name: 'iso-b', room: r2 });
  const c = await enter(srv.wsUrl, { name: 'iso-c', room: r1 });
  await joinRoom(c.client, r2);
  const N = 10;
  const [acks1, acks2] = await Promise.all([
    sendMany(a.client, r1, N, (i) => `r1 ${i}`),
    sendMany(b.client, r2, N, (i) => `r2 ${i}`),
  ]);
  assert.deepEqual(acks1.map((x) => x.seq).sort((x, y) => x - y), range(1, N));
  assert.deepEqual(acks2.map((x) => x.seq).sort((x, y) => x - y), range(1, N));
  for (let i = 0; i < N; i++) {
    await a.client.next((m) => isMsg(r1)(m) && m.text === `r1 ${i}`, 5000);
    await b.client.next((m) => isMsg(r2)(m) && m.text === `r2 ${i}`, 5000);
    await c.client.next((m) => isMsg(r1)(m) && m.text === `r1 ${i}`, 5000);
    await c.client.next((m) => isMsg(r2)(m) && m.text === `r2 ${i}`, 5000);
  }
  await a.client.none((m) => m.type === 'message' && m.room !== r1, 300, `a message of another room at ${r1}'s member`);
  await b.client.none((m) => m.type === 'message' && m.room !== r2, 50, `a message of another room at ${r2}'s member`);
  assert.ok(a.client.messages.every((m) => m.type !== 'message' || (m.room === r1 && m.text.startsWith('r1 '))),
    JSON.stringify(a.client.messages.filter((m) => m.type === 'message' && m.room !== r1)));
  assert.ok(b.client.messages.every((m) => m.type !== 'message' || (m.room === r2 && m.text.startsWith('r2 '))));
  // the stored histories are separate too
  const h1 = await history(c.client, r1);
  const h2 = await history(c.client, r2);
  assert.ok(h1.messages.every((m) => m.room === r1 && m.text.startsWith('r1 ')), JSON.stringify(h1).slice(0, 500));
  assert.ok(h2.messages.every((m) => m.room === r2 && m.text.startsWith('r2 ')), JSON.stringify(h2).slice(0, 500));
  assert.deepEqual(seqsOf(h1.messages), range(1, N));
  assert.deepEqual(seqsOf(h2.messages), range(1, N));
  // and a non-member cannot read the other room
  await sendExpectingError(a.client, { action: 'history', room: r2 }, { code: 'not_member', action: 'history' });
});

test('fan-out reaches only the room\'s members: connections in other rooms get nothing', T, async () => {
  const room = uniq('fan');
  const members = await Promise.all(range(1, 3).map((i) => enter(srv.wsUrl, { name: `fan${i}`, room })));
  const others = await Promise.all(range(1, 12).map((i) => enter(srv.wsUrl, { name: `oth${i}`, room: i % 2 ? uniq('else') : 'lobby' })));
  await sendMany(members[0].client, room, 5, (i) => `fan ${i}`);
  for (const m of members) {
    for (let i = 0; i < 5; i++) await m.client.next((x) => isMsg(room)(x) && x.text === `fan ${i}`, 5000);
  }
  for (const o of others) {
    await o.client.none((x) => x.type === 'message' && x.room === room, 20, `a message of ${room} outside it`);
    assert.ok(!o.client.messages.some((x) => x.type === 'message' && x.room === room));
  }
});

test('leave answers left; the leaver gets no more of the room and is no longer a member', T, async () => {
  const room = uniq('lv');
  const home = uniq('lvhome');
  const a = await enter(srv.wsUrl, { name: 'lv-a', room });
  const b = await enter(srv.wsUrl, { name: 'lv-b', room: home });
  await joinRoom(b.client, room);
  const left = await ask(b.client, { action: 'leave', room }, 'left', (m) => m.room === room);
  assert.deepEqual(left, { type: 'left', room });
  await say(a.client, room, 'after leave');
  await a.client.next((m) => isMsg(room)(m) && m.text === 'after leave', 5000);
  await b.client.none((m) => m.type === 'message' && m.room === room, 300, 'a message of the room it left');
  await sendExpectingError(b.client, { action: 'sendmessage', room, message: 'x', clientMsgId: 'lv-1' },
    { code: 'not_member', action: 'sendmessage', clientMsgId: 'lv-1' });
  await sendExpectingError(b.client, { action: 'history', room }, { code: 'not_member', action: 'history' });
  await sendExpectingError(b.client, { action: 'who', room }, { code: 'not_member', action: 'who' });
  await sendExpectingError(b.client, { action: 'leave', room }, { code: 'not_member', action: 'leave' });
  b.client.send({ action: 'hello' });
  const w = await b.client.next((m) => m.type === 'welcome', 5000);
  assert.deepEqual(w.rooms, [home]);
  // nothing reached a's room from b's refused sendmessage
  await a.client.none((m) => isMsg(room)(m) && m.connectionId === b.id, 100, 'the refused message');
});

test('sendmessage to a room the connection is not in is refused with not_member and reaches nobody', T, async () => {
  const room = uniq('closed');
  const a = await enter(srv.wsUrl, { name: 'in', room });
  const b = await enter(srv.wsUrl, { name: 'out', room: uniq('outside') });
  await sendExpectingError(b.client, { action: 'sendmessage', room, message: 'let me in' },
    { code: 'not_member', action: 'sendmessage' });
  await a.client.none((m) => m.type === 'message' && m.text === 'let me in', 300, 'a message from a non-member');
  const h = await history(a.client, room);
  assert.deepEqual(h.messages, []);
});

test('the seed\'s {"action":"sendmessage","message":"..."} without room goes to the home room', T, async () => {
  const home = uniq('seedhome');
  const other = uniq('seedother');
  const a = await enter(srv.wsUrl, { name: 'seed-a', room: home });
  await joinRoom(a.client, other);
  const inHome = await enter(srv.wsUrl, { name: 'seed-h', room: home });
  const inOther = await enter(srv.wsUrl, { name: 'seed-o', room: other });

  a.client.send({ action: 'sendmessage', message: 'seed style' });
  const ack = await a.client.next((m) => m.type === 'ack', 5000, 'the ack');
  assert.equal(ack.room, home);
  assert.equal(ack.duplicate, false);
  assert.equal(ack.clientMsgId ?? undefined, undefined, `no clientMsgId was given: ${JSON.stringify(ack)}`);
  const m = await inHome.client.next(isMsg(home), 5000, 'the seed message in the home room');
  assertMessage(m, { room: home, text: 'seed style', from: a.id, name: 'seed-a', seq: ack.seq });
  assert.equal(m.id, ack.id);
  await inOther.client.none((x) => x.type === 'message', 300, 'the seed message in the other room');

  // the seed's "default" action too
  a.client.send({ action: 'default', message: 'seed default' });
  const m2 = await inHome.client.next((x) => isMsg(home)(x) && x.text === 'seed default', 5000);
  assertMessage(m2, { room: home, from: a.id, seq: ack.seq + 1 });
  await inOther.client.none((x) => x.type === 'message', 200, 'the default message in the other room');

  // and with no ?room at all, the home room is lobby
  const l = await enter(srv.wsUrl, { name: 'seed-l' });
  l.client.send({ action: 'sendmessage', message: 'seed lobby' });
  const ack3 = await l.client.next((x) => x.type === 'ack', 5000, 'the lobby ack');
  assert.equal(ack3.room, 'lobby');
  const m3 = await l.client.next((x) => isMsg('lobby')(x) && x.text === 'seed lobby', 5000);
  assert.equal(m3.seq, ack3.seq);
});

// Issue 15, item 10: rooms per connection are capped (--max-rooms, default 100); the join past
// the cap answers error too_many_rooms and joins nothing; leaving one makes room again.
test('--max-rooms caps the rooms of one connection: the join past it is too_many_rooms', T, async () => {
  const capped = await startServer({ args: ['--max-rooms', '3'] });
  try {
    const home = uniq('cap');
    const a = await enter(capped.wsUrl, { name: 'ann', room: home });
    const r2 = uniq('cap');
    const r3 = uniq('cap');
    await joinRoom(a.client, r2);
    await joinRoom(a.client, r3);
    const r4 = uniq('cap');
    const err = await sendExpectingError(a.client, { action: 'join', room: r4 }, { code: 'too_many_rooms', action: 'join' });
    assert.match(err.message, /3 rooms/);
    const members = await ask(a.client, { action: 'who', room: r4 }, 'members').catch((e) => e);
    assert.match(String(members.message ?? members), /not_member/, 'the refused join joined nothing');
    await joinRoom(a.client, r3); // a room it is in answers as before
    await ask(a.client, { action: 'leave', room: r2 }, 'left');
    await joinRoom(a.client, r4);
  } finally {
    await closeAll();
    await capped.stop();
  }
});
