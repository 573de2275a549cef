import type { ConfigProblem } from '../../src/core/errors.js';
import { BinaryField, PackedField, ZonedField } from './binary-numbers.js';
import { compileDatePattern, DateField, type DateKind, defaultPatterns } from './date-field.js';
import { DisplayNumberField } from './display-numbers.js';
import { type Charset, type FieldCodec, FillerField, TextField } from './field-codec.js';
import type { FieldOptions, FieldType } from './options.js';

/**
 * One compiled field, group or repeating group. Offsets are relative to the start of the
 * enclosing group's occurrence, so that one node serves every occurrence of a repeating group.
 */
export interface LayoutNode {
  name: string;
  /** Dotted legacy path (`COMPANY.SHORT-NAME`), as errors name the field. */
  path: string;
  offset: number;
  /** Bytes of one occurrence (a group: the span of its fields). */
  size: number;
  codec?: FieldCodec;
  children?: LayoutNode[];
  occurs?: { max: number; min: number; counter: number; counterName?: string };
  /** Index in the per-record slots where this field's value is kept for later fields, or -1. */
  slot: number;
  when?: { slot: number; equals: string };
  /** Views redefining this one whose `when` holds hide it. */
  excludedBy?: LayoutNode[];
  redefines?: LayoutNode;
  filler: boolean;
  numeric: boolean;
}

/** A compiled record layout: built once, read by the decoder and the encoder. */
export interface Layout {
  fields: LayoutNode[];
  /** Bytes of the record at the largest (every OCCURS at its maximum). */
  span: number;
  /** True when OCCURS DEPENDING ON shortens records (`variableLength`). */
  variable: boolean;
  slots: number;
  /** True when some field holds raw binary (packed, binary): raw text is then shown as hex. */
  binary: boolean;
}

/** What compiling needs besides the fields; `problems` collects every ConfigProblem found. */
export interface LayoutEnv {
  cs: Charset;
  century: number;
  variableLength: boolean;
  file: string;
  problems: ConfigProblem[];
}

interface State extends LayoutEnv {
  earlier: Map<string, LayoutNode>;
  slots: number;
  variable: boolean;
  binary: boolean;
}

const NUMERIC: FieldType[] = ['integer', 'decimal', 'zoned', 'packed', 'binary'];

/** Compiles `fields` (found at options path `path`); problems go to `env.problems`. */
export function compileLayout(fields: FieldOptions[], path: string, env: LayoutEnv): Layout {
  const st: State = { ...env, earlier: new Map(), slots: 0, variable: false, binary: false };
  const { nodes, size } = compileGroup(fields, `${path}.fields`, '', 0, st);
  return { fields: nodes, span: size, variable: st.variable, slots: st.slots, binary: st.binary };
}

