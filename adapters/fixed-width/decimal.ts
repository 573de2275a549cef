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
 * is not a number or has more significant decimals than the field can hold.
 */
export function unscaledDecimal(value: string, scale: number): UnscaledDecimal | string {
  const m = DECIMAL.exec(value.trim());
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return 'not a number';
  let frac = m[3] ?? '';
  if (frac.length > scale) {
    if (!/^0*$/.test(frac.slice(scale))) return `more than ${scale} decimal places`;
    frac = frac.slice(0, scale);
  } else frac = frac.padEnd(scale, '0');
  const digits = (m[2] + frac).replace(/^0+/, '') || '0';
  return { negative: m[1] === '-' && digits !== '0', digits };
}

/** Exact running total of decimal strings (trailer control sums). */
export class DecimalSum {
  private total = 0n;
  private scale = 0;

  add(value: string): boolean {
    const m = DECIMAL.exec(value);
    if (!m || (m[2] === '' && !m[3])) return false;
    const frac = m[3] ?? '';
    if (frac.length > this.scale) {
      this.total *= 10n ** BigInt(frac.length - this.scale);
      this.scale = frac.length;
    }
    const unscaled = BigInt((m[2] || '0') + frac.padEnd(this.scale, '0'));
    this.total += m[1] === '-' ? -unscaled : unscaled;
    return true;
  }

  /** The total at `scale` decimals at least (more when an added value had more). */
  toString(scale = 0): string {
    const s = Math.max(scale, this.scale);
    const t = this.total * 10n ** BigInt(s - this.scale);
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
