import type { Request, Response } from 'express';
import { readableTypes, requireScope, type Client } from './auth.js';
import type { RouteContext } from './context.js';
import { intParam } from './list-params.js';
import { HttpProblem } from './problem.js';
import { requestLog } from './request-context.js';
import { SseConnection } from './sse-connection.js';

/**
 * The types a change request follows: those asked for (each needs read scope on it), else every
 * type the client may read (undefined: all).
 */
function followedTypes(ctx: RouteContext, req: Request, res: Response): string[] | undefined {
  const client = res.locals.client as Client;
  const readable = readableTypes(client);
  if (readable !== undefined && readable.size === 0) requireScope(res, 'read');
  const asked = req.query.types === undefined ? undefined : String(req.query.types).split(',').filter((t) => t !== '');
  if (asked === undefined) return readable === undefined ? undefined : [...readable];
  // A misspelt type would follow nothing, silently: the model's types are public (OpenAPI).
  const unknown = asked.filter((t) => !ctx.model.entities.has(t));
  if (asked.length === 0 || unknown.length) {
    const message = asked.length === 0 ? 'name at least one type' : `no entity type ${unknown.map((t) => JSON.stringify(t)).join(', ')} (known: ${[...ctx.model.entities.keys()].join(', ')})`;
    throw new HttpProblem('bad-request', `types: ${message}`, { errors: [{ field: 'types', code: 'invalid', message }] });
  }
  for (const t of asked) requireScope(res, 'read', t);
  return asked;
}

function afterParam(value: unknown, name: string): number {
  const s = String(value);
  if (!/^\d{1,15}$/.test(s)) throw new HttpProblem('bad-request', `${name}: a change sequence number (integer >= 0) expected`, { errors: [{ field: name, code: 'invalid', message: 'integer >= 0 expected' }] });
  return Number(s);
}

/** GET /v1/changes: a page of the change feed after `after`. */
export async function listChanges(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const types = followedTypes(ctx, req, res);
  const after = req.query.after === undefined ? 0 : afterParam(req.query.after, 'after');
  const limit = intParam(req.query, 'limit', 1, 1000, 100);
  const items = await ctx.store.changes({ after, limit, types });
  const head = await ctx.store.head();
  const params = new URLSearchParams({ after: String(items.at(-1)?.seq ?? after) });
  if (req.query.types !== undefined) params.set('types', String(req.query.types));
  if (req.query.limit !== undefined) params.set('limit', String(limit));
  res.json({ items, next: `/v1/changes?${params.toString()}`, head });
}

/**
 * GET /v1/changes/stream: Server-Sent Events from `after` (or the Last-Event-ID a reconnecting
 * browser sends), `: heartbeat` comments in between.
 */
export function streamChanges(ctx: RouteContext, req: Request, res: Response): void {
  const types = followedTypes(ctx, req, res);
  const lastEventId = req.headers['last-event-id'];
  const after =
    typeof lastEventId === 'string' && lastEventId !== '' ? afterParam(lastEventId, 'Last-Event-ID') : req.query.after === undefined ? 0 : afterParam(req.query.after, 'after');
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write(': stream\n\n');
  req.socket.setNoDelay(true);
  const connection = new SseConnection(res, ctx.store, ctx.feed, after, types, ctx.server.sse.heartbeatMs);
  connection.catchUp().catch((e) => {
    requestLog(res).warn({ err: e }, 'change stream failed');
    res.destroy();
  });
}
