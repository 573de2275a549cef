import type { Response } from 'express';

/** The kinds of problem the API answers with; each is `https://legacy-bridge.dev/problems/<kind>`. */
export type ProblemKind =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'precondition-failed'
  | 'precondition-required'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'validation-failed'
  | 'idempotency-key-reused'
  | 'rate-limited'
  | 'internal'
  | 'unavailable';

/** Status and title of each problem kind (the OpenAPI document lists them from here too). */
export const PROBLEM_STATUS: Record<ProblemKind, [number, string]> = {
  'bad-request': [400, 'Bad request'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  'not-found': [404, 'Not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  conflict: [409, 'Conflict'],
  'precondition-failed': [412, 'Precondition failed'],
  'precondition-required': [428, 'Precondition required'],
  'payload-too-large': [413, 'Payload too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'validation-failed': [422, 'Validation failed'],
  'idempotency-key-reused': [422, 'Idempotency key reused'],
  'rate-limited': [429, 'Too many requests'],
  internal: [500, 'Internal error'],
  unavailable: [503, 'Service unavailable'],
};

export const PROBLEM_BASE = 'https://legacy-bridge.dev/problems/';

/** One field error of a 422: the field path, a stable code and what is wrong. */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/**
 * An RFC 9457 problem, thrown by handlers and answered by the app's error handler as
 * `application/problem+json`. `headers` go with it (Allow, Retry-After, WWW-Authenticate).
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly title: string;
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    [this.status, this.title] = PROBLEM_STATUS[kind];
  }
}

/** Writes a problem response; `instance` is the request path. */
export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(problem.extra.headers ?? {})) res.setHeader(k, v);
  const body: Record<string, unknown> = { type: PROBLEM_BASE + problem.kind, title: problem.title, status: problem.status, detail: problem.detail };
  if (instance !== undefined) body.instance = instance;
  if (problem.extra.errors) body.errors = problem.extra.errors;
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}
