import type { LegacyValue } from '../core/records.js';
import type { CanonicalForm } from '../core/format.js';
import type { FieldModel } from '../model/model-schema.js';
import type { DocPath } from '../core/yaml-file.js';
import { coercionChecksType } from './coerce.js';
import { compileLeaf, normalizeSpec, type LeafSide } from './compile-leaf.js';
import type { LeafPlan } from './leaf-code.js';
import type { FieldSpec } from './mapping-schema.js';
import { getter, setter } from './paths.js';
import type { ErrorSink } from './sink.js';
import { generated } from './specialize.js';
import { fail, isStepFailure, type CompileContext } from './steps.js';

type Obj = Record<string, unknown>;

/** How a canonical field is written back into the legacy record, or why it cannot be. */
export type ReversePlan =
  | { kind: 'write'; canon: string; legacy: string; write(canonical: Obj): LegacyValue }
  | { kind: 'const' }
  | { kind: 'none'; canon: string; legacy: string[]; reason: string; at: DocPath };

/** One canonical field of a mapping, compiled both ways. */
export interface CompiledField {
  canon: string;
  /** Maps the field of one record into `out`; a failure goes to the sink, never thrown. */
  run(rec: Obj, out: Obj, sink: ErrorSink): void;
  reverse: ReversePlan;
  /** What `run` does, when it can be generated inline into a whole-record function. */
  plan?: LeafPlan;
  /** True when every value `run` writes passes the model's type test for `canon` already. */
  typeChecked: boolean;
}

/** What field compilation needs besides the transform context. */
export interface FieldContext extends CompileContext {
  /** Legacy field names the format declares (dotted inside groups), when it declares them. */
  legacyNames?: ReadonlySet<string>;
  /** Groups among them (`HEADER` for `HEADER.ORDER-NO`). */
  legacyGroups?: ReadonlySet<string>;
  /** Those the format yields in a canonical form (see FormatAdapter.canonicalFields). */
  legacyCanonical?: ReadonlyMap<string, CanonicalForm>;
  /** Prefix of legacy names inside `each` (`DETAIL.`). */
  legacyPrefix: string;
  /** Name of what holds the fields, for messages (`Customer`, `Customer.lines`). */
  owner: string;
}

/** Resolves a dotted canonical key (`address.city`) in the model; a string is the problem. */
export function resolveTarget(fields: Record<string, FieldModel>, key: string, owner: string): FieldModel | string {
  let scope = fields;
  let where = owner;
  const seg = key.split('.');
  for (let i = 0; i < seg.length; i++) {
    const f = scope[seg[i]];
    if (!f) return `"${seg[i]}" is not a field of ${where} (fields: ${Object.keys(scope).join(', ')})`;
    if (i === seg.length - 1) return f;
    if (f.type !== 'object' || !f.fields) return `${where}.${seg[i]} is ${f.type}, not an object with fields`;
    scope = f.fields;
    where = `${where}.${seg[i]}`;
  }
  return `empty field name`;
}

