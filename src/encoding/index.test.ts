import { describe, expect, it } from 'vitest';
import { isKnownEncoding, knownEncodings, textCodec } from './index.js';

const KNOWN = 'ascii, cp037, cp1047, cp1140, cp273, cp500, cp949, iso-8859-1, shift_jis, utf-16be, utf-16le, utf-8, windows-1252';

describe('textCodec names', () => {
  it.each([
    ['cp037', ['CP037', 'ibm037', 'IBM-037', 'ibm37', 'ebcdic-cp-us']],
    ['cp500', ['IBM500', 'ibm-500']],
    ['cp1047', ['IBM-1047', 'ibm1047']],
    ['cp1140', ['IBM1140', 'ccsid01140']],
    ['cp273', ['IBM273']],
    ['shift_jis', ['Shift_JIS', 'sjis', 'CP932', 'windows-31j', 'shift-jis']],
    ['cp949', ['euc-kr', 'EUC_KR', 'uhc', 'windows-949']],
    ['windows-1252', ['cp1252', 'Windows1252']],
    ['iso-8859-1', ['latin1', 'ISO8859-1', 'ISO_8859-1']],
    ['utf-8', ['UTF8', 'utf_8']],
    ['ascii', ['US-ASCII']],
    ['utf-16le', ['UTF-16LE', 'utf16le']],
    ['utf-16be', ['UTF16BE']],
  ])('%s answers to %j, always with the same instance', (canonical, aliases) => {
    const codec = textCodec(canonical);
    expect(codec.name).toBe(canonical);
    for (const alias of aliases) {
      expect(isKnownEncoding(alias)).toBe(true);
      expect(textCodec(alias)).toBe(codec);
    }
  });

  it('refuses an unknown name with the list of known ones', () => {
    expect(isKnownEncoding('ebcdic')).toBe(false);
    expect(() => textCodec('ebcdic')).toThrow(new Error(`unknown encoding "ebcdic" (known: ${KNOWN})`));
    expect(() => textCodec('')).toThrow(`unknown encoding "" (known: ${KNOWN})`);
  });

  it('lists canonical names, sorted, in a copy the caller may change', () => {
    const names = knownEncodings();
    expect(names.join(', ')).toBe(KNOWN);
    names.pop();
    expect(knownEncodings()).toHaveLength(13);
  });

  it('flags single-byte and EBCDIC pages correctly', () => {
    const flags = Object.fromEntries(knownEncodings().map((n) => [n, [textCodec(n).singleByte, textCodec(n).ebcdic]]));
    expect(flags).toEqual({
      ascii: [true, false],
      cp037: [true, true],
      cp1047: [true, true],
      cp1140: [true, true],
      cp273: [true, true],
      cp500: [true, true],
      cp949: [false, false],
      'iso-8859-1': [true, false],
      shift_jis: [false, false],
      'utf-16be': [false, false],
      'utf-16le': [false, false],
      'utf-8': [false, false],
      'windows-1252': [true, false],
    });
  });
});
