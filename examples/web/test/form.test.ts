// The form against a running leadgate (LEADGATE_URL, LEADGATE_API_KEY: .ci/run starts a
// `serve --demo` and passes its address and demo key). Runs in jsdom; the same page in a
// real browser, across origins (CORS), is tests/browser/example.test.js.
import { beforeEach, describe, expect, test } from 'vitest';

import { type LeadForm, mountLeadForm } from '../src/form';
import { graphql } from '../src/gql';
import { createClient } from '../src/leadgate';

const url = process.env.LEADGATE_URL;
const apiKey = process.env.LEADGATE_API_KEY;
if (!url || !apiKey) {
  throw new Error('LEADGATE_URL and LEADGATE_API_KEY must name a running leadgate (see README.md)');
}
const execute = createClient({ url, apiKey });

const LeadsNamed = graphql(`
  query LeadsNamed($search: String!) {
    leads(filter: { search: $search }) {
      totalCount
      nodes {
        id
        firstName
      }
    }
  }
`);

/** Unique per test run, so runs against one database do not see each other. */
const run = Math.random().toString(36).slice(2, 10);

let lead: LeadForm;
beforeEach(() => {
  const root = document.createElement('div');
  document.body.replaceChildren(root);
  lead = mountLeadForm(root, execute);
});

async function submit(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) {
    const input = document.getElementById(name) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  document.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
  expect(lead.pending).not.toBeNull();
  await lead.pending;
}

const text = (selector: string) => document.querySelector(selector)?.textContent ?? null;

describe('the lead form against leadgate', () => {
  test('creates a lead and shows its checklist groups', async () => {
    await submit({
      firstName: `Ada${run}`,
      lastName: 'Lovelace',
      email: `ada.${run}@example.com`,
      businessName: 'Analytical Engines',
      taxId: '12-3456789',
    });
    expect(text('.form-error')).toBe('');
    expect(text('.result h2')).toBe('Lead created');
    const id = document.querySelector('.result code[data-lead-id]')!.getAttribute('data-lead-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const group = document.querySelector('[data-group="Business Information"]');
    expect(group?.querySelector('h4')?.textContent).toBe('Business Information');
    expect(group?.querySelector('[data-code=business_name] .value')?.textContent).toBe('Analytical Engines');
    expect(group?.querySelector('[data-code=tax_id] .label')?.textContent).toBe('Tax ID');
    expect(group?.querySelector('[data-code=tax_id] .status')?.textContent).toBe('COMPLETED');
    expect(group?.querySelector('[data-code=tax_id] .value')?.textContent).toBe('12-3456789');

    const found = await execute(LeadsNamed, { search: `Ada${run}` });
    expect(found.data?.leads.nodes).toEqual([{ id, firstName: `Ada${run}` }]);
  });

  test('a bad email shows its error next to the email input, and nothing is created', async () => {
    await submit({ firstName: `Bad${run}`, email: 'not-an-email', taxId: '123' });
    const email = document.getElementById('email')!;
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(email.parentElement!.querySelector('.field-error')?.textContent).toMatch(/^Email .*not a valid email/);
    // The checklist value's error (checklistItems[0].value) sits by the Tax ID input.
    expect(text('#taxId-error')).toMatch(/^Tax ID .*pattern/);
    expect(text('#firstName-error')).toBe('');
    expect(document.getElementById('firstName')!.hasAttribute('aria-invalid')).toBe(false);
    expect(text('.result')).toBe('');

    const found = await execute(LeadsNamed, { search: `Bad${run}` });
    expect(found.data?.leads.totalCount).toBe(0);
  });

  test('shows the leads that match by email or phone', async () => {
    const CreateEarlier = graphql(`
      mutation CreateEarlier($input: CreateLeadInput!) {
        createLead(input: $input) {
          lead {
            id
          }
        }
      }
    `);
    const earlier = await execute(CreateEarlier, {
      input: { firstName: 'Grace', lastName: 'Hopper', email: `grace.${run}@example.com` },
    });
    const earlierId = earlier.data!.createLead.lead.id;

    await submit({ firstName: 'G.', lastName: 'Hopper', email: `GRACE.${run}@Example.com` });
    expect(text('.result h2')).toBe('Lead created');
    const match = document.querySelector(`.matching li[data-lead-id="${earlierId}"]`);
    expect(match?.textContent).toContain('Grace Hopper');
    expect(match?.textContent).toContain(`grace.${run}@example.com`);
    expect(text('.matching-title')).toBe('Matching leads (1)');
  });

  test('a wrong key is shown above the button, not on a field', async () => {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    lead = mountLeadForm(root, createClient({ url, apiKey: 'lg_live_wrong' }));
    await submit({ firstName: 'Nobody' });
    expect(text('.form-error')).toMatch(/x-api-key.*UNAUTHENTICATED/);
    expect([...document.querySelectorAll('.field-error')].every((e) => e.textContent === '')).toBe(true);
  });
});
