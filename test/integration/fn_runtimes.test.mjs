// The user's own Python and Node.js functions under `parley serve --lambda process`, each run
// by its template Runtime through the runtime clients Parley ships (runtimes/python,
// runtimes/node): the handler and context as AWS gives them, errors and init errors reported
// as Lambda reports them, each failure answered to the client as API Gateway answers it with
// the gateway staying up, the SDK endpoints and https trust the functions get, their logs, and
// hot reload. The functions are written into a temporary folder by this file.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, poll } from './server.mjs';

// poll() returns the last value when time runs out: this fails the test instead.
const until = async (fn, opts, what = String(fn)) => assert.ok(await poll(fn, opts), `timed out waiting for ${what}`);
import { connect, closeAll } from './client.mjs';
import { handshake } from './protocol.mjs';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const PROBE_PY = `
import json, os, socket, sys, time

VERSION = 1
RECORDS = os.environ['RECORDS']

def record(kind, **kw):
    with open(RECORDS, 'a') as f:
        f.write(json.dumps(dict(kind=kind, pid=os.getpid(), lang='py', **kw)) + '\\n')

record('init', version=VERSION)

def handler(event, context):
    mode = json.loads(event.get('body') or '{}').get('mode', 'ok')
    record('event', mode=mode, version=VERSION, id=context.aws_request_id)
    if mode == 'context':
        record('context', function_name=context.function_name,
               function_version=context.function_version,
               invoked_function_arn=context.invoked_function_arn,
               memory_limit_in_mb=context.memory_limit_in_mb,
               aws_request_id=context.aws_request_id, log_group_name=context.log_group_name,
               log_stream_name=context.log_stream_name,
               identity=[context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
               client_context=context.client_context,
               remaining=context.get_remaining_time_in_millis(), cwd=os.getcwd(), path0=sys.path[0],
               env={k: os.environ.get(k) for k in ['LAMBDA_TASK_ROOT', 'AWS_EXECUTION_ENV', 'AWS_ACCESS_KEY_ID',
                    'AWS_SECRET_ACCESS_KEY', 'AWS_CA_BUNDLE', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS',
                    'AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI', '_X_AMZN_TRACE_ID', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE']})
    elif mode == 'boto':
        import boto3
        record('boto', dynamodb=boto3.client('dynamodb').meta.endpoint_url,
               mgmt=boto3.client('apigatewaymanagementapi').meta.endpoint_url,
               explicit=boto3.client('dynamodb', endpoint_url='http://127.0.0.1:1').meta.endpoint_url)
    elif mode == 'raise':
        raise ValueError('the probe was asked to fail')
    elif mode == 'exit':
        sys.stdout.flush()
        os._exit(3)
    elif mode == 'sleep':
        time.sleep(30)
    elif mode == 'garbage':
        # Garbage at the Runtime API (not HTTP), then a normal answer.
        host, port = os.environ['AWS_LAMBDA_RUNTIME_API'].split(':')
        s = socket.create_connection((host, int(port)))
        s.sendall(b'\\x00\\x01 this is not HTTP\\r\\n\\r\\n' + b'x' * 1000)
        s.close()
    elif mode == 'malformed':
        return {'statusCode': 'two hundred'}
    elif mode == 'marshal':
        return {'statusCode': 200, 'body': {1, 2, 3}}
    elif mode == 'huge':
        return {'statusCode': 200, 'body': 'x' * (7 * 1024 * 1024)}
    elif mode == 'print':
        print('hello from the python handler')
        print('second line', file=sys.stderr)
    return {'statusCode': 200, 'body': 'ok'}
`;

const CONNECT_PY = `
import json, os
def handler(event, context):
    mode = (event.get('queryStringParameters') or {}).get('mode', 'ok')
    if mode == 'raise':
        raise RuntimeError('refused by the probe')
    if mode == 'malformed':
        return 'not a proxy response'
    return {'statusCode': 200}
`;

