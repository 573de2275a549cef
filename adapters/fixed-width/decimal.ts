/**
 * Exact decimal text, as records carry numbers: `"-123.45"`, `"42"`; never a float, so that a
 * 19-digit account number or a control total keeps every digit.
 */

const ZERO = 48;

/**
 * Canonical decimal from an unscaled digit string: leading zeros dropped, `scale` decimals kept,
 * no sign on zero. `digits` holds only ASCII digits (the caller checked).
 */
export function canonicalDecimal(negative: boolean, digits: string, scale: number): string {
  let i = 0;
  const keep = digits.length - scale - 1; // leading zeros may go up to the units digit
  while (i < keep && digits.charCodeAt(i) === ZERO) i++;
  let body = i === 0 ? digits : digits.slice(i);
  if (body.length <= scale) body = '0'.repeat(scale - body.length + 1) + body;
  if (scale > 0) body = `${body.slice(0, body.length - scale)}.${body.slice(body.length - scale)}`;
  if (negative && !isZeroDigits(digits)) return `-${body}`;
  return body;
}

function isZeroDigits(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== ZERO) return false;
  return true;
}

/** A number split for writing: sign and unscaled digits (no leading zeros, `"0"` for zero). */
export interface UnscaledDecimal {
  negative: boolean;
  digits: string;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * Reads a record value for writing at `scale` decimals. Returns a reason (string) when the value
 * is not a number or has more significant decimals than the field can hold. Scans by character
 * code (no regular expression, one string built): it runs for every number field encoded.
 */
export function unscaledDecimal(value: string, scale: number): UnscaledDecimal | string {
  let s = 0;
  let e = value.length;
  while (s < e && isBlank(value.charCodeAt(s))) s++;
  while (e > s && isBlank(value.charCodeAt(e - 1))) e--;
  let negative = false;
  const sign = value.charCodeAt(s);
  if (sign === MINUS || sign === PLUS) {
    negative = sign === MINUS;
    s++;
  }
  let i = s;
  while (i < e && value.charCodeAt(i) === ZERO) i++; // leading zeros: dropped
  const intStart = i;
  while (i < e && isDigit(value.charCodeAt(i))) i++;
  const intEnd = i;
  let fracEnd = i;
  if (i < e && value.charCodeAt(i) === POINT) {
    fracEnd = ++i;
    while (fracEnd < e && isDigit(value.charCodeAt(fracEnd))) fracEnd++;
  }
  if (fracEnd !== e || (intEnd === s && fracEnd - i === 0)) return 'not a number';
  let fracLen = fracEnd - i;
  if (fracLen > scale) {
    for (let k = i + scale; k < fracEnd; k++) if (value.charCodeAt(k) !== ZERO) return `more than ${scale} decimal places`;
    fracLen = scale;
  }
  let digits = intStart === intEnd ? '' : value.slice(intStart, intEnd);
  if (fracLen) digits += value.slice(i, i + fracLen);
  if (fracLen < scale) digits += ZEROS[scale - fracLen] ?? '0'.repeat(scale - fracLen);
  if (intStart === intEnd) {
    let z = 0;
    while (z < digits.length - 1 && digits.charCodeAt(z) === ZERO) z++;
    if (z) digits = digits.slice(z);
    if (digits === '' || (digits.length === 1 && digits.charCodeAt(0) === ZERO)) return { negative: false, digits: '0' };
  }
  return { negative, digits };
}

const MINUS = 45;
const PLUS = 43;
const POINT = 46;
const ZEROS = Array.from({ length: 40 }, (_, n) => '0'.repeat(n));
const isDigit = (c: number) => c >= 48 && c <= 57;
/** What String.prototype.trim removes, for the characters a number field may be padded with. */
const isBlank = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x3000 || (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f;

/**
 * Exact running total of decimal strings (trailer control sums). Values of up to 15 significant
 * digits add up in a plain number (exact below 2^53) and move into the BigInt total only when it
 * grows: control sums run once per record, on decode and on encode.
 */
export class DecimalSum {
  private total = 0n;
  private small = 0;
  private scale = 0;

  add(value: string): boolean {
    const n = value.length;
    let i = 0;
    let negative = false;
    const first = value.charCodeAt(0);
    if (first === MINUS || first === PLUS) {
      negative = first === MINUS;
      i = 1;
    }
    let v = 0;
    let digits = 0;
    let significant = 0;
    let point = -1;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        digits++;
        if (v > 0) significant++;
      } else if (c === POINT && point < 0) point = i;
      else return false;
    }
    if (digits === 0) return false;
    const frac = point < 0 ? 0 : n - point - 1;
    if (frac > this.scale) {
      this.flush();
      this.total *= 10n ** BigInt(frac - this.scale);
      this.scale = frac;
    }
    if (significant + this.scale - frac > 15) return this.addBig(value);
    this.small += (negative ? -v : v) * 10 ** (this.scale - frac);
    if (this.small > 2 ** 52 || this.small < -(2 ** 52)) this.flush();
    return true;
  }

  private addBig(value: string): boolean {
    const m = DECIMAL.exec(value)!;
    const unscaled = BigInt((m[2] || '0') + (m[3] ?? '').padEnd(this.scale, '0'));
    this.total += m[1] === '-' ? -unscaled : unscaled;
    return true;
  }

  private flush(): void {
    this.total += BigInt(this.small);
    this.small = 0;
  }

  /** The total at `scale` decimals at least (more when an added value had more). */
  toString(scale = 0): string {
    const s = Math.max(scale, this.scale);
    const t = (this.total + BigInt(this.small)) * 10n ** BigInt(s - this.scale);
    const neg = t < 0n;
    return canonicalDecimal(neg, (neg ? -t : t).toString(), s);
  }
}

/** True when two decimal strings denote the same number (`"40.00"` = `"40"`). */
export function sameDecimal(a: string, b: string): boolean {
  const x = new DecimalSum();
  const y = new DecimalSum();
  if (!x.add(a) || !y.add(b)) return false;
  const s = Math.max(decimals(a), decimals(b));
  return x.toString(s) === y.toString(s);
}

function decimals(v: string): number {
  const dot = v.indexOf('.');
  return dot < 0 ? 0 : v.length - dot - 1;
}
