import type { LegacyValue } from '../core/records.js';

type Obj = Record<string, unknown>;

/**
 * A reader of a dotted path (`HEADER.ORDER-NO`, `address.city`), compiled once. A record that
 * holds the dotted name itself as a flat key is read that way first, since some formats flatten
 * groups. Missing parts read as undefined.
 */
// Accessors are generated with the field name as a literal: a closure over a name variable would
// share one keyed-access site between all fields, which V8 then serves through its slow
// megamorphic path (measured: 3-5x slower per record). JSON.stringify makes any name a safe literal.
const lit = (s: string): string => JSON.stringify(s);

/**
 * A reader of a dotted path (`HEADER.ORDER-NO`, `address.city`), compiled once. A record that
 * holds the dotted name itself as a flat key is read that way first, since some formats flatten
 * groups. Missing parts read as undefined.
 */
export function getter(path: string): (o: Obj) => unknown {
  const seg = path.split('.');
  if (seg.length === 1) return new Function('o', `return o[${lit(path)}];`) as (o: Obj) => unknown;
  let body = `const flat = o[${lit(path)}]; if (flat !== undefined) return flat; let c = o;`;
  for (const s of seg) body += ` if (c === null || typeof c !== 'object' || Array.isArray(c)) return undefined; c = c[${lit(s)}];`;
  return new Function('o', `${body} return c;`) as (o: Obj) => unknown;
}

/** A writer of a dotted path that creates the nested objects on the way. */
export function setter(path: string): (o: Obj, v: unknown) => void {
  const seg = path.split('.');
  let body = 'let c = o, n;';
  for (const s of seg.slice(0, -1)) body += ` n = c[${lit(s)}]; if (n === null || typeof n !== 'object' || Array.isArray(n)) c[${lit(s)}] = n = {}; c = n;`;
  body += ` c[${lit(seg[seg.length - 1])}] = v;`;
  return new Function('o', 'v', body) as (o: Obj, v: unknown) => void;
}

/** Canonical → legacy text: numbers and booleans as JS prints them, lists element by element. */
export function toLegacy(v: unknown): LegacyValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(toLegacy);
  return v as LegacyValue;
}
