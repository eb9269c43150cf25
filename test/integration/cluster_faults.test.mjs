// Several nodes on one dynalite when something goes wrong with a node (issue 15, items 4 and 5;
// docs/scaling.md, "Fencing" and "Node endpoint"):
//  * a node stalled past its ttl (SIGSTOP) is swept by the others; when it wakes it must not go
//    on serving sockets whose rows are gone: it closes them with 1012 and its clients reconnect
//    and catch up;
//  * a --node-endpoint that does not reach the node itself (no stage path, another node's
//    address) is refused at start with a sentence saying why;
//  * a node-to-node post that fails for another reason than 410 is logged and counted;
//  * nodes that advertise their public port (the recipe for nodes on other machines, issue 16)
//    reach each other signed with shared keys (one post per recipient: the public port serves no
//    batch post), and without keys such an endpoint is refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { startServer, makeDataDir, removeDataDir, poll, fetchT, runParley } from './server.mjs';
import { startDynalite, dynamoCall } from './dynalite.mjs';
import { enter, say, uniq } from './protocol.mjs';
import { closeAll, terminateAll } from './client.mjs';
import { freePort } from './cli.mjs';

const NODE_TTL_S = 2;
let dynalite;
let dir;
const started = [];

const run = (args) => runParley(args);
const dynamo = (target, body) => dynamoCall(dynalite.url, target, body);

const nodeRows = async () => (await dynamo('Scan', { TableName: 'parley-nodes' })).Items;
const connectionIds = async (endpoint) => (await dynamo('Scan', {
  TableName: 'parley-connections',
  FilterExpression: '#g = :g',
  ExpressionAttributeNames: { '#g': 'gateway' },
  ExpressionAttributeValues: { ':g': { S: endpoint } },
})).Items.map((i) => i.connectionid.S);

async function startNode(args = []) {
  const n = await startServer({
    store: 'dynamodb', dynamodbEndpoint: dynalite.url,
    args: ['--node-ttl', String(NODE_TTL_S), '--handler-threads', '4', ...args],
  });
  started.push(n);
  return n;
}

before(async () => {
  dir = await makeDataDir('parley-cluster-faults-');
  dynalite = await startDynalite({ path: `${dir}/dynalite` });
  const made = await run(['tables', 'create', '--dynamodb-endpoint', dynalite.url]);
  assert.equal(made.code, 0, made.out + made.err);
});

after(async () => {
  terminateAll();
  for (const n of started) { try { process.kill(n.pid, 'SIGCONT'); } catch { /* gone */ } }
  await Promise.all(started.map((n) => n.stop()));
  if (dynalite) await dynalite.stop();
  if (dir) await removeDataDir(dir);
});

test('a node stalled past its ttl is swept; on waking it closes its clients with 1012 and they catch up', { timeout: 60_000 }, async () => {
  const [a, b] = [await startNode(), await startNode()];
  const room = uniq('stall');
  const ann = await enter(a.wsUrl, { name: 'ann', room });
  const bob = await enter(b.wsUrl, { name: 'bob', room });
  const first = await say(ann.client, room, 'before the stall');
  await bob.client.next((m) => m.type === 'message' && m.seq === first.seq, 5000, 'the first message on node b');

  process.kill(b.pid, 'SIGSTOP');
  let during;
  try {
    // Node a finds b's row expired and sweeps it: bob's rows go, ann sees him leave.
    await ann.client.next((m) => m.type === 'presence' && m.event === 'leave' && m.connectionId === bob.id,
      15_000, 'bob swept while his node is stopped');
    // The leave is announced before the connection row goes: wait for that too.
    assert.ok(await poll(async () => (await connectionIds(b.mgmtUrl)).length === 0, { timeoutMs: 5000 }),
      'node b\'s connection rows are swept');
    during = await say(ann.client, room, 'while node b was stopped');
  } finally {
    process.kill(b.pid, 'SIGCONT');
  }

  // Node b wakes with a socket whose rows are gone: it must not keep it open and silent.
  const { code, reason } = await bob.client.closed(8000);
  assert.equal(code, 1012, `closed ${code} "${reason}"`);
  b.assertAlive();
  // bob reconnects (to the same node, as a client retrying its URL does) and catches up.
  const again = await enter(b.wsUrl, { name: 'bob', room, since: first.seq });
  const caughtUp = again.history.messages ?? [];
  assert.ok(caughtUp.some((m) => m.seq === during.seq), `catch-up holds the message sent meanwhile: ${JSON.stringify(again.history)}`);
  const later = await say(ann.client, room, 'after node b rejoined');
  await again.client.next((m) => m.type === 'message' && m.seq === later.seq, 5000, 'a live message after rejoining');
  // And node b is in the cluster again: its new run's row, beating.
  const row = (await nodeRows()).find((r) => r.node.S === b.mgmtUrl);
  assert.ok(row && !row.sweeper, `node b registered again: ${JSON.stringify(row)}`);
  assert.match(b.stderr(), /presumed dead/);
  await closeAll();
});

