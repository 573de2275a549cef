import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { textCodec } from './index.js';

describe.each([
  ['shift_jis', 'shiftjis', 9604],
  ['cp949', 'cp949', 17048],
] as const)('%s', (name, iconvName, mappedPairs) => {
  const codec = textCodec(name);

  it('writes ASCII as itself, as iconv-lite does (the encoder skips iconv-lite for it)', () => {
    const ascii = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
    expect(iconv.encode(ascii, iconvName).equals(Buffer.from(ascii, 'latin1'))).toBe(true);
    expect(codec.encode(ascii)).toEqual({ bytes: Buffer.from(ascii, 'latin1'), unencodable: [] });
  });

  it(`decodes ${mappedPairs} two-byte sequences, each back to a character that encodes and decodes to itself`, () => {
    let mapped = 0;
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        const { text, invalid } = codec.decode(Buffer.of(lead, trail));
        if (invalid.length > 0 || text.length !== 1) continue;
        mapped++;
        // The user area (U+E000–U+F8FF) decodes but, as in WHATWG, does not encode.
        if (text >= '\ue000' && text <= '\uf8ff') continue;
        const { bytes, unencodable } = codec.encode(text);
        expect(unencodable).toEqual([]);
        expect(bytes).toHaveLength(2);
        expect(codec.decode(bytes).text).toBe(text);
      }
    }
    expect(mapped).toBe(mappedPairs);
  });

  it('decodes any bytes in chunks exactly as whole, one offset per U+FFFD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 6 }), (bytes, cuts) => {
        const whole = codec.decode(bytes);
        expect(whole.invalid).toHaveLength(whole.text.split('\ufffd').length - 1);
        const decoder = codec.decoder();
        let text = '';
        let from = 0;
        for (const p of [...new Set(cuts)].filter((c) => c <= bytes.length).sort((a, b) => a - b)) {
          text += decoder.write(bytes.subarray(from, p));
          from = p;
        }
        text += decoder.write(bytes.subarray(from)) + decoder.end();
        expect(text).toBe(whole.text);
        expect(decoder.takeInvalid()).toEqual(whole.invalid);
      }),
      { numRuns: 300 },
    );
  });

  it('reports the offsets of the characters it lacks, and keeps literal question marks', () => {
    expect(codec.encode('?A\u00e9?\u0100')).toEqual({ bytes: Buffer.from('?A???'), unencodable: [2, 4] });
  });
});
