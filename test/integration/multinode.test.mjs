// Several `parley serve` nodes on one shared DynamoDB (dynalite), as docs/scaling.md describes:
// three nodes on loopback, clients spread over them, one chat. Then a node is SIGKILLed under
// load: the others keep serving, its clients reconnect elsewhere and catch up with `since`,
// nothing acknowledged is lost, and the dead node's rows are swept within its expiry.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, makeDataDir, removeDataDir, runParley as run, sleep, poll } from './server.mjs';
import { startDynalite } from './dynalite.mjs';
import { enter, say, joinRoom, who, uniq, ask, RoomFollower } from './protocol.mjs';

const NODE_TTL_S = 2; // heartbeat every ~670 ms; a silent node is dead after 2 s
let dynalite;
let dir;
const nodes = [];


// A DynamoDB call straight to dynalite (it checks that a signature is there, not its value).
async function dynamo(target, body) {
  const r = await fetch(dynalite.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `DynamoDB_20120810.${target}`,
      'X-Amz-Date': '20250101T000000Z',
      Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
  return json;
}

// The rows of a table whose gateway is `endpoint`.
async function rowsOf(table, endpoint) {
  const out = await dynamo('Scan', {
    TableName: `parley-${table}`,
    FilterExpression: '#g = :g',
    ExpressionAttributeNames: { '#g': 'gateway' },
    ExpressionAttributeValues: { ':g': { S: endpoint } },
  });
  return out.Items;
}

const startNode = () => startServer({
  store: 'dynamodb', dynamodbEndpoint: dynalite.url, args: ['--node-ttl', String(NODE_TTL_S), '--handler-threads', '4'],
});

before(async () => {
  dir = await makeDataDir('parley-multinode-');
  dynalite = await startDynalite({ path: `${dir}/dynalite` });
  await run(['tables', 'create', '--dynamodb-endpoint', dynalite.url]);
  for (let i = 0; i < 3; i++) nodes.push(await startNode());
});

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  if (dynalite) await dynalite.stop();
  if (dir) await removeDataDir(dir);
});

// Every message event of `room` received by `client` so far, by seq.
const countsOf = (client, room) => {
  const counts = new Map();
  for (const m of client.messages) if (m.type === 'message' && m.room === room) counts.set(m.seq, (counts.get(m.seq) ?? 0) + 1);
  return counts;
};

test('each node registers itself and names its endpoint in its rows', async () => {
  const out = await dynamo('Scan', { TableName: 'parley-nodes' });
  const names = out.Items.map((i) => i.node.S).sort();
  for (const n of nodes) assert.ok(names.includes(n.mgmtUrl), `${n.mgmtUrl} in ${JSON.stringify(names)}`);
  const room = uniq('reg');
  const a = await enter(nodes[1].wsUrl, { name: 'reg', room });
  const conns = await rowsOf('connections', nodes[1].mgmtUrl);
  assert.ok(conns.some((c) => c.connectionid.S === a.id), 'the connection row carries its node');
  const members = await rowsOf('members', nodes[1].mgmtUrl);
  assert.ok(members.some((m) => m.connectionid.S === a.id && m.room.S === room), 'so does its member row');
  await a.client.close();
});

test('a room spread over three nodes: every message reaches every member exactly once', async () => {
  const room = uniq('spread');
  const people = [];
  for (let i = 0; i < 6; i++) people.push(await enter(nodes[i % 3].wsUrl, { name: `p${i}`, room }));
  const perSender = 5;
  await Promise.all(people.map((p, i) =>
    Promise.all(Array.from({ length: perSender }, (_, k) => say(p.client, room, `from p${i} #${k}`)))));
  const total = people.length * perSender;
  for (const p of people) {
    await poll(() => countsOf(p.client, room).size === total, { timeoutMs: 10_000 });
  }
  await sleep(300); // a duplicate would arrive right behind
  for (const [i, p] of people.entries()) {
    const counts = countsOf(p.client, room);
    assert.equal(counts.size, total, `p${i} (node ${i % 3}) got ${counts.size} of ${total} messages`);
    for (const [seq, n] of counts) assert.equal(n, 1, `p${i} got seq ${seq} ${n} times`);
  }
  await Promise.all(people.map((p) => p.client.close()));
});

