// The @connections Management API: raw HTTP (POST/GET/DELETE, 410, 413) and the unmodified
// AWS SDK v3 client @aws-sdk/client-apigatewaymanagementapi pointed at the local endpoint.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiGatewayManagementApiClient, PostToConnectionCommand, GetConnectionCommand, DeleteConnectionCommand, GoneException, PayloadTooLargeException } from '@aws-sdk/client-apigatewaymanagementapi';
import { fetchT, sleep, useServer } from './server.mjs';
import { join, ID_RE, USER_AGENT_SENT } from './client.mjs';

const srv = useServer();

const T = { timeout: 15_000 };
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NEVER_ID = 'AAAAAAAAAAAAAAA='; // right shape, never issued

function sdk() {
  return new ApiGatewayManagementApiClient({
    endpoint: srv.mgmtUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  });
}

async function assertAwsError(res, status, errorType) {
  const body = await res.text();
  assert.equal(res.status, status, `status (body: ${body})`);
  const header = res.headers.get('x-amzn-errortype');
  assert.ok(header, `missing x-amzn-ErrorType header (body: ${body})`);
  assert.match(header, new RegExp(`^${errorType}(:|$)`));
  assert.match(res.headers.get('content-type') ?? '', /json/, 'content-type of the error body');
  let json;
  assert.doesNotThrow(() => { json = JSON.parse(body); }, `error body is not JSON: ${body}`);
  assert.equal(typeof json.message, 'string', `error body has no string "message": ${body}`);
}

test('POST delivers the raw body bytes as one text frame', T, async () => {
  const { client, id } = await join(srv.wsUrl, { name: 'post-raw' });
  for (const body of ['raw <b>bytes</b> \u2713 {not json', '{"b":1,   "a":[2, 3]}']) {
    const res = await fetchT(srv.connectionUrl(id), { method: 'POST', body });
    assert.equal(res.status, 200, `POST status (body: ${await res.clone().text()})`);
    assert.equal(await res.text(), '', 'PostToConnection answers an empty body');
    const frame = await client.nextFrame((f) => !f.isBinary && f.data === body, 5000, `the posted body ${JSON.stringify(body)}`);
    assert.equal(frame.isBinary, false);
  }
});

test('POST of exactly 131072 bytes is delivered whole', T, async () => {
  const { client, id } = await join(srv.wsUrl, { name: 'post-max' });
  const body = `${'0123456789abcdef'.repeat(8191)}${'z'.repeat(16)}`;
  assert.equal(Buffer.byteLength(body), 131072);
  const res = await fetchT(srv.connectionUrl(id), { method: 'POST', body });
  assert.equal(res.status, 200, `POST status (body: ${await res.clone().text()})`);
  const frame = await client.nextFrame((f) => !f.isBinary && f.data.length > 1000, 5000, 'the 128 KiB message');
  assert.equal(frame.data.length, 131072);
  assert.equal(frame.data, body);
});

test('POST over 131072 bytes answers 413 PayloadTooLargeException and delivers nothing', T, async () => {
  const { client, id } = await join(srv.wsUrl, { name: 'post-big' });
  const res = await fetchT(srv.connectionUrl(id), { method: 'POST', body: 'x'.repeat(131073) });
  await assertAwsError(res, 413, 'PayloadTooLargeException');
  // The refused body is not JSON: look at the raw frames (presence from other tests' clients
  // leaving the same room may arrive meanwhile and is not what this test is about).
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!client.frames.some((f) => !f.isBinary && f.data.startsWith('xxxx')),
    'a frame from the refused POST');
  const get = await fetchT(srv.connectionUrl(id));
  assert.equal(get.status, 200, 'the connection is still there');
  await get.arrayBuffer();
});

