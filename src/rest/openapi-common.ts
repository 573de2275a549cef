import type { JsonSchema } from '../model/json-schema.js';
import { PROBLEM_BASE, PROBLEM_STATUS, type ProblemKind } from './problem.js';

/** Building blocks of the OpenAPI document shared by every group of routes. */

export type Obj = { [k: string]: unknown };

/** The problem kinds of the REST contract, from the app's own catalogue (src/rest/problem.ts). */
export const PROBLEM_KINDS = PROBLEM_STATUS;
export { PROBLEM_BASE, type ProblemKind };

export const ref = (kind: 'schemas' | 'parameters' | 'responses' | 'headers', name: string): Obj => ({ $ref: `#/components/${kind}/${name}` });

export function json(schema: JsonSchema, description: string, headers?: Obj): Obj {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } };
}

/** The response name of a problem kind in components.responses: `not-found` → `NotFound`. */
export function problemResponseName(kind: ProblemKind): string {
  return kind.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * Responses of an operation: its own plus the problems it can answer with. Kinds sharing a
 * status (422) become one response naming both; every operation also answers 429 and 500.
 */
export function responses(own: Obj, kinds: ProblemKind[]): Obj {
  const out: Obj = { ...own };
  const all: ProblemKind[] = [...kinds, 'rate-limited', 'internal'];
  for (const kind of all) {
    const status = String(PROBLEM_KINDS[kind][0]);
    const peers = all.filter((k) => PROBLEM_KINDS[k][0] === PROBLEM_KINDS[kind][0]);
    if (out[status]) continue;
    out[status] = peers.length > 1 ? problemResponse(peers) : ref('responses', problemResponseName(kind));
  }
  return out;
}

/** A problem+json response for one or more kinds of the same status. */
function problemResponse(kinds: ProblemKind[], headers?: Obj): Obj {
  const types = kinds.map((k) => PROBLEM_BASE + k);
  return {
    description: kinds.map((k) => `${PROBLEM_KINDS[k][1]} (problem type ${PROBLEM_BASE}${k})`).join('; or '),
    ...(headers ? { headers } : {}),
    content: { 'application/problem+json': { schema: { allOf: [ref('schemas', 'Problem')], properties: { type: { enum: types } } } } },
  };
}

/** Every problem kind as a named response in components.responses (429 carries Retry-After). */
export function problemResponses(): Obj {
  const out: Obj = {};
  for (const kind of Object.keys(PROBLEM_KINDS) as ProblemKind[]) {
    out[problemResponseName(kind)] = problemResponse([kind], kind === 'rate-limited' ? { 'Retry-After': ref('headers', 'RetryAfter') } : undefined);
  }
  return out;
}

/** The two security schemes; the contract's scopes are listed as alternatives per operation. */
export const SECURITY_SCHEMES = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A client token from `server.clients.<name>.token`, as `Authorization: Bearer <token>`. Scopes: `read`, `write`, `admin`, ' +
      'optionally narrowed to one entity type (`read:Customer`, `write:Order`); `admin` implies all. Each operation lists the ' +
      'scopes any one of which lets a client call it.',
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same client token, as `X-API-Key: <token>`; same scopes as bearer.' },
} as const;

/** Security alternatives: any one of the scopes, by either scheme. */
export function secured(scopes: string[]): Obj[] {
  return scopes.flatMap((s) => [{ bearer: [s] }, { apiKey: [s] }]);
}

/** Scopes that allow `verb` on `type` (or on everything when no type is given). */
export function scopesFor(verb: 'read' | 'write' | 'admin', type?: string): string[] {
  if (verb === 'admin') return ['admin'];
  return type ? [`${verb}:${type}`, verb, 'admin'] : [verb, 'admin'];
}

export const HEADERS = {
  ETag: { description: 'The entity version as a strong entity tag: `"<version>"`.', schema: { type: 'string', example: '"3"' } },
  LastModified: { description: 'When the entity last changed (HTTP date).', schema: { type: 'string' } },
  Location: { description: 'Relative URL of the created entity.', schema: { type: 'string' } },
  RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
  RequestId: { description: 'The request id (from the request\'s `X-Request-Id`, or generated); it is on every log line of the request.', schema: { type: 'string' } },
};

export const PARAMETERS = {
  Key: {
    name: 'key', in: 'path', required: true, schema: { type: 'string' },
    description: 'The store key, percent-encoded. Composite keys are the key values joined with `,`, escaping `,` and `\\` inside values with `\\`.',
  },
  IfMatch: { name: 'If-Match', in: 'header', schema: { type: 'string' }, description: 'The version the write is based on: `"<version>"` (the ETag), several (`"3", "4"`: any of them), or `*` for a PUT that may create. Required unless the type allows blind writes (428 without it, 412 when stale, 400 when it is not entity tags). A PUT may send `If-None-Match: *` instead: create only, 412 when the entity exists.' },
  IfNoneMatch: { name: 'If-None-Match', in: 'header', schema: { type: 'string' }, description: 'An ETag the client holds: 304 when it is still current.' },
  IdempotencyKey: { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 200 }, description: 'A repeat with the same key and body returns the first response; the same key with another body is refused (422 idempotency-key-reused).' },
  RequestId: { name: 'X-Request-Id', in: 'header', schema: { type: 'string' }, description: 'A request id to use in the logs instead of a generated one.' },
  Limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, description: 'Most items in the page.' },
  Cursor: { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'Opaque position, taken from a previous page\'s `next`.' },
  Sort: { name: 'sort', in: 'query', schema: { type: 'string', enum: ['key', '-key', 'updatedAt', '-updatedAt'], default: 'key' }, description: 'Order of the items; `-` for descending.' },
  Fields: { name: 'fields', in: 'query', schema: { type: 'string' }, description: 'Sparse fields: comma-separated top-level field names; `data` keeps only those.' },
  UpdatedSince: { name: 'updatedSince', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Only entities updated at or after this time.' },
  After: { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'Sequence number after which changes are returned.' },
  Types: { name: 'types', in: 'query', schema: { type: 'string' }, description: 'Comma-separated entity types to follow; all when absent.' },
  LastEventId: { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' }, description: 'The id of the last event received; overrides `after` when resuming.' },
};
