import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';

/** Chunk size for reading drop files: large chunks, few syscalls (as measured for SFTP). */
export const READ_CHUNK = 1024 * 1024;

/** A file's content digest and how many bytes it was computed over. */
export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** Least read buffer: a file that grew since it was sized is still read in few chunks. */
const MIN_CHUNK = 16 * 1024;

/**
 * Read-buffer size for a file of `size` bytes: a 1 MiB buffer per small file is mostly garbage
 * (it tripled the time per file in a folder of small files, all of it in the collector).
 */
export function chunkFor(size: number): number {
  return Math.min(READ_CHUNK, Math.max(MIN_CHUNK, size));
}

/**
 * Streams the file once through sha256; `sizeHint` (bytes, as last seen) only sizes the buffer.
 * Rejects with the signal's AbortError when aborted, so a large file being hashed does not hold
 * up shutdown.
 */
export async function hashFile(path: string, signal?: AbortSignal, sizeHint = READ_CHUNK): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkFor(sizeHint), signal })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** What a checked read tells its caller: the error to end the stream with. */
export interface CheckedReadFailures {
  /** The bytes read are not the ones the file was taken with (`bytes` of them were read). */
  changed(bytes: number): Error;
  /** The file is gone. */
  gone(): Error;
}

/**
 * A stream over the first `size` bytes of the file, in chunks of up to 1 MiB, that ends only once
 * they hash to `sha256`: otherwise (the file was written to after it was hashed) it fails with
 * `failures.changed(…)` before a consumer sees its end. A file gone meanwhile fails with
 * `failures.gone()`; other read errors pass on as they are. `onBytes` hears each chunk's length.
 */
export function checkedRead(path: string, size: number, sha256: string, failures: CheckedReadFailures, onBytes?: (n: number) => void): Readable {
  const source = size === 0 ? Readable.from([]) : createReadStream(path, { highWaterMark: chunkFor(size), end: size - 1 });
  const hash = createHash('sha256');
  let bytes = 0;
  const checked = new Transform({
    transform: (chunk: Buffer, _encoding, done) => {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
    flush: (done) => {
      if (bytes === size && hash.digest('hex') === sha256) return done();
      done(failures.changed(bytes));
    },
  });
  // The source's own errors (EIO) reach the consumer through `checked`, which pipe() would not do.
  source.on('error', (e: NodeJS.ErrnoException) => checked.destroy(e.code === 'ENOENT' ? failures.gone() : e));
  checked.on('close', () => source.destroy());
  source.pipe(checked);
  return checked;
}
