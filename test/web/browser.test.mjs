// The web client in a real browser: Debian's chromium driven by playwright-core.
// Two browser contexts join the lobby; one sends, both see the message (own one marked).
// Rooms, direct messages, history after a reload, and catch-up after going offline
// (docs/protocol.md, *Ordering and catch-up*): every message exactly once, in order.
//
// The server serves its embedded copy of web/; PARLEY_WEB=<repo>/web serves the files on disk.
//
// playwright-core is a devDependency of test/integration (one `npm ci --prefix test/integration`
// installs everything); it is loaded from there. Chromium: $PARLEY_CHROMIUM or /usr/bin/chromium.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, fetchT } from '../integration/server.mjs';
import { launchChromium } from './chromium.mjs';

const T = { timeout: 15_000 };
const WAIT = 8_000;

let srv;
let browser;
const pageErrors = [];

before(async () => {
  srv = await startServer({ args: process.env.PARLEY_WEB ? ['--web', process.env.PARLEY_WEB] : [] });
  browser = await launchChromium();
}, { timeout: 40_000 });

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (srv) await srv.stop();
});

async function openPage(label) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => pageErrors.push(`${label}: uncaught ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) {
      pageErrors.push(`${label}: ${m.text()}`);
    }
  });
  const response = await page.goto(`${srv.base}/`, { waitUntil: 'load' });
  return { context, page, response };
}

// Fills the name (and the room, when given), joins, and waits until the page's WebSocket is connected.
async function joinAs(page, name, room) {
  await page.getByTestId('name-input').fill(name);
  if (room) await page.getByTestId('room-input').fill(room);
  await page.getByTestId('join-button').click();
  await page.getByTestId('message-input').waitFor({ state: 'visible' });
  await waitOnline(page);
}

// the status element says so when the socket is up (data-state, else its text)
async function waitOnline(page, timeout = WAIT) {
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="status"]');
    if (!s) return false;
    const state = s.getAttribute('data-state') || '';
    return /^(open|connected|online|joined|ready)$/i.test(state) ||
      (!state && /connected|online/i.test(s.textContent) && !/not connected|disconnected/i.test(s.textContent));
  }, null, { timeout });
}

const uniq = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

async function say(page, text) {
  const input = page.getByTestId('message-input');
  await input.fill(text);
  await input.press('Enter');
}

// The texts of the messages shown (the current conversation), top to bottom.
const shownTexts = (page) => page.$$eval('[data-testid="messages"] [data-testid="message-text"]',
  (els) => els.map((e) => e.textContent));

// A message with exactly this text in the current conversation.
const shown = (page, text) => page.getByTestId('messages').getByTestId('message')
  .filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) });

// Waits until the server confirmed it: the message is in the list and no longer pending.
async function delivered(page, text) {
  await page.waitForFunction((t) => [...document.querySelectorAll('[data-testid="messages"] [data-testid="message"]')]
    .some((el) => el.querySelector('[data-testid="message-text"]')?.textContent === t && !el.classList.contains('pending')),
  text, { timeout: WAIT });
}

async function closeAll(...pages) {
  for (const p of pages) await p.context.close().catch(() => {});
}

// The client's ordering rules without a browser: web/sequencer.js is a module with no DOM.
test('the client\'s Sequencer applies the ordering rules of protocol.md', async () => {
  const { Sequencer } = await import('../../web/sequencer.js');
  const m = (seq) => ({ seq, text: `m${seq}` });
  const seqs = (list) => list.map((x) => x.seq);

  // a live message overtakes the first history that contains it: held, then shown once
  let s = new Sequencer();
  assert.deepEqual(seqs(s.live(m(8))), []);
  assert.deepEqual(seqs(s.history([m(5), m(6), m(7), m(8)], 8)), [5, 6, 7, 8]);
  assert.deepEqual(seqs(s.live(m(8))), [], 'rule 3: a duplicate is dropped');
  assert.deepEqual(seqs(s.live(m(9))), [9], 'rule 2: the next one is shown');
  assert.equal(s.gap, false);

  // rule 4: a gap holds what follows until a history fills it
  assert.deepEqual(seqs(s.live(m(11))), []);
  assert.deepEqual(seqs(s.live(m(12))), []);
  assert.equal(s.gap, true);
  assert.deepEqual(seqs(s.history([m(10), m(11)], 12)), [10, 11, 12]);
  assert.equal(s.last, 12);
  assert.equal(s.gap, false);

  // a catch-up page after a reconnect that overlaps what is shown: only the new ones
  assert.deepEqual(seqs(s.history([m(11), m(12), m(13), m(14)], 14)), [13, 14]);

  // an ack (or joined.lastSeq) for a seq not shown is a gap too: its message must be fetched
  s.note(16);
  assert.equal(s.gap, true);
  assert.deepEqual(seqs(s.history([m(15), m(16)], 16)), [15, 16]);
  assert.equal(s.gap, false);

  // an empty room, then its first message live
  s = new Sequencer();
  assert.deepEqual(seqs(s.history([], 0)), []);
  assert.deepEqual(seqs(s.live(m(1))), [1]);

  // issue 15, item 1: a seq left empty by a failed send (DynamoDB seals it). The page that
  // passes it moves `last` past it: what follows shows, no freeze
  s = new Sequencer();
  s.history([m(1), m(2)], 2, false);
  assert.deepEqual(seqs(s.live(m(4))), []);
  assert.deepEqual(seqs(s.live(m(5))), []);
  assert.equal(s.gap, true);
  assert.deepEqual(seqs(s.history([m(4)], 5, false)), [4, 5], 'the page after 2 skips the empty 3');
  assert.equal(s.last, 5);
  assert.equal(s.gap, false);
  assert.deepEqual(seqs(s.live(m(6))), [6]);

  // the empty seq is the newest: lastSeq counts it, no page will hold it. No gap, so no
  // history request loop; if it was only in flight, it comes live in order
  s = new Sequencer();
  s.history([m(1), m(2)], 3, false);
  assert.equal(s.gap, false, 'an unstored seq past the page is not a gap');
  assert.deepEqual(seqs(s.live(m(3))), [3]);
  // a page cut by its limit (hasMore) still leaves a gap to fetch
  s.history([m(4), m(5)], 9, true);
  assert.equal(s.gap, true);
  s.history([m(6), m(7)], 9, false);
  assert.equal(s.gap, false);
});

test('GET / serves the web client with a Content-Security-Policy header', T, async () => {
  const res = await fetchT(`${srv.base}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp && csp.length > 0, 'no Content-Security-Policy header on /');
  assert.match(await res.text(), /data-testid="messages"/);
});

