import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkError, type OutboundMessage } from '../../src/core/sink.js';
import { compileGlobs } from './glob.js';
import { fileSourceOptions } from './options.js';
import { fileSinkOptions } from './sink-options.js';
import { batchFileName, FileSink } from './sink.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lb-file-sink-'));
  dirs.push(d);
  return d;
};

const message = (first: number, last: number, body: string): OutboundMessage => ({
  id: `out:${first}-${last}`,
  body: Buffer.from(body),
  contentType: 'text/csv',
  changes: Array.from({ length: last - first + 1 }, (_, i) => ({ seq: first + i, type: 'Row', key: `R${first + i}`, op: 'created' as const, version: 1 })),
  at: '2026-11-28T10:15:00.123Z',
});
const signal = new AbortController().signal;

describe('file sink', () => {
  it('names a batch from its template: flow, first and last seq, commit time', () => {
    expect(batchFileName('{flow}_{time}_{seq}-{lastSeq}.csv', 'prices-out', message(7, 9, ''))).toBe('prices-out_20261128T101500Z_000000000007-000000000009.csv');
  });

  it('writes each batch whole under its name, with a done marker, leaving no temporary file; the same batch again replaces its file', async () => {
    const dir = join(tempDir(), 'outbox');
    const sink = new FileSink(dir, 'out', fileSinkOptions.parse({ path: dir, doneMarker: true }));
    await sink.write(message(1, 2, 'a\nb\n'), signal);
    await sink.write(message(3, 3, 'c\n'), signal);
    await sink.write(message(1, 2, 'a\nb\n'), signal);
    expect(readdirSync(dir).sort()).toEqual(['out-000000000001.dat', 'out-000000000001.dat.done', 'out-000000000003.dat', 'out-000000000003.dat.done']);
    expect(readFileSync(join(dir, 'out-000000000001.dat'), 'utf8')).toBe('a\nb\n');
  });

  it('uses a temporary name that drop-folder readers never take', () => {
    const { exclude } = fileSourceOptions.parse({ path: 'in' });
    const excluded = compileGlobs(typeof exclude === 'string' ? [exclude] : exclude);
    expect(excluded(`.out-000000000001.dat.${process.pid}.tmp`)).toBe(true);
  });

  it('fails with an io SinkError naming the file when the folder cannot be written', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const sink = new FileSink(blocker, 'out', fileSinkOptions.parse({ path: blocker }));
    const error = await sink.write(message(1, 1, 'a'), signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error).toMatchObject({ outcome: 'io', permanent: false });
    expect((error as Error).message).toContain(join(blocker, 'out-000000000001.dat'));
  });
});
