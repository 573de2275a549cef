import { isUtf8 } from 'node:buffer';
import { carryDecoder } from './carry-decoder.js';
import { asBuffer } from './scratch.js';
import { loneSurrogates } from './surrogates.js';
import type { StreamDecoder, TextCodec } from './types.js';

/**
 * UTF-8. Node decodes natively (one U+FFFD per maximal invalid subpart, as WHATWG says); the
 * offsets of those subparts are found, only when the input is not valid, by the WHATWG decoder's
 * own state machine run over the bytes.
 */
export class Utf8Codec implements TextCodec {
  readonly name = 'utf-8';
  readonly singleByte = false;
  readonly ebcdic = false;
  readonly space = 0x20;
  readonly digitZero = 0x30;

  decode(bytes: Uint8Array): { text: string; invalid: number[] } {
    const invalid: number[] = [];
    const text = this.decodeAt(asBuffer(bytes), 0, invalid);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, invalid };
  }

  encode(text: string): { bytes: Buffer; unencodable: number[] } {
    // Node writes U+FFFD for a lone surrogate already; it is reported all the same.
    return { bytes: Buffer.from(text, 'utf8'), unencodable: loneSurrogates(text) };
  }

  decoder(): StreamDecoder {
    return carryDecoder(this);
  }

  decodeAt(bytes: Buffer, base: number, invalid: number[]): string {
    if (!isUtf8(bytes)) pushInvalidUtf8(bytes, base, invalid);
    return bytes.toString('utf8');
  }

  wholeLength(bytes: Buffer): number {
    const n = bytes.length;
    // The last lead byte within the last four bytes decides whether the tail is unfinished.
    for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
      const b = bytes[i];
      if ((b & 0xc0) === 0x80) continue;
      const width = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return n - i < width ? i : n;
    }
    return n;
  }
}

/** The WHATWG UTF-8 decoder's error steps: pushes the first byte offset of each error. */
function pushInvalidUtf8(bytes: Uint8Array, base: number, invalid: number[]): void {
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (needed === 0) {
      if (b <= 0x7f) continue;
      start = i;
      if (b >= 0xc2 && b <= 0xdf) needed = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        else if (b === 0xed) upper = 0x9f;
        needed = 2;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        else if (b === 0xf4) upper = 0x8f;
        needed = 3;
      } else invalid.push(base + i);
      continue;
    }
    if (b < lower || b > upper) {
      invalid.push(base + start);
      needed = seen = 0;
      lower = 0x80;
      upper = 0xbf;
      i--; // the byte starts over, as a byte of its own
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    if (++seen === needed) needed = seen = 0;
  }
  if (needed !== 0) invalid.push(base + start);
}
