import { createReadStream, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Transform } from 'node:stream';
import type { Delivery } from '../core/delivery.js';
import { ConfigError } from '../core/errors.js';
import { chunkFor, hashFile } from '../../adapters/file/hash.js';

/**
 * A file named on the command line must be a readable file: a ConfigError (exit 2) that names it
 * otherwise, rather than a stack trace from deep inside a stream.
 */
export function checkInputFile(path: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  const problem = !stat ? 'not found' : stat.isDirectory() ? 'is a folder, not a file' : undefined;
  if (problem) throw new ConfigError({ file: 'command line', message: `input file ${path} ${problem}` });
}

/**
 * A file named on the command line as a delivery. Settling does not move it — it is not in a drop
 * folder — but the id is its sha256, as with the drop folder, so a file ingested by hand and
 * dropped later is applied once.
 */
export async function fileDelivery(path: string, onBytes?: (n: number) => void): Promise<Delivery> {
  const absolute = resolve(path);
  checkInputFile(absolute);
  const size = statSync(absolute).size;
  return {
    // The same id the drop folder gives the same bytes.
    id: (await hashFile(absolute, undefined, size)).sha256,
    size,
    meta: { name: basename(absolute), 'file.path': absolute },
    open() {
      const stream = createReadStream(absolute, { highWaterMark: chunkFor(size) });
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
    // Nothing to move: the command reports the outcome, errors included, itself.
    async ack() {},
    async nack() {},
  };
}
