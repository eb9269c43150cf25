// The terminal client (issue 9): `parley chat` against a real `parley serve`.
//
// Pipe mode (standard input a pipe): input lines become messages, every server event is a JSON
// line on stdout, exit codes 0 / 1 / 2. Interactive mode runs on a pseudo-terminal made by
// util-linux `script`: /join, /who, /dm, /history, /quit, Ctrl+D, and a reconnect that catches up
// after the server restarts.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeDataDir, removeDataDir, fetchT, parleyBin } from './server.mjs';
import { spawnSync } from 'node:child_process';
import { closeAll, terminateAll } from './client.mjs';
import { uniq, enter, say, joinRoom, range, seqsOf } from './protocol.mjs';
import { chat, tty, esc, freePort, tlsStub, waitFor, killChats, haveScript, haveOpenssl } from './cli.mjs';
import { mkdtemp, readFile, writeFile, stat, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const T = { timeout: 30_000 };
let srv;
const TTY = { ...T, skip: haveScript ? false : 'util-linux script is not installed' };

before(async () => { srv = await startServer({ args: ['--log-level', 'debug'] }); });
afterEach(async () => {
  await closeAll();
  killChats();
  srv.assertAlive();
});
after(async () => {
  terminateAll();
  await srv?.stop();
});

// ---------------------------------------------------------------------------------------------
// Pipe mode

test('pipe: input lines reach a ws client; its messages come out as JSON lines; EOF exits 0', T, async () => {
  const room = uniq('cli');
  const w = await enter(srv.wsUrl, { name: 'watcher', room });
  const cli = chat([srv.wsUrl, '--room', room, '--name', 'piper']);
  const welcome = await cli.nextJson((m) => m.type === 'welcome', 5000, 'the welcome');
  assert.equal(welcome.name, 'piper');
  assert.deepEqual(welcome.rooms, [room]);
  await cli.nextJson((m) => m.type === 'history' && m.room === room, 5000, 'the home history');

  cli.write('hello from the pipe\nsecond line\n');
  const m1 = await w.client.next((m) => m.type === 'message' && m.name === 'piper', 5000, 'the first line');
  const m2 = await w.client.next((m) => m.type === 'message' && m.name === 'piper', 5000, 'the second line');
  assert.equal(m1.room, room);
  assert.equal(m1.text, 'hello from the pipe');
  assert.equal(m2.text, 'second line');
  assert.equal(m2.seq, m1.seq + 1);
  assert.ok(m1.clientMsgId && m2.clientMsgId && m1.clientMsgId !== m2.clientMsgId, 'a clientMsgId per line');
  await cli.nextJson((m) => m.type === 'ack' && m.seq === m2.seq, 5000, 'the second ack');

  const ack = await say(w.client, room, 'hello, pipe');
  const got = await cli.nextJson((m) => m.type === 'message' && m.text === 'hello, pipe', 5000, 'the watcher message');
  assert.equal(got.seq, ack.seq);
  assert.equal(got.name, 'watcher');
  // The watcher's arrival and messages are printed exactly as received.
  assert.ok(cli.json.some((m) => m.type === 'message' && m.text === 'second line' && m.seq === m2.seq));

  cli.end();
  const { code } = await cli.exited();
  assert.equal(code, 0, cli.describe());
  // Every stdout line is one JSON object with a type (JSON.parse would have thrown above).
  for (const m of cli.json) assert.equal(typeof m.type, 'string', JSON.stringify(m));
  assert.equal(cli.err, '');
  await w.client.next((m) => m.type === 'presence' && m.event === 'leave' && m.name === 'piper', 5000, 'piper leaving');
});

// Issue 16: a guest is the same person from run to run (its token in a 0600 file under
// $XDG_CONFIG_HOME/parley/guests/, one per server); a token the server refuses is replaced.
test('pipe: the guest token is kept between runs; a refused one makes a new guest, with a notice', T, async () => {
  const config = await mkdtemp(join(tmpdir(), 'parley-cli-guest-'));
  try {
    const env = { XDG_CONFIG_HOME: config };
    const run = async () => {
      const cli = chat([srv.wsUrl, '--name', 'keeper'], env);
      const w = await cli.nextJson((m) => m.type === 'welcome', 5000, 'the welcome');
      cli.end();
      assert.equal((await cli.exited()).code, 0, cli.describe());
      return { w, err: cli.err };
    };
    const first = await run();
    assert.match(first.w.userId, /^g_/);
    const file = join(config, 'parley', 'guests', `127.0.0.1_${srv.port}__dev.token`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await readFile(file, 'utf8')).trim(), first.w.guestToken);
    const second = await run();
    assert.equal(second.w.userId, first.w.userId, 'the same guest on the next run');

    await writeFile(file, 'not.a.token\n');
    const third = await run();
    assert.match(third.err, /refused the saved guest identity .*connecting as a new guest/);
    assert.notEqual(third.w.userId, first.w.userId);
    assert.equal((await readFile(file, 'utf8')).trim(), third.w.guestToken, 'the new token replaces it');
  } finally {
    await rm(config, { recursive: true, force: true });
  }
});