export function checkLegacy(ctx: FieldContext, name: string, at: DocPath): void {
  const full = ctx.legacyPrefix + name;
  if (!ctx.legacyNames || ctx.legacyNames.has(full) || ctx.legacyGroups?.has(full)) return;
  // Inside a group the format names without naming its fields (detail records, repeating
  // groups), at any depth of `each`: its fields are unknown.
  for (let group = ctx.legacyPrefix.slice(0, -1); group; group = group.slice(0, Math.max(0, group.lastIndexOf('.')))) {
    if (ctx.legacyNames.has(group) && !ctx.legacyGroups?.has(group)) return;
  }
  const near = [...ctx.legacyNames].filter((n) => n.startsWith(ctx.legacyPrefix)).map((n) => n.slice(ctx.legacyPrefix.length));
  ctx.problems.push(ctx.problem(at, `"${name}" is not a field of the legacy record (fields: ${near.join(', ')})`));
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function compileEach(canon: string, spec: FieldSpec, target: FieldModel, ctx: FieldContext, at: DocPath): CompiledField | undefined {
  if (typeof spec.from !== 'string') {
    ctx.problems.push(ctx.problem([...at, 'from'], 'each needs from: one legacy repeating group or detail record'));
    return undefined;
  }
  if (target.type !== 'array' || target.items?.type !== 'object' || !target.items.fields) {
    ctx.problems.push(ctx.problem([...at, 'each'], `${ctx.owner}.${canon} is ${target.type}${target.items ? ` of ${target.items.type}` : ''}; each maps into an array of objects`));
    return undefined;
  }
  const from = spec.from;
  checkLegacy(ctx, from, [...at, 'from']);
  const sub: FieldContext = { ...ctx, legacyPrefix: `${ctx.legacyPrefix}${from}.`, owner: `${ctx.owner}.${canon}[]` };
  const fields: CompiledField[] = [];
  let ok = true;
  for (const [k, s] of Object.entries(spec.each!)) {
    const f = compileField(k, s, target.items.fields, sub, [...at, 'each', k]);
    if (f) fields.push(f);
    else ok = false;
  }
  if (!ok) return undefined;
  const get = getter(from);
  const set = setter(canon);
  const run = (rec: Obj, out: Obj, sink: ErrorSink): void => {
    const v = get(rec);
    if (v === null || v === undefined) return set(out, null);
    const list = Array.isArray(v) ? v : isObj(v) ? [v] : undefined;
    if (list === undefined) {
      return sink.add(canon, { stepFailure: true, code: 'field.transform', message: 'not a repeating group', label: from, value: String(v) });
    }
    const res: Obj[] = new Array(list.length);
    sink.enter(canon, from);
    for (let i = 0; i < list.length; i++) {
      sink.at(i);
      const o: Obj = {};
      for (let j = 0; j < fields.length; j++) fields[j].run(list[i] as Obj, o, sink);
      res[i] = o;
    }
    sink.leave();
    set(out, res);
  };
  const blocked = fields.map((f) => f.reverse).find((r) => r.kind === 'none');
  if (blocked && blocked.kind === 'none') {
    return { canon, run, typeChecked: false, reverse: { kind: 'none', canon, legacy: [from], reason: `${blocked.canon}: ${blocked.reason}`, at: blocked.at } };
  }
  const writers = fields.map((f) => f.reverse).filter((r) => r.kind === 'write');
  const legacySet = writers.map((w) => setter(w.legacy));
  const read = getter(canon);
  const write = (c: Obj): LegacyValue => {
    const arr = read(c);
    if (arr === null || arr === undefined) return null;
    if (!Array.isArray(arr)) return fail('field.encode', 'not a list', arr);
    return arr.map((e, i) => {
      const r: Obj = {};
      for (let j = 0; j < writers.length; j++) {
        try {
          legacySet[j](r, writers[j].write(e as Obj));
        } catch (err) {
          if (isStepFailure(err)) err.label = `${from}[${i}].${err.label ?? writers[j].legacy}`;
          throw err;
        }
      }
      return r as LegacyValue;
    });
  };
  return { canon, run, typeChecked: false, reverse: { kind: 'write', canon, legacy: from, write } };
}

// The per-record body of a field, as a function of its own (see specialize.ts).
function makeRun(set: (o: Obj, v: unknown) => void, value: (src: Obj) => unknown, canon: string): CompiledField['run'] {
  return generated('field', { set, value, canon, isStepFailure }, `return (rec, out, sink) => {
    try {
      set(out, value(rec));
    } catch (e) {
      if (!isStepFailure(e)) throw e;
      sink.add(canon, e);
    }
  };`);
}

/** Compiles one entry of `fields:` (or of an `each`); problems go to ctx, result undefined. */
export function compileField(canon: string, raw: FieldSpec | string, scope: Record<string, FieldModel>, ctx: FieldContext, at: DocPath): CompiledField | undefined {
  const target = resolveTarget(scope, canon, ctx.owner);
  if (typeof target === 'string') {
    ctx.problems.push(ctx.problem(at, target));
    return undefined;
  }
  const spec = normalizeSpec(raw);
  if (spec.each !== undefined) return compileEach(canon, spec, target, ctx, at);
  if (target.type === 'object' || (target.type === 'array' && target.items?.type === 'object')) {
    const how = target.type === 'object' ? `map its fields (${canon}.${Object.keys(target.fields ?? {})[0] ?? 'x'})` : 'use each';
    ctx.problems.push(ctx.problem(at, `${ctx.owner}.${canon} is ${target.type === 'object' ? 'an object' : 'a list of objects'}: ${how}`));
    return undefined;
  }
  const side: LeafSide = { target, checkSource: (name, p) => checkLegacy(ctx, name, p), canonicalOf: (name) => ctx.legacyCanonical?.get(ctx.legacyPrefix + name) };
  const leaf = compileLeaf(spec, side, ctx, at);
  if (!leaf) return undefined;
  const run = makeRun(setter(canon), leaf.value, canon);
  let reverse: ReversePlan;
  if (leaf.isConst) reverse = { kind: 'const' };
  else if (leaf.back && leaf.single !== undefined) {
    const back = leaf.back;
    const read = getter(canon);
    reverse = { kind: 'write', canon, legacy: leaf.single, write: (c) => back(read(c)) as LegacyValue };
  } else reverse = { kind: 'none', canon, legacy: leaf.sources, reason: leaf.noInverse ?? 'no inverse', at };
  // Every leaf value went through the coercion of its target: a top-level field's type is known.
  const field: CompiledField = { canon, run, reverse, typeChecked: !canon.includes('.') && coercionChecksType(target) };
  if (leaf.plan) field.plan = leaf.plan;
  return field;
}
