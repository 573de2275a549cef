import { DataError } from '../../src/core/errors.js';
import type { LegacyRecord, LegacyValue } from '../../src/core/records.js';
import type { Plan, RecordKind } from './plan.js';
import { RecordEncoder } from './record-encoder.js';
import { TrailerWriter } from './trailer-writer.js';

const CHUNK = 64 * 1024;

/**
 * Encodes records into the delivery's bytes, in chunks of about 64 KiB. Records are shaped as
 * decode yields them: a plain record (one layout), `{ TYPE: {...} }` (record types, no emit), or
 * the emitted type with its children arrays and its parent object; a parent line is written once
 * for consecutive records that carry the same parent. Trailers (record types with `checks`) are
 * generated with their counts and sums unless the input holds them (see TrailerWriter). A sync
 * iterable is read without an await per record.
 */
export async function* encodeRecords(plan: Plan, records: AsyncIterable<LegacyRecord> | Iterable<LegacyRecord>): AsyncIterable<Buffer> {
  const w = new Writer(plan);
  if (Symbol.iterator in records) {
    for (const record of records) {
      w.record(record);
      if (w.size >= CHUNK) yield w.take();
    }
  } else {
    for await (const record of records) {
      w.record(record);
      if (w.size >= CHUNK) yield w.take();
    }
  }
  w.end();
  if (w.size) yield w.take();
}

