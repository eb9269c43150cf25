// Identity and privacy in anonymous mode (docs/security.md, "Guests"): every connection has a
// stable identity — a guest id from a signed guest token the server issues in `welcome` and the
// client presents again with ?guest= — and direct messages are keyed and authorized by it, never
// by the display name. The two impersonation paths of issue 16 (setname to a party's name;
// ?name= of a party who left) return nothing of the party's DMs; the party coming back with its
// token has them; guest tokens that are tampered, expired or foreign are refused (403); the key
// survives a restart (DATA/guest.key, 0600) and is shared by two nodes given the same key file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import net from 'node:net';
import { startServer, makeDataDir, removeDataDir, parleyBin, useServer } from './server.mjs';
import { startDynalite } from './dynalite.mjs';
import { closeAll } from './client.mjs';
import { uniq, enter, history, who, handshake, sendExpectingError, wsQuery, dmRoom } from './protocol.mjs';
import { hs256, now } from './tokens.mjs';

const srv = useServer();

const T = { timeout: 30_000 };
const GUEST_ID = /^g_[A-Za-z0-9_-]{22}$/;

// enter() with an optional guest token.
const guest = (wsUrl, { name, room, token }) => enter(wsUrl, { name, room, guest: token });

async function dm(from, to, message) {
  const clientMsgId = uniq('c');
  from.client.send({ action: 'dm', to, message, clientMsgId });
  const a = await from.client.next((m) => (m.type === 'ack' || m.type === 'error') && m.clientMsgId === clientMsgId);
  assert.equal(a.type, 'ack', JSON.stringify(a));
  return a;
}

// ann and bob (guests) in one room, with a conversation: [ann, bob, pairRoom].
async function conversation(wsUrl, room) {
  const ann = await guest(wsUrl, { name: 'ann', room });
  const bob = await guest(wsUrl, { name: 'bob', room });
  const a1 = await dm(ann, 'bob', 'secret one');
  await dm(bob, 'ann', 'secret two');
  assert.equal(a1.room, dmRoom(ann.welcome.userId, bob.welcome.userId));
  return [ann, bob, a1.room];
}

// Everything a client received, as one string: nothing of the secrets may be in it.
const seen = (x) => JSON.stringify(x.client.messages);

test('every guest gets a signed token and a guest id in welcome; presenting it keeps the id', T, async () => {
  const room = uniq('id');
  const a = await guest(srv.wsUrl, { name: 'ann', room });
  assert.match(a.welcome.userId, GUEST_ID);
  assert.equal(a.welcome.guestToken.split('.').length, 3, 'a JWS compact token');
  const again = await guest(srv.wsUrl, { name: 'whatever', room, token: a.welcome.guestToken });
  assert.equal(again.welcome.userId, a.welcome.userId);
  assert.equal(again.welcome.name, 'whatever', 'a guest still chooses its display name');
  const fresh = await guest(srv.wsUrl, { name: 'ann2', room });
  assert.notEqual(fresh.welcome.userId, a.welcome.userId, 'no token: a new guest');
});

test('renaming oneself to a party\'s name opens nothing of the party\'s DMs', T, async () => {
  const room = uniq('imp');
  const [ann, bob, pair] = await conversation(srv.wsUrl, room);
  await ann.client.close();
  const eve = await guest(srv.wsUrl, { name: 'eve', room });
  eve.client.send({ action: 'setname', name: 'ann' });
  const renamed = await eve.client.next((m) => m.type === 'name');
  assert.equal(renamed.name, 'ann');
  await sendExpectingError(eve.client, { action: 'history', room: pair }, { code: 'not_member', action: 'history' });
  // A dm to bob as "ann" is eve's own conversation with bob, not ann's.
  const a = await dm(eve, 'bob', 'hi, it is ann');
  assert.equal(a.room, dmRoom(eve.welcome.userId, bob.welcome.userId));
  assert.equal(a.seq, 1, 'a new conversation');
  const h = await history(eve.client, a.room);
  assert.deepEqual(h.messages.map((m) => m.text), ['hi, it is ann']);
  assert.ok(!seen(eve).includes('secret'), seen(eve));
});

test('connecting with ?name= of a party who left opens nothing of the party\'s DMs', T, async () => {
  const room = uniq('imp2');
  const [ann, , pair] = await conversation(srv.wsUrl, room);
  await ann.client.close();
  const eve = await guest(srv.wsUrl, { name: 'ann', room });
  assert.equal(eve.welcome.name, 'ann', 'the name was free again');
  assert.notEqual(eve.welcome.userId, ann.welcome.userId);
  await sendExpectingError(eve.client, { action: 'history', room: pair }, { code: 'not_member', action: 'history' });
  for (const extra of [{ before: 3 }, { after: 0 }, { limit: 100 }]) {
    await sendExpectingError(eve.client, { action: 'history', room: pair, ...extra }, { code: 'not_member', action: 'history' });
  }
  assert.ok(!seen(eve).includes('secret'), seen(eve));
});

