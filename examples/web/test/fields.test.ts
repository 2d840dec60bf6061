// How form values become createLead's input, and leadgate's field errors find their inputs.
import { describe, expect, test } from 'vitest';

import { fieldOf, problemsOf, toSubmission } from '../src/fields';

describe('toSubmission', () => {
  test('trims, leaves out empty fields and sends filled checklist items by code', () => {
    const { input, checklistSources } = toSubmission({
      firstName: ' Ada ',
      lastName: '',
      email: 'ada@example.com ',
      taxId: '12-3456789',
    });
    expect(input).toEqual({
      firstName: 'Ada',
      email: 'ada@example.com',
      checklistItems: [{ code: 'tax_id', value: '12-3456789' }],
    });
    expect(checklistSources).toEqual(['taxId']);
  });

  test('a business name fills the lead field and its checklist item', () => {
    const { input, checklistSources } = toSubmission({ firstName: 'A', businessName: 'Acme', taxId: 'x' });
    expect(input.businessName).toBe('Acme');
    expect(input.checklistItems).toEqual([
      { code: 'business_name', value: 'Acme' },
      { code: 'tax_id', value: 'x' },
    ]);
    expect(checklistSources).toEqual(['businessName', 'taxId']);
  });
});

describe('field errors', () => {
  test('input paths map to the field that produced them', () => {
    expect(fieldOf('email', [])).toBe('email');
    expect(fieldOf('input.firstName', [])).toBe('firstName');
    expect(fieldOf('checklistItems[1].value', ['businessName', 'taxId'])).toBe('taxId');
    expect(fieldOf('checklistItems[0].code', ['taxId'])).toBe('taxId');
    expect(fieldOf('checklistItems[3].value', ['taxId'])).toBeUndefined();
    expect(fieldOf('timezone', [])).toBeUndefined();
  });

  test('every listed field gets its message; the rest is shown above the button', () => {
    const problems = problemsOf(
      [
        {
          message: 'email: is not a valid email address; checklistItems[0].value: bad',
          extensions: {
            code: 'BAD_USER_INPUT',
            field: 'email',
            fields: [
              { field: 'email', message: 'is not a valid email address' },
              { field: 'checklistItems[0].value', message: 'bad' },
              { field: 'timezone', message: 'is not an IANA time zone' },
            ],
          },
        },
        { message: 'a valid x-api-key header is required', extensions: { code: 'UNAUTHENTICATED' } },
      ],
      ['taxId'],
    );
    expect(problems.fields).toEqual({ email: 'is not a valid email address', taxId: 'bad' });
    expect(problems.other).toEqual([
      'timezone: is not an IANA time zone',
      'a valid x-api-key header is required (UNAUTHENTICATED)',
    ]);
  });

  test('an error with only extensions.field is placed by it', () => {
    const problems = problemsOf([{ message: 'email: is not valid', extensions: { field: 'email' } }], []);
    expect(problems.fields).toEqual({ email: 'email: is not valid' });
  });
});
