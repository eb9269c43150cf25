// `parley local TEMPLATE`: one's own API Gateway WebSocket app, from a template written the way
// AWS's sample simple-websockets-chat-app writes it (lambda/sample/template.yaml: Parameters,
// `Target: !Join ['/', ['integrations', !Ref X]]`, a table named by !Ref TableName, a REQUEST
// authorizer function on $connect, a two-way echo route), its functions a custom runtime
// (lambda/sample/functions/bootstrap), against dynalite with --create-tables and
// --parameter-overrides. What a client and the table see is what AWS would give:
// the authorizer's 401/403/500 refusals, its context in every event, rows written by $connect
// and deleted by $disconnect, a broadcast by sendmessage, the echo's body sent back and the
// one-way sendmessage's body not.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parleyBin, poll, sleep, startServer } from './server.mjs';
import { connect, closeAll } from './client.mjs';
import { handshake } from './protocol.mjs';
import { startDynalite } from './dynalite.mjs';
import { dynamo } from './lambda/sample/functions/dynamo.mjs';
import { hs256, now } from './tokens.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sample = join(here, 'lambda', 'sample');
const template = join(sample, 'template.yaml');
const bootstrap = join(sample, 'functions', 'bootstrap');
const TABLE = 'chat_conns';

// A data directory of its own for each run (the generated certificate, the SQLite file), removed
// at the end: never ./data in the working directory.
const scratchDirs = [];
function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-local-'));
  scratchDirs.push(dir);
  return dir;
}
process.on('exit', () => { for (const d of scratchDirs) rmSync(d, { recursive: true, force: true }); });

