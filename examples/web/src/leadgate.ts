// A small typed GraphQL client for leadgate over fetch: the generated TypedDocumentString
// carries each operation's result and variables types, so `execute` is checked end to end.
import type { TypedDocumentString } from './gql/graphql';

/** One entry of `extensions.fields`: every offending input field of a BAD_USER_INPUT. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A GraphQL error as leadgate sends it (README, "Errors"). */
export interface LeadgateError {
  message: string;
  path?: (string | number)[];
  extensions?: {
    code?: string;
    /** The first offending field, e.g. `email` or `checklistItems[1].value`. */
    field?: string;
    fields?: FieldProblem[];
    requestId?: string;
  };
}

export interface Result<TData> {
  data?: TData | null;
  errors?: LeadgateError[];
}

export interface ClientOptions {
  /** Where leadgate listens, e.g. http://127.0.0.1:8080 (no trailing /graphql). */
  url: string;
  /** A workspace API key (`lg_live_...` or `lg_test_...`). */
  apiKey: string;
}

export interface RequestOptions {
  /** Sent as Idempotency-Key: a retry with the same key creates nothing twice. */
  idempotencyKey?: string;
}

export type Execute = <TData, TVariables>(
  document: TypedDocumentString<TData, TVariables>,
  variables: TVariables,
  options?: RequestOptions,
) => Promise<Result<TData>>;

/** Thrown when leadgate could not be reached or did not answer GraphQL. */
export class TransportError extends Error {}

export function createClient({ url, apiKey }: ClientOptions): Execute {
  const endpoint = `${url.replace(/\/+$/, '')}/graphql`;
  return async (document, variables, options = {}) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      'x-api-key': apiKey,
    };
    if (options.idempotencyKey) {
      headers['idempotency-key'] = options.idempotencyKey;
    }
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: document.toString(), variables }),
      });
    } catch (error) {
      throw new TransportError(`leadgate at ${url} cannot be reached (${String(error)})`);
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('json')) {
      throw new TransportError(`leadgate answered ${response.status} ${response.statusText}`);
    }
    return (await response.json()) as Result<never>;
  };
}

/**
 * A fresh idempotency key. crypto.randomUUID needs a secure context (https or localhost);
 * getRandomValues works everywhere.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
