// Names (docs/protocol.md "Connecting", "setname", "Names"): validation on connect (HTTP 400)
// and on setname (bad_name), uniqueness within a room (name-XXXX), the name on every message,
// setname's name event and presence rename.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './server.mjs';
import { uniq, enter, say, joinRoom, ask, who, history, sendExpectingError, handshake, wsQuery, assertMessage, assertDisambiguated } from './protocol.mjs';

const srv = useServer();

const T = { timeout: 15_000 };
const isMsg = (room, text) => (m) => m.type === 'message' && m.room === room && (text === undefined || m.text === text);

test('?name is shown in welcome, on every message (live and in history) and in who', T, async () => {
  const room = uniq('nm');
  const a = await enter(srv.wsUrl, { name: 'Ann Lee', room });
  const b = await enter(srv.wsUrl, { name: 'b_o-b.2', room });
  assert.equal(a.welcome.name, 'Ann Lee');
  await say(a.client, room, 'from ann');
  await say(b.client, room, 'from bob');
  const m1 = await b.client.next(isMsg(room, 'from ann'), 5000);
  const m2 = await a.client.next(isMsg(room, 'from bob'), 5000);
  assertMessage(m1, { name: 'Ann Lee', from: a.id });
  assertMessage(m2, { name: 'b_o-b.2', from: b.id });
  const h = await history(a.client, room);
  assert.deepEqual(h.messages.map((m) => [m.name, m.connectionId, m.text]),
    [['Ann Lee', a.id, 'from ann'], ['b_o-b.2', b.id, 'from bob']]);
  const w = await who(a.client, room);
  assert.deepEqual(w.members.map((x) => x.name).sort(), ['Ann Lee', 'b_o-b.2'].sort());
});

test('connect refuses bad names with HTTP 400 and a JSON {"message"}; edge-valid names are accepted', T, async () => {
  const bad = ['n'.repeat(33), ' lead', 'trail ', '<b>', 'caf\u00e9', 'tab\there', 'a:b', 'semi;colon', 'quote"', 'new\nline'];
  for (const name of bad) {
    const url = wsQuery(srv.wsUrl, { name, room: uniq('bn') });
    const r = await handshake(url);
    assert.equal(r.status, 400, `name ${JSON.stringify(name)}: status ${r.status} body ${r.body}`);
    assert.equal(typeof r.json?.message, 'string', `name ${JSON.stringify(name)}: body should be JSON {"message"}, got ${JSON.stringify(r.body)}`);
  }
  for (const name of ['n'.repeat(32), 'x', '7', 'Mid Space', 'a_b-c.d', '...', '-_-']) {
    const { welcome } = await enter(srv.wsUrl, { name, room: uniq('gn') });
    assert.equal(welcome.name, name);
  }
});

test('a connection without ?name is guest-XXXX, on its messages too', T, async () => {
  const room = uniq('guest');
  const g = await enter(srv.wsUrl, { room });
  assert.match(g.welcome.name, /^guest-/);
  await say(g.client, room, 'who am i');
  const m = await g.client.next(isMsg(room, 'who am i'), 5000);
  assert.equal(m.name, g.welcome.name);
});

test('setname refuses bad names with bad_name (action setname); the name stays', T, async () => {
  const room = uniq('sn');
  const a = await enter(srv.wsUrl, { name: 'keeper', room });
  for (const name of ['', 'n'.repeat(33), ' lead', 'trail ', 'bang!', 'caf\u00e9', 'a/b', '\u0000']) {
    await sendExpectingError(a.client, { action: 'setname', name }, { code: 'bad_name', action: 'setname' });
  }
  await sendExpectingError(a.client, { action: 'setname' }, { code: 'bad_request', action: 'setname' });
  await sendExpectingError(a.client, { action: 'setname', name: 42 }, { code: 'bad_request', action: 'setname' });
  await say(a.client, room, 'still keeper');
  const m = await a.client.next(isMsg(room, 'still keeper'), 5000);
  assert.equal(m.name, 'keeper');
  await a.client.none((x) => x.type === 'name' || x.type === 'presence', 100, 'a name or presence event for a refused setname');
});

