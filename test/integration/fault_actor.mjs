// One simulated user of the fault-injection suite (fault_injection.test.mjs): it connects (to one of the
// nodes), joins and leaves rooms, sends with and without clientMsgId (pipelined bursts too),
// retries what failed or timed out with the same clientMsgId, sends direct messages, and
// disconnects and reconnects with `since`, as its seeded generator decides. What it shows is
// what protocol.mjs's RoomFollower (docs/protocol.md's four rules) shows, one follower per
// connection and room, each starting where the previous one stopped (`since`), so `shown`
// spans the user's connections. Every frame sent and received is recorded for the checker.

import { randomBytes } from 'node:crypto';
import { connect } from './client.mjs';
import { RoomFollower, wsQuery } from './protocol.mjs';

const GATEWAY_FRAME = (m) => m.type === undefined && typeof m.message === 'string';

export class Actor {
  constructor({ name, rng, rooms, home, pickNode, trace, answerMs = 2500 }) {
    Object.assign(this, { name, rng, rooms, pickNode, trace, answerMs });
    this.home = home;
    this.want = new Set([home]);   // the rooms the user wants to be in
    this.last = new Map();         // room -> last seq shown (kept across connections)
    this.followers = [];           // every RoomFollower ever made, in order: {room, conn, f}
    this.current = new Map();      // room -> the follower of the open connection
    this.conns = [];               // {client, id, name, url, sends: [], acks: [], rooms: Set, ever: Set}
    this.conn = null;
    // The user's guest identity, kept across its reconnects (`guest`), as the web and terminal
    // clients keep theirs: its dms (room dmu:<userId>:<userId>) stay its own.
    this.guestToken = null;
    this.userId = null;
    this.tokens = new Map();       // every identity it had: userId -> guest token
    this.counter = 0;
    this.stats = { sends: 0, retries: 0, acks: 0, errors: 0, timeouts: 0, reconnects: 0, joins: 0, leaves: 0, dms: 0 };
  }

  note(op, detail = {}) { this.trace.push({ t: Date.now(), user: this.name, conn: this.conn?.id, op, ...detail }); }

  // The messages of `room` the user has shown, over all its connections, in showing order.
  shown(room) { return this.followers.filter((x) => x.room === room).flatMap((x) => x.f.shown); }

