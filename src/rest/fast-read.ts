import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Request, RequestHandler, Response } from 'express';
import { can, type Clients } from './auth.js';
import type { RouteContext } from './context.js';
import { listPage } from './entities-read.js';
import { sendEntity, sendJsonText } from './entity-json.js';
import type { RateLimiter } from './rate-limit.js';

/** /v1/{type} or /v1/{type}/{key}, with any query. */
const ENTITY_PATH = /^\/v1\/([^/?#]+)(?:\/([^/?#]+))?(?:\?(.*))?$/;
const ONE = { path: '/:type/:key' };
const LIST = { path: '/:type' };
/** Paths under /v1 that are not entity types (an entity type of that name is left to express). */
const NOT_TYPES = new Set(['changes', 'admin']);

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * GET and HEAD of one live entity or of a list page, answered before express dispatches the
 * request: express 5's own per-request work (prototype swaps, the router's walk, res.send) costs
 * more than the store read and everything the API adds, and these are the requests modern clients
 * make most. It takes only a request it can answer in full, deciding before anything has happened
 * to it: the path /v1/{type} or /v1/{type}/{key} exactly, no Origin header (CORS stays with
 * express), a token that identifies a client with the read scope for a type of the model, an
 * entity that exists or a list query that parses, a rate-limit token. Anything else (and any
 * error) goes to the express app untouched, which gives the same answer or the problem+json. The
 * answers are the express routes' (`sendEntity`, `listPage`), with the same request id, security
 * headers, log line and metrics (`prelude` is the app's own request-context and security-header
 * middleware); no request timeout, as nothing is awaited but the store's answer.
 */
export function fastEntityRead(ctx: Pick<RouteContext, 'model' | 'store'>, clients: Clients, limiter: RateLimiter | undefined, prelude: RequestHandler[]) {
  /** The request's path parts when it has the shape this path may take (no side effect). */
  const accepts = (req: IncomingMessage): RegExpExecArray | null =>
    (req.method === 'GET' || req.method === 'HEAD') && req.headers.origin === undefined ? ENTITY_PATH.exec(req.url ?? '') : null;

  /** Answers the request (`parts` from `accepts`) and resolves true, or resolves false having done nothing to it. */
  async function serve(req: IncomingMessage, res: ServerResponse, parts: RegExpExecArray): Promise<boolean> {
    const startedAt = performance.now();
    const url = req.url!;
    const [, typeText, keyText, queryText] = parts;
    const type = decode(typeText);
    const entityModel = type === undefined || NOT_TYPES.has(type) ? undefined : ctx.model.entities.get(type);
    if (entityModel === undefined) return false;
    const client = clients.caller(req);
    if (client === undefined || !can(client, 'read', entityModel.name)) return false;
    // A sparse single entity is rare: the express route shapes it.
    if (keyText !== undefined && queryText !== undefined && /(?:^|&)fields=/.test(queryText)) return false;
    const path = url.split('?')[0];
    let answer: (() => void) | undefined;
    if (keyText === undefined) {
      const body = await listPage(ctx, entityModel, path, parseQuery(queryText ?? ''));
      answer = () => sendJsonText(res, body);
    } else {
      const key = decode(keyText);
      const entity = key === undefined ? undefined : await ctx.store.queryOne(entityModel.name, key);
      if (entity !== undefined) answer = () => sendEntity(req, res, entity);
    }
    if (answer === undefined || res.headersSent || req.destroyed) return false;
    if (limiter !== undefined && limiter.take(client, req.socket.remoteAddress) > 0) return false;
    // What the express middleware reads of a request and response, as express would have set it.
    const route = keyText === undefined ? LIST : ONE;
    const expressReq = Object.assign(req, { originalUrl: url, baseUrl: '/v1', path, route }) as unknown as Request;
    const expressRes = Object.assign(res, { locals: { client, startedAt } }) as unknown as Response;
    for (const step of prelude) void step(expressReq, expressRes, noop);
    answer();
    return true;
  }

  return { accepts, serve };
}

const noop = (): void => {};
