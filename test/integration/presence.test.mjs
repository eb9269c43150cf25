// Presence (docs/protocol.md "who", "members", "presence"): who lists a room's members, joins
// and leaves are announced to the other members (not to the one joining or leaving), and a
// disconnect announces a leave in each room of the connection.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poll, useServer } from './server.mjs';
import { uniq, enter, joinRoom, ask, who, sendExpectingError } from './protocol.mjs';

const srv = useServer();

const T = { timeout: 15_000 };
const presence = (room, event, connectionId) => (m) =>
  m.type === 'presence' && m.room === room && m.event === event && (connectionId === undefined || m.connectionId === connectionId);

function assertPresence(p, { room, event, name, connectionId }) {
  assert.deepEqual({ type: p.type, room: p.room, event: p.event, name: p.name, connectionId: p.connectionId },
    { type: 'presence', room, event, name, connectionId }, JSON.stringify(p));
}

async function memberIds(client, room) {
  const w = await who(client, room);
  return w.members.map((m) => m.connectionId).sort();
}

test('who lists every member with name, connectionId and joinedAt', T, async () => {
  const room = uniq('who');
  const t0 = Date.now();
  const a = await enter(srv.wsUrl, { name: 'who-a', room });
  const b = await enter(srv.wsUrl, { name: 'who-b', room });
  const c = await enter(srv.wsUrl, { name: 'who-c', room: uniq('whoelse') });
  await joinRoom(c.client, room);
  const outsider = await enter(srv.wsUrl, { name: 'who-x', room: uniq('whox') });
  const w = await who(a.client, room);
  assert.equal(w.room, room);
  assert.ok(Array.isArray(w.members), JSON.stringify(w));
  const got = w.members.map((m) => ({ name: m.name, connectionId: m.connectionId })).sort((x, y) => x.name.localeCompare(y.name));
  assert.deepEqual(got, [
    { name: 'who-a', connectionId: a.id }, { name: 'who-b', connectionId: b.id }, { name: 'who-c', connectionId: c.id },
  ]);
  for (const m of w.members) {
    assert.ok(Number.isInteger(m.joinedAt) && m.joinedAt >= t0 - 2000 && m.joinedAt <= Date.now() + 2000,
      `joinedAt should be epoch ms of the join: ${JSON.stringify(m)}`);
  }
  assert.ok(!w.members.some((m) => m.connectionId === outsider.id));
  await sendExpectingError(outsider.client, { action: 'who', room }, { code: 'not_member', action: 'who' });
  await sendExpectingError(outsider.client, { action: 'who' }, { code: 'bad_request', action: 'who' });
});

test('join is announced to the other members, not to the joiner nor to other rooms', T, async () => {
  const room = uniq('pj');
  const a = await enter(srv.wsUrl, { name: 'pj-a', room });
  const b = await enter(srv.wsUrl, { name: 'pj-b', room });
  const elsewhere = await enter(srv.wsUrl, { name: 'pj-x', room: uniq('pjx') });
  const j = await enter(srv.wsUrl, { name: 'pj-j', room: elsewhere.welcome.rooms[0] });
  await joinRoom(j.client, room);
  for (const x of [a, b]) {
    const p = await x.client.next(presence(room, 'join', j.id), 5000, `the join at ${x.welcome.name}`);
    assertPresence(p, { room, event: 'join', name: 'pj-j', connectionId: j.id });
  }
  await j.client.none(presence(room, 'join', j.id), 300, 'its own presence join');
  await elsewhere.client.none((m) => m.type === 'presence' && m.room === room, 50, 'a presence of a room it is not in');
  assert.deepEqual(await memberIds(a.client, room), [a.id, b.id, j.id].sort());
});

test('connecting with ?room=R announces the join to R\'s members', T, async () => {
  const room = uniq('pc');
  const a = await enter(srv.wsUrl, { name: 'pc-a', room });
  const b = await enter(srv.wsUrl, { name: 'pc-b', room });
  const p = await a.client.next(presence(room, 'join', b.id), 5000, 'the presence join of a connection arriving with ?room');
  assertPresence(p, { room, event: 'join', name: 'pc-b', connectionId: b.id });
  await b.client.none(presence(room, 'join', b.id), 300, 'its own presence join');
});

test('leave is announced to the remaining members, not to the leaver; who no longer lists it', T, async () => {
  const room = uniq('pl');
  const a = await enter(srv.wsUrl, { name: 'pl-a', room });
  const l = await enter(srv.wsUrl, { name: 'pl-l', room: uniq('plhome') });
  await joinRoom(l.client, room);
  await a.client.next(presence(room, 'join', l.id), 5000, 'the join');
  const left = await ask(l.client, { action: 'leave', room }, 'left', (m) => m.room === room);
  assert.equal(left.room, room);
  const p = await a.client.next(presence(room, 'leave', l.id), 5000, 'the leave at a');
  assertPresence(p, { room, event: 'leave', name: 'pl-l', connectionId: l.id });
  await l.client.none((m) => m.type === 'presence' && m.room === room && m.event === 'leave', 300, 'its own presence leave');
  assert.deepEqual(await memberIds(a.client, room), [a.id]);
});

test('a disconnect announces a leave in every room of the connection; who drops it', T, async () => {
  const r1 = uniq('pd1');
  const r2 = uniq('pd2');
  const a = await enter(srv.wsUrl, { name: 'pd-a', room: r1 });
  const c = await enter(srv.wsUrl, { name: 'pd-c', room: r2 });
  const d = await enter(srv.wsUrl, { name: 'pd-d', room: r1 });
  await joinRoom(d.client, r2);
  await d.client.close(1000, 'bye');
  const pa = await a.client.next(presence(r1, 'leave', d.id), 5000, 'the leave in r1');
  assertPresence(pa, { room: r1, event: 'leave', name: 'pd-d', connectionId: d.id });
  const pc = await c.client.next(presence(r2, 'leave', d.id), 5000, 'the leave in r2');
  assertPresence(pc, { room: r2, event: 'leave', name: 'pd-d', connectionId: d.id });
  assert.deepEqual(await memberIds(a.client, r1), [a.id]);
  assert.deepEqual(await memberIds(c.client, r2), [c.id]);
});

test('a connection cut without a close frame is announced as a leave too', T, async () => {
  const room = uniq('pcut');
  const a = await enter(srv.wsUrl, { name: 'cut-a', room });
  const x = await enter(srv.wsUrl, { name: 'cut-x', room });
  x.client.terminate();
  const p = await a.client.next(presence(room, 'leave', x.id), 8000, 'the leave of the cut connection');
  assertPresence(p, { room, event: 'leave', name: 'cut-x', connectionId: x.id });
  const ids = await poll(async () => {
    const got = await memberIds(a.client, room);
    return got.length === 1 ? got : null;
  }, { timeoutMs: 3000 });
  assert.deepEqual(ids, [a.id]);
});

test('presence carries the name shown in the room (a disambiguated one too)', T, async () => {
  const room = uniq('pn');
  const a = await enter(srv.wsUrl, { name: 'same', room });
  const b = await enter(srv.wsUrl, { name: 'same', room: uniq('pnhome') });
  const { joined } = await joinRoom(b.client, room);
  const p = await a.client.next(presence(room, 'join', b.id), 5000, 'the join');
  assert.equal(p.name, joined.name);
  assert.notEqual(p.name.toLowerCase(), 'same');
  await ask(b.client, { action: 'leave', room }, 'left');
  const pl = await a.client.next(presence(room, 'leave', b.id), 5000, 'the leave');
  assert.equal(pl.name, joined.name);
});
