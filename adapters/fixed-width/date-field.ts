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

  constructor(
    private readonly cs: Charset,
    private readonly kind: DateKind,
    private readonly p: DatePattern,
    private readonly century: number,
  ) {
    this.at = Int32Array.from(p.slots, (s) => s.at);
    this.kinds = Uint8Array.from(p.slots, (s) => PARTS.indexOf(s.part));
    this.twoDigitYear = p.slots.some((s) => s.part === 'yy');
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
