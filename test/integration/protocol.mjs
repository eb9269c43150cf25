// Helpers for the chat-protocol suites (docs/protocol.md): entering with hello, sending with an
// ack, expecting error events, raw handshakes (to read a refusal's status and body), and a
// catch-up client that applies the rules of "Ordering and catch-up".
//
//   const a = await enter(srv.wsUrl, { name: 'ann', room: 'r1' });   // welcome + home history
//   const ack = await say(a.client, 'r1', 'hi');                      // waits for the ack
//   await expectError(a.client, { code: 'not_member', action: 'who' });
//   const f = new RoomFollower(client, 'r1', last); ... await f.reach(seq);

import http from 'node:http';
import assert from 'node:assert/strict';
import { randomUUID, randomBytes } from 'node:crypto';
import { connect } from './client.mjs';

let counter = 0;
// A short name unique to this test process: letters, digits and '-' (a valid room and name).
export function uniq(prefix = 'r') {
  counter += 1;
  return `${prefix}-${counter.toString(36)}${randomBytes(3).toString('hex')}`;
}

export const range = (from, to) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
export const seqsOf = (messages) => messages.map((m) => m.seq);

export function wsQuery(wsUrl, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${wsUrl}?${qs}` : wsUrl;
}

// Connects with ?name&room&since (and ?guest, a guest token to be that guest again), sends
// hello (plus `hello` fields), waits for the welcome and then the home room's history.
// Resolves with {client, id, welcome, history}.
export async function enter(wsUrl, { name, room, since, guest, hello = {}, timeoutMs = 5000, ...opts } = {}) {
  const client = await connect(wsQuery(wsUrl, { name, room, since, guest }), { timeoutMs, ...opts });
  client.send({ action: 'hello', ...hello });
  const welcome = await client.next((m) => m.type === 'welcome', timeoutMs, 'the welcome event');
  const home = Array.isArray(welcome.rooms) && welcome.rooms.length ? welcome.rooms[0] : (room ?? 'lobby');
  const history = await client.next((m) => m.type === 'history' && m.room === home, timeoutMs,
    `the history of the home room "${home}" after the welcome`);
  return { client, id: welcome.connectionId, welcome, history };
}

// The room of two users' direct messages (docs/protocol.md): "dmu:" + the two user ids, ':'
// and '%' percent-escaped, sorted by code unit.
export function dmRoom(userA, userB) {
  const part = (id) => String(id).replace(/%/g, '%25').replace(/:/g, '%3A');
  const [x, y] = [part(userA), part(userB)].sort();
  return `dmu:${x}:${y}`;
}

// Sends a sendmessage (with a fresh clientMsgId unless one is given, or null for none) and
// resolves with its ack (or rejects with the error event's JSON, or on timeout).
export async function say(client, room, text, { clientMsgId = randomUUID(), timeoutMs = 5000 } = {}) {
  const frame = { action: 'sendmessage', message: text };
  if (room !== undefined && room !== null) frame.room = room;
  if (clientMsgId !== null) frame.clientMsgId = clientMsgId;
  client.send(frame);
  const m = await client.next((x) =>
    (x.type === 'ack' && (clientMsgId === null || x.clientMsgId === clientMsgId)) ||
    (x.type === 'error' && (clientMsgId === null || x.clientMsgId === clientMsgId)),
  timeoutMs, `the ack of ${JSON.stringify(frame).slice(0, 200)}`);
  if (m.type === 'error') throw new Error(`sendmessage refused: ${JSON.stringify(m)}`);
  return m;
}

// Joins a room: resolves with {joined, history} (the joined event, then the room's history).
export async function joinRoom(client, room, { since, timeoutMs = 5000 } = {}) {
  const frame = { action: 'join', room };
  if (since !== undefined) frame.since = since;
  client.send(frame);
  const joined = await client.next((m) => (m.type === 'joined' && m.room === room) || m.type === 'error',
    timeoutMs, `joined "${room}"`);
  if (joined.type === 'error') throw new Error(`join refused: ${JSON.stringify(joined)}`);
  const history = await client.next((m) => m.type === 'history' && m.room === room, timeoutMs,
    `the history of "${room}" after joined`);
  return { joined, history };
}

// Sends a frame and resolves with the next event of the given type (or an error event).
export async function ask(client, frame, type, pred = () => true, timeoutMs = 5000) {
  client.send(frame);
  const m = await client.next((x) => (x.type === type && pred(x)) || x.type === 'error', timeoutMs,
    `a ${type} event answering ${JSON.stringify(frame).slice(0, 200)}`);
  if (m.type === 'error') throw new Error(`${JSON.stringify(frame).slice(0, 200)} answered an error: ${JSON.stringify(m)}`);
  return m;
}

export const who = (client, room) => ask(client, { action: 'who', room }, 'members', (m) => m.room === room);
export const history = (client, room, opts = {}) =>
  ask(client, { action: 'history', room, ...opts }, 'history', (m) => m.room === room);

// Every stored message of a room, oldest first, paging forwards with `after` until hasMore is false.
export async function wholeHistory(client, room) {
  const all = [];
  for (let after = 0; ;) {
    const h = await history(client, room, { after, limit: 100 });
    all.push(...h.messages);
    if (!h.hasMore || h.messages.length === 0) return all;
    after = h.messages.at(-1).seq;
  }
}

// Waits for the next error event and checks its documented fields. `action` is checked when
// given (undefined: not checked); `clientMsgId` likewise.
export async function expectError(client, { code, action, clientMsgId, sent }, timeoutMs = 5000) {
  const what = `error ${code}${sent ? ` answering ${String(sent).slice(0, 200)}` : ''}`;
  const err = await client.next((m) => m.type === 'error', timeoutMs, what);
  const ctx = `${sent ? `sent ${String(sent).slice(0, 300)}\n` : ''}got ${JSON.stringify(err)}`;
  assert.equal(err.code, code, `error code\n${ctx}`);
  assert.equal(typeof err.message, 'string', `error message should be a string\n${ctx}`);
  assert.ok(err.message.length > 0, `error message should not be empty\n${ctx}`);
  if (action !== undefined) assert.equal(err.action, action, `error action\n${ctx}`);
  if (clientMsgId !== undefined) assert.equal(err.clientMsgId, clientMsgId, `error clientMsgId\n${ctx}`);
  return err;
}

// Sends a raw frame (string) or object and expects an error event with the given fields.
export function sendExpectingError(client, frame, expected, timeoutMs = 5000) {
  const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
  client.send(text);
  return expectError(client, { ...expected, sent: text }, timeoutMs);
}

// A ping/pong round trip: proves the server (and this connection) still answers.
export async function pingPong(client, timeoutMs = 5000) {
  client.send({ action: 'ping' });
  await client.next((m) => m.type === 'pong', timeoutMs, 'pong');
}

// A raw WebSocket handshake: resolves with {status, body, json} (status 101 when accepted).
export function handshake(url, timeoutMs = 5000) {
  return new Promise((res, rej) => {
    const u = new URL(url.replace(/^ws/, 'http'));
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET',
      headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'User-Agent': 'parley-e2e/1.0',
      },
      timeout: timeoutMs,
    });
    req.on('upgrade', (resp, socket) => { socket.destroy(); res({ status: resp.statusCode, body: '', json: undefined }); });
    req.on('response', (resp) => {
      let body = '';
      resp.setEncoding('utf8');
      resp.on('data', (d) => { body += d; });
      resp.on('end', () => {
        let json;
        try { json = JSON.parse(body); } catch { /* not JSON */ }
        res({ status: resp.statusCode, body, json, headers: resp.headers });
      });
    });
    req.on('timeout', () => { req.destroy(new Error(`handshake ${url}: no answer within ${timeoutMs} ms`)); });
    req.on('error', rej);
    req.end();
  });
}

// Checks the fields of a message event (or a history entry) of docs/protocol.md.
export function assertMessage(m, { room, text, from, name, seq, type = 'message' } = {}) {
  const ctx = JSON.stringify(m);
  assert.equal(m.type, type, `type: ${ctx}`);
  assert.ok(Number.isInteger(m.seq) && m.seq > 0, `seq should be a positive integer: ${ctx}`);
  assert.equal(typeof m.id, 'string', `id should be a string: ${ctx}`);
  assert.ok(m.id.length > 0, `id should not be empty: ${ctx}`);
  assert.ok(Number.isInteger(m.ts), `ts should be integer epoch ms: ${ctx}`);
  assert.ok(Math.abs(m.ts - Date.now()) < 10 * 60_000, `ts ${m.ts} is not close to now (${Date.now()}): ${ctx}`);
  assert.equal(typeof m.connectionId, 'string', `connectionId: ${ctx}`);
  assert.equal(typeof m.name, 'string', `name: ${ctx}`);
  assert.equal(typeof m.text, 'string', `text: ${ctx}`);
  if (room !== undefined) assert.equal(m.room, room, `room: ${ctx}`);
  if (text !== undefined) assert.equal(m.text, text, `text: ${ctx}`);
  if (from !== undefined) assert.equal(m.connectionId, from, `connectionId: ${ctx}`);
  if (name !== undefined) assert.equal(m.name, name, `name: ${ctx}`);
  if (seq !== undefined) assert.equal(m.seq, seq, `seq: ${ctx}`);
}

// A name disambiguated per docs/protocol.md "Names": base-XXXX, XXXX four successive letters or
// digits of the connection id (letters and digits only, so that the suffix reads as one word).
export function assertDisambiguated(shown, base, connectionId, ctx = '') {
  const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-([A-Za-z0-9]{4})$`).exec(shown);
  assert.ok(m, `expected "${base}-XXXX", got ${JSON.stringify(shown)} ${ctx}`);
  assert.ok(connectionId.replace(/[^A-Za-z0-9]/g, '').includes(m[1]),
    `the suffix "${m[1]}" of ${JSON.stringify(shown)} should come from the connection id ${connectionId} ${ctx}`);
}

