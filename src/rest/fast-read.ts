import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { can, type Clients } from './auth.js';
import type { RouteContext } from './context.js';
import { sendEntity } from './entity-json.js';
import type { RateLimiter } from './rate-limit.js';

const ENTITY_PATH = /^\/v1\/([^/?#]+)\/([^/?#]+)(?:\?.*)?$/;
const ROUTE = { path: '/:type/:key' };

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * GET and HEAD of one live entity, answered before express dispatches the request: express 5's
 * own per-request work (prototype swaps, the router's walk, res.send) costs more than the store
 * read and everything the API adds, and this is the request modern clients make most. It takes
 * only a request it can answer in full, deciding before anything has happened to it: the path
 * /v1/{type}/{key} exactly, no Origin header (CORS stays with express), a token that identifies a
 * client with the read scope for a type of the model, an entity that exists, a rate-limit token.
 * Anything else (and any error) goes to the express app untouched, which gives the same answer or
 * the problem+json. The answer is the express route's (`sendEntity`), with the same request id,
 * security headers, log line and metrics (`prelude` is the app's own request-context and
 * security-header middleware); no request timeout, as the answer is written synchronously.
 */
export function fastEntityRead(ctx: Pick<RouteContext, 'model' | 'store'>, clients: Clients, limiter: RateLimiter | undefined, prelude: RequestHandler[]) {
  /** Whether the request has the shape this path may take (no side effect). */
  const accepts = (req: IncomingMessage): boolean =>
    (req.method === 'GET' || req.method === 'HEAD') && req.headers.origin === undefined && ENTITY_PATH.test(req.url ?? '');

  /** Answers the request and resolves true, or resolves false having done nothing to it. */
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url!;
    const m = ENTITY_PATH.exec(url)!;
    const type = decode(m[1]);
    const key = decode(m[2]);
    if (type === undefined || key === undefined || !ctx.model.entities.has(type)) return false;
    const client = clients.caller(req);
    if (client === undefined || !can(client, 'read', type)) return false;
    const entity = await ctx.store.queryOne(type, key);
    if (entity === undefined || res.headersSent || req.destroyed) return false;
    if (limiter !== undefined && limiter.take(client, req.socket.remoteAddress) > 0) return false;
    // What the express middleware reads of a request and response, as express would have set it.
    const expressReq = Object.assign(req, { originalUrl: url, baseUrl: '/v1', path: url.split('?')[0], route: ROUTE }) as unknown as Request;
    const expressRes = Object.assign(res, { locals: { client, routeBase: '/v1' } }) as unknown as Response;
    for (const step of prelude) void step(expressReq, expressRes, noop);
    sendEntity(req, res, entity);
    return true;
  }

  return { accepts, serve };
}

const noop = (): void => {};
