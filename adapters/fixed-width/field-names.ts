import type { CanonicalForm } from '../../src/core/format.js';
import { compileDatePattern, defaultPatterns } from './date-field.js';
import type { FieldOptions, FixedWidthOptions, RecordTypesOptions } from './options.js';

/** A legacy name and the field it names; none for a child record type (an array of records). */
type Named = [name: string, field: FieldOptions | undefined];

/**
 * The dotted legacy names a layout yields, as a mapping's `from:` may name them: fields inside
 * groups as `COMPANY.SHORT-NAME`, repeating groups by their own name, fillers left out. With
 * record types, the names follow what is yielded: the emitted type's fields, its children by
 * type name (arrays), its parent's fields as `HEADER.ORDER-NO`; without `emit`, `TYPE.FIELD`.
 */
export function fieldNames(options: FixedWidthOptions): string[] {
  return namedFields(options).map(([name]) => name);
}

/**
 * The named fields whose codec yields canonical values (see FormatAdapter.canonicalFields): every
 * number type, as exact decimal text with the field's scale (canonicalDecimal, or an integer's
 * String), and dates, whose codec checks the day and writes `YYYY-MM-DD`, when the year is read
 * from four digits: a two-digit year's window may reach past 9999 (`century` is any integer), and
 * a `yy` in the pattern puts the year in that window even beside a `yyyy`. A name that does not
 * always read that field is left out: one that two fields share (a field named `A.B` and field
 * `B` of group `A`), or one inside another named value (group `LINES` of an emitted record type
 * and its child record type `LINES`, whose records take the group's place).
 */
export function canonicalFields(options: FixedWidthOptions): ReadonlyMap<string, CanonicalForm> {
  const all = namedFields(options);
  const seen = new Map<string, number>();
  for (const [name] of all) seen.set(name, (seen.get(name) ?? 0) + 1);
  const ambiguous = (name: string) => seen.get(name)! > 1 || [...name.matchAll(/\./g)].some((dot) => seen.has(name.slice(0, dot.index)));
  const out = new Map<string, CanonicalForm>();
  for (const [name, f] of all) {
    if (f === undefined || f.occurs !== undefined || ambiguous(name)) continue;
    if (f.type === 'integer' || f.type === 'decimal' || f.type === 'zoned' || f.type === 'packed' || f.type === 'binary') out.set(name, { type: 'decimal', scale: f.scale ?? 0 });
    else if (f.type === 'date' && readsFourDigitYear(f.pattern ?? defaultPatterns.date)) out.set(name, { type: 'date' });
  }
  return out;
}

function readsFourDigitYear(pattern: string): boolean {
  const p = compileDatePattern(pattern, 'date');
  return typeof p !== 'string' && p.slots.some((s) => s.part === 'yyyy') && !p.slots.some((s) => s.part === 'yy');
}

function namedFields(options: FixedWidthOptions): Named[] {
  if (options.fields) return named(options.fields, '');
  const rt = options.recordTypes;
  if (!rt) return [];
  if (rt.emit === undefined) return rt.types.flatMap((t) => named(t.fields, `${t.name}.`));
  return emitted(rt, rt.emit);
}

function emitted(rt: RecordTypesOptions, emit: string): Named[] {
  const type = rt.types.find((t) => t.name === emit);
  if (!type) return [];
  const out = named(type.fields, '');
  for (const child of rt.types) if (child.parent === emit) out.push([child.name, undefined]);
  let prefix = '';
  for (let p = type.parent; p !== undefined; ) {
    const parent = rt.types.find((t) => t.name === p);
    if (!parent) break;
    prefix += `${parent.name}.`;
    out.push(...named(parent.fields, prefix));
    p = parent.parent;
  }
  return out;
}

function named(fields: FieldOptions[], prefix: string): Named[] {
  const out: Named[] = [];
  for (const f of fields) {
    if (f.type === 'filler' || (f.type === undefined && !f.fields && f.name.toUpperCase() === 'FILLER')) continue;
    if (f.fields && f.occurs === undefined) out.push(...named(f.fields, `${prefix}${f.name}.`));
    else out.push([prefix + f.name, f]);
  }
  return out;
}
