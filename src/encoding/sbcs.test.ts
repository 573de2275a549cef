import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textCodec } from './index.js';
import { SingleByteCodec } from './sbcs.js';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, b) => b));

describe('windows-1252', () => {
  const cp1252 = textCodec('windows-1252');
  /** Microsoft's table for 0x80–0x9F; 0 where the page has no character. */
  const C1_ROW = [
    0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
    0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
  ];

  it('decodes 0x80–0x9F per cp1252, not latin1, and reports the five undefined bytes', () => {
    const { text, invalid } = cp1252.decode(ALL_BYTES.subarray(0x80, 0xa0));
    expect(Array.from(text, (c) => c.charCodeAt(0))).toEqual(C1_ROW.map((u) => u || 0xfffd));
    expect(invalid).toEqual([1, 13, 15, 16, 29]);
  });

  it('decodes 0x00–0x7F and 0xA0–0xFF as latin1 does', () => {
    const { text } = cp1252.decode(ALL_BYTES);
    expect(text.slice(0, 0x80)).toBe(ALL_BYTES.subarray(0, 0x80).toString('latin1'));
    expect(text.slice(0xa0)).toBe(ALL_BYTES.subarray(0xa0).toString('latin1'));
  });

  it.skipIf(!existsSync('/usr/bin/iconv'))('agrees with glibc CP1252 on every defined byte', () => {
    const defined = Buffer.from([...ALL_BYTES].filter((b) => b < 0x80 || b >= 0xa0 || C1_ROW[b - 0x80] !== 0));
    const glibc = execFileSync('/usr/bin/iconv', ['-f', 'CP1252', '-t', 'UTF-16LE'], { input: defined });
    expect(cp1252.decode(defined).text).toBe(glibc.toString('utf16le'));
  });

  it('encodes smart quotes and the euro, and reports what it lacks', () => {
    expect(cp1252.encode('\u201cA\u20ac\u201d')).toEqual({ bytes: Buffer.of(0x93, 0x41, 0x80, 0x94), unencodable: [] });
    expect(cp1252.encode('x\u0100y\ufffdz?')).toEqual({ bytes: Buffer.from('x?y?z?'), unencodable: [1, 3] });
  });

  it('is single-byte, not EBCDIC, space 0x20, digits from 0x30', () => {
    expect(cp1252).toMatchObject({ name: 'windows-1252', singleByte: true, ebcdic: false, space: 0x20, digitZero: 0x30 });
  });
});

describe('iso-8859-1 and ascii', () => {
  it('iso-8859-1 maps each byte to the code point of the same value, both ways', () => {
    const latin1 = textCodec('latin1');
    expect(latin1.decode(ALL_BYTES)).toEqual({ text: ALL_BYTES.toString('latin1'), invalid: [] });
    expect(latin1.encode(ALL_BYTES.toString('latin1')).bytes.equals(ALL_BYTES)).toBe(true);
    expect(latin1.encode('€').unencodable).toEqual([0]);
  });

  it('ascii reports every byte from 0x80 up', () => {
    const ascii = textCodec('US-ASCII');
    const { text, invalid } = ascii.decode(Buffer.from([0x41, 0x80, 0x42, 0xff]));
    expect(text).toBe('A\ufffdB\ufffd');
    expect(invalid).toEqual([1, 3]);
    expect(ascii.encode('Aé')).toEqual({ bytes: Buffer.from('A?'), unencodable: [1] });
  });
});

describe('single-byte codec mechanics', () => {
  it('reports offsets counted from the start of the stream across chunks', () => {
    const decoder = textCodec('ascii').decoder();
    expect(decoder.write(Buffer.from([0x41, 0x80]))).toBe('A\ufffd');
    expect(decoder.write(Buffer.from([0x90, 0x42]))).toBe('\ufffdB');
    expect(decoder.end()).toBe('');
    expect(decoder.takeInvalid()).toEqual([1, 2]);
    expect(decoder.takeInvalid()).toEqual([]);
  });

  it('decodes a Uint8Array that is not a Buffer, and a slice of a larger buffer', () => {
    const cp037 = textCodec('cp037');
    const whole = new Uint8Array([0x00, 0xc1, 0xc2, 0x00]);
    expect(cp037.decode(whole.subarray(1, 3)).text).toBe('AB');
  });

  it('decodes any bytes the same through every path (small, large, wide, invalid)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('cp1140', 'windows-1252', 'ascii', 'cp500'), (bytes, name) => {
        const codec = textCodec(name);
        const expected = Array.from(bytes, (b) => codec.decode(Buffer.of(b)).text).join('');
        const { text, invalid } = codec.decode(bytes);
        expect(text).toBe(expected);
        expect(invalid).toEqual([...bytes.keys()].filter((i) => expected[i] === '\ufffd'));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a table that is not 256 entries, or lacks a space', () => {
    expect(() => new SingleByteCodec({ name: 'short', ebcdic: false, table: [0x41] })).toThrow('code page short: table has 1 entries, not 256');
    const noSpace = Array.from({ length: 256 }, (_, b) => (b === 0x20 ? 0xfffd : b));
    expect(() => new SingleByteCodec({ name: 'nospace', ebcdic: false, table: noSpace })).toThrow('code page nospace has no " "');
  });
});
