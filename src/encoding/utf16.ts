import { carryDecoder } from './carry-decoder.js';
import { asBuffer } from './scratch.js';
import { loneSurrogates, replaceAt } from './surrogates.js';
import type { StreamDecoder, TextCodec } from './types.js';

/**
 * UTF-16, little- or big-endian (big-endian is byte-swapped into a copy, then decoded as
 * little-endian). Undecodable: a lone surrogate (two bytes) and an odd byte left at the end.
 */
export class Utf16Codec implements TextCodec {
  readonly name: string;
  readonly singleByte = false;
  readonly ebcdic = false;
  readonly space = 0x20;
  readonly digitZero = 0x30;

  constructor(private readonly bigEndian: boolean) {
    this.name = bigEndian ? 'utf-16be' : 'utf-16le';
  }

  decode(bytes: Uint8Array): { text: string; invalid: number[] } {
    const invalid: number[] = [];
    const text = this.decodeAt(asBuffer(bytes), 0, invalid);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, invalid };
  }

  encode(text: string): { bytes: Buffer; unencodable: number[] } {
    const unencodable = loneSurrogates(text);
    const bytes = Buffer.from(unencodable.length === 0 ? text : replaceAt(text, unencodable), 'utf16le');
    return { bytes: this.bigEndian ? bytes.swap16() : bytes, unencodable };
  }

  decoder(): StreamDecoder {
    return carryDecoder(this);
  }

  decodeAt(bytes: Buffer, base: number, invalid: number[]): string {
    const even = bytes.length & ~1;
    const units = this.bigEndian ? Buffer.from(bytes.subarray(0, even)).swap16() : bytes;
    let text = units.toString('utf16le', 0, even);
    const lone = loneSurrogates(text);
    if (lone.length > 0) {
      for (const i of lone) invalid.push(base + 2 * i);
      text = replaceAt(text, lone);
    }
    if (even < bytes.length) {
      invalid.push(base + even);
      text += '\ufffd';
    }
    return text;
  }

  wholeLength(bytes: Buffer): number {
    const even = bytes.length & ~1;
    if (even < 2) return 0;
    const last = this.bigEndian ? bytes.readUInt16BE(even - 2) : bytes.readUInt16LE(even - 2);
    // A high surrogate last waits for its low half.
    return last >= 0xd800 && last <= 0xdbff ? even - 2 : even;
  }
}
