// Starts a parley server for an end-to-end test file and stops it again (useServer() below
// does both, with the usual hooks, for a file that needs one server).
//
//   const srv = await startServer({ args: ['--idle-timeout', '1'] });
//   srv.port, srv.base ('http://127.0.0.1:PORT'), srv.wsUrl ('ws://127.0.0.1:PORT/dev'),
//   srv.stderr()
//   The management listener (loopback, unsigned; docs/security.md): srv.managementBase
//   ('http://127.0.0.1:MPORT'), srv.mgmtUrl ('http://127.0.0.1:MPORT/dev'), srv.connectionUrl(id),
//   srv.metricsUrl. The management API on the public port, which takes SigV4-signed calls only:
//   srv.publicMgmtUrl ('http://127.0.0.1:PORT/dev'), srv.publicConnectionUrl(id).
//   await srv.stop();      // SIGTERM (srv.kill(): SIGKILL)
//
// The binary is $PARLEY_BIN, else <repo>/build/parley. Each server gets its own --data dir
// (mkdtemp), removed by stop(). Every server still running when the test process exits
// (a crash, an unhandled rejection) is SIGKILLed by the exit hook below.
//
// startServer({ dataDir }) runs the server on the caller's data dir instead and never deletes
// it (to restart a server on the same data: stop() one, start another with the same dataDir).
//
// With PARLEY_STORE=dynamodb in the environment (or startServer({ store: 'dynamodb' })) each
// server gets its own dynalite on a free port, keeping its tables in <dataDir>/dynalite (so a
// restart on the same dataDir finds the old data), and runs with --store dynamodb
// --dynamodb-endpoint <it> --create-tables. srv.dynalite is that dynalite (kill()/restart() for
// fault tests); stop() and kill() stop it after the server.
//
// With PARLEY_INTEGRATION=process (or startServer({ integration: 'process' })) the server runs
// the template's functions as Lambda does, `parley serve --lambda process`, with the bootstrap
// $PARLEY_BOOTSTRAP (default: the one beside parley). `onProcess` tells the few tests whose
// expectations differ there.
// startServer({ store: 'dynamodb', dynamodbEndpoint: url }) uses a DynamoDB endpoint the caller
// runs (several nodes sharing one dynalite, multinode.test.mjs) and does not create the tables
// (the caller does, once: `parley tables create`), so nodes starting together do not race.

import { before, after, afterEach } from 'node:test';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynalite } from './dynalite.mjs';
import { closeAll, terminateAll } from './client.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const parleyBin = process.env.PARLEY_BIN || join(repoRoot, 'build', 'parley');

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
// PARLEY_E2E_STDERR_KEEP (bytes) keeps more, e.g. for the fault suite's PARLEY_FAULT_DUMP.
const STDERR_KEEP = Number(process.env.PARLEY_E2E_STDERR_KEEP) || 64 * 1024;

