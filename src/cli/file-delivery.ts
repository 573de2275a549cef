import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Delivery } from '../core/delivery.js';
import { ConfigError, DeliveryChangedError } from '../core/errors.js';
import { checkedRead, hashFile } from '../../adapters/file/hash.js';

/**
 * A file named on the command line must be a readable file: a ConfigError (exit 2) that names it
 * otherwise, rather than a stack trace from deep inside a stream. Returns its size.
 */
export function checkInputFile(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  const problem = !stat ? 'not found' : stat.isDirectory() ? 'is a folder, not a file' : undefined;
  if (problem) throw new ConfigError({ file: 'command line', message: `input file ${path} ${problem}` });
  return stat!.size;
}

/**
 * A file named on the command line as a delivery. Settling does not move it, unless `ack` does;
 * the id is its sha256, as with the drop folder, so a file ingested by hand and dropped later is
 * applied once.
 */
export async function fileDelivery(path: string, onBytes?: (n: number) => void, ack?: () => Promise<void>): Promise<Delivery> {
  const absolute = resolve(path);
  const size = checkInputFile(absolute);
  // The same id the drop folder gives the same bytes.
  const { sha256, bytes } = await hashFile(absolute, undefined, size);
  const name = basename(absolute);
  return {
    id: sha256,
    size: bytes,
    meta: { name, 'file.path': absolute },
    // Only the bytes it was hashed with: a file still being written is refused, not applied half.
    open: () =>
      checkedRead(
        absolute,
        bytes,
        sha256,
        {
          changed: () => new DeliveryChangedError(`${name} changed while it was read: what was applied of it is kept, its progress forgotten; run the command again once the file is complete`),
          gone: () => new DeliveryChangedError(`${name} is gone (moved or deleted) while it was read`),
        },
        onBytes,
      ),
    // Nothing to move but a file of a source's failed/ (see Source.ackByHand): the command
    // reports the outcome, errors included, itself. Such a file is settled either way: moved on
    // ack, and refused where refused files go.
    ack: ack ?? (async () => {}),
    async nack() {},
    settlesInPlace: ack === undefined,
  };
}
