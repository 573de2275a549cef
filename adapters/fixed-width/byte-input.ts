import type { ByteInput } from '../../src/core/format.js';

/** Every shape of format input as one async sequence of Buffers (a Buffer is one chunk). */
export async function* chunksOf(input: ByteInput): AsyncIterable<Buffer> {
  if (Buffer.isBuffer(input)) {
    yield* slicesOf(input);
    return;
  }
  for await (const chunk of input as AsyncIterable<Buffer | Uint8Array | string>) {
    if (typeof chunk === 'string') throw new TypeError('fixed-width input must be bytes, not text (no stream encoding)');
    yield* slicesOf(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
}

/**
 * The most decoded at once. A slice's records are all decoded before the first is mapped: those
 * of a file stream's MiB chunk (11,000 records of 93 bytes) outlived the young generation's
 * collections, which copied them and moved them to the old one. In 64 KiB slices an unchanged
 * re-ingest's worker spent half the time collecting and the process took 90 MB less.
 */
const SLICE_BYTES = 64 * 1024;

function* slicesOf(chunk: Buffer): Iterable<Buffer> {
  if (chunk.length <= SLICE_BYTES) yield chunk;
  else for (let at = 0; at < chunk.length; at += SLICE_BYTES) yield chunk.subarray(at, at + SLICE_BYTES);
}

/**
 * Unread bytes carried from one chunk to the next: at most one unfinished record, so memory
 * stays bounded by the record size however large the delivery is.
 */
export class ByteWindow {
  buf: Buffer = Buffer.alloc(0);
  /** Offset of `buf[0]` within the delivery. */
  base = 0;
  /** Next unread byte in `buf`. */
  pos = 0;

  push(chunk: Buffer): void {
    const rest = this.buf.length - this.pos;
    this.base += this.pos;
    this.buf = rest === 0 ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk], rest + chunk.length);
    this.pos = 0;
  }

  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Delivery offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }
}