test('presence is the same from every node: who, join, rename and leave cross nodes', async () => {
  const room = uniq('pres');
  const a = await enter(nodes[0].wsUrl, { name: 'ann', room });
  const b = await enter(nodes[1].wsUrl, { name: 'bob', room });
  await a.client.next((m) => m.type === 'presence' && m.event === 'join' && m.name === 'bob', 5000, 'bob joining, seen on node 0');
  const c = await enter(nodes[2].wsUrl, { name: 'cyd', room: uniq('home') });
  await joinRoom(c.client, room);
  for (const x of [a, b]) await x.client.next((m) => m.type === 'presence' && m.event === 'join' && m.name === 'cyd', 5000, 'cyd joining');
  const views = await Promise.all([a, b, c].map((x) => who(x.client, room)));
  const names = views.map((v) => v.members.map((m) => `${m.name}/${m.connectionId}`).sort().join(','));
  assert.equal(new Set(names).size, 1, `who differs between nodes: ${JSON.stringify(names)}`);
  assert.equal(views[0].members.length, 3);

  c.client.send({ action: 'setname', name: 'cyra' });
  for (const x of [a, b]) {
    const r = await x.client.next((m) => m.type === 'presence' && m.event === 'rename', 5000, 'the rename');
    assert.equal(r.name, 'cyra');
    assert.equal(r.oldName, 'cyd');
  }
  await ask(b.client, { action: 'leave', room }, 'left');
  for (const x of [a, c]) await x.client.next((m) => m.type === 'presence' && m.event === 'leave' && m.name === 'bob', 5000, 'bob leaving');
  await b.client.close();
  await c.client.close();
  for (const x of [a]) {
    await x.client.next((m) => m.type === 'presence' && m.event === 'leave' && m.name === 'cyra', 5000, 'cyra disconnecting from node 2');
  }
  const after = await who(a.client, room);
  assert.deepEqual(after.members.map((m) => m.name), ['ann']);
  await a.client.close();
});

test('direct messages cross nodes', async () => {
  const room = uniq('dm');
  const a = await enter(nodes[0].wsUrl, { name: uniq('dma'), room });
  const b = await enter(nodes[2].wsUrl, { name: uniq('dmb'), room });
  // By name, as shown in the shared room.
  const shownB = (await who(a.client, room)).members.find((m) => m.connectionId === b.id).name;
  const cid2 = randomUUID();
  a.client.send({ action: 'dm', to: shownB, message: 'psst by name', clientMsgId: cid2 });
  const got = await b.client.next((m) => m.type === 'dm' && m.text === 'psst by name', 5000, 'the dm on node 2');
  assert.equal(got.connectionId, a.id);
  await a.client.next((m) => m.type === 'dm' && m.text === 'psst by name', 5000, 'the sender\'s own copy');
  // By connection id, back the other way.
  b.client.send({ action: 'dm', to: a.id, message: 'hi back', clientMsgId: randomUUID() });
  const back = await a.client.next((m) => m.type === 'dm' && m.text === 'hi back', 5000, 'the reply on node 0');
  assert.equal(back.connectionId, b.id);
  await a.client.close();
  await b.client.close();
});

