import type { DataErrorDetail } from '../../src/core/errors.js';
import type { LegacyRecord, LegacyValue, Position } from '../../src/core/records.js';
import { DecimalSum, sameDecimal } from './decimal.js';
import type { CompiledCheck, Plan, RecordKind } from './plan.js';

interface State {
  check: CompiledCheck;
  owner: RecordKind;
  count: number;
  sum: DecimalSum;
}

/**
 * Running tallies for trailer checks: counts and exact sums of the records read since the
 * trailer's parent began (or since the start of the file), compared when the trailer arrives.
 */
export class Tally {
  private readonly states: State[] = [];
  private readonly seen = new Set<RecordKind>();

  constructor(private readonly plan: Plan) {
    for (const owner of plan.kinds) {
      for (const check of owner.checks) this.states.push({ check, owner, count: 0, sum: new DecimalSum() });
    }
  }

  get active(): boolean {
    return this.states.length > 0;
  }

  /** Counts a record (decoded or not: its type is known) and adds its summed fields. */
  record(kind: RecordKind, record: LegacyRecord | undefined): void {
    this.seen.add(kind);
    for (const s of this.states) {
      if (s.check.scope === kind.index) {
        s.count = 0;
        s.sum = new DecimalSum();
      }
      if (s.check.kinds.length && !s.check.kinds.includes(kind.index)) continue;
      if (s.check.kind === 'count') s.count++;
      else if (record) {
        const v = valueAt(record, s.check.path);
        // Records to encode may hold " 40" where decode gives "40": the value written is the same.
        if (typeof v === 'string' && !s.sum.add(v)) s.sum.add(v.trim());
      }
    }
  }

  /** Checks a trailer's record; returns the failed checks as errors. */
  verify(kind: RecordKind, record: LegacyRecord, position: Position): DataErrorDetail[] {
    const errors: DataErrorDetail[] = [];
    for (const s of this.states) {
      if (s.owner !== kind) continue;
      const expected = valueAt(record, [s.check.equals]);
      const actual = s.check.kind === 'count' ? String(s.count) : s.sum.toString();
      if (typeof expected !== 'string' || !sameDecimal(expected, actual)) {
        errors.push({
          code: 'file.trailer',
          message: `check ${s.check.text} failed: trailer says ${expected === null || expected === undefined ? 'nothing' : String(expected)}, the records give ${actual}`,
          field: s.check.equals,
          value: typeof expected === 'string' ? expected : undefined,
          position,
        });
      }
    }
    return errors;
  }

  /** What a trailer of `kind` must say, by field: the counts and sums of its checks. */
  totals(kind: RecordKind): LegacyRecord {
    const out: LegacyRecord = {};
    for (const s of this.states) {
      if (s.owner === kind) out[s.check.equals] = s.check.kind === 'count' ? String(s.count) : s.sum.toString();
    }
    return out;
  }

  /** File-level trailers that never came: the delivery is cut short. */
  missing(): RecordKind[] {
    const out = new Set<RecordKind>();
    for (const s of this.states) if (s.check.scope < 0 && !this.seen.has(s.owner)) out.add(s.owner);
    return [...out];
  }
}

function valueAt(record: LegacyRecord, path: string[]): LegacyValue | undefined {
  let v: LegacyValue | undefined = record;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = v[p];
  }
  return v;
}
