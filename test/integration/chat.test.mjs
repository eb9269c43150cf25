// Chat over the WebSocket: broadcast, $default, hello/welcome, rooms, $connect refusals,
// connection lifecycle. Runs against one parley server (see server.mjs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchT, poll, useServer } from './server.mjs';
import { connect, join, ID_RE } from './client.mjs';

const srv = useServer();

const T = { timeout: 15_000 };

function assertMessageEvent(m, { text, from, name, room = 'lobby' }) {
  assert.equal(m.type, 'message', JSON.stringify(m));
  assert.equal(m.text, text);
  assert.equal(m.connectionId, from);
  assert.equal(m.name, name);
  assert.equal(m.room, room);
  assert.ok(Number.isInteger(m.seq) && m.seq > 0, `seq should be a positive integer: ${JSON.stringify(m)}`);
  assert.equal(typeof m.ts, 'number', `ts should be epoch ms: ${JSON.stringify(m)}`);
  assert.ok(Math.abs(m.ts - Date.now()) < 60_000, `ts ${m.ts} is not close to now (${Date.now()})`);
  assert.equal(typeof m.id, 'string', `id should be a string: ${JSON.stringify(m)}`);
}

async function threeInLobby(prefix) {
  return Promise.all(['a', 'b', 'c'].map((s) => join(srv.wsUrl, { name: `${prefix}-${s}` })));
}

test('hello answers a welcome with the connection id, name and room', T, async () => {
  const { client, welcome } = await join(srv.wsUrl, { name: 'alice' });
  assert.equal(welcome.type, 'welcome');
  assert.match(welcome.connectionId, ID_RE);
  assert.equal(welcome.name, 'alice');
  assert.deepEqual(welcome.rooms, ['lobby']);
  await client.close();
});

