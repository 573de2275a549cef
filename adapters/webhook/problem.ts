import type { Response } from 'express';

/** Kinds of problems the webhook router answers with (RFC 9457, as the REST server). */
export type ProblemKind = 'not-found' | 'unauthorized' | 'forbidden' | 'payload-too-large' | 'validation-failed' | 'method-not-allowed' | 'unavailable' | 'internal';

const TITLES: Record<ProblemKind, string> = {
  'not-found': 'Not found',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  'payload-too-large': 'Payload too large',
  'validation-failed': 'Validation failed',
  'method-not-allowed': 'Method not allowed',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
};

/** Sends an `application/problem+json` answer; `extra` adds members such as `errors`. The instance leaves out the query (it may hold a token). */
export function sendProblem(res: Response, status: number, kind: ProblemKind, detail: string, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) return;
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `https://legacy-bridge.dev/problems/${kind}`, title: TITLES[kind], status, detail, instance: res.req.originalUrl.split('?')[0], ...extra }));
}