test('ann reconnecting with her guest token has her DMs, renamed or not; bob\'s rename moves nothing', T, async () => {
  const room = uniq('back');
  const [ann, bob, pair] = await conversation(srv.wsUrl, room);
  await ann.client.close();
  bob.client.send({ action: 'setname', name: 'robert' });
  await bob.client.next((m) => m.type === 'name');
  const back = await guest(srv.wsUrl, { name: 'annie', room, token: ann.welcome.guestToken });
  assert.equal(back.welcome.userId, ann.welcome.userId);
  const h = await history(back.client, pair);
  assert.deepEqual(h.messages.map((m) => [m.text, m.userId]),
    [['secret one', ann.welcome.userId], ['secret two', bob.welcome.userId]]);
  // The same pair room, whatever the names are now.
  const a = await dm(back, 'robert', 'still us');
  assert.deepEqual([a.room, a.seq], [pair, 3]);
});

test('two guests named "ann" in one room are told apart by userId in members, presence and messages', T, async () => {
  const room = uniq('twins');
  const ann1 = await guest(srv.wsUrl, { name: 'ann', room });
  const ann2 = await guest(srv.wsUrl, { name: 'ann', room });
  assert.notEqual(ann1.welcome.userId, ann2.welcome.userId);
  const joined = await ann1.client.next((m) => m.type === 'presence' && m.event === 'join');
  assert.equal(joined.userId, ann2.welcome.userId, JSON.stringify(joined));
  const list = await who(ann1.client, room);
  assert.deepEqual(new Set(list.members.map((m) => m.userId)), new Set([ann1.welcome.userId, ann2.welcome.userId]));
  ann2.client.send({ action: 'sendmessage', room, message: 'from the second ann' });
  const msg = await ann1.client.next((m) => m.type === 'message' && m.text === 'from the second ann');
  assert.equal(msg.userId, ann2.welcome.userId);
  // A dm by userId reaches exactly that ann.
  const bob = await guest(srv.wsUrl, { name: 'bob', room });
  const a = await dm(bob, ann2.welcome.userId, 'for the second');
  assert.equal(a.room, dmRoom(bob.welcome.userId, ann2.welcome.userId));
  await ann2.client.next((m) => m.type === 'dm' && m.text === 'for the second');
  await ann1.client.none((m) => m.type === 'dm', 300, 'the dm at the other ann');
});

test('a name held by different people in two shared rooms: dm by that name is ambiguous_recipient', T, async () => {
  const [r1, r2] = [uniq('amb'), uniq('amb')];
  const x = await guest(srv.wsUrl, { name: 'sam', room: r1 });
  const y = await guest(srv.wsUrl, { name: 'sam', room: r2 });
  const me = await guest(srv.wsUrl, { name: 'me', room: r1 });
  me.client.send({ action: 'join', room: r2 });
  await me.client.next((m) => m.type === 'joined' && m.room === r2);
  await sendExpectingError(me.client, { action: 'dm', to: 'sam', message: 'which?', clientMsgId: 'amb1' },
    { code: 'ambiguous_recipient', action: 'dm', clientMsgId: 'amb1' });
  await x.client.none((m) => m.type === 'dm', 100, 'a dm at either sam');
  await y.client.none((m) => m.type === 'dm', 10, 'a dm at either sam');
});

test('a tampered, expired, foreign or non-guest token is refused with 403; none gets a new guest', T, async () => {
  const key = (await readFile(join(srv.dataDir, 'guest.key'), 'utf8')).trim();
  const a = await guest(srv.wsUrl, { name: 'ann', room: uniq('t') });
  const token = a.welcome.guestToken;
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  const other = { ...claims, sub: 'g_AAAAAAAAAAAAAAAAAAAAAA' };
  const bad = {
    tampered: `${h}.${Buffer.from(JSON.stringify(other)).toString('base64url')}.${s}`,
    expired: hs256(key, { ...claims, iat: now() - 7200, exp: now() - 3600 }),
    foreign: hs256('another key, also 32 bytes long or more', claims),
    'wrong issuer': hs256(key, { ...claims, iss: 'someone-else' }),
    'not a guest id': hs256(key, { ...claims, sub: 'ann' }),
    garbage: 'not-a-token',
  };
  for (const [what, t] of Object.entries(bad)) {
    const r = await handshake(wsQuery(srv.wsUrl, { guest: t }));
    assert.equal(r.status, 403, `${what}: ${r.status} ${r.body}`);
    assert.deepEqual(r.json, { message: 'Forbidden' });
  }
  // The same key and claims, freshly signed: accepted (the check above is about the tokens).
  const good = await guest(srv.wsUrl, { name: 'ann', room: uniq('t'), token: hs256(key, claims) });
  assert.equal(good.welcome.userId, a.welcome.userId);
  assert.equal((await handshake(srv.wsUrl)).status, 101, 'no token: a new guest');
});

