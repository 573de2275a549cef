import type { Request, Response } from 'express';
import { RejectNotOpenError, requireOpen } from '../runtime/open-rejects.js';
import { replayRejects } from '../runtime/replay.js';
import { REJECT_STATUSES } from '../store/rejects.js';
import { requireScope } from './auth.js';
import type { RouteContext } from './context.js';
import { badParameter, intParam } from './list-params.js';
import { HttpProblem } from './problem.js';

/** JSON with every known secret value scrubbed (reject raw text and errors may carry one). */
export function sendScrubbed(ctx: RouteContext, res: Response, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.status(status).type('application/json').send(ctx.secrets ? ctx.secrets.scrub(text) : text);
}

/** GET /v1/admin/flows: each flow's state and record counts, and the last delivery it refused whole (kept in the store). */
export async function adminFlows(ctx: RouteContext, _req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const counts = new Map<string, Record<string, number>>();
  for (const v of (await ctx.metrics.flowRecords.get()).values) {
    const flow = String(v.labels.flow);
    counts.set(flow, { ...(counts.get(flow) ?? { ok: 0, unchanged: 0, rejected: 0 }), [String(v.labels.outcome)]: v.value });
  }
  const items = [];
  for (const f of ctx.flows.values()) {
    const [refused] = await ctx.store.deliveryFailures({ flow: f.name, limit: 1 });
    const lastRefused = refused && { name: refused.deliveryName, deliveryId: refused.deliveryId, status: refused.status, at: refused.at, appliedAt: refused.appliedAt, errorCount: refused.errorCount, errors: refused.errors.slice(0, 5) };
    items.push({ ...f, records: counts.get(f.name) ?? { ok: 0, unchanged: 0, rejected: 0 }, ...(lastRefused ? { lastRefused } : {}) });
  }
  sendScrubbed(ctx, res, { items });
}

/** The numeric `:id` of an admin path, or NaN for anything else (answered 404 by the caller). */
function idParam(req: Request): number {
  const s = String(req.params.id);
  return /^\d{1,15}$/.test(s) ? Number(s) : NaN;
}

/** The record the `:id` of an admin path names, loaded with `load`; 404 (naming `what`) when there is none. */
export async function findById<T>(req: Request, what: string, load: (id: number) => Promise<T | undefined>): Promise<T> {
  const id = idParam(req);
  const r = Number.isNaN(id) ? undefined : await load(id);
  if (r === undefined) throw new HttpProblem('not-found', `no ${what} ${JSON.stringify(String(req.params.id))}`);
  return r;
}

const findReject = (ctx: RouteContext, req: Request) => findById(req, 'reject', (id) => ctx.store.reject(id));

/** The query of an admin list (`status`, `flow`, `limit`, `after`) and its next-page link. */
export function adminListQuery<S extends string>(req: Request, path: string, statuses: readonly S[]) {
  const status = req.query.status === undefined ? undefined : (String(req.query.status) as S);
  if (status !== undefined && !statuses.includes(status)) throw badParameter('status', `one of ${statuses.join(', ')} expected`);
  const limit = intParam(req.query, 'limit', 1, 1000, 100);
  const after = req.query.after === undefined ? undefined : intParam(req.query, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
  const flow = req.query.flow === undefined ? undefined : String(req.query.flow);
  /** The link to the page after one of `count` items whose last id is `lastId`; null on the last page. */
  const next = (count: number, lastId: number | undefined): string | null => {
    if (count < limit) return null;
    const params = new URLSearchParams();
    if (status) params.set('status', status);
    if (flow) params.set('flow', flow);
    params.set('limit', String(limit));
    params.set('after', String(lastId ?? after ?? 0));
    return `${path}?${params.toString()}`;
  };
  return { status, flow, limit, after, next };
}

/** GET /v1/admin/rejects?status=&flow=&limit=&after= */
export async function adminRejects(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const { next, ...query } = adminListQuery(req, '/v1/admin/rejects', REJECT_STATUSES);
  const items = await ctx.store.rejects(query);
  sendScrubbed(ctx, res, { items, next: next(items.length, items.at(-1)?.id) });
}

export async function adminReject(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  sendScrubbed(ctx, res, await findReject(ctx, req));
}

/** Runs `action`, answering the refusal of a reject that is not open with 409. */
async function openOnly<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (e) {
    if (e instanceof RejectNotOpenError) throw new HttpProblem('conflict', e.message);
    throw e;
  }
}

/** POST /v1/admin/rejects/{id}/replay[?force=true]: maps the record again with its flow's current mapping (see replayRejects). */
export async function adminReplay(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const r = await findReject(ctx, req);
  const assembled = ctx.assembled;
  if (assembled === undefined) throw new HttpProblem('unavailable', 'replay needs the running flows; this server was started without them');
  const force = req.query.force === undefined ? false : String(req.query.force);
  if (force !== false && force !== 'true' && force !== 'false') throw badParameter('force', 'true or false expected');
  const result = await openOnly(() => replayRejects(ctx.store, assembled, [r], { force: force === 'true' }));
  // Discarded or replayed since it was read above: answered as if it had been so then.
  if (result.notOpen) throw new HttpProblem('conflict', result.messages.join('; '));
  ctx.feed.poke();
  sendScrubbed(ctx, res, { id: r.id, ...result, status: (await ctx.store.reject(r.id))!.status });
}

/** POST /v1/admin/rejects/{id}/discard */
export async function adminDiscard(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const r = await findReject(ctx, req);
  await openOnly(async () => requireOpen([r]));
  await ctx.store.setRejectStatus([r.id], 'discarded');
  sendScrubbed(ctx, res, { id: r.id, status: 'discarded' });
}
