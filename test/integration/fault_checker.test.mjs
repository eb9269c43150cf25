// The fault-injection suite's checker (fault_checker.mjs) on hand-made runs: what it must call a
// violation and what it must not. No server: the frames are written here as a connection
// would have received them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from './fault_checker.mjs';

const ROOM = 'r1';

// One user with one connection that received `frames` (JSON objects, in order).
function runOf(frames, { closingAt = 10_000 } = {}) {
  const c = {
    id: 'C1', url: 'ws://n1', userId: 'u1', name: 'ann', acks: [], sends: [], closingAt,
    ever: new Set([ROOM]), asked: new Set(),
    client: { frames: frames.map((json, i) => ({ json, at: i })), messages: frames, closeInfo: null },
  };
  return { name: 'ann', conns: [c], followers: [], trace: [], shown: () => [] };
}

const msg = (seq) => ({ type: 'message', room: ROOM, seq, id: `m${seq}`, text: `t${seq}`, connectionId: 'S' });
// The room's stored history 1..n, each acked by its sender at time 0 (long before the close).
function stored(n) {
  const history = [];
  for (let s = 1; s <= n; s++) history.push({ seq: s, id: `m${s}`, text: `t${s}`, connectionId: 'S' });
  return history;
}
function kinds(frames, n) {
  const actor = runOf(frames);
  const sender = { name: 'sam', conns: [{ id: 'S', url: 'ws://n1', acks: stored(n).map((m) => ({ room: ROOM, seq: m.seq, id: m.id, at: 0 })), sends: [], ever: new Set([ROOM]), asked: new Set(), client: { frames: [], messages: [] } }], followers: [], trace: [], shown: () => [] };
  return check({ actors: [actor, sender], histories: new Map([[ROOM, stored(n)]]), markers: new Map() }).map((v) => v.kind);
}

const welcome = { type: 'welcome', connectionId: 'C1', userId: 'u1', rooms: [ROOM] };
const history = (lastSeq) => ({ type: 'history', room: ROOM, messages: [], lastSeq });

test('a message neither in the join\'s history nor live, while later ones came live, is missed-live', () => {
  assert.deepEqual(kinds([welcome, history(3), msg(5), msg(6)], 6), ['missed-live']);
});

test('a message fanned out between the hello\'s history read and its welcome arrived live (not missed)', () => {
  // $connect put the member; the hello read the history up to 3; seq 4 was stored and posted to
  // the connection; then the hello posted the welcome and the history it had read.
  assert.deepEqual(kinds([msg(4), welcome, history(3), msg(5), msg(6)], 6), []);
});

test('a second welcome (an answer to a repeated hello) does not reopen the window', () => {
  assert.deepEqual(kinds([msg(4), welcome, history(3), msg(5), welcome, msg(6)], 6), []);
});
