import type { CanonicalForm } from '../core/format.js';
import type { FieldModel } from '../model/model-schema.js';
import { isIsoDate, isIsoDateTime, isIsoTime, normalizeDecimal } from '../model/values.js';
import { parseInteger, parseNumber } from './number-transforms.js';
import { fail } from './steps.js';

type Coerce = (v: unknown) => unknown;

const text: Coerce = (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v === 'string' ? v : fail('field.transform', 'expected text', v));

function decimal(scale: number | undefined): Coerce {
  return (v) => {
    const s = typeof v === 'number' && Number.isFinite(v) && !/e/i.test(String(v)) ? String(v) : v;
    if (typeof s !== 'string') return fail('field.number', 'not a decimal', v);
    const d = normalizeDecimal(s, scale);
    if (d === undefined) return fail('field.number', 'not a decimal', v);
    return typeof d === 'string' ? d : fail('field.number', d.error, v);
  };
}

const bool: Coerce = (v) => {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return fail('field.transform', 'not a boolean (map legacy codes with a lookup such as { Y: true, N: false })', v);
};

const isoCheck = (ok: (s: string) => boolean, what: string, hint: string): Coerce => (v) =>
  typeof v === 'string' && ok(v) ? v : fail('field.date', `not a ${what}; convert it with ${hint}`, v);

/**
 * The final coercion of a mapped value to its model type: decimal → exact canonical string,
 * integer → safe JS integer, number → JS number, boolean, date → YYYY-MM-DD, datetime → ISO 8601
 * with offset, string. Null passes; anything else that does not fit throws a StepFailure.
 */
export function coercer(f: FieldModel): Coerce {
  const inner = scalarCoercer(f);
  return (v) => (v === null || v === undefined ? null : inner(v));
}

/** The coercion of `coercer` for a value that is neither null nor undefined. */
export function scalarCoercer(f: FieldModel): Coerce {
  switch (f.type) {
    case 'string': return text;
    case 'integer': return (v) => (typeof v === 'string' ? parseInteger(v.trim()) : parseInteger(v));
    case 'number': return (v) => (typeof v === 'string' ? parseNumber(v.trim()) : parseNumber(v));
    case 'decimal': return decimal(f.scale);
    case 'boolean': return bool;
    case 'date': return isoCheck(isIsoDate, 'date (YYYY-MM-DD)', '{ date: pattern }');
    case 'datetime': return isoCheck(isIsoDateTime, 'datetime (ISO 8601 with offset)', '{ datetime: pattern, zone: ... }');
    case 'time': return isoCheck(isIsoTime, 'time (HH:mm:ss)', '{ time: pattern }');
    case 'object': return (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : fail('field.transform', 'expected an object', v));
    case 'array': {
      const item = f.items ? coercer(f.items) : (v: unknown) => v;
      return (v) => (Array.isArray(v) ? v.map(item) : fail('field.transform', 'expected a list (split the text or map a repeating group)', v));
    }
  }
}

/**
 * The JS type (`typeof`) of values that `scalarCoercer(f)` would return unchanged when they come
 * in the canonical form `c` (of a value mapping's last step, or of the legacy field it takes as it
 * is): text is always final for a string field, and a canonical value for a field of its type.
 * Undefined when every value must be coerced.
 */
export function finalType(f: FieldModel, c: CanonicalForm | undefined): 'string' | 'number' | undefined {
  if (f.type === 'string') return 'string';
  if (c === undefined || c.type !== f.type) return undefined;
  if (c.type === 'integer') return 'number';
  return c.type === 'decimal' && f.scale !== undefined && f.scale !== c.scale ? undefined : 'string';
}

/** Whether blank legacy text means "no value" for this type by default (all but text). */
export function emptyAsNullByDefault(f: FieldModel | undefined): boolean {
  return f !== undefined && f.type !== 'string' && !(f.type === 'array' && f.items?.type === 'string');
}

// Types whose coercion returns only values the model validator's type test accepts (or throws):
// the validator can skip that test for fields a mapping wrote. integer and number pass values
// of other types through, so they stay checked.
const CHECKED = new Set<FieldModel['type']>(['string', 'decimal', 'boolean', 'date', 'datetime', 'time']);

/** True when every non-null result of `coercer(f)` passes the model's type test for `f`. */
export function coercionChecksType(f: FieldModel): boolean {
  return CHECKED.has(f.type);
}
