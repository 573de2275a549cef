import type { Request } from 'express';
import type { EntityModel, FieldModel } from '../model/index.js';
import { CANONICAL_DECIMAL, isIsoDate, isIsoDateTime, isIsoTime } from '../model/values.js';
import type { EntityQuery, EntitySort, FieldFilter } from '../store/types.js';
import { HttpProblem } from './problem.js';

const SORTS: readonly EntitySort[] = ['key', '-key', 'updatedAt', '-updatedAt'];
const RESERVED = new Set(['limit', 'cursor', 'sort', 'fields', 'updatedSince']);
const RANGE_TYPES = new Set(['integer', 'number', 'decimal', 'date', 'datetime', 'time']);
const FILTER = /^([A-Za-z_][A-Za-z0-9_-]*)(?:\[(gt|gte|lt|lte)\])?$/;

/** 400 naming the query parameter and why, with it in `errors[]`. */
export const badParameter = (param: string, why: string) => new HttpProblem('bad-request', `query parameter ${param}: ${why}`, { errors: [{ field: param, code: 'invalid', message: why }] });

/** One query parameter's value as text; repeated parameters are joined with ",". */
function text(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

/** An integer parameter within bounds, or the default when absent. */
export function intParam(query: Request['query'], name: string, min: number, max: number, fallback: number): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const s = text(raw);
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < min || n > max) throw badParameter(name, `an integer from ${min} to ${max} expected, got ${JSON.stringify(s).slice(0, 40)}`);
  return n;
}

function checkValue(f: FieldModel, v: string): boolean {
  switch (f.type) {
    case 'integer':
      return /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v));
    case 'number':
      return v.trim() !== '' && Number.isFinite(Number(v));
    case 'decimal':
      return CANONICAL_DECIMAL.test(v);
    case 'boolean':
      return v === 'true' || v === 'false';
    case 'date':
      return isIsoDate(v);
    case 'datetime':
      return isIsoDateTime(v);
    case 'time':
      return isIsoTime(v);
    default:
      return true;
  }
}

const compareOf = (f: FieldModel): FieldFilter['compare'] =>
  f.type === 'integer' || f.type === 'number' ? 'number' : f.type === 'decimal' ? 'decimal' : f.type === 'datetime' ? 'datetime' : f.type === 'boolean' ? 'boolean' : 'text';

/** The opaque cursor: the sort and the last item's position, base64url JSON. */
export function encodeCursor(sort: EntitySort, after: string | number): string {
  return Buffer.from(JSON.stringify({ s: sort, a: after })).toString('base64url');
}

function decodeCursor(cursor: string, sort: EntitySort): string | number {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; a?: unknown };
    const keySort = sort === 'key' || sort === '-key';
    if (c.s === sort && (keySort ? typeof c.a === 'string' : Number.isSafeInteger(c.a))) return c.a as string | number;
  } catch {
    // falls through to the problem below
  }
  throw badParameter('cursor', 'not a cursor of this listing (take `next` as given, with the same sort)');
}

/** `fields=a,b`: the top-level data fields a read answers with; undefined when absent; 400 for a field the entity lacks. */
export function parseFields(entity: EntityModel, query: Request['query']): string[] | undefined {
  if (query.fields === undefined) return undefined;
  const fields = text(query.fields).split(',').filter((f) => f !== '');
  for (const f of fields) if (!Object.hasOwn(entity.fields, f)) throw badParameter('fields', `${entity.name} has no field "${f}"`);
  return fields;
}

/**
 * Reads a list request's query into a store query: limit, cursor, sort, sparse fields,
 * updatedSince and filters on top-level scalar fields of the entity's model. Every bad
 * parameter is a 400 naming it.
 */
export function parseListQuery(entity: EntityModel, query: Request['query']): EntityQuery {
  const limit = intParam(query, 'limit', 1, 1000, 100);
  const sortText = query.sort === undefined ? 'key' : text(query.sort);
  if (!SORTS.includes(sortText as EntitySort)) throw badParameter('sort', `one of ${SORTS.join(', ')} expected`);
  const sort = sortText as EntitySort;
  const q: EntityQuery = { limit, sort, filters: [] };
  if (query.cursor !== undefined) q.after = decodeCursor(text(query.cursor), sort);
  q.fields = parseFields(entity, query);
  if (query.updatedSince !== undefined) {
    const s = text(query.updatedSince);
    const ms = isIsoDateTime(s) || isIsoDate(s) ? Date.parse(s) : NaN;
    if (Number.isNaN(ms)) throw badParameter('updatedSince', 'an ISO 8601 datetime expected');
    q.updatedSince = new Date(ms).toISOString();
  }
  for (const [param, raw] of Object.entries(query)) {
    if (RESERVED.has(param)) continue;
    const m = FILTER.exec(param);
    const f = m && Object.hasOwn(entity.fields, m[1]) ? entity.fields[m[1]] : undefined;
    if (!m || !f) throw badParameter(param, `${entity.name} has no field "${m?.[1] ?? param}" to filter on`);
    if (f.type === 'object' || f.type === 'array') throw badParameter(param, `field "${m[1]}" is ${f.type === 'object' ? 'an object' : 'an array'}: only scalar fields filter`);
    const op = (m[2] ?? 'eq') as FieldFilter['op'];
    if (op !== 'eq' && !RANGE_TYPES.has(f.type)) throw badParameter(param, `field "${m[1]}" is a ${f.type}: ranges apply to numbers, decimals, dates and times`);
    const values = op === 'eq' ? text(raw).split(',') : [text(raw)];
    for (const v of values) if (!checkValue(f, v)) throw badParameter(param, `${JSON.stringify(v).slice(0, 60)} is not a valid ${f.type}`);
    q.filters!.push({ field: m[1], op: op === 'eq' && values.length > 1 ? 'in' : op, values, compare: compareOf(f) });
  }
  return q;
}
