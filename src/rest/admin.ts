import type { Request, Response } from 'express';
import { replayRejects } from '../runtime/replay.js';
import type { RejectRecord } from '../store/types.js';
import { requireScope } from './auth.js';
import type { RouteContext } from './context.js';
import { intParam } from './list-params.js';
import { HttpProblem } from './problem.js';

const STATUSES: readonly RejectRecord['status'][] = ['open', 'replayed', 'discarded'];

/** JSON with every known secret value scrubbed (reject raw text and errors may carry one). */
function sendScrubbed(ctx: RouteContext, res: Response, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.status(status).type('application/json').send(ctx.secrets ? ctx.secrets.scrub(text) : text);
}

/** GET /v1/admin/flows: each flow's state and record counts. */
export async function adminFlows(ctx: RouteContext, _req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const counts = new Map<string, Record<string, number>>();
  for (const v of (await ctx.metrics.flowRecords.get()).values) {
    const flow = String(v.labels.flow);
    counts.set(flow, { ...(counts.get(flow) ?? { ok: 0, unchanged: 0, rejected: 0 }), [String(v.labels.outcome)]: v.value });
  }
  const items = [...ctx.flows.values()].map((f) => ({ ...f, records: counts.get(f.name) ?? { ok: 0, unchanged: 0, rejected: 0 } }));
  sendScrubbed(ctx, res, { items });
}

async function findReject(ctx: RouteContext, req: Request): Promise<RejectRecord> {
  const s = String(req.params.id);
  const id = /^\d{1,15}$/.test(s) ? Number(s) : NaN;
  const r = Number.isNaN(id) ? undefined : await ctx.store.reject(id);
  if (r === undefined) throw new HttpProblem('not-found', `no reject ${JSON.stringify(s)}`);
  return r;
}

/** GET /v1/admin/rejects?status=&flow=&limit=&after= */
export async function adminRejects(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const status = req.query.status === undefined ? undefined : (String(req.query.status) as RejectRecord['status']);
  if (status !== undefined && !STATUSES.includes(status)) throw new HttpProblem('bad-request', `query parameter status: one of ${STATUSES.join(', ')} expected`);
  const limit = intParam(req.query, 'limit', 1, 1000, 100);
  const after = req.query.after === undefined ? undefined : intParam(req.query, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
  const flow = req.query.flow === undefined ? undefined : String(req.query.flow);
  const items = await ctx.store.rejects({ status, flow, limit, after });
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (flow) params.set('flow', flow);
  params.set('limit', String(limit));
  params.set('after', String(items.at(-1)?.id ?? after ?? 0));
  sendScrubbed(ctx, res, { items, next: items.length === limit ? `/v1/admin/rejects?${params.toString()}` : null });
}

export async function adminReject(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  sendScrubbed(ctx, res, await findReject(ctx, req));
}

/** POST /v1/admin/rejects/{id}/replay: maps the record again with its flow's current mapping. */
export async function adminReplay(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const r = await findReject(ctx, req);
  if (ctx.assembled === undefined) throw new HttpProblem('unavailable', 'replay needs the running flows; this server was started without them');
  if (r.status !== 'open') throw new HttpProblem('conflict', `reject ${r.id} is ${r.status}, not open`);
  const result = await replayRejects(ctx.store, ctx.assembled, [r]);
  ctx.feed.poke();
  sendScrubbed(ctx, res, { id: r.id, ...result, status: (await ctx.store.reject(r.id))!.status });
}

/** POST /v1/admin/rejects/{id}/discard */
export async function adminDiscard(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const r = await findReject(ctx, req);
  await ctx.store.setRejectStatus([r.id], 'discarded');
  sendScrubbed(ctx, res, { id: r.id, status: 'discarded' });
}
