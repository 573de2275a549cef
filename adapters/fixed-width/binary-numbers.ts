import type { LegacyValue } from '../../src/core/records.js';
import { canonicalDecimal, unscaledDecimal } from './decimal.js';
import { type Charset, type FieldCodec, FieldProblem, type RecordView, fieldHex, fieldText, SPACE } from './field-codec.js';

const DIGITS = '0123456789';
// ASCII overpunch: the last digit carries the sign (`{` = +0 … `I` = +9, `}` = -0 … `R` = -9).
const ASCII_POSITIVE = '{ABCDEFGHI';
const ASCII_NEGATIVE = '}JKLMNOPQR';

/**
 * Zoned decimal (COBOL DISPLAY with a sign overpunched in the last digit). EBCDIC: every byte
 * `Fd`, the last `Cd`/`Dd`/`Fd`; ASCII: digits, the last one a digit or an overpunch letter.
 * All blanks → null. `signed` (default true) writes `C`/`{A–I` for positive values, else `F`/digits.
 */
export class ZonedField implements FieldCodec {
  constructor(
    private readonly cs: Charset,
    private readonly scale: number,
    private readonly signed: boolean,
  ) {}

  decode(view: RecordView, start: number, end: number): LegacyValue | FieldProblem {
    const { buf } = view;
    const classes = this.cs.classes;
    let blank = true;
    let ok = true;
    // Every byte but the last is a plain digit in the code page.
    for (let i = start; i < end - 1; i++) {
      const c = classes[buf[i]];
      if (c !== SPACE) blank = false;
      if (c < 0) ok = false;
    }
    const b = buf[end - 1];
    if (blank && classes[b] === SPACE) return null;
    let d = classes[b];
    let negative = false;
    if (d < 0) {
      if (this.cs.codec.ebcdic) {
        const zone = b >> 4;
        d = zone >= 0xa && (b & 15) <= 9 ? b & 15 : -1;
        negative = zone === 0xd || zone === 0xb;
      } else {
        d = ASCII_POSITIVE.indexOf(String.fromCharCode(b));
        if (d < 0) {
          d = b >= 0x70 && b <= 0x79 ? b - 0x70 : ASCII_NEGATIVE.indexOf(String.fromCharCode(b)); // 0x7n: Micro Focus negative
          negative = true;
        }
      }
    }
    if (!ok || d < 0) {
      return new FieldProblem('field.zoned', 'not a zoned number', fieldText(view, this.cs.codec, start, end));
    }
    let digits = '';
    if (view.text !== undefined && this.cs.digitByte[0] === 0x30) digits = view.text.slice(start, end - 1);
    else for (let i = start; i < end - 1; i++) digits += DIGITS[classes[buf[i]]];
    return canonicalDecimal(negative, digits + DIGITS[d], this.scale);
  }

  encode(value: LegacyValue | undefined, out: Buffer, start: number, length: number): string | undefined {
    if (value === null || value === undefined) {
      out.fill(this.cs.space, start, start + length);
      return undefined;
    }
    if (typeof value !== 'string') return 'not a number';
    const n = unscaledDecimal(value, this.scale);
    if (typeof n === 'string') return n;
    if (n.digits.length > length) return `too many digits for ${length} bytes`;
    if (n.negative && !this.signed) return 'negative value in an unsigned field';
    const digits = n.digits.padStart(length, '0');
    const ebcdic = this.cs.codec.ebcdic;
    for (let i = 0; i < length; i++) {
      const d = digits.charCodeAt(i) - 48;
      out[start + i] = ebcdic ? 0xf0 | d : 0x30 + d;
    }
    const d = digits.charCodeAt(length - 1) - 48;
    if (this.signed) {
      out[start + length - 1] = ebcdic
        ? (n.negative ? 0xd0 : 0xc0) | d
        : (n.negative ? ASCII_NEGATIVE : ASCII_POSITIVE).charCodeAt(d);
    }
    return undefined;
  }
}

