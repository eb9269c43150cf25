// Decisions read what they depend on consistently (issue 15, item 7; docs/data-model.md,
// "Consistency"). On AWS the GSI connection-index (a connection's rooms) is eventually
// consistent: a `leave` right after its `join` used to read it and answer not_member. dynalite
// updates its index at once, so a proxy in front of it plays a lagging index: while it lags,
// every Query of connection-index is answered with what the index said before. The join and
// the leave must decide on the member row itself (GetItem, ConsistentRead), and so be right; and
// what lists a connection's rooms (hello, setname, dm by name) reads the connection row's own
// room list and the member rows, never the lagging index.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, makeDataDir, removeDataDir, runParleyOk } from './server.mjs';
import { startDynalite } from './dynalite.mjs';
import { closeAll, terminateAll } from './client.mjs';
import { enter, uniq } from './protocol.mjs';

let dynalite;
let proxy;
let dir;
let node;
const seen = [];       // {target, body} of every DynamoDB call, in order
let lagging = false;
const lastIndexAnswer = new Map();  // connectionid -> {status, headers, body} before the lag

// Forwards every call to dynalite; while `lagging`, answers connection-index Queries as the
// index stood when the lag began (as it answered that connection last, else empty).
function startProxy() {
  return new Promise((res) => {
    const server = createServer(async (req, resp) => {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '').split('.').pop();
      let body = {};
      try { body = JSON.parse(raw.toString('utf8') || '{}'); } catch { /* not ours to judge */ }
      seen.push({ target, body });
      const gsi = target === 'Query' && body.IndexName === 'connection-index';
      const conn = gsi ? body.ExpressionAttributeValues?.[':c']?.S : undefined;
      if (gsi && lagging) {
        // As the index stood before the lag (nothing, for a connection it had not answered).
        const a = lastIndexAnswer.get(conn) ?? {
          status: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Buffer.from(JSON.stringify({ Items: [], Count: 0, ScannedCount: 0 })),
        };
        resp.writeHead(a.status, a.headers);
        resp.end(a.body);
        return;
      }
      const headers = { ...req.headers };
      delete headers.host;
      delete headers['content-length'];
      const r = await fetch(dynalite.url, { method: req.method, headers, body: raw });
      const out = Buffer.from(await r.arrayBuffer());
      const outHeaders = {};
      for (const [k, v] of r.headers) if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)) outHeaders[k] = v;
      if (gsi && !lagging) lastIndexAnswer.set(conn, { status: r.status, headers: outHeaders, body: out });
      resp.writeHead(r.status, outHeaders);
      resp.end(out);
    });
    server.listen(0, '127.0.0.1', () => res({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }));
  });
}

before(async () => {
  dir = await makeDataDir('parley-consistency-');
  dynalite = await startDynalite({ path: `${dir}/dynalite` });
  proxy = await startProxy();
  await runParleyOk(['tables', 'create', '--dynamodb-endpoint', dynalite.url]);
  node = await startServer({ store: 'dynamodb', dynamodbEndpoint: proxy.url, integration: 'in-process' });
});

after(async () => {
  terminateAll();
  await node?.stop();
  await proxy?.close();
  if (dynalite) await dynalite.stop();
  if (dir) await removeDataDir(dir);
});

test('join then leave at once, with a lagging connection index: left, read consistently', { timeout: 30_000 }, async () => {
  const ann = await enter(node.wsUrl, { name: 'ann', room: uniq('home') });
  lagging = true;
  const room = uniq('quick');
  const from = seen.length;
  ann.client.send({ action: 'join', room });
  await ann.client.next((m) => m.type === 'joined' && m.room === room, 5000, 'joined');
  ann.client.send({ action: 'leave', room });
  const answer = await ann.client.next((m) => (m.type === 'left' && m.room === room) || m.type === 'error', 5000, 'the leave answer');
  assert.equal(answer.type, 'left', `the leave was refused: ${JSON.stringify(answer)}`);
  const calls = seen.slice(from);
  const memberReads = calls.filter((c) => c.target === 'GetItem' && c.body.TableName === 'parley-members');
  assert.ok(memberReads.length >= 2, `join and leave read the member row: ${JSON.stringify(calls.map((c) => c.target))}`);
  for (const c of memberReads) assert.equal(c.body.ConsistentRead, true, JSON.stringify(c.body));
  assert.ok(!calls.some((c) => c.target === 'Query' && c.body.IndexName === 'connection-index'),
    'no decision read the eventually consistent index');
  // And the rejoin after the leave is a real join again (not "already a member").
  ann.client.send({ action: 'leave', room });
  const again = await ann.client.next((m) => m.type === 'error' || m.type === 'left', 5000, 'a second leave');
  assert.equal(again.code, 'not_member', JSON.stringify(again));
  lagging = false;
  await closeAll();
});

test('right after a join, with a lagging index: setname renames there, dm finds a member there, hello lists it', { timeout: 30_000 }, async () => {
  const ann = await enter(node.wsUrl, { name: 'ann', room: uniq('home') });
  const bob = await enter(node.wsUrl, { name: 'bob', room: uniq('home') });
  lagging = true;
  try {
    const room = uniq('fresh');
    const from = seen.length;
    for (const c of [ann.client, bob.client]) {
      c.send({ action: 'join', room });
      await c.next((m) => m.type === 'joined' && m.room === room, 5000, 'joined');
    }
    // setname: the new room is among the renamed ones.
    ann.client.send({ action: 'setname', name: 'anna' });
    const named = await ann.client.next((m) => m.type === 'name' || m.type === 'error', 5000, 'the name answer');
    assert.equal(named.type, 'name', JSON.stringify(named));
    assert.ok(JSON.stringify(named).includes(room), `renamed in the room just joined: ${JSON.stringify(named)}`);
    await bob.client.next((m) => m.type === 'presence' && m.event === 'rename' && m.room === room, 5000, 'the rename in the new room');
    // dm by name: bob is found through the room both just joined (they share no other).
    ann.client.send({ action: 'dm', to: 'bob', message: 'found you' });
    const sent = await ann.client.next((m) => m.type === 'ack' || m.type === 'error', 5000, 'the dm answer');
    assert.equal(sent.type, 'ack', JSON.stringify(sent));
    await bob.client.next((m) => m.type === 'dm' && m.text === 'found you', 5000, 'the dm');
    // hello lists it.
    ann.client.send({ action: 'hello' });
    const welcome = await ann.client.next((m) => m.type === 'welcome', 5000, 'welcome');
    assert.ok(welcome.rooms.includes(room), JSON.stringify(welcome));
    const calls = seen.slice(from);
    assert.ok(!calls.some((c) => c.target === 'Query' && c.body.IndexName === 'connection-index'),
      `nothing read the eventually consistent index: ${JSON.stringify(calls.map((c) => c.target))}`);
    for (const c of calls.filter((x) => x.target === 'GetItem')) assert.equal(c.body.ConsistentRead, true, JSON.stringify(c.body));
  } finally {
    lagging = false;
  }
  await closeAll();
});
