// Hostile input over a bare socket (rawws.mjs), beyond what errors.test.mjs and limits.test.mjs
// send through `ws`: frames that break RFC 6455 (1002), invalid UTF-8 anywhere in a message or a
// close reason (1007), lying lengths (1009, nothing allocated), huge field values, 100,000-deep
// nesting and huge numbers (an `error` event); after all of it the server still serves, holds no
// connection and has not grown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fetchT, poll, useServer } from './server.mjs';
import { uniq, enter, say, expectError, pingPong } from './protocol.mjs';
import { rawConnect, frame, closeFrame } from './rawws.mjs';

const srv = useServer({ args: ['--rate-limit', '0'] });

const T = { timeout: 30_000 };
const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const text = (payload, opts = {}) => frame({ opcode: 1, payload, ...opts });
const cont = (payload, opts = {}) => frame({ opcode: 0, payload, ...opts });

// Sends the frames on a fresh raw connection and resolves with the server's close frame.
async function closeAfter(frames) {
  const c = await rawConnect(srv.wsUrl);
  for (const f of frames) c.send(f);
  const close = await c.closeFrame(5000);
  c.destroy();
  return close;
}

// Sends a text message as fragments of 16 KiB (a single frame over 32 KiB closes with 1009).
function sendFragmented(client, body) {
  const data = Buffer.from(body, 'utf8');
  for (let off = 0; off < data.length || off === 0; off += 16 * 1024) {
    const chunk = data.subarray(off, off + 16 * 1024);
    client.ws.send(chunk, { fin: off + 16 * 1024 >= data.length, binary: false, compress: false });
    if (data.length === 0) break;
  }
}

async function openConnections() {
  const text = await (await fetchT(srv.metricsUrl)).text();
  return Number(/^parley_connections_open (\S+)/m.exec(text)?.[1]);
}

