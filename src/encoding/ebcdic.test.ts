import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { EBCDIC_PAGES, textCodec } from './index.js';

const GLIBC_ICONV = '/usr/bin/iconv';
const hasGlibc = existsSync(GLIBC_ICONV);
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, b) => b));

describe.each(Object.entries(EBCDIC_PAGES))('%s', (name, page) => {
  const codec = textCodec(name);

  it.skipIf(!hasGlibc)(`decodes every byte exactly as glibc ${page.glibc} does`, () => {
    const glibc = execFileSync(GLIBC_ICONV, ['-f', page.glibc, '-t', 'UTF-16LE'], { input: ALL_BYTES });
    const { text, invalid } = codec.decode(ALL_BYTES);
    expect(invalid).toEqual([]);
    expect(Buffer.from(text, 'utf16le').equals(glibc)).toBe(true);
  });

  it.skipIf(!hasGlibc)(`encodes every character exactly as glibc ${page.glibc} does`, () => {
    const text = codec.decode(ALL_BYTES).text;
    const glibc = execFileSync(GLIBC_ICONV, ['-f', 'UTF-16LE', '-t', page.glibc], { input: Buffer.from(text, 'utf16le') });
    expect(codec.encode(text).bytes.equals(glibc)).toBe(true);
  });

  it('round-trips every byte: encode(decode(b)) === b', () => {
    for (let b = 0; b < 256; b++) {
      const { text, invalid } = codec.decode(Buffer.of(b));
      expect(invalid).toEqual([]);
      expect(text).toHaveLength(1);
      expect(codec.encode(text)).toEqual({ bytes: Buffer.of(b), unencodable: [] });
    }
  });

  it('is single-byte EBCDIC: space 0x40, digits 0xF0–0xF9, capital letters from 0xC1', () => {
    expect(codec).toMatchObject({ name, singleByte: true, ebcdic: true, space: 0x40, digitZero: 0xf0 });
    expect(codec.decode(Buffer.from('40f0f1f2f3f4f5f6f7f8f9c1c2c3d1e2e9', 'hex')).text).toBe(' 0123456789ABCJSZ');
  });

  it('is registered with iconv-lite under its name and aliases, with the same table', () => {
    for (const alias of [name, ...page.aliases, name.toUpperCase()]) {
      expect(iconv.decode(ALL_BYTES, alias)).toBe(codec.decode(ALL_BYTES).text);
    }
  });

  it('writes SUB (0x3F) for a character it lacks and reports its offset', () => {
    expect(codec.encode('A\u4e00B\u{1f600}?')).toEqual({ bytes: Buffer.from('c13fc23f6f', 'hex'), unencodable: [1, 3] });
  });

  it('decodes in chunks exactly as whole', () => {
    const decoder = codec.decoder();
    const text = decoder.write(ALL_BYTES.subarray(0, 100)) + decoder.write(ALL_BYTES.subarray(100)) + decoder.end();
    expect(text).toBe(codec.decode(ALL_BYTES).text);
    expect(decoder.takeInvalid()).toEqual([]);
  });
});

describe('EBCDIC code page differences', () => {
  const decodeByte = (name: string, b: number) => textCodec(name).decode(Buffer.of(b)).text;

  it('cp1140 is cp037 with the euro at 0x9F', () => {
    expect(decodeByte('cp037', 0x9f)).toBe('¤');
    expect(decodeByte('cp1140', 0x9f)).toBe('€');
    const differing = [...ALL_BYTES].filter((b) => decodeByte('cp037', b) !== decodeByte('cp1140', b));
    expect(differing).toEqual([0x9f]);
  });

  it('brackets sit where each page puts them (the classic EBCDIC mojibake)', () => {
    expect(textCodec('cp037').encode('[]').bytes).toEqual(Buffer.of(0xba, 0xbb));
    expect(textCodec('cp500').encode('[]').bytes).toEqual(Buffer.of(0x4a, 0x5a));
    expect(textCodec('cp1047').encode('[]').bytes).toEqual(Buffer.of(0xad, 0xbd));
    expect(textCodec('cp273').encode('Ä').bytes).toEqual(Buffer.of(0x4a));
  });

  it('follows glibc on line ends: 0x25 is LF, 0x15 is NEL (U+0085), in cp037 and cp1047 alike', () => {
    for (const name of ['cp037', 'cp1047']) {
      expect(decodeByte(name, 0x25)).toBe('\n');
      expect(decodeByte(name, 0x15)).toBe('\u0085');
    }
  });

  it('decodes a large record through the wide path (€) and the Latin-1 path alike', () => {
    const big = Buffer.alloc(200_000, 0xc1);
    big[123_456] = 0x9f;
    const text = textCodec('cp1140').decode(big).text;
    expect(text).toHaveLength(200_000);
    expect(text[123_456]).toBe('€');
    expect(text.replace('€', '')).toBe('A'.repeat(199_999));
    expect(textCodec('cp037').decode(big).text[123_456]).toBe('¤');
  });
});