function compileGroup(fields: FieldOptions[], path: string, prefix: string, base: number, st: State) {
  const nodes: LayoutNode[] = [];
  let cursor = 0;
  fields.forEach((f, i) => {
    const at = `${path}[${i}]`;
    const problem = (key: string, message: string) => st.problems.push({ file: st.file, path: `${at}${key}`, message });
    const type: FieldType = f.type ?? (f.name.toUpperCase() === 'FILLER' ? 'filler' : 'text');
    const node: LayoutNode = { name: f.name, path: prefix + f.name, offset: cursor, size: 0, slot: -1, filler: type === 'filler', numeric: NUMERIC.includes(type) };
    if (f.redefines !== undefined) {
      const target = nodes.find((n) => n.name === f.redefines);
      if (!target) problem('.redefines', `names no earlier field at this level: ${f.redefines}`);
      else {
        node.offset = target.offset;
        node.redefines = target;
      }
    } else if (f.start !== undefined) {
      if (base < 0) problem('.start', 'start is not allowed inside a repeating group (fields follow each other)');
      else node.offset = f.start - 1 - base;
    }
    if (f.occurs !== undefined) {
      const o = typeof f.occurs === 'number' ? { max: f.occurs, min: 0, counter: -1 } : { max: f.occurs.max, min: f.occurs.min ?? 0, counter: -1, counterName: f.occurs.dependingOn };
      if (o.counterName !== undefined) {
        const c = st.earlier.get(o.counterName);
        if (!c) problem('.occurs.dependingOn', `names no earlier field: ${o.counterName}`);
        else if (!c.numeric) problem('.occurs.dependingOn', `${o.counterName} is not a number field`);
        else o.counter = slotOf(c, st);
        if (st.variableLength) st.variable = true;
      }
      if (o.min > o.max) problem('.occurs.min', `min ${o.min} is more than max ${o.max}`);
      node.occurs = o;
    }
    if (f.when !== undefined) {
      const c = st.earlier.get(f.when.field);
      if (!c) problem('.when.field', `names no earlier field: ${f.when.field}`);
      else node.when = { slot: slotOf(c, st), equals: String(f.when.equals) };
      if (node.when && node.redefines) (node.redefines.excludedBy ??= []).push(node);
    }
    if (f.fields) {
      if (f.type !== undefined) problem('.type', 'a group (with fields) has no type');
      const inner = compileGroup(f.fields, `${at}.fields`, `${node.path}.`, base >= 0 && !node.occurs ? base + node.offset : -1, st);
      node.children = inner.nodes;
      node.size = inner.size;
      if (f.length !== undefined && f.length !== inner.size) problem('.length', `group length ${f.length} differs from its fields' ${inner.size} bytes`);
    } else {
      const made = elementary(f, type, st, problem);
      node.codec = made.codec;
      node.size = made.size;
      st.earlier.set(f.name, node);
    }
    const span = node.size * (node.occurs?.max ?? 1);
    if (!node.redefines) {
      const clash = nodes.find((n) => !n.redefines && node.offset < n.offset + span0(n) && n.offset < node.offset + span);
      if (clash) {
        problem(f.start !== undefined ? '.start' : '.length', `bytes ${base + node.offset + 1}-${base + node.offset + span} overlap ${clash.name} (bytes ${base + clash.offset + 1}-${base + clash.offset + span0(clash)}); use redefines for another view of the same bytes`);
      }
    }
    if (f.name === '__proto__') problem('.name', 'the name __proto__ is not allowed');
    if (nodes.some((n) => n.name === f.name && !n.filler) && !node.filler) problem('.name', `duplicate field name at this level: ${f.name}`);
    cursor = Math.max(cursor, node.offset + span);
    nodes.push(node);
  });
  return { nodes, size: cursor };
}

const span0 = (n: LayoutNode) => n.size * (n.occurs?.max ?? 1);

function slotOf(node: LayoutNode, st: State): number {
  if (node.slot < 0) node.slot = st.slots++;
  return node.slot;
}

function elementary(f: FieldOptions, type: FieldType, st: State, problem: (key: string, message: string) => void): { codec: FieldCodec; size: number } {
  const scale = f.scale ?? 0;
  if (f.scale !== undefined && !['decimal', 'zoned', 'packed', 'binary'].includes(type)) problem('.scale', `scale does not apply to type ${type}`);
  if (f.point !== undefined && type !== 'decimal') problem('.point', 'point applies to type decimal only');
  if (f.pattern !== undefined && !['date', 'time', 'datetime'].includes(type)) problem('.pattern', `pattern does not apply to type ${type}`);
  let size = f.length ?? 0;
  if (type === 'date' || type === 'time' || type === 'datetime') {
    const pattern = compileDatePattern(f.pattern ?? defaultPatterns[type as DateKind], type as DateKind);
    if (typeof pattern === 'string') {
      problem('.pattern', pattern);
      return { codec: new FillerField(st.cs), size };
    }
    if (f.length !== undefined && f.length !== pattern.length) problem('.length', `length ${f.length} differs from the pattern's ${pattern.length}`);
    return { codec: new DateField(st.cs, type as DateKind, pattern, f.century ?? st.century), size: pattern.length };
  }
  if (f.length === undefined) {
    problem('.length', `length is required for a ${type} field`);
    size = 1;
  }
  switch (type) {
    case 'integer':
    case 'decimal':
      if (f.point && scale > 0 && size < scale + 2) problem('.length', `${size} bytes cannot hold ${scale} decimals and a point`);
      return { codec: new DisplayNumberField(st.cs, scale, f.point ?? false), size };
    case 'zoned':
      return { codec: new ZonedField(st.cs, scale, f.signed ?? true), size };
    case 'packed':
      st.binary = true;
      return { codec: new PackedField(scale, f.signed ?? true), size };
    case 'binary':
      st.binary = true;
      if (![1, 2, 4, 8].includes(size)) problem('.length', `binary fields are 1, 2, 4 or 8 bytes, not ${size}`);
      return { codec: new BinaryField(scale, f.signed ?? false, [1, 2, 4, 8].includes(size) ? size : 4), size };
    case 'filler':
      return { codec: new FillerField(st.cs), size };
    default:
      return { codec: new TextField(st.cs), size };
  }
}
