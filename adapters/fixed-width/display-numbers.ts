import type { LegacyValue } from '../../src/core/records.js';
import { canonicalDecimal, unscaledDecimal } from './decimal.js';
import {
  type Charset,
  type FieldCodec,
  FieldProblem,
  type RecordView,
  fieldText,
  MINUS,
  PLUS,
  POINT,
  SPACE,
} from './field-codec.js';

/**
 * Numbers written as characters (COBOL DISPLAY, CNAB amounts): digits with an optional leading
 * or trailing `+`/`-`, blanks around them; all blanks → null. With `point`, one explicit decimal
 * point; otherwise the last `scale` digits are decimals (implied point).
 */
export class DisplayNumberField implements FieldCodec {
  private readonly asciiDigits: boolean;

  constructor(
    private readonly cs: Charset,
    private readonly scale: number,
    private readonly point: boolean,
  ) {
    this.asciiDigits = cs.digitByte[0] === 0x30;
  }

  decode(view: RecordView, start: number, end: number): LegacyValue | FieldProblem {
    const { buf } = view;
    const classes = this.cs.classes;
    let s = start;
    let e = end;
    while (s < e && classes[buf[s]] === SPACE) s++;
    if (s === e) return null;
    while (classes[buf[e - 1]] === SPACE) e--;
    let negative = false;
    const first = classes[buf[s]];
    if (first === PLUS || first === MINUS) {
      negative = first === MINUS;
      s++;
    } else {
      const last = classes[buf[e - 1]];
      if (last === PLUS || last === MINUS) {
        negative = last === MINUS;
        e--;
      }
    }
    let pointAt = -1;
    for (let i = s; i < e; i++) {
      const c = classes[buf[i]];
      if (c >= 0) continue;
      if (c === POINT && this.point && pointAt < 0) pointAt = i;
      else return this.bad(view, start, end, 'not a number');
    }
    let digits: string;
    if (pointAt < 0 && this.asciiDigits) digits = view.text !== undefined ? view.text.slice(s, e) : buf.toString('latin1', s, e);
    else {
      digits = '';
      for (let i = s; i < e; i++) if (i !== pointAt) digits += String.fromCharCode(48 + classes[buf[i]]);
    }
    if (digits.length === 0) return this.bad(view, start, end, 'not a number');
    if (this.point) {
      const decimals = pointAt < 0 ? 0 : e - pointAt - 1;
      if (decimals > this.scale) return this.bad(view, start, end, `more than ${this.scale} decimal places`);
      if (decimals < this.scale) digits += '0'.repeat(this.scale - decimals);
    }
    return canonicalDecimal(negative, digits, this.scale);
  }

  private bad(view: RecordView, start: number, end: number, why: string): FieldProblem {
    return new FieldProblem('field.number', why, fieldText(view, this.cs.codec, start, end));
  }

  encode(value: LegacyValue | undefined, out: Buffer, start: number, length: number): string | undefined {
    if (value === null || value === undefined) {
      out.fill(this.cs.space, start, start + length);
      return undefined;
    }
    if (typeof value !== 'string') return 'not a number';
    const n = unscaledDecimal(value, this.scale);
    if (typeof n === 'string') return n;
    // Written straight into the record, digit by digit: zeros, then the digits, the point before the decimals.
    const { digits } = n;
    const pointed = this.point && this.scale > 0;
    const places = length - (n.negative ? 1 : 0) - (pointed ? 1 : 0);
    const lead = places - digits.length;
    if (lead < 0 || places < this.scale + 1) return `too many digits for ${length} bytes`;
    const byte = this.cs.digitByte;
    const pointAt = pointed ? places - this.scale : -1;
    let at = start;
    if (n.negative) out[at++] = this.cs.minus;
    for (let j = 0; j < places; j++) {
      if (j === pointAt) out[at++] = this.cs.point;
      out[at++] = j < lead ? byte[0] : byte[digits.charCodeAt(j - lead) - 48];
    }
    return undefined;
  }
}
