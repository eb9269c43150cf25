// Store writes refused midway (issue 15, items 1 and 9), on DynamoDB: a small proxy in front of
// dynalite (fault_proxy.mjs) refuses the puts it is told to (HTTP 500 InternalServerError,
// which the store's client retries as it would AWS's).
// Seq gaps: a send whose seq was allocated by the room counter and whose message put then
// failed.
//   - a failure shorter than the store's put patience leaves no gap: the put is tried again;
//   - a longer one leaves the seq empty for good (the sender got `error` `internal`); the
//     history read that passes it seals it, and clients applying protocol.md's rules (the test
//     helpers' RoomFollower, and web/sequencer.js's Sequencer (the page's) fed the real frames) move past
//     it, show what follows, and do not ask for history in a loop.
// setname: a member row refused after another was renamed leaves the name unchanged in every
// room (the renamed row is written back) and announces nothing.
// Always runs on DynamoDB, whatever PARLEY_STORE says.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeDataDir, removeDataDir, sleep } from './server.mjs';
import { startDynalite } from './dynalite.mjs';
import { startFaultProxy } from './fault_proxy.mjs';
import { closeAll, terminateAll } from './client.mjs';
import { uniq, enter, say, history, joinRoom, who, RoomFollower } from './protocol.mjs';
import { Sequencer } from '../../web/sequencer.js';

let dir;
let dynalite;
let proxy;
let srv;

before(async () => {
  dir = await makeDataDir('parley-gaps-');
  dynalite = await startDynalite({ path: `${dir}/dynalite` });
  proxy = await startFaultProxy({ target: dynalite.url });
  srv = await startServer({ store: 'dynamodb', dynamodbEndpoint: proxy.url, args: ['--create-tables'] });
}, { timeout: 60_000 });

afterEach(async () => { Object.assign(proxy, { refuse: 0, pass: 0, table: 'parley-messages', lose: 0 }); await closeAll(); });
after(async () => {
  terminateAll();
  if (srv) await srv.stop();
  if (proxy) await proxy.close();
  if (dynalite) await dynalite.kill();
  if (dir) await removeDataDir(dir);
});

const answer = (client, clientMsgId, timeoutMs = 20_000) =>
  client.next((m) => (m.type === 'ack' || m.type === 'error') && m.clientMsgId === clientMsgId, timeoutMs,
    `the ack or error of ${clientMsgId}`);

test('a message put that fails for a moment is tried again: stored, acked, no gap', { timeout: 30_000 }, async () => {
  const room = uniq('gap');
  const a = await enter(srv.wsUrl, { name: 'ann', room });
  const first = await say(a.client, room, 'one');
  // More refusals than the store client's own 3 attempts: only the append's patience stores it.
  proxy.refuse = 4;
  const refusedBefore = proxy.refused;
  a.client.send({ action: 'sendmessage', room, message: 'two', clientMsgId: 'k-two' });
  const ack = await answer(a.client, 'k-two');
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  assert.equal(ack.seq, first.seq + 1);
  assert.equal(proxy.refused - refusedBefore, 4, 'the proxy refused the puts it was told to');
  const h = await history(a.client, room, { after: 0 });
  assert.deepEqual(h.messages.map((m) => [m.seq, m.text]), [[1, 'one'], [2, 'two']]);
});

// One send with a clientMsgId while the proxy applies the next `loseOp` on the clientmsgs table
// and loses its answer, then the same send again: both must be acked, the second as a duplicate
// of the first's seq.
async function sendLosingOne(loseOp, text, clientMsgId) {
  const room = uniq('own');
  const a = await enter(srv.wsUrl, { name: 'ann', room });
  Object.assign(proxy, { lose: 1, loseOp, loseTable: 'parley-clientmsgs' });
  const lostBefore = proxy.lost;
  a.client.send({ action: 'sendmessage', room, message: text, clientMsgId });
  const ack = await answer(a.client, clientMsgId);
  assert.equal(proxy.lost - lostBefore, 1, `the proxy lost the ${loseOp}'s answer`);
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  a.client.send({ action: 'sendmessage', room, message: text, clientMsgId });
  const again = await answer(a.client, clientMsgId);
  assert.deepEqual([again.type, again.seq, again.duplicate], ['ack', ack.seq, true], JSON.stringify(again));
  return { a, room };
}

// The clientMsgId claim's put applied but its answer lost: the client's retry fails the condition
// on the claim this very attempt wrote. Before, the append waited claim_wait (5 s) for "an
// earlier attempt" (itself) and answered error; the retry failed the same way until the 30 s lease.
test('a clientMsgId claim whose answer was lost is recognised as our own: acked once, no wait for ourselves', { timeout: 30_000 }, async () => {
  const { a, room } = await sendLosingOne('PutItem', 'mine', 'k-own');
  const h = await history(a.client, room, { after: 0 });
  assert.deepEqual(h.messages.map((m) => m.text), ['mine']);
});

// The update that records the key's seq applied but its answer lost: not a takeover (the log
// said "clientMsgId claim was taken over while storing" for every such loss).
test('a clientMsgId record whose answer was lost is not reported as a takeover', { timeout: 30_000 }, async () => {
  await sendLosingOne('UpdateItem', 'kept', 'k-rec');
  await sleep(100);
  assert.doesNotMatch(srv.stderr(), /claim was taken over while storing/);
});

