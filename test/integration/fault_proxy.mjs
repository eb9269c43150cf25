// A fault-injecting HTTP proxy in front of dynalite: parley's DynamoDB client talks to it as to
// DynamoDB, and it forwards each request, or not. Two ways to inject, usable together:
//
// Seeded draws, for the fault-injection suite (rules):
//   - `error` before forwarding: HTTP 500 InternalServerError, 400
//     ProvisionedThroughputExceededException, or the connection reset (the request not applied);
//   - `lost` after forwarding: the request IS applied by dynalite, but the answer is replaced by
//     one of those errors or a reset (the nasty case: the client cannot tell it was applied);
//   - `delay` before forwarding, by `ms`.
// Rules: [{kind: 'error'|'lost'|'delay', p, ms, ops: ['PutItem', ...], tables: ['parley-messages'],
// answers: ['500', 'throttle', 'reset']}] (ops/tables absent: every one). Each rule is drawn
// once per request, in order. proxy.faults = false stops injecting (the end of a run);
// proxy.counts tells how many of each were injected; proxy.log keeps the last injections.
//
//   const proxy = await startFaultProxy({ target: dynalite.url, seed: 7, rules });
//   proxy.url; proxy.counts; await proxy.close();
//
// Counted refusals, for tests that need one failure at one exact point (issue 15, items 1 and 9):
// while proxy.refuse > 0, the PutItems of proxy.table are answered HTTP 500 InternalServerError
// (the store's client retries those as it would AWS's), each one counting down (Infinity: all
// until set to 0), after proxy.pass more have gone through. On the messages table only message
// puts count (seals, puts without an `id`, pass), so the failure lands between the room
// counter's update and the message's put.
//
//   const proxy = await startFaultProxy({ target: dynalite.url });
//   proxy.refuse = 4;          // the next 4 message puts fail
//   proxy.table = 'parley-members'; proxy.pass = 1;   // let one member put through first
//   proxy.refused              // how many it refused so far
//
// Counted losses: while proxy.lose > 0, the requests `proxy.loseOp` on `proxy.loseTable` are
// forwarded (dynalite applies them) and then answered HTTP 500, each one counting down; the
// store's client retries them as it would AWS's, and its retry meets what the first one did.
//
//   Object.assign(proxy, { lose: 1, loseOp: 'PutItem', loseTable: 'parley-clientmsgs' });

import http from 'node:http';
import { makeRng } from './fault_rng.mjs';

const ANSWERS = {
  500: { status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected by the fault proxy' } },
  throttle: { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'injected by the fault proxy' } },
};

export async function startFaultProxy({ target, seed = 1, rules = [], logSize = 2000 }) {
  const to = new URL(target);
  const rng = makeRng(seed);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const proxy = {
    faults: true, counts: { requests: 0 }, log: [], url: '',
    refuse: 0, refused: 0, pass: 0, table: 'parley-messages',
    lose: 0, lost: 0, loseOp: 'PutItem', loseTable: 'parley-messages',
  };
  const count = (k) => { proxy.counts[k] = (proxy.counts[k] ?? 0) + 1; };

  const fail = (res, answer) => {
    if (answer === 'reset') { res.socket?.destroy(); return; }
    const a = ANSWERS[answer];
    const body = JSON.stringify(a.body);
    res.writeHead(a.status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  // '500' when this request is one of the counted refusals, else null.
  const refusal = (op, request) => {
    if (!(proxy.refuse > 0) || op !== 'PutItem' || request?.TableName !== proxy.table || !request.Item) return null;
    if (proxy.table === 'parley-messages' && !request.Item.id) return null;  // a seal
    if (proxy.pass > 0) { proxy.pass -= 1; return null; }
    proxy.refuse -= 1;
    proxy.refused += 1;
    return '500';
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const op = String(req.headers['x-amz-target'] ?? '').split('.').pop();
      let request = null;
      try { request = JSON.parse(body.toString('utf8')); } catch { /* not JSON */ }
      const table = request?.TableName ?? '';
      proxy.counts.requests += 1;
      let delay = 0;
      let before = refusal(op, request);
      let after = null;
      if (proxy.lose > 0 && op === proxy.loseOp && table === proxy.loseTable) {
        proxy.lose -= 1;
        proxy.lost += 1;
        after = '500';
      }
      if (proxy.faults) {
        for (const r of rules) {
          if (r.ops && !r.ops.includes(op)) continue;
          if (r.tables && !r.tables.includes(table)) continue;
          if (!rng.chance(r.p)) continue;
          const answer = rng.pick(r.answers ?? ['500', 'throttle', 'reset']);
          if (r.kind === 'delay') delay += r.ms;
          else if (r.kind === 'error' && !before) before = answer;
          else if (r.kind === 'lost' && !after) after = answer;
        }
      }
      const note = (kind, answer) => {
        count(`${kind}:${answer ?? ''}`);
        proxy.log.push({ at: Date.now(), kind, answer, op, table });
        if (proxy.log.length > logSize) proxy.log.shift();
      };
      if (delay) { note('delay', String(delay)); await new Promise((r) => setTimeout(r, delay)); }
      if (before) { note('error', before); fail(res, before); return; }
      const fwd = http.request({
        host: to.hostname, port: to.port, path: req.url, method: req.method, agent,
        headers: { ...req.headers, host: to.host, 'content-length': body.length },
      }, (up) => {
        const back = [];
        up.on('data', (c) => back.push(c));
        up.on('end', () => {
          if (after) { note('lost', after); fail(res, after); return; }
          const headers = { ...up.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = Buffer.concat(back).length;
          res.writeHead(up.statusCode, headers);
          res.end(Buffer.concat(back));
        });
      });
      // dynalite gone (killed by a test): the client sees the connection reset, as from DynamoDB.
      fwd.on('error', () => res.socket?.destroy());
      fwd.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  proxy.close = () => new Promise((res) => {
    server.closeAllConnections?.();
    server.close(() => { agent.destroy(); res(); });
  });
  return proxy;
}
