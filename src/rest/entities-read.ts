import type { Request, Response } from 'express';
import type { RouteContext } from './context.js';
import { sendEntity } from './entity-json.js';
import { entityType, notFound } from './entity-types.js';
import { encodeCursor, parseListQuery } from './list-params.js';

/** The next page's relative URL: the request's own query with the new cursor. */
function nextUrl(req: Request, cursor: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) {
    if (k === 'cursor') continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  }
  params.set('cursor', cursor);
  return `${req.baseUrl}${req.path}?${params.toString()}`;
}

/** GET /v1/{type}: a page of live entities; `next` is null on the last page. */
export async function listEntities(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity } = entityType(ctx, req, res, 'read');
  const query = parseListQuery(entity, req.query);
  const page = await ctx.store.query(entity.name, query);
  const sort = query.sort ?? 'key';
  const last = page.last;
  const next = page.more && last ? nextUrl(req, encodeCursor(sort, sort === 'key' || sort === '-key' ? last.key : last.seq)) : null;
  // The store gives each entity as JSON text: the page is spliced, never parsed and re-serialised.
  res.type('application/json').send(`{"items":[${page.items.join(',')}],"next":${JSON.stringify(next)}}`);
}

/** GET /v1/{type}/{key}: the entity with ETag and Last-Modified; 304 when If-None-Match holds. */
export async function getEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity } = entityType(ctx, req, res, 'read');
  const key = String(req.params.key);
  const e = await ctx.store.queryOne(entity.name, key);
  if (e === undefined) throw notFound(entity.name, key);
  sendEntity(req, res, e);
}

/** GET /v1/{type}/{key}/history: every version, oldest first, with its lineage. */
export async function entityHistory(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity } = entityType(ctx, req, res, 'read');
  const key = String(req.params.key);
  const versions = await ctx.store.history(entity.name, key);
  if (versions.length === 0) throw notFound(entity.name, key);
  res.json({ items: versions.map((v) => ({ version: v.version, op: v.op, data: v.data, at: v.at, lineage: v.lineage })) });
}
