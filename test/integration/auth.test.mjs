// Who gets in (issue 7): the $connect JWT authorizer (HS256 secret, RS256 from a JWKS with
// Cognito-style claims), what reaches the chat handlers from it, and the browser origin
// allow-list. Tokens are signed by node's crypto; the server verifies with OpenSSL.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { startServer } from './server.mjs';
import { connect, join, closeAll, terminateAll } from './client.mjs';
import { hs256, rsaKey, rs256, unsigned, handshake, now } from './tokens.mjs';

const T = { timeout: 20_000 };
const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool';
const CLIENT_ID = 'test-app-client';

const dir = mkdtempSync(pathJoin(tmpdir(), 'parley-auth-'));
const secretFile = pathJoin(dir, 'secret');
const jwksFile = pathJoin(dir, 'jwks.json');
const k1 = rsaKey('kid-1');
const k2 = rsaKey('kid-2');
const outsider = rsaKey('kid-1');

let hsSrv;  // HS256
let rsSrv;  // RS256 + issuer + audience
let originSrv;

before(async () => {
  writeFileSync(secretFile, `${SECRET}\n`);
  writeFileSync(jwksFile, JSON.stringify({ keys: [k1.jwk, k2.jwk] }));
  [hsSrv, rsSrv, originSrv] = await Promise.all([
    startServer({ args: ['--jwt-secret-file', secretFile] }),
    startServer({ args: ['--jwks', jwksFile, '--jwt-issuer', ISSUER, '--jwt-audience', CLIENT_ID] }),
    startServer({ args: ['--allowed-origin', 'https://chat.example.com', '--allowed-origin', 'http://localhost:8080'] }),
  ]);
});
afterEach(async () => { await closeAll(); for (const s of [hsSrv, rsSrv, originSrv]) s?.assertAlive(); });
after(async () => {
  await closeAll();
  terminateAll();
  await Promise.all([hsSrv, rsSrv, originSrv].filter(Boolean).map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const claims = (extra = {}) => ({ sub: 'user-ann-0001', 'cognito:username': 'ann', exp: now() + 300, iat: now(), ...extra });
const cognito = (extra = {}) => claims({ iss: ISSUER, aud: CLIENT_ID, token_use: 'id', ...extra });
const withToken = (srv, token, q = '') => `${srv.wsUrl}?${q}${q ? '&' : ''}token=${encodeURIComponent(token)}`;

// ---- modes ----

test('the startup banner says which mode is on', T, async () => {
  assert.match(hsSrv.stdout(), /Auth:\s+jwt \(HS256\)/);
  assert.match(rsSrv.stdout(), /Auth:\s+jwt \(RS256 with 2 keys\), issuer https:\/\/cognito-idp/);
  assert.match(originSrv.stdout(), /Auth:\s+none \(anonymous guests, each with a signed guest token; for local development\); origins: 2 allowed/);
});

test('anonymous mode needs no token and keeps ?name=', T, async () => {
  const j = await join(originSrv.wsUrl, { name: 'anon' });
  assert.equal(j.welcome.name, 'anon');
});

// ---- refused handshakes ----

test('a handshake without a token is refused with 401 when a token is required', T, async () => {
  assert.deepEqual(await handshake(hsSrv.wsUrl), { status: 401, body: '{"message":"Unauthorized"}' });
  assert.equal((await handshake(`${rsSrv.wsUrl}?name=ann`)).status, 401);
  assert.equal((await handshake(hsSrv.wsUrl, { headers: { Authorization: 'Basic YW5uOnB3' } })).status, 401);
});

test('a token signed with another secret is refused with 403', T, async () => {
  const r = await handshake(withToken(hsSrv, hs256('another-secret-of-at-least-32-bytes!', claims())));
  assert.deepEqual(r, { status: 403, body: '{"message":"Forbidden"}' });
});

test('an expired token is refused with 403', T, async () => {
  assert.equal((await handshake(withToken(hsSrv, hs256(SECRET, claims({ exp: now() - 120 }))))).status, 403);
});

test('a token without an expiry is refused with 403', T, async () => {
  const c = claims();
  delete c.exp;
  assert.equal((await handshake(withToken(hsSrv, hs256(SECRET, c)))).status, 403);
});

test('a token not yet valid (nbf in the future) is refused with 403', T, async () => {
  assert.equal((await handshake(withToken(hsSrv, hs256(SECRET, claims({ nbf: now() + 600 }))))).status, 403);
});

test('an unsigned token (alg none) is refused with 403', T, async () => {
  assert.equal((await handshake(withToken(hsSrv, unsigned(claims())))).status, 403);
});

test('a garbled token is refused with 403', T, async () => {
  for (const t of ['abc', 'a.b.c', `${hs256(SECRET, claims())}x`, 'eyJhbGciOiJIUzI1NiJ9..'])
    assert.equal((await handshake(withToken(hsSrv, t))).status, 403, t);
});

test('a token with a changed payload is refused with 403', T, async () => {
  const [h, , s] = hs256(SECRET, claims()).split('.');
  const forged = Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url');
  assert.equal((await handshake(withToken(hsSrv, `${h}.${forged}.${s}`))).status, 403);
});

test('a token without sub is refused with 403', T, async () => {
  const c = claims();
  delete c.sub;
  assert.equal((await handshake(withToken(hsSrv, hs256(SECRET, c)))).status, 403);
});

test('an RS256 token naming an unknown kid is refused with 403', T, async () => {
  assert.equal((await handshake(withToken(rsSrv, rs256(k1.privateKey, 'kid-9', cognito())))).status, 403);
});

test('an RS256 token signed by a key outside the JWKS is refused with 403', T, async () => {
  assert.equal((await handshake(withToken(rsSrv, rs256(outsider.privateKey, 'kid-1', cognito())))).status, 403);
});

test('an HS256 token is refused with 403 when only a JWKS is configured (no algorithm confusion)', T, async () => {
  // Signed with the JWKS's public key as an HMAC secret: the classic confusion attack.
  const pem = k1.publicKey.export({ type: 'spki', format: 'pem' });
  assert.equal((await handshake(withToken(rsSrv, hs256(pem, cognito())))).status, 403);
});

test('a token from another issuer is refused with 403', T, async () => {
  assert.equal((await handshake(withToken(rsSrv, rs256(k1.privateKey, 'kid-1', cognito({ iss: 'https://evil.example' }))))).status, 403);
});

test('a token for another audience is refused with 403', T, async () => {
  assert.equal((await handshake(withToken(rsSrv, rs256(k1.privateKey, 'kid-1', cognito({ aud: 'other-client' }))))).status, 403);
});

test('a Cognito refresh token_use is refused with 403', T, async () => {
  assert.equal((await handshake(withToken(rsSrv, rs256(k1.privateKey, 'kid-1', cognito({ token_use: 'refresh' }))))).status, 403);
});

// ---- accepted tokens ----

test('a token in ?token= lets the user in, with the name from the token overriding ?name=', T, async () => {
  const t = hs256(SECRET, claims({ 'cognito:username': 'ann' }));
  const q = new URLSearchParams({ name: 'mallory', room: 'authroom', token: t });
  const client = await connect(`${hsSrv.wsUrl}?${q}`);
  client.send({ action: 'hello' });
  const welcome = await client.next((m) => m.type === 'welcome');
  assert.equal(welcome.name, 'ann');
});

test('a token in the Authorization: Bearer header lets the user in', T, async () => {
  const t = hs256(SECRET, claims({ 'cognito:username': 'bearer-bob', sub: 'user-bob' }));
  const j = await join(hsSrv.wsUrl, { headers: { Authorization: `Bearer ${t}` } });
  assert.equal(j.welcome.name, 'bearer-bob');
});

test('a Cognito-style RS256 token signed by a JWKS key is accepted, whichever key of the set', T, async () => {
  const a = await join(withToken(rsSrv, rs256(k1.privateKey, 'kid-1', cognito({ 'cognito:username': 'cog-a' }))));
  assert.equal(a.welcome.name, 'cog-a');
  // An access token names its app client in client_id instead of aud.
  const access = cognito({ token_use: 'access', client_id: CLIENT_ID, username: 'cog-b' });
  delete access.aud;
  delete access['cognito:username'];
  const b = await join(withToken(rsSrv, rs256(k2.privateKey, 'kid-2', access)));
  assert.equal(b.welcome.name, 'cog-b');
});

test('the authorizer context reaches later events: a signed-in user cannot take another name', T, async () => {
  const j = await join(withToken(hsSrv, hs256(SECRET, claims({ 'cognito:username': 'carol', sub: 'user-carol' }))));
  j.client.send({ action: 'setname', name: 'admin' });
  const e = await j.client.next((m) => m.type === 'error');
  assert.equal(e.code, 'forbidden');
  // Signed-in users chat as usual.
  j.client.send({ action: 'sendmessage', message: 'hello from carol' });
  const m = await j.client.next((x) => x.type === 'message' && x.text === 'hello from carol');
  assert.equal(m.name, 'carol');
});

test('a signed-in user is told their user id and addresses another by user id in a dm', T, async () => {
  const room = 'dmid';
  const dan = await join(withToken(hsSrv, hs256(SECRET, claims({ sub: 'user-dan-1', 'cognito:username': 'dan' })), `room=${room}`));
  const eve = await join(withToken(hsSrv, hs256(SECRET, claims({ sub: 'user-eve-2', 'cognito:username': 'eve' })), `room=${room}`));
  assert.equal(dan.welcome.userId, 'user-dan-1');
  assert.equal(eve.welcome.userId, 'user-eve-2');
  dan.client.send({ action: 'dm', to: 'user-eve-2', message: 'by user id', clientMsgId: 'u1' });
  const ack = await dan.client.next((m) => (m.type === 'ack' || m.type === 'error') && m.clientMsgId === 'u1');
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  const got = await eve.client.next((m) => m.type === 'dm' && m.text === 'by user id');
  assert.equal(got.name, 'dan');
  assert.equal(got.room, 'dmu:user-dan-1:user-eve-2');  // keyed by user id, never by name
  assert.equal(got.userId, 'user-dan-1');
});

test('the JWT secret can come from PARLEY_JWT_SECRET', T, async () => {
  const srv = await startServer({ env: { PARLEY_JWT_SECRET: SECRET } });
  try {
    assert.match(srv.stdout(), /Auth:\s+jwt \(HS256\)/);
    assert.equal((await handshake(srv.wsUrl)).status, 401);
    const j = await join(withToken(srv, hs256(SECRET, claims({ 'cognito:username': 'envy' }))));
    assert.equal(j.welcome.name, 'envy');
  } finally {
    await closeAll();
    await srv.stop();
  }
});

// ---- configuration errors stop the start with a clear message ----

test('--auth jwt without a secret or JWKS refuses to start', T, async () => {
  await assert.rejects(startServer({ args: ['--auth', 'jwt'] }), /--auth jwt needs --jwt-secret-file/);
});

test('an HS256 secret shorter than 32 bytes refuses to start', T, async () => {
  await assert.rejects(startServer({ env: { PARLEY_JWT_SECRET: 'short' } }), /at least 32 bytes/);
});

test('a JWKS file that is not a key set refuses to start', T, async () => {
  const bad = pathJoin(dir, 'bad.json');
  writeFileSync(bad, '{"keys": []}');
  await assert.rejects(startServer({ args: ['--jwks', bad] }), /no RSA signing key/);
});

// ---- origins ----

test('a browser handshake from an origin not in the allow-list is refused with 403', T, async () => {
  assert.deepEqual(await handshake(originSrv.wsUrl, { headers: { Origin: 'https://evil.example' } }),
    { status: 403, body: '{"message":"Forbidden"}' });
  assert.equal((await handshake(originSrv.wsUrl, { headers: { Origin: 'null' } })).status, 403);
});

test('a browser handshake from a listed origin is accepted', T, async () => {
  assert.equal((await handshake(originSrv.wsUrl, { headers: { Origin: 'https://chat.example.com' } })).status, 101);
  assert.equal((await handshake(originSrv.wsUrl, { headers: { Origin: 'http://localhost:8080' } })).status, 101);
});

test('a handshake without Origin (not a browser) is accepted', T, async () => {
  assert.equal((await handshake(originSrv.wsUrl)).status, 101);
});

test('without --allowed-origin any origin is accepted', T, async () => {
  // hsSrv has no allow-list; a token is still needed there.
  const t = hs256(SECRET, claims());
  assert.equal((await handshake(withToken(hsSrv, t), { headers: { Origin: 'https://anywhere.example' } })).status, 101);
});

// ---- the web client ----

test('the web client passes its page\'s ?token= on to the WebSocket', T, async () => {
  const helpers = await import('../../web/protocol.js');
  const e = helpers.resolveEndpoint({ protocol: 'https:', host: 'chat.example.com', search: '?token=abc.def-ghi' }, 'prod');
  assert.equal(e.base, 'wss://chat.example.com/prod?token=abc.def-ghi');
  const url = new URL(helpers.socketUrl(e.base, 'ann', 'lobby'));
  assert.equal(url.searchParams.get('token'), 'abc.def-ghi');
  assert.equal(url.searchParams.get('name'), 'ann');
  const o = helpers.resolveEndpoint({ protocol: 'http:', host: 'localhost:8080', search: '?ws=wss://x.example/dev&token=t1' }, '');
  assert.equal(o.base, 'wss://x.example/dev?token=t1');
  assert.equal(helpers.resolveEndpoint({ protocol: 'http:', host: 'h', search: '' }, 'dev').base, 'ws://h/dev');
  // A guest token goes along only where no ?token= identifies the user.
  assert.equal(new URL(helpers.socketUrl('ws://h/dev', 'ann', 'lobby', 'g1')).searchParams.get('guest'), 'g1');
  assert.equal(new URL(helpers.socketUrl(e.base, 'ann', 'lobby', 'g1')).searchParams.has('guest'), false);
});
