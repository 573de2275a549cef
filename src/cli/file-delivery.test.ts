import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileDelivery } from './file-delivery.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function read(stream: AsyncIterable<unknown>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

function file(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-delivery-'));
  dirs.push(dir);
  const path = join(dir, 'rows.csv');
  writeFileSync(path, body);
  return path;
}

describe('a file named on the command line', () => {
  it('reads the bytes it was hashed with, counting them, and no more', async () => {
    const path = file('R1\nR2\n');
    const seen: number[] = [];
    const d = await fileDelivery(path, (n) => seen.push(n));
    appendFileSync(path, 'R3\n');
    expect(await read(d.open() as AsyncIterable<unknown>)).toBe('R1\nR2\n');
    expect(seen.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('fails the read, by name, when the file was rewritten after it was hashed', async () => {
    const path = file('R1\nR2\n');
    const d = await fileDelivery(path);
    writeFileSync(path, 'R1\nXX\n');
    await expect(read(d.open() as AsyncIterable<unknown>)).rejects.toMatchObject({ name: 'DeliveryChangedError', message: expect.stringMatching(/^rows\.csv changed while it was read/) });
  });

  it('fails the read when the file is gone', async () => {
    const path = file('R1\n');
    const d = await fileDelivery(path);
    rmSync(path);
    await expect(read(d.open() as AsyncIterable<unknown>)).rejects.toMatchObject({ name: 'DeliveryChangedError', message: 'rows.csv is gone (moved or deleted) while it was read' });
  });

  it('settles in place, unmarked in the store, unless its ack moves it (a file of a source\'s failed/)', async () => {
    expect((await fileDelivery(file('R1\n'))).settlesInPlace).toBe(true);
    expect((await fileDelivery(file('R1\n'), undefined, async () => undefined)).settlesInPlace).toBe(false);
  });
});
