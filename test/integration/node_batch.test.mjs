// Cross-node fan-out in one request per destination node (issue 18; docs/scaling.md, "One
// request per node"): three `parley serve` nodes on one dynalite, a room spread over them, node 2
// reached by the others through a link that delays each request by 0-50 ms.
//  * every message reaches every member once, each sender's in seq order, and each other node gets ONE
//    request per message (its /metrics: batch posts, no @connections post), the sender's
//    /metrics says the same;
//  * a recipient gone on the remote node is answered gone in the batch, and the sender deletes
//    its rows as for a single post's 410;
//  * the batch path is refused on the public port (signed or not: 404, the AWS contract has no
//    such call) and unsigned on a management listener that demands keys or a direct peer (403).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFile } from 'node:fs/promises';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { startServer, makeDataDir, removeDataDir, sleep, poll, fetchT, runParleyOk, rawRequest } from './server.mjs';
import { startDynalite, dynamoCall } from './dynalite.mjs';
import { enter, sendMany, say, uniq } from './protocol.mjs';
import { closeAll, terminateAll } from './client.mjs';
import { freePort } from './cli.mjs';

const NODE_TTL_S = 2;
const GRACE_MS = 30_000; // a gone member is forgotten only when it joined longer ago (handlers/fanout.cpp)
const KEY_ID = 'AKIDNODEBATCHTEST001';
const SECRET = 'node-batch/test/secret+0123456789abcdef';
let dynalite;
let dir;
const nodes = [];
const others = [];

const dynamo = (target, body) => dynamoCall(dynalite.url, target, body);

// A slow, jittery link in front of a node's management listener: every request waits 0-50 ms
// before it is forwarded (keep-alive both sides). Requests sent one after another still arrive
// in order; requests in flight together arrive in any order.
async function startJitterProxy(port) {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => setTimeout(() => {
      const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent },
        (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
      up.on('error', () => { res.writeHead(502); res.end(); });
      up.end(Buffer.concat(chunks));
    }, Math.random() * 50));
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((res) => { server.closeAllConnections(); server.close(res); agent.destroy(); }),
  };
}
let jitter;

before(async () => {
  dir = await makeDataDir('parley-node-batch-');
  dynalite = await startDynalite({ path: `${dir}/dynalite` });
  await runParleyOk(['tables', 'create', '--dynamodb-endpoint', dynalite.url]);
  // Node 2 is reached by the others through the jittery link: its --node-endpoint is the proxy.
  const mport = await freePort();
  jitter = await startJitterProxy(mport);
  for (let i = 0; i < 3; i++) {
    const link = i === 2 ? ['--management-port', String(mport), '--node-endpoint', `${jitter.url}/dev`] : [];
    nodes.push(await startServer({
      store: 'dynamodb', dynamodbEndpoint: dynalite.url,
      args: ['--node-ttl', String(NODE_TTL_S), '--handler-threads', '2', ...link],
    }));
  }
});

after(async () => {
  terminateAll();
  await Promise.all([...nodes, ...others].map((n) => n.stop()));
  if (jitter) await jitter.close();
  if (dynalite) await dynalite.stop();
  if (dir) await removeDataDir(dir);
});

