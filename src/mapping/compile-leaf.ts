import type { CanonicalForm } from '../core/format.js';
import type { FieldModel } from '../model/model-schema.js';
import type { DocPath } from '../core/yaml-file.js';
import { coercer, emptyAsNullByDefault, finalType, scalarCoercer } from './coerce.js';
import { isBlank, leafCode, type LeafPlan } from './leaf-code.js';
import { lookupStep } from './lookup.js';
import type { FieldSpec } from './mapping-schema.js';
import { getter, toLegacy } from './paths.js';
import { generated } from './specialize.js';
import { fail, isStepFailure, runBack, type CompileContext, type Step } from './steps.js';
import { defaultStep } from './text-transforms.js';
import { compileTransform } from './transforms.js';

type Obj = Record<string, unknown>;

/** A compiled mapping of one value (no `each`): how to read, convert and, if possible, undo it. */
export interface Leaf {
  /** Reads and converts; throws a StepFailure labelled with the source field(s). */
  value(src: Obj): unknown;
  /** Source fields read, for reverse problems. */
  sources: string[];
  /** The one source field when the value comes from a single `from`. */
  single?: string;
  /** The inverse (target value → source value), when there is one. */
  back?: (v: unknown) => unknown;
  /** Why there is no inverse. */
  noInverse?: string;
  isConst: boolean;
  /** How `value` works, for code that generates it inline (a single `from`, no `when`). */
  plan?: LeafPlan;
}

/** Where values are read from: checks that a `from` names a field that exists. */
export interface LeafSide {
  checkSource(name: string, at: DocPath): void;
  /** The canonical form the format yields the legacy field `name` in, when it does (forward only). */
  canonicalOf?(name: string): CanonicalForm | undefined;
  /** Forward: the model type of the target (drives coercion); reverse: undefined (legacy text). */
  target: FieldModel | undefined;
}

export function normalizeSpec(spec: FieldSpec | string): FieldSpec {
  return typeof spec === 'string' ? { from: spec } : spec;
}

function compileCondition(c: NonNullable<FieldSpec['when']>, side: LeafSide, ctx: CompileContext, at: DocPath): ((src: Obj) => boolean) | undefined {
  side.checkSource(c.field, [...at, 'field']);
  const get = getter(c.field);
  const text = (src: Obj): string | null => {
    const v = get(src);
    return v === null || v === undefined ? null : typeof v === 'string' ? v.trim() : String(v);
  };
  const str = (v: unknown): string | null => (v === null ? null : String(v));
  const tests: ((src: Obj) => boolean)[] = [];
  if (c.equals !== undefined) { const e = str(c.equals); tests.push((s) => text(s) === e); }
  if (c.notEquals !== undefined) { const e = str(c.notEquals); tests.push((s) => text(s) !== e); }
  if (c.in !== undefined) { const set = new Set(c.in.map(str)); tests.push((s) => set.has(text(s))); }
  if (c.empty !== undefined) { const want = c.empty; tests.push((s) => { const t = text(s); return (t === null || t === '') === want; }); }
  if (c.matches !== undefined) {
    try {
      const re = new RegExp(c.matches);
      tests.push((s) => { const t = text(s); return t !== null && re.test(t); });
    } catch (err) {
      ctx.problems.push(ctx.problem([...at, 'matches'], `not a valid regular expression: ${(err as Error).message}`));
      return undefined;
    }
  }
  if (tests.length !== 1) {
    ctx.problems.push(ctx.problem(at, 'a condition needs exactly one of equals, notEquals, in, empty, matches'));
    return undefined;
  }
  return tests[0];
}

/** The per-record body of a value mapping (see leaf-code.ts), as a function of its own. */
function makeValue(read: (src: Obj) => unknown, plan: LeafPlan): (src: Obj) => unknown {
  const bind: Record<string, unknown> = { read, label: plan.label, h: { isBlank, fail, isStepFailure } };
  const code = leafCode(plan, 'f', bind);
  return generated('leaf', bind, `return (src) => {
    const raw = read(src);
    let v = raw;
    try {
      ${code}
      return v;
    } catch (e) {
      if (h.isStepFailure(e) && e.label === undefined) e.label = label;
      throw e;
    }
  };`);
}

