import { asBuffer, byteScratch, unitScratch, unitsToString } from './scratch.js';
import type { CodePage, StreamDecoder, TextCodec } from './types.js';

const REPLACEMENT = 0xfffd;

/**
 * A single-byte code page from its 256-entry table. Decoding maps bytes through the table into a
 * Latin-1 scratch buffer while every byte maps below U+0100 (all EBCDIC Latin pages, mostly),
 * falling back to UTF-16 otherwise; both are native string builds, no per-character strings.
 */
export class SingleByteCodec implements TextCodec {
  readonly name: string;
  readonly singleByte = true;
  readonly ebcdic: boolean;
  readonly space: number;
  readonly digitZero: number;
  /** Code unit per byte, U+FFFD for undefined bytes. */
  private readonly units = new Uint16Array(256);
  /** Low byte of each code unit, for the Latin-1 fast path. */
  private readonly latin = new Uint8Array(256);
  /** 1: undefined byte, 2: maps above U+00FF (the Latin-1 path cannot hold it). */
  private readonly flags = new Uint8Array(256);
  /** Byte b is U+00b for every b (iso-8859-1): Node's own latin1 decoding is the codec. */
  private readonly identity: boolean;
  /** Byte per UTF-16 code unit, -1 when the page lacks it. */
  private readonly bytesOf = new Int16Array(65536).fill(-1);
  /** Written for an unencodable character: `?`, or SUB (0x3F) in EBCDIC. */
  private readonly substitute: number;

  constructor(page: CodePage) {
    this.name = page.name;
    this.ebcdic = page.ebcdic;
    if (page.table.length !== 256) throw new Error(`code page ${page.name}: table has ${page.table.length} entries, not 256`);
    for (let b = 255; b >= 0; b--) {
      const raw = page.table[b];
      const unit = raw < 0 || raw > 0xffff ? REPLACEMENT : raw;
      this.units[b] = unit;
      this.latin[b] = unit & 0xff;
      this.flags[b] = unit === REPLACEMENT ? 1 : unit > 0xff ? 2 : 0;
      // Descending, so that the lowest byte wins when two bytes decode to the same character.
      if (unit !== REPLACEMENT) this.bytesOf[unit] = b;
    }
    this.identity = this.units.every((unit, b) => unit === b);
    this.space = this.requireByte(' ');
    this.digitZero = this.requireByte('0');
    this.substitute = page.ebcdic ? 0x3f : this.requireByte('?');
  }

  decode(bytes: Uint8Array): { text: string; invalid: number[] } {
    const invalid: number[] = [];
    return { text: this.decodeInto(bytes, 0, invalid), invalid };
  }

  encode(text: string): { bytes: Buffer; unencodable: number[] } {
    const n = text.length;
    const out = Buffer.allocUnsafe(n);
    const unencodable: number[] = [];
    const bytesOf = this.bytesOf;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const b = bytesOf[c];
      if (b >= 0) {
        out[j++] = b;
        continue;
      }
      unencodable.push(i);
      out[j++] = this.substitute;
      // A surrogate pair is one character: one substitute byte, one offset.
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
    return { bytes: j === n ? out : out.subarray(0, j), unencodable };
  }

  decoder(): StreamDecoder {
    let offset = 0;
    let invalid: number[] = [];
    return {
      write: (chunk) => {
        const text = this.decodeInto(chunk, offset, invalid);
        offset += chunk.length;
        return text;
      },
      end: () => '',
      takeInvalid: () => {
        const taken = invalid;
        invalid = [];
        return taken;
      },
    };
  }

  /** Decodes `bytes`, pushing `base` + the offset of each undefined byte onto `invalid`. */
  private decodeInto(bytes: Uint8Array, base: number, invalid: number[]): string {
    const n = bytes.length;
    if (n === 0) return '';
    if (this.identity) return asBuffer(bytes).toString('latin1');
    const latin = this.latin;
    const flags = this.flags;
    const out = byteScratch(n);
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const b = bytes[i];
      out[i] = latin[b];
      seen |= flags[b];
    }
    if (seen === 0) return out.toString('latin1', 0, n);
    // Rare: an undefined byte, or a character above U+00FF (cp1140's €, cp1252's quotes).
    if ((seen & 1) !== 0) for (let i = 0; i < n; i++) if (flags[bytes[i]] === 1) invalid.push(base + i);
    const units = this.units;
    const scratch = unitScratch(n);
    const wide = scratch.units;
    for (let i = 0; i < n; i++) wide[i] = units[bytes[i]];
    return unitsToString(scratch, n);
  }

  private requireByte(ch: string): number {
    const b = this.bytesOf[ch.charCodeAt(0)];
    if (b < 0) throw new Error(`code page ${this.name} has no ${JSON.stringify(ch)}`);
    return b;
  }
}
