import type { Request, Response } from 'express';
import type { RouteContext } from './context.js';
import type { EntityModel } from '../model/index.js';
import { sendEntity, sendJsonText, withDataFields } from './entity-json.js';
import { entityType, notFound } from './entity-types.js';
import { encodeCursor, parseFields, parseListQuery } from './list-params.js';

/** The next page's relative URL: the request's own path and query with the new cursor. */
function nextUrl(path: string, query: Request['query'], cursor: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k === 'cursor') continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  }
  params.set('cursor', cursor);
  return `${path}?${params.toString()}`;
}

/**
 * A page of live entities of a list request (its path and parsed query) as JSON text; `next` is
 * null on the last page. Shared by the express route and the read fast path (fast-read.ts).
 */
export async function listPage(ctx: Pick<RouteContext, 'store'>, entity: EntityModel, path: string, params: Request['query']): Promise<string> {
  const query = parseListQuery(entity, params);
  const page = await ctx.store.query(entity.name, query);
  const sort = query.sort ?? 'key';
  const last = page.last;
  const next = page.more && last ? nextUrl(path, params, encodeCursor(sort, sort === 'key' || sort === '-key' ? last.key : last.seq)) : null;
  // The store gives each entity as JSON text: the page is spliced, never parsed and re-serialised.
  return `{"items":[${page.items.join(',')}],"next":${JSON.stringify(next)}}`;
}

/** GET /v1/{type}: a page of live entities. */
export async function listEntities(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity } = entityType(ctx, req, res, 'read');
  sendJsonText(res, await listPage(ctx, entity, `${req.baseUrl}${req.path}`, req.query));
}

/** GET /v1/{type}/{key}: the entity with ETag and Last-Modified; 304 when If-None-Match holds; `fields=` as the list takes it. */
export async function getEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity } = entityType(ctx, req, res, 'read');
  const key = String(req.params.key);
  const fields = parseFields(entity, req.query);
  const e = await ctx.store.queryOne(entity.name, key);
  if (e === undefined) throw notFound(entity.name, key);
  sendEntity(req, res, fields === undefined ? e : { ...e, json: withDataFields(e.json, fields) });
}

/** GET /v1/{type}/{key}/history: every version, oldest first, with its lineage. */
export async function entityHistory(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity } = entityType(ctx, req, res, 'read');
  const key = String(req.params.key);
  const versions = await ctx.store.history(entity.name, key);
  if (versions.length === 0) throw notFound(entity.name, key);
  res.json({ items: versions.map((v) => ({ version: v.version, op: v.op, data: v.data, at: v.at, lineage: v.lineage })) });
}
