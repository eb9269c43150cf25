// The management API is kept from the network by structure, not by a header heuristic (issue
// 16): the public (WebSocket) port answers @connections only SigV4-signed, whatever the peer's
// address, and the unsigned, loopback-only API lives on a listener of its own
// (--management-port, --management-bind; docs/security.md, "The management API").
//
// The proxy below is what an nginx with a plain `proxy_pass` and no proxy_set_header is: it
// connects from 127.0.0.1 and adds no Forwarded / X-Forwarded-* / X-Real-IP / Via header, so
// nothing in a request tells Parley that it came from elsewhere.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import {
  ApiGatewayManagementApiClient, PostToConnectionCommand, GetConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { startServer, fetchT, runParley, makeDataDir, removeDataDir, rawRequest as request } from './server.mjs';
import { join, closeAll, terminateAll } from './client.mjs';

const T = { timeout: 20_000 };
const NEVER_ID = 'AAAAAAAAAAAAAAA=';
const KEY_ID = 'AKIDPARLEYLISTENER01';
const SECRET = 'listener/test/secret+0123456789abcdefghij';
const dir = mkdtempSync(pathJoin(tmpdir(), 'parley-mgmt-listener-'));
const keysFile = pathJoin(dir, 'keys');
writeFileSync(keysFile, `${KEY_ID}:${SECRET}\n`);

