// A small WebSocket test client on top of `ws`.
//
//   const c = await connect(`${srv.wsUrl}?name=alice`);
//   c.send({ action: 'hello' });
//   const welcome = await c.next((m) => m.type === 'welcome', 5000);
//   const { code } = await c.closed(5000);
//
// Every received frame is kept in c.frames as {data (string or Buffer), isBinary, json (parsed
// object or undefined)}. next(predicate) resolves with the json of the first not yet consumed
// frame whose json satisfies it (nextFrame() does the same on the raw frame records); it
// rejects on timeout or when the socket closes first, listing what did arrive.

import WebSocket from 'ws';

export const ID_RE = /^[A-Za-z0-9_-]{15}=$/;
const USER_AGENT = 'parley-e2e/1.0';
const open = new Set();

export class Client {
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.consumed = new Set();
    this.waiters = new Set();
    this.closeInfo = null;
    this.errors = [];
    ws.on('message', (data, isBinary) => {
      const rec = { data: isBinary ? data : data.toString('utf8'), isBinary, json: undefined };
      if (!isBinary) {
        try { rec.json = JSON.parse(rec.data); } catch { /* not JSON */ }
      }
      this.frames.push(rec);
      this.#wake();
    });
    ws.on('error', (e) => { this.errors.push(e); });
    this.closedPromise = new Promise((res) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8'), at: Date.now() };
        open.delete(this);
        res(this.closeInfo);
        this.#wake();
      });
    });
  }

  get messages() { return this.frames.filter((f) => f.json !== undefined).map((f) => f.json); }

  #wake() { for (const w of [...this.waiters]) w(); }

  send(msg, opts) {
    this.ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg), opts);
  }

  // Resolves with the first unconsumed frame record satisfying pred(record).
  nextFrame(pred = () => true, timeoutMs = 5000, what = 'a matching frame') {
    return new Promise((res, rej) => {
      const check = () => {
        for (let i = 0; i < this.frames.length; i++) {
          if (this.consumed.has(i)) continue;
          let ok = false;
          try { ok = pred(this.frames[i]); } catch { ok = false; }
          if (ok) {
            this.consumed.add(i);
            done();
            res(this.frames[i]);
            return true;
          }
        }
        if (this.closeInfo) {
          done();
          rej(new Error(`socket closed (${this.closeInfo.code} "${this.closeInfo.reason}") before ${what}; received: ${this.#dump()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${this.#dump()}`));
      }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      if (!check()) this.waiters.add(check);
    });
  }

  // Resolves with the parsed JSON of the first unconsumed JSON frame satisfying pred(json).
  async next(pred = () => true, timeoutMs = 5000, what = 'a matching JSON message') {
    const rec = await this.nextFrame((f) => f.json !== undefined && pred(f.json), timeoutMs, what);
    return rec.json;
  }

  // Asserts nothing matching pred arrives within ms (resolves true), or rejects with the frame.
  async none(pred, ms, what = 'an unexpected message') {
    try {
      const m = await this.next(pred, ms, what);
      throw Object.assign(new Error(`received ${what}: ${JSON.stringify(m)}`), { unexpected: true });
    } catch (e) {
      if (e.unexpected) throw e;
      if (this.closeInfo && !/timed out/.test(e.message)) throw e;
      return true;
    }
  }

  closed(timeoutMs = 5000) {
    let timer;
    return Promise.race([
      this.closedPromise,
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`socket not closed within ${timeoutMs} ms; received: ${this.#dump()}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  close(code = 1000, reason = '') {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    return this.closed(5000);
  }

  terminate() { try { this.ws.terminate(); } catch { /* ignore */ } }

  #dump() {
    const s = JSON.stringify(this.frames.map((f) => (f.isBinary ? `<binary ${f.data.length} B>` :
      f.data.length > 300 ? `${f.data.slice(0, 300)}...(${f.data.length} chars)` : f.data)));
    return s.length > 2000 ? `${s.slice(0, 2000)}...` : s;
  }
}

// Opens a WebSocket; resolves once it is open, rejects on a refused handshake with ws's error
// ("Unexpected server response: 400") or after timeoutMs.
export function connect(url, { timeoutMs = 5000, headers = {}, protocols, ...opts } = {}) {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, protocols, {
      headers: { 'User-Agent': USER_AGENT, ...headers },
      handshakeTimeout: timeoutMs,
      ...opts,
    });
    const client = new Client(ws);
    open.add(client);
    const timer = setTimeout(() => { client.terminate(); rej(new Error(`connect ${url}: not open within ${timeoutMs} ms`)); }, timeoutMs);
    ws.once('open', () => { clearTimeout(timer); res(client); });
    ws.once('error', (e) => { clearTimeout(timer); client.terminate(); rej(e); });
  });
}

// Connects, says hello and waits for the welcome and the home room's history (protocol.md: the
// client speaks first): resolves with {client, id, welcome, history}.
export async function join(wsUrl, { name, room, ...opts } = {}) {
  const q = new URLSearchParams();
  if (name !== undefined) q.set('name', name);
  if (room !== undefined) q.set('room', room);
  const qs = q.toString();
  const client = await connect(qs ? `${wsUrl}?${qs}` : wsUrl, opts);
  client.send({ action: 'hello' });
  const welcome = await client.next((m) => m.type === 'welcome', 5000, 'the welcome event');
  const home = welcome.rooms[0];
  const history = await client.next((m) => m.type === 'history' && m.room === home, 5000,
    `the history of ${home}`);
  return { client, id: welcome.connectionId, welcome, history };
}

export const USER_AGENT_SENT = USER_AGENT;

// Closes every client still open (for afterEach/after hooks): a normal close handshake
// (1000) first, then a TCP cut for any socket not closed within timeoutMs.
export async function closeAll(timeoutMs = 2000) {
  const clients = [...open];
  await Promise.all(clients.map(async (c) => {
    try {
      if (c.ws.readyState === WebSocket.OPEN) c.ws.close(1000, 'test done');
      await c.closed(timeoutMs);
    } catch {
      c.terminate();
    }
  }));
  for (const c of clients) open.delete(c);
}

// Cuts every client still open without a close frame (last-resort cleanup).
export function terminateAll() {
  for (const c of [...open]) c.terminate();
  open.clear();
}
