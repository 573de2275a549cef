import type { DataErrorDetail } from '../../src/core/errors.js';
import type { LegacyRecord } from '../../src/core/records.js';
import type { CsvOptions } from './options.js';

/** What `ColumnLayout.build` hands back (one reused object, not one per record). */
export interface BuildResult {
  record: LegacyRecord;
  /** Index of the first value holding U+FFFD (when checked), else -1. */
  bad: number;
  /**
   * Some value starts with the quote character: either an escaped quote opened it, or csv-parse
   * (relax_quotes) kept a malformed quoted field as literal text; the raw text tells which.
   */
  quoteFirst: boolean;
}

/**
 * The column layout of one delivery, fixed by the header (or the declared columns): turns csv-parse's
 * value arrays into records. Built once per delivery; `build` is the per-record hot path.
 */
export class ColumnLayout {
  readonly names: readonly string[];
  private readonly width: number;
  private readonly nulls: ReadonlySet<string> | undefined;
  private readonly emptyIsNull: boolean;
  private readonly pad: boolean;
  private readonly ignoreExtra: boolean;
  /** A header named `__proto__` would reach the prototype of a plain object. */
  private readonly bare: boolean;
  private readonly quoteCode: number;

  constructor(names: readonly string[], options: CsvOptions) {
    this.quoteCode = options.quote === null ? -1 : options.quote.charCodeAt(0);
    this.names = names;
    this.width = names.length;
    const nv = options.nullValues;
    this.emptyIsNull = nv.length === 1 && nv[0] === '';
    this.nulls = nv.length > 0 && !this.emptyIsNull ? new Set(nv) : undefined;
    this.pad = options.columnCount === 'pad';
    this.ignoreExtra = options.columnCount === 'ignoreExtra';
    this.bare = names.includes('__proto__');
  }

  /**
   * The problem with a record's field count under the `columnCount` policy, or undefined when it
   * fits. Called before `build`.
   */
  checkCount(count: number): DataErrorDetail | undefined {
    if (count === this.width) return undefined;
    if (count < this.width && this.pad) return undefined;
    if (count > this.width && this.ignoreExtra) return undefined;
    return {
      code: 'record.columns',
      message: `expected ${this.width} fields (${this.names.join(', ')}), got ${count}`,
    };
  }

  /**
   * Builds the record into `out` (see BuildResult). Values past the last column are dropped,
   * missing ones are null (`checkCount` decided that is allowed).
   */
  build(values: string[], checkReplacement: boolean, out: BuildResult): void {
    const rec: LegacyRecord = this.bare ? Object.create(null) : {};
    const names = this.names;
    const n = values.length < this.width ? values.length : this.width;
    let bad = -1;
    let quoted = false;
    for (let i = 0; i < n; i++) {
      let v: string | null = values[i];
      if (v.charCodeAt(0) === this.quoteCode) quoted = true;
      if (this.emptyIsNull ? v.length === 0 : this.nulls !== undefined && this.nulls.has(v)) v = null;
      else if (checkReplacement && bad === -1 && v.indexOf('\ufffd') !== -1) bad = i;
      rec[names[i]] = v;
    }
    for (let i = n; i < this.width; i++) rec[names[i]] = null;
    out.record = rec;
    out.bad = bad;
    out.quoteFirst = quoted;
  }
}

/**
 * Checks a header against the declared columns. Returns the problem (missing declared columns,
 * repeated names) or undefined.
 */
export function checkHeader(header: readonly string[], declared: readonly string[] | undefined): string | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    const first = seen.get(header[i]);
    if (first !== undefined) {
      return `header repeats column ${JSON.stringify(header[i])} (fields ${first + 1} and ${i + 1})`;
    }
    seen.set(header[i], i);
  }
  if (!declared) return undefined;
  const missing = declared.filter((c) => !seen.has(c));
  if (missing.length === 0) return undefined;
  return (
    `header lacks declared column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
    ` (header has ${header.map((h) => JSON.stringify(h)).join(', ')})`
  );
}