test('GET answers 200 with the camelCase connection JSON', T, async () => {
  const before = Date.now();
  const { id } = await join(srv.wsUrl, { name: 'get-json' });
  assert.match(id, ID_RE);
  const res = await fetchT(srv.connectionUrl(id));
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const json = JSON.parse(text);
  assert.deepEqual(Object.keys(json).sort(), ['connectedAt', 'identity', 'lastActiveAt'], text);
  assert.match(json.connectedAt, ISO_MS);
  assert.match(json.lastActiveAt, ISO_MS);
  assert.equal(json.identity.sourceIp, '127.0.0.1');
  assert.equal(json.identity.userAgent, USER_AGENT_SENT);
  const connectedAt = Date.parse(json.connectedAt);
  assert.ok(connectedAt >= before - 1000 && connectedAt <= Date.now() + 1000,
    `connectedAt ${json.connectedAt} is not the time of the connect (${new Date(before).toISOString()})`);
  assert.ok(Date.parse(json.lastActiveAt) >= connectedAt, `lastActiveAt before connectedAt: ${text}`);
});

test('lastActiveAt moves when the client sends a message; connectedAt does not', T, async () => {
  const { client, id } = await join(srv.wsUrl, { name: 'get-active' });
  const first = await (await fetchT(srv.connectionUrl(id))).json();
  await sleep(50);
  const sentAt = Date.now();
  client.send({ action: 'ping' });
  await client.next((m) => m.type === 'pong', 5000, 'pong');
  const second = await (await fetchT(srv.connectionUrl(id))).json();
  assert.equal(second.connectedAt, first.connectedAt);
  assert.ok(Date.parse(second.lastActiveAt) >= sentAt - 5,
    `lastActiveAt ${second.lastActiveAt} not updated by a message sent at ${new Date(sentAt).toISOString()}`);
});

test('the path may carry %40 for @ and a raw or encoded = in the id', T, async () => {
  const { id } = await join(srv.wsUrl, { name: 'get-paths' });
  for (const url of [
    `${srv.mgmtUrl}/@connections/${encodeURIComponent(id)}`,
    `${srv.mgmtUrl}/%40connections/${encodeURIComponent(id)}`,
    `${srv.mgmtUrl}/@connections/${id}`,
  ]) {
    const res = await fetchT(url);
    assert.equal(res.status, 200, `GET ${url}`);
    await res.arrayBuffer();
  }
});

test('DELETE answers 204, closes the client (1000); the id is then gone', T, async () => {
  const { client, id } = await join(srv.wsUrl, { name: 'delete-me' });
  const res = await fetchT(srv.connectionUrl(id), { method: 'DELETE' });
  assert.equal(res.status, 204);
  assert.equal(await res.text(), '');
  const info = await client.closed(5000);
  assert.equal(info.code, 1000, `close code after DELETE (reason "${info.reason}")`);
  for (const method of ['GET', 'POST', 'DELETE']) {
    const r = await fetchT(srv.connectionUrl(id), { method, body: method === 'POST' ? 'late' : undefined });
    await assertAwsError(r, 410, 'GoneException');
  }
});

test('an id that never existed answers 410 GoneException on GET, POST and DELETE', T, async () => {
  for (const method of ['GET', 'POST', 'DELETE']) {
    const r = await fetchT(srv.connectionUrl(NEVER_ID), { method, body: method === 'POST' ? 'hello?' : undefined });
    await assertAwsError(r, 410, 'GoneException');
  }
});