test('pipe: lines written before the connection is up are all sent and acked before the close', T, async () => {
  const room = uniq('cli');
  const w = await enter(srv.wsUrl, { name: 'watcher', room });
  const cli = chat([srv.wsUrl, '--room', room, '--name', 'burst']);
  const texts = range(1, 40).map((i) => `line ${i} ünïcödé ✓`);
  cli.write(`${texts.join('\n')}\n\nlast line without a newline`);
  cli.end();
  const { code } = await cli.exited();
  assert.equal(code, 0, cli.describe());
  const acks = cli.json.filter((m) => m.type === 'ack');
  assert.equal(acks.length, 41, cli.describe());
  const seen = [];
  while (seen.length < 41) seen.push(await w.client.next((m) => m.type === 'message' && m.name === 'burst', 5000, `message ${seen.length + 1}`));
  assert.deepEqual(seen.map((m) => m.text), [...texts, 'last line without a newline']);
  assert.deepEqual(seqsOf(seen), range(seen[0].seq, seen[0].seq + 40));
});

test('pipe: --since prints the history after it; name and token are percent-encoded', T, async () => {
  const room = uniq('cli');
  const w = await enter(srv.wsUrl, { name: 'writer', room });
  for (const t of ['one', 'two', 'three']) await say(w.client, room, t);
  const cli = chat([srv.wsUrl, `--room=${room}`, '--name', 'Ann Smith.1', '--token', 'x&name=evil', '--since', '1']);
  const welcome = await cli.nextJson((m) => m.type === 'welcome', 5000, 'the welcome');
  assert.equal(welcome.name, 'Ann Smith.1');
  const h = await cli.nextJson((m) => m.type === 'history', 5000, 'the history');
  assert.deepEqual(h.messages.map((m) => m.text), ['two', 'three']);
  cli.end();
  assert.equal((await cli.exited()).code, 0, cli.describe());
});

test('pipe: a refused handshake exits 1 with the HTTP status on stderr', T, async () => {
  const cli = chat([srv.wsUrl, '--name', 'bad/name']);
  cli.end();
  const { code } = await cli.exited();
  assert.equal(code, 1, cli.describe());
  assert.match(cli.err, /HTTP 400/);
  assert.match(cli.err, /invalid name/);
  assert.equal(cli.out, '');
});

test('pipe: nothing listening exits 1', T, async () => {
  const port = await freePort();
  const cli = chat([`ws://127.0.0.1:${port}/dev`]);
  cli.end();
  const { code } = await cli.exited();
  assert.equal(code, 1, cli.describe());
  assert.match(cli.err, /cannot connect/);
});

test('pipe: the server closing the connection exits 1', T, async () => {
  const room = uniq('cli');
  const cli = chat([srv.wsUrl, '--room', room]);
  const welcome = await cli.nextJson((m) => m.type === 'welcome', 5000, 'the welcome');
  const res = await fetchT(srv.connectionUrl(welcome.connectionId), { method: 'DELETE' });
  assert.equal(res.status, 204);
  const { code } = await cli.exited();
  assert.equal(code, 1, cli.describe());
  assert.match(cli.err, /connection ended: 1000/);
});

