// Turns bench/compare.sh's JSON lines into the comparison table (stdout) and, with --out, the
// Markdown report docs/performance.md (machine, command, load, table, date).
// Usage: node bench/report.mjs RESULTS.jsonl [--command CMD] [--elapsed S] [--out FILE]
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { execSync } from 'node:child_process';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const lines = readFileSync(args[0], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const find = (target, scale) => lines.find((l) => l.target === target && l.scale === scale)?.result;

const PARLEY = ['parley-t1', 'parley-t2'];
const PEERS = ['uws', 'ws', 'sls'];
const NAMES = {
  'parley-t1': 'Parley 1 thread', 'parley-t2': 'Parley 2 threads', uws: 'uWebSockets.js',
  ws: 'Node ws', sls: 'serverless-offline + dynalite',
};

// Each metric: how to read it from a result, whether more is better, how to print it.
const get = (path) => (r) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), r);
// A latency with no sample (no fan-out completed, nothing delivered) is no figure, not 0 ms.
const latency = (path) => (r) => {
  const l = get(path)(r);
  return l && l.count > 0 ? l : undefined;
};
const METRICS = [
  { name: 'connected', read: (r) => r.connected !== undefined && `${r.connected}/${r.connections}`, text: true },
  { name: 'connect rate (conn/s)', read: get('connect_rate'), higher: true, digits: 0 },
  { name: 'fan-out completion p50 (ms)', read: (r) => latency('fanout.completion')(r)?.p50_ms, digits: 2 },
  { name: 'fan-out completion p99 (ms)', read: (r) => latency('fanout.completion')(r)?.p99_ms, digits: 2 },
  { name: 'fan-out delivery p99 (ms)', read: (r) => latency('fanout.delivery')(r)?.p99_ms, digits: 2 },
  { name: 'fan-out complete / sent', read: (r) => r.fanout && `${r.fanout.complete}/${r.fanout.messages}`, text: true },
  { name: 'fan-out missing deliveries', read: get('fanout.missing'), digits: 0, noRatio: true },
  { name: 'throughput (frames/s)', read: get('throughput.frames_per_second'), higher: true, digits: 0 },
  { name: 'throughput delivery p99 (ms)', read: (r) => latency('throughput.delivery')(r)?.p99_ms, digits: 2 },
  { name: 'throughput missing deliveries', read: get('throughput.missing'), digits: 0, noRatio: true },
  { name: 'server CPU in throughput (%)', read: get('throughput.cpu.server_pct'), digits: 0, noRatio: true },
  { name: 'generator CPU in throughput (%)', read: get('throughput.cpu.client_pct'), digits: 0, noRatio: true },
  { name: 'server peak RSS (MB)', read: (r) => r.peak_rss_kb && r.peak_rss_kb / 1024, digits: 1 },
];
const IDLE_METRICS = [
  { name: 'connected', read: get('connected'), digits: 0, noRatio: true },
  { name: 'connect rate (conn/s)', read: get('connect_rate'), higher: true, digits: 0 },
  { name: 'RSS per idle connection (KiB)', read: (r) => r.idle && r.idle.bytes_per_connection / 1024, digits: 2 },
  { name: 'server RSS idle (MB)', read: (r) => r.idle && r.idle.rss_kb / 1024, digits: 1 },
];

// The many-rooms load (scale "rooms-N"): two phases of the same run, every connection sending.
const phase = (name) => (path) => (r) => get(`rooms.${name}.${path}`)(r);
const ROOMS_METRICS = [
  { name: 'connected', read: (r) => r.connected !== undefined && `${r.connected}/${r.connections}`, text: true },
  { name: 'rooms', read: get('rooms.rooms'), digits: 0, noRatio: true },
  ...['steady', 'fast'].flatMap((p) => [
    { name: `${p}: delivered (frames/s)`, read: phase(p)('frames_per_second'), higher: true, digits: 0 },
    { name: `${p}: delivery p50 (ms)`, read: (r) => latency(`rooms.${p}.delivery`)(r)?.p50_ms, digits: 2 },
    { name: `${p}: delivery p99 (ms)`, read: (r) => latency(`rooms.${p}.delivery`)(r)?.p99_ms, digits: 2 },
    { name: `${p}: sent`, read: phase(p)('sent'), digits: 0, noRatio: true },
    { name: `${p}: missing deliveries`, read: phase(p)('missing'), digits: 0, noRatio: true },
    { name: `${p}: refused sends (rate limit)`, read: phase(p)('refused'), digits: 0, noRatio: true },
    { name: `${p}: duplicate / other-room deliveries`,
      read: (r) => r.rooms && `${r.rooms[p].duplicates} / ${r.rooms[p].misrouted}`, text: true },
    { name: `${p}: server CPU (%)`, read: phase(p)('cpu.server_pct'), digits: 0, noRatio: true },
    { name: `${p}: generator CPU (%)`, read: phase(p)('cpu.client_pct'), digits: 0, noRatio: true },
  ]),
  { name: 'server peak RSS (MB)', read: (r) => r.peak_rss_kb && r.peak_rss_kb / 1024, digits: 1 },
];
const ROOMS_PEERS = ['uws', 'ws'];

