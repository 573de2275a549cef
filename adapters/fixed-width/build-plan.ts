import { ConfigError, type ConfigProblem } from '../../src/core/errors.js';
import type { FormatContext } from '../../src/core/format.js';
import { textCodec, type TextCodec } from '../../src/encoding/index.js';
import { charset } from './field-codec.js';
import { compileLayout, type LayoutEnv } from './layout.js';
import type { FieldOptions, FixedWidthOptions } from './options.js';
import type { CompiledCheck, Plan, RecordKind } from './plan.js';

/**
 * Works out everything decode and encode need, once, and checks that the options make sense:
 * overlapping fields, unknown names, lengths. Throws a ConfigError listing every problem with
 * its path inside the declaring file (`source.fixed-width.fields[3].length`).
 */
export function buildPlan(options: FixedWidthOptions, context: FormatContext): Plan {
  const problems: ConfigProblem[] = [];
  const base = context.path;
  const problem = (path: string, message: string) => problems.push({ file: context.file, path, message });
  let codec: TextCodec;
  try {
    codec = textCodec(options.encoding);
  } catch (e) {
    throw new ConfigError({ file: context.file, path: `${base}.encoding`, message: (e as Error).message });
  }
  const cs = charset(codec);
  const env: LayoutEnv = { cs, century: options.century, variableLength: options.variableLength, file: context.file, problems };
  const kinds: RecordKind[] = [];
  const byCode = new Map<string, RecordKind>();
  const plan: Plan = { options, codec, cs, kinds, byCode, multi: false, checks: false };
  const kindOf = (path: string, fields: FieldOptions[], name?: string): RecordKind => {
    const layout = compileLayout(fields, path, env);
    const length = layout.variable ? layout.span : (options.recordLength ?? layout.span);
    if (options.recordLength !== undefined && !layout.variable && layout.span > options.recordLength) {
      const i = layout.fields.findIndex((n) => n.offset + n.size * (n.occurs?.max ?? 1) > options.recordLength!);
      problem(`${path}.fields[${i}].length`, `${layout.fields[i].name} ends at byte ${layout.fields[i].offset + layout.fields[i].size * (layout.fields[i].occurs?.max ?? 1)}, after the record length ${options.recordLength}`);
    }
    const kind: RecordKind = { index: kinds.length, name, layout, length, children: [], checks: [] };
    kinds.push(kind);
    return kind;
  };

  if (options.fields && options.recordTypes) problem(base, 'declare fields or recordTypes, not both');
  else if (options.fields) kindOf(base, options.fields);
  else if (!options.recordTypes) problem(base, 'declare fields (one layout) or recordTypes (several)');
  else {
    const rt = options.recordTypes;
    plan.multi = true;
    plan.discriminator = { start: rt.discriminator.start - 1, length: rt.discriminator.length };
    const discEnd = rt.discriminator.start - 1 + rt.discriminator.length;
    rt.types.forEach((t, i) => {
      const path = `${base}.recordTypes.types[${i}]`;
      if (kinds.some((k) => k.name === t.name)) problem(`${path}.name`, `duplicate record type ${t.name}`);
      const kind = kindOf(path, t.fields, t.name);
      const { bytes, unencodable } = codec.encode(String(t.code));
      if (unencodable.length || bytes.length !== rt.discriminator.length) {
        problem(`${path}.code`, `code ${JSON.stringify(String(t.code))} is not ${rt.discriminator.length} bytes in ${codec.name} (quote codes in YAML: 01 reads as 1)`);
      }
      kind.codeKey = bytes.toString('latin1');
      if (byCode.has(kind.codeKey)) problem(`${path}.code`, `code ${JSON.stringify(String(t.code))} is used twice`);
      byCode.set(kind.codeKey, kind);
      if (discEnd > kind.length) problem(`${base}.recordTypes.discriminator`, `ends at byte ${discEnd}, after the ${kind.length}-byte ${t.name} record`);
    });
    rt.types.forEach((t, i) => {
      if (t.parent === undefined) return;
      const parent = kinds.find((k) => k.name === t.parent);
      if (!parent) return problem(`${base}.recordTypes.types[${i}].parent`, `names no record type: ${t.parent}`);
      for (let p: RecordKind | undefined = parent; p; p = p.parent) {
        if (p === kinds[i]) return problem(`${base}.recordTypes.types[${i}].parent`, `${t.name} would be its own ancestor`);
      }
      kinds[i].parent = parent;
      parent.children.push(kinds[i]);
    });
    rt.types.forEach((t, i) => {
      (t.checks ?? []).forEach((c, j) => {
        const check = compileCheck(c, kinds[i], kinds, `${base}.recordTypes.types[${i}].checks[${j}]`, problem);
        if (check) kinds[i].checks.push(check);
      });
    });
    if (rt.emit !== undefined) {
      plan.emit = kinds.find((k) => k.name === rt.emit);
      if (!plan.emit) problem(`${base}.recordTypes.emit`, `names no record type: ${rt.emit}`);
    }
    plan.checks = kinds.some((k) => k.checks.length > 0);
  }
  if (options.separator === 'none' && kinds.some((k) => k.length === 0)) problem(`${base}.recordLength`, 'records of 0 bytes cannot be split');
  if (problems.length) throw new ConfigError(problems);
  return plan;
}

function compileCheck(
  c: { count: string; equals: string } | { sum: string; equals: string },
  owner: RecordKind,
  kinds: RecordKind[],
  path: string,
  problem: (path: string, message: string) => void,
): CompiledCheck | undefined {
  if (!owner.layout.fields.some((n) => n.name === c.equals && n.numeric)) {
    problem(`${path}.equals`, `${c.equals} is not a number field of ${owner.name}`);
    return undefined;
  }
  const scope = owner.parent ? owner.parent.index : -1;
  if ('count' in c) {
    if (c.count === '*') return { text: `count * = ${c.equals}`, kind: 'count', kinds: [], path: [], equals: c.equals, scope };
    const k = kinds.find((x) => x.name === c.count);
    if (!k) return void problem(`${path}.count`, `names no record type: ${c.count}`);
    return { text: `count ${c.count} = ${c.equals}`, kind: 'count', kinds: [k.index], path: [], equals: c.equals, scope };
  }
  const [type, ...fieldPath] = c.sum.split('.');
  const k = kinds.find((x) => x.name === type);
  if (!k || fieldPath.length === 0) return void problem(`${path}.sum`, `expected TYPE.FIELD naming a record type, got ${c.sum}`);
  let nodes = k.layout.fields;
  for (const [i, name] of fieldPath.entries()) {
    const n = nodes.find((x) => x.name === name);
    if (!n || (i < fieldPath.length - 1 ? !n.children : !n.numeric)) return void problem(`${path}.sum`, `${c.sum} is not a number field of ${type}`);
    nodes = n.children ?? [];
  }
  return { text: `sum ${c.sum} = ${c.equals}`, kind: 'sum', kinds: [k.index], path: fieldPath, equals: c.equals, scope };
}
