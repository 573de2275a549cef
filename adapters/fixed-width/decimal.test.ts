import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecimalSum, unscaledDecimal } from './decimal.js';

/** The regular-expression reading the hand-written scanner replaced: the reference it must match. */
function reference(value: string, scale: number): { negative: boolean; digits: string } | string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return 'not a number';
  let frac = m[3] ?? '';
  if (frac.length > scale) {
    if (!/^0*$/.test(frac.slice(scale))) return `more than ${scale} decimal places`;
    frac = frac.slice(0, scale);
  } else frac = frac.padEnd(scale, '0');
  const digits = (m[2] + frac).replace(/^0+/, '') || '0';
  return { negative: m[1] === '-' && digits !== '0', digits };
}

/** Strings near numbers: signs, points, zeros, blanks and the odd letter. */
const numberish = fc
  .array(fc.constantFrom('0', '0', '1', '5', '9', '.', '-', '+', ' ', '\t', 'x', '\u00a0'), { maxLength: 24 })
  .map((a) => a.join(''));
const exact = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 6 }), fc.nat({ max: 3 }))
  .map(([neg, v, scale, zeros]) => {
    const d = v.toString().padStart(scale + 1, '0');
    return `${neg ? '-' : ''}${'0'.repeat(zeros)}${scale ? `${d.slice(0, -scale)}.${d.slice(-scale)}` : d}`;
  });

describe('decimal text', () => {
  it('unscaledDecimal reads every string as the regular expression did', () => {
    fc.assert(
      fc.property(fc.oneof(numberish, exact), fc.integer({ min: 0, max: 5 }), (v, scale) => {
        expect(unscaledDecimal(v, scale)).toEqual(reference(v, scale));
      }),
      { numRuns: 3000 },
    );
    expect(unscaledDecimal(' -000.50 ', 2)).toEqual({ negative: true, digits: '50' });
    expect(unscaledDecimal('-0.00', 2)).toEqual({ negative: false, digits: '0' });
    expect(unscaledDecimal('1.234', 2)).toBe('more than 2 decimal places');
    expect(unscaledDecimal('-.', 2)).toBe('not a number');
  });

  it('DecimalSum adds exactly, past 2^53 and across scales', () => {
    fc.assert(
      fc.property(fc.array(exact, { maxLength: 40 }), (values) => {
        const sum = new DecimalSum();
        let scale = 0;
        for (const v of values) {
          expect(sum.add(v)).toBe(true);
          scale = Math.max(scale, v.includes('.') ? v.length - v.indexOf('.') - 1 : 0);
        }
        const total = values.reduce((t, v) => {
          const f = v.includes('.') ? v.length - v.indexOf('.') - 1 : 0;
          return t + BigInt(v.replace('.', '')) * 10n ** BigInt(scale - f);
        }, 0n);
        const neg = total < 0n;
        const abs = (neg ? -total : total).toString().padStart(scale + 1, '0');
        const text = `${neg ? '-' : ''}${scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs}`;
        expect(sum.toString()).toBe(text);
      }),
      { numRuns: 500 },
    );
    const s = new DecimalSum();
    for (const v of ['9007199254740991', '9007199254740991', '0.01', 'x', '', '+.']) s.add(v);
    expect(s.toString()).toBe('18014398509481982.01');
    const many = new DecimalSum();
    for (let i = 0; i < 10; i++) many.add('-9999999999999.99');
    expect(many.toString()).toBe('-99999999999999.90');
    expect(['x', '', '+.', '1.2.3'].map((v) => new DecimalSum().add(v))).toEqual([false, false, false, false]);
  });
});
