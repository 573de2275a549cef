import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkFor, hashFile, READ_CHUNK } from './hash.js';
import { tempDir } from './test-support.js';

describe('hashFile', () => {
  it('digests the whole file whatever the size hint, and counts its bytes', async () => {
    const dir = await tempDir();
    try {
      const body = Buffer.alloc(2.5 * READ_CHUNK, 'abc');
      await writeFile(join(dir, 'f'), body);
      const want = createHash('sha256').update(body).digest('hex');
      expect(await hashFile(join(dir, 'f'))).toEqual({ sha256: want, bytes: body.length });
      expect(await hashFile(join(dir, 'f'), undefined, 10)).toEqual({ sha256: want, bytes: body.length });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects with an AbortError when the signal is aborted', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir, 'f'), Buffer.alloc(4 * READ_CHUNK));
      await expect(hashFile(join(dir, 'f'), AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('chunkFor', () => {
  it('sizes read buffers between 16 KiB and 1 MiB', () => {
    expect([0, 100, 64 * 1024, 50 * READ_CHUNK].map(chunkFor)).toEqual([16 * 1024, 16 * 1024, 64 * 1024, READ_CHUNK]);
  });
});
