// bench/cost_model.mjs and docs/scaling.md's "Capacity and cost" tables: the doc shows exactly
// what the script computes from its assumptions, and the script's arithmetic agrees with sums
// done here by hand from the per-operation counts (so a slip in either shows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ASSUMPTIONS, BEGIN, END, SOURCES, model, ops, remoteNodes, remoteRecipients, render, replaceBlock, withSets,
} from '../../bench/cost_model.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const docPath = join(root, 'docs', 'scaling.md');
const script = join(root, 'bench', 'cost_model.mjs');

test('docs/scaling.md holds the model output for the current assumptions', () => {
  const doc = readFileSync(docPath, 'utf8');
  assert.ok(doc.includes(BEGIN) && doc.includes(END), 'the generated block is marked');
  const inDoc = doc.slice(doc.indexOf(BEGIN) + BEGIN.length, doc.indexOf(END)).trim();
  assert.equal(inDoc, render(ASSUMPTIONS).trim(),
    'regenerate with: node bench/cost_model.mjs --write docs/scaling.md');
});

test('--check fails on a doc whose tables were edited by hand, --write repairs it', () => {
  const doc = readFileSync(docPath, 'utf8');
  const edited = doc.replace(/\*\*\$[0-9,]+\*\* \| \*\*\$/, '**$1** | **$');
  assert.notEqual(edited, doc);
  assert.notEqual(replaceBlock(edited, render(ASSUMPTIONS)), edited);
  assert.equal(replaceBlock(edited, render(ASSUMPTIONS)), doc);
  // The command line says so with its exit status.
  execFileSync(process.execPath, [script, '--check', docPath]);
  assert.throws(() => execFileSync(process.execPath, [script, '--set', 'messagesPerSecond=20000', '--check', docPath],
    { stdio: 'pipe' }), /status 1|differs/);
});

test('API Gateway messages, invocations and request units add up from the per-operation counts', () => {
  const a = ASSUMPTIONS, n = a.roomSize;
  const r = model(a);
  const connects = a.connections / (a.sessionMinutes * 60), pings = a.connections / a.pingSeconds;
  // in: sendmessage, hello, ping; posted: ack + n copies, presence to n-1 on connect and on
  // disconnect, welcome + history, pong.
  const perSecond = a.messagesPerSecond * (1 + 1 + n) + connects * (2 * (n - 1) + 1 + 2) + pings * 2;
  assert.ok(Math.abs(r.aws.messages / r.month - perSecond) < 1e-6);
  assert.ok(Math.abs(r.aws.invocations - (a.messagesPerSecond + 3 * connects + pings)) < 1e-9);
  // 4 WRU a message with a clientMsgId, 4 per connect, 4 per disconnect.
  assert.ok(Math.abs(r.dynamo.wru - (4 * a.messagesPerSecond + 8 * connects)) < 1e-9);
  // Members Queries of 10 × 110 B: 1 RRU each; a hello's page of 50 × 300 B: 4 RRU.
  assert.equal(ops(a).sendmessage.rru, 2);
  assert.equal(ops(a).hello.rru, 8);
  // The first billion messages at $1.00 per million, the rest at $0.80.
  const millions = r.aws.messages / 1e6;
  assert.ok(Math.abs(r.aws.messagesCost - (1000 + (millions - 1000) * 0.8)) < 1e-6);
});

test('without a clientMsgId a message costs 2 WRU and 4 DynamoDB calls', () => {
  const a = withSets(ASSUMPTIONS, ['clientMsgId=false']);
  assert.equal(ops(a).sendmessage.wru, 2);
  assert.equal(ops(a).sendmessage.calls, 4);
  assert.ok(model(a).dynamo.onDemand < model(ASSUMPTIONS).dynamo.onDemand);
});

test('remote recipients and batched requests per message', () => {
  assert.equal(remoteRecipients(9, 1), 0);
  assert.equal(remoteNodes(9, 1), 0);
  assert.equal(remoteRecipients(9, 2), 4.5);
  assert.ok(Math.abs(remoteNodes(9, 2) - (1 - 0.5 ** 9)) < 1e-12);   // the one other node, unless all 9 are local
  for (const k of [2, 3, 5, 10, 100, 10000]) {
    assert.ok(remoteNodes(9, k) <= remoteRecipients(9, k) + 1e-12, `k = ${k}`);
    assert.ok(remoteNodes(9, k) <= k - 1);
  }
  assert.ok(9 - remoteNodes(9, 1e6) < 1e-3);   // many nodes: every member on its own
});

test('nodes are sized by the constraint that binds, and meet every one', () => {
  const r = model(ASSUMPTIONS);
  for (const n of r.nodes) {
    for (const [what, k] of Object.entries(n.need)) assert.ok(n.k >= k, `${n.cfg.name}: ${what}`);
    assert.equal(n.need[n.binding], n.k);
  }
  // As shipped (4 handler threads) the threads bind; with room affinity nothing crosses nodes.
  assert.equal(r.nodes[0].binding, 'handler threads');
  assert.equal(r.nodes.at(-1).load.requests, 0);
});

test('--set refuses what is not an assumption or not a value of its type', () => {
  assert.throws(() => withSets(ASSUMPTIONS, ['messagesPerSecnd=1']), /not a settable assumption/);
  assert.throws(() => withSets(ASSUMPTIONS, ['roomSize=ten']), /not a number/);
  assert.throws(() => withSets(ASSUMPTIONS, ['clientMsgId=1']), /boolean/);
  assert.throws(() => withSets(ASSUMPTIONS, ['nodeConfigs=1']), /not a settable assumption/);
  const a = withSets(ASSUMPTIONS, ['messagesPerSecond=20000']);
  assert.equal(a.messagesPerSecond, 20000);
  assert.equal(ASSUMPTIONS.messagesPerSecond, 10000);   // the defaults stay as they were
});

test('every assumption has what it is and where it comes from', () => {
  for (const [name, meta] of Object.entries(ASSUMPTIONS.meta)) {
    assert.ok(name in ASSUMPTIONS, `${name} has a value`);
    assert.ok(meta.what && meta.src, `${name} says what and whence`);
  }
  for (const name of Object.keys(ASSUMPTIONS)) {
    if (name !== 'meta') assert.ok(name in ASSUMPTIONS.meta, `${name} is in the table`);
  }
  // Every [S n] named is in the source list, with an address; every source is used.
  const keys = new Set(SOURCES.map(([key]) => key));
  const used = new Set();
  for (const [name, meta] of Object.entries(ASSUMPTIONS.meta)) {
    for (const [, key] of meta.src.matchAll(/\[(S\d+)\]/g)) {
      assert.ok(keys.has(key), `${name} cites ${key}, which is not in SOURCES`);
      used.add(key);
    }
  }
  for (const [key, text] of SOURCES) {
    assert.ok(used.has(key), `${key} is cited by no assumption`);
    assert.match(text, /https:\/\//, `${key} has an address`);
  }
});
