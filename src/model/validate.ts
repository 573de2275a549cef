import type { DataErrorDetail } from '../core/errors.js';
import type { FieldModel } from './model-schema.js';
import type { EntityModel, Model } from './model.js';
import { CANONICAL_DECIMAL, decimalScale, isIsoDate, isIsoDateTime, isIsoTime } from './values.js';

/** Checks one value; pushes every problem found into `out`. `path` names the field for messages. */
type Check = (value: unknown, path: string, out: DataErrorDetail[]) => void;

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(out: DataErrorDetail[], path: string, message: string, value: unknown): void {
  out.push({ code: 'model.invalid', field: path, message, value: show(value) });
}

function typeCheck(f: FieldModel): (v: unknown) => string | undefined {
  switch (f.type) {
    case 'string':
      return (v) => (typeof v === 'string' ? undefined : 'not a string');
    case 'integer':
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? undefined : 'not a safe integer');
    case 'number':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'not a finite number');
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? undefined : 'not a boolean');
    case 'decimal':
      return (v) => (typeof v === 'string' && CANONICAL_DECIMAL.test(v) ? undefined : 'not a canonical decimal string (like "-12.50")');
    case 'date':
      return (v) => (typeof v === 'string' && isIsoDate(v) ? undefined : 'not a date (YYYY-MM-DD)');
    case 'datetime':
      return (v) => (typeof v === 'string' && isIsoDateTime(v) ? undefined : 'not a datetime (ISO 8601 with offset)');
    case 'time':
      return (v) => (typeof v === 'string' && isIsoTime(v) ? undefined : 'not a time (HH:mm:ss)');
    case 'object':
      return (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : 'not an object');
    case 'array':
      return (v) => (Array.isArray(v) ? undefined : 'not an array');
  }
}

/** Compiles the checks of one field model, once. */
function compileField(f: FieldModel): Check {
  const type = typeCheck(f);
  const rules: Check[] = [];
  if (f.minLength !== undefined) rules.push((v, p, o) => (v as string).length < f.minLength! && fail(o, p, `shorter than ${f.minLength} characters`, v));
  if (f.maxLength !== undefined) rules.push((v, p, o) => (v as string).length > f.maxLength! && fail(o, p, `longer than ${f.maxLength} characters`, v));
  if (f.pattern !== undefined) {
    const re = new RegExp(f.pattern, 'u');
    rules.push((v, p, o) => !re.test(v as string) && fail(o, p, `does not match pattern ${f.pattern}`, v));
  }
  if (f.minimum !== undefined) rules.push((v, p, o) => (v as number) < f.minimum! && fail(o, p, `less than the minimum ${f.minimum}`, v));
  if (f.maximum !== undefined) rules.push((v, p, o) => (v as number) > f.maximum! && fail(o, p, `greater than the maximum ${f.maximum}`, v));
  if (f.scale !== undefined) rules.push((v, p, o) => decimalScale(v as string) > f.scale! && fail(o, p, `more than ${f.scale} decimal places`, v));
  if (f.precision !== undefined) {
    rules.push((v, p, o) => (v as string).replace(/[-.]/g, '').replace(/^0+(?=.)/, '').length > f.precision! && fail(o, p, `more than ${f.precision} digits`, v));
  }
  if (f.enum !== undefined) {
    const allowed = new Set<unknown>(f.enum);
    rules.push((v, p, o) => !allowed.has(v) && fail(o, p, `not one of ${f.enum!.map((e) => JSON.stringify(e)).join(', ')}`, v));
  }
  if (f.type === 'object') rules.push(compileObject(f.fields ?? {}, []));
  if (f.type === 'array' && f.items) {
    const item = compileField(f.items);
    rules.push((v, p, o) => {
      const list = v as unknown[];
      for (let i = 0; i < list.length; i++) {
        if (list[i] === null || list[i] === undefined) fail(o, `${p}[${i}]`, 'null in a list', list[i]);
        else item(list[i], `${p}[${i}]`, o);
      }
    });
  }
  const required = f.required === true;
  return (v, p, o) => {
    if (v === null || v === undefined) {
      if (required) o.push({ code: 'model.invalid', field: p, message: 'required' });
      return;
    }
    const wrong = type(v);
    if (wrong !== undefined) return fail(o, p, wrong, v);
    for (let i = 0; i < rules.length; i++) rules[i](v, p, o);
  };
}

/** Compiles the checks of an object's fields; unknown fields are errors, key fields required. */
function compileObject(fields: Record<string, FieldModel>, key: readonly string[], trustedShape = false): Check {
  const names = Object.keys(fields);
  const checks = names.map((n) => compileField(key.includes(n) ? { ...fields[n], required: true } : fields[n]));
  const known = new Set(names);
  // Generated with the names as literals: a loop of obj[names[i]] is one megamorphic keyed access,
  // several times slower per entity. JSON.stringify makes any name a safe literal.
  const lit = JSON.stringify;
  const body = names.map((n, i) => `checks[${i}](obj[${lit(n)}], p ? p + ${lit(`.${n}`)} : ${lit(n)}, o);`).join('\n');
  const all = new Function('checks', 'obj', 'p', 'o', body) as (c: Check[], obj: Record<string, unknown>, p: string, o: DataErrorDetail[]) => void;
  return (v, p, o) => {
    const obj = v as Record<string, unknown>;
    all(checks, obj, p, o);
    const prefix = p ? `${p}.` : '';
    if (!trustedShape) for (const k in obj) if (!known.has(k)) o.push({ code: 'model.invalid', field: prefix + k, message: 'unknown field' });
  };
}

/** Validates a whole entity; returns every problem, empty when valid. */
export type EntityValidator = (data: unknown) => DataErrorDetail[];

const cache = new WeakMap<EntityModel, EntityValidator>();
const trustedCache = new WeakMap<EntityModel, EntityValidator>();

/**
 * The compiled validator of one entity type (compiled on first use, then cached). `trustedShape`
 * skips the unknown-field check at the top level, for data whose fields a compiled mapping chose.
 */
export function entityValidator(entity: EntityModel, trustedShape = false): EntityValidator {
  const c = trustedShape ? trustedCache : cache;
  let validator = c.get(entity);
  if (validator === undefined) {
    const check = compileObject(entity.fields, entity.key, trustedShape);
    validator = (data) => {
      const out: DataErrorDetail[] = [];
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        out.push({ code: 'model.invalid', message: `${entity.name}: not an object`, value: show(data) });
      } else check(data, '', out);
      return out;
    };
    c.set(entity, validator);
  }
  return validator;
}

/**
 * Validates data against an entity type of the model (the REST facade uses it for writes): every
 * problem is listed, with code `model.invalid` and the field path. Empty when valid.
 */
export function validateEntity(model: Model, type: string, data: unknown): DataErrorDetail[] {
  const entity = model.entities.get(type);
  if (!entity) return [{ code: 'model.invalid', message: `unknown entity type "${type}"` }];
  return entityValidator(entity)(data);
}
