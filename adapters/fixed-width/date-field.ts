import type { LegacyValue } from '../../src/core/records.js';
import { type Charset, type FieldCodec, FieldProblem, type RecordView, fieldText, SPACE } from './field-codec.js';

export type DateKind = 'date' | 'time' | 'datetime';

/** Default pattern of each kind. */
export const defaultPatterns: Record<DateKind, string> = {
  date: 'yyyyMMdd',
  time: 'HHmmss',
  datetime: 'yyyyMMddHHmmss',
};

type Part = 'yyyy' | 'yy' | 'MM' | 'dd' | 'HH' | 'mm' | 'ss';
const TOKEN = /yyyy|yy|MM|dd|HH|mm|ss/g;

interface Slot {
  part: Part;
  at: number;
}

/** A compiled date pattern: where each part sits, and the literal characters between them. */
export interface DatePattern {
  slots: Slot[];
  literal: string;
  length: number;
}

/** Compiles a pattern; returns a reason when it cannot serve `kind`. */
export function compileDatePattern(pattern: string, kind: DateKind): DatePattern | string {
  const slots: Slot[] = [];
  for (const m of pattern.matchAll(TOKEN)) slots.push({ part: m[0] as Part, at: m.index });
  const has = (p: Part) => slots.some((s) => s.part === p);
  if (kind !== 'time' && !((has('yyyy') || has('yy')) && has('MM') && has('dd'))) {
    return `pattern ${JSON.stringify(pattern)} lacks a year, month or day`;
  }
  if (kind !== 'date' && !(has('HH') && has('mm'))) return `pattern ${JSON.stringify(pattern)} lacks hours or minutes`;
  return { slots, literal: pattern.replace(TOKEN, (t) => ' '.repeat(t.length)), length: pattern.length };
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const PARTS: Part[] = ['yyyy', 'yy', 'MM', 'dd', 'HH', 'mm', 'ss'];
const [YYYY, YY, MM, DD, HH, MI, SS] = [0, 1, 2, 3, 4, 5, 6];
const LENGTH = PARTS.map((p) => p.length);
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const two = (n: number) => TWO[n] ?? String(n);
/** The number the `n` ASCII digits at `i` spell, or -1. */
function num(v: string, i: number, n: number): number {
  let r = 0;
  for (let k = i; k < i + n; k++) {
    const c = v.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    r = r * 10 + c;
  }
  return r;
}
const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * Dates, times and timestamps written as digits by pattern; yields ISO text (`2024-01-31`,
 * `13:45:00`, `2024-01-31T13:45:00`). All zeros, all blanks or all 9s → null ("no date"); for a
 * time alone, zeros are midnight. null is written as zeros (as blanks for a time alone).
 * Two-digit years fall in the 100 years from `century` (1950 → 1950–2049).
 */
export class DateField implements FieldCodec {
  private readonly at: Int32Array;
  private readonly kinds: Uint8Array;
  private readonly values = new Int32Array(7);
  private readonly twoDigitYear: boolean;
  /** The pattern with blanks for its parts, in the code page; undefined → encode by text. */
  private readonly literalBytes: Buffer | undefined;

  constructor(
    private readonly cs: Charset,
    private readonly kind: DateKind,
    private readonly p: DatePattern,
    private readonly century: number,
  ) {
    this.at = Int32Array.from(p.slots, (s) => s.at);
    this.kinds = Uint8Array.from(p.slots, (s) => PARTS.indexOf(s.part));
    this.twoDigitYear = p.slots.some((s) => s.part === 'yy');
    const lit = cs.codec.encode(p.literal);
    this.literalBytes = lit.unencodable.length || lit.bytes.length !== p.length ? undefined : lit.bytes;
  }

  decode(view: RecordView, start: number, end: number): LegacyValue | FieldProblem {
    const { buf } = view;
    const classes = this.cs.classes;
    const v = this.values;
    const { at, kinds } = this;
    let blank = true;
    let zeros = true;
    let nines = true;
    let digits = true;
    for (let k = 0; k < at.length; k++) {
      let n = 0;
      for (let i = start + at[k], e = i + LENGTH[kinds[k]]; i < e; i++) {
        const c = classes[buf[i]];
        if (c !== SPACE) blank = false;
        if (c !== 0) zeros = false;
        if (c !== 9) nines = false;
        if (c < 0) digits = false;
        n = n * 10 + c;
      }
      v[kinds[k]] = n;
    }
    // A time alone has no "no value" in zeros: 000000 is midnight.
    if (blank || nines || (zeros && this.kind !== 'time')) return null;
    if (!digits) return this.bad(view, start, end, 'not a date');
    let y = v[YYYY];
    if (this.twoDigitYear) y = this.century + ((v[YY] - (this.century % 100) + 100) % 100);
    const mo = this.kind === 'time' ? 1 : v[MM];
    const d = this.kind === 'time' ? 1 : v[DD];
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && !leap ? 28 : DAYS[mo - 1])) {
      return this.bad(view, start, end, 'impossible date');
    }
    if (v[HH] > 23 || v[MI] > 59 || v[SS] > 59) return this.bad(view, start, end, 'impossible time');
    if (this.kind === 'time') return `${two(v[HH])}:${two(v[MI])}:${two(v[SS])}`;
    const date = `${y < 1000 ? String(y).padStart(4, '0') : y}-${two(mo)}-${two(d)}`;
    return this.kind === 'date' ? date : `${date}T${two(v[HH])}:${two(v[MI])}:${two(v[SS])}`;
  }

  private bad(view: RecordView, start: number, end: number, why: string): FieldProblem {
    return new FieldProblem('field.date', why, fieldText(view, this.cs.codec, start, end));
  }

  encode(value: LegacyValue | undefined, out: Buffer, start: number, length: number): string | undefined {
    if (this.literalBytes !== undefined && length === this.literalBytes.length) {
      if (value === null || value === undefined) return this.put(false, out, start);
      if (typeof value === 'string' && this.parseIso(value)) {
        const y = this.values[YYYY];
        if (!this.twoDigitYear || (y >= this.century && y < this.century + 100)) return this.put(true, out, start);
      }
    }
    return this.encodeText(value, out, start, length);
  }

  /** The plain ISO forms records carry (`2024-01-31`, `13:45:00`, `2024-01-31T13:45:00`) into `values`. */
  private parseIso(v: string): boolean {
    const t = this.kind === 'date' ? -1 : this.kind === 'time' ? 0 : 11;
    if (v.length !== (t < 0 ? 10 : t + 8)) return false;
    const vals = this.values;
    if (t !== 0) {
      if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return false;
      vals[YYYY] = num(v, 0, 4);
      vals[MM] = num(v, 5, 2);
      vals[DD] = num(v, 8, 2);
      if (vals[YYYY] < 0 || vals[MM] < 0 || vals[DD] < 0) return false;
      vals[YY] = vals[YYYY] % 100;
    }
    if (t >= 0) {
      if ((t > 0 && v.charCodeAt(10) !== 84) || v.charCodeAt(t + 2) !== 58 || v.charCodeAt(t + 5) !== 58) return false;
      vals[HH] = num(v, t, 2);
      vals[MI] = num(v, t + 3, 2);
      vals[SS] = num(v, t + 6, 2);
      if (vals[HH] < 0 || vals[MI] < 0 || vals[SS] < 0) return false;
    } else vals[HH] = vals[MI] = vals[SS] = 0;
    if (t === 0) vals[YYYY] = vals[YY] = vals[MM] = vals[DD] = 0;
    return true;
  }

  /** Writes `values` (or the "no date" value) digit by digit over the pattern's literal bytes. */
  private put(some: boolean, out: Buffer, start: number): undefined {
    this.literalBytes!.copy(out, start);
    const { at, kinds, values } = this;
    const digit = this.cs.digitByte;
    const empty = this.kind === 'time' ? this.cs.space : digit[0];
    for (let k = 0; k < at.length; k++) {
      let v = values[kinds[k]];
      for (let i = start + at[k] + LENGTH[kinds[k]] - 1; i >= start + at[k]; i--) {
        out[i] = some ? digit[v % 10] : empty;
        v = Math.floor(v / 10);
      }
    }
    return undefined;
  }

  private encodeText(value: LegacyValue | undefined, out: Buffer, start: number, length: number): string | undefined {
    let parts: Record<Part, number> | undefined;
    if (value !== null && value !== undefined) {
      if (typeof value !== 'string') return 'not a date';
      const m = /^(?:(\d{4})-(\d{2})-(\d{2}))?[T ]?(?:(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
      if (!m || (this.kind !== 'time' && !m[1]) || (this.kind !== 'date' && !m[4])) return `not an ISO ${this.kind}`;
      const y = Number(m[1] ?? 0);
      if (this.p.slots.some((s) => s.part === 'yy') && (y < this.century || y >= this.century + 100)) {
        return `year ${y} outside ${this.century}–${this.century + 99}`;
      }
      parts = { yyyy: y, yy: y % 100, MM: Number(m[2]), dd: Number(m[3]), HH: Number(m[4] ?? 0), mm: Number(m[5] ?? 0), ss: Number(m[6] ?? 0) };
    }
    let text = this.p.literal;
    for (const slot of this.p.slots) {
      const v = parts ? pad(parts[slot.part], slot.part.length) : (this.kind === 'time' ? ' ' : '0').repeat(slot.part.length);
      text = text.slice(0, slot.at) + v + text.slice(slot.at + v.length);
    }
    const { bytes, unencodable } = this.cs.codec.encode(text);
    if (unencodable.length || bytes.length !== length) return `pattern does not fit ${length} bytes`;
    bytes.copy(out, start);
    return undefined;
  }
}
