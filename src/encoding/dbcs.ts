import iconv from 'iconv-lite';
import { unitScratch, unitsToString } from './scratch.js';
import type { StreamDecoder, TextCodec } from './types.js';

const REPLACEMENT = 0xfffd;
/** `single[b]` marks: the byte starts a two-byte sequence, or is undefined on its own. */
const LEAD = -1;
const INVALID = -2;
/** Decoder state between chunks: a lead byte waiting for its trail, -1 when none. */
interface PendingLead {
  lead: number;
}
/** The state of a whole-buffer decode: nothing pending before, nothing kept after. */
const NO_LEAD: PendingLead = { lead: -1 };

/**
 * A double-byte code page (Shift_JIS, CP949) decoded the way the WHATWG Encoding Standard says,
 * from tables taken once from iconv-lite's own mapping data:
 * - a lead byte followed by an unmapped pair is one error; the second byte is decoded again only
 *   when it is ASCII (iconv-lite always decodes it again, so `81 AD` gave U+FFFD + `ｭ`);
 * - every error is one U+FFFD and one exact byte offset;
 * - `overrides` fills pairs iconv-lite leaves unmapped (Shift_JIS user area F941–F9FC).
 * Building the tables costs ~50 ms, once per process (codecs are memoised).
 * Encoding is iconv-lite's, with its `?` substitutes detected and reported.
 */
export class DoubleByteCodec implements TextCodec {
  readonly singleByte = false;
  readonly ebcdic = false;
  readonly space = 0x20;
  readonly digitZero = 0x30;
  private readonly single = new Int32Array(256);
  /** Code unit of each lead << 8 | trail, 0 when unmapped. */
  private readonly pairs = new Uint16Array(65536);

  /**
   * @param leads the lead bytes as WHATWG defines them: iconv-lite treats a lead byte with no
   *   assigned pair (Shift_JIS 0x85, CP949 0xC9) as a single invalid byte instead.
   */
  constructor(
    readonly name: string,
    private readonly iconvName: string,
    leads: ReadonlyArray<readonly [number, number]>,
    overrides?: (pairs: Uint16Array) => void,
  ) {
    const decoder = iconv.getDecoder(iconvName);
    for (let b = 0; b < 256; b++) {
      const text = decoder.write(Buffer.of(b)) + (decoder.end() ?? '');
      this.single[b] = text.length === 1 && text !== '\ufffd' ? text.charCodeAt(0) : INVALID;
    }
    for (const [from, to] of leads) this.single.fill(LEAD, from, to + 1);
    const pair = Buffer.alloc(2);
    for (let lead = 0; lead < 256; lead++) {
      if (this.single[lead] !== LEAD) continue;
      pair[0] = lead;
      for (let trail = 0; trail < 256; trail++) {
        pair[1] = trail;
        const text = decoder.write(pair) + (decoder.end() ?? '');
        if (text.length === 1 && text !== '\ufffd') this.pairs[(lead << 8) | trail] = text.charCodeAt(0);
      }
    }
    overrides?.(this.pairs);
  }

  decode(bytes: Uint8Array): { text: string; invalid: number[] } {
    const invalid: number[] = [];
    return { text: this.decodeInto(bytes, 0, invalid, NO_LEAD, true), invalid };
  }

  encode(text: string): { bytes: Buffer; unencodable: number[] } {
    // ASCII is itself in both code pages (checked exhaustively by the tests): no encoder needed.
    if (isAscii(text)) return { bytes: Buffer.from(text, 'latin1'), unencodable: [] };
    const bytes = iconv.encode(text, this.iconvName);
    const unencodable: number[] = [];
    // Neither Shift_JIS nor CP949 uses 0x3F as a trail byte: every 0x3F is a `?`, either the
    // text's own or a substitute; equal counts mean no substitute.
    if (countByte(bytes, 0x3f) !== countChar(text, 0x3f)) {
      for (let i = 0; i < text.length; i++) {
        const c = text.codePointAt(i) as number;
        const width = c > 0xffff ? 2 : 1;
        if (c !== 0x3f && iconv.encode(text.slice(i, i + width), this.iconvName)[0] === 0x3f) unencodable.push(i);
        i += width - 1;
      }
    }
    return { bytes, unencodable };
  }

  decoder(): StreamDecoder {
    const state: PendingLead = { lead: -1 };
    let offset = 0;
    let invalid: number[] = [];
    return {
      write: (chunk) => {
        const text = this.decodeInto(chunk, offset, invalid, state, false);
        offset += chunk.length;
        return text;
      },
      end: () => {
        if (state.lead < 0) return '';
        invalid.push(offset - 1);
        state.lead = -1;
        return '\ufffd';
      },
      takeInvalid: () => {
        const taken = invalid;
        invalid = [];
        return taken;
      },
    };
  }

  /**
   * Decodes `bytes` after a possibly pending lead byte (`state.lead`, which sat at `base - 1`);
   * leaves a trailing lead byte pending unless `final`.
   */
  private decodeInto(bytes: Uint8Array, base: number, invalid: number[], state: PendingLead, final: boolean): string {
    const n = bytes.length;
    const scratch = unitScratch(n + 1);
    const out = scratch.units;
    const single = this.single;
    const pairs = this.pairs;
    let j = 0;
    let lead = state.lead;
    for (let i = 0; i < n; i++) {
      const b = bytes[i];
      if (lead >= 0) {
        const unit = pairs[(lead << 8) | b];
        lead = -1;
        if (unit !== 0) {
          out[j++] = unit;
          continue;
        }
        out[j++] = REPLACEMENT;
        invalid.push(base + i - 1);
        if (b >= 0x80) continue;
      }
      const s = single[b];
      if (s >= 0) out[j++] = s;
      else if (s === LEAD) lead = b;
      else {
        out[j++] = REPLACEMENT;
        invalid.push(base + i);
      }
    }
    if (lead >= 0 && final) {
      out[j++] = REPLACEMENT;
      invalid.push(base + n - 1);
      lead = -1;
    }
    if (state !== NO_LEAD) state.lead = lead;
    return j === 0 ? '' : unitsToString(scratch, j);
  }
}

/** Shift_JIS user-defined area, lead bytes 0xF0–0xF9 → U+E000–U+E757 (WHATWG; Windows cp932). */
export function shiftJisUserArea(pairs: Uint16Array): void {
  for (let lead = 0xf0; lead <= 0xf9; lead++) {
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      const pointer = (lead - 0xc1) * 188 + trail - (trail < 0x7f ? 0x40 : 0x41);
      pairs[(lead << 8) | trail] = 0xe000 + pointer - 8836;
    }
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function countByte(bytes: Buffer, byte: number): number {
  let count = 0;
  for (let i = bytes.indexOf(byte); i >= 0; i = bytes.indexOf(byte, i + 1)) count++;
  return count;
}

function countChar(text: string, unit: number): number {
  const ch = String.fromCharCode(unit);
  let count = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) count++;
  return count;
}