test('usage errors exit 2', T, async () => {
  for (const args of [[], ['http://127.0.0.1:1/dev'], [srv.wsUrl, '--bogus'], [srv.wsUrl, '--since', '-1'],
    [srv.wsUrl, srv.wsUrl], [srv.wsUrl, '--room']]) {
    const cli = chat(args);
    cli.end();
    const { code } = await cli.exited();
    assert.equal(code, 2, `${JSON.stringify(args)}\n${cli.describe()}`);
    assert.match(cli.err, /parley chat: /);
  }
  const help = chat(['--help']);
  help.end();
  assert.equal((await help.exited()).code, 0);
  assert.match(help.out, /Usage: parley chat URL/);
});

// Every command's options come from one declaration each (docs/design.md): --help exits 0 and
// shows them, a bad value exits 2 with a message naming the option, before anything starts.
test('every command: --help exits 0; a value out of range, a wrong word or a missing value exits 2 naming the option', T, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-options-'));
  try {
    const run = (args, env = {}) => spawnSync(parleyBin, args, { encoding: 'utf8', timeout: 10_000, cwd: dir, env: { ...process.env, ...env } });
    for (const [args, listed] of [[['serve', '--help'], '--max-rooms N'], [['local', '--help'], '--parameter-overrides'],
      [['bench', '--help'], '--connections N'], [['tables', 'create', '--help'], '--table-prefix P'], [['chat', '--help'], '--since SEQ']]) {
      const r = run(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stdout.includes(listed), `${args.join(' ')} lists ${listed}`);
    }
    for (const [args, message] of [
      [['serve', '--port', '70000'], /^parley serve: --port must be a whole number from 0 to 65535, not '70000'$/m],
      [['serve', '--max-rooms=-1'], /--max-rooms must be a whole number/],
      [['serve', '--log-level', 'loud'], /--log-level must be debug, info, warn or error, not 'loud'/],
      [['serve', '--lambda-idle', '5'], /--lambda-idle needs --lambda process/],
      [['serve', '--node-ttl', '5'], /--node-ttl needs --store dynamodb/],
      [['serve', '--management-public=false'], /--management-public takes no value/],
      [['serve', '--bogus'], /unknown option: --bogus/],
      [['local', '--help-me'], /unknown option: --help-me|no template/],
      [['bench', '--duration', '0'], /--duration must be a number of seconds/],
      [['tables', 'create', '--region'], /--region needs a value/],
    ]) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const env = run(['serve', '--port', '0'], { PARLEY_LOG_LEVEL: 'loud' });
    assert.equal(env.status, 2, env.stderr);
    assert.match(env.stderr, /PARLEY_LOG_LEVEL \(the default of --log-level\) must be/);
    assert.deepEqual((await import('node:fs')).readdirSync(dir), [], 'nothing was started or written');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pipe: wss:// with SNI and the certificate checked against the system CAs (SSL_CERT_FILE)', { ...T, skip: haveOpenssl ? false : 'no openssl' }, async () => {
  const stub = await tlsStub();
  try {
    const ok = chat([`wss://localhost:${stub.port}/prod`, '--room', 'lobby', '--name', 'tls'], { SSL_CERT_FILE: stub.caFile });
    ok.write('over tls\n');
    ok.end();
    assert.equal((await ok.exited()).code, 0, ok.describe());
    assert.deepEqual(ok.json.map((m) => m.type), ['welcome', 'ack']);
    assert.equal(stub.seen[0].servername, 'localhost');
    assert.equal(stub.seen[0].url, '/prod?room=lobby&name=tls');

    // An unknown issuer, and a name the certificate is not for, are both refused.
    const unknown = chat([`wss://localhost:${stub.port}/prod`], { SSL_CERT_FILE: '/dev/null', SSL_CERT_DIR: '/nonexistent' });
    unknown.end();
    assert.equal((await unknown.exited()).code, 1, unknown.describe());
    assert.match(unknown.err, /certificate verify failed/);
    const wrongName = chat([`wss://127.0.0.1:${stub.port}/prod`], { SSL_CERT_FILE: stub.caFile });
    wrongName.end();
    assert.equal((await wrongName.exited()).code, 1, wrongName.describe());
    assert.match(wrongName.err, /certificate verify failed/);
    assert.equal(stub.seen.length, 1, 'no upgrade over an unverified connection');
  } finally {
    await stub.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Interactive mode, on a pseudo-terminal

test('tty: messages, /join, /who, /dm, /room, /leave, /quit', TTY, async () => {
  const room = uniq('tty');
  const dev = uniq('dev');
  const bob = await enter(srv.wsUrl, { name: 'bob', room });
  const ann = tty([srv.wsUrl, '--room', room, '--name', 'ann']);
  ann.write('typed before the welcome\n');  // kept until the client knows its rooms
  await ann.line(/^Parley chat on ws:/);
  await ann.line(new RegExp(`^\\* connected as ann in #${esc(room)}$`));
  const annId = (await bob.client.next((m) => m.type === 'presence' && m.event === 'join' && m.name === 'ann', 5000, 'ann joining')).connectionId;
  const early = await bob.client.next((m) => m.type === 'message' && m.name === 'ann', 5000, 'the line typed early');
  assert.equal(early.text, 'typed before the welcome');

  await say(bob.client, room, 'hi ann');
  await ann.line(new RegExp(`^\\[\\d\\d:\\d\\d\\] #${esc(room)} bob: hi ann$`));
  ann.write('hello bob\n');
  const hello = await bob.client.next((m) => m.type === 'message' && m.name === 'ann', 5000, 'ann\'s message');
  assert.equal(hello.text, 'hello bob');
  assert.equal(hello.room, room);
  assert.match(hello.clientMsgId, /^[0-9a-f]{32}$/);
  await ann.line(new RegExp(`#${esc(room)} ann: hello bob$`));

  ann.write(`/join ${dev}\n`);
  await ann.line(new RegExp(`^\\* you joined #${esc(dev)} as ann$`));
  await joinRoom(bob.client, dev);
  await ann.line(new RegExp(`^\\* bob joined #${esc(dev)}$`));
  ann.write('in dev now\n');  // /join made dev the current room
  const inDev = await bob.client.next((m) => m.type === 'message' && m.name === 'ann' && m.room === dev, 5000, 'ann in dev');
  assert.equal(inDev.text, 'in dev now');

  ann.write('/who\n');
  await ann.line(new RegExp(`^\\* #${esc(dev)} \\(2\\): (ann, bob|bob, ann)$`));
  ann.write(`/who ${room}\n`);
  await ann.line(new RegExp(`^\\* #${esc(room)} \\(2\\): (ann, bob|bob, ann)$`));

  ann.write('/dm bob psst\n');
  const dm = await bob.client.next((m) => m.type === 'dm' && m.name === 'ann', 5000, 'the dm');
  assert.equal(dm.to, 'bob');
  assert.equal(dm.text, 'psst');
  await ann.line(/^\[\d\d:\d\d\] ann → bob: psst$/);
  bob.client.send({ action: 'dm', to: 'ann', message: 'right back' });
  await ann.line(/^\[\d\d:\d\d\] bob → ann: right back$/);

  ann.write(`/room ${room}\n`);
  await ann.line(new RegExp(`^\\* now talking in #${esc(room)}$`));
  ann.write('back in the first room\n');
  const back = await bob.client.next((m) => m.type === 'message' && m.name === 'ann' && m.text === 'back in the first room', 5000, 'the message after /room');
  assert.equal(back.room, room);

  ann.write(`/leave ${dev}\n`);
  await bob.client.next((m) => m.type === 'presence' && m.event === 'leave' && m.room === dev && m.name === 'ann', 5000, 'ann leaving dev');
  await ann.line(new RegExp(`^\\* you left #${esc(dev)}$`));
  ann.write('/frobnicate\n');
  await ann.line(/^! unknown command \/frobnicate/);
  ann.write(`/who ${dev}\n`);
  await ann.line(/^! not_member: /);

  ann.write('/quit\n');
  assert.equal((await ann.exited()).code, 0, ann.describe());
  await bob.client.next((m) => m.type === 'presence' && m.event === 'leave' && m.room === room && m.name === 'ann', 5000, 'ann leaving');
  // Nothing printed twice: each message line once.
  assert.equal(ann.count(/#.* bob: hi ann$/), 1, ann.describe());
  assert.equal(ann.count(/ ann: hello bob$/), 1, ann.describe());
  assert.equal(ann.count(/ann → bob: psst$/), 1, ann.describe());
  // /quit closes with 1000 (the gateway logs the close code of each connection at debug level).
  const closed = await waitFor(() => srv.stderr().split('\n').find((l) => l.includes(annId) && l.includes('disconnectStatusCode')));
  assert.match(closed, /"disconnectStatusCode":1000/);
});

test('tty: /history pages back from the oldest message shown; Ctrl+D leaves', TTY, async () => {
  const room = uniq('tty');
  const bob = await enter(srv.wsUrl, { name: 'bob', room });
  for (let i = 1; i <= 60; i++) await say(bob.client, room, `m${i}`);
  const ann = tty([srv.wsUrl, '--room', room, '--name', 'ann']);
  await ann.line(new RegExp(`#${esc(room)} bob: m60$`));
  assert.equal(ann.count(/ bob: m10$/), 0);
  assert.equal(ann.count(/ bob: m11$/), 1);
  ann.write('/history\n');
  await ann.line(new RegExp(`^--- 10 older messages in #${esc(room)} \\(from the first\\) ---$`));
  await ann.line(/ bob: m10$/);
  const order = ann.lines.filter((l) => / bob: m\d+$/.test(l)).map((l) => Number(/m(\d+)$/.exec(l)[1]));
  assert.deepEqual(order, [...range(11, 60), ...range(1, 10)]);
  ann.write('/history\n');
  await ann.line(new RegExp(`^\\* no older messages in #${esc(room)}$`));
  ann.write('\x04');  // Ctrl+D: the end of input
  assert.equal((await ann.exited()).code, 0, ann.describe());
});

test('tty: a refused connection says why and exits 1', TTY, async () => {
  const ann = tty([srv.wsUrl, '--name', 'bad/name']);
  assert.equal((await ann.exited()).code, 1, ann.describe());
  assert.match(ann.text, /HTTP 400/);
});

test('tty: reconnects after a server restart and catches up, each message once', TTY, async () => {
  const dataDir = await makeDataDir();
  const port = await freePort();
  const servers = [];
  const start = async () => {
    const s = await startServer({ dataDir, args: ['--port', String(port), '--management-port', '0'] });
    servers.push(s);
    return s;
  };
  try {
    const room = uniq('tty');
    const dev = uniq('dev');
    const one = await start();
    const bob = await enter(one.wsUrl, { name: 'bob', room });
    await say(bob.client, room, 'before');
    const ann = tty([one.wsUrl, '--room', room, '--name', 'ann']);
    await ann.line(new RegExp(`#${esc(room)} bob: before$`));
    ann.write(`/join ${dev}\n`);
    await ann.line(new RegExp(`^\\* you joined #${esc(dev)} as ann$`));

    await one.stop();
    await ann.line(/^! disconnected: /);
    await ann.line(/^\* reconnecting in \d+ s$/);
    const two = await start();
    // Written while ann is away: the catch-up brings them.
    const bob2 = await enter(two.wsUrl, { name: 'bob', room });
    await joinRoom(bob2.client, dev);
    await say(bob2.client, room, 'while you were away');
    await say(bob2.client, dev, 'dev while away');
    await ann.line(/^\* reconnected as ann$/, 15_000);
    await ann.line(new RegExp(`#${esc(room)} bob: while you were away$`));
    await ann.line(new RegExp(`#${esc(dev)} bob: dev while away$`));
    await say(bob2.client, room, 'after the reconnect');
    await ann.line(new RegExp(`#${esc(room)} bob: after the reconnect$`));
    // ann is back in dev too, where she was talking.
    ann.write('still in dev\n');
    const m = await bob2.client.next((x) => x.type === 'message' && x.name === 'ann', 5000, 'ann after the reconnect');
    assert.equal(m.room, dev);
    assert.equal(m.text, 'still in dev');
    for (const text of ['before', 'while you were away', 'dev while away', 'after the reconnect'])
      assert.equal(ann.count(new RegExp(` bob: ${esc(text)}$`)), 1, `"${text}" once\n${ann.describe()}`);
    // Rejoining dev after the reconnect is silent.
    assert.equal(ann.count(new RegExp(`you joined #${esc(dev)}`)), 1, ann.describe());
    ann.write('/quit\n');
    assert.equal((await ann.exited()).code, 0, ann.describe());
  } finally {
    await closeAll();
    for (const s of servers) await s.stop();
    await removeDataDir(dataDir);
  }
});
