import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { textCodec } from './index.js';
import { corpus } from '../../test/support/corpus.js';

/**
 * encoding_rs's WHATWG references: `*_in.txt` holds every two-byte sequence (one per line, valid
 * and invalid) and `*_in_ref.txt` what a conforming decoder makes of it; `*_out.txt` is UTF-8 text
 * whose encoding must equal `*_out_ref.txt` byte for byte. Each opens with a 3-line comment.
 */
const DIR = corpus('encodings', 'encoding_rs-whatwg');
const read = (name: string) => readFileSync(join(DIR, name));

const CASES = [
  { file: 'shift_jis', codec: 'shift_jis', iconvLite: 'shiftjis', lines: 11285, errors: 1676, iconvLiteDiffers: { mapping: 187, errorHandling: 1184 } },
  { file: 'euc_kr', codec: 'euc-kr', iconvLite: 'cp949', lines: 23945, errors: 6892, iconvLiteDiffers: { mapping: 0, errorHandling: 2560 } },
] as const;

const countFffd = (s: string) => s.split('\ufffd').length - 1;

describe.each(CASES)('WHATWG $file', ({ file, codec: name, iconvLite, lines, errors, iconvLiteDiffers }) => {
  const codec = textCodec(name);
  const input = read(`${file}_in.txt`);
  const expected = read(`${file}_in_ref.txt`).toString('utf8');

  it('decodes the whole reference input exactly as WHATWG does, every error listed', () => {
    const { text, invalid } = codec.decode(input);
    expect(text.split('\n')).toHaveLength(lines);
    expect(text).toBe(expected);
    expect(invalid).toHaveLength(errors);
    expect(countFffd(expected)).toBe(errors);
  });

  it('lists the offset of the first byte of each invalid line', () => {
    const { invalid } = codec.decode(input);
    // Each reference line is one sequence; an invalid one starts right after a newline.
    const starts: number[] = [];
    const refLines = expected.split('\n');
    let offset = 0;
    input
      .toString('latin1')
      .split('\n')
      .forEach((line, i) => {
        if (refLines[i].includes('\ufffd')) starts.push(offset);
        offset += line.length + 1;
      });
    expect(invalid).toEqual(starts);
  });

  it('decodes the same in chunks of any size, offsets included', () => {
    const whole = codec.decode(input);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: input.length }), { maxLength: 20 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const decoder = codec.decoder();
        let text = '';
        let from = 0;
        for (const p of [...points, input.length]) {
          text += decoder.write(input.subarray(from, p));
          from = p;
        }
        text += decoder.end();
        expect(text).toBe(whole.text);
        expect(decoder.takeInvalid()).toEqual(whole.invalid);
      }),
      { numRuns: 25 },
    );
  });

  it('encodes the reference text to the reference bytes', () => {
    const { bytes, unencodable } = codec.encode(read(`${file}_out.txt`).toString('utf8'));
    expect(unencodable).toEqual([]);
    expect(bytes.equals(read(`${file}_out_ref.txt`))).toBe(true);
  });

  it(`documents why iconv-lite is not used alone: ${iconvLiteDiffers.mapping} + ${iconvLiteDiffers.errorHandling} lines differ`, () => {
    const ref = expected.split('\n');
    const lines = input.toString('latin1').split('\n');
    const differing = lines.flatMap((line, i) => (iconv.decode(Buffer.from(line, 'latin1'), iconvLite) === ref[i] ? [] : [i]));
    // Mapping: Shift_JIS F941–F9FC (user area, U+E69D–U+E757) undecoded. Error handling: after an
    // unmapped pair iconv-lite re-reads a non-ASCII second byte (WHATWG consumes it), and treats
    // unassigned lead bytes (Shift_JIS 0x85, 0x86, 0xEB–0xEC, 0xEF; CP949 0xC9, 0xFE) as single.
    expect(differing.filter((i) => !ref[i].includes('\ufffd'))).toHaveLength(iconvLiteDiffers.mapping);
    expect(differing.filter((i) => ref[i].includes('\ufffd'))).toHaveLength(iconvLiteDiffers.errorHandling);
  });
});

describe('Shift_JIS specifics', () => {
  const sjis = textCodec('shift_jis');

  it('maps 0x8160 to U+FF5E (Microsoft, WHATWG) and cannot encode U+301C', () => {
    expect(sjis.decode(Buffer.of(0x81, 0x60)).text).toBe('\uff5e');
    expect(sjis.encode('\uff5e').bytes).toEqual(Buffer.of(0x81, 0x60));
    expect(sjis.encode('a\u301c')).toEqual({ bytes: Buffer.of(0x61, 0x3f), unencodable: [1] });
  });

  it('decodes the user area F040–F9FC to U+E000–U+E757, row F9 included', () => {
    expect(sjis.decode(Buffer.of(0xf0, 0x40)).text).toBe('\ue000');
    expect(sjis.decode(Buffer.of(0xf9, 0x40)).text).toBe('\ue69c');
    expect(sjis.decode(Buffer.of(0xf9, 0xfc)).text).toBe('\ue757');
    expect(iconv.decode(Buffer.of(0xf9, 0xfc), 'shiftjis')).toBe('\ufffd\ufffd');
  });

  it('consumes a non-ASCII second byte with its lead, and re-reads an ASCII one', () => {
    expect(sjis.decode(Buffer.of(0x81, 0xad, 0x41))).toEqual({ text: '\ufffdA', invalid: [0] });
    expect(sjis.decode(Buffer.of(0x82, 0x0a, 0x82, 0xa0))).toEqual({ text: '\ufffd\nあ', invalid: [0] });
    expect(sjis.decode(Buffer.of(0x41, 0x82))).toEqual({ text: 'A\ufffd', invalid: [1] });
  });

  it('reports one offset per astral character it cannot encode', () => {
    expect(sjis.encode('x\u{1f600}y?')).toEqual({ bytes: Buffer.from('x?y?'), unencodable: [1] });
  });
});
