// `parley serve --lambda process` at the edges of the Runtime API, with a scripted bootstrap
// (lambda/fake_bootstrap.mjs) copied into a temporary folder: what each Lambda environment is
// given, warm reuse, and every failure (crash, timeout, /error, init exit, init error,
// throttling) answered as API Gateway answers it — the handshake status for $connect, the
// error frame for a message (aws-contract.md §1.1, §1.4) — with the failed process replaced.
// Then every route of deploy/template.yaml reaching the function whose Handler serves it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, poll, repoRoot, parleyBin, fetchT } from './server.mjs';
import { connect, closeAll } from './client.mjs';
import { handshake } from './protocol.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const YAML = createRequire(join(here, 'package.json'))('yaml');

// A folder holding the scripted runtime as `bootstrap` (its LAMBDA_TASK_ROOT).
function taskRoot() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-lambda-'));
  copyFileSync(join(here, 'lambda', 'fake_bootstrap.mjs'), join(dir, 'bootstrap'));
  return dir;
}

const records = (dir) => {
  const file = join(dir, 'records.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
};
const events = (dir, pred = () => true) => records(dir).filter((r) => r.kind === 'event' && pred(r));
const inits = (dir, fn) => records(dir).filter((r) => r.kind === 'init' && r.env.AWS_LAMBDA_FUNCTION_NAME === fn);

// $connect, the work route (Timeout 1 s) and the slow route (one reserved environment).
const TEST_TEMPLATE = `
Parameters:
  Greeting: {Type: String, Default: hello}
Globals:
  Function:
    Timeout: 1
    Environment:
      Variables:
        WEBSOCKET_TABLE: !Ref ConnectionsTable
        GREETING: !Ref Greeting
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.action"}
  ConnectionsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: connectionid, AttributeType: S}]
      KeySchema: [{AttributeName: connectionid, KeyType: HASH}]
  ConnectFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: connect, MemorySize: 256, Environment: {Variables: {OWN: "yes"}}}
  WorkFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: work}
  SlowFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: slow, Timeout: 20, ReservedConcurrentExecutions: 1}
  DoubleFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: double}
  DoubleIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt DoubleFunction.Arn}
  DoubleRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: double, Target: !Sub "integrations/\${DoubleIntegration}"}
  ConnectIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !Sub "arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${ConnectFunction.Arn}/invocations"}
  WorkIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !Sub "arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${WorkFunction.Arn}/invocations"}
  SlowIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !Sub "arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${SlowFunction.Arn}/invocations"}
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: "$connect", Target: !Sub "integrations/\${ConnectIntegration}"}
  WorkRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: work, Target: !Sub "integrations/\${WorkIntegration}"}
  SlowRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: slow, Target: !Sub "integrations/\${SlowIntegration}"}
`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the Runtime API edge cases', () => {
  let dir;
  let srv;
  before(async () => {
    dir = taskRoot();
    writeFileSync(join(dir, 'template.yaml'), TEST_TEMPLATE);
    srv = await startServer({
      integration: 'in-process',  // the flags below instead of PARLEY_BOOTSTRAP
      args: ['--lambda', 'process', '--template', join(dir, 'template.yaml'), '--bootstrap', join(dir, 'bootstrap')],
      env: { PARLEY_LEAK_CHECK: 'must-not-reach-functions' },
    });
  });
  after(async () => {
    await closeAll();
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const connectWith = (mode) => handshake(`${srv.wsUrl}?mode=${mode}`);
  // The server's log matches `re`; the line may reach the pipe after the client's answer.
  const logged = async (re) => {
    await poll(() => re.test(srv.stderr()));
    assert.match(srv.stderr(), re);
  };
  const connectEvents = () => events(dir, (r) => r.routeKey === '$connect');

  test('an environment gets what Lambda sets, the template variables and the local ones, nothing else', async () => {
    assert.equal((await connectWith('ok')).status, 101);
    const init = inits(dir, 'ConnectFunction')[0];
    assert.ok(init, 'the connect function started');
    const env = init.env;
    assert.equal(env._HANDLER, 'connect');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_REGION, 'us-east-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
    assert.match(env.AWS_LAMBDA_RUNTIME_API, /^127\.0\.0\.1:\d+$/);
    assert.equal(env.LAMBDA_TASK_ROOT, dir);
    assert.equal(env.TZ, 'UTC');
    assert.equal(env.WEBSOCKET_TABLE, 'parley-connections', '!Ref of a table: its local name');
    assert.equal(env.GREETING, 'hello', "!Ref of a parameter: its Default");
    assert.equal(env.OWN, 'yes');
    assert.equal(env.PARLEY_SQLITE_FILE, join(srv.dataDir, 'parley.db'));
    assert.equal(env.PARLEY_MANAGEMENT_ENDPOINT, srv.mgmtUrl, 'the management listener');
    assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY, 'credentials for SigV4');
    assert.equal(env.PARLEY_LEAK_CHECK, undefined, "the gateway's own environment is not inherited");
    assert.equal(env.AWS_LAMBDA_FUNCTION_TIMEOUT, undefined, 'Lambda sets no such variable');

    const [ev] = connectEvents();
    assert.equal(ev.handler, 'connect');
    assert.equal(ev.eventType, 'CONNECT');
    assert.match(ev.id, UUID_RE);
    assert.equal(ev.arn, 'arn:aws:lambda:us-east-1:123456789012:function:ConnectFunction');
    assert.match(ev.trace, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    // The deadline is the function's timeout (1 s) from delivery, which came before `now`.
    assert.ok(ev.deadline <= ev.now + 1000 && ev.deadline > ev.now - 5000, `deadline ${ev.deadline - ev.now} ms ahead`);
  });

  test('a warm environment is reused', async () => {
    assert.equal((await connectWith('ok')).status, 101);
    assert.equal((await connectWith('ok')).status, 101);
    const pids = new Set(connectEvents().map((e) => e.pid));
    assert.equal(pids.size, 1, `one process served every $connect: ${[...pids]}`);
    assert.equal(inits(dir, 'ConnectFunction').length, 1);
  });

  test('$connect returning 403 refuses the handshake with 403', async () => {
    assert.equal((await connectWith('status')).status, 403);
  });

  test('$connect whose process crashes: 502, and the next $connect gets a fresh process', async () => {
    const before = inits(dir, 'ConnectFunction').length;
    assert.equal((await connectWith('crash')).status, 502);
    assert.equal((await connectWith('ok')).status, 101);
    const crashed = connectEvents().find((e) => e.mode === 'crash');
    const after = connectEvents().at(-1);
    assert.notEqual(after.pid, crashed.pid, 'replaced');
    assert.equal(inits(dir, 'ConnectFunction').length, before + 1);
    assert.match(srv.stderr(), /Runtime\.ExitError.*exit status 2/);
  });

  test('$connect past the function timeout: killed, 502 (a Lambda error, not the 29 s gateway timeout), replaced', async () => {
    const started = Date.now();
    assert.equal((await connectWith('sleep')).status, 502);
    const took = Date.now() - started;
    assert.ok(took >= 900 && took < 5000, `answered after ${took} ms, the timeout is 1 s`);
    assert.match(srv.stderr(), /Sandbox\.Timedout.*Task timed out after 1\.00 seconds/);
    const slept = connectEvents().find((e) => e.mode === 'sleep');
    await poll(() => { try { process.kill(slept.pid, 0); return false; } catch { return true; } }, { timeoutMs: 3000 });
    assert.throws(() => process.kill(slept.pid, 0), 'the timed-out process was killed');
    assert.equal((await connectWith('ok')).status, 101);
    assert.notEqual(connectEvents().at(-1).pid, slept.pid);
  });

  test('$connect posting /error: 502, and the same environment serves the next one', async () => {
    assert.equal((await connectWith('error')).status, 502);
    await logged(/Fake\.HandlerFailed/);
    assert.equal((await connectWith('ok')).status, 101);
    const failed = connectEvents().find((e) => e.mode === 'error');
    assert.equal(connectEvents().at(-1).pid, failed.pid, 'a function error does not end the environment');
  });

  test('a runtime that exits during init, or posts /runtime/init/error: 502, then a fresh one works', async () => {
    const count = () => inits(dir, 'ConnectFunction').length;
    // Make every new environment fail its init, and force a new one: crash the warm one.
    writeFileSync(join(dir, 'init-mode'), 'exit');
    assert.equal((await connectWith('crash')).status, 502);
    let n = count();
    assert.equal((await connectWith('ok')).status, 502);
    assert.equal(count(), n + 1, 'a cold start that exited');
    await logged(/exit status 3/);

    writeFileSync(join(dir, 'init-mode'), 'error');
    n = count();
    assert.equal((await connectWith('ok')).status, 502);
    assert.equal(count(), n + 1);
    await logged(/Fake\.InitFailed/);

    rmSync(join(dir, 'init-mode'));
    assert.equal((await connectWith('ok')).status, 101);
  });

  test('a message whose function crashes gets the Internal server error frame; the next one is served by a new process', async () => {
    const c = await connect(srv.wsUrl + '?mode=ok');
    c.send({ action: 'work', mode: 'crash' });
    const err = await c.next((m) => m.message !== undefined, 5000, 'the gateway error frame');
    assert.equal(err.message, 'Internal server error');
    assert.equal(err.connectionId.length, 16);
    assert.ok(err.requestId);
    c.send({ action: 'work', mode: 'ok' });
    const served = await poll(() => records(dir).find((r) => r.kind === 'answered' &&
      events(dir, (e) => e.routeKey === 'work' && e.mode === 'ok').some((e) => e.id === r.id)), { timeoutMs: 5000 });
    assert.ok(served, 'the next work message was answered');
    const work = events(dir, (e) => e.routeKey === 'work');
    assert.notEqual(work.at(-1).pid, work.find((e) => e.mode === 'crash').pid);
    c.close();
  });

  test('a message past the function timeout gets the Internal server error frame', async () => {
    const c = await connect(srv.wsUrl + '?mode=ok');
    const started = Date.now();
    c.send({ action: 'work', mode: 'sleep' });
    const err = await c.next((m) => m.message !== undefined, 5000, 'the gateway error frame');
    assert.equal(err.message, 'Internal server error');
    assert.ok(Date.now() - started >= 900);
    c.close();
  });

  test('a message posting /error gets the Internal server error frame', async () => {
    const c = await connect(srv.wsUrl + '?mode=ok');
    c.send({ action: 'work', mode: 'error' });
    const err = await c.next((m) => m.message !== undefined, 5000, 'the gateway error frame');
    assert.equal(err.message, 'Internal server error');
    c.close();
  });

  test('a second GET /next from one runtime takes over; the first request is closed', async () => {
    const c = await connect(srv.wsUrl + '?mode=ok');
    c.send({ action: 'double', mode: 'ok' });  // cold start; once answered, the runtime asks twice
    // The older request is closed as soon as the newer one arrives, while both wait.
    const first = await poll(() => records(dir).find((r) => r.kind === 'first-next'), { timeoutMs: 5000 });
    assert.equal(first?.outcome, 'closed');
    c.send({ action: 'double', mode: 'ok' });
    const served = await poll(() => records(dir).some((r) => r.kind === 'answered' &&
      events(dir, (e) => e.routeKey === 'double')[1]?.id === r.id), { timeoutMs: 5000 });
    assert.ok(served, 'the newer request got the event, and it was answered');
    c.close();
  });

  test('beyond ReservedConcurrentExecutions the invocation is throttled: Internal server error at once', async () => {
    // Two connections (the gateway runs one frame at a time per connection, in order).
    const a = await connect(srv.wsUrl + '?mode=ok');
    const b = await connect(srv.wsUrl + '?mode=ok');
    a.send({ action: 'slow', mode: 'hold' });
    await poll(() => events(dir, (e) => e.routeKey === 'slow').length === 1, { timeoutMs: 5000 });
    b.send({ action: 'slow', mode: 'ok' });
    // Refused, not queued: a queued one would have run (and succeeded) after the first.
    const err = await b.next((m) => m.message !== undefined, 5000, 'the throttle error frame');
    assert.equal(err.message, 'Internal server error');
    assert.match(srv.stderr(), /lambda throttled.*SlowFunction/);
    assert.equal(events(dir, (e) => e.routeKey === 'slow').length, 1, 'the throttled one never ran');
    // Once the environment is free again, it serves the next one (warm).
    writeFileSync(join(dir, 'release'), '');
    await poll(() => records(dir).some((r) => r.kind === 'answered' &&
      events(dir, (e) => e.routeKey === 'slow')[0].id === r.id), { timeoutMs: 5000 });
    b.send({ action: 'slow', mode: 'ok' });
    await poll(() => events(dir, (e) => e.routeKey === 'slow').length === 2, { timeoutMs: 5000 });
    const slow = events(dir, (e) => e.routeKey === 'slow');
    assert.equal(slow[1].pid, slow[0].pid);
    const metrics = await (await fetchT(srv.metricsUrl)).text();
    assert.match(metrics, /parley_lambda_throttles_total\{function="SlowFunction"\} 1\n/);
    assert.match(metrics, /parley_lambda_cold_starts_total\{function="SlowFunction"\} 1\n/);
    const connectStarts = Number(/parley_lambda_cold_starts_total\{function="ConnectFunction"\} (\d+)/.exec(metrics)[1]);
    assert.equal(connectStarts, inits(dir, 'ConnectFunction').length, 'one cold start per process');
    assert.equal(a.messages.filter((m) => m.message !== undefined).length, 0, 'the first was not failed');
    a.close();
    b.close();
  });
});

describe('idle environments', () => {
  test('a warm environment unused for --lambda-idle seconds is stopped; the next invocation cold-starts', async () => {
    const dir = taskRoot();
    writeFileSync(join(dir, 'template.yaml'), TEST_TEMPLATE);
    const srv = await startServer({ integration: 'in-process', args: ['--lambda', 'process',
      '--template', join(dir, 'template.yaml'), '--bootstrap', join(dir, 'bootstrap'), '--lambda-idle', '1'] });
    try {
      assert.equal((await handshake(`${srv.wsUrl}?mode=ok`)).status, 101);
      const first = events(dir, (e) => e.routeKey === '$connect')[0].pid;
      const gone = await poll(() => { try { process.kill(first, 0); return false; } catch { return true; } }, { timeoutMs: 5000 });
      assert.ok(gone, 'the idle process was stopped');
      assert.match(srv.stderr(), /lambda environment reclaimed/);
      assert.equal((await handshake(`${srv.wsUrl}?mode=ok`)).status, 101);
      const second = events(dir, (e) => e.routeKey === '$connect')[1].pid;
      assert.notEqual(second, first);
    } finally {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('process mode start-up', () => {
  test('a missing bootstrap or a broken template is a clear error, not a crash', () => {
    const dir = taskRoot();
    try {
      const run = (...args) => spawnSync(parleyBin, ['serve', '--port', '0', '--data', dir, '--lambda', 'process', ...args],
        { encoding: 'utf8', timeout: 10_000 });
      let r = run('--bootstrap', join(dir, 'nope'));
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /bootstrap .*nope is missing or not executable/);
      writeFileSync(join(dir, 'bad.yaml'), 'Resources: {}\n');
      r = run('--bootstrap', join(dir, 'bootstrap'), '--template', join(dir, 'bad.yaml'));
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /bad\.yaml: no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET/);
      r = run('--lambda', 'thread');
      assert.match(r.stderr, /--lambda must be process/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// CloudFormation's short-form tags as plain values: enough to follow Target and IntegrationUri.
const cfnTags = ['Ref', 'Sub', 'GetAtt'].map((n) => ({ tag: `!${n}`, resolve: (v) => v }));

describe('routes are defined once', () => {
  test('every route of deploy/template.yaml reaches the function whose Handler it names', async () => {
    const template = YAML.parse(readFileSync(join(repoRoot, 'deploy', 'template.yaml'), 'utf8'), { customTags: cfnTags });
    const res = template.Resources;
    const expected = new Map();  // route key → {fn, handler}
    for (const [, r] of Object.entries(res).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')) {
      const integration = /integrations\/\$\{(\w+)\}/.exec(r.Properties.Target)[1];
      const fn = /functions\/\$\{(\w+)\.Arn\}/.exec(res[integration].Properties.IntegrationUri)[1];
      expected.set(r.Properties.RouteKey, { fn, handler: res[fn].Properties.Handler });
    }
    assert.ok(expected.size >= 12, `${expected.size} routes`);

    const dir = taskRoot();
    const srv = await startServer({ integration: 'in-process', args: ['--lambda', 'process', '--bootstrap', join(dir, 'bootstrap')] });
    try {
      const c = await connect(srv.wsUrl);
      const custom = [...expected.keys()].filter((k) => !k.startsWith('$'));
      for (const action of custom) c.send({ action });
      c.send({ action: 'no-such-route' });
      c.send('not json');
      await poll(() => events(dir, (e) => e.routeKey !== '$connect').length >= custom.length + 2, { timeoutMs: 10_000 });
      c.close();
      await poll(() => events(dir, (e) => e.routeKey === '$disconnect').length === 1, { timeoutMs: 5000 });
      const seen = new Map(events(dir).map((e) => [e.routeKey, e]));
      for (const [key, { fn, handler }] of expected) {
        const e = seen.get(key);
        assert.ok(e, `route ${key} was invoked`);
        assert.equal(e.fn, fn, `route ${key} → function`);
        assert.equal(e.handler, handler, `route ${key} → Handler`);
      }
      assert.equal(events(dir, (e) => e.routeKey === '$default').length, 2, 'unknown action and non-JSON → $default');
    } finally {
      await closeAll();
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
