// The web client at a seq gap (issue 15, item 1), in a real browser: parley serve on DynamoDB
// (dynalite behind a proxy that refuses message puts on demand), a send that fails after its
// seq was allocated, then more messages. The page must show what follows the empty seq (it
// used to freeze there until a reload) and must not ask for `history` in a loop (it used to,
// every second, when the empty seq was the room's newest).
//
// PARLEY_WEB=<dir> serves the client from <dir> instead of the embedded copy.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { startServer, makeDataDir, removeDataDir, sleep } from '../integration/server.mjs';
import { startDynalite } from '../integration/dynalite.mjs';
import { startFaultProxy } from '../integration/fault_proxy.mjs';
import { closeAll, terminateAll } from '../integration/client.mjs';
import { enter, say } from '../integration/protocol.mjs';

const require = createRequire(new URL('../integration/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
const WAIT = 8_000;

let dir;
let dynalite;
let proxy;
let srv;
let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM} (apt-get install chromium, or set PARLEY_CHROMIUM)`);
  dir = await makeDataDir('parley-gaps-web-');
  dynalite = await startDynalite({ path: `${dir}/dynalite` });
  proxy = await startFaultProxy({ target: dynalite.url });
  srv = await startServer({
    store: 'dynamodb', dynamodbEndpoint: proxy.url,
    args: ['--create-tables', ...(process.env.PARLEY_WEB ? ['--web', process.env.PARLEY_WEB] : [])],
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: 20_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}, { timeout: 60_000 });

after(async () => {
  if (browser) await browser.close().catch(() => {});
  await closeAll();
  terminateAll();
  if (srv) await srv.stop();
  if (proxy) await proxy.close();
  if (dynalite) await dynalite.kill();
  if (dir) await removeDataDir(dir);
});

// A page in `room` as `name`, with the history requests it sends counted.
async function openChat(name, room) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const asked = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    try {
      const m = JSON.parse(typeof f.payload === 'string' ? f.payload : f.payload.toString());
      if (m.action === 'history' && m.room === room && m.before === undefined) asked.push(Date.now());
    } catch { /* not JSON */ }
  }));
  await page.goto(`${srv.base}/`, { waitUntil: 'load' });
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('room-input').fill(room);
  await page.getByTestId('join-button').click();
  await page.getByTestId('message-input').waitFor({ state: 'visible' });
  return { context, page, asked };
}

const shownTexts = (page) => page.$$eval('[data-testid="messages"] [data-testid="message-text"]',
  (els) => els.map((e) => e.textContent));
const waitShown = (page, text) => page.waitForFunction((t) =>
  [...document.querySelectorAll('[data-testid="messages"] [data-testid="message-text"]')].some((e) => e.textContent === t),
text, { timeout: WAIT });

// The message put refused long enough that the send fails: its seq stays empty.
async function failedSend(client, room) {
  proxy.refuse = Infinity;
  client.send({ action: 'sendmessage', room, message: 'lost', clientMsgId: `lost-${Date.now()}` });
  const err = await client.next((m) => m.type === 'error' || m.type === 'ack', 20_000, 'the failed send');
  proxy.refuse = 0;
  assert.equal(err.type, 'error', `the send should fail while every put is refused: ${JSON.stringify(err)}`);
}

test('the page shows the messages after an empty seq, and does not ask for history in a loop', { timeout: 60_000 }, async () => {
  const room = `gap-${Date.now().toString(36)}`;
  const sender = await enter(srv.wsUrl, { name: 'sam', room });
  const watcher = await openChat('wendy', room);
  try {
    await say(sender.client, room, 'one');
    await waitShown(watcher.page, 'one');

    await failedSend(sender.client, room);
    // A page opened now reads a lastSeq one above the newest stored message.
    const late = await openChat('lars', room);
    await waitShown(late.page, 'one');

    const three = await say(sender.client, room, 'three');
    await waitShown(watcher.page, 'three');
    await waitShown(late.page, 'three');
    for (const { page } of [watcher, late]) {
      assert.deepEqual((await shownTexts(page)).filter((t) => ['one', 'lost', 'three'].includes(t)), ['one', 'three']);
    }
    await say(sender.client, room, 'four');
    await waitShown(watcher.page, 'four');
    await waitShown(late.page, 'four');

    // Quiet now: nobody keeps asking. (Before the fix the late page asked every second.)
    const since = Date.now();
    await sleep(2500);
    for (const [who, p] of [['watcher', watcher], ['late', late]]) {
      const recent = p.asked.filter((t) => t >= since).length;
      assert.equal(recent, 0, `${who} sent ${recent} history requests in a quiet 2.5 s (${p.asked.length} in all)`);
      assert.ok(p.asked.length <= 3, `${who} sent ${p.asked.length} history requests for one gap`);
    }
    assert.ok(three.seq >= 3);
    await late.context.close();
  } finally {
    await watcher.context.close();
  }
});