test('a node killed under load: the others serve on, its clients catch up elsewhere, its rows are swept', async (t) => {
  const room = uniq('kill');
  const victim = nodes[2];
  const people = [];
  for (let i = 0; i < 6; i++) people.push(await enter(nodes[i % 3].wsUrl, { name: `k${i}`, room }));
  // Each client applies the protocol's ordering rules (docs/protocol.md "Ordering and catch-up"):
  // a message its node stored but could not fan out before dying is fetched as a gap.
  for (const p of people) p.follower = new RoomFollower(p.client, room, 0);
  const acked = new Map(); // clientMsgId -> seq
  const sent = new Map(); // clientMsgId -> text, until acked
  let stop = false;
  const senders = people.map((p, i) => (async () => {
    let client = p.client;
    for (let k = 0; !stop; k++) {
      const clientMsgId = randomUUID();
      const text = `k${i}-${k}`;
      sent.set(clientMsgId, text);
      try {
        const ack = await say(client, room, text, { clientMsgId, timeoutMs: 3000 });
        acked.set(clientMsgId, ack.seq);
        sent.delete(clientMsgId);
      } catch {
        // This sender's node died: reconnect to a live one and send the unacked one again.
        if (!p.moved) return;
        client = await p.moved;
        // As a client does with an unacked message: again, same clientMsgId, until acked (the
        // store answers "try again" while the dead node's claim on it is not yet known dead).
        for (let attempt = 0; attempt < 20 && sent.has(clientMsgId); attempt++) {
          try {
            const ack = await say(client, room, text, { clientMsgId, timeoutMs: 8000 });
            acked.set(clientMsgId, ack.seq);
            sent.delete(clientMsgId);
          } catch {
            await sleep(250);
          }
        }
      }
      await sleep(15);
    }
  })());
  await sleep(700);

  const victims = people.filter((_, i) => i % 3 === 2);
  for (const p of victims) {
    // The client side of a reconnect: resume on another node from the last seq it saw.
    p.moved = (async () => {
      await p.client.closed(10_000);
      p.follower.stop();
      const last = p.follower.last;
      p.before = p.follower.shown;
      p.lastBefore = last;
      const again = await enter(nodes[0].wsUrl, { name: `k-again-${p.id.slice(0, 4)}`, room, since: last });
      p.again = again;
      p.follower = new RoomFollower(again.client, room, last);
      return again.client;
    })();
  }
  const killedAt = Date.now();
  await victim.kill();
  await sleep(1500);
  stop = true;
  await Promise.all(senders);
  await Promise.all(victims.map((p) => p.moved));
  assert.equal(sent.size, 0, `unacked messages left: ${JSON.stringify([...sent.values()])}`);

  // Nothing acknowledged is lost: history holds every acked seq exactly once.
  const reading = await enter(nodes[1].wsUrl, { name: uniq('reader'), room }); // no follower on it
  const reader = reading.client;
  const all = [];
  for (let after = 0; ;) {
    const h = await ask(reader, { action: 'history', room, after, limit: 100 }, 'history', (m) => m.room === room);
    all.push(...h.messages);
    if (!h.hasMore || !h.messages.length) break;
    after = h.messages.at(-1).seq;
  }
  const h = { messages: all };
  const seqs = h.messages.map((m) => m.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'no seq twice in history');
  for (const seq of acked.values()) assert.ok(seqs.includes(seq), `acked seq ${seq} is in history`);
  const texts = h.messages.map((m) => m.text);
  assert.equal(new Set(texts).size, texts.length, 'a resent message was stored once');

  // The survivors got every stored message live, once; the moved clients got the rest through
  // catch-up. (A seq the dead node allocated but never stored is a gap: docs/scaling.md.)
  assert.ok(seqs.length >= acked.size, 'every acked message is in history');
  const lastSeq = Math.max(...seqs);
  t.diagnostic(`${acked.size} messages acked, ${seqs.length} stored (last seq ${lastSeq}); ` +
    `moved clients resumed after seqs ${victims.map((p) => p.lastBefore).join(', ')}`);
  for (const [i, p] of people.entries()) {
    await p.follower.reach(lastSeq, 10_000);
    const shown = [...(p.before ?? []), ...p.follower.shown].map((m) => m.seq);
    assert.deepEqual(shown, seqs, `k${i}${i % 3 === 2 ? ` (moved after seq ${p.lastBefore})` : ''} shows each stored message once, in order`);
  }

  // Presence drops the dead node's connections everywhere, and its rows are swept.
  const deadline = killedAt + 2 * NODE_TTL_S * 1000 + 3000;
  const gone = await poll(async () =>
    (await rowsOf('connections', victim.mgmtUrl)).length === 0 && (await rowsOf('members', victim.mgmtUrl)).length === 0,
  { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 200 });
  t.diagnostic(`rows of the dead node swept ${Date.now() - killedAt} ms after the kill (node ttl ${NODE_TTL_S} s)`);
  assert.ok(gone, `rows of ${victim.mgmtUrl} still there ${Date.now() - killedAt} ms after the kill: ` +
    `${JSON.stringify(await rowsOf('connections', victim.mgmtUrl))}`);
  for (const p of victims) {
    await people[0].client.next((m) => m.type === 'presence' && m.event === 'leave' && m.connectionId === p.id, 5000,
      `the leave of ${p.id}, which was on the dead node`);
  }
  for (const n of nodes.slice(0, 2)) {
    const x = await enter(n.wsUrl, { name: uniq('w'), room });
    const ids = (await who(x.client, room)).members.map((m) => m.connectionId);
    for (const p of victims) assert.ok(!ids.includes(p.id), `who on ${n.port} still lists ${p.id}`);
    await x.client.close();
  }
  const nodeRows = (await dynamo('Scan', { TableName: 'parley-nodes' })).Items.map((i) => i.node.S);
  assert.ok(!nodeRows.includes(victim.mgmtUrl), 'the dead node\'s row is deleted after its sweep');
  for (const p of people) p.client.terminate();
  for (const p of victims) p.again.client.terminate();
  reader.terminate();
});

test('a node started late joins without manual steps, and a clean stop leaves nothing behind', async () => {
  const late = await startNode();
  nodes[2] = late;
  const room = uniq('late');
  const a = await enter(nodes[0].wsUrl, { name: 'old', room });
  const b = await enter(late.wsUrl, { name: 'new', room });
  await a.client.next((m) => m.type === 'presence' && m.event === 'join' && m.name === 'new', 5000, 'the late node\'s join');
  const ack = await say(b.client, room, 'hello from the late node');
  const m = await a.client.next((x) => x.type === 'message' && x.seq === ack.seq, 5000, 'its message on node 0');
  assert.equal(m.text, 'hello from the late node');

  // A clean stop (SIGTERM) leaves nothing to sweep: its clients' $disconnects announce the leaves
  // and it deletes its own node row.
  const status = await late.stop();
  assert.equal(status.killed, false, 'stopped within the grace period');
  await a.client.next((x) => x.type === 'presence' && x.event === 'leave' && x.connectionId === b.id, 5000,
    'the leave of the stopped node\'s client');
  assert.deepEqual(await rowsOf('connections', late.mgmtUrl), []);
  assert.deepEqual(await rowsOf('members', late.mgmtUrl), []);
  const nodeRows = (await dynamo('Scan', { TableName: 'parley-nodes' })).Items.map((i) => i.node.S);
  assert.ok(!nodeRows.includes(late.mgmtUrl), 'a stopped node deletes its row');
  await a.client.close();
});
