import type { Request, Response } from 'express';
import { deadLetterJson } from '../outbound/dead-letter-json.js';
import type { DeadLetter } from '../store/types.js';
import { adminListQuery, findById, sendScrubbed } from './admin.js';
import { requireScope } from './auth.js';
import type { RouteContext } from './context.js';
import { HttpProblem } from './problem.js';

const STATUSES: readonly DeadLetter['status'][] = ['open', 'replayed', 'discarded'];

const findDeadLetter = (ctx: RouteContext, req: Request) => findById(req, 'dead letter', (id) => ctx.store.deadLetter(id));

/** GET /v1/admin/deadletters?status=&flow=&limit=&after= (status defaults to every status). */
export async function adminDeadLetters(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const { next, ...query } = adminListQuery(req, '/v1/admin/deadletters', STATUSES);
  const items = await ctx.store.deadLetters(query);
  sendScrubbed(ctx, res, { items: items.map(deadLetterJson), next: next(items.length, items.at(-1)?.deadLetterId) });
}

export async function adminDeadLetter(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  sendScrubbed(ctx, res, deadLetterJson(await findDeadLetter(ctx, req)));
}

/**
 * POST /v1/admin/deadletters/{id}/replay: queues the message again with its original id and
 * bytes; the running outbound flow sends it. 409 when it is not open.
 */
export async function adminDeadLetterReplay(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const d = await findDeadLetter(ctx, req);
  const [moved] = await ctx.store.replayDeadLetters([d.deadLetterId]);
  if (moved === undefined) throw new HttpProblem('conflict', `dead letter ${d.deadLetterId} is ${d.status}, not open`);
  sendScrubbed(ctx, res, { id: d.deadLetterId, status: 'replayed' }, 202);
}

/** POST /v1/admin/deadletters/replay?flow=: queues every open dead letter (of one flow). */
export async function adminDeadLettersReplayAll(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const flow = req.query.flow === undefined ? undefined : String(req.query.flow);
  const open = await ctx.store.deadLetters({ status: 'open', flow, limit: Number.MAX_SAFE_INTEGER });
  const moved = await ctx.store.replayDeadLetters(open.map((d) => d.deadLetterId));
  sendScrubbed(ctx, res, { status: 'replayed', replayed: moved.map((d) => d.deadLetterId) }, 202);
}

/** POST /v1/admin/deadletters/{id}/discard: 409 when it is not open. */
export async function adminDeadLetterDiscard(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  requireScope(res, 'admin');
  const d = await findDeadLetter(ctx, req);
  const [changed] = await ctx.store.discardDeadLetters([d.deadLetterId]);
  if (changed === undefined) throw new HttpProblem('conflict', `dead letter ${d.deadLetterId} is ${d.status}, not open`);
  sendScrubbed(ctx, res, { id: d.deadLetterId, status: 'discarded' });
}