// ES module by package.json "type": "module", file app.js, async handler.
const ESM_JS = `
import { appendFileSync } from 'node:fs';
export const VERSION = 1;
const record = (kind, o = {}) => appendFileSync(process.env.RECORDS, JSON.stringify({ kind, pid: process.pid, lang: 'esm', ...o }) + '\\n');
record('init');
export const handler = async (event, context) => {
  const { mode = 'ok' } = JSON.parse(event.body || '{}');
  record('event', { mode, id: context.awsRequestId });
  if (mode === 'context') {
    record('context', {
      functionName: context.functionName, functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId, logGroupName: context.logGroupName, logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop,
      cwd: process.cwd(), env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, AWS_EXECUTION_ENV: process.env.AWS_EXECUTION_ENV },
    });
  }
  if (mode === 'throw') throw new TypeError('the esm probe was asked to fail');
  if (mode === 'reject') return Promise.reject(new Error('rejected on purpose'));
  if (mode === 'bigint') return { statusCode: 200, body: 1n };
  if (mode === 'late-throw') {
    // An exception no handler catches (a timer's): the invocation fails and the process ends.
    setTimeout(() => { throw new SyntaxError('thrown from a timer'); }, 1);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (mode === 'huge') return { statusCode: 200, body: 'x'.repeat(7 * 1024 * 1024) };
  if (mode === 'print') console.log('hello from %s', 'the node handler');
  if (mode === 'https') {
    // The management API over https, trusted through NODE_EXTRA_CA_CERTS (no SDK), unsigned:
    // refused as on AWS (only signed calls), but the TLS handshake went through.
    const url = 'https://' + event.requestContext.domainName + '/' + event.requestContext.stage +
      '/@connections/' + encodeURIComponent(event.requestContext.connectionId);
    const res = await fetch(url, { method: 'POST', body: 'posted over https' });
    record('https', { status: res.status, errorType: res.headers.get('x-amzn-errortype') });
  }
  return { statusCode: 200, body: 'ok' };
};
`;

// CommonJS (no package.json type), nested folder, callback handler with three parameters.
const CJS_JS = `
const { appendFileSync } = require('node:fs');
const record = (kind, o = {}) => appendFileSync(process.env.RECORDS, JSON.stringify({ kind, pid: process.pid, lang: 'cjs', ...o }) + '\\n');
exports.handler = function (event, context, callback) {
  const { mode = 'ok' } = JSON.parse(event.body || '{}');
  record('event', { mode, id: context.awsRequestId, remaining: context.getRemainingTimeInMillis() });
  if (mode === 'error') return callback(new RangeError('callback error'));
  setTimeout(() => callback(null, { statusCode: 200, body: 'from a callback' }), 5);
};
`;

// A custom runtime: CodeUri's own bootstrap (provided.al2023), speaking the Runtime API itself.
const CUSTOM_BOOTSTRAP = `#!/usr/bin/env node
const { appendFileSync } = require('node:fs');
const base = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime';
(async () => {
  for (;;) {
    const next = await fetch(base + '/invocation/next');
    const id = next.headers.get('lambda-runtime-aws-request-id');
    await next.text();
    appendFileSync(process.env.RECORDS, JSON.stringify({ kind: 'event', lang: 'custom', pid: process.pid, id,
      root: process.env.LAMBDA_TASK_ROOT, cwd: process.cwd(), handler: process.env._HANDLER }) + '\\n');
    await fetch(base + '/invocation/' + id + '/response', { method: 'POST', body: '{"statusCode": 200}' });
  }
})();
`;

// .mjs without any package.json.
const MJS = `
import { appendFileSync } from 'node:fs';
export async function handler(event, context) {
  appendFileSync(process.env.RECORDS, JSON.stringify({ kind: 'event', lang: 'mjs', pid: process.pid, id: context.awsRequestId }) + '\\n');
  return { statusCode: 200 };
}
`;

const fnProps = (props) => `{${Object.entries(props).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
const route = (key, fn, props) => `
  ${fn}:
    Type: AWS::Serverless::Function
    Properties: ${fnProps(props)}
  ${fn}Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !Sub "arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fn}.Arn}/invocations"}
  ${fn}Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: "${key}", Target: !Sub "integrations/\${${fn}Integration}"}`;

function writeApp(dir) {
  const records = join(dir, 'records.jsonl');
  mkdirSync(join(dir, 'py'));
  writeFileSync(join(dir, 'py', 'probe.py'), PROBE_PY);
  writeFileSync(join(dir, 'py', 'connect.py'), CONNECT_PY);
  writeFileSync(join(dir, 'py', 'boom.py'), "raise KeyError('TABLE_NAME')\ndef handler(e, c):\n    return {}\n");
  mkdirSync(join(dir, 'esm'));
  writeFileSync(join(dir, 'esm', 'package.json'), '{"type": "module"}');
  writeFileSync(join(dir, 'esm', 'app.js'), ESM_JS);
  mkdirSync(join(dir, 'cjs', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'cjs', 'lib', 'app.js'), CJS_JS);
  mkdirSync(join(dir, 'custom'));
  writeFileSync(join(dir, 'custom', 'bootstrap'), CUSTOM_BOOTSTRAP, { mode: 0o755 });
  mkdirSync(join(dir, 'mjs'));
  writeFileSync(join(dir, 'mjs', 'index.mjs'), MJS);
  writeFileSync(join(dir, 'template.yaml'), `
