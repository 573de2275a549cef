import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Delivery } from '../../src/core/delivery.js';
import type { ByteInput } from '../../src/core/format.js';
import type { SourceContext } from '../../src/core/source.js';
import type { DropFolderSource } from './drop-folder.js';
import { createFileSource } from './index.js';
import { fileSourceOptions } from './options.js';

/** Helpers for the drop-folder tests: real temp folders, short real timings, a fixed stamp clock. */

export const FIXED_NOW = new Date('2026-11-28T10:15:00.000Z');
export const STAMP = '20261128T101500Z';

export interface Harness {
  dir: string;
  source: DropFolderSource;
  abort: AbortController;
  deliveries: AsyncIterator<Delivery>;
  warnings: string[];
  /** The next delivery, or 'timeout' when none comes within `ms`. */
  next(ms?: number): Promise<Delivery | 'timeout' | 'done'>;
  /** Stops the source and removes the folder. */
  dispose(): Promise<void>;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lb-file-'));
}

export async function startSource(options: Record<string, unknown> = {}, dir?: string): Promise<Harness> {
  const folder = dir ?? (await tempDir());
  const warnings: string[] = [];
  const context: SourceContext = {
    file: 'bridge.yaml',
    path: 'flows.orders.source.file',
    resolve: (p) => resolve(folder, p),
    log: { info: () => undefined, warn: (_fields, message) => warnings.push(message) },
  };
  const parsed = fileSourceOptions.parse({ path: '.', stableMs: 100, pollMs: 20, ...options });
  const source = createFileSource(parsed, context, () => FIXED_NOW);
  const abort = new AbortController();
  const deliveries = source.read(abort.signal)[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<Delivery>> | undefined;
  return {
    dir: folder,
    source,
    abort,
    deliveries,
    warnings,
    async next(ms = 2000) {
      // A timed-out next() is still pending on the iterator: the following call waits for it.
      pending ??= deliveries.next();
      const current = pending;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
      const result = await Promise.race([current, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') return result;
      pending = undefined;
      return result.done ? 'done' : result.value;
    },
    async dispose() {
      abort.abort();
      await source.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** A delivery, or fails the test with what came instead. */
export function expectDelivery(d: Delivery | 'timeout' | 'done'): Delivery {
  if (typeof d === 'string') throw new Error(`expected a delivery, got ${d}`);
  return d;
}

export async function readBody(input: ByteInput): Promise<Buffer> {
  if (Buffer.isBuffer(input)) return input;
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
