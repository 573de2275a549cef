import type { Request } from 'express';
import type { DataErrorDetail } from '../core/errors.js';
import { RetryableError } from '../core/errors.js';
import { entityKey, validateEntity, type EntityModel, type Model } from '../model/index.js';
import { VersionConflictError } from '../store/index.js';
import type { ApplyResult, EntityWrite, JsonObject, Store } from '../store/types.js';
import type { Client } from './auth.js';
import { parseEntityTags } from './entity-json.js';
import { HttpProblem, type FieldError } from './problem.js';

/** 400 without a body; 415 unless the body is JSON (or, where allowed, a JSON Merge Patch). */
export function requireJson(req: Request, mergePatch = false): void {
  const types = mergePatch ? ['application/merge-patch+json', 'application/json'] : ['application/json'];
  // req.is() is null, whatever the Content-Type, for a request without a body.
  if (!hasBody(req)) throw new HttpProblem('bad-request', `the request has no body: send the ${mergePatch ? 'patch' : 'data'} as ${types.join(' or ')}`);
  if (!req.is(types)) {
    // RFC 5789: a PATCH refused for its media type names the ones it takes.
    throw new HttpProblem('unsupported-media-type', `send the body as ${types.join(' or ')} (got ${req.headers['content-type'] ?? 'no Content-Type'})`, {
      ...(mergePatch ? { headers: { 'Accept-Patch': types.join(', ') } } : {}),
    });
  }
}

/** A chunked body, or a Content-Length above 0. */
const hasBody = (req: Request): boolean => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

const fieldErrors = (details: DataErrorDetail[]): FieldError[] => details.map((d) => ({ field: d.field ?? '', code: d.code, message: d.message }));

/**
 * Checks data against the type's model (every problem listed) and, when `pathKey` is given,
 * that its key fields make that key. Returns the entity's key.
 */
export function validateData(model: Model, entity: EntityModel, data: unknown, pathKey?: string): string {
  const problems = validateEntity(model, entity.name, data);
  if (problems.length) throw new HttpProblem('validation-failed', `the ${entity.name} is not valid: ${problems.length} problem(s)`, { errors: fieldErrors(problems) });
  const key = entityKey(entity, data as JsonObject);
  if (pathKey !== undefined && key !== pathKey) {
    throw new HttpProblem('validation-failed', `the body's key ${JSON.stringify(key)} is not the path's key ${JSON.stringify(pathKey)}`, {
      errors: entity.key.map((f) => ({ field: f, code: 'key.mismatch', message: `must make the key ${JSON.stringify(pathKey)}` })),
    });
  }
  return key;
}

/**
 * What a write's conditional headers ask (RFC 9110): the versions it may replace (If-Match, one
 * tag or several), 'any' (If-Match: *), 'absent' (If-None-Match: *, create only), or undefined
 * when there is none and the type allows blind writes; none otherwise is 428. A header that is
 * not entity tags is 400.
 */
export type Precondition = { versions: number[] } | 'any' | 'absent' | undefined;

export function precondition(req: Request, type: string, blindWrites: readonly string[]): Precondition {
  const match = req.headers['if-match'];
  const noneMatch = req.headers['if-none-match'];
  const tagsOf = (name: string, header: string) => {
    const tags = parseEntityTags(header);
    if (tags.includes(-1)) throw new HttpProblem('bad-request', `${name} ${JSON.stringify(header).slice(0, 60)} is not a list of entity tags like "3" (or *)`);
    return tags;
  };
  if (match !== undefined) {
    const tags = tagsOf('If-Match', match);
    if (tags.includes('*')) return 'any';
    return { versions: tags as number[] };
  }
  if (noneMatch !== undefined) {
    if (tagsOf('If-None-Match', noneMatch).includes('*')) return 'absent';
    throw new HttpProblem('bad-request', `If-None-Match on a write takes only * (create only); to write over a version, send If-Match`);
  }
  if (blindWrites.includes(type)) return undefined;
  throw new HttpProblem('precondition-required', `send If-Match: "<version>" (the ETag of the ${type} you read) to change it`);
}

/**
 * The version the store must find for the write to go ahead, given the entity's `current` one
 * (0: absent or deleted): one of the listed versions that it is, else the first listed, which
 * the store refuses (412). Undefined: any.
 */
export function expectedVersion(pre: Precondition, current: number): number | undefined {
  if (pre === undefined || pre === 'any') return undefined;
  if (pre === 'absent') return 0;
  return pre.versions.includes(current) ? current : pre.versions[0];
}

/** What a precondition asked for, as a 412 says it. */
export function describePrecondition(pre: Precondition): string {
  if (pre === 'absent') return 'absent (If-None-Match: *)';
  if (typeof pre === 'object') return pre.versions.length === 1 ? String(pre.versions[0]) : `any of ${pre.versions.join(', ')}`;
  return 'any';
}

/** 412: the entity is at `actual` (0: absent), not the `wanted` the write was made for. */
export function stalePrecondition(type: string, key: string, actual: number, wanted: string): HttpProblem {
  return new HttpProblem('precondition-failed', `${type} ${JSON.stringify(key)} is at ${actual === 0 ? 'no version (absent)' : `version ${actual}`}, not ${wanted}`);
}

/** Whether the entity's `current` version (0: absent) meets the precondition. */
export function meets(pre: Precondition, current: number): boolean {
  const expected = expectedVersion(pre, current);
  return expected === undefined || expected === current;
}

/**
 * Applies one API write with origin `api:<client>`. A stale expected version is 412, said as
 * the `asked` precondition when the write came with one (409 for a POST, `conflict409`), a
 * write a conflict policy refused 409, a locked store 503.
 */
export async function applyWrite(store: Store, client: Client, write: EntityWrite, conflict409 = false, asked?: Precondition): Promise<ApplyResult> {
  let result: ApplyResult;
  try {
    result = await store.apply({ origin: { origin: `api:${client.name}` }, writes: [write] });
  } catch (e) {
    if (e instanceof VersionConflictError) {
      if (conflict409) throw new HttpProblem('conflict', `${write.type} ${JSON.stringify(write.key)} already exists`);
      throw stalePrecondition(write.type, write.key, e.actual, asked === undefined ? String(e.expected) : describePrecondition(asked));
    }
    if (e instanceof RetryableError) throw new HttpProblem('unavailable', 'the store is busy; try again', { headers: { 'Retry-After': '1' } });
    throw e;
  }
  if (result.skipped > 0) throw new HttpProblem('conflict', `the conflict policy of ${write.type} refused this write`);
  return result;
}

/** RFC 7396 JSON Merge Patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
