// Errors (docs/protocol.md "error", "Error codes"): every refused action answers the sender an
// error event with the documented code and the action; malformed bodies (wrong types, huge
// numbers, deep nesting, odd JSON) never crash a handler or the server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './server.mjs';
import { uniq, enter, say, history, sendExpectingError, pingPong, expectError } from './protocol.mjs';

const srv = useServer();

const T = { timeout: 15_000 };
const CODES = ['bad_request', 'too_long', 'bad_name', 'bad_room', 'not_member', 'unknown_recipient', 'unknown_action', 'internal'];

// The gateway's own failure frames (no type): a handler that threw or timed out.
function assertNoGatewayFailure(client) {
  const bad = client.messages.filter((m) => m.type === undefined);
  assert.deepEqual(bad, [], `gateway failure frames (a handler failed): ${JSON.stringify(bad).slice(0, 1000)}`);
}

test('bad_request: a frame that is not a JSON object', T, async () => {
  const { client } = await enter(srv.wsUrl, { name: 'br', room: uniq('br') });
  for (const frame of ['not json', '[1,2,3]', '"a string"', '42', 'null', 'true', '{"action":"sendmessage"', '{}}', '']) {
    await sendExpectingError(client, frame, { code: 'bad_request' });
  }
  assertNoGatewayFailure(client);
  await pingPong(client);
});

test('bad_request: a required field missing or of the wrong type, with the action named', T, async () => {
  const room = uniq('brf');
  const { client } = await enter(srv.wsUrl, { name: 'brf', room });
  const cases = [
    { action: 'sendmessage' },
    { action: 'sendmessage', message: 5 },
    { action: 'sendmessage', message: null },
    { action: 'sendmessage', message: { text: 'x' } },
    { action: 'sendmessage', message: 'x', room: 5 },
    { action: 'sendmessage', message: 'x', room: ['a'] },
    { action: 'sendmessage', message: 'x', clientMsgId: { a: 1 } },
    { action: 'join' },
    { action: 'join', room: 12 },
    { action: 'join', room: uniq('j'), since: -1 },
    { action: 'join', room: uniq('j'), since: 'x' },
    { action: 'leave' },
    { action: 'leave', room: true },
    { action: 'history' },
    { action: 'history', room, limit: 0 },
    { action: 'history', room, limit: 101 },
    { action: 'who' },
    { action: 'who', room: {} },
    { action: 'setname' },
    { action: 'setname', name: ['x'] },
    { action: 'dm', message: 'x' },
    { action: 'dm', to: 'x' },
    { action: 'hello', since: 'x' },
    { action: 'hello', since: [1] },
    { action: 'hello', since: { [room]: -1 } },
    { action: 'hello', since: { [room]: 'one' } },
    { action: 'hello', since: { [room]: 1.5 } },
  ];
  for (const frame of cases) await sendExpectingError(client, frame, { code: 'bad_request', action: frame.action });
  assertNoGatewayFailure(client);
  await pingPong(client);
});

test('bad_request: an empty message (1-4096 characters)', T, async () => {
  const room = uniq('empty');
  const { client } = await enter(srv.wsUrl, { name: 'em', room });
  await sendExpectingError(client, { action: 'sendmessage', room, message: '' }, { code: 'bad_request', action: 'sendmessage' });
});

test('too_long: sendmessage and dm over 4096 characters, with the clientMsgId echoed', T, async () => {
  const room = uniq('tl');
  const a = await enter(srv.wsUrl, { name: 'tl-a', room });
  const b = await enter(srv.wsUrl, { name: 'tl-b', room });
  await sendExpectingError(a.client, { action: 'sendmessage', room, message: 'z'.repeat(4097), clientMsgId: 'tl-1' },
    { code: 'too_long', action: 'sendmessage', clientMsgId: 'tl-1' });
  await sendExpectingError(a.client, { action: 'sendmessage', message: 'z'.repeat(20000) },
    { code: 'too_long', action: 'sendmessage' });
  await sendExpectingError(a.client, { action: 'dm', to: 'tl-b', message: 'z'.repeat(4097), clientMsgId: 'tl-2' },
    { code: 'too_long', action: 'dm', clientMsgId: 'tl-2' });
  await b.client.none((m) => m.type === 'message' || m.type === 'dm', 300, 'a refused message');
});

