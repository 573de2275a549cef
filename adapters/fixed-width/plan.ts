import type { TextCodec } from '../../src/encoding/index.js';
import type { Charset } from './field-codec.js';
import type { Layout } from './layout.js';
import type { FixedWidthOptions } from './options.js';

/** One record layout of a delivery: the only one, or one record type of several. */
export interface RecordKind {
  index: number;
  /** Record type name (multi-record files). */
  name?: string;
  /** Discriminator value, as the code page writes it (latin1 view of its bytes). */
  codeKey?: string;
  layout: Layout;
  /** Bytes a record of this kind has (before `lineLength` leniency); variable layouts: the most. */
  length: number;
  parent?: RecordKind;
  children: RecordKind[];
  checks: CompiledCheck[];
}

/** A trailer check, resolved: `count` counts records of `kinds`, `sum` adds `path` of `kinds`. */
export interface CompiledCheck {
  text: string;
  kind: 'count' | 'sum';
  /** Record kinds counted or summed; empty = every record. */
  kinds: number[];
  /** Field path inside the summed record type. */
  path: string[];
  equals: string;
  /** Record kind whose arrival resets the tally (the trailer's parent), or -1 for the whole file. */
  scope: number;
}

/** Everything `create` works out once from the options, shared by decode and encode. */
export interface Plan {
  options: FixedWidthOptions;
  codec: TextCodec;
  cs: Charset;
  kinds: RecordKind[];
  /** 0-based start and length of the record type code (multi-record files). */
  discriminator?: { start: number; length: number };
  byCode: Map<string, RecordKind>;
  /** The record kind yielded (multi-record files with `emit`). */
  emit?: RecordKind;
  multi: boolean;
  checks: boolean;
}

/** True when `a` is `b` or one of its ancestors. */
export function isAncestorOrSelf(a: RecordKind, b: RecordKind | undefined): boolean {
  for (let k = b; k; k = k.parent) if (k === a) return true;
  return false;
}
