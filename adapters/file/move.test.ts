import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../../src/core/errors.js';
import { moveInto, timeStamp, withSuffix } from './move.js';
import { tempDir } from './test-support.js';

const made: string[] = [];
async function folder(): Promise<string> {
  const d = await tempDir();
  made.push(d);
  return d;
}
afterEach(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('timeStamp and withSuffix', () => {
  it('stamps UTC time to the second', () => {
    expect(timeStamp(new Date('2026-11-28T10:15:00.789Z'))).toBe('20261128T101500Z');
  });

  it('puts the suffix before the extension', () => {
    expect(withSuffix('orders.txt', 1)).toBe('orders.1.txt');
    expect(withSuffix('archive.tar.gz', 2)).toBe('archive.tar.2.gz');
    expect(withSuffix('README', 3)).toBe('README.3');
    expect(withSuffix('.profile', 1)).toBe('.profile.1');
  });
});

describe('moveInto', () => {
  it('creates the folder, moves the file and never replaces another', async () => {
    const dir = await folder();
    const target = join(dir, 'a', 'b');
    for (const body of ['one', 'two', 'three']) {
      await writeFile(join(dir, 'f.txt'), body);
      await moveInto(join(dir, 'f.txt'), target, 'f.txt');
    }
    expect((await readdir(target)).sort()).toEqual(['f.1.txt', 'f.2.txt', 'f.txt']);
    expect(await readFile(join(target, 'f.2.txt'), 'utf8')).toBe('three');
    expect(await readdir(dir)).toEqual(['a']);
  });

  it('fails with a RetryableError naming the file and folder, leaving the file in place', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'f.txt'), 'x');
    await writeFile(join(dir, 'blocker'), 'x');
    const err = await moveInto(join(dir, 'f.txt'), join(dir, 'blocker', 'sub'), 'f.txt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toBe(
      `cannot move f.txt to ${join(dir, 'blocker', 'sub')}: ENOTDIR: not a directory, mkdir '${join(dir, 'blocker', 'sub')}'`,
    );
    expect(await readFile(join(dir, 'f.txt'), 'utf8')).toBe('x');
  });

  it('fails when the file is gone', async () => {
    const dir = await folder();
    await expect(moveInto(join(dir, 'nope.txt'), join(dir, 'out'), 'nope.txt')).rejects.toThrow(
      `cannot move nope.txt to ${join(dir, 'out')}: ENOENT`,
    );
  });

  it('copies then removes across file systems (EXDEV)', async (ctx) => {
    const dir = await folder();
    const shm = '/dev/shm';
    const other = await stat(shm).catch(() => undefined);
    if (!other || other.dev === (await stat(dir)).dev) ctx.skip();
    const target = join(shm, `lb-move-${process.pid}-${Date.now()}`);
    made.push(target);
    await mkdir(target);
    await writeFile(join(dir, 'f.txt'), Buffer.alloc(3 * 1024 * 1024, 7));
    const to = await moveInto(join(dir, 'f.txt'), target, 'f.txt');
    expect(to).toBe(join(target, 'f.txt'));
    expect(await readdir(target)).toEqual(['f.txt']);
    expect((await stat(to)).size).toBe(3 * 1024 * 1024);
    expect(await readdir(dir)).toEqual([]);
  });
});
