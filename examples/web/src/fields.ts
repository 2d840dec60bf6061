// The form's fields, how they become a CreateLeadInput, and how leadgate's field errors
// (extensions.fields, named by input path) find their way back to the input they are about.
import type { ChecklistItemInput, CreateLeadInput } from './gql/graphql';
import type { LeadgateError } from './leadgate';

export type FieldName = 'firstName' | 'lastName' | 'email' | 'phoneNumber' | 'businessName' | 'taxId';

export interface FieldSpec {
  name: FieldName;
  label: string;
  type: 'text' | 'email' | 'tel';
  autocomplete: string;
  required?: boolean;
  hint?: string;
}

export const FIELDS: readonly FieldSpec[] = [
  { name: 'firstName', label: 'First name', type: 'text', autocomplete: 'given-name', required: true },
  { name: 'lastName', label: 'Last name', type: 'text', autocomplete: 'family-name' },
  { name: 'email', label: 'Email', type: 'email', autocomplete: 'email' },
  { name: 'phoneNumber', label: 'Phone', type: 'tel', autocomplete: 'tel', hint: 'Any format, e.g. (678) 231-9992' },
  { name: 'businessName', label: 'Business name', type: 'text', autocomplete: 'organization' },
  { name: 'taxId', label: 'Tax ID', type: 'text', autocomplete: 'off', hint: 'NN-NNNNNNN' },
];

export type FormValues = Partial<Record<FieldName, string>>;

/** Checklist items of the documented template that the form fills in. */
const CHECKLIST: readonly { code: string; from: FieldName }[] = [
  { code: 'business_name', from: 'businessName' },
  { code: 'tax_id', from: 'taxId' },
];

/** What the form sends, and which field each sent checklist item came from. */
export interface Submission {
  input: CreateLeadInput;
  checklistSources: FieldName[];
}

export function toSubmission(values: FormValues): Submission {
  const text = (name: FieldName) => {
    const value = values[name]?.trim();
    return value ? value : undefined;
  };
  const input: CreateLeadInput = { firstName: values.firstName?.trim() ?? '' };
  for (const name of ['lastName', 'email', 'phoneNumber', 'businessName'] as const) {
    const value = text(name);
    if (value !== undefined) {
      input[name] = value;
    }
  }
  const checklistItems: ChecklistItemInput[] = [];
  const checklistSources: FieldName[] = [];
  for (const { code, from } of CHECKLIST) {
    const value = text(from);
    if (value !== undefined) {
      checklistItems.push({ code, value });
      checklistSources.push(from);
    }
  }
  if (checklistItems.length > 0) {
    input.checklistItems = checklistItems;
  }
  return { input, checklistSources };
}

/** Field errors by form field; `other` holds the messages that belong to no field. */
export interface Problems {
  fields: Partial<Record<FieldName, string>>;
  other: string[];
}

const INPUT_FIELDS = new Set<string>(['firstName', 'lastName', 'email', 'phoneNumber', 'businessName']);

/** The form field an input path (`email`, `checklistItems[1].value`) is about, if any. */
export function fieldOf(path: string, checklistSources: readonly FieldName[]): FieldName | undefined {
  const direct = path.replace(/^input\./, '');
  if (INPUT_FIELDS.has(direct)) {
    return direct as FieldName;
  }
  const item = /^checklistItems\[(\d+)\]/.exec(direct);
  return item ? checklistSources[Number(item[1])] : undefined;
}

export function problemsOf(errors: readonly LeadgateError[], checklistSources: readonly FieldName[]): Problems {
  const problems: Problems = { fields: {}, other: [] };
  for (const error of errors) {
    const ext = error.extensions ?? {};
    const listed = ext.fields ?? (ext.field ? [{ field: ext.field, message: error.message }] : []);
    let placed = false;
    for (const { field, message } of listed) {
      const name = fieldOf(field, checklistSources);
      if (name) {
        problems.fields[name] ??= message;
        placed = true;
      } else {
        problems.other.push(`${field}: ${message}`);
        placed = true;
      }
    }
    if (!placed) {
      problems.other.push(ext.code ? `${error.message} (${ext.code})` : error.message);
    }
  }
  return problems;
}