class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Buffers filled while one record (a parent with many children) was written. */
  private full: Buffer[] = [];
  private fullSize = 0;
  private count = 0;
  private eolDue = false;
  private readonly cap: number;
  private readonly encoders: RecordEncoder[];
  private readonly eol: Buffer;
  private readonly byName: Map<string, RecordKind>;
  /** Per kind: the code's bytes and the declared field holding it (a top-level field exactly there). */
  private readonly codes: { bytes: Buffer; field?: string }[];
  private readonly lastContext = new Map<RecordKind, string>();
  private readonly trailers: TrailerWriter | undefined;
  private readonly due: Array<[RecordKind, LegacyRecord]> = [];

  constructor(private readonly plan: Plan) {
    this.encoders = plan.kinds.map((k) => new RecordEncoder(k.layout, plan.cs.space, k.length));
    const sep = plan.options.separator;
    this.eol = Buffer.from(sep === 'none' ? '' : sep === 'crlf' ? '\r\n' : '\n', 'latin1');
    this.cap = CHUNK + Math.max(...this.encoders.map((e) => e.maxLength)) + this.eol.length;
    this.buf = Buffer.allocUnsafe(this.cap);
    this.byName = new Map(plan.kinds.map((k) => [k.name ?? '', k]));
    const d = plan.discriminator;
    this.codes = plan.kinds.map((k) => ({
      bytes: Buffer.from(k.codeKey ?? '', 'latin1'),
      field: d && k.layout.fields.find((n) => n.offset === d.start && n.size === d.length && !n.children && !n.filler)?.name,
    }));
    const trailers = new TrailerWriter(plan);
    this.trailers = trailers.active ? trailers : undefined;
  }

  get size(): number {
    return this.fullSize + this.pos;
  }

  take(): Buffer {
    let out = this.buf.subarray(0, this.pos);
    if (this.full.length) {
      this.full.push(out);
      out = Buffer.concat(this.full, this.size);
      this.full = [];
      this.fullSize = 0;
    }
    this.buf = Buffer.allocUnsafe(this.cap);
    this.pos = 0;
    return out;
  }

  record(record: LegacyRecord): void {
    this.count++;
    const { plan } = this;
    if (!plan.multi) return this.write(plan.kinds[0], record);
    if (!plan.emit) {
      const names = Object.keys(record);
      const kind = names.length === 1 ? this.byName.get(names[0]) : undefined;
      if (!kind) {
        throw new DataError({ code: 'field.encode', message: `cannot write: a record must be { TYPE: {...} } with one of ${plan.kinds.map((k) => k.name).join(', ')}`, value: names.join(', '), position: { record: this.count } });
      }
      return this.write(kind, asRecord(record[kind.name!]));
    }
    const emit = plan.emit;
    if (emit.parent) this.context(emit.parent, asRecord(record[emit.parent.name!]));
    this.tree(emit, record);
  }

  /** After the last record: the trailers still due, and the final line end unless told not to. */
  end(): void {
    if (this.trailers) {
      this.trailers.end(this.due);
      this.flushDue();
    }
    if (this.eolDue && this.plan.options.finalNewline) this.putEol();
  }

  /** Writes a parent line (and its own parents) unless the previous record had the same one. */
  private context(kind: RecordKind, record: LegacyRecord): void {
    const key = JSON.stringify(record);
    if (this.lastContext.get(kind) === key) return;
    if (kind.parent) this.context(kind.parent, asRecord(record[kind.parent.name!]));
    this.lastContext.set(kind, key);
    for (const k of this.plan.kinds) if (k !== kind && isBelow(k, kind)) this.lastContext.delete(k);
    this.write(kind, record);
  }

  private tree(kind: RecordKind, record: LegacyRecord): void {
    this.write(kind, record);
    for (const child of kind.children) {
      const items = record[child.name!];
      if (items === undefined || items === null) continue;
      if (!Array.isArray(items)) {
        throw new DataError({ code: 'field.encode', field: child.name, message: `cannot write: ${child.name} must be a list of records`, position: { record: this.count } });
      }
      // A trailer list, even empty, is the input's say on this parent's trailers.
      if (child.checks.length) this.trailers?.given(child);
      for (const item of items) this.tree(child, asRecord(item));
    }
  }

  private write(kind: RecordKind, record: LegacyRecord): void {
    if (this.trailers) {
      this.trailers.before(kind, this.due);
      if (this.due.length) this.flushDue();
    }
    this.put(kind, record);
    this.trailers?.after(kind, record);
  }

  private flushDue(): void {
    for (let i = 0; i < this.due.length; i++) this.put(this.due[i][0], this.due[i][1]);
    this.due.length = 0;
  }

  private put(kind: RecordKind, record: LegacyRecord): void {
    const encoder = this.encoders[kind.index];
    if (this.pos + this.eol.length + encoder.maxLength > this.buf.length) {
      this.full.push(this.buf.subarray(0, this.pos));
      this.fullSize += this.pos;
      this.buf = Buffer.allocUnsafe(this.cap);
      this.pos = 0;
    }
    if (this.eolDue) this.putEol();
    const at = this.pos;
    this.pos = encoder.encode(record, this.count, this.buf, at);
    const d = this.plan.discriminator;
    if (d) this.putCode(kind, record, at + d.start);
    this.eolDue = this.eol.length > 0;
  }

  /** The record type's code goes into the discriminator bytes; a declared field there must agree. */
  private putCode(kind: RecordKind, record: LegacyRecord, at: number): void {
    const { bytes, field } = this.codes[kind.index];
    let same = true;
    for (let i = 0; i < bytes.length; i++) if (this.buf[at + i] !== bytes[i]) same = false;
    if (same) return;
    const given = field === undefined ? undefined : record[field];
    if (given !== undefined && given !== null) {
      const code = this.plan.codec.decode(bytes).text;
      throw new DataError({ code: 'field.encode', field, message: `cannot write: a ${kind.name} record has code ${JSON.stringify(code)} there`, value: typeof given === 'string' ? given : JSON.stringify(given), position: { record: this.count } });
    }
    bytes.copy(this.buf, at);
  }

  private putEol(): void {
    if (this.eol.length === 1) this.buf[this.pos++] = this.eol[0];
    else this.pos += this.eol.copy(this.buf, this.pos);
  }
}

function isBelow(k: RecordKind, ancestor: RecordKind): boolean {
  for (let p = k.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

function asRecord(v: LegacyValue | undefined): LegacyRecord {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {};
}
