// The inspector page (/inspect) in a real browser: Debian's chromium driven by playwright-core,
// against a real `parley serve` and real WebSocket clients (ws). What it must show, live: a new
// connection within a second, its sendmessage event with the body and the handler's response;
// posting from the page reaches the client, disconnecting from the page closes it with the
// management API's code; a failure is highlighted with what the client saw; with
// --inspect-payloads off no body appears anywhere on the page; in process mode, a function
// that raises shows as failed with its error type, which environment ran it (cold or warm),
// and its log lines in the Functions panel.
//
// playwright-core comes from test/integration's npm packages; chromium is $PARLEY_CHROMIUM or
// /usr/bin/chromium.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../integration/server.mjs';
import { launchChromium } from './chromium.mjs';

const require = createRequire(new URL('../integration/package.json', import.meta.url));
const WebSocket = require('ws');
const T = { timeout: 30_000 };
const WAIT = 8_000;

let browser;
const servers = [];
const pageErrors = [];

before(async () => {
  browser = await launchChromium();
}, { timeout: 40_000 });

after(async () => {
  if (browser) await browser.close().catch(() => {});
  for (const s of servers) await s.stop();
  assert.deepEqual(pageErrors, [], 'the inspector page raised errors or CSP violations');
});

async function server(args = [], options = {}) {
  const srv = await startServer({ ...options, args: process.env.PARLEY_WEB ? ['--web', process.env.PARLEY_WEB, ...args] : args });
  servers.push(srv);
  return srv;
}

async function openInspector(srv) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => pageErrors.push(`uncaught ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) pageErrors.push(m.text());
  });
  const res = await page.goto(`${srv.managementBase}/inspect`, { waitUntil: 'load' });
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-security-policy'] || '', /script-src 'self'/);
  await page.waitForSelector('[data-testid="inspect-status"][data-state="live"]');
  return { context, page };
}

// A chat client; resolves once open. msgs: every frame it got (parsed when JSON).
function client(srv, name) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${srv.wsUrl}?name=${name}`);
    ws.msgs = [];
    ws.on('message', (d) => {
      const text = String(d);
      try { ws.msgs.push(JSON.parse(text)); } catch { ws.msgs.push(text); }
    });
    ws.closed = new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: String(reason) })));
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

async function until(fn, what, ms = WAIT) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const uniq = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

test('a new connection shows within a second; its sendmessage event with the body and the response; post and disconnect from the page', T, async () => {
  const srv = await server();
  const { context, page } = await openInspector(srv);
  const opened = Date.now();
  const name = `ann${uniq().slice(0, 4)}`;
  const ws = await client(srv, name);
  const row = page.locator('[data-testid="conn-row"]');
  await row.first().waitFor({ timeout: 1_000 });
  assert.ok(Date.now() - opened < 1_500, 'the connection showed within a second of its handshake');
  const id = await row.first().getAttribute('data-id');
  assert.ok(id && id.length > 8);
  // Its name and rooms, from the store, with the next snapshot.
  await page.waitForFunction((n) => {
    const r = document.querySelector('[data-testid="conn-row"]');
    return r && r.textContent.includes(n) && /lobby/.test(r.querySelector('[data-testid="conn-rooms"]').textContent);
  }, name, { timeout: 3_000 });

  const body = `inspect me ${uniq()}`;
  ws.send(JSON.stringify({ action: 'sendmessage', message: body }));
  const ev = page.locator(`[data-testid="event-row"][data-route="sendmessage"][data-connection="${id}"]`);
  await ev.first().waitFor();
  await ev.first().click();
  const detailEvent = await page.getByTestId('detail-event').textContent();
  assert.ok(detailEvent.includes(body), 'the event as the function received it holds the body');
  assert.match(detailEvent, /"routeKey": "sendmessage"/);
  assert.match(await page.getByTestId('detail-response').textContent(), /"statusCode": 200/);

  // Post from the page: it goes through the management API and reaches the client as sent.
  const text = `from the inspector ${uniq()}`;
  const mine = page.locator(`[data-testid="conn-row"][data-id="${id}"]`);
  await mine.getByTestId('post-input').fill(text);
  await mine.getByTestId('post-button').click();
  await until(() => ws.msgs.includes(text), 'the posted text at the client');
  await page.waitForFunction(() => /posted to/.test(document.querySelector('[data-testid="action-result"]').textContent));

  // Disconnect from the page: the management API's DeleteConnection closes it with 1000.
  await mine.getByTestId('disconnect-button').click();
  const closed = await Promise.race([ws.closed, new Promise((r) => setTimeout(() => r(null), WAIT))]);
  assert.ok(closed, 'the client was closed');
  assert.equal(closed.code, 1000);
  await mine.waitFor({ state: 'detached' });
  await page.locator('[data-testid="event-row"][data-route="$disconnect"]').first().waitFor();
  await context.close();
});

