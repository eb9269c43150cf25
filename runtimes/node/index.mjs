// Parley's runtime interface client for Node.js functions (nodejs18.x, 20.x, 22.x).
//
// `parley serve --lambda process` starts this file with the machine's node for every
// execution environment of a Node.js function. It speaks the Lambda Runtime API
// (AWS_LAMBDA_RUNTIME_API) as AWS's Node.js runtime does, so the user's handler runs unchanged:
//
// * _HANDLER = "path/file.export" (export may be dotted: "file.obj.method") under
//   LAMBDA_TASK_ROOT; file.js, file.mjs or file.cjs, loaded with import() so Node itself decides
//   CommonJS or ES module (".mjs", ".cjs", "type" of the nearest package.json);
// * async handlers (the promise's value), and callback handlers (three parameters: the first
//   callback(err, result) wins), with the context object AWS passes;
// * an error is posted to /invocation/{id}/error as Lambda reports it ({errorType, errorMessage,
//   trace}); a failure to load the handler goes to /init/error and the process exits;
// * console.* lines carry the timestamp, request id and level as on Lambda.
//
// No dependencies: node's own net module only.
import net from 'node:net';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API || '').split(':');
const base = '/2018-06-01/runtime';
const MAX_RESPONSE = 6 * 1024 * 1024;  // the Runtime API's limit for a response

// The Runtime API over one kept-alive HTTP/1.1 connection, one request at a time. A few lines
// of HTTP on a socket instead of node:http, whose agent and parser cost more per invocation than
// everything else the runtime does (docs/lambda-local.md, Speed).
let socket = null;
let buffered = Buffer.alloc(0);
let waiting = null;  // {done, fail} of the request in flight

function parseResponse() {
  const end = buffered.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] || 0);
  if (buffered.length < end + 4 + length) return null;
  const body = buffered.subarray(end + 4, end + 4 + length);
  buffered = buffered.subarray(end + 4 + length);
  return { status, headers, body };
}

function openSocket() {
  const s = net.connect({ host, port: Number(port), noDelay: true });
  buffered = Buffer.alloc(0);
  s.on('data', (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    const res = waiting && parseResponse();
    if (res) {
      const w = waiting;
      waiting = null;
      if ((res.headers.connection || '').toLowerCase() === 'close') { s.destroy(); if (socket === s) socket = null; }
      w.done(res);
    }
  });
  const gone = (err) => {
    if (socket === s) socket = null;
    if (waiting) { const w = waiting; waiting = null; w.fail(err || new Error('the Runtime API closed the connection')); }
  };
  s.on('error', gone);
  s.on('close', () => gone());
  // The runtime's own connection must not keep the process alive on its own (idle reclaim).
  return s;
}

function send(method, path, body, headers) {
  return new Promise((done, fail) => {
    if (!socket) socket = openSocket();
    waiting = { done, fail };
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    let head = `${method} ${base}${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Length: ${payload.length}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    socket.write(head + '\r\n');
    if (payload.length) socket.write(payload);
  });
}

// A kept-alive connection the gateway closed is opened again once.
async function request(method, path, body, headers = {}) {
  try {
    return await send(method, path, body, headers);
  } catch {
    return send(method, path, body, headers);
  }
}

// Lambda's error document for anything thrown or rejected.
function errorBody(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message,
      trace: (err.stack || '').split('\n'),
    };
  }
  // A non-Error (a string, an object): Lambda wraps it the same way.
  const message = typeof err === 'string' ? err : (() => { try { return JSON.stringify(err); } catch { return String(err); } })();
  return { errorType: typeof err === 'object' && err !== null ? 'object' : typeof err, errorMessage: message, trace: [] };
}

function postError(path, body) {
  return request('POST', path, JSON.stringify(body), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': body.errorType,
  });
}

// console.* as Lambda writes it: "2024-01-01T00:00:00.000Z\t<request id>\tINFO\tmessage".
let currentRequestId;
function patchConsole() {
  const write = (level) => (...args) => {
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${format(...args)}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

class Fault extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

async function loadHandler(handlerString, root) {
  // "dir/file.export": the file part is everything up to the first dot after the last slash.
  const slash = handlerString.lastIndexOf('/');
  const dot = handlerString.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === handlerString.length - 1) throw new Fault('Runtime.MalformedHandlerName', `Bad handler ${handlerString}`);
  const modulePath = handlerString.slice(0, dot);
  const exportPath = handlerString.slice(dot + 1).split('.');
  const stem = resolve(root, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => stem + ext).find((f) => existsSync(f));
  let mod;
  try {
    if (!file) {
      const e = new Error(`Cannot find module '${modulePath}'`);
      e.code = 'MODULE_NOT_FOUND';
      throw e;
    }
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    if (e instanceof SyntaxError) throw Object.assign(new Fault('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`), { cause: e });
    if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND')
      throw Object.assign(new Fault('Runtime.ImportModuleError', `Error: ${e.message}`), { cause: e });
    throw e;  // the module itself threw while loading: reported with its own type
  }
  // A CommonJS module's exports are import()'s default (named ones only when Node detects them).
  let fn = exportPath.reduce((o, k) => (o == null ? undefined : o[k]), mod);
  if (fn === undefined && mod.default) fn = exportPath.reduce((o, k) => (o == null ? undefined : o[k]), mod.default);
  if (typeof fn !== 'function')
    throw new Fault('Runtime.HandlerNotFound', `${modulePath}.${exportPath.join('.')} is undefined or not exported`);
  return fn;
}

