// Headless Chromium (Debian's package) for the browser tests, with every request the
// page makes checked: only loopback hosts may be reached, anything else is aborted and
// fails the test. Console errors (a CSP violation is one) and page errors fail it too.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Flags that keep Chromium off the network (no update, sync or safe-browsing calls). */
const CHROMIUM_FLAGS = [
  '--no-sandbox', // CI runs as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

export function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through .ci/run, or see tests/browser/README.md`);
  }
  return value;
}

/** Where screenshots go: $SCREENSHOT_DIR, else tests/browser/screenshots (not committed). */
export function screenshotPath(name) {
  const dir = process.env.SCREENSHOT_DIR || path.join(import.meta.dirname, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/**
 * A page in a fresh browser, and what it did: `external` lists requests for hosts off
 * loopback (all aborted), `problems` console errors and uncaught exceptions, `requests`
 * every URL requested.
 */
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const seen = { external: [], problems: [], requests: [] };
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    seen.requests.push(url.href);
    if (LOOPBACK.has(url.hostname)) {
      return route.continue();
    }
    seen.external.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') {
      seen.problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => seen.problems.push(`page error: ${error.message}`));
  return { browser, page, seen };
}