test('connection ids have the AWS shape and are unique', T, async () => {
  const joined = await Promise.all(Array.from({ length: 5 }, (_, i) => join(srv.wsUrl, { name: `id${i}` })));
  const ids = joined.map((j) => j.id);
  for (const id of ids) assert.match(id, ID_RE);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids}`);
});

test('a connection without ?name gets a guest-XXXX name', T, async () => {
  const { welcome } = await join(srv.wsUrl);
  assert.match(welcome.name, /^guest-/);
  assert.deepEqual(welcome.rooms, ['lobby']);
});

test('sendmessage reaches all three clients, the sender too', T, async () => {
  const [a, b, c] = await threeInLobby('send');
  a.client.send({ action: 'sendmessage', message: 'hi' });
  const got = await Promise.all([a, b, c].map((j) =>
    j.client.next((m) => m.type === 'message' && m.text === 'hi', 5000, `"hi" at ${j.welcome.name}`)));
  for (const m of got) assertMessageEvent(m, { text: 'hi', from: a.id, name: 'send-a' });
  // one stored message: the same seq and id for every receiver
  assert.equal(new Set(got.map((m) => m.seq)).size, 1, `seq differs: ${JSON.stringify(got)}`);
  assert.equal(new Set(got.map((m) => m.id)).size, 1, `id differs: ${JSON.stringify(got)}`);
});

test('the seed\'s {"action":"default","message":"yo"} is broadcast like sendmessage', T, async () => {
  const [a, b, c] = await threeInLobby('dflt');
  b.client.send({ action: 'default', message: 'yo' });
  const got = await Promise.all([a, b, c].map((j) =>
    j.client.next((m) => m.type === 'message' && m.text === 'yo', 5000, `"yo" at ${j.welcome.name}`)));
  for (const m of got) assertMessageEvent(m, { text: 'yo', from: b.id, name: 'dflt-b' });
});

test('an unknown action with a string message goes through $default and is broadcast', T, async () => {
  const [a, b] = await Promise.all([join(srv.wsUrl, { name: 'unk-a' }), join(srv.wsUrl, { name: 'unk-b' })]);
  a.client.send({ action: 'shout', message: 'via default' });
  for (const j of [a, b]) {
    const m = await j.client.next((x) => x.type === 'message' && x.text === 'via default', 5000);
    assertMessageEvent(m, { text: 'via default', from: a.id, name: 'unk-a' });
  }
});

test('seq increases per room across messages', T, async () => {
  const [a, b] = await Promise.all([join(srv.wsUrl, { name: 'seq-a' }), join(srv.wsUrl, { name: 'seq-b' })]);
  const seqs = [];
  for (const text of ['one', 'two', 'three']) {
    a.client.send({ action: 'sendmessage', message: text });
    seqs.push((await b.client.next((m) => m.type === 'message' && m.text === text, 5000)).seq);
  }
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2], `seqs not increasing: ${seqs}`);
});

test('clientMsgId is echoed on the message event', T, async () => {
  const { client } = await join(srv.wsUrl, { name: 'cmid' });
  client.send({ action: 'sendmessage', message: 'tagged', clientMsgId: 'c-123' });
  const m = await client.next((x) => x.type === 'message' && x.text === 'tagged', 5000);
  assert.equal(m.clientMsgId, 'c-123');
});

test('a message is delivered only to the sender\'s room', T, async () => {
  const [a, b, other] = await Promise.all([
    join(srv.wsUrl, { name: 'room-a', room: 'garden' }),
    join(srv.wsUrl, { name: 'room-b', room: 'garden' }),
    join(srv.wsUrl, { name: 'room-x' }),
  ]);
  assert.deepEqual(a.welcome.rooms, ['garden']);
  a.client.send({ action: 'sendmessage', message: 'only garden' });
  for (const j of [a, b]) {
    const m = await j.client.next((x) => x.type === 'message' && x.text === 'only garden', 5000);
    assertMessageEvent(m, { text: 'only garden', from: a.id, name: 'room-a', room: 'garden' });
  }
  await other.client.none((x) => x.type === 'message' && x.text === 'only garden', 500, 'a garden message in the lobby');
});

test('ping answers pong', T, async () => {
  const { client } = await join(srv.wsUrl, { name: 'pinger' });
  client.send({ action: 'ping' });
  const m = await client.next((x) => x.type === 'pong', 5000, 'pong');
  assert.deepEqual(m, { type: 'pong' });
});

test('a non-JSON frame reaches $default, which answers an error event; the socket stays open', T, async () => {
  const { client } = await join(srv.wsUrl, { name: 'nonjson' });
  client.send('this is not json');
  const err = await client.next((m) => m.type === 'error', 5000, 'the error event');
  assert.equal(typeof err.code, 'string');
  assert.equal(typeof err.message, 'string');
  client.send({ action: 'hello' });
  await client.next((m) => m.type === 'welcome', 5000, 'a welcome after the error');
});

test('default action without a message answers an error event', T, async () => {
  const { client } = await join(srv.wsUrl, { name: 'nomsg' });
  client.send({ action: 'default' });
  const err = await client.next((m) => m.type === 'error', 5000, 'the error event');
  assert.equal(typeof err.code, 'string');
});

test('a message over 4096 characters answers error too_long and is not broadcast', T, async () => {
  const [a, b] = await Promise.all([join(srv.wsUrl, { name: 'long-a' }), join(srv.wsUrl, { name: 'long-b' })]);
  a.client.send({ action: 'sendmessage', message: 'x'.repeat(4097) });
  const err = await a.client.next((m) => m.type === 'error', 5000, 'the too_long error');
  assert.equal(err.code, 'too_long');
  await b.client.none((m) => m.type === 'message' && m.connectionId === a.id, 300, 'the over-long message');
  // exactly 4096 is fine
  a.client.send({ action: 'sendmessage', message: 'y'.repeat(4096) });
  const m = await b.client.next((x) => x.type === 'message' && x.connectionId === a.id, 5000);
  assert.equal(m.text.length, 4096);
});

test('$connect refuses a bad name with HTTP 400 on the handshake', T, async () => {
  await assert.rejects(connect(`${srv.wsUrl}?name=${encodeURIComponent('<script>')}`),
    (e) => { assert.match(e.message, /Unexpected server response: 400/); return true; });
  await assert.rejects(connect(`${srv.wsUrl}?name=${'n'.repeat(33)}`),
    (e) => { assert.match(e.message, /Unexpected server response: 400/); return true; });
  // the server is still fine afterwards
  const { welcome } = await join(srv.wsUrl, { name: 'Good Name_1.x-y' });
  assert.equal(welcome.name, 'Good Name_1.x-y');
});

test('a plain HTTP GET (no Upgrade) to the stage answers 426', T, async () => {
  const res = await fetchT(`${srv.base}/dev`);
  assert.equal(res.status, 426);
  await res.arrayBuffer();
});

test('a closed client\'s connection is gone (410) and later broadcasts still reach the others', T, async () => {
  const [a, b, c] = await threeInLobby('gone');
  assert.equal((await fetchT(srv.connectionUrl(c.id))).status, 200, 'GET on a live connection');
  const info = await c.client.close(1000, 'bye');
  assert.equal(info.code, 1000);
  const status = await poll(async () => {
    const r = await fetchT(srv.connectionUrl(c.id));
    await r.arrayBuffer();
    return r.status === 410 ? 410 : null;
  }, { timeoutMs: 2000 });
  assert.equal(status, 410, `GET @connections/${c.id} after the client closed`);

  a.client.send({ action: 'sendmessage', message: 'after close' });
  for (const j of [a, b]) {
    const m = await j.client.next((x) => x.type === 'message' && x.text === 'after close', 5000);
    assertMessageEvent(m, { text: 'after close', from: a.id, name: 'gone-a' });
  }
});

test('a client that vanishes without a close frame is cleaned up too', T, async () => {
  const [a, b] = await Promise.all([join(srv.wsUrl, { name: 'cut-a' }), join(srv.wsUrl, { name: 'cut-b' })]);
  b.client.terminate(); // TCP cut, no close frame
  const status = await poll(async () => {
    const r = await fetchT(srv.connectionUrl(b.id));
    await r.arrayBuffer();
    return r.status === 410 ? 410 : null;
  }, { timeoutMs: 3000 });
  assert.equal(status, 410, 'GET on the cut connection');
  a.client.send({ action: 'sendmessage', message: 'still here' });
  await a.client.next((x) => x.type === 'message' && x.text === 'still here', 5000);
});

test('a burst of messages all arrive, each with its own seq', T, async () => {
  const [a, b] = await Promise.all([join(srv.wsUrl, { name: 'burst-a' }), join(srv.wsUrl, { name: 'burst-b' })]);
  const N = 50;
  for (let i = 0; i < N; i++) a.client.send({ action: 'sendmessage', message: `burst ${i}` });
  const got = [];
  for (let i = 0; i < N; i++) {
    got.push(await b.client.next((x) => x.type === 'message' && x.text === `burst ${i}`, 5000));
  }
  assert.equal(new Set(got.map((m) => m.seq)).size, N, `duplicate seqs: ${got.map((m) => m.seq)}`);
});