Globals:
  Function:
    Timeout: 1
    Environment:
      Variables:
        RECORDS: ${records}
        AWS_ENDPOINT_URL_DYNAMODB: http://127.0.0.1:9
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.action"}
${route('$connect', 'ConnectFunction', { Runtime: 'python3.12', CodeUri: 'py/', Handler: 'connect.handler' })}
${route('py', 'PyFunction', { Runtime: 'python3.11', CodeUri: 'py', Handler: 'probe.handler', MemorySize: 256 })}
${route('pyslow', 'PySlowFunction', { Runtime: 'python3.13', CodeUri: 'py', Handler: 'probe.handler', Timeout: 8 })}
${route('esm', 'EsmFunction', { Runtime: 'nodejs20.x', CodeUri: 'esm', Handler: 'app.handler' })}
${route('cjs', 'CjsFunction', { Runtime: 'nodejs18.x', CodeUri: 'cjs', Handler: 'lib/app.handler' })}
${route('custom', 'CustomFunction', { Runtime: 'provided.al2023', CodeUri: 'custom', Handler: 'my.handler' })}
${route('mjs', 'MjsFunction', { Runtime: 'nodejs22.x', CodeUri: 'mjs', Handler: 'index.handler' })}
${route('pynomodule', 'PyNoModuleFunction', { Runtime: 'python3.12', CodeUri: 'py', Handler: 'missing.handler' })}
${route('pyboom', 'PyBoomFunction', { Runtime: 'python3.12', CodeUri: 'py', Handler: 'boom.handler' })}
${route('pynohandler', 'PyNoHandlerFunction', { Runtime: 'python3.12', CodeUri: 'py', Handler: 'probe.nothing' })}
${route('nodenohandler', 'NodeNoHandlerFunction', { Runtime: 'nodejs20.x', CodeUri: 'esm', Handler: 'app.nothing' })}
`);
  return records;
}

describe('Python and Node.js functions run by their Runtime', () => {
  let dir;
  let records;
  let srv;
  let client;
  const all = () => (existsSync(records) ? readFileSync(records, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const find = (pred) => all().filter(pred);
  const send = (action, mode) => client.send({ action, mode });
  const errorFrame = (text = 'Internal server error', timeoutMs = 8000) => client.next((m) => m.message === text, timeoutMs, `"${text}"`);
  const eventOf = async (lang, mode) => {
    let e;
    await until(() => (e = find((r) => r.kind === 'event' && r.lang === lang && r.mode === mode).at(-1)), { timeoutMs: 8000 });
    return e;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-fn-'));
    records = writeApp(dir);
    srv = await startServer({
      integration: 'in-process',
      args: ['--lambda', 'process', '--template', join(dir, 'template.yaml'), '--integration-timeout', '5000'],
      env: { AWS_ACCESS_KEY_ID: 'AKIAREALMACHINEKEY', AWS_SECRET_ACCESS_KEY: 'real-secret' },
    });
    client = await connect(srv.wsUrl);
  });
  after(async () => {
    await closeAll();
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Python: the context object as AWS gives it, the task root, placeholder credentials, https trust', async () => {
    send('py', 'context');
    let c;
    await until(() => (c = find((r) => r.kind === 'context' && r.lang === 'py')[0]), { timeoutMs: 15000 });
    assert.equal(c.function_name, 'PyFunction');
    assert.equal(c.function_version, '$LATEST');
    assert.equal(c.invoked_function_arn, 'arn:aws:lambda:us-east-1:123456789012:function:PyFunction');
    assert.equal(c.memory_limit_in_mb, '256');
    assert.match(c.aws_request_id, UUID_RE);
    assert.equal(c.log_group_name, '/aws/lambda/PyFunction');
    assert.match(c.log_stream_name, /^local\/\d+$/);
    assert.deepEqual(c.identity, [null, null]);
    assert.equal(c.client_context, null);
    assert.ok(c.remaining > 0 && c.remaining <= 1000, `remaining ${c.remaining} ms of a 1 s timeout`);
    assert.equal(c.cwd, join(dir, 'py'));
    assert.equal(c.path0, join(dir, 'py'), 'the task root is first on sys.path');
    assert.equal(c.env.LAMBDA_TASK_ROOT, join(dir, 'py'));
    assert.equal(c.env.AWS_EXECUTION_ENV, 'AWS_Lambda_python3.11');
    assert.equal(c.env.AWS_ACCESS_KEY_ID, 'parleylocal', "a local key, not the machine's own credentials");
    // The secret is made for this run: the management API accepts it, nobody else knows it.
    assert.match(c.env.AWS_SECRET_ACCESS_KEY, /^[A-Za-z0-9+/]{40}$/);
    assert.match(c.env._X_AMZN_TRACE_ID, /^Root=1-/);
    for (const v of ['AWS_CA_BUNDLE', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS']) {
      assert.equal(c.env[v], join(srv.dataDir, 'tls', 'ca-bundle.pem'), v);
    }
    assert.match(readFileSync(c.env.AWS_CA_BUNDLE, 'utf8'), /BEGIN CERTIFICATE/);
    assert.equal(c.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI, `https://127.0.0.1:${srv.port}/dev`);
  });

  test("Python: boto3 (Debian's 1.26) uses AWS_ENDPOINT_URL_<SERVICE>, an explicit endpoint_url still wins", async () => {
    send('pyslow', 'boto');  // importing boto3 takes a while: the function with the longer Timeout
    let b;
    await until(() => (b = find((r) => r.kind === 'boto')[0]), { timeoutMs: 20000 });
    assert.equal(b.dynamodb, 'http://127.0.0.1:9');
    assert.equal(b.mgmt, `https://127.0.0.1:${srv.port}/dev`);
    assert.equal(b.explicit, 'http://127.0.0.1:1');
  });

  test('Python: an exception fails the invocation as Lambda reports it; the environment stays warm', async () => {
    const before = (await eventOf('py', 'context')).pid;
    send('py', 'raise');
    await errorFrame();
    assert.equal((await eventOf('py', 'raise')).pid, before, 'same process');
    // The gateway's log of the failed invocation carries Lambda's error JSON.
    await until(() => /\\"errorType\\":\\"ValueError\\",\\"errorMessage\\":\\"the probe was asked to fail/.test(srv.stderr()));
    assert.match(srv.stderr(), /\[PyFunction\] [0-9a-f-]{36}  \[ERROR\] ValueError: the probe was asked to fail/);
    assert.match(srv.stderr(), /File ".*probe\.py", line \d+, in handler/, 'the stack trace is logged');
  });

  test('Python: a result that is not JSON is Runtime.MarshalError', async () => {
    send('py', 'marshal');
    await errorFrame();
    await until(() => /Runtime\.MarshalError/.test(srv.stderr()));
    assert.match(srv.stderr(), /Unable to marshal response: Object of type set is not JSON serializable/);
  });

  test('a response over 6 MB is Function.ResponseSizeTooLarge (Python and Node.js), the environment stays', async () => {
    for (const action of ['py', 'esm']) {
      const before = find((r) => r.kind === 'event' && r.lang === action).at(-1)?.pid;
      send(action, 'huge');
      await errorFrame();
      const e = find((r) => r.kind === 'event' && r.mode === 'huge').at(-1);
      if (before) assert.equal(e.pid, before, `${action}: same environment`);
    }
    // Both reached the gateway as Lambda's error (each runtime posted it after the 413).
    await until(() => (srv.stderr().match(/"msg":"integration failed"[^\n]*Function\.ResponseSizeTooLarge/g) || []).length === 2);
  });

  test('Python: a malformed proxy response, garbage sent to the Runtime API: Internal server error or a normal answer, the gateway stays up', async () => {
    send('py', 'malformed');
    await errorFrame();
    send('py', 'garbage');
    await eventOf('py', 'garbage');
    await client.none((m) => m.message === 'Internal server error', 500, 'an error for the garbage');
    send('py', 'ok');
    await eventOf('py', 'ok');
  });

  test('Python: the process exits mid-invocation: Internal server error, a fresh environment next', async () => {
    send('py', 'exit');
    await errorFrame();
    await until(() => /Runtime\.ExitError.*exit status 3/.test(srv.stderr()));
    const crashed = (await eventOf('py', 'exit')).pid;
    send('py', 'print');
    assert.notEqual((await eventOf('py', 'print')).pid, crashed);
  });

  test('Python: past its Timeout the function is killed (Internal server error); past the integration timeout the client gets Endpoint request timed out', async () => {
    const t0 = Date.now();
    send('py', 'sleep');
    await errorFrame();
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 4000, `${took} ms for a 1 s Timeout`);
    await until(() => /Sandbox\.Timedout.*Task timed out after 1\.00 seconds/.test(srv.stderr()));
    const t1 = Date.now();
    send('pyslow', 'sleep');
    await errorFrame('Endpoint request timed out', 10000);
    const took2 = Date.now() - t1;
    assert.ok(took2 >= 4900 && took2 < 7000, `${took2} ms for the 5 s integration timeout`);
  });

  test('Python: import failures go to /runtime/init/error (Runtime.ImportModuleError, Runtime.HandlerNotFound)', async () => {
    send('pynomodule', 'ok');
    await errorFrame();
    // Posted to /runtime/init/error (the gateway's log of it), not only printed.
    await until(() => /lambda init error.*Runtime\.ImportModuleError/.test(srv.stderr()));
    assert.match(srv.stderr(), /lambda init error.*Unable to import module 'missing': No module named 'missing'/);
    send('pynohandler', 'ok');
    await errorFrame();
    await until(() => /lambda init error.*Runtime\.HandlerNotFound/.test(srv.stderr()));
    assert.match(srv.stderr(), /lambda init error.*Handler 'nothing' missing on module 'probe'/);
  });

  test('Python: a module that raises while it is imported: its exception posted to /runtime/init/error', async () => {
    send('pyboom', 'ok');
    await errorFrame();
    await until(() => /lambda init error[^\n]*PyBoomFunction|PyBoomFunction[^\n]*lambda init error/.test(srv.stderr()));
    assert.match(srv.stderr(), /lambda init error[^\n]*\\"errorType\\":\\"KeyError\\",\\"errorMessage\\":\\"'TABLE_NAME'/);
  });

  test('$connect in Python: 101; an exception or a malformed answer refuses the handshake with 502', async () => {
    assert.equal((await handshake(`${srv.wsUrl}?mode=ok`)).status, 101);
    assert.equal((await handshake(`${srv.wsUrl}?mode=raise`)).status, 502);
    assert.equal((await handshake(`${srv.wsUrl}?mode=malformed`)).status, 502);
    assert.equal((await handshake(`${srv.wsUrl}?mode=ok`)).status, 101);
  });

  test('Node.js ES module ("type": "module"): the context object, https to the management API trusted', async () => {
    send('esm', 'context');
    let c;
    await until(() => (c = find((r) => r.kind === 'context' && r.lang === 'esm')[0]), { timeoutMs: 15000 });
    assert.equal(c.functionName, 'EsmFunction');
    assert.equal(c.functionVersion, '$LATEST');
    assert.equal(c.invokedFunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:EsmFunction');
    assert.equal(c.memoryLimitInMB, '128');
    assert.match(c.awsRequestId, UUID_RE);
    assert.equal(c.logGroupName, '/aws/lambda/EsmFunction');
    assert.ok(c.remaining > 0 && c.remaining <= 1000);
    assert.equal(c.waits, true);
    assert.equal(c.cwd, join(dir, 'esm'));
    assert.equal(c.env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');

    send('esm', 'https');
    let h;
    await until(() => (h = find((r) => r.kind === 'https')[0]));
    assert.equal(h.status, 403);
    assert.equal(h.errorType, 'MissingAuthenticationTokenException');
    assert.equal(client.frames.some((f) => f.data === 'posted over https'), false);
  });

  test('Node.js: thrown and rejected errors as Lambda reports them; BigInt is a marshal error', async () => {
    send('esm', 'throw');
    await errorFrame();
    await until(() => /"errorType":"TypeError"/.test(srv.stderr()));
    assert.match(srv.stderr(), /Invoke Error \t\{"errorType":"TypeError","errorMessage":"the esm probe was asked to fail","trace":\["TypeError: the esm probe/);
    send('esm', 'reject');
    await errorFrame();
    send('esm', 'bigint');
    await errorFrame();
    await until(() => /Runtime\.MarshalError/.test(srv.stderr()));
    const pids = new Set(find((r) => r.kind === 'event' && r.lang === 'esm').map((r) => r.pid));
    assert.equal(pids.size, 1, 'function errors keep the environment');
  });

  test('Node.js: an exception thrown from a timer fails the invocation and ends the environment', async () => {
    const before = (await eventOf('esm', 'bigint')).pid;
    send('esm', 'late-throw');
    await errorFrame();
    await until(() => /"msg":"integration failed"[^\n]*SyntaxError[^\n]*thrown from a timer/.test(srv.stderr()));
    await until(() => { try { process.kill(before, 0); return false; } catch { return true; } });
    send('esm', 'ok');
    assert.notEqual((await eventOf('esm', 'ok')).pid, before, 'a fresh environment');
  });

  test('Node.js CommonJS callback handler in a subfolder, and an .mjs handler', async () => {
    send('cjs', 'ok');
    const e = await eventOf('cjs', 'ok');
    assert.ok(e.remaining > 0);
    await client.none((m) => m.message, 300, 'an error frame');
    send('cjs', 'error');
    await errorFrame();
    await until(() => /\\"errorType\\":\\"RangeError\\",\\"errorMessage\\":\\"callback error/.test(srv.stderr()));
    send('mjs');
    await until(() => find((r) => r.lang === 'mjs').length === 1, { timeoutMs: 8000 });
  });

  test("provided.al2023: CodeUri's own bootstrap runs in its folder", async () => {
    send('custom');
    let e;
    await until(() => (e = find((r) => r.lang === 'custom')[0]), { timeoutMs: 8000 });
    assert.equal(e.root, join(dir, 'custom'));
    assert.equal(e.cwd, join(dir, 'custom'));
    assert.equal(e.handler, 'my.handler');
  });

  test('Node.js: a missing export is Runtime.HandlerNotFound at init', async () => {
    send('nodenohandler', 'ok');
    await errorFrame();
    await until(() => /lambda init error.*NodeNoHandlerFunction|NodeNoHandlerFunction.*lambda init error/.test(srv.stderr()) &&
      /lambda init error[^\n]*Runtime\.HandlerNotFound/.test(srv.stderr()));
    assert.match(srv.stderr(), /lambda init error[^\n]*app\.nothing is undefined or not exported/);
  });

  test('logs: each line with the function name and request id; START, END, REPORT (Init Duration on a cold start)', async () => {
    send('esm', 'print');
    const { id } = await eventOf('esm', 'print');
    await until(() => srv.stderr().includes(`REPORT RequestId: ${id}`));
    const log = srv.stderr();
    assert.match(log, new RegExp(`\\[EsmFunction\\] START RequestId: ${id} Version: \\$LATEST`));
    assert.match(log, new RegExp(`\\[EsmFunction\\] ${id}  \\S+Z\\t${id}\\tINFO\\thello from the node handler`));
    assert.match(log, new RegExp(`\\[EsmFunction\\] END RequestId: ${id}`));
    assert.match(log, new RegExp(`\\[EsmFunction\\] REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\n`),
      'a warm invocation has no Init Duration');
    const py = (await eventOf('py', 'print')).id;
    assert.match(log, new RegExp(`\\[PyFunction\\] ${py}  hello from the python handler`));
    assert.match(log, new RegExp(`\\[PyFunction\\] ${py}  second line`));
    assert.match(log, /\[PyFunction\] REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/);
    assert.match(log, /\[PyFunction\] INIT_START Runtime Version: python3\.11/);
  });

  test('hot reload: a change under CodeUri retires the warm environment; the next invocation runs the new code', async () => {
    send('py', 'ok');
    const old = await eventOf('py', 'ok');
    assert.equal(old.version, 1);
    writeFileSync(join(dir, 'py', 'probe.py'), PROBE_PY.replace('VERSION = 1', 'VERSION = 2'));
    await until(() => /lambda code changed/.test(srv.stderr()), { timeoutMs: 5000 });
    send('py', 'reloaded');
    const fresh = await eventOf('py', 'reloaded');
    assert.equal(fresh.version, 2, 'the new code runs');
    assert.notEqual(fresh.pid, old.pid, 'in a new environment');
    await until(() => { try { process.kill(old.pid, 0); return false; } catch { return true; } });
  });
});
