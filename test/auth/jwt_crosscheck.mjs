// Cross-checks Parley's JWT verifier (auth/jwt through the jwt_tool executable) against an
// independent implementation, npm jose, on random valid and invalid tokens: HS256 and RS256
// (two keys in a JWKS, picked by kid), claims around the 60 s leeway, issuer and audience
// options, and forgeries — a tampered payload, a changed signature, another key, alg "none",
// HS256 "signed" with the RSA public key (algorithm confusion), a crit header, padding, extra
// segments. The rule: Parley never accepts a token jose refuses, and it refuses one jose accepts
// only for a reason listed in stricterReason() (Parley demands canonical base64url, string
// claims, no iat in the future, ...). Run from test/integration (its node_modules):
//   JWT_TOOL=build/test/auth/jwt_tool node --test ../auth/jwt_crosscheck.mjs
// JWT_SEED and JWT_CASES change the seed (printed on failure) and the number of tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createHmac, createSecretKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { seeded } from '../integration/seeded.mjs';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const jose = await import(pathToFileURL(require.resolve('jose')).href);

const tool = process.env.JWT_TOOL;
const seed = Number(process.env.JWT_SEED ?? 20261207);
const cases = Number(process.env.JWT_CASES ?? 400);

const { int, pick, chance } = seeded(seed);

const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
const canonical = (part) => Buffer.from(part, 'base64url').toString('base64url') === part;

const now = 1_800_000_000;
const secret = 'cross-check HS256 secret, 32 bytes or more';
const foreignSecret = 'another HS256 secret of 32 bytes or more';
const rsa = ['k1', 'k2'].map((kid) => ({ kid, ...generateKeyPairSync('rsa', { modulusLength: 2048 }) }));
const foreignRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = (k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'RS256', use: 'sig' });

// A time claim near the interesting points (now, the leeway's edges), or of another type.
function time(kind) {
  const base = pick([now - 86400, now - 61, now - 60, now - 59, now, now + 59, now + 60, now + 61, now + 86400]);
  if (chance(0.05)) return String(base);
  if (chance(0.1)) return base + (kind === 'exp' ? 0.25 : 0.75) + pick([-3, 3]);
  return base;
}

function makeCase() {
  const config = pick(['hs', 'rs', 'both']);
  const issuer = chance(0.4) ? 'https://issuer.example' : '';
  const audience = chance(0.4) ? 'app-client' : '';
  const claims = {};
  if (chance(0.95)) claims.sub = `user-${int(1000)}`;
  if (chance(0.92)) claims.exp = chance(0.5) ? now + 3600 : time('exp');
  if (chance(0.3)) claims.nbf = time('nbf');
  if (chance(0.3)) claims.iat = time('iat');
  if (issuer ? chance(0.9) : chance(0.5)) claims.iss = chance(0.7) ? 'https://issuer.example' : pick(['https://other.example', 42]);
  if (audience ? chance(0.9) : chance(0.4)) claims.aud = chance(0.6) ? pick(['app-client', ['x', 'app-client']]) : pick(['other', ['x'], []]);
  if (chance(0.1)) claims.client_id = pick(['app-client', 'other']);
  if (chance(0.2)) claims['cognito:username'] = 'ann';
  const alg = pick(['HS256', 'RS256']);
  const header = { alg };
  const key = pick(rsa);
  if (alg === 'RS256' && chance(0.9)) header.kid = chance(0.9) ? key.kid : 'unknown';
  if (chance(0.3)) header.typ = 'JWT';
  let input = `${b64(header)}.${b64(claims)}`;
  let signature;
  if (alg === 'HS256') signature = createHmac('sha256', chance(0.05) ? foreignSecret : secret).update(input).digest('base64url');
  else signature = jose.base64url.encode(signRsa(chance(0.05) ? foreignRsa.privateKey : key.privateKey, input));
  let token = `${input}.${signature}`;
  let forgery = '';
  if (chance(0.35)) {
    forgery = pick(['payload', 'signature', 'none', 'confusion', 'crit', 'padding', 'segments', 'empty-sig', 'bits']);
    const [h, p, s] = token.split('.');
    if (forgery === 'payload') token = `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`;
    if (forgery === 'signature') token = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    if (forgery === 'none') token = `${b64({ alg: 'none' })}.${p}.`;
    if (forgery === 'confusion') {
      // HS256 with the RSA public key's PEM as the HMAC secret: refused when no HS secret is
      // configured for it (only a JWKS), and a bad signature otherwise.
      const hh = b64({ alg: 'HS256' });
      const pem = key.publicKey.export({ format: 'pem', type: 'spki' });
      token = `${hh}.${p}.${createHmac('sha256', pem).update(`${hh}.${p}`).digest('base64url')}`;
    }
    if (forgery === 'crit') {
      const hh = b64({ ...header, crit: ['exp'] });
      input = `${hh}.${p}`;
      const sig = alg === 'HS256' ? createHmac('sha256', secret).update(input).digest('base64url')
        : jose.base64url.encode(signRsa(key.privateKey, input));
      token = `${input}.${sig}`;
    }
    if (forgery === 'padding') token = `${token}=`;
    if (forgery === 'segments') token = `${token}.x`;
    if (forgery === 'empty-sig') token = `${h}.${p}.`;
    if (forgery === 'bits') {
      // The signature's last character with other low bits: the same bytes to a lenient
      // decoder, a different spelling to a strict one.
      const last = s[s.length - 1];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const i = alphabet.indexOf(last);
      token = `${h}.${p}.${s.slice(0, -1)}${alphabet[(i & ~3) | ((i + 1) & 3)]}`;
    }
  }
  return { config, issuer, audience, claims, header, token, forgery };
}

