import { DataError, type DataErrorDetail } from '../../src/core/errors.js';
import type { LegacyRecord, LegacyValue } from '../../src/core/records.js';
import { type CompiledEncode, compileEncode, type OnEncodeProblem } from './compiled-layout.js';
import { blank } from './field-codec.js';
import type { Layout, LayoutNode } from './layout.js';

/**
 * Writes one record with a compiled layout: text padded right with the code page's space,
 * numbers zero-padded left, fillers and unused OCCURS slots as spaces. A view that REDEFINES
 * another is written only when the record lacks the view it redefines. Throws a DataError
 * (field.encode) naming every field that does not fit.
 */
export class RecordEncoder {
  private readonly slots: LegacyValue[];
  private errors: DataErrorDetail[] = [];
  /** Layouts with no groups, OCCURS or REDEFINES: one compiled function writes every field. */
  private readonly fast: CompiledEncode | undefined;
  private readonly onProblem: OnEncodeProblem = (n, why, value) => this.fail(n, why, value);

  constructor(
    private readonly layout: Layout,
    private readonly space: number,
    private readonly length: number,
  ) {
    this.slots = new Array<LegacyValue>(layout.slots).fill(null);
    this.fast = compileEncode(layout);
  }

  /** Bytes a record can take at most: what the writer must have room for. */
  get maxLength(): number {
    return Math.max(this.length, this.layout.span);
  }

  /** Writes the record at `at` in `out` (which has `maxLength` bytes of room); returns where it ends. */
  encode(record: LegacyRecord, recordNo: number, out: Buffer, at: number): number {
    blank(out, this.space, at, at + this.maxLength);
    if (this.errors.length) this.errors = [];
    if (this.slots.length) this.slots.fill(null);
    let end = at + this.layout.span;
    if (this.fast !== undefined) this.fast(record, out, at, this.onProblem);
    else end = this.group(this.layout.fields, at, this.layout.span, record, out);
    if (this.errors.length) {
      const position = { record: recordNo };
      throw new DataError(this.errors.map((e) => ({ ...e, position })));
    }
    return at + (this.layout.variable ? Math.max(end - at, this.length) : this.length);
  }

  private group(nodes: LayoutNode[], base: number, size: number, rec: LegacyRecord | undefined, out: Buffer): number {
    let shift = 0;
    for (const n of nodes) {
      if (n.when !== undefined && !this.holds(n.when)) continue;
      const value = rec?.[n.name];
      if (n.redefines && (value === undefined || rec?.[n.redefines.name] !== undefined)) continue;
      const start = base + n.offset + shift;
      if (!n.occurs) {
        if (n.children) {
          const end = this.group(n.children, start, n.size, asRecord(value), out);
          if (this.layout.variable) shift += end - (start + n.size);
        } else this.field(n, value, start, out);
        continue;
      }
      const items = value === undefined || value === null ? [] : value;
      if (!Array.isArray(items)) {
        this.fail(n, 'not a list', value);
        continue;
      }
      let count = items.length;
      if (count > n.occurs.max) this.fail(n, `${count} occurrences, at most ${n.occurs.max}`, String(count));
      if (n.occurs.counter >= 0 && String(this.slots[n.occurs.counter]) !== String(count)) {
        this.fail(n, `${count} occurrences but ${n.occurs.counterName} says ${this.slots[n.occurs.counter]}`, String(count));
      }
      count = Math.min(count, n.occurs.max);
      let pos = start;
      for (let k = 0; k < count; k++) {
        if (n.children) {
          const end = this.group(n.children, pos, n.size, asRecord(items[k]), out);
          pos = this.layout.variable ? end : pos + n.size;
        } else {
          this.field(n, items[k], pos, out);
          pos += n.size;
        }
      }
      if (this.layout.variable) shift += pos - (start + n.size * n.occurs.max);
    }
    return base + size + shift;
  }

  private field(n: LayoutNode, value: LegacyValue | undefined, start: number, out: Buffer): void {
    if (n.slot >= 0) this.slots[n.slot] = value ?? null;
    const why = n.codec!.encode(n.filler ? null : value, out, start, n.size);
    if (why !== undefined) this.fail(n, why, value);
  }

  private holds(w: { slot: number; equals: string }): boolean {
    const v = this.slots[w.slot];
    return typeof v === 'string' && v.trim() === w.equals;
  }

  private fail(n: LayoutNode, why: string, value: LegacyValue | undefined): void {
    const shown = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    this.errors.push({ code: 'field.encode', message: `cannot write: ${why}`, field: n.path, value: shown });
  }
}

function asRecord(v: LegacyValue | undefined): LegacyRecord | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}