test('the guest key is created 0600 in the data dir; identities and DMs survive a restart', T, async () => {
  const dir = await makeDataDir();
  try {
    let s = await startServer({ dataDir: dir });
    const room = uniq('rs');
    let ann, pair;
    try {
      assert.match(s.stdout(), /Guests:\s+signed guest tokens, key .*guest\.key/);
      assert.equal((await stat(join(dir, 'guest.key'))).mode & 0o777, 0o600);
      [ann, , pair] = await conversation(s.wsUrl, room);
      await closeAll();
    } finally {
      await s.stop();
    }
    s = await startServer({ dataDir: dir });
    try {
      const back = await guest(s.wsUrl, { name: 'ann', room, token: ann.welcome.guestToken });
      assert.equal(back.welcome.userId, ann.welcome.userId);
      const h = await history(back.client, pair);
      assert.deepEqual(h.messages.map((m) => m.text), ['secret one', 'secret two']);
      const eve = await guest(s.wsUrl, { name: 'ann', room });
      await sendExpectingError(eve.client, { action: 'history', room: pair }, { code: 'not_member', action: 'history' });
      await closeAll();
    } finally {
      await s.stop();
    }
  } finally {
    await removeDataDir(dir);
  }
});

test('two nodes on one DynamoDB sharing --guest-key-file: a guest of one is the same guest on the other', { timeout: 60_000 }, async () => {
  const dir = await makeDataDir();
  const dynalite = await startDynalite({ path: join(dir, 'dynalite') });
  const keyFile = join(dir, 'shared-guest.key');
  await writeFile(keyFile, 'a shared guest key for both nodes, 32+ bytes\n', { mode: 0o600 });
  const nodes = [];
  try {
    for (let i = 0; i < 2; i++) {
      nodes.push(await startServer({
        store: 'dynamodb', dynamodbEndpoint: dynalite.url,
        args: ['--guest-key-file', keyFile, ...(i === 0 ? ['--create-tables'] : [])],
      }));
    }
    const room = uniq('mn');
    const ann = await guest(nodes[0].wsUrl, { name: 'ann', room });
    const bob = await guest(nodes[1].wsUrl, { name: 'bob', room });
    const a = await dm(ann, 'bob', 'across nodes');
    await bob.client.next((m) => m.type === 'dm' && m.text === 'across nodes');
    await ann.client.close();
    // ann comes back on the other node with the token the first one issued.
    const back = await guest(nodes[1].wsUrl, { name: 'ann', room, token: ann.welcome.guestToken });
    assert.equal(back.welcome.userId, ann.welcome.userId);
    const h = await history(back.client, a.room);
    assert.deepEqual(h.messages.map((m) => m.text), ['across nodes']);
    // Someone else named ann, on either node, reads nothing.
    const eve = await guest(nodes[0].wsUrl, { name: 'ann2', room });
    eve.client.send({ action: 'setname', name: 'ann' });
    await eve.client.next((m) => m.type === 'name');
    await sendExpectingError(eve.client, { action: 'history', room: a.room }, { code: 'not_member', action: 'history' });
    await closeAll();
    assert.match(nodes[0].stdout(), /Guests:\s+signed guest tokens, key .*shared-guest\.key\n/);
    // A node left with a key of its own says so: its guests would be strangers to the others.
    nodes.push(await startServer({ store: 'dynamodb', dynamodbEndpoint: dynalite.url }));
    assert.match(nodes[2].stdout(), /guest\.key \(this node's own: give every node the same --guest-key-file\)/);
  } finally {
    for (const n of nodes) await n.stop();
    await dynalite.kill();
    await removeDataDir(dir);
  }
});

// Safe by default: without --bind an anonymous server listens on loopback only, and its banner
// says how to expose it.
test('anonymous mode binds 127.0.0.1 unless --bind says otherwise; the banner says how to expose it', T, async () => {
  const dir = await makeDataDir();
  const child = spawn(parleyBin, ['serve', '--port', '0', '--data', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no banner: ${out}`)), 10_000);
      child.stdout.on('data', (d) => { out += d; if (/Press Ctrl\+C/.test(out)) { clearTimeout(timer); res(); } });
      child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`exited ${code}: ${out}`)); });
    });
    const port = Number(/WebSocket:\s+ws:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1]);
    assert.ok(port > 0, out);
    assert.match(out, /To expose it:\s+add --auth jwt .*--tls-cert.*--allowed-origin.*--bind 0\.0\.0\.0/);
    assert.equal((await handshake(`ws://127.0.0.1:${port}/dev`)).status, 101);
    // Not reachable on this host's other addresses.
    const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) {
      const refused = await new Promise((res) => {
        const s = net.connect({ host: external.address, port }, () => { s.destroy(); res(false); });
        s.on('error', () => res(true));
      });
      assert.ok(refused, `reachable on ${external.address}:${port}`);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => (child.exitCode !== null ? res() : child.once('exit', res)));
    await removeDataDir(dir);
  }
});
