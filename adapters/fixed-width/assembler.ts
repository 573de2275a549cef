import type { DataErrorDetail } from '../../src/core/errors.js';
import type { DecodedRecord, DigestedDecoded, LegacyRecord, LegacyValue, Position } from '../../src/core/records.js';
import { failureOf, type FixedWidthFailure } from './failure.js';
import { isAncestorOrSelf, type Plan, type RecordKind } from './plan.js';
import { Tally } from './trailer-checks.js';

interface Open {
  /** The record as it is yielded (emitted kind) or its own fields (others); undefined if it failed. */
  record?: LegacyRecord;
  /** Fields handed to descendants of the emitted kind, under this kind's name. */
  context?: LegacyRecord;
  decoded?: DecodedRecord;
  raws: string[];
  /** Records of the group that could not be decoded. */
  bad: number[];
}

/**
 * Turns the stream of decoded records of a multi-record file into what is yielded: every record
 * as `{ TYPE: {...} }`, or the `emit` type with its children (arrays) or its parent (object).
 * Runs the trailer checks on the way. Single-layout files pass straight through.
 */
export class Assembler {
  private readonly open: (Open | undefined)[];
  private readonly tally: Tally;

  constructor(private readonly plan: Plan) {
    this.open = plan.kinds.map(() => undefined);
    this.tally = new Tally(plan);
  }

  unknown(f: FixedWidthFailure, out: DigestedDecoded[]): void {
    out.push(f);
  }

  accept(kind: RecordKind, d: DecodedRecord | FixedWidthFailure, out: DigestedDecoded[]): void {
    if (!this.plan.multi) {
      out.push(d);
      return;
    }
    const ok = 'record' in d;
    const pos = d.position;
    this.tally.record(kind, ok ? d.record : undefined);
    for (let i = this.open.length - 1; i >= 0; i--) {
      if (this.open[i] && !isAncestorOrSelf(this.plan.kinds[i], kind.parent)) this.close(i, out);
    }
    const emit = this.plan.emit;
    const parent = kind.parent ? this.open[kind.parent.index] : undefined;
    const group = emit && isAncestorOrSelf(emit, kind.parent) ? this.open[emit.index] : undefined;
    if (!ok) {
      out.push(d);
      group?.bad.push(pos.record);
      this.open[kind.index] = { raws: [], bad: [] };
      return;
    }
    if (kind.parent && !parent?.record) {
      const why = parent ? `its ${kind.parent.name} could not be decoded` : `no ${kind.parent.name} record before it`;
      out.push(failureOf([{ code: 'file.structure', message: `${kind.name} record with ${why}`, position: pos }], pos, d.raw ?? ''));
      group?.bad.push(pos.record);
      this.open[kind.index] = { raws: [], bad: [] };
      return;
    }
    if (kind.checks.length) {
      const errors = this.tally.verify(kind, d.record, pos);
      if (errors.length) out.push(failureOf(errors, pos, d.raw ?? '', true));
    }
    const record = d.record;
    const entry: Open = { record, raws: [], bad: [] };
    this.open[kind.index] = entry;
    if (!emit) {
      out.push({ record: { [kind.name!]: record }, position: pos, recordType: kind.name, raw: d.raw });
      return;
    }
    if (kind === emit || isAncestorOrSelf(emit, kind.parent)) {
      for (const c of kind.children) record[c.name!] = [];
      if (kind !== emit) {
        (parent!.record![kind.name!] as LegacyValue[]).push(record);
        group!.raws.push(d.raw ?? '');
        return;
      }
      if (kind.parent) record[kind.parent.name!] = parent!.context!;
      entry.decoded = { record, position: pos, recordType: kind.name, raw: d.raw };
      entry.raws.push(d.raw ?? '');
      if (!kind.children.length) this.close(kind.index, out);
    } else if (isAncestorOrSelf(kind, emit)) {
      entry.context = kind.parent && parent?.context ? { ...record, [kind.parent.name!]: parent.context } : record;
    }
  }

  /** End of the delivery: yields open groups and reports file trailers that never came. */
  finish(out: DigestedDecoded[], position: Position): void {
    if (!this.plan.multi) return;
    for (let i = this.open.length - 1; i >= 0; i--) if (this.open[i]) this.close(i, out);
    for (const kind of this.tally.missing()) {
      const detail: DataErrorDetail = { code: 'file.trailer', message: `no ${kind.name} record: the file is incomplete (its checks cannot be verified)`, position };
      out.push(failureOf([detail], position, '', true));
    }
  }

  private close(i: number, out: DigestedDecoded[]): void {
    const g = this.open[i]!;
    this.open[i] = undefined;
    if (!g.decoded) return;
    const raw = g.raws.join('\n');
    if (g.bad.length === 0) {
      g.decoded.raw = raw;
      out.push(g.decoded);
      return;
    }
    const pos = g.decoded.position;
    const message = `${g.decoded.recordType} group has records that could not be decoded (record ${g.bad.join(', ')})`;
    out.push(failureOf([{ code: 'file.structure', message, position: pos }], pos, raw));
  }
}
