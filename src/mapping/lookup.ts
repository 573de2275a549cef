import { parse } from 'csv-parse/sync';
import type { DocPath } from '../core/yaml-file.js';
import type { LookupSpec } from './mapping-schema.js';
import { fail, type CompileContext, type Step } from './steps.js';

type Scalar = string | number | boolean | null;

/** Reads a CSV lookup table; problems (missing file or column, conflicting rows) go to ctx. */
function readTable(spec: { file: string; key: string; value: string; delimiter?: string }, ctx: CompileContext, at: DocPath): Map<string, Scalar> | undefined {
  const path = ctx.resolve(spec.file);
  let rows: Record<string, string>[];
  try {
    rows = parse(ctx.files.bytes(path), { columns: true, bom: true, delimiter: spec.delimiter ?? ',', skip_empty_lines: true });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    ctx.problems.push(ctx.problem([...at, 'file'], `lookup file ${path}: ${reason}`));
    return undefined;
  }
  const columns = rows.length ? Object.keys(rows[0]) : [];
  for (const col of [spec.key, spec.value]) {
    if (rows.length && !columns.includes(col)) {
      ctx.problems.push(ctx.problem([...at, col === spec.key ? 'key' : 'value'], `lookup file ${path} has no column "${col}" (columns: ${columns.join(', ')})`));
      return undefined;
    }
  }
  const table = new Map<string, Scalar>();
  rows.forEach((row, i) => {
    const k = row[spec.key];
    if (table.has(k) && table.get(k) !== row[spec.value]) {
      ctx.problems.push(ctx.problem([...at, 'file'], `lookup file ${path} line ${i + 2}: code "${k}" appears twice with different values`));
    }
    table.set(k, row[spec.value]);
  });
  return table;
}

/**
 * Compiles a lookup table (inline, with options, or a CSV file) into a step. A code not in the
 * table yields the default when one is given, else a `field.lookup` error. The inverse table maps
 * canonical values back; when two codes share a value the step has no inverse.
 */
export function lookupStep(spec: LookupSpec, fieldDefault: Scalar | undefined, ctx: CompileContext, at: DocPath): Step | undefined {
  let entries: Map<string, Scalar> | undefined;
  let fallback: Scalar | undefined = fieldDefault;
  let insensitive = false;
  if ('file' in spec && typeof spec.file === 'string' && 'key' in spec) {
    const s = spec as { file: string; key: string; value: string; delimiter?: string; default?: Scalar; case?: string };
    entries = readTable(s, ctx, at);
    fallback = s.default ?? fallback;
    insensitive = s.case === 'insensitive';
  } else if ('map' in spec && typeof spec.map === 'object' && spec.map !== null) {
    const s = spec as { map: Record<string, Scalar>; default?: Scalar; case?: string };
    entries = new Map(Object.entries(s.map));
    fallback = s.default ?? fallback;
    insensitive = s.case === 'insensitive';
  } else {
    entries = new Map(Object.entries(spec as Record<string, Scalar>));
  }
  if (!entries) return undefined;
  const table = new Map<string, Scalar>();
  for (const [k, v] of entries) {
    const key = insensitive ? k.toUpperCase() : k;
    if (insensitive && table.has(key) && table.get(key) !== v) ctx.problems.push(ctx.problem(at, `codes differing only in case map to different values: "${k}"`));
    table.set(key, v);
  }
  const inverse = new Map<string, string>();
  const ambiguous: string[] = [];
  for (const [k, v] of entries) {
    const canonical = String(v);
    if (inverse.has(canonical) && inverse.get(canonical) !== k) ambiguous.push(`"${inverse.get(canonical)}" and "${k}" both map to ${JSON.stringify(v)}`);
    else inverse.set(canonical, k);
  }
  const hasFallback = fallback !== undefined;
  const fwd = (v: unknown): unknown => {
    if (v === null || v === undefined || v === '') return hasFallback ? fallback : null;
    const code = typeof v === 'string' ? (insensitive ? v.toUpperCase() : v) : String(v);
    const hit = table.get(code);
    if (hit !== undefined) return hit;
    return hasFallback ? fallback : fail('field.lookup', `no entry for "${String(v)}" in the lookup table`, v);
  };
  const back = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    const code = inverse.get(String(v));
    if (code !== undefined) return code;
    if (hasFallback && v === fallback) return null;
    return fail('field.lookup', `no legacy code maps to ${JSON.stringify(v)}`, v);
  };
  return ambiguous.length
    ? { name: 'lookup', fwd, noInverse: `the lookup cannot be inverted: ${ambiguous.join('; ')}` }
    : { name: 'lookup', fwd, back };
}
