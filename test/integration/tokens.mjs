// JSON Web Tokens signed by node's crypto, for the authorizer tests (an independent signer:
// the server verifies with OpenSSL).
//
//   const t = hs256(secret, { sub: 'u1', 'cognito:username': 'ann', exp: now() + 300 });
//   const { privateKey, jwk } = rsaKey('kid-1');   // jwk: the public half, for a JWKS file
//   const r = rs256(privateKey, 'kid-1', claims);

import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import WebSocket from 'ws';

const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

export const now = () => Math.floor(Date.now() / 1000);

export function hs256(secret, payload, header = { alg: 'HS256', typ: 'JWT' }) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function rsaKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, publicKey, jwk };
}

export function rs256(privateKey, kid, payload) {
  const input = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

export function unsigned(payload) {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
}

// The status and body of a refused handshake, or {status: 101} when it was accepted (the
// socket is closed again at once).
export function handshake(url, { headers = {}, ...opts } = {}) {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: 5000, ...opts });
    ws.once('unexpected-response', (req, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (d) => { body += d; });
      response.on('end', () => { res({ status: response.statusCode, body }); ws.terminate(); });
    });
    ws.once('open', () => { ws.close(); res({ status: 101 }); });
    ws.once('error', (e) => rej(e));
  });
}