function signRsa(privateKey, input) {
  return require('node:crypto').sign('sha256', Buffer.from(input), privateKey);
}

async function joseVerdict(c) {
  const jwks = jose.createLocalJWKSet({ keys: rsa.map(jwk) });
  const getKey = async (header, token) => {
    if (header.alg === 'HS256') {
      if (c.config === 'rs') throw new Error('no HS256 key');
      return createSecretKey(Buffer.from(secret));
    }
    if (c.config === 'hs') throw new Error('no RS256 key');
    return jwks(header, token);
  };
  try {
    const r = await jose.jwtVerify(c.token, getKey, {
      algorithms: ['HS256', 'RS256'], clockTolerance: 60, currentDate: new Date(now * 1000),
      requiredClaims: ['exp'], ...(c.issuer ? { issuer: c.issuer } : {}), ...(c.audience ? { audience: c.audience } : {}),
    });
    return { ok: true, sub: r.payload.sub };
  } catch (e) {
    return { ok: false, error: e.code || e.message };
  }
}

// Why Parley may refuse a token jose accepts (the other way round is never allowed).
function stricterReason(c, ours) {
  const parts = c.token.split('.');
  if (ours.error === 'malformed token' && parts.length === 3 && !parts.every(canonical)) return 'non-canonical base64url';
  const claims = c.claims;
  const nonNumber = (v) => v !== undefined && typeof v !== 'number';
  if (ours.error === 'malformed token' && (typeof claims.iss === 'number' || nonNumber(claims.iat))) return 'a claim of the wrong type';
  if (ours.error === 'token not yet valid' && typeof claims.iat === 'number' && claims.iat > now + 60) return 'iat in the future';
  if (ours.error === 'token expired' && typeof claims.exp === 'number' && Math.trunc(claims.exp) <= now - 60) return 'fractional exp truncated';
  return '';
}

// Why Parley may accept a token jose refuses: none but the documented client_id rule.
function looserReason(c, ours) {
  if (ours.ok && c.audience && c.claims.client_id === c.audience) return 'Cognito access token: client_id is the audience';
  return '';
}

test(`Parley's JWT verifier agrees with jose on ${cases} random tokens (seed ${seed})`, { timeout: 100_000 }, async () => {
  assert.ok(tool, 'JWT_TOOL must name the jwt_tool executable');
  const all = Array.from({ length: cases }, makeCase);
  const jwksText = JSON.stringify({ keys: rsa.map(jwk) });
  const input = all.map((c) => JSON.stringify({
    token: c.token, now, issuer: c.issuer, audience: c.audience,
    ...(c.config !== 'rs' ? { secret } : {}), ...(c.config !== 'hs' ? { jwks: jwksText } : {}),
  })).join('\n') + '\n';
  const ours = execFileSync(tool, { input, encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(ours.length, all.length);
  const tally = { bothAccept: 0, bothRefuse: 0, stricter: {}, looser: {} };
  for (let i = 0; i < all.length; i++) {
    const c = all[i];
    const theirs = await joseVerdict(c);
    const where = `case ${i} (seed ${seed}): ${JSON.stringify({ ...c, ours: ours[i], jose: theirs })}`;
    if (ours[i].ok && theirs.ok) {
      tally.bothAccept++;
      assert.equal(ours[i].sub ?? '', theirs.sub ?? '', where);
    } else if (!ours[i].ok && !theirs.ok) {
      tally.bothRefuse++;
    } else if (ours[i].ok) {
      const why = looserReason(c, ours[i]);
      assert.ok(why, `Parley accepted a token jose refuses: ${where}`);
      tally.looser[why] = (tally.looser[why] ?? 0) + 1;
    } else {
      const why = stricterReason(c, ours[i]);
      assert.ok(why, `Parley refused a token jose accepts, for no listed reason: ${where}`);
      tally.stricter[why] = (tally.stricter[why] ?? 0) + 1;
    }
  }
  // Enough of each outcome for the comparison to mean something.
  assert.ok(tally.bothAccept >= cases / 10, JSON.stringify(tally));
  assert.ok(tally.bothRefuse >= cases / 4, JSON.stringify(tally));
  console.log(`jwt cross-check: ${JSON.stringify(tally)}`);
});
