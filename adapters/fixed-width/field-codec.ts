import type { DataErrorCode } from '../../src/core/errors.js';
import type { LegacyValue } from '../../src/core/records.js';
import type { TextCodec } from '../../src/encoding/index.js';

/**
 * The record being decoded, as every field codec sees it. One instance per decode session,
 * refilled for each record, so that the per-record path allocates nothing for it.
 */
export interface RecordView {
  /** The record's bytes; field offsets are relative to its first byte. */
  buf: Buffer;
  /** The whole record decoded once, for single-byte code pages; undefined otherwise. */
  text: string | undefined;
  /** Record offsets of the bytes the code page could not decode (single-byte code pages). */
  invalid: number[];
}

/** Why a field could not be decoded or encoded; allocated only when that happens. */
export class FieldProblem {
  constructor(
    readonly code: DataErrorCode,
    readonly message: string,
    readonly value: string,
  ) {}
}

/**
 * Decodes and encodes one elementary field. Built once per layout; `decode` returns the value
 * or a FieldProblem, `encode` writes exactly `length` bytes at `start` and returns a reason when
 * the value does not fit.
 */
export interface FieldCodec {
  decode(view: RecordView, start: number, end: number): LegacyValue | FieldProblem;
  encode(value: LegacyValue | undefined, out: Buffer, start: number, length: number): string | undefined;
}

/** What the code page makes of the bytes a number is written with, found once per layout. */
export interface Charset {
  codec: TextCodec;
  /** Byte → digit 0–9, or one of the marks below, or OTHER. */
  classes: Int8Array;
  space: number;
  digitByte: Uint8Array;
  plus: number;
  minus: number;
  point: number;
  /**
   * Single-byte code pages: UTF-16 unit → byte, -1 where `codec.encode` would not give one byte;
   * lets text be written without a Buffer per field. Undefined for multi-byte code pages.
   */
  bytesOf: Int16Array | undefined;
}
export const OTHER = -1;
export const SPACE = -2;
export const PLUS = -3;
export const MINUS = -4;
export const POINT = -5;

export function charset(codec: TextCodec): Charset {
  const byteOf = (ch: string): number => {
    const { bytes, unencodable } = codec.encode(ch);
    return unencodable.length || bytes.length !== 1 ? -1 : bytes[0];
  };
  const classes = new Int8Array(256).fill(OTHER);
  const digitByte = new Uint8Array(10);
  for (let d = 0; d < 10; d++) {
    digitByte[d] = byteOf(String(d));
    classes[digitByte[d]] = d;
  }
  const space = codec.space;
  const plus = byteOf('+');
  const minus = byteOf('-');
  const point = byteOf('.');
  classes[space] = SPACE;
  if (plus >= 0) classes[plus] = PLUS;
  if (minus >= 0) classes[minus] = MINUS;
  if (point >= 0) classes[point] = POINT;
  return { codec, classes, space, digitByte, plus, minus, point, bytesOf: codec.singleByte ? byteTable(codec) : undefined };
}

/** Every character the code page decodes, mapped to the byte its own `encode` gives (asked once each). */
function byteTable(codec: TextCodec): Int16Array {
  const table = new Int16Array(65536).fill(-1);
  for (let b = 0; b < 256; b++) {
    const { text, invalid } = codec.decode(Uint8Array.of(b));
    if (invalid.length || text.length !== 1 || table[text.charCodeAt(0)] >= 0) continue;
    const { bytes, unencodable } = codec.encode(text);
    if (!unencodable.length && bytes.length === 1) table[text.charCodeAt(0)] = bytes[0];
  }
  return table;
}

/** The field's bytes as text, for values and error messages of character fields. */
export function fieldText(view: RecordView, codec: TextCodec, start: number, end: number): string {
  if (view.text !== undefined) return view.text.slice(start, end);
  return codec.decode(view.buf.subarray(start, end)).text;
}

/** Hex of a binary field's bytes, for error messages. */
export function fieldHex(view: RecordView, start: number, end: number): string {
  return view.buf.toString('hex', start, end).toUpperCase();
}

/** Text kept exactly as the code page decodes it: trimming is the mapping's job. */
export class TextField implements FieldCodec {
  constructor(private readonly cs: Charset) {}

  decode(view: RecordView, start: number, end: number): LegacyValue | FieldProblem {
    if (view.text !== undefined) {
      const inv = view.invalid;
      for (let i = 0; i < inv.length; i++) {
        if (inv[i] >= start && inv[i] < end) return this.undecodable(view, start, end);
      }
      return view.text.slice(start, end);
    }
    const { text, invalid } = this.cs.codec.decode(view.buf.subarray(start, end));
    return invalid.length ? this.undecodable(view, start, end) : text;
  }

  private undecodable(view: RecordView, start: number, end: number): FieldProblem {
    return new FieldProblem('field.encoding', `bytes not valid in ${this.cs.codec.name}`, fieldHex(view, start, end));
  }

  encode(value: LegacyValue | undefined, out: Buffer, start: number, length: number): string | undefined {
    if (value === null || value === undefined) value = '';
    if (typeof value !== 'string') return 'not text';
    const table = this.cs.bytesOf;
    if (table !== undefined && value.length <= length) {
      const n = value.length;
      let i = 0;
      for (; i < n; i++) {
        const b = table[value.charCodeAt(i)];
        if (b < 0) break;
        out[start + i] = b;
      }
      if (i === n) {
        blank(out, this.cs.space, start + n, start + length);
        return undefined;
      }
    }
    // Multi-byte code pages, and every value that does not fit: the codec says why.
    const { bytes, unencodable } = this.cs.codec.encode(value);
    if (unencodable.length) {
      return `character ${JSON.stringify(value[unencodable[0]])} has no ${this.cs.codec.name} byte`;
    }
    if (bytes.length > length) return `too long (${bytes.length} bytes, field holds ${length})`;
    bytes.copy(out, start);
    out.fill(this.cs.space, start + bytes.length, start + length);
    return undefined;
  }
}

/** Fills `out[from, to)` with `byte`; a loop beats Buffer#fill's checks for the few bytes a field pads. */
export function blank(out: Buffer, byte: number, from: number, to: number): void {
  if (to - from > 64) out.fill(byte, from, to);
  else for (let i = from; i < to; i++) out[i] = byte;
}

/** FILLER: skipped on decode, spaces on encode. */
export class FillerField implements FieldCodec {
  constructor(private readonly cs: Charset) {}
  decode(): LegacyValue {
    return null;
  }
  encode(_value: LegacyValue | undefined, out: Buffer, start: number, length: number): undefined {
    out.fill(this.cs.space, start, start + length);
  }
}