test('a failed invocation is highlighted with what the client saw; the charts move', T, async () => {
  // Every append_message stalls 1.5 s: sendmessage outlives the 300 ms integration timeout.
  const srv = await server(['--integration-timeout', '300', '--store-faults', 'seed=1;append_message:delay:1:1500']);
  const { context, page } = await openInspector(srv);
  const ws = await client(srv, `bob${uniq().slice(0, 4)}`);
  ws.send(JSON.stringify({ action: 'sendmessage', message: 'too slow' }));
  const failed = page.locator('[data-testid="event-row"][data-route="sendmessage"][data-failed="true"]');
  await failed.first().waitFor({ timeout: 5_000 });
  assert.equal(await failed.first().getAttribute('data-status'), 'timeout');
  assert.equal(await failed.first().getByTestId('event-outcome').textContent(), 'Endpoint request timed out');
  assert.equal(await failed.first().evaluate((e) => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)'), true,
    'the failed row is highlighted');
  await until(() => ws.msgs.some((m) => m.message === 'Endpoint request timed out'), 'the client\'s timeout frame');
  await page.getByTestId('failed-only').check();
  assert.equal(await page.locator('[data-testid="event-row"]:not([hidden])').count(),
    await page.locator('[data-testid="event-row"][data-failed="true"]').count());
  // The messages chart has counted the frame within a couple of samples.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-messages"]')?.dataset.max) > 0,
    null, { timeout: 5_000 });
  ws.close();
  await context.close();
});

test('with --inspect-payloads off no body appears on the page', T, async () => {
  const srv = await server(['--inspect-payloads', 'off']);
  const { context, page } = await openInspector(srv);
  assert.equal(await page.getByTestId('inspect-settings').getAttribute('data-payloads'), 'off');
  const ws = await client(srv, `cy${uniq().slice(0, 4)}`);
  const body = `secret words ${uniq()}`;
  ws.send(JSON.stringify({ action: 'sendmessage', message: body }));
  const ev = page.locator('[data-testid="event-row"][data-route="sendmessage"]');
  await ev.first().waitFor();
  await ev.first().click();
  const detail = await page.getByTestId('detail-event').textContent();
  assert.match(detail, /"routeKey": "sendmessage"/, 'the event is shown without its payload');
  const all = await page.evaluate(() => document.body.innerText);
  assert.ok(!all.includes(body) && !detail.includes(body), 'the body appears nowhere');
  assert.ok(!/guestToken/.test(detail), 'nor the guest token');
  ws.close();
  await context.close();
});

// One Python function on $default that raises when asked to (the user's own code, as
// `parley local` runs it).
const TEMPLATE = `Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.action"}
  BoomFunction:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.11, CodeUri: boom/, Handler: app.handler}
  BoomIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt BoomFunction.Arn}
  BoomRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {RouteKey: $default, Target: !Sub "integrations/\${BoomIntegration}"}
`;
const APP = `def handler(event, context):
    body = event.get("body") or ""
    print("handling", body)
    if "fail" in body:
        raise ValueError("asked to fail")
    return {"statusCode": 200, "body": "fine"}
`;

test('process mode: a function that raises shows as failed with its error type; environments and logs', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-inspect-fn-'));
  try {
    mkdirSync(join(dir, 'boom'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    writeFileSync(join(dir, 'boom', 'app.py'), APP);
    const srv = await server(['--lambda', 'process', '--template', join(dir, 'template.yaml')],
      { integration: 'in-process', store: 'sqlite' });
    const { context, page } = await openInspector(srv);
    const ws = await client(srv, 'dee');
    ws.send(JSON.stringify({ action: 'nothing', text: 'please fail' }));
    const failed = page.locator('[data-testid="event-row"][data-route="$default"][data-failed="true"]');
    await failed.first().waitFor({ timeout: 15_000 });
    assert.equal(await failed.first().getByTestId('event-outcome').textContent(), 'Internal server error');
    await failed.first().click();
    assert.match(await page.getByTestId('detail-failure').textContent(), /ValueError/);
    assert.match(await failed.first().textContent(), /BoomFunction #1 cold/);
    await until(() => ws.msgs.some((m) => m.message === 'Internal server error'), 'the client\'s error frame');

    ws.send(JSON.stringify({ action: 'nothing', text: 'all good' }));
    const ok = page.locator('[data-testid="event-row"][data-route="$default"][data-failed="false"]');
    await ok.first().waitFor();
    assert.doesNotMatch(await ok.first().textContent(), /cold/, 'the second invocation ran warm');
    const fn = page.locator('[data-testid="function"][data-name="BoomFunction"]');
    await fn.waitFor();
    await page.waitForFunction(() => /please fail/.test(document.querySelector('[data-testid="function-log"]')?.textContent));
    assert.match(await fn.textContent(), /1 cold start/);
    ws.close();
    await context.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