const live = new Set();
const dataDirs = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const dir of dataDirs) {
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

export const defaultStore = process.env.PARLEY_STORE || 'sqlite';
// For the few tests whose expectations differ on DynamoDB (see where they use it).
export const onDynamo = defaultStore === 'dynamodb';
export const defaultIntegration = process.env.PARLEY_INTEGRATION || 'in-process';
export const onProcess = defaultIntegration === 'process';

export async function startServer({ args = [], stage = 'dev', env = {}, dataDir: givenDataDir, store = defaultStore, dynamodbEndpoint,
  integration = defaultIntegration } = {}) {
  if (!existsSync(parleyBin)) {
    throw new Error(`parley binary not found at ${parleyBin} (build it, or set PARLEY_BIN)`);
  }
  const ownsDataDir = !givenDataDir;
  const dataDir = givenDataDir ?? await mkdtemp(join(tmpdir(), 'parley-e2e-'));
  if (ownsDataDir) dataDirs.add(dataDir);
  let dynalite = null;
  const storeArgs = [];
  if (store === 'dynamodb' && dynamodbEndpoint) {
    storeArgs.push('--store', 'dynamodb', '--dynamodb-endpoint', dynamodbEndpoint);
  } else if (store === 'dynamodb') {
    try {
      dynalite = await startDynalite({ path: join(dataDir, 'dynalite') });
    } catch (e) {
      if (ownsDataDir) { await rm(dataDir, { recursive: true, force: true }); dataDirs.delete(dataDir); }
      throw e;
    }
    storeArgs.push('--store', 'dynamodb', '--dynamodb-endpoint', dynalite.url, '--create-tables');
  }
  const integrationArgs = [];
  if (integration === 'process') {
    integrationArgs.push('--lambda', 'process');
    if (process.env.PARLEY_BOOTSTRAP) integrationArgs.push('--bootstrap', process.env.PARLEY_BOOTSTRAP);
  }
  const argv = ['serve', '--port', '0', '--bind', '127.0.0.1', '--stage', stage,
    '--data', dataDir, ...storeArgs, ...integrationArgs, ...args];
  const child = spawn(parleyBin, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  live.add(child);

  let stdout = '';
  let stderr = '';
  let exited = null; // {code, signal} once the process is gone
  const exitPromise = new Promise((res) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      res(exited);
    });
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
  });

  const describe = () =>
    `parley ${argv.join(' ')}\n--- stdout ---\n${stdout.slice(-4000)}\n--- stderr (tail) ---\n${stderr.slice(-4000)}`;

  let port;
  try {
    port = await new Promise((res, rej) => {
      const timer = setTimeout(
        () => rej(new Error(`no "WebSocket: ws://..." and "Metrics: http://..." banner lines within ${STARTUP_TIMEOUT_MS} ms\n${describe()}`)),
        STARTUP_TIMEOUT_MS);
      const onData = (d) => {
        stdout += d;
        const m = /WebSocket:\s+wss?:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
        // The management listener's line comes after it in the same banner.
        if (m && /Metrics:\s+https?:\/\/\S+\/metrics/.test(stdout)) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          // keep draining stdout so the server never blocks on a full pipe
          child.stdout.on('data', (more) => { stdout = (stdout + more).slice(-STDERR_KEEP); });
          res(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.once('error', (e) => { clearTimeout(timer); rej(e); });
      exitPromise.then((x) => {
        clearTimeout(timer);
        rej(new Error(`parley exited before printing its banner (code ${x.code}, signal ${x.signal})\n${describe()}`));
      });
    });
  } catch (e) {
    await killAndWait(child, exitPromise, () => exited);
    if (dynalite) await dynalite.kill();
    if (ownsDataDir) {
      await rm(dataDir, { recursive: true, force: true });
      dataDirs.delete(dataDir);
    }
    throw e;
  }

  // With --tls-cert the port speaks only TLS (https://, wss://).
  const tls = /WebSocket:\s+wss:/.test(stdout);
  const base = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const [, managementBase, managementPort] = /Metrics:\s+(https?:\/\/\S+:(\d+))\/metrics/.exec(stdout);
  let stopped = null;
  // A server that dies on its own is a finding: say so (with its stderr) in the test output.
  exitPromise.then((x) => {
    if (!stopped) {
      console.error(`\n!!! parley (port ${port}) exited unexpectedly: code ${x.code}, signal ${x.signal}\n${describe()}\n`);
    }
  });
  return {
    port,
    pid: child.pid,
    base,
    stage,
    dataDir,
    store,
    dynalite,
    tls,
    wsUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/${stage}`,
    managementBase,
    managementPort: Number(managementPort),
    mgmtUrl: `${managementBase}/${stage}`,
    connectionUrl: (id) => `${managementBase}/${stage}/@connections/${encodeURIComponent(id)}`,
    metricsUrl: `${managementBase}/metrics`,
    publicMgmtUrl: `${base}/${stage}`,
    publicConnectionUrl: (id) => `${base}/${stage}/@connections/${encodeURIComponent(id)}`,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: () => exited,
    describe,
    // Throws when the server is no longer running (use in afterEach to name the culprit test).
    assertAlive() {
      if (exited && !stopped) {
        throw new Error(`parley exited unexpectedly (code ${exited.code}, signal ${exited.signal})\n${describe()}`);
      }
    },
    // SIGTERM, wait up to 5 s, then SIGKILL; removes the data dir unless it was given by the
    // caller. Resolves to the exit status ({code, signal, killed}).
    stop() {
      if (!stopped) {
        stopped = (async () => {
          const status = await killAndWait(child, exitPromise, () => exited);
          if (dynalite) await dynalite.kill();
          if (ownsDataDir) {
            await rm(dataDir, { recursive: true, force: true });
            dataDirs.delete(dataDir);
          }
          return status;
        })();
      }
      return stopped;
    },
    // SIGKILL (a crash: no shutdown at all), then the same clean-up as stop().
    kill() {
      if (!stopped) {
        stopped = (async () => {
          if (!exited) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
          const status = { ...(await exitPromise), killed: true };
          if (dynalite) await dynalite.kill();
          if (ownsDataDir) {
            await rm(dataDir, { recursive: true, force: true });
            dataDirs.delete(dataDir);
          }
          return status;
        })();
      }
      return stopped;
    },
  };
}

// One server for a whole test file, with the hooks every such file needs: started before the
// first test, checked alive after each one (once the test's clients are closed, so a crash is
// blamed on the test that caused it), stopped after the last. The object it returns is filled
// in by the before hook, so use it inside tests and hooks only. `setUp(srv)`, when given, runs
// in that same hook once the server is up (node:test does not wait for one top-level before
// hook before starting the next):
//
//   const srv = useServer({ args: ['--rate-limit', '0'] });
//   test('...', async () => { const c = await connect(srv.wsUrl); ... });
export function useServer(options = {}, setUp = async () => {}) {
  const srv = {};
  before(async () => {
    Object.assign(srv, await startServer(options));
    await setUp(srv);
  });
  afterEach(async () => { await closeAll(); srv.assertAlive?.(); });
  after(async () => {
    await closeAll();
    terminateAll();
    await srv.stop?.();
  });
  return srv;
}

// A temp data dir for startServer({ dataDir }) that outlives the servers using it; removed by
// removeDataDir() (call it in after()) or, at the latest, by the exit hook above.
export async function makeDataDir(prefix = 'parley-e2e-keep-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dataDirs.add(dir);
  return dir;
}

export async function removeDataDir(dir) {
  await rm(dir, { recursive: true, force: true });
  dataDirs.delete(dir);
}

async function killAndWait(child, exitPromise, exitedNow) {
  if (exitedNow()) return { ...exitedNow(), killed: false };
  try { child.kill('SIGTERM'); } catch { /* gone */ }
  let timer;
  const graceful = await Promise.race([
    exitPromise.then(() => true),
    new Promise((res) => { timer = setTimeout(() => res(false), STOP_GRACE_MS); }),
  ]);
  clearTimeout(timer);
  if (!graceful) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
    await exitPromise;
    return { ...exitedNow(), killed: true };
  }
  return { ...exitedNow(), killed: false };
}

// `parley ARGS...` run to its end: {code, signal, out, err, ms} (killed after timeoutMs).
export function runParley(args, { timeoutMs = 20_000 } = {}) {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const child = spawn(parleyBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', rej);
    child.once('exit', (code, signal) => { clearTimeout(timer); res({ code, signal, out, err, ms: Date.now() - t0 }); });
  });
}

// `parley ARGS...` that must succeed: resolves with its output, rejects with it otherwise.
export async function runParleyOk(args) {
  const r = await runParley(args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`parley ${args.join(' ')} exited ${r.code}\n${r.out}${r.err}`);
  return r.out + r.err;
}

export const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// One HTTP request with exactly these headers (fetch would not let a signed Host through).
export function rawRequest(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((res, rej) => {
    const req = http.request(url, { method, headers, timeout: 5000 }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d) => { text += d; });
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', rej);
    req.end(body);
  });
}

// Polls fn() until it returns a truthy value or timeoutMs passes; returns the last value.
export async function poll(fn, { timeoutMs = 3000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await fn();
    if (value || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

// fetch() with a timeout, so a hung server fails the test instead of stalling it.
export async function fetchT(url, init = {}, timeoutMs = 5000) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const why = e.cause ? `${e.cause.code ?? ''} ${e.cause.message ?? e.cause}`.trim() : e.message;
    throw new Error(`${init.method ?? 'GET'} ${url} failed: ${why}${live.size === 0 ? ' (no parley process is running)' : ''}`, { cause: e });
  }
}
