// The web example (examples/web), built, in a real browser: its page is served from
// http://localhost:EXAMPLE_PORT and calls leadgate on another origin, so the browser
// sends CORS preflights that leadgate (started with --cors-origins for that origin) must
// allow. The form creates a lead and shows its checklist; a bad email shows its error
// next to the email input. Nothing may leave loopback.
//
// EXAMPLE_DIST: examples/web/dist, built with VITE_LEADGATE_URL and VITE_LEADGATE_API_KEY
// naming the running leadgate; EXAMPLE_PORT: where to serve it.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { openBrowser, required, screenshotPath } from './browser.js';

const dist = path.resolve(required('EXAMPLE_DIST'));
const port = Number(required('EXAMPLE_PORT'));
const origin = `http://localhost:${port}`;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** A static server for the built example on both loopback addresses of `localhost`. */
function serveDist() {
  const handler = async (request, response) => {
    const file = path.join(dist, new URL(request.url, origin).pathname.replace(/\/$/, '/index.html'));
    if (!file.startsWith(dist)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  };
  const listen = (host) =>
    new Promise((resolve) => {
      const server = createServer(handler);
      server.once('error', () => resolve(null)); // no IPv6 here: 127.0.0.1 serves alone
      server.listen(port, host, () => resolve(server));
    });
  return Promise.all([listen('127.0.0.1'), listen('::1')]);
}

let servers = [];
let session;
before(async () => {
  servers = await serveDist();
  assert.ok(servers[0], `cannot listen on 127.0.0.1:${port}`);
  session = await openBrowser();
});
after(async () => {
  await session?.browser.close();
  for (const server of servers) {
    server?.close();
  }
});

async function fill(page, values) {
  for (const [name, value] of Object.entries(values)) {
    await page.locator(`#${name}`).fill(value);
  }
}

test('the example form creates a lead across origins and shows field errors by their inputs', async () => {
  const { page, seen } = session;
  await page.goto(`${origin}/`);
  await page.getByRole('form', { name: 'New lead' }).waitFor();
  const run = Math.random().toString(36).slice(2, 8);

  await fill(page, { firstName: `Bad${run}`, email: 'not-an-email' });
  await page.getByRole('button', { name: 'Create lead' }).click();
  const emailError = page.locator('[data-field=email] .field-error');
  await emailError.filter({ hasText: 'not a valid email' }).waitFor();
  assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#firstName-error').textContent(), '');

  await fill(page, {
    firstName: `Ada${run}`,
    lastName: 'Lovelace',
    email: `ada.${run}@example.com`,
    phoneNumber: '(678) 231-9992',
    businessName: 'Analytical Engines',
    taxId: '12-3456789',
  });
  await page.getByRole('button', { name: 'Create lead' }).click();
  await page.getByRole('heading', { name: 'Lead created' }).waitFor();
  assert.equal(await page.locator('#email-error').textContent(), '', 'the old error is gone');
  const taxId = page.locator('[data-group="Business Information"] [data-code=tax_id]');
  assert.match(await taxId.textContent(), /Tax ID\s*COMPLETED\s*12-3456789/);
  // The demo leads share this phone number.
  assert.ok((await page.locator('.matching li').count()) >= 1, 'matching leads are listed');

  const shot = screenshotPath('example-form.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);

  assert.deepEqual(seen.external, [], 'no request left loopback');
  assert.deepEqual(seen.problems, [], 'no console or page errors (a CORS refusal is one)');
  assert.ok(
    seen.requests.some((url) => !url.startsWith(origin) && url.endsWith('/graphql')),
    'the page called leadgate on another origin',
  );
});
