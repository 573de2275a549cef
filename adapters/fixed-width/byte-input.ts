import { byteChunks, decodeSlices, type ByteInput } from '../../src/core/format.js';

/** The input's bytes (byteChunks) in slices of DECODE_SLICE_BYTES at most. */
export async function* slicedChunks(input: ByteInput): AsyncIterable<Buffer> {
  for await (const chunk of byteChunks(input)) yield* decodeSlices(chunk);
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
