/**
 * Canonical value forms shared by the model validator and the mapping engine. Decimals are exact
 * strings (`-12.50`), never floats; dates are `YYYY-MM-DD`; datetimes ISO 8601 with an offset.
 */

/** `-12.50`, `0`, `7.001`: no plus sign, no leading zeros, no exponent. */
export const CANONICAL_DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const LOOSE_DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/;
export const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
export const ISO_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS[month - 1];
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isValidTime(h: number, m: number, s: number): boolean {
  return h <= 23 && m <= 59 && s <= 59;
}

/** Reads `length` digits at `start` as a number; -1 when any is not a digit. */
export function digitsAt(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

// Hand-written rather than a regex: it runs for every date of every record.
export function isIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const y = digitsAt(s, 0, 4);
  const m = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  return y >= 0 && m >= 0 && d >= 0 && isValidDate(y, m, d);
}

export function isIsoDateTime(s: string): boolean {
  const m = ISO_DATETIME.exec(s);
  if (m === null || !isValidDate(+m[1], +m[2], +m[3]) || !isValidTime(+m[4], +m[5], m[6] ? +m[6] : 0)) return false;
  return m[8] === undefined || (+m[8] <= 23 && +m[9] <= 59);
}

export function isIsoTime(s: string): boolean {
  const m = ISO_TIME.exec(s);
  return m !== null && isValidTime(+m[1], +m[2], m[3] ? +m[3] : 0);
}

/** True when text is already canonical (and has exactly `scale` decimals when given): the common case. */
export function isCanonicalDecimal(text: string, scale?: number): boolean {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= n) return false;
  const first = text.charCodeAt(i);
  if (first === 48 && i + 1 < n && text.charCodeAt(i + 1) !== 46) return false;
  let dot = -1;
  let nonZero = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot >= 0 || i === n - 1) return false;
      dot = i;
    } else if (c < 48 || c > 57) return false;
    else if (c !== 48) nonZero = true;
  }
  if (text.charCodeAt(0) === 45 && !nonZero) return false;
  if (dot === 0 || (text.charCodeAt(0) === 45 && dot === 1)) return false;
  const decimals = dot < 0 ? 0 : n - dot - 1;
  return scale === undefined || decimals === scale;
}

/**
 * Compares two canonical decimals exactly, as numbers (`"12.5"` equals `"12.50"`, `"-0"` equals
 * `"0"`): -1, 0 or 1. Floating point would call `12345678901234567.89` and `…67.88` equal.
 */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const negA = a.charCodeAt(0) === 45 && !isZero(a);
  const negB = b.charCodeAt(0) === 45 && !isZero(b);
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareMagnitudes(a.replace(/^-/, ''), b.replace(/^-/, ''));
  return negA ? (-magnitude as -1 | 0 | 1) : magnitude;
}

const isZero = (d: string): boolean => /^-?0(?:\.0*)?$/.test(d);

function compareMagnitudes(a: string, b: string): -1 | 0 | 1 {
  const [intA, fracA = ''] = a.split('.');
  const [intB, fracB = ''] = b.split('.');
  // Canonical: no leading zeros, so the longer integer part is the larger number.
  if (intA.length !== intB.length) return intA.length < intB.length ? -1 : 1;
  if (intA !== intB) return intA < intB ? -1 : 1;
  const width = Math.max(fracA.length, fracB.length);
  const fa = fracA.padEnd(width, '0');
  const fb = fracB.padEnd(width, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** Digits after the point of a canonical decimal. */
export function decimalScale(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/**
 * Brings a decimal text (`+0012.5`, `-.50`, `12.`) into canonical form; with `scale`, the fraction
 * has exactly that many digits. Returns undefined for what is not a decimal, and a message string
 * wrapped in an object when digits would be lost (never rounds).
 */
export function normalizeDecimal(text: string, scale?: number): string | { error: string } | undefined {
  if (isCanonicalDecimal(text, scale)) return text;
  const m = LOOSE_DECIMAL.exec(text);
  if (m === null || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
  let int = m[2].replace(/^0+(?=.)/, '');
  if (int === '') int = '0';
  let frac = m[3] ?? '';
  if (scale !== undefined) {
    if (frac.length > scale) {
      if (!/^0*$/.test(frac.slice(scale))) return { error: `more than ${scale} decimal places` };
      frac = frac.slice(0, scale);
    } else if (frac.length < scale) frac = frac.padEnd(scale, '0');
  }
  const body = frac ? `${int}.${frac}` : int;
  const zero = /^0(?:\.0*)?$/.test(body);
  return m[1] === '-' && !zero ? `-${body}` : body;
}
