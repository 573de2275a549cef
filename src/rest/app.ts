import express, { type NextFunction, type Request, type Response } from 'express';
import { adminDiscard, adminFlows, adminReject, adminRejects, adminReplay } from './admin.js';
import { authenticate, Clients, requireScope } from './auth.js';
import { listChanges, streamChanges } from './changes.js';
import { ChangeFeed } from './change-feed.js';
import type { RestContext, RouteContext } from './context.js';
import { entityHistory, getEntity, listEntities } from './entities-read.js';
import { createEntity, deleteEntity, patchEntity, replaceEntity } from './entities-write.js';
import { methodNotAllowed } from './entity-types.js';
import { healthz, metrics, readyz } from './ops.js';
import { HttpProblem, sendProblem } from './problem.js';
import { rateLimit } from './rate-limit.js';
import { requestContext, requestLog, requestTimeout } from './request-context.js';
import { cors, securityHeaders } from './security.js';

type Handler = (ctx: RouteContext, req: Request, res: Response) => unknown;

const BODY_ERRORS: Record<string, HttpProblem> = {
  'entity.too.large': new HttpProblem('payload-too-large', 'the request body is larger than the server accepts'),
  'entity.parse.failed': new HttpProblem('bad-request', 'the request body is not valid JSON'),
  'encoding.unsupported': new HttpProblem('unsupported-media-type', 'unsupported Content-Encoding'),
  'charset.unsupported': new HttpProblem('unsupported-media-type', 'unsupported charset: send UTF-8'),
};

/**
 * The REST API and the operational endpoints as one express app (see README "REST API" and
 * /work/plan/contract.md). Order: request id and logging, security headers, CORS, the
 * endpoints without auth (health, readiness, metrics, `extraRouters` with auth 'none'), then
 * authentication, rate limit, body parsing, the /v1 routes, and problem+json for everything
 * else (404 for unknown paths, 405 with Allow for unknown methods).
 */
export function createApp(context: RestContext): express.Express {
  const app = express();
  let feed = context.feed;
  if (feed === undefined) {
    feed = new ChangeFeed(context.store, context.logger);
    void feed.start();
  }
  app.locals.feed = feed;
  const ctx: RouteContext = { ...context, feed };
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  const h = (fn: Handler) => (req: Request, res: Response) => fn(ctx, req, res);
  const only = (allow: string) => methodNotAllowed(allow);

  app.use(requestContext(ctx.logger, ctx.metrics));
  app.use(securityHeaders);
  app.use(cors(ctx.server.cors.origins));
  app.use(requestTimeout(ctx.server.requestTimeoutMs));

  app.route('/healthz').get(healthz).all(only('GET, HEAD'));
  app.route('/readyz').get(h(readyz)).all(only('GET, HEAD'));
  const clients = new Clients(ctx.server);
  if (!ctx.server.metricsAuth) app.route('/metrics').get(h(metrics)).all(only('GET, HEAD'));
  for (const extra of ctx.extraRouters ?? []) if (extra.auth === 'none') app.use(extra.path, extra.router);

  app.use(authenticate(clients));
  if (ctx.server.rateLimit) app.use(rateLimit(ctx.server.rateLimit));
  if (ctx.server.metricsAuth) app.route('/metrics').get(h(metrics)).all(only('GET, HEAD'));
  app.use(express.json({ limit: ctx.server.bodyLimit, type: ['application/json', 'application/merge-patch+json', 'application/*+json'], strict: false }));

  // Extension point: routers other branches provide, for the admin scope (e.g. dead letters).
  for (const extra of ctx.extraRouters ?? []) {
    if (extra.auth === 'admin') {
      app.use(extra.path, (_req, res, next) => {
        requireScope(res, 'admin');
        next();
      }, extra.router);
    }
  }
  app.route('/v1/changes').get(h(listChanges)).all(only('GET, HEAD'));
  app.route('/v1/changes/stream').head(only('GET')).get(h(streamChanges)).all(only('GET'));
  app.route('/v1/admin/flows').get(h(adminFlows)).all(only('GET, HEAD'));
  app.route('/v1/admin/rejects').get(h(adminRejects)).all(only('GET, HEAD'));
  app.route('/v1/admin/rejects/:id').get(h(adminReject)).all(only('GET, HEAD'));
  app.route('/v1/admin/rejects/:id/replay').post(h(adminReplay)).all(only('POST'));
  app.route('/v1/admin/rejects/:id/discard').post(h(adminDiscard)).all(only('POST'));
  app.route('/v1/:type').get(h(listEntities)).post(h(createEntity)).all(only('GET, HEAD, POST'));
  app.route('/v1/:type/:key').get(h(getEntity)).put(h(replaceEntity)).patch(h(patchEntity)).delete(h(deleteEntity)).all(only('GET, HEAD, PUT, PATCH, DELETE'));
  app.route('/v1/:type/:key/history').get(h(entityHistory)).all(only('GET, HEAD'));

  app.use((req: Request) => {
    throw new HttpProblem('not-found', `no resource at ${req.path}`);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const bodyError = (err as { type?: unknown }).type;
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (typeof bodyError === 'string' && BODY_ERRORS[bodyError]) problem = BODY_ERRORS[bodyError];
    else if (typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500) problem = new HttpProblem('bad-request', 'the request could not be read');
    else {
      requestLog(res).error({ err }, 'request failed');
      problem = new HttpProblem('internal', `internal error; quote request id ${String(res.locals.reqId)} to the operator`);
    }
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    sendProblem(res, problem, req.originalUrl.split('?')[0]);
  });
  return app;
}
