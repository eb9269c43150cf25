#!/usr/bin/env node
// A scripted Lambda custom runtime for lambda_process.test.mjs: speaks the Runtime API
// (aws-contract.md §5.2) as any `bootstrap` does, and misbehaves on request. It runs from a
// copy named `bootstrap` in a test's temporary folder (LAMBDA_TASK_ROOT), where it appends what
// it saw to records.jsonl: one {kind: 'init'} line per process (its environment), one
// {kind: 'event'} line per invocation (headers, route, pid).
//
// Init: a file `init-mode` in the folder makes every new process fail its init:
//   exit  → exits before asking for an event;  error → POSTs /runtime/init/error, then exits.
// Per invocation, the mode is `?mode=` of $connect or `mode` of a message body:
//   ok (default) → {statusCode: 200};  status → {statusCode: 403};  crash → exits (status 2);
//   sleep → never answers (past any timeout);  error → POSTs .../error;
//   hold → waits until a file `release` appears in the folder, then ok.
// With _HANDLER=double it first leaves a GET /next open and asks again (see below).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const root = process.env.LAMBDA_TASK_ROOT;
const record = (r) => appendFileSync(join(root, 'records.jsonl'), `${JSON.stringify({ pid: process.pid, ...r })}\n`);

record({ kind: 'init', env: { ...process.env } });

const initMode = existsSync(join(root, 'init-mode')) ? readFileSync(join(root, 'init-mode'), 'utf8').trim() : '';
if (initMode === 'exit') process.exit(3);
if (initMode === 'error') {
  await fetch(`${api}/init/error`, {
    method: 'POST',
    headers: { 'Lambda-Runtime-Function-Error-Type': 'Fake.InitFailed' },
    body: JSON.stringify({ errorMessage: 'init failed on purpose', errorType: 'Fake.InitFailed', stackTrace: [] }),
  });
  process.exit(1);
}

for (;;) {
  const next = await fetch(`${api}/invocation/next`);
  if (next.status !== 200) process.exit(1);
  const id = next.headers.get('lambda-runtime-aws-request-id');
  const event = await next.json();
  const rc = event.requestContext ?? {};
  let mode = event.queryStringParameters?.mode ?? 'ok';
  try { mode = JSON.parse(event.body ?? '{}').mode ?? mode; } catch { /* not JSON */ }
  record({
    kind: 'event', id, mode, routeKey: rc.routeKey, eventType: rc.eventType, body: event.body,
    handler: process.env._HANDLER, fn: process.env.AWS_LAMBDA_FUNCTION_NAME,
    deadline: Number(next.headers.get('lambda-runtime-deadline-ms')), now: Date.now(),
    arn: next.headers.get('lambda-runtime-invoked-function-arn'),
    trace: next.headers.get('lambda-runtime-trace-id'),
  });
  if (mode === 'crash') process.exit(2);
  if (mode === 'sleep') await new Promise(() => setInterval(() => {}, 1000));  // Lambda must kill it
  if (mode === 'error') {
    await fetch(`${api}/invocation/${id}/error`, {
      method: 'POST',
      body: JSON.stringify({ errorMessage: 'handler failed on purpose', errorType: 'Fake.HandlerFailed', stackTrace: [] }),
    });
    continue;
  }
  if (mode === 'hold') {
    while (!existsSync(join(root, 'release'))) await new Promise((r) => setTimeout(r, 20));
  }
  const res = await fetch(`${api}/invocation/${id}/response`, {
    method: 'POST',
    body: JSON.stringify({ statusCode: mode === 'status' ? 403 : 200, body: 'fake' }),
  });
  record({ kind: 'answered', id, status: res.status });
  // _HANDLER=double, once warm: asks for its next event twice at once (as a runtime that
  // reconnected would); the Runtime API must answer the newer request and close the older one.
  if (process.env._HANDLER === 'double' && !globalThis.doubled) {
    globalThis.doubled = true;
    fetch(`${api}/invocation/next`).then((r) => `answered ${r.status}`, () => 'closed')
      .then((outcome) => record({ kind: 'first-next', outcome }));
    await new Promise((r) => setTimeout(r, 200));
  }
}
