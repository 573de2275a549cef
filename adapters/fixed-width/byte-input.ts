import { decodeSlices, type ByteInput } from '../../src/core/format.js';

/** Every shape of format input as one async sequence of Buffers, in slices of DECODE_SLICE_BYTES at most. */
export async function* chunksOf(input: ByteInput): AsyncIterable<Buffer> {
  if (Buffer.isBuffer(input)) {
    yield* decodeSlices(input);
    return;
  }
  for await (const chunk of input as AsyncIterable<Buffer | Uint8Array | string>) {
    if (typeof chunk === 'string') throw new TypeError('fixed-width input must be bytes, not text (no stream encoding)');
    yield* decodeSlices(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
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
