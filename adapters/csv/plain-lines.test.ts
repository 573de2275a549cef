import { Parser } from 'csv-parse';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunked, csv, decodeAll } from './test-helpers.js';

afterEach(() => {
  delete process.env.BRIDGE_CSV_PLAIN;
  vi.restoreAllMocks();
});

/** Decodes `input` in each chunking, split here where it is plain and by csv-parse alone, and expects the same items. */
async function sameAsCsvParse(options: Record<string, unknown>, input: Buffer, chunkSizes = [1, 7, 4096, input.length || 1]): Promise<number> {
  let items = 0;
  for (const size of chunkSizes) {
    delete process.env.BRIDGE_CSV_PLAIN;
    const plain = await decodeAll(csv(options), chunked(input, size));
    process.env.BRIDGE_CSV_PLAIN = 'never';
    const parsed = await decodeAll(csv(options), chunked(input, size));
    expect(plain.items, `${JSON.stringify(options)}, chunks of ${size}`).toEqual(parsed.items);
    items = plain.items.length;
  }
  return items;
}

/** Lines of values drawn from a small alphabet that has what plain reading must get right. */
function lines(count: number, seed: number, alphabet: string[]): string {
  let x = seed;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const fields = Array.from({ length: 1 + next(4) }, () => Array.from({ length: next(6) }, () => alphabet[next(alphabet.length)]).join(''));
    out.push(fields.join(','));
  }
  return out.join('\n');
}

describe('csv plain lines', () => {
  const alphabet = ['a', 'Z', ' ', '9', 'ä', '€', '😀', '\t', ';', '\n', '\n'];

  it('gives what csv-parse gives: values, lines, raw text, column errors, blank lines, a last line without LF', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const text = 'a,b,c\n' + lines(300, seed, alphabet) + (seed % 2 ? '\n' : '');
      expect(await sameAsCsvParse({ columnCount: 'pad' }, Buffer.from(text))).toBeGreaterThan(100);
      await sameAsCsvParse({ header: false, columns: ['a', 'b', 'c'], skipEmptyLines: false }, Buffer.from(text));
      await sameAsCsvParse({ recordDelimiter: 'lf', nullValues: [''] }, Buffer.from(text));
    }
  });

  it('gives csv-parse nothing of plain input, and all from the first slice that is not plain', async () => {
    const written = vi.spyOn(Parser.prototype, 'write');
    const plain = 'a,b\n' + '1,2\n'.repeat(20_000);
    await decodeAll(csv(), plain + '3,4');
    expect(written).not.toHaveBeenCalled();
    const quoted = plain + '3,"x"\n' + '5,6\n'.repeat(20_000);
    await decodeAll(csv(), quoted);
    const bytes = written.mock.calls.reduce((n, [chunk]) => n + (chunk as Buffer).length, 0);
    // The quote is in the second slice (64 KiB): csv-parse reads from the line the first one ended in.
    const splitHere = quoted.length - bytes;
    expect(splitHere).toBeGreaterThan(65_536 - 4);
    expect(splitHere).toBeLessThanOrEqual(65_536);
  });

  it('hands over to csv-parse at the first slice with a quote, comment mark or CR, and at an over-long line', async () => {
    const head = 'a,b\n' + '1,2\n'.repeat(3000);
    for (const tail of ['x,"y\nz",w\n5,6\n', '# note\n5,6\n', '5,6\r\n7,8\r\n', `5,${'x'.repeat(1500)}\n7,8\n`]) {
      const input = Buffer.from(head + tail + '9,10\n'.repeat(3000));
      await sameAsCsvParse({ comment: '#', maxRecordSize: 1024 }, input, [1000, 4096, input.length]);
    }
  });

  it('leaves a last line too long for maxRecordSize to csv-parse, with or without its LF', async () => {
    // Each time: the records before it, then the fatal failure.
    for (const [text, items] of [[`a\n1\n${'x'.repeat(2000)}`, 2], [`a,b\nk,${'x'.repeat(1025)}`, 1], [`a\n1\n${'x'.repeat(2000)}\n`, 2]] as const) {
      expect(await sameAsCsvParse({ maxRecordSize: 1024 }, Buffer.from(text))).toBe(items);
    }
  });

  it('reports bytes that are not UTF-8, and reads legacy code pages, as csv-parse does', async () => {
    const bad = Buffer.concat([Buffer.from('a,b\n1,x'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from(',2\n3,ok\n'), Buffer.from([0xc3]), Buffer.from('\n')]);
    expect(await sameAsCsvParse({ columnCount: 'pad' }, bad)).toBe(3);
    expect(await sameAsCsvParse({ encoding: 'windows-1252', delimiter: ';' }, Buffer.from('a;b\nZoë;Köln\x80\n', 'latin1'))).toBe(1);
  });
});
