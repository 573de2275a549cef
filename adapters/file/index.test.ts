import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { fileSource } from './index.js';
import { expectDelivery, sleep, startSource, tempDir, type Harness } from './test-support.js';

const context = { file: 'bridge.yaml', path: 'flows.orders.source.file', resolve: (p: string) => join('/srv/bridge', p) };

describe('fileSource declaration', () => {
  it('declares a source named file, with every option described', () => {
    expect(fileSource).toMatchObject({ kind: 'source', name: 'file' });
    expect(fileSource.summary.length).toBeGreaterThan(20);
    for (const [key, schema] of Object.entries(fileSource.options.shape)) {
      expect(schema.description, key).toBeTruthy();
    }
  });

  it('fills in the documented defaults and refuses unknown options', () => {
    expect(fileSource.options.parse({ path: './var/inbox' })).toEqual({
      path: './var/inbox',
      include: '*',
      exclude: ['*.tmp', '.*'],
      readiness: 'stable',
      stableMs: 1000,
      pollMs: 500,
      settleRetryMs: 60_000,
      order: 'name',
      processedDir: 'processed',
      failedDir: 'failed',
    });
    expect(fileSource.options.safeParse({ path: 'x', procesedDir: 'p' }).success).toBe(false);
    expect(fileSource.options.safeParse({ path: 'x', readiness: 'size' }).success).toBe(false);
  });

  it('refuses path globs and settling into the watched folder, listing every problem', () => {
    const options = fileSource.options.parse({ path: 'in', include: ['*.txt', 'sub/*.txt'], processedDir: '.', failedDir: '../in' });
    let error: unknown;
    try {
      fileSource.create(options, context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      [
        'bridge.yaml (flows.orders.source.file.include[1]): expected a file-name glob without "/", got "sub/*.txt"',
        'bridge.yaml (flows.orders.source.file.processedDir): must not be the watched folder itself (/srv/bridge/in)',
        'bridge.yaml (flows.orders.source.file.failedDir): must not be the watched folder itself (/srv/bridge/in)',
      ].join('\n'),
    );
  });

  it('creates a source without touching the folder', () => {
    const source = fileSource.create(fileSource.options.parse({ path: 'does-not-exist' }), context);
    expect(typeof source.read).toBe('function');
  });
});

describe('file source: polling and events', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.dispose();
    h = undefined;
  });

  it('takes a new file soon after it appears even with a long poll interval', async () => {
    h = await startSource({ pollMs: 10_000, stableMs: 100 });
    await sleep(50);
    const t0 = Date.now();
    await writeFile(join(h.dir, 'late.txt'), 'x');
    const d = expectDelivery(await h.next(3000));
    expect(d.meta.name).toBe('late.txt');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('makes a missing folder, and fails the read with a RetryableError when it cannot', async () => {
    h = await startSource({ path: 'missing/inbox' });
    expect(await h.next(300)).toBe('timeout');
    expect(statSync(join(h.dir, 'missing', 'inbox')).isDirectory()).toBe(true);
    await h.dispose();
    const dir = await tempDir();
    await writeFile(join(dir, 'not-a-folder'), '');
    h = await startSource({ path: 'not-a-folder/inbox' }, dir);
    await expect(h.next()).rejects.toThrow(`cannot create the drop folder ${join(dir, 'not-a-folder', 'inbox')}: ENOTDIR`);
  });
});