const fmt = (v, digits) => {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  if (typeof v === 'string') return v;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
};
const ratio = (p, q) => {
  if (typeof p !== 'number' || typeof q !== 'number' || q === 0) return '–';
  const r = p / q;
  if (r === 0) return '0×';
  return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : r >= 0.01 ? `${r.toFixed(2)}×`
    : `${r.toPrecision(2)}×`;
};

function table(scales, metrics, peers = PEERS) {
  const head = ['figure', ...PARLEY.map((t) => NAMES[t]), ...peers.map((t) => NAMES[t]),
    ...peers.map((t) => `Parley/${NAMES[t]} (1 thr / 2 thr)`)];
  const rows = [];
  for (const scale of scales) {
    for (const m of metrics) {
      const value = (t) => {
        const r = find(t, scale);
        return r && !r.error ? m.read(r) : undefined;
      };
      const cells = [`${m.name}, ${scale}`];
      for (const t of [...PARLEY, ...peers]) cells.push(fmt(value(t), m.digits));
      for (const peer of peers)
        cells.push(m.text || m.noRatio ? '' :
          `${ratio(value('parley-t1'), value(peer))} / ${ratio(value('parley-t2'), value(peer))}`);
      rows.push(cells);
    }
  }
  return [head, ...rows];
}