// Sends n messages to a room, pipelined, and resolves with their acks in sending order.
export async function sendMany(client, room, n, textOf = (i) => `m${i}`, timeoutMs = 10_000) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const clientMsgId = randomUUID();
    ids.push(clientMsgId);
    client.send({ action: 'sendmessage', room, message: textOf(i), clientMsgId });
  }
  const acks = [];
  for (const id of ids) {
    const m = await client.next((x) => (x.type === 'ack' || x.type === 'error') && x.clientMsgId === id, timeoutMs,
      `the ack of clientMsgId ${id}`);
    if (m.type === 'error') throw new Error(`sendmessage refused: ${JSON.stringify(m)}`);
    acks.push(m);
  }
  return acks;
}

// The client side of "Ordering and catch-up" for one room, fed by every frame the client gets:
//   1. history: show its messages with seq > last, in order; last = the highest.
//   2. live message with seq == last + 1: show it; last = seq.
//   3. live message with seq <= last: a duplicate; drop it.
//   4. live message with seq > last + 1: keep it aside; if the awaited history has not come
//      within gapWaitMs, ask {"action":"history","room":R,"after":last}; then apply the kept
//      messages by rule 2.
// A history page holds every message stored from where it starts up to its highest seq, so a
// seq it passes without a message stays empty for good (a failed send on DynamoDB, sealed):
// `last` moves over it (counted in `skipped`). Seqs past the page up to its lastSeq were not
// stored when it was read (in flight: they come live; failed: the next message's gap passes
// them), so only a page cut by its limit (hasMore, lastSeq above `last`) is followed by a
// history request after `last` — asking on every lastSeq above `last` would loop for ever.
// `shown` is what the user would see; `received` counts every copy of every seq that arrived.
export class RoomFollower {
  constructor(client, room, last = 0, { gapWaitMs = 700, fromFrame = 0 } = {}) {
    this.client = client;
    this.room = room;
    this.last = last;
    this.shown = [];
    this.kept = new Map();
    this.received = new Map();
    this.dropped = 0;
    this.skipped = [];
    this.historyRequests = 0;
    this.histories = [];
    this.problems = [];
    this.gapTimer = null;
    this.gapWaitMs = gapWaitMs;
    this.waiters = new Set();
    this.index = fromFrame;
    this.onMessage = () => this.pump();
    client.ws.on('message', this.onMessage);
    this.pump();
  }

