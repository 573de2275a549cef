import { createHash } from 'node:crypto';
import { appendFile, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileDelivery } from './file-delivery.js';
import { escapedName } from './scan.js';
import { expectDelivery, readBody, sleep, startSource, STAMP, tempDir, type Harness } from './test-support.js';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function start(options: Record<string, unknown> = {}, files: Record<string, string> = {}): Promise<Harness> {
  const dir = await tempDir();
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  h = await startSource(options, dir);
  return h;
}

describe('drop-folder source: taking files', () => {
  it('takes a complete file once, with its sha256, size and meta, and re-reads it on each open()', async () => {
    const { dir, next } = await start({}, { 'orders.txt': 'A1\nA2\n' });
    const d = expectDelivery(await next());
    expect(d.id).toBe(sha('A1\nA2\n'));
    expect(d.size).toBe(6);
    expect(d.meta).toMatchObject({ name: 'orders.txt', 'file.path': join(dir, 'orders.txt'), 'file.size': 6 });
    expect(new Date(d.meta['file.mtime'] as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await readBody(d.open())).toString()).toBe('A1\nA2\n');
    expect((await readBody(d.open())).toString()).toBe('A1\nA2\n');
    await d.ack();
    expect(await readdir(join(dir, 'processed'))).toEqual([`${STAMP}_orders.txt`]);
    expect(await next(300)).toBe('timeout');
  });

  it('does not take a file still being appended to until it stops growing', async () => {
    const { dir, next } = await start({ stableMs: 200 });
    const path = join(dir, 'growing.txt');
    await writeFile(path, 'line 0\n');
    const first = next(50);
    let lastWrite = Date.now();
    for (let i = 1; i <= 8; i++) {
      await sleep(30);
      await appendFile(path, `line ${i}\n`);
      lastWrite = Date.now();
    }
    expect(await first).toBe('timeout');
    const d = expectDelivery(await next());
    expect(Date.now() - lastWrite).toBeGreaterThanOrEqual(190);
    const body = (await readBody(d.open())).toString();
    expect(body.split('\n').filter(Boolean)).toHaveLength(9);
    expect(d.id).toBe(sha(body));
  });

  it('gives up a delivery whose file is rewritten before it is read to the end, and takes the new content once stable', async () => {
    const { dir, next } = await start({}, { 'rows.csv': 'R1\nR2\nR3\n' });
    const d = expectDelivery(await next());
    await writeFile(join(dir, 'rows.csv'), 'R1\nXX\n');
    await expect(readBody(d.open())).rejects.toMatchObject({ name: 'DeliveryChangedError', message: expect.stringContaining('rows.csv changed while it was read') });
    expect(await (d as FileDelivery).settled).toMatchObject({ moved: false });
    await expect(d.ack()).rejects.toMatchObject({ name: 'DeliveryChangedError' });
    expect(await readdir(dir)).toEqual(['rows.csv']);
    const again = expectDelivery(await next());
    expect(again.id).toBe(sha('R1\nXX\n'));
    expect((await readBody(again.open())).toString()).toBe('R1\nXX\n');
  });

  it('gives up a delivery whose file is gone before it is read, and goes on with the next file', async () => {
    const { dir, next } = await start({}, { 'a.csv': 'A\n', 'b.csv': 'B\n' });
    const d = expectDelivery(await next());
    await rm(join(dir, 'a.csv'));
    await expect(readBody(d.open())).rejects.toMatchObject({ name: 'DeliveryChangedError', message: 'a.csv is gone (moved or deleted) since it was taken: given up' });
    await expect(d.nack(new Error('x'))).rejects.toMatchObject({ name: 'DeliveryChangedError' });
    expect(expectDelivery(await next()).meta.name).toBe('b.csv');
  });

  it('reads only the bytes it was taken with, and leaves a file that grew meanwhile in place, to be taken again whole', async () => {
    const { dir, next } = await start({}, { 'rows.csv': 'R1\nR2\n' });
    const d = expectDelivery(await next());
    await appendFile(join(dir, 'rows.csv'), 'R3\n');
    expect((await readBody(d.open())).toString()).toBe('R1\nR2\n');
    await expect(d.ack()).rejects.toMatchObject({ name: 'DeliveryChangedError', message: expect.stringContaining('rows.csv changed after it was read (size 6 → 9)') });
    expect(await readdir(dir)).toEqual(['rows.csv']);
    const again = expectDelivery(await next());
    expect((await readBody(again.open())).toString()).toBe('R1\nR2\nR3\n');
    await again.ack();
    expect(await readdir(join(dir, 'processed'))).toEqual([`${STAMP}_rows.csv`]);
  });

  it('in marker mode does not read a file that keeps changing back to back: each give-up waits longer', async () => {
    const { dir, next } = await start({ readiness: 'marker' }, { 'batch.dat': 'v1\n', 'batch.dat.done': '' });
    const first = expectDelivery(await next());
    await writeFile(join(dir, 'batch.dat'), 'v2\n');
    await expect(readBody(first.open())).rejects.toMatchObject({ name: 'DeliveryChangedError' });
    const givenUp = performance.now();
    const second = expectDelivery(await next(3000));
    expect(performance.now() - givenUp).toBeGreaterThanOrEqual(950);
    await writeFile(join(dir, 'batch.dat'), 'v3\n');
    await expect(readBody(second.open())).rejects.toMatchObject({ name: 'DeliveryChangedError' });
    // Given up twice in a row: two seconds.
    expect(await next(1500)).toBe('timeout');
    const third = expectDelivery(await next(2000));
    expect((await readBody(third.open())).toString()).toBe('v3\n');
    await third.ack();
    expect((await readdir(dir)).sort()).toEqual(['processed']);
  });

  it('in marker mode takes a file only once NAME.done exists, and removes the marker on ack', async () => {
    const { dir, next } = await start({ readiness: 'marker' }, { 'batch.dat': 'x' });
    expect(await next(250)).toBe('timeout');
    await writeFile(join(dir, 'batch.dat.done'), '');
    const d = expectDelivery(await next());
    expect(d.meta.name).toBe('batch.dat');
    await d.ack();
    expect((await readdir(dir)).sort()).toEqual(['processed']);
  });

  it('ignores *.tmp uploads and dot-files, and takes the file once renamed into place', async () => {
    const { dir, next } = await start({}, { 'upload.txt.tmp': 'data', '.hidden': 'h', 'lone.done': '' });
    expect(await next(250)).toBe('timeout');
    await rename(join(dir, 'upload.txt.tmp'), join(dir, 'upload.txt'));
    const d = expectDelivery(await next());
    expect(d.meta.name).toBe('upload.txt');
    await d.ack();
    expect(await next(200)).toBe('timeout');
  });

  it('takes only included names', async () => {
    const { next } = await start({ include: ['*.txt', 'ORD??.dat'] }, { 'a.csv': '1', 'ORD01.dat': '2', 'ORD1.dat': '3' });
    const d = expectDelivery(await next());
    expect(d.meta.name).toBe('ORD01.dat');
    await d.ack();
    expect(await next(200)).toBe('timeout');
  });

  it('orders ready files by name', async () => {
    const { next } = await start({}, { 'c.txt': 'c', 'a.txt': 'a', 'b.txt': 'b' });
    const names: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const d = expectDelivery(await next());
      names.push(d.meta.name);
      await d.ack();
    }
    expect(names).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });

  it('orders ready files by mtime, oldest first', async () => {
      const dir = await tempDir();
    const base = Date.now() / 1000 - 3600;
    for (const [name, age] of [['a.txt', 10], ['b.txt', 30], ['c.txt', 20]] as const) {
      await writeFile(join(dir, name), name);
      await utimes(join(dir, name), base - age, base - age);
    }
    h = await startSource({ order: 'mtime' }, dir);
    const names: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const d = expectDelivery(await h.next());
      names.push(d.meta.name);
      await d.ack();
    }
    expect(names).toEqual(['b.txt', 'c.txt', 'a.txt']);
  });

  it('yields the next file only after the previous one settled', async () => {
    const { next } = await start({}, { '1.txt': 'one', '2.txt': 'two' });
    const first = expectDelivery(await next());
    expect(await next(250)).toBe('timeout');
    await first.nack(new Error('bad'));
    expect(expectDelivery(await next()).meta.name).toBe('2.txt');
  });

  it('takes a zero-byte file as an empty delivery', async () => {
    const { next } = await start({}, { 'empty.txt': '' });
    const d = expectDelivery(await next());
    expect(d.size).toBe(0);
    expect(d.id).toBe(sha(''));
    expect((await readBody(d.open())).length).toBe(0);
  });

  it('handles names with spaces, quotes, unicode and leading dashes', async () => {
    const odd = ['-rf.txt', ' lead space.txt', `it's "quoted".txt`, 'Bestellung ü 注文.txt', 'a\\b.txt'];
    const { dir, next } = await start({}, Object.fromEntries(odd.map((n) => [n, n])));
    const seen: string[] = [];
    for (let i = 0; i < odd.length; i++) {
      const d = expectDelivery(await next());
      expect((await readBody(d.open())).toString()).toBe(d.meta.name);
      seen.push(d.meta.name as string);
      await d.ack();
    }
    expect(seen.sort()).toEqual([...odd].sort());
    expect((await readdir(join(dir, 'processed'))).sort()).toEqual(odd.map((n) => `${STAMP}_${n}`).sort());
  });

  it('names a file whose name is not UTF-8 in one warning, escaped, asking for a rename, and goes on with the others', async () => {
    const { dir, next, warnings } = await start({ include: '*.csv' }, { 'ok.csv': 'ok' });
    await writeFile(Buffer.from([...Buffer.from(join(dir, 'latin')), 0xe9, ...Buffer.from('.csv')]), 'x');
    await writeFile(Buffer.from([...Buffer.from(join(dir, 'nope')), 0xff, ...Buffer.from('.txt')]), 'x');
    const d = expectDelivery(await next());
    expect(d.meta.name).toBe('ok.csv');
    await d.ack();
    expect(await next(300)).toBe('timeout');
    // Once, while it is there; one the filters would not take is no one's business.
    expect(warnings).toEqual([`cannot take latin\\xe9.csv from ${dir}: its name is not valid UTF-8; rename it (to UTF-8) to have it taken`]);
  });

  it('escapes the bytes of a name that are not UTF-8, and only those', () => {
    expect(escapedName(Buffer.from([0x63, 0xc3, 0xa9, 0xe9, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80, 0xc3]))).toBe('cé\\xe9😀\\xed\\xa0\\x80\\xc3');
  });

  it('gives two files with the same content the same id', async () => {
    const { next } = await start({}, { 'x.txt': 'same', 'y.txt': 'same' });
    const x = expectDelivery(await next());
    await x.ack();
    const y = expectDelivery(await next());
    expect(y.meta.name).toBe('y.txt');
    expect(y.id).toBe(x.id);
  });
});

describe('drop-folder source: stopping', () => {
  it('ends the iterator promptly when the signal aborts while waiting for files', async () => {
    const { abort, next } = await start();
    expect(await next(100)).toBe('timeout');
    const t0 = Date.now();
    abort.abort();
    expect(await next(1000)).toBe('done');
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('ends the iterator on abort while a delivery is unsettled, and on close()', async () => {
    const { source, next } = await start({}, { 'a.txt': 'a' });
    expectDelivery(await next());
    const pending = next(1000);
    await sleep(30);
    await source.close();
    expect(await pending).toBe('done');
  });
});
