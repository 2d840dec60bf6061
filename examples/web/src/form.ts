// The lead-intake form: renders the fields, sends createLead, and shows either the field
// errors next to their inputs or the new lead's checklist groups and matching leads.
// Everything from the server is put into the page as text, never as HTML.
import { FIELDS, type FieldName, type FormValues, problemsOf, toSubmission } from './fields';
import type { CreateLeadMutation } from './gql/graphql';
import { type Execute, type LeadgateError, newIdempotencyKey, TransportError } from './leadgate';
import { CreateLead } from './operations';

type Payload = CreateLeadMutation['createLead'];

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function fullName(lead: { firstName: string; lastName?: string | null }): string {
  return [lead.firstName, lead.lastName].filter(Boolean).join(' ');
}

function renderValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function renderResult(payload: Payload): HTMLElement {
  const { lead } = payload;
  const groups = payload.checklistItems.map((group) =>
    element(
      'section',
      { class: 'group', 'data-group': group.name },
      element('h4', {}, group.name),
      element(
        'ul',
        {},
        ...group.items.map((item) =>
          element(
            'li',
            { 'data-code': item.checklistItem.code },
            element('span', { class: 'label' }, item.checklistItem.label),
            element('span', { class: `status status-${item.status.toLowerCase()}` }, item.status),
            element('span', { class: 'value' }, renderValue(item.value)),
          ),
        ),
      ),
    ),
  );
  const matching =
    payload.matchingLeads.length === 0
      ? element('p', { class: 'empty' }, 'No other lead has this email or phone number.')
      : element(
          'ul',
          {},
          ...payload.matchingLeads.map((match) =>
            element(
              'li',
              { 'data-lead-id': match.id },
              element('strong', {}, fullName(match)),
              ` ${[match.email, match.phoneNumber].filter(Boolean).join(' · ')}`,
            ),
          ),
        );
  return element(
    'div',
    {},
    element('h2', {}, 'Lead created'),
    element(
      'p',
      { class: 'lead' },
      element('strong', {}, fullName(lead)),
      ` — ${lead.status} — id `,
      element('code', { 'data-lead-id': lead.id }, lead.id),
    ),
    element('h3', {}, 'Checklist'),
    element('div', { class: 'checklist' }, ...groups),
    element('h3', { class: 'matching-title' }, `Matching leads (${payload.matchingLeads.length})`),
    element('div', { class: 'matching' }, matching),
  );
}

export interface LeadForm {
  form: HTMLFormElement;
  /** The submission in flight, if any (tests await it). */
  pending: Promise<void> | null;
}

/** Renders the form into `root`; createLead goes through `execute`. */
export function mountLeadForm(root: HTMLElement, execute: Execute): LeadForm {
  const inputs = new Map<FieldName, HTMLInputElement>();
  const errors = new Map<FieldName, HTMLElement>();
  const rows = FIELDS.map((spec) => {
    const input = element('input', {
      id: spec.name,
      name: spec.name,
      type: spec.type,
      autocomplete: spec.autocomplete,
      'aria-describedby': `${spec.name}-error`,
    });
    // The server validates; the browser's own checks would hide its answers.
    input.required = false;
    inputs.set(spec.name, input);
    const error = element('p', { class: 'field-error', id: `${spec.name}-error`, 'aria-live': 'polite' });
    errors.set(spec.name, error);
    const label = element('label', { for: spec.name }, spec.label, spec.required ? ' *' : '');
    const hint = spec.hint ? element('small', { class: 'hint' }, spec.hint) : '';
    return element('div', { class: 'field', 'data-field': spec.name }, label, input, hint, error);
  });
  const submit = element('button', { type: 'submit' }, 'Create lead');
  const banner = element('div', { class: 'form-error', role: 'alert', hidden: '' });
  const form = element('form', { novalidate: '', 'aria-label': 'New lead' }, ...rows, banner, submit);
  const result = element('section', { class: 'result', 'aria-live': 'polite' });
  root.replaceChildren(form, result);

  const state: LeadForm = { form, pending: null };
  // Kept after a failed delivery so that resending the same lead cannot create it twice;
  // any edit starts a new attempt.
  let retryKey: string | null = null;
  form.addEventListener('input', () => {
    retryKey = null;
  });

  function clearProblems() {
    for (const [name, error] of errors) {
      error.textContent = '';
      inputs.get(name)?.removeAttribute('aria-invalid');
    }
    banner.hidden = true;
    banner.textContent = '';
  }

  function showProblems(list: readonly LeadgateError[], sources: readonly FieldName[]) {
    const problems = problemsOf(list, sources);
    for (const spec of FIELDS) {
      const message = problems.fields[spec.name];
      if (message) {
        errors.get(spec.name)!.textContent = `${spec.label} ${message}`;
        inputs.get(spec.name)!.setAttribute('aria-invalid', 'true');
      }
    }
    const first = FIELDS.find((spec) => problems.fields[spec.name]);
    if (first) {
      inputs.get(first.name)!.focus();
    }
    showBanner(problems.other);
  }

  function showBanner(messages: readonly string[]) {
    if (messages.length > 0) {
      banner.textContent = messages.join('\n');
      banner.hidden = false;
    }
  }

  async function send() {
    const values: FormValues = {};
    for (const [name, input] of inputs) {
      values[name] = input.value;
    }
    const { input, checklistSources } = toSubmission(values);
    const idempotencyKey = retryKey ?? newIdempotencyKey();
    clearProblems();
    result.replaceChildren();
    submit.disabled = true;
    try {
      const response = await execute(CreateLead, { input }, { idempotencyKey });
      retryKey = null;
      if (response.errors?.length) {
        showProblems(response.errors, checklistSources);
      } else if (response.data) {
        result.replaceChildren(renderResult(response.data.createLead));
        form.reset();
      }
    } catch (error) {
      if (!(error instanceof TransportError)) {
        throw error;
      }
      retryKey = idempotencyKey;
      showBanner([`${error.message}. Submit again to retry.`]);
    } finally {
      submit.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state.pending) {
      state.pending = send().finally(() => {
        state.pending = null;
      });
    }
  });
  return state;
}
