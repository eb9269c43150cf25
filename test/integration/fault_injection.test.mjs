// The fault-injection suite (issue 15, "The proof"; docs/testing.md): seeded users join, leave,
// send (with and without clientMsgId, pipelined), retry, send dms, disconnect and reconnect with
// `since`, while the store fails and stalls, handlers time out and nodes are killed or stopped;
// then everything every user showed is checked against the stored history (fault_checker.mjs).
// A violation prints the seed and the trace of its user and room.
//
//   PARLEY_FAULT_SEED=7 (or 7,8,9)   the seeds (default: the fixed list below)
//   PARLEY_FAULT_OPS=20000           operations per run (default: SHORT below, the run of make test)
//   PARLEY_FAULT_MODES=sqlite,cluster which modes (default all; lambda needs PARLEY_BOOTSTRAP)
//   PARLEY_FAULT_KNOWN=fail          fail on the open kinds of KNOWN below too
//   PARLEY_FAULT_TIMEOUT_MS=29000     the servers' --integration-timeout (default 400)
//
// KNOWN: per mode, the kinds of violation still open (docs/testing.md, *Open kinds*). A run reports
// them but fails only on the other kinds; PARLEY_FAULT_KNOWN=fail fails on them too. Delete an
// entry once its cause is fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, parleyBin, fetchT, poll } from './server.mjs';
import { enter, uniq } from './protocol.mjs';
import { closeAll } from './client.mjs';
import { runFaults } from './fault_run.mjs';
import { byKind } from './fault_checker.mjs';
import { seedsFromEnv } from './fault_rng.mjs';

export const KNOWN = {
  // Empty: the cluster's missed-live (1 of 9 runs until 2026-12-07) was a stale liveness view
  // hiding a live peer's members and the checker's leave window; 102 strict runs since in
  // cluster and DynamoDB modes found nothing (docs/testing.md, *Open kinds*).
};

const seeds = seedsFromEnv([1501]);
// The short run: fewer operations on DynamoDB, whose faults cost seconds (stalls, retries).
const SHORT = { sqlite: 400, dynamodb: 200, cluster: 200, lambda: 200 };
const opsOf = (mode) => Number(process.env.PARLEY_FAULT_OPS || SHORT[mode] || 200);
// lambda (--lambda process) when the bootstrap is known (ctest passes PARLEY_BOOTSTRAP).
const modes = (process.env.PARLEY_FAULT_MODES || `sqlite,dynamodb,cluster${process.env.PARLEY_BOOTSTRAP ? ',lambda' : ''}`).split(',');
const strict = process.env.PARLEY_FAULT_KNOWN === 'fail';

test('--store-faults is refused unless the server listens on loopback only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-faults-'));
  try {
    const r = spawnSync(parleyBin, ['serve', '--port', '0', '--data', dir, '--store-faults', '*:error:1'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2, `exit status (a usage error), stderr: ${r.stderr}`);
    assert.match(r.stderr, /--store-faults .*test hook.*--bind 127\.0\.0\.1/);
    assert.ok(!existsSync(join(dir, 'parley.db')), 'refused before the store was opened (nothing of a running server is touched)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--store-faults fails the calls it names: the sender gets error internal, nothing is stored, /metrics counts it', async () => {
  const srv = await startServer({ store: 'sqlite', args: ['--store-faults', 'seed=3;append_message:error:1'] });
  try {
    // Logged before the server listens, but on stderr: it may reach us after the port did.
    await poll(() => /store faults injected on purpose/.test(srv.stderr()));
    assert.match(srv.stderr(), /store faults injected on purpose/);
    const room = uniq('hook');
    const a = await enter(srv.wsUrl, { name: 'ann', room });
    a.client.send({ action: 'sendmessage', room, message: 'lost', clientMsgId: 'k1' });
    const err = await a.client.next((m) => m.type === 'error' && m.clientMsgId === 'k1');
    assert.equal(err.code, 'internal');
    a.client.send({ action: 'history', room });
    const h = await a.client.next((m) => m.type === 'history' && m.room === room && m !== a.history);
    assert.equal(h.lastSeq, 0, 'nothing stored');
    const metrics = await (await fetchT(srv.metricsUrl)).text();
    assert.match(metrics, /parley_store_faults_injected_total\{op="append_message",kind="error"\} 1\b/);
  } finally {
    await closeAll();
    await srv.stop();
  }
});

for (const mode of modes) {
  for (const seed of seeds) {
    test(`${mode}, seed ${seed}: every acked message shown once, in order, only to members`,
      { timeout: 90_000 + opsOf(mode) * 400 }, async (t) => {
        const { violations: all, stats, report, serverLog } = await runFaults({ mode, seed, ops: opsOf(mode) });
        t.diagnostic(JSON.stringify(stats));
        if (all.length) t.diagnostic(`violations by kind: ${JSON.stringify(byKind(all))}`);
        const known = strict ? [] : KNOWN[mode]?.kinds ?? [];
        const violations = all.filter((v) => !known.includes(v.kind));
        if (all.length > violations.length) t.diagnostic(`known, not failing the run: ${KNOWN[mode].why}\n${report(all.find((v) => known.includes(v.kind)))}`);
        // The first of each kind, with its trace: enough to replay and read.
        const firsts = [...new Map(violations.map((v) => [v.kind, v])).values()];
        if (violations.length) {
          t.diagnostic(`every violation: ${violations.map((v) => `${v.kind} ${v.user} ${v.room} [${v.seqs.join(',')}]`).join('; ')}`);
          t.diagnostic(serverLog);
        }
        assert.equal(violations.length, 0, `${violations.length} violations (seed ${seed}, mode ${mode}):\n${firsts.map(report).join('\n\n')}`);
      });
  }
}