  stop() {
    this.client.ws.off('message', this.onMessage);
    clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  pump() {
    while (this.index < this.client.frames.length) {
      const m = this.client.frames[this.index++].json;
      if (!m || m.room !== this.room) continue;
      if (m.type === 'history') this.#onHistory(m);
      else if (m.type === 'message' || m.type === 'dm') this.#onLive(m);
    }
    for (const w of [...this.waiters]) w();
  }

  #count(m) { this.received.set(m.seq, (this.received.get(m.seq) ?? 0) + 1); }

  #show(m, { mayPass = false } = {}) {
    if (m.seq !== this.last + 1 && this.shown.length) {
      if (mayPass) for (let s = this.last + 1; s < m.seq; s++) this.skipped.push(s);
      else this.problems.push(`shown seq ${m.seq} after ${this.last}`);
    }
    this.shown.push(m);
    this.last = m.seq;
  }

  #onHistory(h) {
    this.histories.push(h);
    if (!Array.isArray(h.messages)) { this.problems.push(`history without messages: ${JSON.stringify(h).slice(0, 200)}`); return; }
    const msgs = [...h.messages].sort((a, b) => a.seq - b.seq);
    for (const m of msgs) this.#count(m);
    // The page and the kept messages it covers, in seq order.
    const top = msgs.length ? msgs.at(-1).seq : this.last;
    const covered = new Map(msgs.map((m) => [m.seq, m]));
    for (const [s, m] of this.kept) if (s <= top && !covered.has(s)) covered.set(s, m);
    for (const s of [...covered.keys()].sort((a, b) => a - b)) {
      if (s > this.last) this.#show(covered.get(s), { mayPass: true });
    }
    this.#drain();
    if (h.hasMore === true && Number.isInteger(h.lastSeq) && h.lastSeq > this.last && !this.kept.has(this.last + 1)) this.#requestAfter();
  }

  #onLive(m) {
    this.#count(m);
    if (m.seq === this.last + 1) { this.#show(m); this.#drain(); }
    else if (m.seq <= this.last) this.dropped += 1;
    else {
      this.kept.set(m.seq, m);
      this.#armGapTimer();
    }
  }

  #drain() {
    for (const s of [...this.kept.keys()]) if (s <= this.last) this.kept.delete(s);
    while (this.kept.has(this.last + 1)) {
      const m = this.kept.get(this.last + 1);
      this.kept.delete(m.seq);
      this.#show(m);
    }
    if (this.kept.size === 0) { clearTimeout(this.gapTimer); this.gapTimer = null; } else this.#armGapTimer();
  }

  #armGapTimer() {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.client.closeInfo) return;
      if (this.kept.size) { this.#requestAfter(); this.#armGapTimer(); }
    }, this.gapWaitMs);
    this.gapTimer.unref?.();
  }

  #requestAfter() {
    if (this.client.ws.readyState !== 1) return;
    this.historyRequests += 1;
    this.client.send({ action: 'history', room: this.room, after: this.last, limit: 100 });
  }

  // Resolves once `last` >= seq; rejects after timeoutMs with the follower's state.
  reach(seq, timeoutMs = 8000) {
    return new Promise((res, rej) => {
      const check = () => {
        if (this.last >= seq) { done(); res(this.last); }
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`room ${this.room}: last is ${this.last}, expected to reach ${seq} within ${timeoutMs} ms; ` +
          `kept ${JSON.stringify([...this.kept.keys()].slice(0, 20))}, ${this.historyRequests} history requests, ` +
          `histories ${JSON.stringify(this.histories.map((h) => ({ n: h.messages?.length, first: h.messages?.[0]?.seq, lastSeq: h.lastSeq, hasMore: h.hasMore })))}`));
      }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }
}
