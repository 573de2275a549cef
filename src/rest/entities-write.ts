import type { Request, Response } from 'express';
import type { JsonObject } from '../store/types.js';
import type { RouteContext } from './context.js';
import { entityJson, entityPath, etagOf, setValidators } from './entity-json.js';
import { entityType, notFound } from './entity-types.js';
import { idempotencyClaim, oneAtATime, rememberResponse } from './idempotency.js';
import { HttpProblem } from './problem.js';
import { applyWrite, ifMatch, mergePatch, requireJson, validateData } from './write-support.js';

/** Reads back what a write made and answers with it. */
async function answer(ctx: RouteContext, res: Response, type: string, key: string, status: number): Promise<Record<string, unknown>> {
  const e = (await ctx.store.get(type, key))!;
  setValidators(res, e);
  if (status === 201) res.setHeader('Location', entityPath(type, key));
  const body = entityJson(e);
  res.status(status).json(body);
  return body;
}

/** POST /v1/{type}: creates; 409 when the key is live; Idempotency-Key honoured. */
export async function createEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity, client } = entityType(ctx, req, res, 'write');
  requireJson(req);
  await oneAtATime(ctx.store, client, req, async () => {
    const claim = await idempotencyClaim(ctx.store, client, req, res);
    if (claim === 'answered') return;
    const key = validateData(ctx.model, entity, req.body);
    await applyWrite(ctx.store, client, { type: entity.name, key, data: req.body as JsonObject, expectedVersion: 0 }, true);
    ctx.feed.poke();
    const body = await answer(ctx, res, entity.name, key, 201);
    if (claim) await rememberResponse(ctx.store, client, claim, 201, { Location: entityPath(entity.name, key), ETag: etagOf(body.version as number) }, body);
  });
}

/** PUT /v1/{type}/{key}: replaces (or creates, with If-Match: * or a blind-write type). */
export async function replaceEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity, client } = entityType(ctx, req, res, 'write');
  requireJson(req);
  const key = String(req.params.key);
  const expected = ifMatch(req, entity.name, ctx.server.blindWrites);
  validateData(ctx.model, entity, req.body, key);
  const result = await applyWrite(ctx.store, client, { type: entity.name, key, data: req.body as JsonObject, expectedVersion: typeof expected === 'number' ? expected : undefined });
  ctx.feed.poke();
  await answer(ctx, res, entity.name, key, result.created > 0 ? 201 : 200);
}

/** PATCH /v1/{type}/{key}: a JSON Merge Patch over the current data, validated whole. */
export async function patchEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity, client } = entityType(ctx, req, res, 'write');
  requireJson(req, true);
  const key = String(req.params.key);
  const expected = ifMatch(req, entity.name, ctx.server.blindWrites);
  // A blind patch (no If-Match) is merged again over a version written meanwhile, a few times.
  for (let attempt = 1; ; attempt++) {
    const current = await ctx.store.get(entity.name, key);
    if (current === undefined || current.deleted) throw notFound(entity.name, key);
    if (typeof expected === 'number' && expected !== current.version) {
      throw new HttpProblem('precondition-failed', `${entity.name} ${JSON.stringify(key)} is at version ${current.version}, not ${expected}`);
    }
    const data = mergePatch(current.data, req.body);
    validateData(ctx.model, entity, data, key);
    try {
      // The patch was merged over this version: it must still be current when the write commits.
      await applyWrite(ctx.store, client, { type: entity.name, key, data: data as JsonObject, expectedVersion: current.version });
      break;
    } catch (e) {
      if (!(e instanceof HttpProblem && e.kind === 'precondition-failed' && typeof expected !== 'number' && attempt < 3)) throw e;
    }
  }
  ctx.feed.poke();
  await answer(ctx, res, entity.name, key, 200);
}

/** DELETE /v1/{type}/{key}: 204; the entity's history stays. */
export async function deleteEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity, client } = entityType(ctx, req, res, 'write');
  const key = String(req.params.key);
  const expected = ifMatch(req, entity.name, ctx.server.blindWrites);
  const current = await ctx.store.get(entity.name, key);
  if (current === undefined || current.deleted) throw notFound(entity.name, key);
  await applyWrite(ctx.store, client, { type: entity.name, key, op: 'delete', expectedVersion: typeof expected === 'number' ? expected : undefined });
  ctx.feed.poke();
  res.status(204).end();
}