test('bad_room: join with a room name that breaks the rules', T, async () => {
  const { client } = await enter(srv.wsUrl, { name: 'brm', room: uniq('brm') });
  for (const room of ['', 'x'.repeat(65), 'with space', 'slash/room', 'caf\u00e9', 'dm:a:b', 'semi;colon', '\u0000']) {
    await sendExpectingError(client, { action: 'join', room }, { code: 'bad_room', action: 'join' });
  }
  client.send({ action: 'hello' });
  const w = await client.next((m) => m.type === 'welcome', 5000);
  assert.equal(w.rooms.length, 1, `no bad room was joined: ${JSON.stringify(w)}`);
});

test('bad_name: setname with a name that breaks the rules', T, async () => {
  const { client } = await enter(srv.wsUrl, { name: 'bnm', room: uniq('bnm') });
  for (const name of ['', 'n'.repeat(33), ' x', 'x ', 'x\ty', 'x@y']) {
    await sendExpectingError(client, { action: 'setname', name }, { code: 'bad_name', action: 'setname' });
  }
});

test('not_member: sendmessage, leave, history and who on a room the connection is not in', T, async () => {
  const other = uniq('nm-other');
  const owner = await enter(srv.wsUrl, { name: 'nm-owner', room: other });
  const { client } = await enter(srv.wsUrl, { name: 'nm', room: uniq('nm') });
  await sendExpectingError(client, { action: 'sendmessage', room: other, message: 'x', clientMsgId: 'nm1' },
    { code: 'not_member', action: 'sendmessage', clientMsgId: 'nm1' });
  await sendExpectingError(client, { action: 'leave', room: other }, { code: 'not_member', action: 'leave' });
  await sendExpectingError(client, { action: 'history', room: other }, { code: 'not_member', action: 'history' });
  await sendExpectingError(client, { action: 'who', room: other }, { code: 'not_member', action: 'who' });
  await sendExpectingError(client, { action: 'history', room: 'dm:nm-owner:zzz' }, { code: 'not_member', action: 'history' });
  await sendExpectingError(client, { action: 'history', room: `dmu:${owner.welcome.userId}:zzz` }, { code: 'not_member', action: 'history' });
  await owner.client.none((m) => m.type === 'message', 100, 'a message from a non-member');
});

test('unknown_recipient: dm to nobody', T, async () => {
  const { client } = await enter(srv.wsUrl, { name: 'ur', room: uniq('ur') });
  await sendExpectingError(client, { action: 'dm', to: 'no-such-person', message: 'hi', clientMsgId: 'ur1' },
    { code: 'unknown_recipient', action: 'dm', clientMsgId: 'ur1' });
});

test('unknown_action: an action without a route and without a message; "default" without a message', T, async () => {
  const { client } = await enter(srv.wsUrl, { name: 'ua', room: uniq('ua') });
  await sendExpectingError(client, { action: 'frobnicate' }, { code: 'unknown_action', action: 'frobnicate' });
  await sendExpectingError(client, { action: 'frobnicate', clientMsgId: 'ua1' },
    { code: 'unknown_action', action: 'frobnicate', clientMsgId: 'ua1' });
  await sendExpectingError(client, { action: 'default' }, { code: 'unknown_action', action: 'default' });
  await sendExpectingError(client, { action: 'SendMessage' }, { code: 'unknown_action', action: 'SendMessage' });
});

test('an error goes to the sender only', T, async () => {
  const room = uniq('only');
  const a = await enter(srv.wsUrl, { name: 'only-a', room });
  const b = await enter(srv.wsUrl, { name: 'only-b', room });
  await sendExpectingError(a.client, { action: 'frobnicate' }, { code: 'unknown_action' });
  await sendExpectingError(a.client, 'garbage', { code: 'bad_request' });
  await b.client.none((m) => m.type === 'error', 300, 'an error caused by another connection');
});