// A reverse proxy on 127.0.0.1 in front of `port`: requests and WebSocket upgrades go through
// with their method, path, headers (Host kept, as `proxy_set_header Host $host` does, so that
// signatures still match) and body, and nothing added.
async function startProxy(port) {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
      (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  server.on('upgrade', (req, socket, head) => {
    seen.push(req.headers);
    const up = net.connect(port, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  const p = server.address().port;
  return {
    base: `http://127.0.0.1:${p}`,
    seen,
    close: () => new Promise((res) => { server.closeAllConnections(); server.close(res); }),
  };
}


// The request signed by @smithy/signature-v4 (what the AWS SDKs use) for execute-api.
async function signedRequest(url, { method = 'GET', body, keyId = KEY_ID, secret = SECRET, region = 'us-east-1' } = {}) {
  const u = new URL(url);
  const signer = new SignatureV4({
    credentials: { accessKeyId: keyId, secretAccessKey: secret },
    region, service: 'execute-api', sha256: Hash.bind(null, 'sha256'),
  });
  const headers = { host: u.host };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const signed = await signer.sign({
    method, protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: u.pathname, headers, body,
  });
  return request(url, { method, headers: signed.headers, body });
}

function assertMissingToken(r, what) {
  assert.equal(r.status, 403, `${what}: ${r.status} ${r.body}`);
  assert.equal(r.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException', what);
  assert.deepEqual(JSON.parse(r.body), { message: 'Missing Authentication Token' }, what);
}

afterEach(async () => { await closeAll(); });
after(() => {
  terminateAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('without keys: a loopback proxy adding no forwarding headers', () => {
  let srv;
  let proxy;
  before(async () => {
    srv = await startServer();
    proxy = await startProxy(srv.port);
  });
  after(async () => {
    await proxy?.close();
    await srv?.stop();
  });

  test('the chat and the web client work through the proxy', T, async () => {
    const page = await fetchT(`${proxy.base}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    assert.equal((await fetchT(`${proxy.base}/healthz`)).status, 200);
    const through = await join(`${proxy.base.replace('http', 'ws')}/${srv.stage}`, { name: 'proxied' });
    through.client.send({ action: 'ping' });
    await through.client.next((m) => m.type === 'pong');
    for (const h of proxy.seen) {
      for (const name of ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'via'])
        assert.equal(h[name], undefined, `the proxy added ${name}`);
    }
  });

  test('@connections POST, GET and DELETE through it answer 403 Missing Authentication Token; nothing reaches the client', T, async () => {
    const j = await join(srv.wsUrl, { name: 'victim' });
    const url = `${proxy.base}/${srv.stage}/@connections/${encodeURIComponent(j.id)}`;
    assertMissingToken(await request(url, { method: 'POST', body: 'through the proxy' }), 'POST');
    assertMissingToken(await request(url), 'GET');
    assertMissingToken(await request(url, { method: 'DELETE' }), 'DELETE');
    // The client got nothing and is still connected (its pong comes after anything posted).
    assert.equal(j.client.closeInfo, null, 'the DELETE through the proxy closed the client');
    j.client.send({ action: 'ping' });
    await j.client.next((m) => m.type === 'pong');
    assert.equal(j.client.frames.some((f) => f.data === 'through the proxy'), false, 'the post through the proxy was delivered');
  });

  test('/metrics through it answers 403', T, async () => {
    const r = await request(`${proxy.base}/metrics`);
    assert.equal(r.status, 403);
    assert.doesNotMatch(r.body, /parley_/);
  });

  test('the same calls on the management listener succeed', T, async () => {
    const j = await join(srv.wsUrl, { name: 'managed' });
    const url = srv.connectionUrl(j.id);
    assert.equal((await request(url, { method: 'POST', body: 'from the management listener' })).status, 200);
    await j.client.nextFrame((f) => f.data === 'from the management listener');
    const info = await request(url);
    assert.equal(info.status, 200);
    assert.equal(JSON.parse(info.body).identity.sourceIp, '127.0.0.1');
    assert.match((await request(srv.metricsUrl)).body, /parley_connections_open/);
    assert.equal((await request(url, { method: 'DELETE' })).status, 204);
    assert.equal((await j.client.closed()).code, 1000);
  });

  test('the public port refuses unsigned calls from a direct loopback client too, and any key without --management-keys', T, async () => {
    const j = await join(srv.wsUrl, { name: 'direct' });
    assertMissingToken(await request(srv.publicConnectionUrl(j.id), { method: 'POST', body: 'direct' }), 'direct POST');
    const signed = await signedRequest(srv.publicConnectionUrl(j.id), { method: 'POST', body: 'signed' });
    assert.equal(signed.status, 403);
    assert.equal(signed.headers['x-amzn-errortype'], 'UnrecognizedClientException');
    j.client.send({ action: 'ping' });
    await j.client.next((m) => m.type === 'pong');
    assert.equal(j.client.frames.some((f) => f.data === 'direct' || f.data === 'signed'), false, 'a refused post was delivered');
  });

  test('the management listener serves the management API, /metrics and /healthz only', T, async () => {
    assert.equal((await request(`${srv.managementBase}/healthz`)).status, 200);
    assert.equal((await request(`${srv.managementBase}/`)).status, 404);
    assert.equal((await request(`${srv.managementBase}/${srv.stage}`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    })).status, 404);
  });

  test('the banner names both', T, async () => {
    const out = srv.stdout();
    assert.match(out, new RegExp(`Management API:  ${srv.managementBase}/dev/@connections/\\{connectionId\\} \\(direct loopback clients, unsigned\\)`));
    assert.match(out, new RegExp(`${srv.base}/dev/@connections/\\{connectionId\\} \\(SigV4-signed only; no --management-keys: every call refused\\)`));
    assert.match(out, new RegExp(`Metrics: +${srv.managementBase}/metrics`));
  });
});

describe('with --management-keys: signed calls through the proxy', () => {
  let srv;
  let proxy;
  before(async () => {
    srv = await startServer({ args: ['--management-keys', keysFile] });
    proxy = await startProxy(srv.port);
  });
  after(async () => {
    await proxy?.close();
    await srv?.stop();
  });

  test('@smithy/signature-v4 signed POST, GET and DELETE on the public port succeed, through the proxy too', T, async () => {
    const j = await join(srv.wsUrl, { name: 'signed' });
    for (const base of [srv.base, proxy.base]) {
      const url = `${base}/${srv.stage}/@connections/${encodeURIComponent(j.id)}`;
      const posted = await signedRequest(url, { method: 'POST', body: `signed via ${base}` });
      assert.equal(posted.status, 200, posted.body);
      await j.client.nextFrame((f) => f.data === `signed via ${base}`);
      const got = await signedRequest(url);
      assert.equal(got.status, 200, got.body);
      assert.ok(JSON.parse(got.body).connectedAt);
    }
    const url = `${proxy.base}/${srv.stage}/@connections/${encodeURIComponent(j.id)}`;
    assertMissingToken(await request(url, { method: 'POST', body: 'unsigned' }), 'unsigned through the proxy');
    const forged = await signedRequest(url, { method: 'POST', body: 'forged', secret: 'not-the-secret' });
    assert.equal(forged.headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.equal((await signedRequest(url, { method: 'DELETE' })).status, 204);
    assert.equal((await j.client.closed()).code, 1000);
    assert.equal(j.client.frames.some((f) => f.data === 'unsigned' || f.data === 'forged'), false);
  });

  test('the AWS SDK client at https://{domainName}/{stage}-style endpoint (the public port) works', T, async () => {
    const j = await join(srv.wsUrl, { name: 'sdk' });
    const api = new ApiGatewayManagementApiClient({
      endpoint: srv.publicMgmtUrl, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    });
    try {
      await api.send(new PostToConnectionCommand({ ConnectionId: j.id, Data: Buffer.from('sdk hello') }));
      await j.client.nextFrame((f) => f.data === 'sdk hello');
      assert.equal((await api.send(new GetConnectionCommand({ ConnectionId: j.id }))).Identity.SourceIp, '127.0.0.1');
    } finally {
      api.destroy();
    }
  });
});

describe('the listener\'s options', () => {
  test('--management-port N listens on N; a taken one is one plain sentence naming --management-port', T, async () => {
    const holder = await startServer();
    const data = await makeDataDir('parley-mgmt-port-');
    try {
      const r = await runParley(['serve', '--port', '0', '--bind', '127.0.0.1', '--data', data,
        '--management-port', String(holder.managementPort)]);
      assert.equal(r.code, 1, r.out + r.err);
      assert.match(r.err, new RegExp(`^parley: the management listener's port ${holder.managementPort} is already in use on 127\\.0\\.0\\.1 .*--management-port`));
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.doesNotMatch(r.err, /\.hpp|boost|system_error/i);
    } finally {
      await removeDataDir(data);
      await holder.stop();
    }
    const free = await new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
    const srv = await startServer({ args: ['--management-port', String(free)] });
    try {
      assert.equal(srv.managementPort, free);
      assert.equal((await request(`${srv.managementBase}/healthz`)).status, 200);
    } finally {
      await srv.stop();
    }
  });

  test('off loopback without keys, --management-public with --management-bind, or a bad address: refused at start', T, async () => {
    for (const [args, why] of [
      [['--management-bind', '0.0.0.0'], /--management-bind 0\.0\.0\.0 \(or --management-public\) needs --management-keys/],
      [['--management-public'], /--management-bind 0\.0\.0\.0 \(or --management-public\) needs --management-keys/],
      [['--management-public', '--management-bind', '127.0.0.1'], /--management-public is the old name of --management-bind 0\.0\.0\.0/],
      [['--management-bind', 'localhost'], /--management-bind must be an IP address/],
      [['--port', '65535'], /--port 65535 leaves no room for the default --management-port/],
    ]) {
      const r = await runParley(['serve', '--port', '0', '--bind', '127.0.0.1', '--data', dir, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, why, args.join(' '));
    }
  });
});