  #follow(c, room, fromFrame) {
    if (this.current.has(room)) return;
    const f = new RoomFollower(c.client, room, this.last.get(room) ?? 0, { gapWaitMs: 400, fromFrame });
    this.followers.push({ room, conn: c.id, f });
    this.current.set(room, f);
  }

  #unfollow(room) {
    const f = this.current.get(room);
    if (!f) return;
    f.stop();
    this.last.set(room, f.last);
    this.current.delete(room);
  }

  // Opens a connection (home room, since = the last seq shown there) and sends hello until the
  // welcome comes; then joins every other room it wants. False when the node refused or failed.
  async connect() {
    const url = this.pickNode();
    const since = this.last.get(this.home) ?? 0;
    let client;
    try {
      client = await connect(wsQuery(url, { name: this.name, room: this.home, since, guest: this.guestToken ?? undefined }), { timeoutMs: 3000 });
    } catch (e) {
      this.note('connect-failed', { url, why: String(e.message).slice(0, 120) });
      return false;
    }
    // $connect makes it a member of its home room, welcome or not.
    // userId: the welcome's; until then the identity its guest token names (null: a new guest).
    const c = { client, id: null, userId: this.userId, url, sends: [], acks: [], rooms: new Set(), ever: new Set([this.home]), asked: new Set(), welcome: null, roomOps: [] };
    client.ws.on('message', () => this.#onFrame(c));
    this.conn = c;
    this.conns.push(c);
    for (let i = 0; i < 4 && !c.welcome && !client.closeInfo; i++) {
      client.send({ action: 'hello' });
      try {
        await client.next((m) => m.type === 'welcome', 1500, 'welcome');
      } catch { /* an error, a gateway frame or nothing: say hello again */ }
    }
    if (!c.welcome) { this.note('hello-failed', { url }); await this.disconnect(); return false; }
    this.note('connected', { url, since, rooms: c.welcome.rooms });
    for (const room of this.want) if (!c.rooms.has(room)) await this.join(room);
    return true;
  }

  #onFrame(c) {
    const index = c.client.frames.length - 1;
    c.client.frames[index].at = Date.now();  // when it arrived (the checker's missed-live windows)
    const m = c.client.frames[index].json;
    if (!m) return;
    // The gateway's own frames name no frame (only a requestId): traced, to read beside the sends.
    if (GATEWAY_FRAME(m)) this.trace.push({ t: Date.now(), user: this.name, conn: c.id, op: 'gateway', message: m.message });
    if (m.type === 'welcome') {
      if (c.welcome) return;  // a second hello's answer
      c.welcome = m;
      c.id = m.connectionId;
      c.name = m.name;
      c.userId = m.userId;
      this.userId = m.userId;
      if (m.guestToken) { this.guestToken = m.guestToken; this.tokens.set(m.userId, m.guestToken); }
      for (const r of m.rooms ?? []) { c.rooms.add(r); c.ever.add(r); }
      // The home room's history follows the welcome; earlier frames carry nothing of it.
      for (const r of m.rooms ?? []) if (this.conn === c) this.#follow(c, r, 0);
    } else if (m.type === 'joined') {
      c.rooms.add(m.room);
      c.ever.add(m.room);
      if (this.conn === c) this.#follow(c, m.room, index);
    } else if (m.type === 'left') {
      c.rooms.delete(m.room);
      if (this.conn === c) this.#unfollow(m.room);
    } else if (m.type === 'ack') {
      c.acks.push({ room: m.room, seq: m.seq, id: m.id, clientMsgId: m.clientMsgId, duplicate: m.duplicate, at: Date.now() });
      this.stats.acks += 1;
    }
  }

  async disconnect({ abrupt = false } = {}) {
    const c = this.conn;
    if (!c) return;
    c.closingAt = Date.now();
    if (abrupt) c.client.terminate(); else c.client.close(1000, 'bye');
    try { await c.client.closed(3000); } catch { c.client.terminate(); }
    for (const room of [...this.current.keys()]) this.#unfollow(room);
    this.conn = null;
  }

  get open() { return this.conn && !this.conn.client.closeInfo && this.conn.welcome; }

  // Waits for the answer to a frame: the ack or error carrying clientMsgId (or, without one,
  // the next ack/error/gateway frame of that kind), or nothing within answerMs.
  // A gateway frame (`Endpoint request timed out`, ...) names no frame: it answers a frame
  // without a clientMsgId, or none (keyed: the ack or error of that clientMsgId, or the time).
  async #answer(pred, keyed = false) {
    try {
      return await this.conn.client.next((m) => pred(m) || (!keyed && GATEWAY_FRAME(m)), this.answerMs, 'an answer');
    } catch {
      return null;
    }
  }

  async join(room) {
    this.stats.joins += 1;
    const since = this.last.get(room) ?? 0;
    this.conn.asked.add(room);
    this.note('join', { room, since });
    this.conn.roomOps.push({ op: 'join', room, at: Date.now() });  // the checker's missed-live windows
    this.conn.client.send({ action: 'join', room, since });
    const a = await this.#answer((m) => (m.type === 'joined' && m.room === room) || (m.type === 'error' && m.action === 'join'));
    this.note('join-answer', { room, answer: a?.type ?? a?.message ?? 'none', code: a?.code });
  }

  async leave(room) {
    this.stats.leaves += 1;
    this.note('leave', { room });
    this.conn.roomOps.push({ op: 'leave', room, at: Date.now() });
    this.conn.client.send({ action: 'leave', room });
    const a = await this.#answer((m) => (m.type === 'left' && m.room === room) || (m.type === 'error' && m.action === 'leave'));
    this.note('leave-answer', { room, answer: a?.type ?? a?.message ?? 'none', code: a?.code });
  }

  #newText() {
    this.counter += 1;
    return `${this.name}#${this.counter}.${randomBytes(2).toString('hex')}`;
  }

  // Sends one attempt of a message on the open connection and records it.
  #attempt(msg) {
    const frame = { action: 'sendmessage', room: msg.room, message: msg.text };
    if (msg.clientMsgId) frame.clientMsgId = msg.clientMsgId;
    this.conn.sends.push({ ...msg, at: Date.now(), order: this.conn.sends.length });
    this.conn.client.send(frame);
    this.stats.sends += 1;
    this.note('send', { room: msg.room, text: msg.text, clientMsgId: msg.clientMsgId });
  }

  // Sends `n` messages to `room` back to back; those with a clientMsgId are retried (up to 3
  // attempts, same clientMsgId) while the connection stays open until acked.
  async send(room, { n = 1, withId = true } = {}) {
    const msgs = Array.from({ length: n }, () => {
      const text = this.#newText();
      return { room, text, clientMsgId: withId ? text.replace(/[#.]/g, '-') : null };
    });
    for (const m of msgs) this.#attempt(m);
    for (const m of msgs) {
      for (let attempt = 1; ; attempt++) {
        const a = await this.#answer((x) => (x.type === 'ack' || (x.type === 'error' && x.action === 'sendmessage')) &&
          (m.clientMsgId ? x.clientMsgId === m.clientMsgId : x.clientMsgId === undefined), Boolean(m.clientMsgId));
        const what = a === null ? 'timeout' : a.type ?? a.message;
        this.note('send-answer', { room, text: m.text, answer: what, seq: a?.seq, code: a?.code, duplicate: a?.duplicate || undefined });
        if (a?.type === 'ack') break;
        if (a === null) this.stats.timeouts += 1; else this.stats.errors += 1;
        if (!m.clientMsgId || attempt >= 3 || !this.open || a?.code === 'not_member') break;
        this.stats.retries += 1;
        this.#attempt(m);
      }
    }
  }

  async dm(to) {
    this.stats.dms += 1;
    const text = this.#newText();
    this.note('dm', { to, text });
    this.conn.client.send({ action: 'dm', to, message: text, clientMsgId: text.replace(/[#.]/g, '-') });
    await this.#answer((x) => (x.type === 'ack' || x.type === 'error') && x.clientMsgId === text.replace(/[#.]/g, '-'), true);
  }

  // One operation, drawn by the seeded generator.
  async step(others) {
    if (!this.open) {
      if (this.conn) await this.disconnect();
      this.stats.reconnects += 1;
      if (!await this.connect()) await new Promise((res) => setTimeout(res, 100));
      return;
    }
    const rooms = [...this.conn.rooms];
    const r = this.rng.next();
    if (r < 0.40 && rooms.length) await this.send(this.rng.pick(rooms), { withId: this.rng.chance(0.75) });
    else if (r < 0.55 && rooms.length) await this.send(this.rng.pick(rooms), { n: this.rng.between(2, 4) });
    else if (r < 0.65) {
      const room = this.rng.pick(this.rooms);
      this.want.add(room);
      if (!this.conn.rooms.has(room)) await this.join(room);
    } else if (r < 0.72 && rooms.length > 1) {
      const room = this.rng.pick(rooms.filter((x) => x !== this.home));
      this.want.delete(room);
      await this.leave(room);
    } else if (r < 0.77) await this.dm(this.rng.pick(others));
    else if (r < 0.85) {
      const abrupt = this.rng.chance(0.5);
      this.note('disconnect', { abrupt });
      await this.disconnect({ abrupt });
    } else await new Promise((res) => setTimeout(res, this.rng.between(5, 60)));
  }
}
