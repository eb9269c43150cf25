// One run of the fault-injection suite (fault_injection.test.mjs): starts the servers of a mode, runs the
// seeded users (fault_actor.mjs) while faults are injected, settles, and checks
// (fault_checker.mjs). Modes:
//   sqlite   one node, `--store-faults` (store::Faulty) errors and stalls, a short
//            --integration-timeout, and one kill -9 + restart on the same data
//   dynamodb one node on dynalite behind the fault proxy (fault_proxy.mjs): errors before
//            forwarding, answers lost after forwarding, delays; one kill -9 + restart
//   lambda   one node with --lambda process (the handlers in bootstrap processes, as Lambda
//            runs them) on dynalite behind the proxy; no kill
//   cluster  three nodes on one dynalite behind the proxy (--node-ttl 2): a node killed with
//            kill -9 (its users reconnect to another, a new node starts), another stopped with
//            SIGSTOP past its TTL and continued
// Resolves with {violations, stats, report(v)}; report(v) prints the seed and v's trace.

import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startServer, makeDataDir, removeDataDir, runParleyOk as run, sleep, fetchT } from './server.mjs';
import { startDynalite } from './dynalite.mjs';
import { startFaultProxy } from './fault_proxy.mjs';
import { makeRng } from './fault_rng.mjs';
import { Actor } from './fault_actor.mjs';
import { check, trace, isDm, dmParties } from './fault_checker.mjs';
import { enter, uniq } from './protocol.mjs';
import { closeAll } from './client.mjs';

// --integration-timeout: store stalls of 600 ms outlast it (PARLEY_FAULT_TIMEOUT_MS=29000: none do)
const TIMEOUT_MS = Number(process.env.PARLEY_FAULT_TIMEOUT_MS || 400);

// Every store operation but reads at connect time may fail; appends also stall past the timeout.
const sqliteFaults = (seed) => [`seed=${seed}`, 'append_message:error:0.04', 'append_message:delay:0.04:600',
  'members+put_member+delete_member+messages_after+messages_before+connection_view+get_connection:error:0.03',
  '*:delay:0.03:150'].join(';');

const proxyRules = ({ nodes }) => [
  { kind: 'error', p: 0.04, tables: nodes ? undefined : ['parley-messages', 'parley-rooms', 'parley-clientmsgs', 'parley-members', 'parley-connections'] },
  { kind: 'lost', p: 0.03, ops: ['PutItem', 'UpdateItem', 'DeleteItem'], tables: nodes ? undefined : ['parley-messages', 'parley-rooms', 'parley-clientmsgs', 'parley-members', 'parley-connections'] },
  { kind: 'delay', p: 0.03, ms: 600 },
];


