// Helpers for cli.test.mjs: `parley chat` as a child process (pipe mode), or on a
// pseudo-terminal made by util-linux `script` (interactive mode), and a TLS stand-in server.
//
//   const cli = chat([srv.wsUrl, '--room', 'r']);  cli.write('hi\n'); cli.end();
//   await cli.nextJson((m) => m.type === 'ack');   (await cli.exited()).code
//   const ann = tty([srv.wsUrl, '--name', 'ann']); await ann.line(/connected as ann/);

import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { parleyBin, sleep } from './server.mjs';

const children = new Set();

// `parley chat` keeps guest tokens under $XDG_CONFIG_HOME/parley: the tests' go to a directory
// of their own (never the user's ~/.config), removed at exit.
export const configHome = mkdtempSync(join(tmpdir(), 'parley-cli-config-'));
process.on('exit', () => rmSync(configHome, { recursive: true, force: true }));

// Kills every chat process still running (for afterEach).
export function killChats() {
  for (const c of children) c.kill();
  children.clear();
}

export let haveScript = true;
try { execFileSync('script', ['--version'], { stdio: 'ignore' }); } catch { haveScript = false; }

// A running `parley chat` (or `script` around it): its output as it comes, and its exit.
export class Proc {
  constructor(child, what) {
    this.child = child;
    this.what = what;
    this.out = '';
    this.err = '';
    this.waiters = new Set();
    this.exitInfo = null;
    children.add(this);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { this.out += d; this.#wake(); });
    child.stderr.on('data', (d) => { this.err += d; this.#wake(); });
    child.stdin.on('error', () => { /* the process is gone: the test sees its exit */ });
    this.exitPromise = new Promise((res) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        children.delete(this);
        res(this.exitInfo);
        this.#wake();
      });
    });
  }

  #wake() { for (const w of [...this.waiters]) w(); }

  write(s) { this.child.stdin.write(s); }
  end() { this.child.stdin.end(); }
  kill() { if (!this.exitInfo) this.child.kill('SIGKILL'); }

  // stdout as lines (for the pty: without \r and terminal escapes).
  get text() { return this.out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, ''); }
  get lines() { return this.text.split('\n').filter((l) => l.length > 0); }
  get json() { return this.lines.map((l) => JSON.parse(l)); }

  describe() {
    return `${this.what}\n--- stdout ---\n${this.text.slice(-3000)}\n--- stderr ---\n${this.err.slice(-2000)}`;
  }

  // Resolves with the first value of check() that is truthy, re-checked on every output.
  until(check, timeoutMs, what) {
    return new Promise((res, rej) => {
      const run = () => {
        let v;
        try { v = check(); } catch { v = undefined; }
        if (v) { done(); res(v); return true; }
        if (this.exitInfo) {
          done();
          rej(new Error(`exited (${JSON.stringify(this.exitInfo)}) before ${what}\n${this.describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => { done(); rej(new Error(`timed out waiting for ${what}\n${this.describe()}`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters.delete(run); };
      if (!run()) this.waiters.add(run);
    });
  }

  // The first stdout JSON line matching pred (pipe mode).
  nextJson(pred, timeoutMs = 5000, what = 'a matching JSON line') {
    return this.until(() => this.json.find(pred), timeoutMs, what);
  }

  // The first output line matching re (interactive mode).
  line(re, timeoutMs = 5000) {
    return this.until(() => this.lines.find((l) => re.test(l)), timeoutMs, `a line matching ${re}`);
  }

  count(re) { return this.lines.filter((l) => re.test(l)).length; }

  exited(timeoutMs = 10_000) {
    let timer;
    return Promise.race([
      this.exitPromise,
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`still running after ${timeoutMs} ms\n${this.describe()}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}

export function chat(args, env = {}) {
  const child = spawn(parleyBin, ['chat', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: configHome, ...env },
  });
  return new Proc(child, `parley chat ${args.join(' ')}`);
}

const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

// `parley chat` on a pseudo-terminal: `script` gives it one, -e passes its exit status on.
export function tty(args) {
  const cmd = [parleyBin, 'chat', ...args].map(shq).join(' ');
  const child = spawn('script', ['-qefc', cmd, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TERM: 'dumb', TZ: 'UTC', XDG_CONFIG_HOME: configHome },
  });
  return new Proc(child, `script: parley chat ${args.join(' ')}`);
}

export const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

export let haveOpenssl = true;
try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); } catch { haveOpenssl = false; }

// A stand-in server on TLS (parley serve speaks plain HTTP): it answers hello and sendmessage
// the way Parley does, and records the handshakes it saw.
export async function tlsStub() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
  const wss = new WebSocketServer({ server });
  const seen = [];
  wss.on('connection', (ws, req) => {
    seen.push({ url: req.url, servername: req.socket.servername });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.action === 'hello') ws.send(JSON.stringify({ type: 'welcome', connectionId: 'stub', name: 'tls', rooms: ['lobby'] }));
      if (m.action === 'sendmessage') ws.send(JSON.stringify({ type: 'ack', clientMsgId: m.clientMsgId, id: 'x', seq: 1, room: 'lobby', duplicate: false }));
    });
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  return {
    port: server.address().port,
    caFile: join(dir, 'cert.pem'),
    seen,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((res) => server.close(res));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(fn, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v || Date.now() > deadline) return v;
    await sleep(50);
  }
}