// The modules chat.js imports, directly or not, read from web/ (what the page must fetch).
function moduleGraph(entry) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const src = readFileSync(new URL(`../../web/${name}`, import.meta.url), 'utf8');
    for (const m of src.matchAll(/^import\s[^;]*?from\s+'\.\/([\w.-]+\.js)';/gms)) visit(m[1]);
  };
  visit(entry);
  return seen;
}

// web/chat.js is an ES module graph loaded by <script type="module">: each module must be
// embedded (web/CMakeLists.txt), served as JavaScript (a module with another MIME type is refused,
// X-Content-Type-Options: nosniff) under the same CSP, and the page must start without an error.
test('every module of the page is served as JavaScript under the CSP, and the page loads cleanly', T, async () => {
  const expected = moduleGraph('chat.js');
  assert.ok(expected.size > 10, `chat.js imports ${expected.size - 1} modules`);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`uncaught ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const scripts = new Map();
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') scripts.set(new URL(r.url()).pathname.slice(1), r);
  });
  try {
    // 'load' follows the module graph's fetches (module scripts are deferred).
    await page.goto(`${srv.base}/`, { waitUntil: 'load' });
    for (const [name, r] of scripts) {
      assert.equal(r.status(), 200, name);
      const h = await r.allHeaders();
      assert.match(h['content-type'] ?? '', /^text\/javascript\b/, `${name}: content-type`);
      assert.match(h['content-security-policy'] ?? '', /script-src 'self'/, `${name}: CSP`);
      assert.equal(h['x-content-type-options'], 'nosniff', name);
    }
    assert.deepEqual([...scripts.keys()].sort(), [...expected].sort(), 'the scripts the page fetched');
    assert.equal(await page.getAttribute('script[src="chat.js"]', 'type'), 'module');
    // chat.js ran to its end: the status line shows the idle state and the name field has focus.
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.getAttribute('data-state') === 'idle' &&
      document.activeElement?.getAttribute('data-testid') === 'name-input', null, { timeout: WAIT });
    assert.deepEqual(errors, [], 'console errors while loading the page');
  } finally {
    await context.close().catch(() => {});
  }
});

test('two browsers join; a message typed in one appears in both, marked own in the sender', T, async () => {
  const alice = await openPage('alice');
  const bob = await openPage('bob');
  try {
    for (const { response } of [alice, bob]) {
      assert.equal(response.status(), 200);
      const headers = await response.allHeaders();
      assert.ok(headers['content-security-policy'], 'no Content-Security-Policy header on / (browser)');
    }
    await joinAs(alice.page, 'Alice');
    await joinAs(bob.page, 'Bob');

    const text = `hello from alice ${Date.now()}`;
    const input = alice.page.getByTestId('message-input');
    await input.fill(text);
    await input.press('Enter');

    const inList = (page) => page.getByTestId('messages').getByTestId('message')
      .filter({ has: page.getByTestId('message-text').filter({ hasText: text }) });

    const atBob = inList(bob.page);
    await atBob.first().waitFor({ state: 'visible' });
    assert.equal(await atBob.count(), 1, 'the message appears once at Bob');
    assert.equal((await atBob.getByTestId('message-name').textContent()).trim(), 'Alice');
    assert.equal((await atBob.getByTestId('message-text').textContent()).trim(), text);
    assert.ok((await atBob.getByTestId('message-time').textContent()).trim().length > 0, 'message-time is empty');
    assert.ok(!(await atBob.getAttribute('class') ?? '').split(/\s+/).includes('own'), 'Bob sees Alice\'s message as own');

    const atAlice = inList(alice.page);
    await atAlice.first().waitFor({ state: 'visible' });
    assert.equal(await atAlice.count(), 1, 'the message appears once at Alice');
    await alice.page.waitForFunction((t) => [...document.querySelectorAll('[data-testid="message"]')]
      .some((el) => el.classList.contains('own') && el.querySelector('[data-testid="message-text"]')?.textContent.includes(t)),
    text, { timeout: WAIT });
    assert.equal(await input.inputValue(), '', 'the message input is cleared after sending');

    // and back: Bob answers with the send button
    const reply = `hi alice ${Date.now()}`;
    await bob.page.getByTestId('message-input').fill(reply);
    await bob.page.getByTestId('send-button').click();
    const replyAtAlice = alice.page.getByTestId('message').filter({ hasText: reply });
    await replyAtAlice.first().waitFor({ state: 'visible' });
    assert.equal((await replyAtAlice.getByTestId('message-name').textContent()).trim(), 'Bob');

    assert.deepEqual(pageErrors, [], 'page errors or CSP violations');
  } finally {
    await alice.context.close().catch(() => {});
    await bob.context.close().catch(() => {});
  }
});

test('text is rendered as text, not HTML', T, async () => {
  const alice = await openPage('alice2');
  const bob = await openPage('bob2');
  try {
    await joinAs(alice.page, 'Alice2');
    await joinAs(bob.page, 'Bob2');
    const text = `<img src=x onerror="window.__pwned=1"><b>bold</b> ${Date.now()}`;
    await alice.page.getByTestId('message-input').fill(text);
    await alice.page.getByTestId('message-input').press('Enter');
    const atBob = bob.page.getByTestId('message').filter({ hasText: '<b>bold</b>' });
    await atBob.first().waitFor({ state: 'visible' });
    assert.equal((await atBob.getByTestId('message-text').textContent()).trim(), text);
    assert.equal(await atBob.locator('img, b').count(), 0, 'markup from a message was rendered');
    assert.equal(await bob.page.evaluate(() => window.__pwned), undefined);
  } finally {
    await alice.context.close().catch(() => {});
    await bob.context.close().catch(() => {});
  }
});

test('two users in two rooms see only their own room\'s messages', T, async () => {
  const red = `red-${uniq()}`;
  const blue = `blue-${uniq()}`;
  const alice = await openPage('alice-rooms');
  const bob = await openPage('bob-rooms');
  const carol = await openPage('carol-rooms');
  try {
    await joinAs(alice.page, 'Alice', red);
    await joinAs(bob.page, 'Bob', blue);
    await joinAs(carol.page, 'Carol', red);
    // Carol is in both rooms: she joins the second one from the room list
    await carol.page.getByTestId('join-room-input').fill(blue);
    await carol.page.getByTestId('join-room-button').click();
    const roomList = carol.page.getByTestId('room-list');
    await roomList.locator(`[data-testid="room-item"][data-room="${blue}"]`).waitFor();
    await roomList.locator(`[data-testid="room-item"][data-room="${red}"]`).waitFor();
    await carol.page.locator(`[data-testid="member"][data-name="Bob"]`).waitFor();

    await say(alice.page, 'only in red');
    await say(bob.page, 'only in blue');
    await shown(alice.page, 'only in red').waitFor();
    await shown(bob.page, 'only in blue').waitFor();

    // Carol sees each in its own room: blue is on screen, red counts as unread
    await shown(carol.page, 'only in blue').waitFor();
    const redItem = carol.page.locator(`[data-testid="room-item"][data-room="${red}"]`);
    await redItem.getByTestId('room-unread').filter({ hasText: '1' }).waitFor();
    assert.equal(await shown(carol.page, 'only in red').count(), 0, 'red\'s message shown in blue');
    await redItem.click();
    await shown(carol.page, 'only in red').waitFor();
    assert.equal(await shown(carol.page, 'only in blue').count(), 0, 'blue\'s message shown in red');
    assert.equal(await redItem.getByTestId('room-unread').count(), 0, 'unread count not cleared on switching');

    // once Carol has both, both fan-outs are done: neither sender got the other room's message
    assert.equal(await shown(alice.page, 'only in blue').count(), 0, 'Alice sees blue\'s message');
    assert.equal(await shown(bob.page, 'only in red').count(), 0, 'Bob sees red\'s message');
    assert.equal(await alice.page.locator(`[data-testid="room-item"][data-room="${blue}"]`).count(), 0);
    assert.deepEqual(pageErrors, [], 'page errors or CSP violations');
  } finally {
    await closeAll(alice, bob, carol);
  }
});

test('a direct message appears for both parties and not for a third', T, async () => {
  const room = `dm-${uniq()}`;
  const [an, bo, cy] = ['Ann', 'Bo', 'Cy'].map((n) => `${n}${uniq().slice(-4)}`);
  const ann = await openPage('ann-dm');
  const bo_ = await openPage('bo-dm');
  const cy_ = await openPage('cy-dm');
  try {
    await joinAs(ann.page, an, room);
    await joinAs(bo_.page, bo, room);
    await joinAs(cy_.page, cy, room);
    // Ann opens a conversation with Bo from the member list
    await ann.page.locator(`[data-testid="member"][data-name="${bo}"]`).click();
    await ann.page.locator(`[data-testid="dm-list"] [data-testid="dm-item"]`).first().waitFor();
    const secret = `just between us ${uniq()}`;
    await say(ann.page, secret);
    await delivered(ann.page, secret);

    // Bo gets a conversation with Ann, unread until opened
    const boItem = bo_.page.locator(`[data-testid="dm-item"][data-name="${an}"]`);
    await boItem.getByTestId('room-unread').waitFor();
    await boItem.click();
    await shown(bo_.page, secret).waitFor();
    assert.equal(await shown(bo_.page, secret).count(), 1);
    assert.equal((await shown(bo_.page, secret).getByTestId('message-name').textContent()).trim(), an);

    // and answers in it
    const reply = `got it ${uniq()}`;
    await say(bo_.page, reply);
    await shown(ann.page, reply).waitFor();
    assert.deepEqual((await shownTexts(ann.page)).filter((t) => t === secret || t === reply), [secret, reply]);
    assert.ok(await shown(ann.page, secret).evaluate((el) => el.classList.contains('own')), 'own dm not marked own');

    // Cy, in the same room, sees neither
    await cy_.page.locator(`[data-testid="member"][data-name="${an}"]`).waitFor();
    assert.equal(await cy_.page.getByTestId('dm-item').count(), 0, 'Cy has a dm conversation');
    assert.equal(await cy_.page.getByText(secret).count(), 0, 'Cy sees the dm');
    assert.equal(await cy_.page.getByText(reply).count(), 0, 'Cy sees the reply');
    assert.deepEqual(pageErrors, [], 'page errors or CSP violations');
  } finally {
    await closeAll(ann, bo_, cy_);
  }
});

// Issue 16: a guest's identity is its guest token (localStorage), not its name: after a reload
// the tab is the same person, and its direct messages are readable again.
test('a reload keeps the guest identity and its direct messages', T, async () => {
  const room = `guest-${uniq()}`;
  const [an, bo] = ['Ann', 'Bo'].map((n) => `${n}${uniq().slice(-4)}`);
  const ann = await openPage('ann-guest');
  const bo_ = await openPage('bo-guest');
  try {
    await joinAs(ann.page, an, room);
    await joinAs(bo_.page, bo, room);
    const status = ann.page.getByTestId('status');
    const id = await status.getAttribute('data-user-id');
    assert.match(id ?? '', /^g_/);
    assert.ok(await ann.page.evaluate(() => window.localStorage.getItem('parley.guest')), 'the guest token is kept');
    await ann.page.locator(`[data-testid="member"][data-name="${bo}"]`).click();
    const secret = `for bo only ${uniq()}`;
    await say(ann.page, secret);
    await delivered(ann.page, secret);
    await bo_.page.locator(`[data-testid="dm-item"][data-name="${an}"]`).waitFor();

    await ann.page.reload({ waitUntil: 'load' });
    if (await ann.page.getByTestId('join-button').isVisible()) await joinAs(ann.page, an, room);
    await waitOnline(ann.page);
    await ann.page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.userId);
    assert.equal(await status.getAttribute('data-user-id'), id, 'the same guest after the reload');
    await ann.page.locator(`[data-testid="dm-item"][data-name="${bo}"]`).click();
    await shown(ann.page, secret).waitFor();
    // and the conversation goes on where it was, for both
    const more = `still us ${uniq()}`;
    await say(ann.page, more);
    await delivered(ann.page, more);
    await bo_.page.locator(`[data-testid="dm-item"][data-name="${an}"]`).click();
    await shown(bo_.page, more).waitFor();
    assert.deepEqual((await shownTexts(bo_.page)).filter((t) => t === secret || t === more), [secret, more]);
    assert.deepEqual(pageErrors, [], 'page errors or CSP violations');
  } finally {
    await closeAll(ann, bo_);
  }
});

// A saved guest token the server refuses (expired, or the server's key changed) must not lock
// the page out: it is forgotten, the user told, and the page connects as a new guest.
test('a refused guest token is replaced by a new guest identity, with a notice', T, async () => {
  const eve = await openPage('eve-refused');
  try {
    await eve.page.evaluate(() => window.localStorage.setItem('parley.guest', 'eyJhbGciOiJIUzI1NiJ9.e30.bm90LWEtc2lnbmF0dXJl'));
    await joinAs(eve.page, `Eve${uniq().slice(-4)}`, `refused-${uniq()}`);
    await eve.page.getByTestId('notice').filter({ hasText: 'did not recognise your saved guest identity' }).waitFor();
    await eve.page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.userId);
    const token = await eve.page.evaluate(() => window.localStorage.getItem('parley.guest'));
    assert.equal(token.split('.').length, 3);
    assert.notEqual(token, 'eyJhbGciOiJIUzI1NiJ9.e30.bm90LWEtc2lnbmF0dXJl', 'a new token was kept');
    assert.deepEqual(pageErrors, [], 'page errors or CSP violations');
  } finally {
    await closeAll(eve);
  }
});

test('a reload shows the history again', T, async () => {
  const room = `reload-${uniq()}`;
  const dana = await openPage('dana-reload');
  try {
    await joinAs(dana.page, 'Dana', room);
    const texts = [`first ${uniq()}`, `second ${uniq()}`];
    for (const t of texts) {
      await say(dana.page, t);
      await delivered(dana.page, t);
    }
    await dana.page.reload({ waitUntil: 'load' });
    // the tab keeps its session; if a client asks again, join again
    if (await dana.page.getByTestId('join-button').isVisible()) await joinAs(dana.page, 'Dana', room);
    await waitOnline(dana.page);
    for (const t of texts) await shown(dana.page, t).waitFor();
    assert.deepEqual((await shownTexts(dana.page)).filter((t) => texts.includes(t)), texts,
      'after a reload each message is shown once, in order');
    assert.deepEqual(pageErrors, [], 'page errors or CSP violations');
  } finally {
    await closeAll(dana);
  }
});

test('offline while 5 messages are sent: after reconnecting, all 5 appear exactly once, in order',
  { timeout: 30_000 }, async () => {
    const room = `offline-${uniq()}`;
    const eve = await openPage('eve-offline');
    const finn = await openPage('finn-offline');
    try {
      await joinAs(eve.page, 'Eve', room);
      await joinAs(finn.page, 'Finn', room);
      const before = `before ${uniq()}`;
      await say(eve.page, before);
      await shown(finn.page, before).waitFor();

      await finn.context.setOffline(true);
      await finn.page.waitForFunction(
        () => document.querySelector('[data-testid="status"]')?.getAttribute('data-state') !== 'online', null,
        { timeout: WAIT });
      const five = [1, 2, 3, 4, 5].map((i) => `while away ${i} ${uniq()}`);
      for (const t of five) {
        await say(eve.page, t);
        await delivered(eve.page, t);
      }
      await finn.context.setOffline(false);
      await waitOnline(finn.page, 20_000);
      await shown(finn.page, five[4]).waitFor({ timeout: 15_000 });
      // late duplicates (a live copy racing the catch-up history) would show up within a moment
      await new Promise((r) => setTimeout(r, 1500));
      const texts = await shownTexts(finn.page);
      assert.deepEqual(texts.filter((t) => t === before || five.includes(t)), [before, ...five]);
      const seqs = await finn.page.$$eval('[data-testid="messages"] [data-testid="message"]',
        (els) => els.map((e) => Number(e.dataset.seq)).filter((n) => n > 0));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'messages out of seq order');
      assert.equal(new Set(seqs).size, seqs.length, 'a seq shown twice');
      assert.deepEqual(pageErrors, [], 'page errors or CSP violations');
    } finally {
      await closeAll(eve, finn);
    }
  });
