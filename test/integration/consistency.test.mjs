// Decisions read what they depend on consistently (issue 15, item 7; docs/data-model.md,
// "Consistency"). On AWS the GSI connection-index (a connection's rooms) is eventually
// consistent: a `leave` right after its `join` used to read it and answer not_member. dynalite
// updates its index at once, so a proxy in front of it plays a lagging index: while it lags,
// every Query of connection-index is answered with what the index said before. The join and
// the leave must decide on the member row itself (GetItem, ConsistentRead), and so be right.

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
// index stood when the lag began.
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
      if (gsi && lagging && lastIndexAnswer.has(conn)) {
        const a = lastIndexAnswer.get(conn);
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
  // The index as her hello read it (her home room only) is what it answers from here on.
  assert.ok(lastIndexAnswer.size > 0, 'hello read the connection index');
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
