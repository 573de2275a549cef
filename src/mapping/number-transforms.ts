import { normalizeDecimal } from '../model/values.js';
import { fail, type Step } from './steps.js';

const INTEGER = /^[+-]?[0-9]+$/;
const NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** Text → JS integer; an integer beyond 2^53 is an error, never a rounded number. */
export function parseInteger(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : fail('field.number', 'not a safe integer', v);
  if (typeof v !== 'string') return v;
  if (!INTEGER.test(v)) return fail('field.number', 'not an integer', v);
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : fail('field.number', 'not a safe integer (beyond ±2^53)', v);
}

export function parseNumber(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : fail('field.number', 'not a finite number', v);
  if (typeof v !== 'string') return v;
  return NUMBER.test(v) ? Number(v) : fail('field.number', 'not a number', v);
}

const toText = (v: unknown): unknown => (typeof v === 'number' ? String(v) : v);

export const integerStep: Step = { name: 'integer', fwd: parseInteger, back: toText, canonical: { type: 'integer' } };

/** Options of `number` and `decimal`: how the legacy text writes numbers. */
export interface NumberText {
  /** Decimal separator in the text; default ".". */
  separator?: string;
  /** Grouping character removed before parsing (`.` in `1.234,56`). */
  thousands?: string;
  /** decimal only: digits after the point; without a separator the point is implied. */
  scale?: number;
}

/** Rewrites legacy number text as `-1234.56`: grouping removed, separator → ".", trailing sign first. */
function plain(s: string, o: NumberText): string {
  let t = s.trim();
  if (o.thousands !== undefined && t.includes(o.thousands)) t = t.split(o.thousands).join('');
  if (o.separator !== undefined && o.separator !== '.') {
    if (t.includes('.')) return '!';
    t = t.replace(o.separator, '.');
  }
  const last = t.charCodeAt(t.length - 1);
  if (last === 45 /* - */ || last === 43 /* + */) t = t[t.length - 1] + t.slice(0, -1);
  return t;
}

function describe(o: NumberText): string {
  const parts: string[] = [];
  if (o.separator !== undefined) parts.push(`separator "${o.separator}"`);
  if (o.thousands !== undefined) parts.push(`thousands "${o.thousands}"`);
  if (o.scale !== undefined && o.separator === undefined) parts.push(`${o.scale} implied decimals`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function numberStep(o: NumberText = {}): Step {
  const custom = o.separator !== undefined || o.thousands !== undefined;
  const what = `not a number${describe(o)}`;
  return {
    name: 'number',
    fwd: custom
      ? (v) => (typeof v === 'string' ? (NUMBER.test(plain(v, o)) ? Number(plain(v, o)) : fail('field.number', what, v)) : parseNumber(v))
      : parseNumber,
    back: (v) => (typeof v === 'number' ? (o.separator ? String(v).replace('.', o.separator) : String(v)) : v),
  };
}

const IMPLIED = /^[+-]?[0-9]+$/;
const LEADING_ZEROS = /^(-?)0+(?=[0-9])/;

/**
 * Text → exact decimal string. With `scale` and no `separator` the decimal point is implied
 * (COBOL `V99`, bank files): `0000004000` → `40.00`; with a separator, more fraction digits than
 * `scale` are an error (never rounded).
 */
export function decimalStep(o: NumberText = {}): Step {
  const implied = o.scale !== undefined && o.separator === undefined;
  const what = `not a decimal${describe(o)}`;
  const scale = o.scale;
  const fwd = (v: unknown): unknown => {
    if (typeof v === 'number') v = String(v);
    if (typeof v !== 'string') return v;
    let t = plain(v, o);
    if (implied) {
      if (!IMPLIED.test(t)) return fail('field.number', what, v);
      const sign = t[0] === '-' || t[0] === '+' ? t[0] : '';
      const digits = (sign ? t.slice(1) : t).padStart(scale! + 1, '0');
      t = `${sign}${digits.slice(0, digits.length - scale!)}.${digits.slice(digits.length - scale!)}`;
    }
    const d = normalizeDecimal(t, scale);
    if (d === undefined) return fail('field.number', what, v);
    if (typeof d !== 'string') return fail('field.number', d.error, v);
    return d;
  };
  const back = (v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    if (implied) {
      const d = normalizeDecimal(v, scale);
      if (typeof d !== 'string') return fail('field.encode', `not a decimal of scale ${scale}`, v);
      return d.replace('.', '').replace(LEADING_ZEROS, '$1');
    }
    return o.separator !== undefined ? v.replace('.', o.separator) : v;
  };
  return { name: 'decimal', fwd, back, canonical: { type: 'decimal', scale } };
}
