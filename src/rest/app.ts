import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { adminDeadLetter, adminDeadLetterDiscard, adminDeadLetterReplay, adminDeadLetters, adminDeadLettersReplayAll } from './admin-deadletters.js';
import { adminDiscard, adminFlows, adminReject, adminRejects, adminReplay } from './admin.js';
import { authenticate, Clients, requireScope } from './auth.js';
import { listChanges, streamChanges } from './changes.js';
import { ChangeFeed } from './change-feed.js';
import type { RestContext, RouteContext } from './context.js';
import { entityHistory, getEntity, listEntities } from './entities-read.js';
import { createEntity, deleteEntity, patchEntity, replaceEntity } from './entities-write.js';
import { methodNotAllowed } from './entity-types.js';
import { fastEntityRead } from './fast-read.js';
import { healthz, metrics, readyz } from './ops.js';
import { HttpProblem, sendProblem } from './problem.js';
import { RateLimiter, rateLimit } from './rate-limit.js';
import { rememberRouteBase, requestContext, requestLog, requestTimeout } from './request-context.js';
import { cors, securityHeaders } from './security.js';

/** Methods whose body the API reads; the others' bodies (a DELETE's too) are never parsed, so cannot fail a request. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Middleware run one after the other as one layer of the app's router (each layer costs every
 * request a match); an error or a middleware that answers stops the chain as express would.
 */
function prelude(...steps: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== null) return next(err);
      const fn = steps[i++];
      if (fn === undefined) return next();
      try {
        void fn(req, res, step);
      } catch (e) {
        next(e);
      }
    };
    step();
  };
}

type Handler = (ctx: RouteContext, req: Request, res: Response) => unknown;

const BODY_ERRORS: Record<string, HttpProblem> = {
  'entity.too.large': new HttpProblem('payload-too-large', 'the request body is larger than the server accepts'),
  'entity.parse.failed': new HttpProblem('bad-request', 'the request body is not valid JSON'),
  'encoding.unsupported': new HttpProblem('unsupported-media-type', 'unsupported Content-Encoding'),
  'charset.unsupported': new HttpProblem('unsupported-media-type', 'unsupported charset: send UTF-8'),
};

/**
 * The REST API and the operational endpoints as one express app (see README "REST API"). Order:
 * request id and logging, security headers, CORS, timeout (one layer); health, readiness and
 * metrics (metrics behind auth when `metricsAuth`); the /v1 router (authentication, rate limit,
 * body parsing, admin-scope `extraRouters`, the API routes, 404 for unknown /v1 paths); the
 * `extraRouters` without auth (webhooks, docs); problem+json for everything else (404 for unknown
 * paths, 405 with Allow for unknown methods).
 */
export function createApp(context: RestContext): express.Express {
  return buildApp(context).app;
}

/**
 * The server's request listener: the read fast path (fast-read.ts) for what it takes, the app
 * for everything else. Built on the same clients, rate-limit buckets and middleware as the app.
 */
export function createRequestListener(context: RestContext): { app: express.Express; listener: (req: IncomingMessage, res: ServerResponse) => void } {
  const { app, fast } = buildApp(context);
  const toApp = (req: IncomingMessage, res: ServerResponse) => app(req, res);
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const parts = fast.accepts(req);
    if (parts === null) return toApp(req, res);
    fast.serve(req, res, parts).then(
      (served) => served || toApp(req, res),
      () => (res.headersSent ? res.destroy() : toApp(req, res)),
    );
  };
  return { app, listener };
}

function buildApp(context: RestContext) {
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
  // What 'simple' means, named: the read fast path parses queries with the same function.
  app.set('query parser', parseQuery);
  const h = (fn: Handler) => (req: Request, res: Response) => fn(ctx, req, res);
  const only = (allow: string) => methodNotAllowed(allow);

  // What every answer gets, the read fast path's too; CORS and the timeout stay with express.
  const everyAnswer = [requestContext(ctx.logger, ctx.metrics), securityHeaders];
  app.use(prelude(...everyAnswer, cors(ctx.server.cors.origins), requestTimeout(ctx.server.requestTimeoutMs)));
  const clients = new Clients(ctx.server);
  const limiter = ctx.server.rateLimit ? new RateLimiter(ctx.server.rateLimit) : undefined;
  const auth = authenticate(clients, limiter);
  app.route('/healthz').get(healthz).all(only('GET, HEAD'));
  app.route('/readyz').get(h(readyz)).all(only('GET, HEAD'));
  if (ctx.server.metricsAuth) app.route('/metrics').all(auth).get(h(metrics)).all(only('GET, HEAD'));
  else app.route('/metrics').get(h(metrics)).all(only('GET, HEAD'));

  // The API first: its requests, the hot path, pass no other router on the way.
  const api = express.Router();
  api.use(rememberRouteBase, auth);
  if (limiter) api.use(rateLimit(limiter));
  const json = express.json({ limit: ctx.server.bodyLimit, type: ['application/json', 'application/merge-patch+json', 'application/*+json'], strict: false });
  api.use((req, res, next) => (BODY_METHODS.has(req.method) ? json(req, res, next) : next()));
  // Extension point: routers other parts provide for the admin scope, at a path under /v1.
  for (const extra of ctx.extraRouters ?? []) {
    if (extra.auth !== 'admin') continue;
    if (!extra.path.startsWith('/v1/')) throw new RangeError(`admin router path ${extra.path} is not under /v1/`);
    api.use(extra.path.slice('/v1'.length), (_req, res, next) => {
      requireScope(res, 'admin');
      next();
    }, extra.router);
  }
  api.route('/changes').get(h(listChanges)).all(only('GET, HEAD'));
  api.route('/changes/stream').head(only('GET')).get(h(streamChanges)).all(only('GET'));
  const admin = express.Router();
  admin.use(rememberRouteBase);
  admin.route('/flows').get(h(adminFlows)).all(only('GET, HEAD'));
  admin.route('/rejects').get(h(adminRejects)).all(only('GET, HEAD'));
  admin.route('/rejects/:id').get(h(adminReject)).all(only('GET, HEAD'));
  admin.route('/rejects/:id/replay').post(h(adminReplay)).all(only('POST'));
  admin.route('/rejects/:id/discard').post(h(adminDiscard)).all(only('POST'));
  admin.route('/deadletters').get(h(adminDeadLetters)).all(only('GET, HEAD'));
  admin.route('/deadletters/replay').post(h(adminDeadLettersReplayAll)).all(only('POST'));
  admin.route('/deadletters/:id').get(h(adminDeadLetter)).all(only('GET, HEAD'));
  admin.route('/deadletters/:id/replay').post(h(adminDeadLetterReplay)).all(only('POST'));
  admin.route('/deadletters/:id/discard').post(h(adminDeadLetterDiscard)).all(only('POST'));
  api.use('/admin', admin);
  api.route('/:type').get(h(listEntities)).post(h(createEntity)).all(only('GET, HEAD, POST'));
  api.route('/:type/:key').get(h(getEntity)).put(h(replaceEntity)).patch(h(patchEntity)).delete(h(deleteEntity)).all(only('GET, HEAD, PUT, PATCH, DELETE'));
  api.route('/:type/:key/history').get(h(entityHistory)).all(only('GET, HEAD'));
  api.use((req: Request) => {
    throw new HttpProblem('not-found', `no resource at ${req.baseUrl}${req.path}`);
  });
  app.use('/v1', api);

  for (const extra of ctx.extraRouters ?? []) if (extra.auth === 'none') app.use(extra.path, extra.router);

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
  return { app, fast: fastEntityRead(ctx, clients, limiter, everyAnswer) };
}