test('a --node-endpoint without the stage path is refused at start, saying why', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const data = await makeDataDir('parley-endpoint-');
  try {
    const r = await run(['serve', '--store', 'dynamodb', '--dynamodb-endpoint', dynalite.url, '--bind', '127.0.0.1',
      '--port', String(port), '--management-port', '0', '--data', data, '--node-endpoint', `http://127.0.0.1:${port}`]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /--node-endpoint http:\/\/127\.0\.0\.1:\d+ does not reach this node's management API/);
    assert.match(r.err, /stage/);
    assert.doesNotMatch(r.out, /Press Ctrl\+C/, 'no banner: it never served');
    assert.ok(!(await nodeRows()).some((n) => n.node.S === `http://127.0.0.1:${port}`), 'and it left no node row');
  } finally {
    await removeDataDir(data);
  }
});

test('a --node-endpoint naming another node is refused at start', { timeout: 30_000 }, async () => {
  const other = started[0] ?? await startNode();
  const data = await makeDataDir('parley-endpoint-');
  try {
    const r = await run(['serve', '--store', 'dynamodb', '--dynamodb-endpoint', dynalite.url, '--bind', '127.0.0.1',
      '--port', '0', '--data', data, '--node-endpoint', other.mgmtUrl]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /answered by another process/);
    other.assertAlive();
  } finally {
    await removeDataDir(data);
  }
});

test('a node-to-node post refused with 403 is logged and counted in /metrics', { timeout: 30_000 }, async () => {
  // Two nodes that do not accept each other's keys: each one's posts to the other are 403.
  const k1 = `${dir}/keys1`;
  const k2 = `${dir}/keys2`;
  await writeFile(k1, 'AKIDNODEONE000000001:node-one-secret-node-one-secret-0001\n');
  await writeFile(k2, 'AKIDNODETWO000000002:node-two-secret-node-two-secret-0002\n');
  const c = await startNode(['--management-keys', k1]);
  const d = await startNode(['--management-keys', k2]);
  const room = uniq('keys');
  const cy = await enter(c.wsUrl, { name: 'cy', room });
  const di = await enter(d.wsUrl, { name: 'di', room });
  await say(cy.client, room, 'to a node that refuses my key');
  const failures = async () => {
    const text = await (await fetchT(c.metricsUrl)).text();
    const m = text.match(/^parley_node_post_failures_total\{reason="forbidden"\} (\d+)/m);
    return m ? Number(m[1]) : 0;
  };
  await poll(async () => (await failures()) >= 1, { timeoutMs: 5000 });
  assert.ok((await failures()) >= 1);
  assert.match(c.stderr(), /posts to another node failed/);
  assert.match(c.stderr(), new RegExp(d.mgmtUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  await Promise.all([cy.client.close(), di.client.close()]);
});

test('nodes advertising their public port post to each other signed with shared keys; without keys that endpoint is refused at start', { timeout: 30_000 }, async () => {
  // What nodes on other machines do (docs/scaling.md, "Node-to-node auth"): the public port
  // takes signed calls from anywhere, the management listener stays on loopback.
  const keys = `${dir}/shared-keys`;
  await writeFile(keys, 'AKIDSHAREDNODES00001:shared-node-secret-shared-node-secret\n');
  const node = async () => {
    const port = await freePort();
    return startNode(['--port', String(port), '--management-port', '0', '--management-keys', keys,
      '--node-endpoint', `http://127.0.0.1:${port}/dev`]);
  };
  const [e, f] = [await node(), await node()];
  assert.match(e.stdout(), new RegExp(`Node endpoint:\\s+${e.publicMgmtUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  const room = uniq('public');
  const ed = await enter(e.wsUrl, { name: 'ed', room });
  const flo = await enter(f.wsUrl, { name: 'flo', room });
  // Two members there: the batch post (management listener only) answers 404 on a public port,
  // and the sender posts to each of them one by one instead (docs/scaling.md).
  const fay = await enter(f.wsUrl, { name: 'fay', room });
  const ack = await say(ed.client, room, 'across nodes, signed, on the public port');
  for (const x of [flo, fay]) await x.client.next((m) => m.type === 'message' && m.seq === ack.seq, 5000, 'the message on the other node');
  const single = (await (await fetchT(e.metricsUrl)).text()).match(/^parley_node_requests_total\{kind="post"\} (\d+)/m);
  assert.ok(single && Number(single[1]) >= 2, 'posted one by one to the node advertising its public port');
  await Promise.all([ed.client.close(), flo.client.close(), fay.client.close()]);

  const port = await freePort();
  const data = await makeDataDir('parley-endpoint-');
  try {
    const r = await run(['serve', '--store', 'dynamodb', '--dynamodb-endpoint', dynalite.url, '--bind', '127.0.0.1',
      '--port', String(port), '--management-port', '0', '--data', data, '--node-endpoint', `http://127.0.0.1:${port}/dev`]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /refused this node \(403\).*the public port accepts only signed calls/);
  } finally {
    await removeDataDir(data);
  }
});
