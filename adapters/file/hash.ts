import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

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
