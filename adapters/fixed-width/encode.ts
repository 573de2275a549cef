import { DataError } from '../../src/core/errors.js';
import type { LegacyRecord, LegacyValue } from '../../src/core/records.js';
import type { Plan, RecordKind } from './plan.js';
import { RecordEncoder } from './record-encoder.js';

const CHUNK = 64 * 1024;

/**
 * Encodes records into the delivery's bytes, in chunks of about 64 KiB. Records are shaped as
 * decode yields them: a plain record (one layout), `{ TYPE: {...} }` (record types, no emit), or
 * the emitted type with its children arrays and its parent object; a parent line is written once
 * for consecutive records that carry the same parent. Trailers are not generated.
 */
export async function* encodeRecords(plan: Plan, records: AsyncIterable<LegacyRecord> | Iterable<LegacyRecord>): AsyncIterable<Buffer> {
  const w = new Writer(plan);
  for await (const record of records) {
    w.record(record);
    if (w.size >= CHUNK) yield w.take();
  }
  if (w.size) yield w.take();
}

class Writer {
  size = 0;
  private parts: Buffer[] = [];
  private count = 0;
  private readonly encoders: RecordEncoder[];
  private readonly eol: Buffer;
  private readonly lastContext = new Map<RecordKind, string>();

  constructor(private readonly plan: Plan) {
    this.encoders = plan.kinds.map((k) => new RecordEncoder(k.layout, plan.cs.space, k.length));
    const sep = plan.options.separator;
    this.eol = Buffer.from(sep === 'none' ? '' : sep === 'crlf' ? '\r\n' : '\n', 'latin1');
  }

  take(): Buffer {
    const out = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return out;
  }

  record(record: LegacyRecord): void {
    this.count++;
    const { plan } = this;
    if (!plan.multi) return this.write(plan.kinds[0], record);
    if (!plan.emit) {
      const names = Object.keys(record);
      const kind = plan.kinds.find((k) => k.name === names[0]);
      if (names.length !== 1 || !kind) {
        throw new DataError({ code: 'field.encode', message: `cannot write: a record must be { TYPE: {...} } with one of ${plan.kinds.map((k) => k.name).join(', ')}`, value: names.join(', '), position: { record: this.count } });
      }
      return this.write(kind, asRecord(record[kind.name!]));
    }
    const emit = plan.emit;
    if (emit.parent) this.context(emit.parent, asRecord(record[emit.parent.name!]));
    this.tree(emit, record);
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
      for (const item of items) this.tree(child, asRecord(item));
    }
  }

  private write(kind: RecordKind, record: LegacyRecord): void {
    const bytes = this.encoders[kind.index].encode(record, this.count);
    const d = this.plan.discriminator;
    if (d && kind.codeKey !== undefined) bytes.write(kind.codeKey, d.start, 'latin1');
    this.parts.push(bytes);
    this.size += bytes.length;
    if (this.eol.length) {
      this.parts.push(this.eol);
      this.size += this.eol.length;
    }
  }
}

function isBelow(k: RecordKind, ancestor: RecordKind): boolean {
  for (let p = k.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

function asRecord(v: LegacyValue | undefined): LegacyRecord {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {};
}
