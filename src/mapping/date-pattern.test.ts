import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, compileReader, readPattern, type DateParts } from './date-pattern.js';

const parts = (): DateParts => ({ year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, milli: 0, offset: undefined });
const PATTERNS = ['yyyyMMdd', 'dd.MM.yy', "yyyy-MM-dd'T'HH:mm:ssXXX", 'HHmmss.SSS', "yyMMdd'x'"];

describe('compiled date pattern readers', () => {
  it('read exactly what readPattern reads, parts and verdict', () => {
    for (const source of PATTERNS) {
      const p = compilePattern(source);
      const read = compileReader(p);
      const chars = fc.constantFrom(...'0123456789.-:+ZTx1'.split(''));
      const text = fc.oneof(
        fc.array(chars, { minLength: p.length, maxLength: p.length }).map((a) => a.join('')),
        fc.string({ maxLength: p.length + 1 }),
      );
      fc.assert(fc.property(text, fc.integer({ min: 0, max: 99 }), (s, pivot) => {
        const a = parts();
        const b = parts();
        expect(read(s, pivot, b)).toBe(readPattern(p, s, pivot, a));
        expect(b).toEqual(a);
      }), { numRuns: 500 });
    }
  });

  it('read a typical value', () => {
    const out = parts();
    expect(compileReader(compilePattern("yyyy-MM-dd'T'HH:mm:ssXXX"))('2024-02-29T13:45:10+01:30', 50, out)).toBe(true);
    expect(out).toEqual({ year: 2024, month: 2, day: 29, hour: 13, minute: 45, second: 10, milli: 0, offset: 90 });
    expect(compileReader(compilePattern('dd.MM.yy'))('01.02.49', 50, out)).toBe(true);
    expect(out.year).toBe(2049);
  });
});
