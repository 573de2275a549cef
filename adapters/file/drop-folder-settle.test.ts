import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError, RetryableError } from '../../src/core/errors.js';
import { expectDelivery, startSource, STAMP, tempDir, type Harness } from './test-support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function start(options: Record<string, unknown>, files: Record<string, string>): Promise<Harness> {
  const dir = await tempDir();
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  h = await startSource(options, dir);
  return h;
}

describe('drop-folder source: ack and nack', () => {
  it('ack moves the file to processed/ under a stamped name, with a suffix on collision', async () => {
    const { dir, next } = await start({}, { 'orders.txt': 'v1' });
    await expectDelivery(await next()).ack();
    await writeFile(join(dir, 'orders.txt'), 'v2');
    const again = expectDelivery(await next());
    expect(again.id).toBe(createHash('sha256').update('v2').digest('hex'));
    await again.ack();
    const processed = join(dir, 'processed');
    expect((await readdir(processed)).sort()).toEqual([`${STAMP}_orders.1.txt`, `${STAMP}_orders.txt`]);
    expect(await readFile(join(processed, `${STAMP}_orders.txt`), 'utf8')).toBe('v1');
    expect(await readFile(join(processed, `${STAMP}_orders.1.txt`), 'utf8')).toBe('v2');
  });

  it('nack moves the file to failed/ with NAME.errors.json listing every DataError detail', async () => {
    const { dir, next } = await start({}, { 'orders.txt': 'bad' });
    const d = expectDelivery(await next());
    const details = [
      { code: 'record.length' as const, message: 'record is 3 bytes, expected 80', position: { file: 'orders.txt', line: 1, record: 1 } },
      { code: 'file.trailer' as const, message: 'trailer missing' },
    ];
    await d.nack(new DataError(details));
    const failed = join(dir, 'failed');
    expect((await readdir(failed)).sort()).toEqual([`${STAMP}_orders.txt`, `${STAMP}_orders.txt.errors.json`]);
    const report = JSON.parse(await readFile(join(failed, `${STAMP}_orders.txt.errors.json`), 'utf8'));
    expect(report).toEqual({ file: 'orders.txt', sha256: d.id, failedAt: '2026-11-28T10:15:00.000Z', errors: details });
    expect(await readdir(dir)).toEqual(['failed']);
  });

  it('settles legal names too long for a stamp by shortening their stem, keeping the extension and the report whole', async () => {
    const long = `${'é'.repeat(60)}${'L'.repeat(120)}.csv`;
    expect(Buffer.byteLength(long)).toBe(244);
    const { dir, next } = await start({}, { [long]: 'a', [`x${long.slice(1)}`]: 'b' });
    await expectDelivery(await next()).nack(new Error('bad'));
    await expectDelivery(await next()).ack();
    const [failed, report] = (await readdir(join(dir, 'failed'))).sort();
    // Taken in name order: "x…" before "é…".
    expect(failed).toMatch(new RegExp(`^${STAMP}_xé+L+~\\.csv$`));
    expect(report).toBe(`${failed}.errors.json`);
    expect(Buffer.byteLength(report)).toBeLessThanOrEqual(255 - '.1000..tmp'.length);
    expect(JSON.parse(await readFile(join(dir, 'failed', report), 'utf8'))).toMatchObject({ file: `x${long.slice(1)}` });
    const [processed] = await readdir(join(dir, 'processed'));
    expect(processed).toMatch(new RegExp(`^${STAMP}_é+L+~\\.csv$`));
    expect((await readdir(dir)).sort()).toEqual(['failed', 'processed']);
  });

  it('nack with any other error records its class and message', async () => {
    const { dir, next } = await start({}, { 'x.txt': 'x' });
    await expectDelivery(await next()).nack(new TypeError('boom'));
    const report = JSON.parse(await readFile(join(dir, 'failed', `${STAMP}_x.txt.errors.json`), 'utf8'));
    expect(report.errors).toEqual([{ error: 'TypeError', message: 'boom' }]);
  });

  it('acks a file of failed/ given by hand by moving it into processed/, its report removed, and nothing else', async () => {
    const { dir, next, source } = await start({}, { 'x.txt': 'x' });
    await expectDelivery(await next()).nack(new Error('bad'));
    const failed = join(dir, 'failed', `${STAMP}_x.txt`);
    await writeFile(join(dir, 'elsewhere.txt'), 'e');
    expect(await source.ackByHand(join(dir, 'elsewhere.txt'))).toBeUndefined();
    expect(await source.ackByHand(`${failed}.errors.json`)).toBeUndefined();
    // The same folder through a symbolic link is still failed/.
    await symlink(dir, `${dir}-link`);
    const ack = await source.ackByHand(join(`${dir}-link`, 'failed', `${STAMP}_x.txt`));
    expect(await ack!()).toBe(`moved to ${join(dir, 'processed', `${STAMP}_x.txt`)}, its errors report removed`);
    expect(await readdir(join(dir, 'failed'))).toEqual([]);
    expect(await readFile(join(dir, 'processed', `${STAMP}_x.txt`), 'utf8')).toBe('x');
    expect((await readdir(dir)).sort()).toEqual(['elsewhere.txt', 'failed', 'processed']);
    await rm(`${dir}-link`);
  });

  it('says when the report could not be removed after the move, and throws, leaving the file, when the move fails', async () => {
    const { dir, next, source } = await start({}, { 'y.txt': 'y', 'z.txt': 'z' });
    await expectDelivery(await next()).nack(new Error('bad'));
    await expectDelivery(await next()).nack(new Error('bad'));
    const failedY = join(dir, 'failed', `${STAMP}_y.txt`);
    // A report that rm cannot remove: a folder with something in it.
    await rm(`${failedY}.errors.json`);
    await mkdir(`${failedY}.errors.json`);
    await writeFile(join(`${failedY}.errors.json`, 'keep'), '');
    const y = await source.ackByHand(failedY);
    expect(await y!()).toMatch(new RegExp(`^moved to .*processed/${STAMP}_y\\.txt; its errors report could not be removed: `));
    const failedZ = join(dir, 'failed', `${STAMP}_z.txt`);
    const z = await source.ackByHand(failedZ);
    await rm(join(dir, 'processed'), { recursive: true });
    await writeFile(join(dir, 'processed'), 'not a folder');
    await expect(z!()).rejects.toThrow(RetryableError);
    expect(await readFile(failedZ, 'utf8')).toBe('z');
  });

  it('rejects a second settle of the same delivery', async () => {
    const { next } = await start({}, { 'x.txt': 'x' });
    const d = expectDelivery(await next());
    await d.ack();
    await expect(d.nack(new Error('late'))).rejects.toThrow('delivery x.txt is already settled');
  });
});

