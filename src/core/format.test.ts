import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { byteChunks } from './format.js';

async function collect(chunks: AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of chunks) {
    expect(Buffer.isBuffer(c)).toBe(true);
    out.push(c.toString('latin1'));
  }
  return out;
}

describe('byteChunks', () => {
  it('gives a buffer, a stream of buffers and one of plain Uint8Arrays as Buffers of the same bytes', async () => {
    expect(await collect(byteChunks(Buffer.from('ab')))).toEqual(['ab']);
    expect(await collect(byteChunks(Readable.from([Buffer.from('a'), Buffer.from('\xff', 'latin1')])))).toEqual(['a', '\xff']);
    const view = new Uint8Array([0x78, 0x41, 0x42, 0x79]).subarray(1, 3);
    expect(await collect(byteChunks(Readable.from([view], { objectMode: true })))).toEqual(['AB']);
  });

  it('refuses text unless told what it becomes: its bytes are gone', async () => {
    const text = () => Readable.from(['é'], { objectMode: true });
    await expect(collect(byteChunks(text()))).rejects.toThrow('a delivery must be read as bytes, not text');
    expect(await collect(byteChunks(text(), (t) => Buffer.from(t, 'utf8')))).toEqual(['\xc3\xa9']);
  });
});
