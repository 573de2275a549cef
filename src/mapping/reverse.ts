import type { ConfigProblem } from '../core/errors.js';
import type { LegacyRecord, LegacyValue } from '../core/records.js';
import type { FieldModel } from '../model/model-schema.js';
import type { DocPath } from '../core/yaml-file.js';
import { checkLegacy, resolveTarget, type CompiledField, type FieldContext } from './compile-fields.js';
import { compileLeaf, normalizeSpec } from './compile-leaf.js';
import type { FieldSpec } from './mapping-schema.js';
import { setter } from './paths.js';
import { isStepFailure, type StepFailure } from './steps.js';

type Obj = Record<string, unknown>;

/** One legacy field written from the canonical entity. */
interface Writer {
  legacy: string;
  /** Canonical field(s) it comes from, for error messages. */
  canon: string;
  write(canonical: Obj): LegacyValue;
  set(rec: Obj, v: LegacyValue): void;
}

/** A value that could not be mapped back: the canonical field it came from, and why. */
export interface ReverseFailure {
  canon: string;
  failure: StepFailure;
}

/** The compiled canonical → legacy direction, or the problems that keep it from existing. */
export interface CompiledReverse {
  problems: ConfigProblem[];
  /** Builds the legacy record; collects every failure (labelled with the legacy field) into `failures`. */
  build(canonical: Obj, failures: ReverseFailure[]): LegacyRecord;
}

/**
 * Compiles the reverse direction: the explicit `reverse:` entries first, then every field that
 * is invertible (first in file order wins a legacy field). A legacy field that only a
 * non-invertible field reads becomes a problem naming the field and the fix.
 */
export function compileReverse(
  fields: readonly CompiledField[],
  spec: Record<string, FieldSpec | string> | undefined,
  model: Record<string, FieldModel>,
  ctx: FieldContext,
): CompiledReverse {
  const writers: Writer[] = [];
  const claimed = new Set<string>();
  const explicitProblems = ctx.problems.length;
  for (const [legacy, raw] of Object.entries(spec ?? {})) {
    const at: DocPath = ['reverse', legacy];
    checkLegacy(ctx, legacy, at);
    claimed.add(legacy);
    if (normalizeSpec(raw).each !== undefined) {
      ctx.problems.push(ctx.problem([...at, 'each'], 'each is not supported in reverse entries; map the group\'s fields invertibly instead'));
      continue;
    }
    const side = {
      target: undefined,
      checkSource: (name: string, p: DocPath) => {
        const t = resolveTarget(model, name, ctx.owner);
        if (typeof t === 'string') ctx.problems.push(ctx.problem(p, t));
      },
    };
    const leaf = compileLeaf(raw, side, { ...ctx, reverse: true }, at);
    if (leaf) writers.push({ legacy, canon: leaf.sources.join('+') || legacy, write: leaf.value as Writer['write'], set: setter(legacy) });
  }
  const pending: Extract<CompiledField['reverse'], { kind: 'none' }>[] = [];
  for (const f of fields) {
    const r = f.reverse;
    if (r.kind === 'write' && !claimed.has(r.legacy)) {
      claimed.add(r.legacy);
      writers.push({ legacy: r.legacy, canon: r.canon, write: r.write, set: setter(r.legacy) });
    } else if (r.kind === 'none') pending.push(r);
  }
  const problems: ConfigProblem[] = ctx.problems.splice(explicitProblems);
  for (const r of pending) {
    const missing = r.legacy.filter((l) => !claimed.has(l));
    if (!missing.length) continue;
    problems.push(
      ctx.problem(r.at, `${missing.join(', ')} cannot be derived back from ${r.canon} (${r.reason}): say how under reverse (reverse: { ${missing[0]}: { from: ${r.canon} } }), or write reverse: none for an inbound-only mapping`),
    );
    for (const l of missing) claimed.add(l);
  }
  const n = writers.length;
  return {
    problems,
    build(canonical, failures) {
      const rec: Obj = {};
      for (let i = 0; i < n; i++) {
        const w = writers[i];
        try {
          w.set(rec, w.write(canonical));
        } catch (e) {
          if (!isStepFailure(e)) throw e;
          failures.push({ canon: w.canon, failure: { ...e, label: e.label?.startsWith(`${w.legacy}[`) ? e.label : w.legacy } });
        }
      }
      return rec as LegacyRecord;
    },
  };
}
