import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Delivery } from '../core/delivery.js';
import { ConfigError } from '../core/errors.js';

/**
 * A file named on the command line must be a readable file: a ConfigError (exit 2) that names it
 * otherwise, rather than a stack trace from deep inside a stream.
 */
export function checkInputFile(path: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  const problem = !stat ? 'not found' : stat.isDirectory() ? 'is a folder, not a file' : undefined;
  if (problem) throw new ConfigError({ file: 'command line', message: `input file ${path} ${problem}` });
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

/**
 * A file named on the command line as a delivery. Settling does not move it — it is not in a drop
 * folder — but the id is its sha256, as with the drop folder, so a file ingested by hand and
 * dropped later is applied once.
 */
export async function fileDelivery(path: string, onBytes?: (n: number) => void): Promise<Delivery & { failure?: Error }> {
  const absolute = resolve(path);
  checkInputFile(absolute);
  const delivery: Delivery & { failure?: Error } = {
    id: await sha256File(absolute),
    size: statSync(absolute).size,
    meta: { name: basename(absolute), 'file.path': absolute },
    open() {
      const stream = createReadStream(absolute, { highWaterMark: 1 << 20 });
      if (!onBytes) return stream;
      return stream.pipe(
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            onBytes(chunk.length);
            done(null, chunk);
          },
        }),
      );
    },
    async ack() {},
    async nack(error) {
      delivery.failure = error;
    },
  };
  return delivery;
}