test('AWS SDK v3: PostToConnection, GetConnection, DeleteConnection on a live connection', T, async () => {
  const api = sdk();
  try {
    const { client, id } = await join(srv.wsUrl, { name: 'sdk-live' });
    const out = await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: '{"type":"notice","text":"from sdk"}' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const frame = await client.nextFrame((f) => !f.isBinary && f.data === '{"type":"notice","text":"from sdk"}', 5000, 'the SDK post');
    assert.equal(frame.json.text, 'from sdk');

    await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('bytes \u00e9', 'utf8') }));
    await client.nextFrame((f) => !f.isBinary && f.data === 'bytes \u00e9', 5000, 'the SDK post of a Buffer');

    const conn = await api.send(new GetConnectionCommand({ ConnectionId: id }));
    assert.ok(conn.ConnectedAt instanceof Date, `ConnectedAt is ${typeof conn.ConnectedAt}: ${conn.ConnectedAt}`);
    assert.ok(!Number.isNaN(conn.ConnectedAt.getTime()));
    assert.ok(Math.abs(conn.ConnectedAt.getTime() - Date.now()) < 60_000, `ConnectedAt ${conn.ConnectedAt.toISOString()}`);
    assert.ok(conn.LastActiveAt instanceof Date, `LastActiveAt is ${conn.LastActiveAt}`);
    assert.equal(conn.Identity?.SourceIp, '127.0.0.1');
    assert.equal(conn.Identity?.UserAgent, USER_AGENT_SENT);

    const del = await api.send(new DeleteConnectionCommand({ ConnectionId: id }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    const info = await client.closed(5000);
    assert.equal(info.code, 1000);
  } finally {
    api.destroy();
  }
});

test('AWS SDK v3: a gone id throws GoneException', T, async () => {
  const api = sdk();
  try {
    const { client, id } = await join(srv.wsUrl, { name: 'sdk-gone' });
    await client.close();
    for (const [what, cmd] of [
      ['GetConnection (closed id)', new GetConnectionCommand({ ConnectionId: id })],
      ['PostToConnection (closed id)', new PostToConnectionCommand({ ConnectionId: id, Data: 'x' })],
      ['DeleteConnection (closed id)', new DeleteConnectionCommand({ ConnectionId: id })],
      ['GetConnection (never issued)', new GetConnectionCommand({ ConnectionId: NEVER_ID })],
    ]) {
      await assert.rejects(api.send(cmd), (e) => {
        assert.equal(e.name, 'GoneException', `${what}: ${e.name}: ${e.message}`);
        assert.ok(e instanceof GoneException, `${what}: not an instance of GoneException`);
        assert.equal(e.$metadata?.httpStatusCode, 410);
        return true;
      }, what);
    }
  } finally {
    api.destroy();
  }
});

test('AWS SDK v3: PostToConnection over 131072 bytes throws PayloadTooLargeException', T, async () => {
  const api = sdk();
  try {
    const { id } = await join(srv.wsUrl, { name: 'sdk-big' });
    await assert.rejects(api.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.alloc(131073, 0x61) })),
      (e) => {
        assert.equal(e.name, 'PayloadTooLargeException', `${e.name}: ${e.message}`);
        assert.ok(e instanceof PayloadTooLargeException);
        assert.equal(e.$metadata?.httpStatusCode, 413);
        return true;
      });
  } finally {
    api.destroy();
  }
});

// The management listener must never sit behind a proxy; if one is pointed at it anyway, its
// forwarding headers mark the request as not direct, and an unsigned call is refused as a
// remote one would be (belt and braces: the protection is the listener's loopback bind;
// docs/security.md, "Behind a reverse proxy"). Without the header the same call reaches the
// API (410 here).
test('a loopback call carrying a proxy\'s forwarding header is refused 403 ForbiddenException; /metrics too', T, async () => {
  const proxied = [
    { 'X-Forwarded-For': '203.0.113.9' }, { Forwarded: 'for=203.0.113.9' }, { 'X-Real-IP': '203.0.113.9' },
    { Via: '1.1 nginx' }, { 'X-Forwarded-Host': 'chat.example.com' },
  ];
  for (const headers of proxied) {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const r = await fetchT(srv.connectionUrl(NEVER_ID), { method, headers, body: method === 'POST' ? 'x' : undefined });
      await assertAwsError(r, 403, 'ForbiddenException');
    }
    const m = await fetchT(srv.metricsUrl, { headers });
    assert.equal(m.status, 403, JSON.stringify(headers));
  }
  await assertAwsError(await fetchT(srv.connectionUrl(NEVER_ID)), 410, 'GoneException');
  assert.equal((await fetchT(srv.metricsUrl)).status, 200);
});
