// A WebSocket client over a bare TCP socket, for what `ws` refuses to send or to do: hostile
// frames (bad opcodes, unmasked frames, invalid UTF-8 split anywhere, lying lengths) and a
// client that never reads.
//
//   const c = await rawConnect(wsUrl);          // handshake done, 101 checked
//   c.send(frame({ opcode: 1, payload: '...' }));
//   const f = await c.readFrame();               // {fin, opcode, payload: Buffer, code?, reason?}
//   const close = await c.closeFrame();          // reads until the server's close frame
//   c.pause(); / c.resume();                     // stop / start reading from the kernel
//   c.destroy();

import net from 'node:net';
import { randomBytes } from 'node:crypto';

const live = new Set();
process.on('exit', () => { for (const s of live) s.destroy(); });

// Encodes a client frame. payload: Buffer or string; mask: false sends it unmasked (a protocol
// error from a client); length: the length to claim in the header (default: the real one);
// rsv: the RSV1-3 bits (0-7).
export function frame({ opcode = 1, payload = '', fin = true, mask = true, length, rsv = 0 } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const len = length ?? data.length;
  let header;
  if (len < 126) {
    header = Buffer.alloc(2);
    header[1] = len;
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  header[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  if (!mask) return Buffer.concat([header, data]);
  header[1] |= 0x80;
  const key = randomBytes(4);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([header, key, masked]);
}

export const closeFrame = (code, reason = '') => {
  const r = Buffer.from(reason, 'utf8');
  const p = Buffer.alloc(2 + r.length);
  p.writeUInt16BE(code, 0);
  r.copy(p, 2);
  return frame({ opcode: 8, payload: p });
};

export function rawConnect(wsUrl, { timeoutMs = 5000 } = {}) {
  const u = new URL(wsUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) });
    live.add(socket);
    socket.on('close', () => live.delete(socket));
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`raw handshake ${wsUrl}: no 101 within ${timeoutMs} ms`)); }, timeoutMs);
    let head = Buffer.alloc(0);
    const onData = (d) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      const status = head.subarray(0, end).toString('latin1').split('\r\n')[0];
      if (!/^HTTP\/1\.1 101/.test(status)) {
        socket.destroy();
        reject(new Error(`raw handshake ${wsUrl}: ${status}`));
        return;
      }
      resolve(new RawClient(socket, head.subarray(end + 4)));
    };
    const onError = (e) => { clearTimeout(timer); reject(e); };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('connect', () => {
      socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
        'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nUser-Agent: parley-e2e-raw/1.0\r\n\r\n`);
    });
  });
}

class RawClient {
  constructor(socket, rest) {
    this.socket = socket;
    this.buf = rest;
    this.ended = false;
    this.waiters = [];
    this.bytesRead = rest.length;
    socket.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.bytesRead += d.length; this.#wake(); });
    socket.on('end', () => { this.ended = true; this.#wake(); });
    socket.on('close', () => { this.ended = true; this.#wake(); });
    socket.on('error', () => { this.ended = true; this.#wake(); });
  }

  #wake() { for (const w of this.waiters.splice(0)) w(); }

  send(bytes) { if (!this.socket.destroyed) this.socket.write(bytes); }
  sendText(text) { this.send(frame({ opcode: 1, payload: text })); }
  // Stops reading: the kernel's receive buffer fills, then the server's send buffer, then its
  // queue for us.
  pause() { this.socket.pause(); }
  resume() { this.socket.resume(); }
  destroy() { this.socket.destroy(); }

  // The next complete server frame, or null when the connection ended first.
  readFrame(timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms (${this.buf.length} bytes buffered)`)), timeoutMs);
      const attempt = () => {
        const f = this.#parse();
        if (f) { clearTimeout(timer); resolve(f); return; }
        if (this.ended) { clearTimeout(timer); resolve(null); return; }
        this.waiters.push(attempt);
      };
      attempt();
    });
  }

  // Reads frames until the server's close frame: resolves {code, reason, before} (before: the
  // data frames read first), or {code: null} when the socket ended without one.
  async closeFrame(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    const before = [];
    for (;;) {
      const f = await this.readFrame(Math.max(1, deadline - Date.now()));
      if (!f) return { code: null, reason: '', before };
      if (f.opcode === 8) return { code: f.code, reason: f.reason, before };
      before.push(f);
    }
  }

  #parse() {
    const b = this.buf;
    if (b.length < 2) return null;
    let len = b[1] & 0x7f;
    let off = 2;
    if (len === 126) { if (b.length < 4) return null; len = b.readUInt16BE(2); off = 4; }
    else if (len === 127) { if (b.length < 10) return null; len = Number(b.readBigUInt64BE(2)); off = 10; }
    if (b.length < off + len) return null;
    const payload = b.subarray(off, off + len);
    this.buf = b.subarray(off + len);
    const f = { fin: (b[0] & 0x80) !== 0, opcode: b[0] & 0x0f, payload };
    if (f.opcode === 8) {
      f.code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      f.reason = payload.subarray(2).toString('utf8');
    }
    return f;
  }
}
