import type { Request, Response } from 'express';
import { requireScope } from './auth.js';
import type { RouteContext } from './context.js';
import { requestLog } from './request-context.js';

/** GET /healthz: the process answers. */
export function healthz(_req: Request, res: Response): void {
  res.json({ status: 'ok' });
}

/** GET /readyz: 200 when the store answers a query and no flow has failed; 503 otherwise. */
export async function readyz(ctx: RouteContext, _req: Request, res: Response): Promise<void> {
  let store: 'ok' | 'error' = 'ok';
  try {
    await ctx.store.head();
  } catch (e) {
    store = 'error';
    requestLog(res).warn({ err: e }, 'readiness: store not reachable');
  }
  const flows: Record<string, { state: string }> = {};
  let failed = false;
  for (const [name, f] of ctx.flows) {
    flows[name] = { state: f.state };
    if (f.state === 'failed') failed = true;
  }
  res.status(store === 'ok' && !failed ? 200 : 503).json({ store, flows });
}

/** GET /metrics: Prometheus text; with `metricsAuth` only for the admin scope (checked by the app). */
export async function metrics(ctx: RouteContext, _req: Request, res: Response): Promise<void> {
  if (ctx.server.metricsAuth) requireScope(res, 'admin');
  const text = await ctx.metrics.registry.metrics();
  res.type(ctx.metrics.registry.contentType).send(text);
}
