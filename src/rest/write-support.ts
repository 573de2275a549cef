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
    throw new HttpProblem('unsupported-media-type', `send the body as ${types.join(' or ')} (got ${req.headers['content-type'] ?? 'no Content-Type'})`, {
      headers: { 'Accept-Patch': 'application/merge-patch+json' },
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
 * The version If-Match asks for: a number, '*' (any state), or undefined when the header is
 * absent and the type allows blind writes. Absent otherwise: 428.
 */
export function ifMatch(req: Request, type: string, blindWrites: readonly string[]): number | '*' | undefined {
  const header = req.headers['if-match'];
  if (header === undefined) {
    if (blindWrites.includes(type)) return undefined;
    throw new HttpProblem('precondition-required', `send If-Match: "<version>" (the ETag of the ${type} you read) to change it`);
  }
  const tags = parseEntityTags(header);
  if (tags.includes('*')) return '*';
  if (tags.length !== 1 || tags[0] === -1) throw new HttpProblem('precondition-failed', `If-Match ${JSON.stringify(header).slice(0, 60)} is not one entity tag like "3"`);
  return tags[0];
}

/**
 * Applies one API write with origin `api:<client>`. A stale expected version is 412 (409 for a
 * create-only write, `conflict409`), a write a conflict policy refused 409, a locked store 503.
 */
export async function applyWrite(store: Store, client: Client, write: EntityWrite, conflict409 = false): Promise<ApplyResult> {
  let result: ApplyResult;
  try {
    result = await store.apply({ origin: { origin: `api:${client.name}` }, writes: [write] });
  } catch (e) {
    if (e instanceof VersionConflictError) {
      if (conflict409) throw new HttpProblem('conflict', `${write.type} ${JSON.stringify(write.key)} already exists`);
      throw new HttpProblem('precondition-failed', `${write.type} ${JSON.stringify(write.key)} is at ${e.actual === 0 ? 'no version (absent)' : `version ${e.actual}`}, not ${e.expected}`);
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
