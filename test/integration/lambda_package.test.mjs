// The Lambda package as deployed, run locally: deploy/build/parley-lambda.zip (`make package`)
// unzipped into an empty folder, its `bootstrap` run by `parley serve --lambda process`, and a
// chat through it (join, a message reaching the other member, history). Run by ctest's
// lambda.package_process (label package, after lambda.package_build made the zip).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.mjs';
import { closeAll } from './client.mjs';
import { enter, say, history, uniq } from './protocol.mjs';

const zip = process.env.PARLEY_PACKAGE_ZIP;
const cmake = process.env.CMAKE_COMMAND || 'cmake';
const dir = mkdtempSync(join(tmpdir(), 'parley-package-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the packaged bootstrap serves the chat under parley serve --lambda process', async (t) => {
  assert.ok(zip && existsSync(zip), `the package ${zip} exists (make package)`);
  const unzip = spawnSync(cmake, ['-E', 'tar', 'xf', zip], { cwd: dir, encoding: 'utf8' });
  assert.equal(unzip.status, 0, unzip.stderr);
  assert.deepEqual(readdirSync(dir), ['bootstrap'], 'the zip holds only bootstrap');
  assert.ok(statSync(join(dir, 'bootstrap')).mode & 0o100, 'bootstrap is executable');

  const srv = await startServer({ integration: 'in-process',
    args: ['--lambda', 'process', '--bootstrap', join(dir, 'bootstrap')] });
  t.after(async () => { await closeAll(); await srv.stop(); });
  assert.match(srv.stdout(), new RegExp(`as processes of ${join(dir, 'bootstrap')}`));

  const room = uniq('pkg');
  const a = await enter(srv.wsUrl, { name: 'ann', room });
  const b = await enter(srv.wsUrl, { name: 'bob', room });
  const ack = await say(a.client, room, 'from the package');
  const got = await b.client.next((m) => m.type === 'message' && m.text === 'from the package', 5000, 'the message');
  assert.equal(got.seq, ack.seq);
  const h = await history(b.client, room);
  assert.deepEqual(h.messages.map((m) => m.text), ['from the package']);
  assert.match(srv.stderr(), /lambda environment started.*SendMessageFunction/);
});
