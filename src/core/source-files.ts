import { readFileSync } from 'node:fs';

/** Files by absolute path, with the bytes they had when they were read. */
export type SourceTexts = Record<string, Uint8Array>;

/**
 * Reads the files a mapping or model is compiled from (the mapping file, its lookup tables, the
 * model file) and keeps what it read. A worker thread handed those bytes compiles exactly the
 * mapping the daemon loaded at start, whatever the files on disk say by then.
 */
export class SourceFiles {
  /** Every file read so far. */
  readonly texts: SourceTexts = {};

  /** `given`: read only from these, never from disk (a file not among them is not found). */
  constructor(private readonly given?: SourceTexts) {}

  /** The file's bytes; throws as readFileSync does (`code` ENOENT for a file not there). */
  bytes(path: string): Buffer {
    let bytes: Buffer;
    if (this.given === undefined) bytes = readFileSync(path);
    else {
      const b = this.given[path];
      if (b === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
      bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    }
    this.texts[path] = bytes;
    return bytes;
  }
}