async function metric(srv, name) {
  try {
    const text = await (await fetchT(srv.metricsUrl, {}, 2000)).text();
    return text.split('\n').filter((l) => l.startsWith(name)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  } catch { return 0; }
}

async function startMode(mode, seed) {
  const env = { dir: await makeDataDir('parley-fault-'), injectedBefore: 0, stalled: new Set(), killed: new Set(), nodes: [], retired: [], proxy: null, dynalite: null };
  // One guest key for every node (docs/security.md, *Guests*): a user's guest token, kept across
  // its reconnects, is then valid on whichever node it lands on, the restarted ones too.
  const guestKey = join(env.dir, 'guest.key');
  writeFileSync(guestKey, randomBytes(32).toString('hex'), { mode: 0o600 });
  const common = ['--integration-timeout', String(TIMEOUT_MS), '--rate-limit', '0', '--guest-key-file', guestKey];
  if (mode === 'sqlite') {
    env.start = () => startServer({ dataDir: env.dir, store: 'sqlite', args: [...common, '--store-faults', sqliteFaults(seed)] });
  } else {
    env.dynalite = await startDynalite({ path: `${env.dir}/dynalite` });
    await run(['tables', 'create', '--dynamodb-endpoint', env.dynalite.url]);
    env.proxy = await startFaultProxy({ target: env.dynalite.url, seed, rules: proxyRules({ nodes: mode === 'cluster' }) });
    const cluster = mode === 'cluster' ? ['--node-ttl', '2'] : [];
    // --lambda process: the handlers run in bootstrap processes (the functions of
    // deploy/template.yaml), each with its own DynamoDB client, all through the proxy.
    env.start = mode === 'lambda'
      ? () => startServer({ store: 'dynamodb', dynamodbEndpoint: env.proxy.url, integration: 'process', args: common })
      : () => startServer({ store: 'dynamodb', dynamodbEndpoint: env.proxy.url, args: [...common, ...cluster, '--handler-threads', '4'] });
  }
  const count = mode === 'cluster' ? 3 : 1;
  for (let i = 0; i < count; i++) env.nodes.push(await env.start());
  return env;
}

async function stopMode(env) {
  for (const n of [...env.nodes, ...env.retired]) await n.stop();
  if (env.proxy) await env.proxy.close();
  if (env.dynalite) await env.dynalite.stop();
  await removeDataDir(env.dir);
}

// The node events of a run: a kill -9 (and a replacement) a third of the way, and in cluster
// mode a SIGSTOP past the node TTL at two thirds.
async function nodeFaults(env, mode, progress, faults, rng) {
  const at = (fraction) => (async () => { while (progress() < fraction) await sleep(20); })();
  // --lambda process: no kill -9 (the bootstrap processes would outlive their gateway).
  if (mode === 'lambda') return;
  await at(0.33);
  // Users may still pick the dead node until its replacement is up: they are refused, as
  // by a load balancer that has not noticed yet, and try again.
  const victim = env.nodes[rng.int(env.nodes.length)];
  env.injectedBefore += await metric(victim, 'parley_store_faults_injected_total');
  faults.push({ t: Date.now(), what: `kill -9 node ${victim.port}` });
  env.retired.push(victim);
  env.killed.add(victim.wsUrl);
  await victim.kill();
  env.nodes.push(await env.start());
  env.nodes.splice(env.nodes.indexOf(victim), 1);
  faults.push({ t: Date.now(), what: `node started on ${env.nodes.at(-1).port}` });
  if (mode !== 'cluster') return;
  await at(0.66);
  const stalled = env.nodes[rng.int(env.nodes.length)];
  faults.push({ t: Date.now(), what: `SIGSTOP node ${stalled.port} for 3 s (node ttl 2 s)` });
  env.stalled.add(stalled.wsUrl);
  process.kill(stalled.pid, 'SIGSTOP');
  await sleep(3000);
  process.kill(stalled.pid, 'SIGCONT');
  faults.push({ t: Date.now(), what: `SIGCONT node ${stalled.port}` });
}

// Sends a frame and resolves with the first frame received after it that satisfies pred, or
// null after ms: a late answer to an earlier frame (a join that timed out) is never taken.
async function answerTo(client, frame, pred, ms = 3000) {
  const from = client.frames.length;
  client.send(frame);
  for (const deadline = Date.now() + ms; Date.now() < deadline && !client.closeInfo; await sleep(5)) {
    const f = client.frames.slice(from).find((x) => x.json && pred(x.json));
    if (f) return f.json;
  }
  return null;
}

// A connection to read histories with, opened again on any node when it closes (its node
// may close it after the faults: a node fenced after its SIGSTOP closes its sockets with 1012).
function reader(nodes, rng, opts = {}, client = null) {
  return {
    client,
    async ready() {
      if (!this.client || this.client.closeInfo) this.client = (await enterRetrying(nodes, rng, opts)).client;
      return this.client;
    },
  };
}

// Every message of a room: read twice and merged by seq. A page is the first `history` frame of
// the room after the request, and a late catch-up page of an earlier join of the reader can
// pass for it; its messages are stored ones too, so the union of two reads is the history.
async function wholeHistory(from, room) {
  const bySeq = new Map();
  for (let i = 0; i < 2; i++) for (const m of await readHistory(from, room)) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

// One read of a room's history, paging forwards; a failed page is asked again.
async function readHistory(from, room) {
  const all = [];
  let last = null;
  for (let after = 0, failures = 0; failures < 50;) {
    const h = await answerTo(await from.ready(), { action: 'history', room, after, limit: 100 },
      (m) => (m.type === 'history' && m.room === room) || (m.type === 'error' && m.action === 'history'));
    if (!h || h.type === 'error') { failures += 1; last = h; continue; }
    all.push(...h.messages);
    // hasMore, not a short page: a page over sealed (empty) seqs holds fewer than it may.
    if (!h.hasMore || !h.messages.length) return all;
    after = h.messages.at(-1).seq;
  }
  throw new Error(`could not read the history of ${room}: ${last ? JSON.stringify(last) : 'no answer'}`);
}

// The checker's connection: a node still busy with the end of the faults may refuse a
// handshake (504) or fail a hello, so it tries again, on any node.
async function enterRetrying(nodes, rng, { name = 'checker', guest } = {}) {
  for (let i = 0; ; i++) {
    try {
      return await enter(nodes[rng.int(nodes.length)].wsUrl, { name, room: uniq('chk'), guest, timeoutMs: 3000 });
    } catch (e) {
      if (i >= 20) throw e;
      await closeAll(500);
      await sleep(200);
    }
  }
}

// The history of every dm pair a user acked or received, read as one of its two parties (only
// they may read it): a fresh connection with that party's guest token, on any node.
async function dmHistories(actors, nodes, rng) {
  const rooms = new Set();
  for (const a of actors) {
    for (const c of a.conns) {
      for (const ack of c.acks) if (isDm(ack.room)) rooms.add(ack.room);
      for (const f of c.client.frames) if (f.json?.type === 'dm') rooms.add(f.json.room);
    }
  }
  const readers = new Map();  // userId -> a reader connected as that user
  const out = new Map();
  for (const room of rooms) {
    const party = dmParties(room).map((id) => [id, actors.find((a) => a.tokens.has(id))]).find(([, a]) => a);
    if (!party) throw new Error(`no user of the run is a party of ${room}`);
    const [id, a] = party;
    if (!readers.has(id)) readers.set(id, reader(nodes, rng, { name: a.name, guest: a.tokens.get(id) }));
    out.set(room, await wholeHistory(readers.get(id), room));
  }
  return out;
}

// A message to `room` from `client`, sent again (same clientMsgId) until acked: its seq.
async function marker(client, room, n) {
  const clientMsgId = `marker${n}-${room}`;
  for (let i = 0; i < 30; i++) {
    const a = await answerTo(client, i ? { action: 'sendmessage', room, message: 'the end', clientMsgId } : { action: 'join', room },
      (m) => (i ? (m.type === 'ack' || m.type === 'error') && m.clientMsgId === clientMsgId
        : (m.type === 'joined' && m.room === room) || (m.type === 'error' && m.action === 'join')));
    if (a?.type === 'ack') return a.seq;
    if (a?.type === 'error' && a.code === 'not_member') i = -1;  // the join failed: again
  }
  throw new Error(`no marker could be stored in ${room}`);
}

export async function runFaults({ mode, seed, ops = 300, users = 6 }) {
  const rng = makeRng(seed);
  const env = await startMode(mode, seed);
  const rooms = [uniq('fa'), uniq('fb'), uniq('fc')];
  const opLog = [];
  const faults = [];
  const names = Array.from({ length: users }, (_, i) => `u${i}`);
  const actors = names.map((name, i) => new Actor({
    name, rng: rng.fork(name), rooms, home: rooms[i % rooms.length], trace: opLog,
    pickNode: () => env.nodes[rng.int(env.nodes.length)].wsUrl,
  }));
  const started = Date.now();
  let done = 0;
  try {
    await Promise.all(actors.map((a) => a.connect()));
    const events = nodeFaults(env, mode, () => done / ops, faults, rng.fork('nodes'));
    await Promise.all(actors.map(async (a) => {
      while (done < ops) { done += 1; await a.step(names.filter((n) => n !== a.name)); }
    }));
    await events;
    // Settle: the faults stop where they can (the proxy; SQLite's hook stays on), every user
    // reconnects and rejoins what it wants, a marker goes to each room, and each member must
    // reach it by the protocol's rules alone.
    if (env.proxy) env.proxy.faults = false;
    for (let round = 0; round < 5; round++) {
      for (const a of actors) {
        if (!a.open) { if (a.conn) await a.disconnect(); await a.connect(); }
        if (a.open) for (const r of a.want) if (!a.conn.rooms.has(r)) await a.join(r);
      }
      if (actors.every((a) => a.open && [...a.want].every((r) => a.conn.rooms.has(r)))) break;
    }
    const checker = await enterRetrying(env.nodes, rng);
    const markers = new Map();
    // Two markers a room, the first awaited: were the first one's fan-out to fail after it
    // was stored (nothing then tells a member it exists), the second's would lead to it.
    for (const r of rooms) markers.set(r, await marker(checker.client, r, 1));
    for (const r of rooms) await marker(checker.client, r, 2);
    // Long enough for the slowest legitimate catch-up: a retry of a clientMsgId whose first
    // attempt died with a killed node waits claim_wait (5 s) per attempt until the claim's
    // lease (30 s, store/dynamodb/dynamo_options.hpp) lets it through, and the connection's
    // later frames (its history requests) wait behind it in order. Everyone usually arrives
    // within a second; the loop ends as soon as they have.
    const deadline = Date.now() + (mode === 'sqlite' ? 8000 : 40_000);
    while (Date.now() < deadline && !actors.every((a) => [...a.current].every(([r, f]) => f.last >= markers.get(r)))) await sleep(50);
    const histories = new Map();
    const roomReader = reader(env.nodes, rng, {}, checker.client);
    for (const r of rooms) histories.set(r, await wholeHistory(roomReader, r));
    for (const [r, h] of await dmHistories(actors, env.nodes, rng)) histories.set(r, h);
    const violations = check({ actors, histories, markers, stalled: env.stalled, killed: env.killed });
    const stats = { mode, seed, ops: done, ms: Date.now() - started, messages: rooms.map((r) => histories.get(r)).reduce((n, h) => n + h.length, 0),
      // seqs left empty (DynamoDB: a send interrupted between the counter and the put, or sealed)
      gaps: rooms.map((r) => histories.get(r)).reduce((n, h) => n + (h.length ? h.at(-1).seq - h.length : 0), 0) };
    for (const a of actors) for (const [k, x] of Object.entries(a.stats)) stats[k] = (stats[k] ?? 0) + x;
    let injected = env.injectedBefore;
    for (const n of env.nodes) injected += await metric(n, 'parley_store_faults_injected_total');
    if (env.proxy) {
      injected += Object.entries(env.proxy.counts).filter(([k]) => k !== 'requests').reduce((n, [, x]) => n + x, 0);
      stats.proxy = env.proxy.counts;
      for (const f of env.proxy.log) faults.push({ t: f.at, what: `${f.kind} ${f.answer} ${f.op} ${f.table}` });
    }
    // The hook logs each fault it injects (the last 64 KiB of each node's stderr are kept).
    for (const n of [...env.retired, ...env.nodes]) {
      for (const line of n.stderr().split('\n')) {
        if (!line.includes('"store fault injected"')) continue;
        try {
          const f = JSON.parse(line);
          faults.push({ t: Date.parse(f.ts), what: `store ${f.kind}${f.ms ? ` ${f.ms} ms` : ''} ${f.op} (node ${n.port})` });
        } catch { /* a line cut by the 64 KiB window */ }
      }
    }
    faults.sort((x, y) => x.t - y.t);
    stats.faults = injected + faults.filter((f) => /kill|SIGSTOP/.test(f.what)).length;
    for (const n of env.nodes) stats.timeouts504 = (stats.timeouts504 ?? 0) + await metric(n, 'parley_integration_failures_total');
    const report = (v) => `${v.kind} (user ${v.user}, room ${v.room}; ${mode}, PARLEY_FAULT_SEED=${seed}): ${v.detail}\n${trace(v, opLog, faults, histories)}`;
    // The nodes' own warnings and errors (not the injected faults): what the servers saw.
    const serverLog = violations.length ? [...env.retired, ...env.nodes].map((n) => {
      const lines = n.stderr().split('\n').filter((l) => /"level":"(WARN|ERROR)"/.test(l) && !l.includes('"store fault injected"'));
      return `node ${n.port}: ${lines.length} warnings/errors, the last ones:\n${lines.slice(-25).map((l) => `  ${l.slice(0, 300)}`).join('\n')}`;
    }).join('\n') : '';
    // PARLEY_FAULT_DUMP=DIR: a failed run's whole record (operations, faults, histories, the
    // nodes' stderr) as files, for what the trace's 40 lines leave out.
    if (violations.length && process.env.PARLEY_FAULT_DUMP) {
      const dir = join(process.env.PARLEY_FAULT_DUMP, `${mode}-${seed}-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'run.json'), JSON.stringify({ stats, violations, ops: opLog, faults,
        histories: Object.fromEntries(histories) }, null, 1));
      for (const n of [...env.retired, ...env.nodes]) writeFileSync(join(dir, `node-${n.port}.log`), n.stderr());
    }
    return { violations, stats, report, serverLog };
  } finally {
    await closeAll(1000);
    await stopMode(env);
  }
}
