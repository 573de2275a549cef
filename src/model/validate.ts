import type { DataErrorDetail } from '../core/errors.js';
import type { FieldModel } from './model-schema.js';
import type { EntityModel, Model } from './model.js';
import { CANONICAL_DECIMAL, decimalScale, isIsoDate, isIsoDateTime, isIsoTime } from './values.js';

/** String.prototype.isWellFormed: in Node 20, not yet in the ES2022 library types. */
type WellFormed = { isWellFormed(): boolean };

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

// The type test of each model type as code over `v`, with its message. Our own text: generated
// checks splice in only these, JSON-quoted names and numbers, never model file text.
const TYPE_TESTS: Record<FieldModel['type'], [test: string, message: string]> = {
  string: ["typeof v === 'string'", 'not a string'],
  integer: ["typeof v === 'number' && Number.isSafeInteger(v)", 'not a safe integer'],
  number: ["typeof v === 'number' && Number.isFinite(v)", 'not a finite number'],
  boolean: ["typeof v === 'boolean'", 'not a boolean'],
  decimal: ["typeof v === 'string' && h.CANONICAL_DECIMAL.test(v)", 'not a canonical decimal string (like "-12.50")'],
  date: ["typeof v === 'string' && h.isIsoDate(v)", 'not a date (YYYY-MM-DD)'],
  datetime: ["typeof v === 'string' && h.isIsoDateTime(v)", 'not a datetime (ISO 8601 with offset)'],
  time: ["typeof v === 'string' && h.isIsoTime(v)", 'not a time (HH:mm:ss)'],
  object: ["v !== null && typeof v === 'object' && !Array.isArray(v)", 'not an object'],
  array: ['Array.isArray(v)', 'not an array'],
};

const helpers = { CANONICAL_DECIMAL, isIsoDate, isIsoDateTime, isIsoTime, fail };
const lit = JSON.stringify;

// Each generated check gets its own source text (the number): V8 caches compiled `new Function`
// text, and functions from one cached text share type feedback, which this generation avoids.
let serial = 0;

/** The rules of one field beyond its type, once per field; each is called from its own site. */
function compileRules(f: FieldModel, wholeKey: boolean): Check[] {
  const rules: Check[] = [];
  if (f.type === 'string') {
    // SQLite would store a lone surrogate as U+FFFD: the entity could never be found by its text again.
    rules.push((v, p, o) => !(v as WellFormed).isWellFormed() && fail(o, p, 'not well-formed Unicode (a lone surrogate)', v));
    if (wholeKey) rules.push((v, p, o) => (v as string).length === 0 && fail(o, p, 'empty: a key field needs a value', v));
  }
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
  return rules;
}

/**
 * Code checking the value in `v` (path expression `path`) against `f`; its rules are appended to
 * `rules` and called as `R[i]`. With `trusted` the type test is left out: the caller guarantees it.
 */
function valueCode(f: FieldModel, path: string, required: boolean, trusted: boolean, rules: Check[], wholeKey = false): string {
  const [test, message] = TYPE_TESTS[f.type];
  const own = compileRules(f, wholeKey);
  const calls = own.map((_, i) => `R[${rules.length + i}](v, ${path}, o);`).join(' ');
  rules.push(...own);
  const missing = required ? `o.push({ code: 'model.invalid', field: ${path}, message: 'required' });` : '';
  const typed = trusted ? `else { ${calls} }` : `else if (!(${test})) h.fail(o, ${path}, ${lit(message)}, v); else { ${calls} }`;
  return `if (v === null || v === undefined) { ${missing} } ${typed}`;
}

function generate(body: string, rules: Check[]): Check {
  const source = `// check ${serial++}\nreturn (v, p, o) => { ${body} };`;
  return new Function('h', 'R', source)(helpers, rules) as Check;
}

/** Compiles the checks of one field model, once. */
function compileField(f: FieldModel): Check {
  const rules: Check[] = [];
  return generate(valueCode(f, 'p', f.required === true, false, rules), rules);
}

/**
 * Compiles the checks of an object's fields; unknown fields are errors, key fields required.
 * Fields named in `trustedTypes` skip their type test (a mapping coerced them already).
 */
function compileObject(fields: Record<string, FieldModel>, key: readonly string[], trustedShape = false, trustedTypes?: ReadonlySet<string>): Check {
  const rules: Check[] = [];
  // The names as literals: a loop of obj[names[i]] is one megamorphic keyed access.
  let body = 'const obj = v; ';
  for (const n of Object.keys(fields)) {
    const path = `(p ? p + ${lit(`.${n}`)} : ${lit(n)})`;
    const f = fields[n];
    const isKey = key.includes(n);
    // An empty part of a composite key still makes a key ("A,,3"); an empty single key does not.
    body += `v = obj[${lit(n)}]; ${valueCode(f, path, f.required === true || isKey, trustedTypes?.has(n) === true, rules, isKey && key.length === 1)}\n`;
  }
  if (!trustedShape) {
    const known = new Set(Object.keys(fields));
    rules.push((obj, p, o) => {
      const prefix = p ? `${p}.` : '';
      for (const k in obj as object) if (!known.has(k)) o.push({ code: 'model.invalid', field: prefix + k, message: 'unknown field' });
    });
    body += `R[${rules.length - 1}](obj, p, o);`;
  }
  return generate(body, rules);
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

/** Checks a mapped entity's data, pushing every problem into `out`; data is an object. */
export type EntityCheck = (data: Record<string, unknown>, out: DataErrorDetail[]) => void;

/**
 * A validator of the data a compiled mapping built (not cached: one per mapping, so that its
 * type feedback is its own). The top-level shape is trusted, as are the types of the fields in
 * `trustedTypes`, whose values the mapping's coercion produced.
 */
export function entityChecker(entity: EntityModel, trustedTypes: ReadonlySet<string>): EntityCheck {
  const check = compileObject(entity.fields, entity.key, true, trustedTypes);
  return (data, out) => check(data, '', out);
}
