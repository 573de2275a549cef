import type { Request, Response } from 'express';
import type { JsonObject } from '../store/types.js';
import type { RouteContext } from './context.js';
import { can, type Client } from './auth.js';
import { entityJson, entityPath, etagOf } from './entity-json.js';
import { entityType, notFound } from './entity-types.js';
import { idempotencyClaim, oneAtATime, rememberResponse } from './idempotency.js';
import { HttpProblem } from './problem.js';
import { applyWrite, describePrecondition, expectedVersion, meets, mergePatch, precondition, requireJson, stalePrecondition, validateData } from './write-support.js';

/**
 * Reads back what a write made and answers with it. A client that may write the type but not
 * read it gets the validators (and Location) only: 201 without a body, 204 for 200. Otherwise
 * an empty merge patch would read any entity. Returns the headers and body sent.
 */
async function answer(ctx: RouteContext, res: Response, client: Client, type: string, key: string, status: number): Promise<{ headers: Record<string, string>; body: Record<string, unknown> | undefined }> {
  const e = (await ctx.store.get(type, key))!;
  const headers: Record<string, string> = { ETag: etagOf(e.version), 'Last-Modified': new Date(e.updatedAt).toUTCString() };
  if (status === 201) headers.Location = entityPath(type, key);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (!can(client, 'read', type)) {
    res.status(status === 201 ? 201 : 204).end();
    return { headers, body: undefined };
  }
  const body = entityJson(e);
  res.status(status).json(body);
  return { headers, body };
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
    const sent = await answer(ctx, res, client, entity.name, key, 201);
    if (claim) await rememberResponse(ctx.store, client, claim, 201, sent.headers, sent.body);
  });
}

/** PUT /v1/{type}/{key}: replaces (or creates, with If-Match: * or a blind-write type). */
export async function replaceEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity, client } = entityType(ctx, req, res, 'write');
  requireJson(req);
  const key = String(req.params.key);
  const pre = precondition(req, entity.name, ctx.server.blindWrites);
  validateData(ctx.model, entity, req.body, key);
  // Only a list of tags needs to know which of them the entity is at.
  const current = typeof pre === 'object' && pre.versions.length > 1 ? liveVersion(await ctx.store.get(entity.name, key)) : 0;
  const result = await applyWrite(ctx.store, client, { type: entity.name, key, data: req.body as JsonObject, expectedVersion: expectedVersion(pre, current) }, false, pre);
  ctx.feed.poke();
  await answer(ctx, res, client, entity.name, key, result.created > 0 ? 201 : 200);
}

/** PATCH /v1/{type}/{key}: a JSON Merge Patch over the current data, validated whole. */
export async function patchEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity, client } = entityType(ctx, req, res, 'write');
  requireJson(req, true);
  const key = String(req.params.key);
  const pre = precondition(req, entity.name, ctx.server.blindWrites);
  // A blind patch (no If-Match) is merged again over a version written meanwhile, a few times.
  for (let attempt = 1; ; attempt++) {
    const current = await ctx.store.get(entity.name, key);
    if (current === undefined || current.deleted) throw notFound(entity.name, key);
    if (!meets(pre, current.version)) throw stalePrecondition(entity.name, key, current.version, describePrecondition(pre));
    const data = mergePatch(current.data, req.body);
    validateData(ctx.model, entity, data, key);
    try {
      // The patch was merged over this version: it must still be current when the write commits.
      await applyWrite(ctx.store, client, { type: entity.name, key, data: data as JsonObject, expectedVersion: current.version });
      break;
    } catch (e) {
      if (!(e instanceof HttpProblem && e.kind === 'precondition-failed' && pre === undefined && attempt < 3)) throw e;
    }
  }
  ctx.feed.poke();
  await answer(ctx, res, client, entity.name, key, 200);
}

/** DELETE /v1/{type}/{key}: 204; the entity's history stays. */
export async function deleteEntity(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const { entity, client } = entityType(ctx, req, res, 'write');
  const key = String(req.params.key);
  const pre = precondition(req, entity.name, ctx.server.blindWrites);
  const current = await ctx.store.get(entity.name, key);
  if (current === undefined || current.deleted) throw notFound(entity.name, key);
  await applyWrite(ctx.store, client, { type: entity.name, key, op: 'delete', expectedVersion: expectedVersion(pre, current.version) }, false, pre);
  ctx.feed.poke();
  res.status(204).end();
}

/** The entity's live version; 0 when absent or deleted. */
function liveVersion(e: { version: number; deleted: boolean } | undefined): number {
  return e === undefined || e.deleted ? 0 : e.version;
}
