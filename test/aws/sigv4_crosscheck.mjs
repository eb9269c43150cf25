// Cross-checks Parley's SigV4 signer and verifier (the sigv4_tool executable) against an
// independent implementation, @smithy/signature-v4 (the AWS SDK for JavaScript v3's signer), on
// random requests: odd methods, paths with reserved characters, escapes, dot segments and UTF-8,
// query strings with repeated names and characters encoded in either form, headers with runs of
// spaces and tabs, bodies, session tokens. Both ways: the same Authorization from both signers,
// and our verifier accepting what smithy signed (and rejecting it once tampered with).
// Run from test/integration (its node_modules):
//   SIGV4_TOOL=build/test/aws/sigv4_tool node ../aws/sigv4_crosscheck.mjs
// SIGV4_SEED and SIGV4_CASES change the seed (printed on failure) and the number of requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { seeded } from '../integration/seeded.mjs';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

const tool = process.env.SIGV4_TOOL;
const seed = Number(process.env.SIGV4_SEED ?? 20261127);
const cases = Number(process.env.SIGV4_CASES ?? 200);

const { rand, int, pick, chance } = seeded(seed);

const unreserved = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';
const rawSafeInPath = "@:!$&'()*+,;=";
const oddChars = [' ', '/', '?', '#', '[', ']', '%', '"', '<', '>', '\\', '^', '`', '{', '|', '}',
  'é', 'ሴ', '😀', '+', '=', '&', '@', ':', '!', '*', "'", '(', ')', ',', ';', '$'];

function pctByte(b, lower) {
  const h = b.toString(16).toUpperCase().padStart(2, '0');
  return '%' + (lower ? h.toLowerCase() : h);
}
// Percent-encodes a decoded string for the wire, choosing per character between raw and escaped
// where both decode alike, so the signer's decode-then-encode is exercised.
function wireEncode(s) {
  let out = '';
  for (const ch of s) {
    const keepable = unreserved.includes(ch) || "!$'()*,;:@/?".includes(ch);
    if (keepable && !chance(0.2)) { out += ch; continue; }
    for (const b of Buffer.from(ch, 'utf8')) out += pctByte(b, chance(0.3));
  }
  return out;
}
function word(maxLen, alphabet = unreserved, odd = 0.2) {
  let s = '';
  const n = int(maxLen + 1);
  for (let i = 0; i < n; i++) s += chance(odd) ? pick(oddChars) : alphabet[int(alphabet.length)];
  return s;
}

function randomPath() {
  const segs = [];
  const n = int(6);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.08) segs.push('');
    else if (r < 0.14) segs.push('.');
    else if (r < 0.2) segs.push('..');
    else if (r < 0.35) segs.push(word(6, unreserved + rawSafeInPath, 0));
    else if (r < 0.5) segs.push(Array.from({ length: 1 + int(3) }, () => pctByte(int(256), chance(0.3))).join(''));
    else if (r < 0.6) segs.push(word(4, unreserved, 0) + pick(['é', 'ሴ', '😀']));
    else segs.push(word(8, unreserved, 0));
  }
  return '/' + segs.join('/') + (chance(0.3) ? '/' : '');
}

function randomQuery() {
  const pairs = [];
  const names = [];
  const n = int(7);
  for (let i = 0; i < n; i++) {
    let name = names.length && chance(0.3) ? pick(names) : word(6);
    if (name === '' && !chance(0.1)) name = 'k';
    if (name.toLowerCase() === 'x-amz-signature' || name === '__proto__') name = 'n' + name;
    names.push(name);
    // A name without '=' must be non-empty: a bare "&&" is no parameter at all.
    pairs.push([name, name !== '' && chance(0.15) ? null : word(8)]);
  }
  const raw = pairs.map(([k, v]) => (v === null ? wireEncode(k) : `${wireEncode(k)}=${wireEncode(v)}`)).join('&');
  const obj = {};
  for (const [k, v] of pairs) {
    const value = v ?? '';
    if (!(k in obj)) obj[k] = value;
    else obj[k] = [].concat(obj[k], value);
  }
  return { raw, obj };
}

const forbiddenHeaders = new Set(['x-amz-date', 'authorization', 'x-amz-security-token', 'host', 'date']);
function randomHeaders(body) {
  const headers = [['Host', pick(['example.amazonaws.com', '127.0.0.1:8000', 'dynamodb.eu-west-1.amazonaws.com'])]];
  const used = new Set(['host']);
  const n = int(6);
  const tokenChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const printable = 'abcXYZ019 ,;:="/()<>@[]{}?!#$%&*+.^_`|~-\'';
  for (let i = 0; i < n; i++) {
    let name = pick(['Content-Type', 'X-Amz-Target', 'x-amz-content-sha256', 'User-Agent', 'Sec-Fetch-Mode',
      'Proxy-Authorization', 'Connection', null, null, null, null]) ?? ('X-' + word(10, tokenChars, 0));
    if (used.has(name.toLowerCase()) || forbiddenHeaders.has(name.toLowerCase())) continue;
    used.add(name.toLowerCase());
    if (name === 'x-amz-content-sha256') {
      // A declared payload hash is signed in place of the body's: either the real one or S3's marker.
      headers.push([name, chance(0.5) ? 'UNSIGNED-PAYLOAD' : createHash('sha256').update(body, 'utf8').digest('hex')]);
      continue;
    }
    let value = word(16, printable, 0).replace(/^ +| +$/g, 'v');
    const ws = () => pick([' ', '  ', '\t', ' \t ', '   ']);
    if (chance(0.4)) value = ws() + value;
    if (chance(0.4)) value = value + ws();
    if (chance(0.4) && value.length > 2) value = value.slice(0, 1) + ws() + value.slice(1);
    headers.push([name, value]);
  }
  return headers;
}

