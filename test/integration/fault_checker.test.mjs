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

// A join, then a leave answered only by the gateway's timeout: the leave's handler deleted the
// member row while `left` never came. Seq 4, acked after the leave was sent, was fanned out
// without the connection; seq 5, sent earlier, came live. Not missed (cluster, seed 1503).
test('a message acked after the connection sent a leave of the room is not asked of it', () => {
  const frames = [{ json: { type: 'joined', room: ROOM }, at: 100 }, { json: history(3), at: 101 }, { json: msg(5), at: 2000 }];
  const c = {
    id: 'C1', url: 'ws://n1', userId: 'u1', name: 'ann', acks: [], sends: [], closingAt: 10_000,
    ever: new Set([ROOM]), asked: new Set([ROOM]), roomOps: [{ op: 'join', room: ROOM, at: 50 }, { op: 'leave', room: ROOM, at: 1500 }],
    client: { frames, messages: frames.map((f) => f.json), closeInfo: null },
  };
  const actor = { name: 'ann', conns: [c], followers: [], trace: [], shown: () => [] };
  const ackAt = (seq) => (seq === 4 ? 3000 : 0);
  const sender = { name: 'sam', conns: [{ id: 'S', url: 'ws://n1', acks: stored(5).map((m) => ({ room: ROOM, seq: m.seq, id: m.id, at: ackAt(m.seq) })), sends: [], ever: new Set([ROOM]), asked: new Set(), client: { frames: [], messages: [] } }], followers: [], trace: [], shown: () => [] };
  const run = (ops) => check({ actors: [actor, sender], histories: new Map([[ROOM, stored(5)]]), markers: new Map() }).map((v) => v.kind);
  assert.deepEqual(run(), []);
  // Without the leave, seq 4 (acked long before the close) is missed.
  c.roomOps = [{ op: 'join', room: ROOM, at: 50 }];
  assert.deepEqual(run(), ['missed-live']);
});
