// TLS (issue 7): --tls-cert/--tls-key make the one port speak https:// and wss://. The
// certificate is self-signed, made at test time by the openssl CLI; clients trust it through
// `ca`, and a client that does not is refused.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import WebSocket from 'ws';
import { startServer, useServer } from './server.mjs';
import { connect, join } from './client.mjs';

const T = { timeout: 20_000 };
const dir = mkdtempSync(pathJoin(tmpdir(), 'parley-tls-'));
const certFile = pathJoin(dir, 'cert.pem');
const keyFile = pathJoin(dir, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile,
  '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1',
  '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
const ca = readFileSync(certFile);
const srv = useServer({ args: ['--tls-cert', certFile, '--tls-key', keyFile] });
after(() => rmSync(dir, { recursive: true, force: true }));

function httpsRequest(url, { method = 'GET', body, ...opts } = {}) {
  return new Promise((res, rej) => {
    const req = request(url, { method, ca, ...opts }, (r) => {
      let data = '';
      r.setEncoding('utf8');
      r.on('data', (d) => { data += d; });
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: data }));
    });
    req.on('error', rej);
    req.end(body);
  });
}

test('the banner shows https:// and wss:// on one port', T, async () => {
  assert.ok(srv.tls);
  assert.match(srv.stdout(), new RegExp(`Web client:\\s+https://127\\.0\\.0\\.1:${srv.port}/`));
  assert.match(srv.stdout(), new RegExp(`WebSocket:\\s+wss://127\\.0\\.0\\.1:${srv.port}/dev`));
});

test('the web client is served over https', T, async () => {
  const r = await httpsRequest(`${srv.base}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /text\/html/);
  assert.match(r.body, /<html/i);
  assert.equal((await httpsRequest(`${srv.base}/healthz`)).body, 'ok\n');
});

test('the full chat flow works over wss: join, message, direct message, history, close', T, async () => {
  const a = await join(srv.wsUrl, { name: 'tls-a', room: 'secure', ca });
  const b = await join(srv.wsUrl, { name: 'tls-b', room: 'secure', ca });
  a.client.send({ action: 'sendmessage', message: 'over tls' });
  for (const j of [a, b]) await j.client.next((m) => m.type === 'message' && m.text === 'over tls');
  // A frame just under the 32 KB frame limit spans two TLS records on the way in.
  const text = 'x'.repeat(4000);
  b.client.send({ action: 'sendmessage', message: text, padding: 'p'.repeat(26_000) });
  const got = await a.client.next((m) => m.type === 'message' && m.name === 'tls-b', 10_000);
  assert.equal(got.text, text);
  // 100 KB from the management API: several 32 KB frames and TLS records on the way out.
  const big = 'y'.repeat(100_000);
  const r = await httpsRequest(srv.connectionUrl(a.id), { method: 'POST', body: big });
  assert.equal(r.status, 200);
  assert.equal((await a.client.nextFrame((f) => f.data.length === big.length, 10_000)).data, big);
  a.client.send({ action: 'dm', to: 'tls-b', message: 'psst' });
  await b.client.next((m) => m.type === 'dm' && m.text === 'psst');
  // Many small frames in a row: corked into one TLS write by the server.
  for (let i = 0; i < 50; i++) a.client.send({ action: 'sendmessage', message: `burst ${i}` });
  for (let i = 0; i < 50; i++) await b.client.next((m) => m.type === 'message' && m.text === `burst ${i}`);
  const c = await join(srv.wsUrl, { name: 'tls-c', room: 'secure', ca });
  const texts = c.history.messages.map((m) => m.text);
  assert.ok(texts.includes('burst 49'), 'history has the burst');
  assert.equal((await a.client.close(1000, 'bye')).code, 1000);
});

test('the management listener answers over https too and its posts reach the wss client', T, async () => {
  assert.match(srv.managementBase, /^https:\/\/127\.0\.0\.1:\d+$/);
  const j = await join(srv.wsUrl, { name: 'tls-m', ca });
  const r = await httpsRequest(srv.connectionUrl(j.id), { method: 'POST', body: 'raw over https' });
  assert.equal(r.status, 200);
  // Unsigned on the public port: refused as AWS does.
  const pub = await httpsRequest(srv.publicConnectionUrl(j.id), { method: 'POST', body: 'unsigned' });
  assert.equal(pub.status, 403);
  assert.equal(pub.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
  const f = await j.client.nextFrame((x) => x.data === 'raw over https');
  assert.equal(f.isBinary, false);
});

test('a client that does not trust the certificate is refused', T, async () => {
  await assert.rejects(connect(srv.wsUrl), /self[- ]signed|unable to verify|certificate/i);
});

test('a plain ws:// client on the TLS port gets no WebSocket', T, async () => {
  await assert.rejects(connect(`ws://127.0.0.1:${srv.port}/dev`, { timeoutMs: 3000 }));
  srv.assertAlive();
});

test('TLS 1.1 is refused (TLS 1.2 and 1.3 only, as API Gateway)', T, async () => {
  await assert.rejects(new Promise((res, rej) => {
    const ws = new WebSocket(srv.wsUrl, { ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
    ws.once('open', () => { ws.close(); res(); });
    ws.once('error', rej);
  }));
});

test('a certificate file that cannot be used stops the start with a clear error', T, async () => {
  await assert.rejects(startServer({ args: ['--tls-cert', pathJoin(dir, 'missing.pem'), '--tls-key', keyFile] }),
    /cannot use the TLS certificate/);
  await assert.rejects(startServer({ args: ['--tls-cert', certFile] }), /--tls-cert and --tls-key go together/);
});
