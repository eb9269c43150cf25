// History (docs/protocol.md "history"): the newest 50 on hello and on join, paging backwards
// with before and forwards with after, limit bounds, since on connect / hello / join.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './server.mjs';
import {
  uniq, range, seqsOf, enter, say, joinRoom, history, sendExpectingError, assertMessage,
} from './protocol.mjs';

let room; // 60 messages "h1".."h60" by "writer", seq i = text h<i>
let writerId;
const acks = [];

const srv = useServer({}, async () => {
  room = uniq('hist');
  const w = await enter(srv.wsUrl, { name: 'writer', room });
  writerId = w.id;
  for (let i = 1; i <= 60; i++) acks.push(await say(w.client, room, `h${i}`));
  assert.deepEqual(acks.map((a) => a.seq), range(1, 60), 'setup: 60 messages numbered 1..60');
  await w.client.close();
});

const T = { timeout: 15_000 };

function assertPage(h, { seqs, hasMore, lastSeq = 60, r = room }, what) {
  const ctx = `${what}: ${JSON.stringify({ ...h, messages: seqsOf(h.messages ?? []) })}`;
  assert.equal(h.type, 'history', ctx);
  assert.equal(h.room, r, ctx);
  assert.deepEqual(seqsOf(h.messages), seqs, ctx);
  assert.equal(h.hasMore, hasMore, `hasMore ${ctx}`);
  assert.equal(h.lastSeq, lastSeq, `lastSeq ${ctx}`);
  for (const m of h.messages) {
    assertMessage(m, { room: r, text: `h${m.seq}`, from: writerId, name: 'writer' });
    assert.equal(m.id, acks[m.seq - 1].id, `id of seq ${m.seq}`);
  }
}

test('hello after 60 messages brings the newest 50 (seq 11..60, oldest first), hasMore true, lastSeq 60', T, async () => {
  const { history: h } = await enter(srv.wsUrl, { name: 'reader', room });
  assertPage(h, { seqs: range(11, 60), hasMore: true }, 'the history after hello');
});

test('join brings the newest 50 too', T, async () => {
  const r = await enter(srv.wsUrl, { name: 'joiner', room: uniq('jhome') });
  const { joined, history: h } = await joinRoom(r.client, room);
  assert.equal(joined.lastSeq, 60);
  assertPage(h, { seqs: range(11, 60), hasMore: true }, 'the history after join');
});

test('paging backwards with before until hasMore is false yields every message once', T, async () => {
  const { client, history: first } = await enter(srv.wsUrl, { name: 'pager', room });
  const before10 = await history(client, room, { before: 11 });
  assertPage(before10, { seqs: range(1, 10), hasMore: false }, 'before 11');

  // pages of 20 from the top
  let page = await history(client, room, { limit: 20 });
  assertPage(page, { seqs: range(41, 60), hasMore: true }, 'limit 20');
  const all = [...page.messages];
  const expected = [[21, 40, true], [1, 20, false]];
  for (const [from, to, more] of expected) {
    page = await history(client, room, { before: all[0].seq, limit: 20 });
    assertPage(page, { seqs: range(from, to), hasMore: more }, `before ${all[0].seq} limit 20`);
    all.unshift(...page.messages);
  }
  assert.deepEqual(seqsOf(all), range(1, 60));

  // uneven pages from the hello history down
  const seen = [...first.messages];
  let more = first.hasMore;
  let rounds = 0;
  while (more && rounds++ < 20) {
    const p = await history(client, room, { before: seen[0].seq, limit: 7 });
    assert.ok(p.messages.length <= 7, `limit 7 gave ${p.messages.length}`);
    seen.unshift(...p.messages);
    more = p.hasMore;
  }
  assert.deepEqual(seqsOf(seen), range(1, 60), 'paging down from the hello history');
  const edge = await history(client, room, { before: 1 });
  assertPage(edge, { seqs: [], hasMore: false }, 'before 1');
});