const markdown = (t) => [
  `| ${t[0].join(' | ')} |`, `|${t[0].map(() => '---').join('|')}|`,
  ...t.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n');
const plain = (t) => {
  const widths = t[0].map((_, i) => Math.max(...t.map((r) => String(r[i]).length)));
  return t.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ')).join('\n');
};

const scales = [...new Set(lines.map((l) => l.scale))];
const loadScales = scales.filter((s) => /^\d+$/.test(s));
const idleScales = scales.filter((s) => s.startsWith('idle'));
const roomsScales = scales.filter((s) => s.startsWith('rooms'));
const main = table(loadScales.map(String), METRICS);
const idle = idleScales.length ? table(idleScales, IDLE_METRICS) : null;
const rooms = roomsScales.length ? table(roomsScales, ROOMS_METRICS, ROOMS_PEERS) : null;
const roomsRun = roomsScales.length ? lines.find((l) => l.scale === roomsScales[0] && l.result?.rooms)?.result : null;
const capacity = find('uws', 'capacity');
// Frames received per second of the generator's CPU: what one core of it can take.
const perCore = (r) => {
  const t = r?.throughput;
  return t && t.cpu?.client_pct > 0 ? t.frames_per_second / (t.cpu.client_pct / 100) : undefined;
};

console.log(plain(main));
if (rooms) console.log(`\n${plain(rooms)}`);
if (idle) console.log(`\n${plain(idle)}`);
if (capacity) {
  const t = capacity.throughput || {};
  console.log(`\ngenerator capacity (uWebSockets.js, N=${capacity.connections}): ` +
    `${fmt(t.frames_per_second, 0)} frames/s, generator CPU ${fmt(t.cpu?.client_pct, 0)} %, ` +
    `server CPU ${fmt(t.cpu?.server_pct, 0)} %, so ${fmt(perCore(capacity), 0)} frames per ` +
    'generator CPU-second');
}

// The peer's package as pinned, for its label (the official uWebSockets.js is not on npm).
const uwsVersion = JSON.parse(readFileSync(new URL('peers/package.json', import.meta.url), 'utf8'))
  .dependencies?.uwebsockets ?? '?';
const manyRoomsText = !roomsRun ? '' : `
**Many rooms** (\`rooms-N\`): N connections in rooms of 10 (Parley: \`?room=bench-K\`, then
\`hello\`; uWebSockets.js subscribes each connection to the topic of its \`?room=\` and publishes to
it; Node ws keeps a map from room to its clients), **every** connection sending to its own room.
*Steady*: one message per connection every ${roomsRun.rooms.interval_s} s, the
connections' send times spread evenly over that interval; *fast*: each connection keeps
${roomsRun.rooms.window} message in flight and sends the next when its own copy comes back.
Each phase lasts ${Math.round(roomsRun.rooms.steady.seconds)} s; *delivered* counts the receipts in the phase, *delivery* is
the time from a send to each receipt, *missing* receipts had not arrived 3 s after the phase.
Parley runs this load with its default rate limit (1,000 frames/s per connection, burst 2,000):
a send it refuses is counted as *refused*, never as a delivery nor as missing. A delivery to a
connection outside the sender's room would be counted apart (*other-room*). Not run against
serverless-offline: one HTTP request per recipient at 50,000 recipients a second would take
forever.
`;

const out = option('--out');
if (out) {
  const sh = (c) => { try { return execSync(c, { encoding: 'utf8' }).trim(); } catch { return '?'; } };
  const cpu = sh("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1") || cpus()[0]?.model;
  const doc = `# Performance: Parley against the servers its users compare it with

Generated by \`${option('--command') ?? 'bench/compare.sh'}\` on ${new Date().toISOString()}
(${option('--elapsed') ?? '?'} s for the whole comparison). Re-run it to refresh this page.
What the figures say against the targets, the profiles and what changed between runs:
[performance-notes.md](performance-notes.md) (written by hand; a re-run leaves it alone).

## Machine

- ${sh('nproc')} cores (\`nproc\`), ${cpu}
- ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory; descriptors per process: ${sh('bash -c "ulimit -Hn"')}
- load average (1, 5, 15 min): ${option('--load') ?? ''}${option('--load') ? '; ' : ''}when the report was written
  ${loadavg().map((l) => l.toFixed(2)).join(', ')} (other work shares these 2 cores: above ~3 the figures are skewed)
- Linux ${sh('uname -r')}, Node ${process.version}

The load generator (\`parley bench\`) runs on the same two cores as the server.

## Loads

Every server gets N connections in one room (Parley: \`?room=bench\`, then \`hello\`; the peers
have one room). **Fan-out**: one connection sends a message and waits until all N connections
(itself included) have it, then sends the next; *completion* is the time until the last of the N
received it, *delivery* each single receipt. **Throughput**: 4 senders keep 4 messages each in
flight (the next goes when the sender gets its own copy back) for the stated seconds; frames/s
counts the deliveries; *missing* ones had not arrived 3 s after sending stopped. Payload 64 bytes. Parley runs with \`--threads 1\` and \`--threads 2\`;
ratios are Parley/peer for each (above 1 is better for rates, below 1 for times and memory).
Parley runs these loads with its rate limit off (\`--rate-limit 0\`).
${manyRoomsText}
**The uWebSockets.js peer** is npm \`uwebsockets@${uwsVersion}\` (bench/peers/package.json): a third
party's republication of the uWebSockets.js binaries. The official uWebSockets.js is not
published on npm (its authors install it from GitHub, \`uNetworking/uWebSockets.js\`, which this
machine cannot reach), so the figures are those of whatever build that package ships, not
necessarily of the current official release.

## Results

${markdown(main)}
${rooms ? `\n### Many rooms, every connection sending\n\n${markdown(rooms)}\n` : ''}
${idle ? `\n### Idle connections (memory)\n\n${markdown(idle)}\n` : ''}
${capacity ? `\n### The load generator's capacity\n\nAgainst uWebSockets.js with ${capacity.connections} connections, 4 senders × 4 in flight: ` +
  `**${fmt(capacity.throughput?.frames_per_second, 0)} frames/s** received, generator CPU ` +
  `${fmt(capacity.throughput?.cpu?.client_pct, 0)} % and server CPU ${fmt(capacity.throughput?.cpu?.server_pct, 0)} % ` +
  `(100 % = one core): ${fmt(perCore(capacity), 0)} frames per second of generator CPU, so about ` +
  `${fmt(2 * perCore(capacity), 0)} frames/s if it had both cores to itself.\n` : ''}
## Raw results

One JSON line per run, as \`parley bench --json\` printed it:

\`\`\`
${lines.map((l) => JSON.stringify(l)).join('\n')}
\`\`\`
`;
  writeFileSync(out, doc);
  console.log(`\nwrote ${out}`);
}