// Runs `parley local` until its banner; resolves {child, port, stdout(), stop()}.
async function startLocal(dynaliteUrl, extra = [], stage = 'Prod') {
  const argv = ['local', template, '--port', '0', '--bind', '127.0.0.1', '--data', scratch(), '--store', 'dynamodb',
    '--dynamodb-endpoint', dynaliteUrl, '--create-tables', '--bootstrap', bootstrap,
    '--parameter-overrides', `TableName=${TABLE}`, 'StageName=Prod', ...extra];
  const child = spawn(parleyBin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { err = (err + d).slice(-20000); });
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no banner within 20 s\n${out}\n${err}`)), 20_000);
    const look = () => {
      const m = new RegExp(`WebSocket:\\s+ws://127\\.0\\.0\\.1:(\\d+)/${stage}\\n`).exec(out);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    };
    child.stdout.on('data', look);
    exited.then((x) => { clearTimeout(timer); rej(new Error(`parley local exited (${x.code})\n${out}\n${err}`)); });
  });
  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}/${stage}`,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    },
  };
}

const rows = async (url) =>
  (await dynamo('Scan', { TableName: TABLE }, { endpoint: url })).Items.map((i) => ({ id: i.connectionId.S, user: i.user.S }));

describe('parley local: a template in the shape of AWS\'s sample', () => {
  let dir;
  let dyn;
  let srv;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-local-'));
    dyn = await startDynalite({ path: join(dir, 'dynalite') });
    srv = await startLocal(dyn.url);
  });
  after(async () => {
    await closeAll();
    await srv?.stop();
    await dyn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the template\'s table is created under the name !Ref gives it, as the template defines it', async () => {
    assert.match(srv.stdout(), new RegExp(`table ${TABLE}: created`));
    const { Table } = await dynamo('DescribeTable', { TableName: TABLE }, { endpoint: dyn.url });
    assert.deepEqual(Table.KeySchema, [{ AttributeName: 'connectionId', KeyType: 'HASH' }]);
    assert.equal(Table.ProvisionedThroughput.ReadCapacityUnits, 5);
  });

  test('the REQUEST authorizer: 401 without the identity source or on "Unauthorized", 403 on Deny, 500 when it fails', async () => {
    const answer = async (query) => {
      const { status, body } = await handshake(`${srv.wsUrl}${query}`);
      return { status, body };
    };
    assert.deepEqual(await answer(''), { status: 401, body: '{"message":"Unauthorized"}' });
    assert.deepEqual(await answer('?token='), { status: 401, body: '{"message":"Unauthorized"}' });
    assert.deepEqual(await answer('?token=unauthorized'), { status: 401, body: '{"message":"Unauthorized"}' });
    assert.deepEqual(await answer('?token=deny'), { status: 403, body: '{"message":"Forbidden"}' });
    const failed = { status: 500, body: '{"message":"Internal server error"}' };
    assert.deepEqual(await answer('?token=garbage'), failed);
    assert.deepEqual(await answer('?token=crash'), failed);
    // Past the authorizer function's Timeout (3 s): killed, Sandbox.Timedout, 500.
    assert.deepEqual(await answer('?token=hang'), failed);
    // The crashed environment is replaced: the authorizer answers again.
    assert.deepEqual(await answer('?token=deny'), { status: 403, body: '{"message":"Forbidden"}' });
    assert.equal((await rows(dyn.url)).length, 0, 'no refused connection reached $connect');
  });

  test('allowed: the context reaches the events, $connect writes the row, echo is two-way, sendmessage broadcasts one-way, $disconnect deletes', async () => {
    const alice = await connect(`${srv.wsUrl}?token=alice`);
    const bob = await connect(`${srv.wsUrl}?token=bob`);
    await poll(async () => (await rows(dyn.url)).length === 2, { timeoutMs: 5000 });
    assert.deepEqual((await rows(dyn.url)).map((r) => r.user).sort(), ['alice', 'bob']);

    alice.send({ action: 'echo', data: 'ping' });
    const echoed = await alice.next((m) => m.echo === 'ping');
    const a = echoed.authorizer;
    assert.equal(a.principalId, 'user-alice');
    assert.equal(a.user, 'alice');
    assert.equal(a.level, '3');       // AWS hands the context on as strings
    assert.equal(a.admin, 'true');
    assert.equal(a.type, 'REQUEST');
    assert.equal(a.stage, 'Prod');
    assert.match(a.methodArn, /^arn:aws:execute-api:us-east-1:123456789012:[^/]+\/Prod\/\$connect$/);
    assert.equal(typeof a.integrationLatency, 'number');

    alice.send({ action: 'sendmessage', data: 'hello all' });
    await alice.nextFrame((f) => f.data === 'hello all');
    await bob.nextFrame((f) => f.data === 'hello all');
    await sleep(300);  // the one-way route's "Data sent." must not follow
    assert.ok(!alice.frames.some((f) => f.data === 'Data sent.'), 'the one-way route\'s body was sent');

    bob.close();
    await bob.closed();
    await poll(async () => (await rows(dyn.url)).length === 1, { timeoutMs: 5000 });
    assert.deepEqual((await rows(dyn.url)).map((r) => r.user), ['alice']);
  });

  test('a second start finds its table there (idempotent); --stage overrides the template\'s Stage', async () => {
    const again = await startLocal(dyn.url, ['--stage', 'again'], 'again');
    try {
      assert.match(again.stdout(), new RegExp(`table ${TABLE}: already there`));
    } finally {
      await again.stop();
    }
  });
});

// Parley's own deploy/template.yaml has a REQUEST authorizer when JwtSecret is given: its
// AuthorizeFunction (the bootstrap's `authorize`, src/auth/lambda_authorizer) then runs before
// $connect exactly as the sample's does.
describe('deploy/template.yaml with --parameter-overrides JwtSecret: its own authorizer function', () => {
  const secret = 'a-secret-of-at-least-thirty-two-bytes!';
  let srv;
  before(async () => {
    srv = await startServer({ store: 'sqlite', integration: 'process', args: ['--parameter-overrides', `JwtSecret=${secret}`] });
  });
  after(async () => {
    await closeAll();
    await srv?.stop();
  });

  test('401 without a token, 403 with a bad one, in with a good one', async () => {
    assert.equal((await handshake(srv.wsUrl)).status, 401);
    const forged = hs256('another-secret-of-at-least-32-bytes!!', { sub: 'u1', exp: now() + 300 });
    assert.equal((await handshake(`${srv.wsUrl}?token=${forged}`)).status, 403);
    const good = hs256(secret, { sub: 'u1', 'cognito:username': 'ann', exp: now() + 300 });
    const c = await connect(`${srv.wsUrl}?token=${good}`);
    c.send({ action: 'ping' });
    await c.next((m) => m.type === 'pong', 10_000, 'the pong');
  });
});

describe('parley local: bad input', () => {
  test('a template that cannot run locally is refused with the resource and property, exit status 2', () => {
    const r = spawnSync(parleyBin, ['local', template, '--port', '0', '--data', scratch(), '--bootstrap', bootstrap,
      '--parameter-overrides', 'StageName=Test'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Parameters\.StageName: 'Test' is not one of its AllowedValues \(Prod, Dev\)/);
    const missing = spawnSync(parleyBin, ['local', join(sample, 'nope.yaml'), '--data', scratch()], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no template .*nope\.yaml; give its path/);
  });
});
