import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textCodec } from './index.js';
import type { TextCodec } from './types.js';

const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');

/** Decodes `bytes` through a stream decoder cut at `cuts`; returns text and invalid offsets. */
function decodeInChunks(codec: TextCodec, bytes: Uint8Array, cuts: number[]): { text: string; invalid: number[] } {
  const decoder = codec.decoder();
  let text = '';
  let from = 0;
  for (const p of [...new Set(cuts)].filter((c) => c <= bytes.length).sort((a, b) => a - b)) {
    text += decoder.write(bytes.subarray(from, p));
    from = p;
  }
  text += decoder.write(bytes.subarray(from)) + decoder.end();
  return { text, invalid: decoder.takeInvalid() };
}

/** Bytes that are mostly UTF-8 with damage: truncated, overlong, surrogate, stray bytes. */
const utf8ish = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 }).map((s) => [...Buffer.from(s, 'utf8')]),
      fc.constantFrom([0x80], [0xc0, 0xaf], [0xe0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90], [0xf0, 0x9f, 0x98], [0xff], [0xe2, 0x82]),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.from(parts.flat()));

describe('utf-8', () => {
  const utf8 = textCodec('UTF8');

  it('lists the first byte of each maximal invalid subpart, as WHATWG counts them', () => {
    expect(utf8.decode(hex('41 e0 80 41 c0 f4 90 80 80 ff'))).toEqual({
      text: 'A\ufffd\ufffdA\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd',
      invalid: [1, 2, 4, 5, 6, 7, 8, 9],
    });
    expect(utf8.decode(hex('e2 82 41 f0 9f 98'))).toEqual({ text: '\ufffdA\ufffd', invalid: [0, 3] });
    expect(utf8.decode(hex('ed a0 80'))).toEqual({ text: '\ufffd\ufffd\ufffd', invalid: [0, 1, 2] });
  });

  it('does not list a U+FFFD the input encodes literally', () => {
    expect(utf8.decode(hex('ef bf bd 41 ff'))).toEqual({ text: '\ufffdA\ufffd', invalid: [4] });
  });

  it('drops a leading byte-order mark, and only a leading one', () => {
    expect(utf8.decode(hex('ef bb bf 41 ef bb bf'))).toEqual({ text: 'A\ufeff', invalid: [] });
    expect(decodeInChunks(utf8, hex('ef bb bf 41'), [1, 2])).toEqual({ text: 'A', invalid: [] });
  });

  it('decodes like WHATWG TextDecoder, one offset per replacement character', () => {
    const whatwg = new TextDecoder('utf-8', { ignoreBOM: true });
    fc.assert(
      fc.property(utf8ish, (bytes) => {
        fc.pre(!bytes.includes(hex('efbfbd')) && !bytes.subarray(0, 3).equals(hex('efbbbf')));
        const { text, invalid } = utf8.decode(bytes);
        expect(text).toBe(whatwg.decode(bytes));
        expect(invalid).toHaveLength(text.split('\ufffd').length - 1);
        expect([...invalid].sort((a, b) => a - b)).toEqual(invalid);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes in chunks exactly as whole, characters split anywhere', () => {
    fc.assert(
      fc.property(utf8ish, fc.array(fc.nat(160), { maxLength: 8 }), (bytes, cuts) => {
        expect(decodeInChunks(utf8, bytes, cuts)).toEqual(utf8.decode(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('encodes text, reporting lone surrogates (written as U+FFFD)', () => {
    expect(utf8.encode('a\u{1f600}é')).toEqual({ bytes: hex('61 f09f9880 c3a9'), unencodable: [] });
    expect(utf8.encode('a\ud800b\udc00')).toEqual({ bytes: hex('61 efbfbd 62 efbfbd'), unencodable: [1, 3] });
  });

  it('is neither single-byte nor EBCDIC', () => {
    expect(utf8).toMatchObject({ name: 'utf-8', singleByte: false, ebcdic: false, space: 0x20, digitZero: 0x30 });
  });
});

describe.each([
  ['utf-16le', false],
  ['utf-16be', true],
] as const)('%s', (name, bigEndian) => {
  const codec = textCodec(name);
  const units = (...u: number[]) => Buffer.from(u.flatMap((x) => (bigEndian ? [x >> 8, x & 0xff] : [x & 0xff, x >> 8])));

  it('round-trips any well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (text) => {
        fc.pre(!text.startsWith('\ufeff'));
        const { bytes, unencodable } = codec.encode(text);
        expect(unencodable).toEqual([]);
        expect(bytes).toEqual(units(...Array.from({ length: text.length }, (_, i) => text.charCodeAt(i))));
        expect(codec.decode(bytes)).toEqual({ text, invalid: [] });
      }),
      { numRuns: 200 },
    );
  });

  it('reports lone surrogates and an odd last byte by byte offset', () => {
    const bytes = Buffer.concat([units(0x41, 0xdc00, 0xd83d, 0xde00, 0xd800, 0x42), Buffer.of(0x43)]);
    expect(codec.decode(bytes)).toEqual({ text: 'A\ufffd\u{1f600}\ufffdB\ufffd', invalid: [2, 8, 12] });
  });

  it('drops the byte-order mark and keeps pairs split across chunks whole', () => {
    const bytes = units(0xfeff, 0x41, 0xd83d, 0xde00, 0x42);
    for (const cut of [1, 2, 3, 5, 6, 7, 9]) expect(decodeInChunks(codec, bytes, [cut])).toEqual({ text: 'A\u{1f600}B', invalid: [] });
  });

  it('reports a lone surrogate it is asked to encode', () => {
    expect(codec.encode('A\udc00')).toEqual({ bytes: units(0x41, 0xfffd), unencodable: [1] });
  });
});
