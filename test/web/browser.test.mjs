// The web client in a real browser: Debian's chromium driven by playwright-core.
// Two browser contexts join the lobby; one sends, both see the message (own one marked).
//
// playwright-core is a devDependency of test/integration (one `npm ci --prefix test/integration`
// installs everything); it is loaded from there. Chromium: $PARLEY_CHROMIUM or /usr/bin/chromium.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { startServer, fetchT } from '../integration/server.mjs';

const require = createRequire(new URL('../integration/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
const T = { timeout: 15_000 };
const WAIT = 8_000;

let srv;
let browser;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM} (apt-get install chromium, or set PARLEY_CHROMIUM)`);
  srv = await startServer({ args: process.env.PARLEY_WEB ? ['--web', process.env.PARLEY_WEB] : [] });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
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

// Fills the name, joins, and waits until the page's WebSocket is connected.
async function joinAs(page, name) {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('join-button').click();
  await page.getByTestId('message-input').waitFor({ state: 'visible' });
  // the status element says so when the socket is up (data-state, else its text)
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="status"]');
    if (!s) return false;
    const state = s.getAttribute('data-state') || '';
    return /^(open|connected|online|joined|ready)$/i.test(state) ||
      (!state && /connected|online/i.test(s.textContent) && !/not connected|disconnected/i.test(s.textContent));
  }, null, { timeout: WAIT });
}

test('GET / serves the web client with a Content-Security-Policy header', T, async () => {
  const res = await fetchT(`${srv.base}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp && csp.length > 0, 'no Content-Security-Policy header on /');
  assert.match(await res.text(), /data-testid="messages"/);
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
