import type { DataErrorDetail } from '../core/errors.js';
import type { LegacyRecord, Position } from '../core/records.js';
import { entityKey } from '../model/entity-key.js';
import type { EntityModel } from '../model/model.js';
import { entityChecker } from '../model/validate.js';
import type { CompiledField } from './compile-fields.js';
import { isBlank, leafCode } from './leaf-code.js';
import type { MappedEntity, MappingFailure } from './load-mapping.js';
import { getter, setter } from './paths.js';
import { ErrorSink } from './sink.js';
import { generated } from './specialize.js';
import { fail, isStepFailure } from './steps.js';

/** What the whole-record function of a mapping is made of. */
export interface RecordMapperParts {
  file: string;
  entity: EntityModel;
  /** The key fields of MappedEntity.key. */
  key: readonly string[];
  fields: readonly CompiledField[];
}

const lit = JSON.stringify;

/** Whether an error's `field` is the canonical field `f` or a part of it (`f.city`, `f[2]`). */
function isWithin(field: string | undefined, f: string): boolean {
  return field === f || field?.startsWith(`${f}.`) === true || field?.startsWith(`${f}[`) === true;
}

/** Field errors first; model errors of fields that already failed are noise and left out. */
export function mergeErrors(fieldErrors: DataErrorDetail[], invalid: DataErrorDetail[], position: Position, mapping: string): DataErrorDetail[] {
  const failed = fieldErrors.map((e) => e.field ?? '');
  const extra = invalid
    .filter((e) => !failed.some((f) => isWithin(e.field, f)))
    .map((e) => ({ ...e, position, mapping }));
  return [...fieldErrors, ...extra];
}

/**
 * `errors` with the record's store key (MappingFailure) when every key field has a value and no
 * error names it. Only rejected records come here: the mapped ones pay nothing for it.
 */
export function keyedFailure(errors: DataErrorDetail[], data: Record<string, unknown>, keyModel: Pick<EntityModel, 'key'>): MappingFailure {
  const known = (k: string) => data[k] !== undefined && data[k] !== null && !errors.some((e) => isWithin(e.field, k));
  if (keyModel.key.every(known)) (errors as MappingFailure).key = entityKey(keyModel, data);
  return errors;
}

/** Code for one field: inline when it has a plan, else a call of its own `run`. */
function fieldCode(f: CompiledField, i: number, bind: Record<string, unknown>): string {
  const p = `f${i}_`;
  const plan = f.plan;
  if (plan === undefined) {
    bind[`${p}run`] = f.run;
    return `${p}run(record, data, sink);\n`;
  }
  let read = `record[${lit(plan.from)}]`;
  if (plan.from.includes('.')) {
    bind[`${p}get`] = getter(plan.from);
    read = `${p}get(record)`;
  }
  let write = `data[${lit(f.canon)}] = v;`;
  if (f.canon.includes('.')) {
    bind[`${p}set`] = setter(f.canon);
    write = `${p}set(data, v);`;
  }
  return `raw = ${read};
  v = raw;
  try {
    ${leafCode(plan, p, bind)}${write}
  } catch (e) {
    if (!h.isStepFailure(e)) throw e;
    if (e.label === undefined) e.label = ${lit(plan.label)};
    sink.add(${lit(f.canon)}, e);
  }
`;
}

/**
 * The `toCanonical` of a mapping as one generated function for the whole record: every field's
 * read, steps, coercion and write inline, then the model checks, skipping the type tests that
 * the coercion has made already. It behaves exactly as running each compiled field in turn and
 * then the entity validator: same data, same errors in the same order.
 */
export function compileToCanonical(parts: RecordMapperParts): (record: LegacyRecord, position: Position) => MappedEntity | MappingFailure {
  const { file, entity, key, fields } = parts;
  const trusted = new Set(fields.filter((f) => f.typeChecked).map((f) => f.canon));
  const keyModel = { key: [...key] };
  const bind: Record<string, unknown> = {
    h: { isBlank, fail, isStepFailure, entityKey },
    sink: new ErrorSink(file),
    check: entityChecker(entity, trusted),
    rejected: (fieldErrors: DataErrorDetail[], invalid: DataErrorDetail[], position: Position, data: Record<string, unknown>) =>
      keyedFailure(mergeErrors(fieldErrors, invalid, position, file), data, keyModel),
    keyModel,
  };
  const body = fields.map((f, i) => fieldCode(f, i, bind)).join('');
  const keyCode = key.length === 1
    ? `const k = data[${lit(key[0])}];\n  const key = k === null || k === undefined ? '' : typeof k === 'string' ? k : String(k);`
    : 'const key = h.entityKey(keyModel, data);';
  const ts = entity.timestamp;
  const tsCode = ts === undefined ? '' : `if (typeof data[${lit(ts)}] === 'string') out.sourceTimestamp = data[${lit(ts)}];`;
  return generated('record', bind, `const invalid = [];
return (record, position) => {
  sink.reset(position);
  const data = {};
  let v, raw;
  ${body}
  invalid.length = 0;
  check(data, invalid);
  if (sink.errors !== undefined || invalid.length !== 0) return rejected(sink.errors ?? [], invalid, position, data);
  ${keyCode}
  const out = { entity: ${lit(entity.name)}, key, data };
  ${tsCode}
  return out;
};`);
}