// A node that starts while DynamoDB refuses for a moment (here its node row's put, past the
// store client's own 3 attempts) registers once the store answers, instead of exiting with
// "cannot register this node" (seen in the fault suite when a replacement node started).
test('a node starting while the store refuses its registration for a moment starts all the same', { timeout: 40_000 }, async () => {
  const refusedBefore = proxy.refused;
  Object.assign(proxy, { table: 'parley-nodes', refuse: 5 });
  const second = await startServer({ store: 'dynamodb', dynamodbEndpoint: proxy.url });
  try {
    assert.equal(proxy.refused - refusedBefore, 5, 'the proxy refused the node row five times');
    assert.match(second.stderr(), /cannot register this node yet: trying again/);
    const a = await enter(second.wsUrl, { name: 'ann', room: uniq('late') });
    assert.ok(a.welcome, 'the node serves');
  } finally {
    await second.stop();
  }
});

test('a seq left empty by a failed send: clients move past it, show what follows, and stop asking', { timeout: 40_000 }, async () => {
  const room = uniq('gap');
  const a = await enter(srv.wsUrl, { name: 'ann', room });
  const b = await enter(srv.wsUrl, { name: 'bob', room });
  const followA = new RoomFollower(a.client, room, 0, { gapWaitMs: 300 });
  const followB = new RoomFollower(b.client, room, 0, { gapWaitMs: 300 });
  // The page's Sequencer, fed bob's frames as the page feeds it (gap: ask history after last).
  const seq = new Sequencer();
  const shownByPage = [];
  let pageAsked = 0;
  let gapAtThree = null;
  let index = 0;
  const feed = () => {
    while (index < b.client.frames.length) {
      const m = b.client.frames[index++].json;
      if (!m || m.room !== room) continue;
      if (m.type === 'history') shownByPage.push(...seq.history(m.messages, m.lastSeq, m.hasMore));
      else if (m.type === 'message') {
        shownByPage.push(...seq.live(m));
        if (m.text === 'three') gapAtThree = seq.gap;
      }
    }
  };
  feed();

  const one = await say(a.client, room, 'one');
  proxy.refuse = Infinity;
  a.client.send({ action: 'sendmessage', room, message: 'lost', clientMsgId: 'k-lost' });
  const err = await answer(a.client, 'k-lost');
  assert.equal(err.type, 'error', `the send should fail while every put is refused: ${JSON.stringify(err)}`);
  assert.equal(err.code, 'internal');
  proxy.refuse = 0;
  const three = await say(a.client, room, 'three');
  assert.equal(three.seq, one.seq + 2, 'the failed send took a seq (the gap this test is about)');

  await followA.reach(three.seq);
  await followB.reach(three.seq);
  for (const f of [followA, followB]) {
    assert.deepEqual(f.shown.map((m) => m.text), ['one', 'three']);
    assert.deepEqual(f.skipped, [one.seq + 1]);
    assert.deepEqual(f.problems, []);
  }

  // The page: the live 'three' waits at the gap; a history request after `last` passes it
  // (bob's frames hold the answer to his follower's request already; if not, ask).
  feed();
  assert.equal(gapAtThree, true, 'three arrived past an empty seq');
  for (let i = 0; i < 5 && seq.gap; i++) {
    pageAsked += 1;
    b.client.send({ action: 'history', room, after: seq.last, limit: 100 });
    await b.client.next((m) => m.type === 'history' && m.room === room && m.messages.some((x) => x.seq === three.seq), 5000, 'the page');
    feed();
  }
  assert.equal(seq.gap, false, 'the page is not frozen at the empty seq');
  assert.ok(pageAsked <= 1, `${pageAsked} history requests to pass one gap`);
  assert.deepEqual(shownByPage.map((m) => m.text), ['one', 'three']);
  assert.equal(seq.last, three.seq);

  // No request loop: in a quiet second nobody asks for history again.
  const asked = followA.historyRequests + followB.historyRequests;
  await sleep(1000);
  assert.equal(followA.historyRequests + followB.historyRequests, asked, 'history requests went on after the gap was passed');
  assert.ok(asked <= 4, `${asked} history requests to pass one gap`);
  // And the next message flows at once by rule 2.
  const four = await say(b.client, room, 'four');
  await followA.reach(four.seq, 3000);
  followA.stop();
  followB.stop();
});

test('setname on a store that refuses a member row midway: the name is unchanged everywhere, nothing announced', { timeout: 30_000 }, async () => {
  const rooms = [uniq('ren'), uniq('ren'), uniq('ren')];
  const a = await enter(srv.wsUrl, { name: 'ann', room: rooms[0] });
  for (const r of rooms.slice(1)) await joinRoom(a.client, r);
  const b = await enter(srv.wsUrl, { name: 'bob', room: rooms[0] });
  for (const r of rooms.slice(1)) await joinRoom(b.client, r);
  // The first member row goes through; every attempt at the second is refused.
  Object.assign(proxy, { table: 'parley-members', pass: 1, refuse: 3 });
  a.client.send({ action: 'setname', name: 'anna' });
  const err = await a.client.next((m) => m.type === 'error' || m.type === 'name', 20_000, 'the answer to setname');
  assert.equal(err.type, 'error', JSON.stringify(err));
  assert.equal(err.code, 'internal');
  assert.equal(proxy.refused >= 3, true, 'the proxy refused the second member row');
  Object.assign(proxy, { refuse: 0, pass: 0 });
  for (const r of rooms) {
    const m = await who(b.client, r);
    assert.deepEqual(m.members.map((x) => x.name).sort(), ['ann', 'bob'], `room ${r}: ${JSON.stringify(m)}`);
  }
  await b.client.none((m) => m.type === 'presence' && m.event === 'rename', 300, 'a rename announced');
  // And it works once the store does.
  a.client.send({ action: 'setname', name: 'anna' });
  const ok = await a.client.next((m) => m.type === 'name' || m.type === 'error', 5000, 'the name event');
  assert.deepEqual(ok.rooms, Object.fromEntries(rooms.map((r) => [r, 'anna'])), JSON.stringify(ok));
});
