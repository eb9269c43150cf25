// A dynalite (npm: a DynamoDB-compatible server on LevelDB) for end-to-end runs with
// `parley serve --store dynamodb`. It keeps its tables in a directory (`path`), so a dynalite
// started again on the same path (a server restart, or the endpoint coming back after a fault)
// still has every table and message.
//
//   const d = await startDynalite({ path });   d.port, d.url
//   await d.kill();  await d.restart();         // SIGKILL, then the same port and path again
//   await d.stop();
//
// dynalite's CLI treats --port 0 as "use 4567", so it is started through its module API, which
// listens on port 0 and prints the port the kernel picked (as test/aws/dynalite_server.cpp).

import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const STARTUP_TIMEOUT_MS = 20_000;

// Tables become ACTIVE after 20 ms instead of 500, so --create-tables does not wait on CREATING.
const script = `
const s = require('dynalite')({ path: process.argv[2] || undefined, createTableMs: 20, deleteTableMs: 20, updateTableMs: 20 });
s.listen(+process.argv[1] || 0, '127.0.0.1', () => console.log('dynalite listening ' + s.address().port));
`;

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

function launch(port, path) {
  const child = spawn(process.execPath, ['-e', script, String(port), path ?? ''], {
    cwd: here, // its node_modules holds dynalite
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise((res) => child.once('exit', (code, signal) => { live.delete(child); res({ code, signal }); }));
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
  const ready = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`dynalite did not start within ${STARTUP_TIMEOUT_MS} ms\n${err}`)), STARTUP_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = /dynalite listening (\d+)/.exec(out);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    });
    exited.then((x) => { clearTimeout(timer); rej(new Error(`dynalite exited (code ${x.code}, signal ${x.signal})\n${err}`)); });
  });
  return { child, exited, ready };
}

export async function startDynalite({ path, port = 0 } = {}) {
  let proc = launch(port, path);
  const actualPort = await proc.ready;
  const kill = async (signal = 'SIGKILL') => {
    try { proc.child.kill(signal); } catch { /* gone */ }
    await proc.exited;
  };
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    path,
    // SIGKILL: the endpoint vanishes mid-request, as a crashed or partitioned DynamoDB would.
    kill: () => kill('SIGKILL'),
    stop: () => kill('SIGTERM'),
    // Starts it again on the same port and path (kill() it first).
    async restart() {
      proc = launch(actualPort, path);
      const p = await proc.ready;
      if (p !== actualPort) throw new Error(`dynalite came back on port ${p}, not ${actualPort}`);
    },
  };
}

// One DynamoDB call straight to a dynalite at `url` (it checks that a signature is there, not its
// value): for tests that look at the tables behind parley's back.
export async function dynamoCall(url, target, body) {
  const r = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `DynamoDB_20120810.${target}`,
      'X-Amz-Date': '20250101T000000Z',
      Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
  return json;
}