export const PROTOCOL_ERRORS = [
  ['an unmasked client frame', [text('{"action":"ping"}', { mask: false })]],
  ['RSV1 set without an extension', [text('{"action":"ping"}', { rsv: 4 })]],
  ['RSV3 set', [text('x', { rsv: 1 })]],
  ['reserved data opcode 0x3', [frame({ opcode: 3, payload: 'x' })]],
  ['reserved control opcode 0xB', [frame({ opcode: 0xb, payload: 'x' })]],
  ['a continuation frame with no message open', [cont('x')]],
  ['a new text frame inside a fragmented message', [text('{"a":', { fin: false }), text('1}')]],
  ['a fragmented ping', [frame({ opcode: 9, payload: 'x', fin: false })]],
  ['a ping of 126 bytes', [frame({ opcode: 9, payload: 'p'.repeat(126) })]],
  ['a close frame of one byte', [frame({ opcode: 8, payload: Buffer.from([3]) })]],
  ['close code 1005 on the wire', [closeFrame(1005)]],
  ['close code 999', [closeFrame(999)]],
  ['close code 1016 (unassigned)', [closeFrame(1016)]],
  ['a 64-bit length with the top bit set', [Buffer.concat([Buffer.from([0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(4)])]],
  ['a 16-bit length that fits in 7 bits (not minimal)', [Buffer.concat([Buffer.from([0x81, 0xfe, 0, 5, 1, 2, 3, 4]), Buffer.from('hello')])]],
];

test('protocol violations close with 1002: unmasked, RSV bits, reserved opcodes, bad fragmentation, bad control frames, bad lengths', T, async () => {
  for (const [what, frames] of PROTOCOL_ERRORS) {
    const close = await closeAfter(frames);
    assert.equal(close.code, 1002, `${what}: close ${close.code} "${close.reason}"`);
  }
});

export const INVALID_UTF8 = [
  ['a lone continuation byte', [text(hex('7b2278223a2280227d'))]],
  ['an overlong "/" (C0 AF)', [text(hex('c0af'))]],
  ['an overlong NUL (E0 80 80)', [text(hex('e08080'))]],
  ['a UTF-16 surrogate encoded in UTF-8 (ED A0 80)', [text(hex('eda080'))]],
  ['a code point over U+10FFFF (F4 90 80 80)', [text(hex('f4908080'))]],
  ['0xFF', [text(hex('ff'))]],
  ['a sequence cut at the end of the message', [text(hex('7b7de282'))]],
  ['invalid bytes in the second fragment only', [text('{"action":"ping","x":"', { fin: false }), cont(hex('c328'), { fin: false }), cont('"}')]],
  ['a 4-byte character split over three fragments, then broken', [text(hex('f0'), { fin: false }), cont(hex('9f98'), { fin: false }), cont(hex('41'))]],
];

test('invalid UTF-8 anywhere in a text message closes with 1007, fragmented or not', T, async () => {
  for (const [what, frames] of INVALID_UTF8) {
    const close = await closeAfter(frames);
    assert.equal(close.code, 1007, `${what}: close ${close.code} "${close.reason}"`);
  }
});

test('a valid 4-byte character split over three fragments is reassembled and routed', T, async () => {
  const c = await rawConnect(srv.wsUrl);
  try {
    const body = Buffer.from('{"action":"ping","x":"\u{1F600}"}');
    const at = body.indexOf(0xf0);
    c.send(text(body.subarray(0, at + 1), { fin: false }));
    c.send(cont(body.subarray(at + 1, at + 3), { fin: false }));
    c.send(cont(body.subarray(at + 3)));
    // The connection is in the default room with the earlier tests' connections: their
    // presence (a $disconnect's) may come first. The answer is the first frame of another type.
    let m;
    do m = JSON.parse((await c.readFrame(10_000)).payload.toString()); while (m.type === 'presence');
    assert.equal(m.type, 'pong');
  } finally {
    c.destroy();
  }
});

test('invalid UTF-8 in a close reason closes with 1007', T, async () => {
  const payload = Buffer.concat([Buffer.from([0x03, 0xe8]), hex('c0af')]);
  const close = await closeAfter([frame({ opcode: 8, payload })]);
  assert.equal(close.code, 1007, `close ${close.code} "${close.reason}"`);
});

test('a frame claiming 2^40 bytes closes with 1009 at once, allocating nothing', T, async () => {
  const pid = srv.pid;
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  const before = rss();
  const header = Buffer.from([0x81, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4]);  // 2^40 bytes, masked
  const close = await closeAfter([header, Buffer.alloc(1000, 0x61)]);
  assert.equal(close.code, 1009, `close ${close.code} "${close.reason}"`);
  assert.ok(rss() - before < 8 * 1024, `RSS grew by ${rss() - before} kB`);
});

test('huge field values answer an error event: 100 KB room, name, clientMsgId, action and message', T, async () => {
  const room = uniq('huge');
  const { client } = await enter(srv.wsUrl, { name: 'huge', room });
  const big = (c) => c.repeat(100_000);
  const cases = [
    [{ action: 'join', room: big('r') }, 'bad_room', 'join'],
    [{ action: 'setname', name: big('n') }, 'bad_name', 'setname'],
    [{ action: 'sendmessage', room, message: big('m') }, 'too_long', 'sendmessage'],
    [{ action: 'sendmessage', room, message: 'x', clientMsgId: big('c') }, 'bad_request', 'sendmessage'],
    [{ action: 'dm', to: big('t'), message: 'x' }, null, 'dm'],
    [{ action: 'history', room: big('h') }, null, 'history'],
  ];
  for (const [body, code, action] of cases) {
    // over 32 KiB: sent as fragments (the message is under 128 KiB)
    sendFragmented(client, JSON.stringify(body));
    const e = await client.next((m) => m.type === 'error', 5000, `the error for a huge ${action}`);
    if (code) assert.equal(e.code, code, JSON.stringify(e).slice(0, 300));
    assert.ok(JSON.stringify(e).length < 2000, 'the error does not echo the huge value');
  }
  await pingPong(client);
});

test('100,000-deep nesting and huge numbers (1e400, 2^64, -2^63-1) answer bad_request', T, async () => {
  const room = uniq('deep');
  const { client } = await enter(srv.wsUrl, { name: 'deep', room });
  const frames = [
    ['['.repeat(100_000), 'bad_request'],
    ['{"action":"sendmessage","message":' + '['.repeat(100_000), 'bad_request'],
    ['{"a":'.repeat(20_000), 'bad_request'],
    [`{"action":"history","room":"${room}","limit":1e400}`, 'bad_request'],
    [`{"action":"history","room":"${room}","limit":18446744073709551616}`, 'bad_request'],
    [`{"action":"history","room":"${room}","before":-9223372036854775809}`, 'bad_request'],
    [`{"action":"history","room":"${room}","after":1e400}`, 'bad_request'],
    [`{"action":"join","room":"${uniq('j')}","since":18446744073709551616}`, 'bad_request'],
  ];
  for (const [f, code] of frames) {
    sendFragmented(client, f);
    await expectError(client, { code, sent: f.length > 200 ? `${f.slice(0, 80)}...(${f.length} chars)` : f });
  }
  const ack = await say(client, room, 'still fine');
  assert.ok(Number.isInteger(ack.seq));
});

test('unknown actions of every shape answer unknown_action or bad_request, never a gateway failure', T, async () => {
  const { client } = await enter(srv.wsUrl, { name: 'unk', room: uniq('unk') });
  const frames = ['{"action":"$connect"}', '{"action":"$disconnect"}', '{"action":"$default"}',
    '{"action":"__proto__"}', '{"action":"constructor"}', '{"action":"SENDMESSAGE"}',
    '{"action":"sendmessage\\u0000"}', '{"action":""}', '{"action":" ping"}'];
  for (const f of frames) {
    client.send(f);
    const e = await client.next((m) => m.type === 'error' || m.type === undefined, 5000, `the answer to ${f}`);
    assert.equal(e.type, 'error', `${f}: ${JSON.stringify(e)}`);
    assert.ok(['unknown_action', 'bad_request'].includes(e.code), `${f}: ${JSON.stringify(e)}`);
  }
});

test('after hundreds of hostile connections the server holds none of them, has not grown, and serves', { timeout: 120_000 }, async () => {
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.pid}/status`, 'utf8'))[1]);
  const all = [...PROTOCOL_ERRORS, ...INVALID_UTF8].map(([, frames]) => frames);
  const round = async () => { for (const frames of all) await closeAfter(frames); };
  await round();  // warm up: allocator pools, metric series
  const base = rss();
  for (let i = 0; i < 12; i++) await round();
  const grown = rss() - base;
  await poll(async () => (await openConnections()) === 0 || null, { timeoutMs: 5000 });
  assert.equal(await openConnections(), 0, 'open connections after the hostile ones closed');
  const sanitized = !!process.env.ASAN_OPTIONS;
  if (!sanitized) assert.ok(grown < 4096, `RSS grew by ${grown} kB over ${12 * all.length} hostile connections`);
  const room = uniq('after');
  const a = await enter(srv.wsUrl, { name: 'a', room });
  const b = await enter(srv.wsUrl, { name: 'b', room });
  const ack = await say(a.client, room, 'served');
  await b.client.next((m) => m.type === 'message' && m.seq === ack.seq, 5000);
});
