#!/usr/bin/env node
// What SigV4 costs the server on @connections (issue 16: the public port takes signed calls
// only). The same GetConnection of a gone id (410) is sent N times back to back over one
// keep-alive connection, unsigned to the management listener of a server without keys, and with
// one signature replayed (valid for 5 minutes) to the public port of a server with keys. The
// client's work is the same for both (the signature is made once), so the difference per call
// is the server's verification. Rounds alternate; the medians are printed.
//
//   node bench/management_sigv4.mjs [--calls N] [--rounds R]      (build first: make build)
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../test/integration/server.mjs';

const require = createRequire(new URL('../test/integration/package.json', import.meta.url));
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const calls = arg('calls', 5000);
const rounds = arg('rounds', 5);
const GONE = 'AAAAAAAAAAAAAAA=';

const dir = mkdtempSync(join(tmpdir(), 'parley-bench-sigv4-'));
writeFileSync(join(dir, 'keys'), 'AKIDBENCH:bench-secret\n');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (url, headers) => new Promise((res, rej) => {
  http.get(url, { agent, headers }, (r) => { r.resume(); r.on('end', () => res(r.statusCode)); }).on('error', rej);
});

async function perCall(url, headers) {
  for (let i = 0; i < 200; i++) {
    const status = await get(url, headers);
    if (status !== 410) throw new Error(`${url} answered ${status}, not 410`);
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await get(url, headers);
  return Number(process.hrtime.bigint() - t0) / 1000 / calls;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plain = await startServer({ args: ['--threads', '1'] });
const keyed = await startServer({ args: ['--threads', '1', '--management-keys', join(dir, 'keys')] });
try {
  const url = new URL(keyed.publicConnectionUrl(GONE));
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
    region: 'us-east-1', service: 'execute-api', sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname,
    port: Number(url.port), path: url.pathname, headers: { host: url.host } });
  const unsignedUs = [];
  const signedUs = [];
  for (let r = 0; r < rounds; r++) {
    unsignedUs.push(await perCall(plain.connectionUrl(GONE), {}));
    signedUs.push(await perCall(url.href, signed.headers));
  }
  const u = median(unsignedUs);
  const s = median(signedUs);
  console.log(`${calls} calls x ${rounds} rounds, medians per call (one server socket thread each):`);
  console.log(`  unsigned, management listener: ${u.toFixed(1)} µs`);
  console.log(`  SigV4-signed, public port:     ${s.toFixed(1)} µs  (+${(s - u).toFixed(1)} µs: the verification)`);
} finally {
  await plain.stop();
  await keyed.stop();
  rmSync(dir, { recursive: true, force: true });
}
