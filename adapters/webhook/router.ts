import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DataError, formatDataError, formatPosition } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/log.js';
import { HttpProblem, sendProblem, type ProblemKind } from '../../src/rest/problem.js';
import { defaultWebhookHub, type WebhookHub } from './hub.js';
import type { Settlement, WebhookSource } from './source.js';
import type { VerifyFailure } from './signature.js';

export interface WebhookRouterOptions {
  /** Where the flows' webhook sources are found; default: the process's hub. */
  hub?: WebhookHub;
  /** Refusals are logged here (never headers or secrets); other failures go to the REST app's error handler. */
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Names of the configured webhook flows: one whose source is not reading yet (or any more) is answered 503, not 404. */
  flows?: { has(flow: string): boolean };
  /** Clock for timestamp tolerance, replaceable in tests. */
  now?: () => number;
}

const REFUSALS: Record<VerifyFailure, string> = {
  'missing-headers': 'the signature headers are missing',
  'bad-timestamp': 'webhook-timestamp is not a number of seconds',
  'stale-timestamp': 'webhook-timestamp is outside the tolerance (a replay, or a clock far off)',
  'bad-signature': 'the signature matches none of the configured secrets',
};

/**
 * `POST /{flow}` (mounted at /webhooks): takes a webhook for a flow whose source is `webhook`.
 * In order: 404 unknown flow, 403 peer not allowed, 413 body too large, 401 bad signature or stale
 * timestamp; then the delivery goes to the flow and the answer waits for it: 200 once the store
 * committed it (or had it already: same webhook id), 422 problem with every error and its position
 * when the payload is refused, 503 with Retry-After when the flow is busy, stopping or slow.
 */
export function webhookRouter(options: WebhookRouterOptions = {}): Router {
  const hub = options.hub ?? defaultWebhookHub;
  const now = options.now ?? Date.now;
  const parsers = new WeakMap<WebhookSource, express.RequestHandler>();
  const router = express.Router();

  router.post('/:flow', (req: Request, res: Response, next: NextFunction) => {
    const flow = String(req.params.flow);
    const source = hub.source(flow);
    if (!source && options.flows?.has(flow)) {
      return problem(res, 'unavailable', `flow ${flow} is not taking webhooks now (starting or stopping)`, { headers: RETRY });
    }
    if (!source) return problem(res, 'not-found', `no webhook flow named ${JSON.stringify(flow)}`);
    const peer = req.socket.remoteAddress;
    if (!source.allowlist.allows(peer)) {
      options.log?.warn({ flow, peer }, 'webhook refused: peer address not allowed');
      return problem(res, 'forbidden', `${peer ?? 'this address'} may not send webhooks to ${flow}`);
    }
    let parser = parsers.get(source);
    if (!parser) {
      parser = express.raw({ type: () => true, limit: source.options.bodyLimit });
      parsers.set(source, parser);
    }
    parser(req, res, (err?: unknown) => (err ? next(err) : void receive(source, flow, req, res).catch(next)));
  });

  router.all('/:flow', (_req: Request, res: Response) => {
    problem(res, 'method-not-allowed', 'webhooks are POSTed', { headers: { Allow: 'POST' } });
  });

  // Only the limit is the flow's own; every other body error goes to the REST app's handler.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; limit?: number };
    if (e.type !== 'entity.too.large' || res.headersSent) return next(err);
    problem(res, 'payload-too-large', `the body is larger than the flow's limit of ${e.limit} bytes`);
  });

  async function receive(source: WebhookSource, flow: string, req: Request, res: Response): Promise<void> {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const refused = source.verify(req.headers, body, now());
    if (refused) {
      options.log?.warn({ flow, peer: req.socket.remoteAddress, reason: refused }, 'webhook refused: signature');
      return problem(res, 'unauthorized', REFUSALS[refused]);
    }
    const id = source.deliveryId(req.headers, body);
    const settled = await withTimeout(source.submit(id, body, { 'webhook.peer': req.socket.remoteAddress }), source.options.responseTimeoutMs);
    answer(res, id, settled);
  }

  return router;
}

function answer(res: Response, id: string, settled: Settlement): void {
  if (settled.status === 'acked') {
    res.status(200).json({ id, status: 'accepted' });
    return;
  }
  if (settled.status === 'unavailable') {
    return problem(res, 'unavailable', `${settled.reason}; try again later with the same webhook-id`, { headers: RETRY });
  }
  const { error } = settled;
  const details = error instanceof DataError ? error.details : [{ code: 'delivery.invalid' as const, message: error.message }];
  const errors = details.map((d) => ({ field: d.field ?? formatPosition(d.position), code: d.code, message: formatDataError(d), position: d.position }));
  problem(res, 'validation-failed', `the payload was refused with ${errors.length} error(s); nothing of it was applied`, { errors });
}

const RETRY = { 'Retry-After': '5' };

/** Answers an RFC 9457 problem as the REST API does; the instance leaves out the query (it may hold a token). */
function problem(res: Response, kind: ProblemKind, detail: string, extra?: HttpProblem['extra']): void {
  sendProblem(res, new HttpProblem(kind, detail, extra), res.req.originalUrl.split('?')[0]);
}

/** The settlement, or 'unavailable' once `ms` passed (the delivery still commits later; its repeat is skipped). */
function withTimeout(settling: Promise<Settlement>, ms: number): Promise<Settlement> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settlement>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'unavailable', reason: `the flow did not commit the delivery within ${ms} ms` }), ms);
  });
  return Promise.race([settling, late]).finally(() => clearTimeout(timer));
}