function makeContext(headers, settle) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const identity = headers['lambda-runtime-cognito-identity'];
  const clientContext = headers['lambda-runtime-client-context'];
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: identity ? JSON.parse(identity) : undefined,
    clientContext: clientContext ? JSON.parse(clientContext) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // The legacy ways to answer, still honoured by AWS's runtime.
    succeed: (result) => settle(null, result),
    fail: (err) => settle(err ?? 'handled'),
    done: (err, result) => settle(err, result),
  };
  return context;
}

// Runs one invocation: the first of callback(err, result), the returned promise, or
// context.done/succeed/fail decides the outcome.
function runHandler(handler, event, headers) {
  return new Promise((done) => {
    let settled = false;
    const settle = (err, result) => {
      if (settled) return;
      settled = true;
      done({ err, result });
    };
    const context = makeContext(headers, settle);
    const callback = (err, result) => settle(err ?? null, result);
    try {
      const r = handler(event, context, callback);
      if (r && typeof r.then === 'function') r.then((v) => settle(null, v), (e) => settle(e ?? new Error('rejected')));
      // A synchronous handler without a callback: Lambda ignores its return value (the
      // response is null once its work is done).
      else if (handler.length < 3) settle(null, null);
    } catch (e) {
      settle(e);
    }
  });
}

let handler;
async function main() {
  patchConsole();
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  try {
    handler = await loadHandler(process.env._HANDLER || '', root);
  } catch (e) {
    const body = errorBody(e);
    console.error(`${body.errorType}: ${body.errorMessage}`);
    await postError('/init/error', body);
    process.exit(1);
  }
  for (;;) {
    const next = await request('GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`GET /invocation/next answered ${next.status}`);
    const id = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = id;
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8') || '{}');
    } catch (e) {
      await postError(`/invocation/${id}/error`, errorBody(e));
      continue;
    }
    const { err, result } = await runHandler(handler, event, next.headers);
    if (err != null) {
      const body = errorBody(err);
      console.error(`Invoke Error \t${JSON.stringify(body)}`);
      await postError(`/invocation/${id}/error`, body);
      continue;
    }
    let payload;
    try {
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      const body = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${e.message}`, trace: [] };
      console.error(`Invoke Error \t${JSON.stringify(body)}`);
      await postError(`/invocation/${id}/error`, body);
      continue;
    }
    // Over Lambda's 6 MB the invocation fails with Lambda's error; the answer is not sent (the
    // Runtime API would refuse it with 413, closing the connection mid-body).
    const tooLarge = Buffer.byteLength(payload) > MAX_RESPONSE ||
      (await request('POST', `/invocation/${id}/response`, payload, { 'Content-Type': 'application/json' })).status === 413;
    if (tooLarge) {
      const body = {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
        trace: [],
      };
      console.error(`Invoke Error \t${JSON.stringify(body)}`);
      await postError(`/invocation/${id}/error`, body);
    }
  }
}

// An error no handler caught (a throw in a timer, an unhandled rejection) ends the
// environment as on Lambda: the invocation fails and the process exits.
async function crash(err, type) {
  const body = errorBody(err);
  if (type) body.errorType = type;
  console.error(`${body.errorType}: ${body.errorMessage}`);
  if (currentRequestId) {
    try { await postError(`/invocation/${currentRequestId}/error`, body); } catch { /* gone */ }
  }
  process.exit(129);
}
process.on('uncaughtException', (e) => crash(e));
process.on('unhandledRejection', (e) => crash(e, 'Runtime.UnhandledPromiseRejection'));

main().catch((e) => {
  process.stderr.write(`parley runtime: ${e?.stack || e}\n`);
  process.exit(1);
});