function randomCase() {
  const hasToken = chance(0.4);
  const body = pick(['', '', '{}', '{"TableName":"messages","Key":{"room":{"S":"lobby"}}}', word(200), 'ሴ😀é body']);
  return {
    method: pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']),
    path: randomPath(),
    ...(() => { const q = randomQuery(); return { query: q.raw, queryObject: q.obj }; })(),
    headers: randomHeaders(body),
    body,
    region: pick(['us-east-1', 'eu-west-1', 'ap-southeast-2']),
    service: pick(['dynamodb', 'execute-api', 'service']),
    epoch: 1420070400 + int(20 * 365 * 86400),
    accessKeyId: 'AKID' + word(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 0),
    secretAccessKey: word(40, unreserved + '/+', 0),
    sessionToken: hasToken ? word(120, unreserved + '/+=', 0) : '',
  };
}

async function smithySigned(c) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) },
    region: c.region,
    service: c.service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const headers = Object.fromEntries(c.headers);
  const signed = await signer.sign({
    method: c.method, protocol: 'https:', hostname: 'example.amazonaws.com', path: c.path,
    query: c.queryObject, headers, body: c.body,
  }, { signingDate: new Date(c.epoch * 1000) });
  return signed.headers;
}

function runTool(mode, requests) {
  return JSON.parse(execFileSync(tool, [mode], { input: JSON.stringify(requests), maxBuffer: 64 << 20 }).toString());
}

test(`SigV4 signer agrees with @smithy/signature-v4 on ${cases} random requests (seed ${seed})`, async () => {
  assert.ok(tool, 'SIGV4_TOOL must name the sigv4_tool executable');
  const all = Array.from({ length: cases }, randomCase);
  const ours = runTool('sign', all);
  assert.equal(ours.length, all.length);
  const mismatches = [];
  for (let i = 0; i < all.length; i++) {
    const theirs = (await smithySigned(all[i])).authorization;
    if (theirs !== ours[i].authorization) {
      mismatches.push({ index: i, request: all[i], smithy: theirs, parley: ours[i].authorization,
        parleyCanonicalRequest: ours[i].canonicalRequest });
    }
  }
  if (mismatches.length) console.error(JSON.stringify(mismatches.slice(0, 3), null, 2));
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${all.length} signatures differ (seed ${seed})`);
});

test(`SigV4 verifier accepts what @smithy/signature-v4 signed, and nothing tampered (seed ${seed})`, async () => {
  assert.ok(tool, 'SIGV4_TOOL must name the sigv4_tool executable');
  const signed = [];
  for (const c of Array.from({ length: cases }, randomCase)) {
    // The verifier sees the request as it arrives: the caller's headers plus smithy's.
    const headers = Object.entries(await smithySigned(c));
    signed.push({ ...c, headers });
  }
  const tampered = signed.map((c, i) => {
    const unsigned = c.headers.some(([n, v]) => n === 'x-amz-content-sha256' && v === 'UNSIGNED-PAYLOAD');
    const kinds = [
      // With UNSIGNED-PAYLOAD the body is not covered by design: tamper with the path instead.
      () => (unsigned ? { ...c, path: c.path + 'y' } : { ...c, body: c.body + 'x' }),
      () => ({ ...c, path: c.path + 'x' }),
      () => ({ ...c, query: c.query + (c.query ? '&' : '') + 'extra=1' }),
      () => ({ ...c, method: c.method === 'GET' ? 'PUT' : 'GET' }),
      () => ({ ...c, secretAccessKey: c.secretAccessKey + 'x' }),
    ];
    return kinds[i % kinds.length]();
  });
  const good = runTool('verify', signed);
  const bad = runTool('verify', tampered);
  const rejected = good.map((r, i) => ({ ...r, i })).filter((r) => !r.ok);
  if (rejected.length) console.error(JSON.stringify({ request: signed[rejected[0].i], result: rejected[0] }, null, 2));
  assert.equal(rejected.length, 0, `${rejected.length} of ${signed.length} smithy-signed requests rejected`);
  const accepted = bad.filter((r) => r.ok).length;
  assert.equal(accepted, 0, `${accepted} of ${tampered.length} tampered requests accepted`);
});
