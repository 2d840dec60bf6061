// GraphiQL as a person uses it: open the page of a `leadgate serve --demo`, find the demo
// key and the example operations already there, run CreateLead, see the new lead's id in
// the result pane, then read that lead with ReadLead. Nothing may leave loopback.
//
// LEADGATE_URL: the server (http://127.0.0.1:PORT); LEADGATE_API_KEY: its demo key.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openBrowser, required, screenshotPath } from './browser.js';

const server = required('LEADGATE_URL');
const apiKey = required('LEADGATE_API_KEY');

let session;
before(async () => {
  session = await openBrowser();
});
after(async () => {
  await session?.browser.close();
});

/** The text of the CodeMirror editor inside the element labelled `label`. */
function editor(page, label) {
  return page.evaluate((label) => {
    const editors = [...document.querySelectorAll(`[aria-label="${label}"] .CodeMirror`)];
    const shown = editors.find((e) => !e.closest('.hidden')) ?? editors[0];
    return shown?.CodeMirror.getValue() ?? null;
  }, label);
}

/** Opens the Variables tab, as a person would, and replaces its text. */
async function setVariables(page, text) {
  await page.getByRole('button', { name: 'Variables', exact: true }).click();
  await page.evaluate((text) => {
    const shown = [...document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')].find(
      (e) => !e.classList.contains('hidden'),
    );
    shown.querySelector('.CodeMirror').CodeMirror.setValue(text);
  }, text);
}

async function run(page, operation) {
  await page.getByRole('button', { name: /Execute query/ }).click();
  await page.getByRole('menuitem', { name: operation }).click();
}

/** The result pane once it holds JSON with `data` or `errors`. */
async function result(page, expectData) {
  await page.waitForFunction(
    (key) => {
      const pane = document.querySelector('.result-window .CodeMirror');
      const text = pane?.CodeMirror.getValue() ?? '';
      return text.includes(key);
    },
    expectData,
    { timeout: 15_000 },
  );
  return JSON.parse(await editor(page, 'Result Window'));
}

async function graphql(query, variables) {
  const response = await fetch(`${server}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

test('GraphiQL creates the example lead with the prefilled demo key, offline', async () => {
  const { page, seen } = session;
  await page.goto(`${server}/graphql`);
  await page.waitForSelector('[aria-label="Query Editor"] .CodeMirror');

  const query = await editor(page, 'Query Editor');
  assert.match(query, /mutation CreateLead \{\s+createLead\(/);
  assert.match(query, /query ReadLead\(\$id: ID!\)/);
  const headers = JSON.parse(await editor(page, 'Headers'));
  assert.equal(headers['x-api-key'], apiKey, 'the demo key is prefilled');
  // The schema loaded (introspection), so the docs explorer has the mutation.
  await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
  await page.getByText('mutation:', { exact: false }).first().waitFor();

  await run(page, 'CreateLead');
  const created = await result(page, '"createLead"');
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  const lead = created.data.createLead.lead;
  assert.match(lead.id, /^[0-9a-f-]{36}$/);
  assert.equal(created.data.createLead.success, true);
  assert.ok(created.data.createLead.matchingLeads.length >= 1, 'the demo leads match the example');

  const shot = screenshotPath('graphiql-create-lead.png');
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);

  // The id shown is a lead the server really has.
  const check = await graphql('query ($id: ID!) { lead(id: $id) { id firstName } }', { id: lead.id });
  assert.deepEqual(check.data.lead, { id: lead.id, firstName: 'John' });

  // ReadLead with the new id, as the tab's comment says.
  await setVariables(page, JSON.stringify({ id: lead.id }, null, 2));
  await run(page, 'ReadLead');
  const read = await result(page, '"lead"');
  assert.equal(read.errors, undefined, JSON.stringify(read.errors));
  assert.equal(read.data.lead.id, lead.id);
  assert.equal(read.data.lead.actionLogs[0].summary, 'Lead created');

  assert.deepEqual(seen.external, [], 'no request left loopback');
  assert.deepEqual(seen.problems, [], 'no console or page errors (CSP violations are console errors)');
  assert.ok(seen.requests.every((url) => url.startsWith(server)), seen.requests.join('\n'));
});
