// One `parley serve` per data directory, and a taken port answered in words (issue 15, item 11).
// A second server on the same SQLite file used to clear the first one's connection rows (while
// their sockets lived on in the first) before finding the port taken, then exit with a raw Boost
// error naming a header file.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeDataDir, removeDataDir, runParley } from './server.mjs';
import { closeAll, terminateAll } from './client.mjs';
import { enter, say, who, uniq } from './protocol.mjs';

const T = { timeout: 30_000 };
const dirs = [];
after(async () => {
  terminateAll();
  for (const d of dirs) await removeDataDir(d);
});

const serve = (args) => runParley(['serve', '--bind', '127.0.0.1', ...args], { timeoutMs: 10_000 });

test('a second serve on the same data directory refuses at once, naming the first, and clears nothing', T, async () => {
  const data = await makeDataDir('parley-lock-');
  dirs.push(data);
  const first = await startServer({ dataDir: data, store: 'sqlite', integration: 'in-process' });
  try {
    const room = uniq('lock');
    const ann = await enter(first.wsUrl, { name: 'ann', room });
    const bob = await enter(first.wsUrl, { name: 'bob', room });

    // Same directory, same port (what `make run` twice does) and another port.
    for (const port of [String(first.port), '0']) {
      const second = await serve(['--port', port, '--data', data]);
      assert.equal(second.code, 1, second.out + second.err);
      assert.match(second.err, new RegExp(`data directory .* is in use by another parley serve \\(pid ${first.pid}\\)`));
      assert.doesNotMatch(second.err, /\.hpp|boost/i);
      assert.ok(second.ms < 5000, `refused at once (${second.ms} ms)`);
    }

    // The first server's rows are intact: its members are still there and still get messages.
    const { members } = await who(ann.client, room);
    assert.deepEqual(members.map((m) => m.name).sort(), ['ann', 'bob'], JSON.stringify(members));
    const ack = await say(ann.client, room, 'still here');
    await bob.client.next((m) => m.type === 'message' && m.seq === ack.seq, 5000, 'the message after the refused start');
    first.assertAlive();
    await closeAll();
  } finally {
    await first.stop();
  }
  // Once the first is gone (however it went: the kernel drops the lock), the directory is free.
  const next = await startServer({ dataDir: data, store: 'sqlite', integration: 'in-process' });
  await next.kill();
});

test('a taken port is answered with one plain sentence', T, async () => {
  const data = await makeDataDir('parley-port-');
  dirs.push(data);
  const holder = await startServer({ store: 'sqlite', integration: 'in-process' });
  try {
    const r = await serve(['--port', String(holder.port), '--data', data]);
    assert.equal(r.code, 1, r.out + r.err);
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0], new RegExp(`^parley: port ${holder.port} is already in use on 127\\.0\\.0\\.1 .*--port`));
    assert.doesNotMatch(r.err, /\.hpp|boost|system_error/i);
    holder.assertAlive();
  } finally {
    await holder.stop();
  }
});
