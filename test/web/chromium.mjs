// Debian's chromium for the browser suites, driven by playwright-core (a devDependency of
// test/integration, loaded from there). $PARLEY_CHROMIUM overrides /usr/bin/chromium.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(new URL('../integration/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';

// A headless browser without the background traffic of a first run.
export async function launchChromium() {
  assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM} (apt-get install chromium, or set PARLEY_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}
