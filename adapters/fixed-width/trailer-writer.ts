import type { LegacyRecord } from '../../src/core/records.js';
import type { LayoutNode } from './layout.js';
import { isAncestorOrSelf, type Plan, type RecordKind } from './plan.js';
import { Tally } from './trailer-checks.js';

interface Scope {
  trailer: RecordKind;
  /** The record kind whose records the trailer closes; undefined = the whole file. */
  parent: RecordKind | undefined;
  depth: number;
  open: boolean;
  /** The input supplied this scope's trailer (or said, with an empty list, that it has none). */
  given: boolean;
  template: LegacyRecord;
}

/**
 * Generates the trailer records (record types carrying `checks`) an encoded file needs, from the
 * same tallies decode checks them against: a file trailer after the last record, a trailer with a
 * parent after that parent's descendants. A trailer the input already holds is kept as given.
 * The writer calls `before` ahead of every record, `after` once it is written, and `end` last;
 * `before`/`end` hand back the trailers due, which the writer writes (tallied already).
 */
export class TrailerWriter {
  private readonly tally: Tally;
  private readonly scopes: Scope[];

  constructor(plan: Plan) {
    this.tally = new Tally(plan);
    this.scopes = plan.kinds
      .filter((k) => k.checks.length > 0)
      .map((k) => ({ trailer: k, parent: k.parent, depth: depthOf(k), open: !k.parent, given: false, template: template(k, plan) }))
      // Inner scopes close first: a lot trailer comes before the file trailer.
      .sort((a, b) => b.depth - a.depth);
  }

  get active(): boolean {
    return this.scopes.length > 0;
  }

  /** Trailers due before a record of `kind`: those whose parent's records it ends. */
  before(kind: RecordKind, due: Array<[RecordKind, LegacyRecord]>): void {
    for (const s of this.scopes) {
      if (s.open && s.parent && !isAncestorOrSelf(s.parent, kind.parent)) this.close(s, due);
    }
  }

  /** Tallies a written record; opens the scopes it is the parent of, notes given trailers. */
  after(kind: RecordKind, record: LegacyRecord): void {
    this.tally.record(kind, record);
    for (const s of this.scopes) {
      if (s.parent === kind) {
        s.open = true;
        s.given = false;
      } else if (s.trailer === kind && s.open) s.given = true;
    }
  }

  /** The input holds (possibly none of) the trailers of this kind for the open scope. */
  given(kind: RecordKind): void {
    for (const s of this.scopes) if (s.trailer === kind && s.open) s.given = true;
  }

  /** End of the records: every scope still open closes. */
  end(due: Array<[RecordKind, LegacyRecord]>): void {
    for (const s of this.scopes) if (s.open) this.close(s, due);
  }

  private close(s: Scope, due: Array<[RecordKind, LegacyRecord]>): void {
    s.open = false;
    if (s.given) return;
    // Tallied before its values are read, as decode does: `count *` includes the trailer itself.
    this.tally.record(s.trailer, undefined);
    due.push([s.trailer, { ...s.template, ...this.tally.totals(s.trailer) }]);
  }
}

function depthOf(k: RecordKind): number {
  let d = 0;
  for (let p = k.parent; p; p = p.parent) d++;
  return d;
}

/** A trailer's fields with nothing to say: numbers 0, text absent (spaces), the discriminator left to the writer. */
function template(kind: RecordKind, plan: Plan): LegacyRecord {
  const d = plan.discriminator;
  const fill = (nodes: LayoutNode[], top: boolean): LegacyRecord => {
    const rec: LegacyRecord = {};
    for (const n of nodes) {
      if (n.filler || n.occurs || n.redefines || n.when) continue;
      if (top && d && n.offset === d.start && n.size === d.length) continue;
      if (n.children) rec[n.name] = fill(n.children, false);
      else if (n.numeric) rec[n.name] = '0';
    }
    return rec;
  };
  return fill(kind.layout.fields, true);
}