/**
 * Packed decimal (COMP-3): two digits a byte, the last nibble the sign (C/A/E/F positive,
 * D/B negative). Never goes through the code page. `signed` false writes the F sign.
 */
export class PackedField implements FieldCodec {
  constructor(
    private readonly scale: number,
    private readonly signed: boolean,
  ) {}

  decode(view: RecordView, start: number, end: number): LegacyValue | FieldProblem {
    const { buf } = view;
    let digits = '';
    for (let i = start; i < end; i++) {
      const hi = buf[i] >> 4;
      const lo = buf[i] & 15;
      if (hi > 9 || (lo > 9 && i < end - 1)) return this.bad(view, start, end, 'invalid packed digit');
      digits += i < end - 1 ? DIGITS[hi] + DIGITS[lo] : DIGITS[hi];
    }
    const sign = buf[end - 1] & 15;
    if (sign < 0xa) return this.bad(view, start, end, 'invalid packed sign');
    return canonicalDecimal(sign === 0xd || sign === 0xb, digits, this.scale);
  }

  private bad(view: RecordView, start: number, end: number, why: string): FieldProblem {
    return new FieldProblem('field.packed', why, fieldHex(view, start, end));
  }

  encode(value: LegacyValue | undefined, out: Buffer, start: number, length: number): string | undefined {
    if (value === null || value === undefined) value = '0';
    if (typeof value !== 'string') return 'not a number';
    const n = unscaledDecimal(value, this.scale);
    if (typeof n === 'string') return n;
    const width = length * 2 - 1;
    if (n.digits.length > width) return `too many digits for ${width}-digit packed field`;
    if (n.negative && !this.signed) return 'negative value in an unsigned field';
    const digits = n.digits.padStart(width, '0');
    const sign = !this.signed ? 0xf : n.negative ? 0xd : 0xc;
    for (let i = 0; i < length; i++) {
      const hi = digits.charCodeAt(i * 2) - 48;
      const lo = i === length - 1 ? sign : digits.charCodeAt(i * 2 + 1) - 48;
      out[start + i] = (hi << 4) | lo;
    }
    return undefined;
  }
}

/** Binary integer (COMP, COMP-4, COMP-5), big-endian, 1/2/4/8 bytes; 8 bytes keep every digit. */
export class BinaryField implements FieldCodec {
  private readonly min: bigint;
  private readonly max: bigint;

  constructor(
    private readonly scale: number,
    private readonly signed: boolean,
    length: number,
  ) {
    const bits = BigInt(length * 8);
    this.min = signed ? -(1n << (bits - 1n)) : 0n;
    this.max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  }

  decode(view: RecordView, start: number, end: number): LegacyValue {
    const { buf } = view;
    const len = end - start;
    let text: string;
    if (len === 8) text = (this.signed ? buf.readBigInt64BE(start) : buf.readBigUInt64BE(start)).toString();
    else text = String(this.signed ? buf.readIntBE(start, len) : buf.readUIntBE(start, len));
    if (this.scale === 0) return text;
    const negative = text.charCodeAt(0) === 45;
    return canonicalDecimal(negative, negative ? text.slice(1) : text, this.scale);
  }

  encode(value: LegacyValue | undefined, out: Buffer, start: number, length: number): string | undefined {
    if (value === null || value === undefined) value = '0';
    if (typeof value !== 'string') return 'not a number';
    const n = unscaledDecimal(value, this.scale);
    if (typeof n === 'string') return n;
    const v = n.negative ? -BigInt(n.digits) : BigInt(n.digits);
    if (v < this.min || v > this.max) return `out of range ${this.min}..${this.max}`;
    if (length === 8) {
      if (this.signed) out.writeBigInt64BE(v, start);
      else out.writeBigUInt64BE(v, start);
    } else if (this.signed) out.writeIntBE(Number(v), start, length);
    else out.writeUIntBE(Number(v), start, length);
    return undefined;
  }
}