describe('drop-folder source: a move that fails', () => {
  it('rejects ack with a clear error, leaves the file, and does not take it again until it changes', async () => {
    const { dir, next, warnings } = await start({ include: '*.txt' }, { 'orders.txt': 'A', processed: 'not a folder' });
    const d = expectDelivery(await next());
    const failure = d.ack();
    await expect(failure).rejects.toBeInstanceOf(RetryableError);
    await expect(failure).rejects.toThrow(
      `cannot move orders.txt to ${join(dir, 'processed')}: EEXIST: file already exists, mkdir '${join(dir, 'processed')}'`,
    );
    expect((await readdir(dir)).sort()).toEqual(['orders.txt', 'processed']);
    expect(warnings).toEqual(['orders.txt stays in the drop folder; it is taken again in 60 s, or when it changes']);
    expect(await next(300)).toBe('timeout');

    // Touched but with the same content: still the same file (path + sha256).
    const later = new Date(Date.now() + 5000);
    await utimes(join(dir, 'orders.txt'), later, later);
    expect(await next(300)).toBe('timeout');

    await appendFile(join(dir, 'orders.txt'), 'B');
    const changed = expectDelivery(await next());
    expect(changed.id).not.toBe(d.id);
  });

  it('never takes a stray file named like the settle folders as data, even with include *', async () => {
    const { next } = await start({}, { processed: 'not a folder', failed: 'nor this' });
    expect(await next(300)).toBe('timeout');
  });

  it('rejects nack the same way when failed/ cannot be created, writing nothing', async () => {
    const { dir, next } = await start({ include: '*.txt' }, { 'orders.txt': 'A', failed: 'not a folder' });
    const d = expectDelivery(await next());
    await expect(d.nack(new Error('bad'))).rejects.toThrow(`cannot move orders.txt to ${join(dir, 'failed')}: EEXIST`);
    expect((await readdir(dir)).sort()).toEqual(['failed', 'orders.txt']);
    expect(await next(250)).toBe('timeout');
  });

  it('takes a file it could not move again after settleRetryMs, unchanged, so a fixed folder needs no restart', async () => {
    const { dir, next } = await start({ include: '*.txt', settleRetryMs: 400 }, { 'orders.txt': 'A', processed: 'not a folder' });
    const d = expectDelivery(await next());
    await expect(d.ack()).rejects.toThrow(/EEXIST/);
    expect(await next(200)).toBe('timeout');
    await rm(join(dir, 'processed'));
    const again = expectDelivery(await next(2000));
    expect(again.id).toBe(d.id);
    await again.ack();
    expect(await readdir(join(dir, 'processed'))).toEqual([`${STAMP}_orders.txt`]);
  });

  it('lets a failed ack be tried again once the folder is fixed', async () => {
    const { dir, next } = await start({ include: '*.txt', processedDir: 'done/ok' }, { 'orders.txt': 'A', done: 'file' });
    const d = expectDelivery(await next());
    await expect(d.ack()).rejects.toThrow(/ENOTDIR|EEXIST/);
    await rm(join(dir, 'done'));
    await mkdir(join(dir, 'done'));
    await d.ack();
    expect(await readdir(join(dir, 'done', 'ok'))).toEqual([`${STAMP}_orders.txt`]);
    expect(await next(250)).toBe('timeout');
  });
});
