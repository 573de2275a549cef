import { asBuffer } from './scratch.js';
import type { StreamDecoder } from './types.js';

/** What a variable-width Unicode codec tells the streaming decoder. */
export interface ChunkedDecoding {
  /**
   * How many leading bytes of `bytes` can be decoded now; the rest may be the start of a
   * character that the next chunk completes.
   */
  wholeLength(bytes: Buffer): number;
  /**
   * Decodes `bytes` completely (an unfinished tail is an error), pushing `base` + the byte
   * offset of each undecodable sequence onto `invalid`.
   */
  decodeAt(bytes: Buffer, base: number, invalid: number[]): string;
}

/**
 * A streaming decoder that holds back the unfinished tail of each chunk and prepends it to the
 * next, so that decoding a stream in chunks gives exactly what decoding it whole gives, offsets
 * included. A byte-order mark at the very start of the stream is dropped.
 */
export function carryDecoder(codec: ChunkedDecoding): StreamDecoder {
  let carry: Buffer | undefined;
  let base = 0;
  let atStart = true;
  let invalid: number[] = [];

  const emit = (bytes: Buffer): string => {
    if (bytes.length === 0) return '';
    let text = codec.decodeAt(bytes, base, invalid);
    base += bytes.length;
    if (atStart) {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  };

  return {
    write(chunk) {
      const bytes = carry ? Buffer.concat([carry, chunk]) : asBuffer(chunk);
      const cut = codec.wholeLength(bytes);
      // Copied: the caller may reuse its chunk's memory once write returns.
      carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined;
      return emit(bytes.subarray(0, cut));
    },
    end() {
      const rest = carry;
      carry = undefined;
      return rest ? emit(rest) : '';
    },
    takeInvalid() {
      const taken = invalid;
      invalid = [];
      return taken;
    },
  };
}
