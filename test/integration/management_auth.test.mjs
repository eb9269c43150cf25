// The management API's protection (issues 7 and 16): with keys configured (--management-keys
// FILE or PARLEY_MANAGEMENT_* in the environment) every call must be SigV4-signed for
// execute-api in the server's region, as API Gateway's IAM auth demands, on the public port
// (which takes signed calls only, keys or not: management_listener.test.mjs) and on the
// management listener alike. The unmodified AWS SDK v3 client with the right keys works; a
// wrong secret, an unknown key, another region and an unsigned call answer 403 with AWS's
// error types.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
  GetConnectionCommand,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { startServer, fetchT, useServer } from './server.mjs';
import { join, closeAll } from './client.mjs';

const T = { timeout: 20_000 };
const KEY_ID = 'AKIDPARLEYTEST000001';
const SECRET = 'parley/management/secret+key/0123456789';
const dir = mkdtempSync(pathJoin(tmpdir(), 'parley-mgmt-'));
const keysFile = pathJoin(dir, 'keys');
writeFileSync(keysFile, `# id:secret\nAKIDOTHER:other-secret\n${KEY_ID}:${SECRET}\n`);
const srv = useServer({ args: ['--management-keys', keysFile, '--region', 'eu-west-1'] });
after(() => rmSync(dir, { recursive: true, force: true }));

// The public port by default: https://{domainName}/{stage}, as users' code builds it on AWS.
function sdk(server, { keyId = KEY_ID, secret = SECRET, region = 'eu-west-1', endpoint = server.publicMgmtUrl } = {}) {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region,
    credentials: { accessKeyId: keyId, secretAccessKey: secret },
    maxAttempts: 1,
  });
}

async function refusedWith(promise, name) {
  const e = await promise.then(() => null, (x) => x);
  assert.ok(e, 'the call succeeded');
  assert.equal(e.$metadata?.httpStatusCode, 403, `${e.name}: ${e.message}`);
  assert.equal(e.name, name);
  return e;
}

test('the banner says the management API demands SigV4', T, async () => {
  assert.match(srv.stdout(), /Management API:.*\(SigV4, region eu-west-1\)/);
  assert.match(srv.stdout(), new RegExp(`${srv.base}/dev/@connections/\\{connectionId\\} \\(SigV4-signed only\\)`));
});

test('the unmodified AWS SDK with the configured keys posts, gets and deletes', T, async () => {
  const j = await join(srv.wsUrl, { name: 'signed' });
  const c = sdk(srv);
  await c.send(new PostToConnectionCommand({ ConnectionId: j.id, Data: Buffer.from('signed hello') }));
  await j.client.nextFrame((f) => f.data === 'signed hello');
  const info = await c.send(new GetConnectionCommand({ ConnectionId: j.id }));
  assert.equal(info.Identity.SourceIp, '127.0.0.1');
  // The other key of the file works too.
  await sdk(srv, { keyId: 'AKIDOTHER', secret: 'other-secret' })
    .send(new PostToConnectionCommand({ ConnectionId: j.id, Data: Buffer.from('other key') }));
  await j.client.nextFrame((f) => f.data === 'other key');
  // The management listener takes the same keys.
  await sdk(srv, { endpoint: srv.mgmtUrl })
    .send(new PostToConnectionCommand({ ConnectionId: j.id, Data: Buffer.from('on the listener') }));
  await j.client.nextFrame((f) => f.data === 'on the listener');
  await c.send(new DeleteConnectionCommand({ ConnectionId: j.id }));
  assert.equal((await j.client.closed()).code, 1000);
});

test('a call signed with a wrong secret is refused with 403 InvalidSignatureException', T, async () => {
  const j = await join(srv.wsUrl, { name: 'wrongsecret' });
  await refusedWith(sdk(srv, { secret: 'not-the-secret' })
    .send(new PostToConnectionCommand({ ConnectionId: j.id, Data: Buffer.from('forged') })), 'InvalidSignatureException');
  await j.client.none((m) => true, 300, 'the forged post');
  assert.equal(j.client.frames.some((f) => f.data === 'forged'), false);
});

test('a call signed with an unknown access key is refused with 403 UnrecognizedClientException', T, async () => {
  await refusedWith(sdk(srv, { keyId: 'AKIDUNKNOWN' })
    .send(new GetConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=' })), 'UnrecognizedClientException');
});

test('a call signed for another region is refused with 403', T, async () => {
  await refusedWith(sdk(srv, { region: 'us-east-1' })
    .send(new GetConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=' })), 'InvalidSignatureException');
});

test('an unsigned call is refused with 403 Missing Authentication Token, on the management listener too', T, async () => {
  const j = await join(srv.wsUrl, { name: 'unsigned' });
  for (const url of [srv.publicConnectionUrl(j.id), srv.connectionUrl(j.id)]) {
    const res = await fetchT(url, { method: 'POST', body: 'unsigned' });
    assert.equal(res.status, 403, url);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.deepEqual(await res.json(), { message: 'Missing Authentication Token' });
  }
  assert.equal(j.client.frames.some((f) => f.data === 'unsigned'), false);
});

test('the keys can come from PARLEY_MANAGEMENT_ACCESS_KEY_ID and PARLEY_MANAGEMENT_SECRET_ACCESS_KEY', T, async () => {
  const s = await startServer({
    args: ['--region', 'eu-west-1'],
    env: { PARLEY_MANAGEMENT_ACCESS_KEY_ID: 'AKIDENV', PARLEY_MANAGEMENT_SECRET_ACCESS_KEY: 'env-secret' },
  });
  try {
    const j = await join(s.wsUrl, { name: 'envkeys' });
    await sdk(s, { keyId: 'AKIDENV', secret: 'env-secret' })
      .send(new PostToConnectionCommand({ ConnectionId: j.id, Data: Buffer.from('env keys') }));
    await j.client.nextFrame((f) => f.data === 'env keys');
    // Keys configured: even loopback callers must sign.
    assert.equal((await fetchT(s.connectionUrl(j.id), { method: 'POST', body: 'x' })).status, 403);
  } finally {
    await closeAll();
    await s.stop();
  }
});

test('a management listener off loopback (--management-bind 0.0.0.0, or the old --management-public) without keys refuses to start', T, async () => {
  for (const args of [['--management-public'], ['--management-bind', '0.0.0.0']])
    await assert.rejects(startServer({ args }), /--management-bind 0\.0\.0\.0 \(or --management-public\) needs --management-keys/);
});

test('a malformed keys file refuses to start', T, async () => {
  const bad = pathJoin(dir, 'bad-keys');
  writeFileSync(bad, 'no-colon-here\n');
  await assert.rejects(startServer({ args: ['--management-keys', bad] }), /expected ACCESS_KEY_ID:SECRET/);
});

test('the old --management-public with keys still starts: the management listener on 0.0.0.0, signed calls only', T, async () => {
  const s = await startServer({ args: ['--management-keys', keysFile, '--management-public', '--region', 'eu-west-1'] });
  try {
    assert.match(s.stdout(), /Management API:.*\(SigV4, region eu-west-1; listening on 0\.0\.0\.0\)/);
    const j = await join(s.wsUrl, { name: 'oldflag' });
    assert.equal((await fetchT(s.connectionUrl(j.id), { method: 'POST', body: 'x' })).status, 403);
    await sdk(s, { endpoint: s.mgmtUrl }).send(new PostToConnectionCommand({ ConnectionId: j.id, Data: Buffer.from('old flag') }));
    await j.client.nextFrame((f) => f.data === 'old flag');
  } finally {
    await closeAll();
    await s.stop();
  }
});
