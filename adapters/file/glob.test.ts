import { describe, expect, it } from 'vitest';
import { compileGlobs, isNamePattern } from './glob.js';

describe('compileGlobs', () => {
  it('matches * as any run of characters and ? as exactly one', () => {
    const m = compileGlobs(['*.txt', 'ORD??.dat']);
    expect(['a.txt', '.txt', 'x.y.txt', 'ORD01.dat'].map(m)).toEqual([true, true, true, true]);
    expect(['a.txt.tmp', 'a.TXT', 'ORD1.dat', 'ORD001.dat', 'xORD01.dat'].map(m)).toEqual([false, false, false, false, false]);
  });

  it('takes regular-expression characters literally', () => {
    const m = compileGlobs(['a+b(1)[x]{2}^$|.txt']);
    expect(m('a+b(1)[x]{2}^$|.txt')).toBe(true);
    expect(m('aab(1)[x]{2}^$|.txt')).toBe(false);
    expect(compileGlobs(['a.b'])('axb')).toBe(false);
  });

  it('counts one unicode character as one ? and lets * span any character', () => {
    expect(compileGlobs(['?.txt'])('注.txt')).toBe(true);
    expect(compileGlobs(['?.txt'])('😀.txt')).toBe(true);
    expect(compileGlobs(['*'])('line\nbreak')).toBe(true);
  });

  it('matches dot-files with the default exclusion, and nothing with an empty list', () => {
    const m = compileGlobs(['*.tmp', '.*']);
    expect(['.hidden', 'x.tmp', '.'].map(m)).toEqual([true, true, true]);
    expect(m('x.txt')).toBe(false);
    expect(compileGlobs([])('anything')).toBe(false);
  });

  it('accepts name patterns only', () => {
    expect(isNamePattern('*.txt')).toBe(true);
    expect(isNamePattern('in/*.txt')).toBe(false);
    expect(isNamePattern('in\\*.txt')).toBe(false);
    expect(isNamePattern('')).toBe(false);
  });
});
