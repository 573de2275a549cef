import type { DataErrorDetail } from '../../src/core/errors.js';
import type { LegacyRecord, LegacyValue } from '../../src/core/records.js';
import type { TextCodec } from '../../src/encoding/index.js';
import { type CompiledDecode, compileDecode } from './compiled-layout.js';
import { FieldProblem, type RecordView } from './field-codec.js';
import type { Layout, LayoutNode } from './layout.js';

const NONE: number[] = [];

/** How record text is had: Node's own latin1, the code page once per record, or per field. */
export type TextMode = 'latin1' | 'single' | 'multi';

export function textMode(codec: TextCodec): TextMode {
  if (!codec.singleByte) return 'multi';
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const { text, invalid } = codec.decode(all);
  return invalid.length === 0 && text === all.toString('latin1') ? 'latin1' : 'single';
}

/**
 * Decodes one record's bytes with a compiled layout. One instance per decode session: it reuses
 * its view and slots, so the per-record path allocates only the record and its values. After
 * `decode`, `used` is the number of bytes the record took (variable layouts) and `errors` lists
 * every field that failed (each without position: the caller adds it).
 */
export class RecordDecoder {
  used = 0;
  errors: DataErrorDetail[] | undefined;
  private readonly view: RecordView = { buf: Buffer.alloc(0), text: undefined, invalid: NONE };
  private readonly slots: LegacyValue[];
  private readonly mode: TextMode;
  private truncated = false;
  private readonly fast: CompiledDecode | undefined;
  private readonly onProblem = (n: LayoutNode, start: number, end: number, p: FieldProblem): null => {
    this.fail({ code: p.code, message: `bytes ${start + 1}-${end}: ${p.message}`, field: n.path, value: p.value });
    return null;
  };

  constructor(
    private readonly layout: Layout,
    private readonly codec: TextCodec,
  ) {
    this.slots = new Array<LegacyValue>(layout.slots).fill(null);
    this.mode = textMode(codec);
    this.fast = compileDecode(layout);
  }

  decode(buf: Buffer): LegacyRecord {
    const view = this.view;
    view.buf = buf;
    this.errors = undefined;
    this.truncated = false;
    if (this.mode === 'latin1') view.text = buf.toString('latin1');
    else if (this.mode === 'single') {
      const r = this.codec.decode(buf);
      view.text = r.text;
      view.invalid = r.invalid;
    }
    if (this.fast !== undefined && buf.length >= this.layout.span) {
      this.used = this.layout.span;
      return this.fast(view, this.onProblem);
    }
    if (this.slots.length) this.slots.fill(null);
    const record: LegacyRecord = {};
    this.used = this.group(this.layout.fields, 0, this.layout.span, record);
    return record;
  }

  /** The first `length` bytes of the last record as text, or hex when the layout holds binary. */
  raw(length: number): string {
    const { buf, text } = this.view;
    if (this.layout.binary) return buf.toString('hex', 0, length).toUpperCase();
    if (text !== undefined) return text.length === length ? text : text.slice(0, length);
    return this.codec.decode(buf.subarray(0, length)).text;
  }

  private group(nodes: LayoutNode[], base: number, size: number, out: LegacyRecord): number {
    const variable = this.layout.variable;
    let shift = 0;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.when !== undefined && !this.holds(n.when)) continue;
      if (n.excludedBy !== undefined && this.excluded(n.excludedBy)) continue;
      const start = base + n.offset + shift;
      if (n.occurs === undefined) {
        if (n.children !== undefined) {
          const rec: LegacyRecord = {};
          const end = this.group(n.children, start, n.size, rec);
          if (variable) shift += end - (start + n.size);
          out[n.name] = rec;
        } else if (!n.filler) out[n.name] = this.field(n, start);
        continue;
      }
      const count = this.count(n);
      const values: LegacyValue[] = new Array(count);
      let pos = start;
      for (let k = 0; k < count; k++) {
        if (n.children !== undefined) {
          const rec: LegacyRecord = {};
          const end = this.group(n.children, pos, n.size, rec);
          values[k] = rec;
          pos = variable ? end : pos + n.size;
        } else {
          values[k] = this.field(n, pos);
          pos += n.size;
        }
      }
      if (variable) shift += pos - (start + n.size * n.occurs.max);
      if (!n.filler) out[n.name] = values;
    }
    return base + size + shift;
  }

  private field(n: LayoutNode, start: number): LegacyValue {
    const end = start + n.size;
    if (end > this.view.buf.length) {
      if (!this.truncated) {
        this.truncated = true;
        this.fail({ code: 'record.length', message: `bytes ${start + 1}-${end}: record ends at byte ${this.view.buf.length}`, field: n.path });
      }
      return null;
    }
    let v = n.codec!.decode(this.view, start, end);
    if (v instanceof FieldProblem) {
      v = this.onProblem(n, start, end, v);
    }
    if (n.slot >= 0) this.slots[n.slot] = v;
    return v;
  }

  private count(n: LayoutNode): number {
    const o = n.occurs!;
    if (o.counter < 0) return o.max;
    const v = this.slots[o.counter];
    const c = typeof v === 'string' ? Number(v) : NaN;
    if (Number.isInteger(c) && c >= o.min && c <= o.max) return c;
    if (v !== null) {
      this.fail({ code: 'field.number', message: `OCCURS count of ${n.name} outside ${o.min}-${o.max}`, field: o.counterName, value: String(v) });
    }
    return 0;
  }

  private holds(w: { slot: number; equals: string }): boolean {
    const v = this.slots[w.slot];
    return typeof v === 'string' && v.trim() === w.equals;
  }

  private excluded(views: LayoutNode[]): boolean {
    for (let i = 0; i < views.length; i++) if (this.holds(views[i].when!)) return true;
    return false;
  }

  private fail(d: DataErrorDetail): void {
    (this.errors ??= []).push(d);
  }
}