/** Compiles one value mapping; problems go to ctx and the result is undefined. */
export function compileLeaf(raw: FieldSpec | string, side: LeafSide, ctx: CompileContext, at: DocPath): Leaf | undefined {
  const spec = normalizeSpec(raw);
  const before = ctx.problems.length;
  const finish = side.target ? coercer(side.target) : toLegacy;
  const required = spec.required === true;

  if (spec.when !== undefined) {
    const cond = compileCondition(spec.when, side, ctx, [...at, 'when']);
    const { when: _w, else: otherwise, ...rest } = spec;
    const then = compileLeaf(rest, side, ctx, at);
    const alt = otherwise === undefined ? undefined : compileLeaf(otherwise, side, ctx, [...at, 'else']);
    if (!cond || !then || (otherwise !== undefined && !alt)) return undefined;
    return {
      value: alt ? (src) => (cond(src) ? then.value(src) : alt.value(src)) : (src) => (cond(src) ? then.value(src) : null),
      sources: [spec.when.field, ...then.sources, ...(alt?.sources ?? [])],
      noInverse: 'a when condition has no inverse',
      isConst: false,
    };
  }

  const hasFrom = spec.from !== undefined;
  if (hasFrom === ('const' in spec)) {
    ctx.problems.push(ctx.problem(at, hasFrom ? 'give either from or const, not both' : 'expected from (a legacy field) or const'));
    return undefined;
  }
  if ('const' in spec) {
    try {
      const c = finish(spec.const);
      if (c !== null && typeof c === 'object') throw new Error('const must be a single value');
      return { value: () => c, sources: [], isConst: true };
    } catch (err) {
      const why = isStepFailure(err) ? err.message : (err as Error).message;
      ctx.problems.push(ctx.problem([...at, 'const'], `${JSON.stringify(spec.const)}: ${why}`));
      return undefined;
    }
  }

  const froms = typeof spec.from === 'string' ? [spec.from] : spec.from!;
  froms.forEach((f, i) => side.checkSource(f, typeof spec.from === 'string' ? [...at, 'from'] : [...at, 'from', i]));
  const label = froms.join('+');
  const steps: Step[] = [];
  let list = side.target?.type === 'array';
  (spec.transform ?? []).forEach((t, i) => {
    const step = compileTransform(t, ctx, [...at, 'transform', i]);
    if (!step) return;
    if (step.makesList && list && side.target?.type !== 'array') ctx.problems.push(ctx.problem([...at, 'transform', i], 'split of a value that is a list already'));
    list ||= step.makesList === true;
    steps.push(step);
  });
  if (spec.lookup !== undefined) {
    const step = lookupStep(spec.lookup, spec.default ?? undefined, ctx, [...at, 'lookup']);
    if (step) steps.push(step);
  } else if (spec.default !== undefined) steps.push(defaultStep(spec.default));
  if (ctx.problems.length > before) return undefined;

  const emptyAsNull = spec.emptyAsNull ?? emptyAsNullByDefault(side.target);
  let read: (src: Obj) => unknown;
  if (froms.length === 1) read = getter(froms[0]);
  else {
    const gets = froms.map(getter);
    const join = spec.join ?? '';
    read = (src) => {
      let s = '';
      let any = false;
      for (let i = 0; i < gets.length; i++) {
        const v = gets[i](src);
        if (v !== null && v !== undefined) any = true;
        s += (i ? join : '') + (v === null || v === undefined ? '' : String(v));
      }
      return any ? s : null;
    };
  }
  const n = steps.length;
  const forward = side.target !== undefined;
  const plan: LeafPlan = { from: froms[0], steps, finish: forward ? scalarCoercer(side.target!) : toLegacy, finishTakesNull: !forward, emptyAsNull, required, label };
  if (forward) {
    const canonical = n > 0 ? steps[n - 1].canonical : froms.length === 1 ? side.canonicalOf?.(froms[0]) : undefined;
    const final = finalType(side.target!, canonical);
    if (final !== undefined) plan.finalType = final;
  }
  const value = makeValue(read, plan);
  const blocker = froms.length > 1 ? 'a concatenation has no inverse' : steps.find((s) => !s.back)?.noInverse;
  const leaf: Leaf = { value, sources: froms, isConst: false };
  if (froms.length === 1) leaf.plan = plan;
  if (blocker) leaf.noInverse = blocker;
  else {
    leaf.single = froms[0];
    leaf.back = (v) => {
      for (let i = n - 1; i >= 0; i--) v = runBack(steps[i], v);
      return toLegacy(v);
    };
  }
  return leaf;
}