// A counter of a node's /metrics (0 when absent).
async function metric(node, name, labels = '') {
  const text = await (await fetchT(node.metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const counters = async (node) => ({
  batches: await metric(node, 'parley_management_requests_total', '{api="batch"}'),
  single: await metric(node, 'parley_management_requests_total', '{api="connections"}'),
  carried: await metric(node, 'parley_management_batch_recipients_total'),
  sentBatches: await metric(node, 'parley_node_requests_total', '{kind="batch"}'),
  sentSingle: await metric(node, 'parley_node_requests_total', '{kind="post"}'),
});


const request = (url, opts) => rawRequest(url, { method: 'POST', ...opts });

async function signedRequest(url, body) {
  const u = new URL(url);
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    region: 'us-east-1', service: 'execute-api', sha256: Hash.bind(null, 'sha256'),
  });
  const headers = { host: u.host, 'content-length': String(Buffer.byteLength(body)) };
  const signed = await signer.sign({
    method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: u.pathname, headers, body,
  });
  return request(url, { headers: signed.headers, body });
}

const batchBody = (ids, frame) => `${ids.length}\n${ids.map((id) => `${id}\n`).join('')}${frame}`;

test('a room over three nodes: every member gets every message once and each sender\'s in order, one request per node and message', { timeout: 60_000 }, async () => {
  const room = uniq('batch');
  const people = [];
  for (let i = 0; i < 9; i++) people.push(await enter(nodes[i % 3].wsUrl, { name: `p${i}`, room }));
  await sleep(500); // the joins' presence events have crossed the nodes
  const before = await Promise.all(nodes.map(counters));

  // One sender on each node, each with M messages pipelined (its lane handles them one after
  // another: its seqs increase in sending order), all three at once.
  const M = 30;
  const senders = people.slice(0, 3);
  const acks = await Promise.all(senders.map((p, s) => sendMany(p.client, room, M, (i) => `from ${s} #${i}`)));
  const seqsOf = acks.map((a) => a.map((x) => x.seq));
  for (const seqs of seqsOf) for (let i = 1; i < M; i++) assert.ok(seqs[i] > seqs[i - 1], `acks in order: ${seqs}`);
  const all = seqsOf.flat().sort((a, b) => a - b);
  const live = (p) => p.client.messages.filter((m) => m.type === 'message' && m.room === room);
  for (const p of people) await poll(() => live(p).length >= 3 * M, { timeoutMs: 15_000 });
  await sleep(300); // a duplicate would arrive right behind
  for (const [i, p] of people.entries()) {
    const got = live(p);
    assert.deepEqual(got.map((m) => m.seq).sort((a, b) => a - b), all, `p${i} (node ${i % 3}) got every message once`);
    for (const [s, sender] of senders.entries()) {
      const fromS = got.filter((m) => m.connectionId === sender.id).map((m) => m.seq);
      assert.deepEqual(fromS, seqsOf[s], `p${i} (node ${i % 3}) got sender ${s}'s messages in seq order`);
    }
  }

  const after = await Promise.all(nodes.map(counters));
  for (const n of [0, 1, 2]) {
    const delta = (k) => after[n][k] - before[n][k];
    assert.equal(delta('batches'), 2 * M, `node ${n}: one batch per message of the other two nodes' senders`);
    assert.equal(delta('single'), 0, `node ${n}: no @connections post`);
    assert.equal(delta('carried'), 3 * 2 * M, `node ${n}: its three members in each batch`);
    assert.equal(delta('sentBatches'), 2 * M, `node ${n} sent one batch per other node and message`);
    assert.equal(delta('sentSingle'), 0, `node ${n} sent no single post`);
  }
  await closeAll();
});

test('a recipient gone on the remote node is answered gone in the batch, and the sender deletes its rows', { timeout: 60_000 }, async () => {
  const room = uniq('ghost');
  const ann = await enter(nodes[0].wsUrl, { name: 'ann', room });
  const bob = await enter(nodes[1].wsUrl, { name: 'bob', room });
  // A ghost on node 1: rows like bob's, but no socket there (a node that lost it without its
  // $disconnect). It joined after node 1 started (else the view hides it) and long enough
  // ago for a fan-out to forget it.
  const nodeRow = (await dynamo('GetItem', { TableName: 'parley-nodes', Key: { node: { S: nodes[1].mgmtUrl } } })).Item;
  const joinedAt = Number(nodeRow.startedAt.N) + 1;
  const ghost = 'GhostGhostGhos0=';
  const member = (await dynamo('GetItem', { TableName: 'parley-members', Key: { room: { S: room }, connectionid: { S: bob.id } } })).Item;
  const conn = (await dynamo('GetItem', { TableName: 'parley-connections', Key: { connectionid: { S: bob.id } } })).Item;
  await dynamo('PutItem', { TableName: 'parley-members', Item: { ...member, connectionid: { S: ghost }, name: { S: 'ghost' }, joinedAt: { N: String(joinedAt) } } });
  await dynamo('PutItem', { TableName: 'parley-connections', Item: { ...conn, connectionid: { S: ghost }, name: { S: 'ghost' }, connectedAt: { N: String(joinedAt) } } });
  const wait = joinedAt + GRACE_MS + 500 - Date.now();
  if (wait > 0) await sleep(wait);

  const before = await counters(nodes[1]);
  const sent = await say(ann.client, room, 'to bob and a ghost');
  await bob.client.next((m) => m.type === 'message' && m.seq === sent.seq, 5000, 'the message on node 1');
  const gone = async () => !(await dynamo('GetItem', { TableName: 'parley-members', Key: { room: { S: room }, connectionid: { S: ghost } } })).Item &&
    !(await dynamo('GetItem', { TableName: 'parley-connections', Key: { connectionid: { S: ghost } } })).Item;
  assert.ok(await poll(gone, { timeoutMs: 5000 }), 'the ghost\'s member and connection rows are deleted');
  const after = await counters(nodes[1]);
  assert.equal(after.batches - before.batches, 1, 'bob and the ghost in one batch');
  assert.equal(after.carried - before.carried, 2);
  assert.equal(after.single - before.single, 0);
  await closeAll();
});

test('the batch post is refused on the public port and unsigned off a direct loopback peer', { timeout: 30_000 }, async () => {
  const [a] = nodes;
  const body = batchBody(['AAAAAAAAAAAAAAA='], '{"type":"x"}');
  // The public port: not part of AWS's contract, so not served there, signed or not.
  for (const r of [await request(`${a.publicMgmtUrl}/@parley/post`, { body }),
    await request(`${a.publicMgmtUrl}/@parley/post`, { body, headers: { Authorization: 'AWS4-HMAC-SHA256 x' } })]) {
    assert.equal(r.status, 404, r.body);
    assert.equal(r.headers['x-amzn-errortype'], 'NotFoundException');
    assert.match(JSON.parse(r.body).message, /management listener only/);
  }
  // The management listener without keys: a direct loopback peer gets in, a proxied one not.
  const ok = await request(`${a.mgmtUrl}/@parley/post`, { body });
  assert.equal(ok.status, 200, ok.body);
  assert.deepEqual(JSON.parse(ok.body), { gone: [0], throttled: [] });
  const proxied = await request(`${a.mgmtUrl}/@parley/post`, { body, headers: { 'X-Forwarded-For': '203.0.113.9' } });
  assert.equal(proxied.status, 403, proxied.body);
  assert.equal(proxied.headers['x-amzn-errortype'], 'ForbiddenException');
  // A malformed batch: 400 saying why.
  const bad = await request(`${a.mgmtUrl}/@parley/post`, { body: '2\nonly-one\n' });
  assert.equal(bad.status, 400, bad.body);
  assert.match(JSON.parse(bad.body).message, /ends before its 2 ids/);

  // A management listener on the network (0.0.0.0, which needs keys): unsigned is refused,
  // signed with the node keys it is served.
  const keys = `${dir}/keys`;
  await writeFile(keys, `${KEY_ID}:${SECRET}\n`);
  const open = await startServer({ store: 'sqlite', args: ['--management-bind', '0.0.0.0', '--management-keys', keys] });
  others.push(open);
  const url = `${open.mgmtUrl}/@parley/post`;
  const unsigned = await request(url, { body });
  assert.equal(unsigned.status, 403, unsigned.body);
  assert.equal(unsigned.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
  const signed = await signedRequest(url, body);
  assert.equal(signed.status, 200, signed.body);
  assert.deepEqual(JSON.parse(signed.body), { gone: [0], throttled: [] });
});
