// connections::Http against the real gateway: `parley serve` on a free port, WebSocket clients
// connected, and every call made through the C++ adapter (connections_tool, one JSON command a
// line). Run by ctest (lambda.connections_http) with PARLEY_BIN and CONNECTIONS_TOOL set.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startServer } from '../integration/server.mjs';
import { join, closeAll, terminateAll } from '../integration/client.mjs';

const T = { timeout: 20_000 };
let srv;
let tool;

// One tool process for the file; send() writes a command and resolves with its answer line.
function startTool(endpoint) {
  const child = spawn(process.env.CONNECTIONS_TOOL, [endpoint], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_REGION: 'us-east-1' },
  });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.(JSON.parse(l)));
  return {
    send(cmd) {
      return new Promise((res) => { waiting.push(res); child.stdin.write(`${JSON.stringify(cmd)}\n`); });
    },
    stop() { child.stdin.end(); },
  };
}

before(async () => {
  assert.ok(process.env.CONNECTIONS_TOOL, 'CONNECTIONS_TOOL names the test tool');
  srv = await startServer();
  tool = startTool(srv.mgmtUrl);
});
afterEach(async () => { await closeAll(); });
after(async () => {
  tool?.stop();
  await closeAll();
  terminateAll();
  if (srv) await srv.stop();
});

test('post delivers the bytes as one text frame, to an id that needs percent-encoding', T, async () => {
  const { client, id } = await join(srv.wsUrl, { name: 'http-post' });
  assert.match(id, /=$/, 'ids end with = (sent as %3D)');
  const data = '{"type":"note","text":"from connections::Http \u2713"}';
  assert.deepEqual(await tool.send({ op: 'post', id, data }), { ok: true });
  const frame = await client.nextFrame((f) => f.data === data, 5000, 'the posted frame');
  assert.equal(frame.isBinary, false);
});

test('get answers the connection info', T, async () => {
  const { id } = await join(srv.wsUrl, { name: 'http-get' });
  const before = Date.now();
  const info = await tool.send({ op: 'get', id });
  assert.equal(info.error, undefined, JSON.stringify(info));
  assert.ok(info.connectedAt > before - 60_000 && info.connectedAt <= Date.now(), `connectedAt ${info.connectedAt}`);
  assert.ok(info.lastActiveAt >= info.connectedAt);
  assert.equal(info.sourceIp, '127.0.0.1');
});

test('delete closes the socket; afterwards every call answers gone (410)', T, async () => {
  const { client, id } = await join(srv.wsUrl, { name: 'http-delete' });
  const closed = new Promise((res) => client.ws.once('close', res));
  assert.deepEqual(await tool.send({ op: 'delete', id }), { ok: true });
  await closed;
  assert.deepEqual(await tool.send({ op: 'post', id, data: 'x' }), { error: 'gone' });
  assert.deepEqual(await tool.send({ op: 'get', id }), { error: 'gone' });
  assert.deepEqual(await tool.send({ op: 'delete', id }), { error: 'gone' });
});

test('a never-issued id is gone; an oversized post is payload_too_large', T, async () => {
  const { id } = await join(srv.wsUrl, { name: 'http-big' });
  assert.deepEqual(await tool.send({ op: 'post', id: 'AAAAAAAAAAAAAAA=', data: 'x' }), { error: 'gone' });
  assert.deepEqual(await tool.send({ op: 'post', id, data: 'x'.repeat(131073) }), { error: 'payload_too_large' });
});

test('post_many answers each id in order and reaches every live connection', T, async () => {
  const joined = [];
  for (let i = 0; i < 40; ++i) joined.push(await join(srv.wsUrl, { name: `many${i}` }));
  const ids = joined.map((j) => j.id);
  ids.splice(7, 0, 'BBBBBBBBBBBBBBB=');  // one gone id in the middle
  const data = '{"type":"note","text":"fan-out"}';
  const res = await tool.send({ op: 'post_many', ids, data });
  assert.equal(res.results.length, ids.length);
  res.results.forEach((r, i) => assert.equal(r, i === 7 ? 'gone' : 'ok', `result ${i}`));
  await Promise.all(joined.map((j) => j.client.nextFrame((f) => f.data === data, 5000, 'the fan-out frame')));
});