test('paging forwards with after until hasMore is false', T, async () => {
  const { client } = await enter(srv.wsUrl, { name: 'fwd', room });
  assertPage(await history(client, room, { after: 0, limit: 25 }), { seqs: range(1, 25), hasMore: true }, 'after 0 limit 25');
  assertPage(await history(client, room, { after: 25, limit: 25 }), { seqs: range(26, 50), hasMore: true }, 'after 25 limit 25');
  assertPage(await history(client, room, { after: 50 }), { seqs: range(51, 60), hasMore: false }, 'after 50');
  assertPage(await history(client, room, { after: 60 }), { seqs: [], hasMore: false }, 'after 60');
  assertPage(await history(client, room, { after: 0 }), { seqs: range(1, 50), hasMore: true }, 'after 0 (default limit 50)');
  assertPage(await history(client, room, { after: 10, limit: 50 }), { seqs: range(11, 60), hasMore: false }, 'after 10 limit 50');
});

test('limit: 1 and 100 are the bounds; 0, 101, negative, fractional or a string are bad_request', T, async () => {
  const { client } = await enter(srv.wsUrl, { name: 'lim', room });
  assertPage(await history(client, room, { limit: 1 }), { seqs: [60], hasMore: true }, 'limit 1');
  assertPage(await history(client, room, { limit: 100 }), { seqs: range(1, 60), hasMore: false }, 'limit 100');
  assertPage(await history(client, room, { before: 31, limit: 100 }), { seqs: range(1, 30), hasMore: false }, 'before 31 limit 100');
  for (const limit of [0, 101, -1, 1.5, '10', 1e6]) {
    await sendExpectingError(client, { action: 'history', room, limit }, { code: 'bad_request', action: 'history' });
  }
  for (const extra of [{ before: -1 }, { after: -1 }, { before: 2.5 }, { after: 'x' }, { before: true }]) {
    await sendExpectingError(client, { action: 'history', room, ...extra }, { code: 'bad_request', action: 'history' });
  }
  // still answering
  assertPage(await history(client, room, { limit: 2 }), { seqs: [59, 60], hasMore: true }, 'limit 2 after the errors');
});

test('since on connect, on hello and on join brings exactly the messages after it', T, async () => {
  const viaUrl = await enter(srv.wsUrl, { name: 'since-url', room, since: 55 });
  assertPage(viaUrl.history, { seqs: range(56, 60), hasMore: false }, '?since=55');

  const viaHello = await enter(srv.wsUrl, { name: 'since-hello', room, hello: { since: { [room]: 57 } } });
  assertPage(viaHello.history, { seqs: range(58, 60), hasMore: false }, 'hello since 57');

  const viaJoin = await enter(srv.wsUrl, { name: 'since-join', room: uniq('sj') });
  const { history: hj } = await joinRoom(viaJoin.client, room, { since: 30 });
  assert.deepEqual(seqsOf(hj.messages), range(31, 60), 'join since 30: the 30 messages after it, none missing');
  assert.equal(hj.lastSeq, 60);

  const upToDate = await enter(srv.wsUrl, { name: 'since-all', room, since: 60 });
  assertPage(upToDate.history, { seqs: [], hasMore: false }, '?since=60');

  const zero = await enter(srv.wsUrl, { name: 'since-zero', room, since: 0 });
  assert.deepEqual(seqsOf(zero.history.messages), range(1, 60), '?since=0 brings all 60 (exactly the ones after 0)');
});

test('history of an empty room, of a room you are not in, and without a room', T, async () => {
  const empty = uniq('empty');
  const { client } = await enter(srv.wsUrl, { name: 'hx', room: empty });
  const h = await history(client, empty);
  assert.deepEqual({ room: h.room, messages: h.messages, hasMore: h.hasMore, lastSeq: h.lastSeq },
    { room: empty, messages: [], hasMore: false, lastSeq: 0 });
  await sendExpectingError(client, { action: 'history', room }, { code: 'not_member', action: 'history' });
  await sendExpectingError(client, { action: 'history' }, { code: 'bad_request', action: 'history' });
});

test('history entries equal the live message events (id, seq, ts, name, text, connectionId, clientMsgId)', T, async () => {
  const r = uniq('same');
  const a = await enter(srv.wsUrl, { name: 'same-a', room: r });
  const live = [];
  for (let i = 0; i < 5; i++) {
    await say(a.client, r, `live ${i}`, { clientMsgId: `cm-${i}` });
    live.push(await a.client.next((m) => m.type === 'message' && m.room === r && m.text === `live ${i}`, 5000));
  }
  const h = await history(a.client, r);
  assert.deepEqual(h.messages, live, 'history entries should be the same objects as the live events');
});