test('malformed bodies never crash the server: odd types, huge numbers, deep nesting, odd strings', T, async () => {
  const room = uniq('fuzz');
  const { client } = await enter(srv.wsUrl, { name: 'fuzz', room });
  const deepArr = (n) => '['.repeat(n) + ']'.repeat(n);
  const deepObj = (n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  // frames with a clear documented answer (the deeply nested ones may fail to parse at all, so
  // their action need not be known: "action (the action refused, when known)")
  const strict = [
    [`{"action":"sendmessage","room":"${room}","message":${deepArr(5000)}}`, 'bad_request'],
    [`{"action":"sendmessage","room":"${room}","message":${deepObj(3000)}}`, 'bad_request'],
    [deepArr(12000), 'bad_request'],
    ['['.repeat(15000), 'bad_request'],
    [deepObj(4000), 'bad_request'],
    [`{"action":"history","room":"${room}","limit":1e308}`, 'bad_request', 'history'],
    [`{"action":"history","room":"${room}","limit":1e999}`, 'bad_request', 'history'],
    [`{"action":"history","room":"${room}","limit":-1e999}`, 'bad_request', 'history'],
    [`{"action":"history","room":"${room}","limit":18446744073709551617}`, 'bad_request', 'history'],
    [`{"action":"history","room":"${room}","limit":-0}`, 'bad_request', 'history'],
    [`{"action":"history","room":"${room}","before":-9223372036854775809}`, 'bad_request', 'history'],
    [`{"action":"history","room":"${room}","after":-1e400}`, 'bad_request', 'history'],
    [`{"action":"history","room":"${room}","before":0.000001}`, 'bad_request', 'history'],
    [`{"action":"join","room":"${uniq('j')}","since":-9223372036854775808}`, 'bad_request', 'join'],
    [`{"action":"hello","since":{"${room}":-1e300}}`, 'bad_request', 'hello'],
    [`{"action":"sendmessage","room":"${room}","message":"x","clientMsgId":${deepArr(3000)}}`, 'bad_request'],
    [`{"action":"setname","name":${deepObj(3000)}}`, 'bad_request'],
    [JSON.stringify({ action: 'sendmessage', room, message: 'x', clientMsgId: 'c'.repeat(20000) }), 'bad_request', 'sendmessage'],
  ];
  for (const [frame, code, action] of strict) {
    client.send(frame);
    await expectError(client, { code, action, sent: frame.length > 200 ? `${frame.slice(0, 120)}...(${frame.length} chars)` : frame });
  }
  await pingPong(client);

  // frames whose exact answer protocol.md leaves open: any documented error, or a normal answer
  const open = [
    '{"action":5}', '{"action":null}', '{"action":["sendmessage"]}', '{"action":{"x":1}}', '{}',
    `{"action":"${'a'.repeat(20000)}"}`,
    `{"action":"history","room":"${room}","before":1e308}`,
    `{"action":"history","room":"${room}","after":18446744073709551616}`,
    `{"action":"hello","since":{"${room}":1e300}}`,
    `{"action":"join","room":"${uniq('j')}","since":99999999999999999999}`,
    `{"action":"sendmessage","room":"${room}","message":"lone \\ud800 surrogate"}`,
    `{"action":"sendmessage","room":"${room}","message":"nul \\u0000 inside"}`,
    `{"action":"sendmessage","room":"${room}","message":"x","message":"dup key"}`,
    '{"action":"ping","action":"frobnicate"}',
    `{"action":"setname","name":"nul\\u0000"}`,
    `{"action":"join","room":"nul\\u0000room"}`,
    `{"action":"dm","to":"${'x'.repeat(10000)}","message":"x"}`,
    JSON.stringify({ action: 'who', room, ...Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i])) }),
    `{"action":"sendmessage","room":"${room}","message":"x","extra":${deepArr(2000)}}`,
    '\ufeff{"action":"ping"}',
    '{"action":"ping"}   \n\t ',
    '{"action":"sendmessage","message":"\\u00e9\\ud83d\\ude00"}',
  ];
  // (handlers run concurrently, so answers may come in any order: send them all, then make sure
  // the connection still answers and nothing undocumented came back)
  const before = client.frames.length;
  for (const frame of open) client.send(frame);
  await new Promise((res) => setTimeout(res, 1000));
  await pingPong(client);
  const answers = client.frames.slice(before).map((f) => f.json);
  assert.ok(answers.every((m) => m !== undefined), 'every answer is JSON');
  for (const m of answers) {
    if (m.type === 'error') assert.ok(CODES.includes(m.code), `undocumented error code: ${JSON.stringify(m).slice(0, 300)}`);
  }
  assertNoGatewayFailure(client);
  srv.assertAlive();
  // the connection and the server still work
  const ack = await say(client, room, 'still alive');
  assert.ok(Number.isInteger(ack.seq));
  const fresh = await enter(srv.wsUrl, { name: 'after-fuzz', room });
  const h = await history(fresh.client, room);
  assert.ok(h.messages.some((m) => m.text === 'still alive'));
});