test('setname answers name {name, rooms}, announces presence rename in each room, and later messages carry it', T, async () => {
  const r1 = uniq('ren1');
  const r2 = uniq('ren2');
  const a = await enter(srv.wsUrl, { name: 'old-a', room: r1 });
  await joinRoom(a.client, r2);
  const b = await enter(srv.wsUrl, { name: 'ren-b', room: r1 });
  const c = await enter(srv.wsUrl, { name: 'ren-c', room: r2 });

  const ev = await ask(a.client, { action: 'setname', name: 'new-a' }, 'name');
  assert.equal(ev.name, 'new-a');
  assert.deepEqual(ev.rooms, { [r1]: 'new-a', [r2]: 'new-a' }, JSON.stringify(ev));

  const pb = await b.client.next((m) => m.type === 'presence' && m.event === 'rename', 5000, 'rename at b');
  assert.deepEqual({ room: pb.room, name: pb.name, oldName: pb.oldName, connectionId: pb.connectionId },
    { room: r1, name: 'new-a', oldName: 'old-a', connectionId: a.id }, JSON.stringify(pb));
  const pc = await c.client.next((m) => m.type === 'presence' && m.event === 'rename', 5000, 'rename at c');
  assert.deepEqual({ room: pc.room, name: pc.name, oldName: pc.oldName, connectionId: pc.connectionId },
    { room: r2, name: 'new-a', oldName: 'old-a', connectionId: a.id }, JSON.stringify(pc));
  // b is not in r2, c not in r1: one rename each
  await b.client.none((m) => m.type === 'presence' && m.event === 'rename', 200, 'a second rename at b');
  await c.client.none((m) => m.type === 'presence' && m.event === 'rename', 50, 'a second rename at c');

  await say(a.client, r1, 'renamed');
  const m = await b.client.next(isMsg(r1, 'renamed'), 5000);
  assert.equal(m.name, 'new-a');
  const w = await who(b.client, r1);
  assert.equal(w.members.find((x) => x.connectionId === a.id)?.name, 'new-a', JSON.stringify(w));
  a.client.send({ action: 'hello' });
  const wel = await a.client.next((x) => x.type === 'welcome', 5000);
  assert.equal(wel.name, 'new-a');
});

test('a second "ann" in a room is shown there as ann-XXXX (XXXX from its connection id), compared without case', T, async () => {
  const room = uniq('dup');
  const elsewhere = uniq('dupother');
  const first = await enter(srv.wsUrl, { name: 'ann', room });
  // joining by the join action
  const second = await enter(srv.wsUrl, { name: 'ann', room: elsewhere });
  const { joined } = await joinRoom(second.client, room);
  assertDisambiguated(joined.name, 'ann', second.id, `(joined ${JSON.stringify(joined)})`);
  const pj = await first.client.next((m) => m.type === 'presence' && m.event === 'join' && m.connectionId === second.id, 5000,
    'presence join of the second ann');
  assert.equal(pj.name, joined.name);
  // connecting with ?room, and another case
  const third = await enter(srv.wsUrl, { name: 'ANN', room });

  await say(first.client, room, 'one');
  await say(second.client, room, 'two');
  await say(third.client, room, 'three');
  const got = [];
  for (const text of ['one', 'two', 'three']) got.push(await first.client.next(isMsg(room, text), 5000));
  assert.equal(got[0].name, 'ann');
  assert.equal(got[1].name, joined.name);
  assertDisambiguated(got[2].name, 'ANN', third.id, `(message ${JSON.stringify(got[2])})`);
  assert.equal(new Set(got.map((m) => m.name.toLowerCase())).size, 3, `names must differ: ${got.map((m) => m.name)}`);

  const w = await who(first.client, room);
  const byId = Object.fromEntries(w.members.map((x) => [x.connectionId, x.name]));
  assert.deepEqual(byId, { [first.id]: 'ann', [second.id]: joined.name, [third.id]: got[2].name }, JSON.stringify(w));

  // in a room without another ann, the second one is plain "ann"
  await say(second.client, elsewhere, 'plain');
  const m = await second.client.next(isMsg(elsewhere, 'plain'), 5000);
  assert.equal(m.name, 'ann');
});

test('renaming to a name taken in one room: name-XXXX there, the plain name elsewhere', T, async () => {
  const r1 = uniq('rt1');
  const r2 = uniq('rt2');
  const a = await enter(srv.wsUrl, { name: 'rt-a', room: r1 });
  await joinRoom(a.client, r2);
  const bob = await enter(srv.wsUrl, { name: 'bob', room: r1 });
  const ev = await ask(a.client, { action: 'setname', name: 'Bob' }, 'name');
  assert.equal(ev.name, 'Bob');
  assertDisambiguated(ev.rooms?.[r1], 'Bob', a.id, `(name event ${JSON.stringify(ev)})`);
  assert.equal(ev.rooms?.[r2], 'Bob', JSON.stringify(ev));
  const p = await bob.client.next((m) => m.type === 'presence' && m.event === 'rename', 5000, 'rename at bob');
  assert.equal(p.name, ev.rooms[r1]);
  assert.equal(p.oldName, 'rt-a');
  await say(a.client, r1, 'in r1');
  await say(a.client, r2, 'in r2');
  assert.equal((await a.client.next(isMsg(r1, 'in r1'), 5000)).name, ev.rooms[r1]);
  assert.equal((await a.client.next(isMsg(r2, 'in r2'), 5000)).name, 'Bob');
  // the original bob keeps his name
  await say(bob.client, r1, 'still bob');
  assert.equal((await a.client.next(isMsg(r1, 'still bob'), 5000)).name, 'bob');
});

test('a name another member of a different room has is not disambiguated', T, async () => {
  const a = await enter(srv.wsUrl, { name: 'solo', room: uniq('s1') });
  const b = await enter(srv.wsUrl, { name: 'solo', room: uniq('s2') });
  const rb = b.welcome.rooms[0];
  await say(b.client, rb, 'mine');
  assert.equal((await b.client.next(isMsg(rb, 'mine'), 5000)).name, 'solo');
  assert.equal(a.welcome.name, 'solo');
});
