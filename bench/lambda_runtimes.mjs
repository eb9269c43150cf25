#!/usr/bin/env node
// What `parley serve --lambda process` adds to a Python or Node.js function: on a cold start,
// beyond what the interpreter costs, and on a warm invocation, beyond the handler's own time.
//
//   node bench/lambda_runtimes.mjs [--warm N] [--cold N]      (build first: make build)
//
// For each runtime, a function whose handler does nothing, behind a message route:
// * warm: N frames sent back to back on one connection (a connection's frames are handled in
//   order, so each invocation starts when the one before has answered), then a marker frame
//   whose function answers something that is not a proxy response, so that the client sees
//   when everything before it is done. Per invocation: the whole time / (N + 1), end to end
//   (frame in, event built, Runtime API, the runtime client, the handler, the answer back).
//   Parley's part = that - the handler's own time (measured in the handler, ~0 here).
// * cold: the function's code is touched (hot reload retires the environment), then one marker
//   frame: its end-to-end time - one warm invocation - the Init Duration the REPORT line gives
//   (the interpreter starting, the runtime client and the handler module loading) = what Parley
//   adds to a cold start (the listener, posix_spawn, pipes, the watch, the first Runtime API
//   round trip). The interpreter's own bare start (`python3 -c pass`, `node -e 0`) is printed
//   for scale.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../test/integration/server.mjs';
import { connect, closeAll } from '../test/integration/client.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const WARM = arg('warm', 2000);
const COLD = arg('cold', 10);

const dir = mkdtempSync(join(tmpdir(), 'parley-bench-fn-'));
mkdirSync(join(dir, 'py'));
writeFileSync(join(dir, 'py', 'app.py'), `
import json, time
spent = 0.0
def handler(event, context):
    global spent
    t = time.perf_counter()
    body = event.get('body') or ''
    r = {'statusCode': 'marker'} if 'marker' in body else {'statusCode': 200}
    if 'spent' in body:
        print('SPENT %.6f' % spent)
    spent += time.perf_counter() - t
    return r
`);
mkdirSync(join(dir, 'node'));
writeFileSync(join(dir, 'node', 'app.mjs'), `
let spent = 0;
export const handler = async (event) => {
  const t = process.hrtime.bigint();
  const body = event.body || '';
  const r = body.includes('marker') ? { statusCode: 'marker' } : { statusCode: 200 };
  if (body.includes('spent')) console.log('SPENT ' + (spent / 1e9).toFixed(6));
  spent += Number(process.hrtime.bigint() - t);
  return r;
};
`);
const fn = (name, runtime, code, handler) => `
  ${name}:
    Type: AWS::Serverless::Function
    Properties: {Runtime: ${runtime}, CodeUri: ${code}, Handler: ${handler}, Timeout: 30}
  ${name}Int:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt ${name}.Arn}
  ${name}Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: ${code}, Target: !Sub "integrations/\${${name}Int}"}`;
writeFileSync(join(dir, 'template.yaml'), `
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.action"}
${fn('PyFunction', 'python3.12', 'py', 'app.handler')}
${fn('NodeFunction', 'nodejs20.x', 'node', 'app.handler')}
`);

const srv = await startServer({
  integration: 'in-process',
  args: ['--lambda', 'process', '--template', join(dir, 'template.yaml'), '--log-level', 'warn'],
});
const client = await connect(srv.wsUrl);
const marker = async (action) => {
  const t0 = process.hrtime.bigint();
  client.send({ action, marker: true });
  await client.next((m) => m.message === 'Internal server error', 60000, 'the marker');
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const initDurations = (name) => [...srv.stderr().matchAll(new RegExp(`\\[${name}\\] REPORT [^\\n]*Init Duration: ([\\d.]+) ms`, 'g'))].map((m) => Number(m[1]));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const bare = (cmd, args) => median(Array.from({ length: 5 }, () => {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, args);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}));

const results = {};
for (const [action, name, file, interp] of [
  ['py', 'PyFunction', join(dir, 'py', 'app.py'), ['/usr/bin/python3', ['-c', 'pass']]],
  ['node', 'NodeFunction', join(dir, 'node', 'app.mjs'), ['node', ['-e', '0']]],
]) {
  await marker(action);  // the first cold start (caches warm)
  // Warm.
  await marker(action);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < WARM; i++) client.send({ action });
  await marker(action);
  const warmMs = Number(process.hrtime.bigint() - t0) / 1e6 / (WARM + 1);
  client.send({ action, spent: true });
  await marker(action);
  const spent = await new Promise((res) => {
    const check = () => {
      const m = [...srv.stderr().matchAll(new RegExp(`\\[${name}\\] \\S+  (?:\\S+\\t\\S+\\tINFO\\t)?SPENT ([\\d.]+)`, 'g'))].at(-1);
      if (m) res(Number(m[1]) * 1000 / (WARM + 4)); else setTimeout(check, 20);
    };
    check();
  });
  // Cold.
  const colds = [];
  const inits = [];
  for (let i = 0; i < COLD; i++) {
    const before = initDurations(name).length;
    const now = new Date();
    utimesSync(file, now, now);
    await new Promise((r) => setTimeout(r, 150));  // the watch retires the environment
    const ms = await marker(action);
    await new Promise((r) => setTimeout(r, 50));
    const init = initDurations(name).slice(before).at(-1);
    if (init === undefined) continue;  // the retire came late: that was a warm one
    colds.push(ms - warmMs - init);
    inits.push(init);
  }
  results[action] = {
    warm_invocation_ms: +warmMs.toFixed(3),
    handler_ms: +spent.toFixed(4),
    parley_warm_ms: +(warmMs - spent).toFixed(3),
    init_duration_ms_median: +median(inits).toFixed(1),
    interpreter_bare_start_ms: +bare(...interp).toFixed(1),
    parley_cold_ms_median: +median(colds).toFixed(2),
    cold_samples: colds.length,
  };
}
await closeAll();
await srv.stop();
rmSync(dir, { recursive: true, force: true });

console.log('runtime  warm e2e/invocation  handler  Parley warm  | Init Duration  bare interpreter  Parley cold (median of n)');
for (const [k, r] of Object.entries(results))
  console.log(`${k.padEnd(7)}  ${r.warm_invocation_ms.toFixed(3).padStart(10)} ms  ${r.handler_ms.toFixed(4)} ms  ${r.parley_warm_ms.toFixed(3)} ms | ${r.init_duration_ms_median.toFixed(1).padStart(8)} ms  ${r.interpreter_bare_start_ms.toFixed(1).padStart(10)} ms  ${r.parley_cold_ms_median.toFixed(2).padStart(8)} ms (${r.cold_samples})`);
console.log(JSON.stringify(results));
