import { hash } from 'node:crypto';

/**
 * The canonical text of entity data: JSON with object keys sorted (by UTF-16 code units, as
 * `Array.prototype.sort` does), no whitespace, `undefined` properties left out and `undefined`
 * array items written as null, as `JSON.stringify` does; objects with `toJSON` (a Date) are
 * written as what it returns. Two values that differ only in key order have the same text, so
 * the same content hash. The store keeps data in this form: data read back has its keys sorted.
 *
 * Throws a TypeError for what JSON cannot carry faithfully (bigint, functions, symbols,
 * non-finite numbers) rather than storing something other than what was written.
 */
export function canonicalJson(value: unknown): string {
  const flat = flatText(value);
  if (flat !== undefined) return flat;
  // A key-sorted copy serialised natively is faster than building the text in JS.
  return JSON.stringify(sortedCopy(value, 0));
}

type FlatWriter = (o: Record<string, unknown>) => string | undefined;

/**
 * Writers for flat objects by key list: most entity data is one object of strings, numbers,
 * booleans and nulls with the keys of the record before. Its text is then built directly in
 * sorted key order, at half the cost of the sorted copy and without its garbage. The last shapes
 * seen are found by comparing key lists (a few pointer compares), others by their joined keys.
 */
const recent: { keys: string[]; write: FlatWriter | undefined }[] = [];
const RECENT = 4;
const writers = new Map<string, FlatWriter | undefined>();
/** Shapes given a writer at most; past that, new shapes take the general path. */
const WRITERS = 1024;

function flatText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < recent.length; i++) {
    if (sameKeys(recent[i].keys, keys)) return recent[i].write?.(value as Record<string, unknown>);
  }
  const id = JSON.stringify(keys);
  let write = writers.get(id);
  if (write === undefined && !writers.has(id) && writers.size < WRITERS) {
    // Index-like keys are enumerated before the others whatever the insertion order, so a sorted
    // copy does not write them sorted; "__proto__" needs defineProperty in the copy. Both are rare.
    write = keys.some((k) => k === '__proto__' || indexLike.test(k)) ? undefined : flatWriter(sortKeys([...keys]));
    writers.set(id, write);
  }
  if (recent.length === RECENT) recent.pop();
  recent.unshift({ keys, write });
  return write?.(value as Record<string, unknown>);
}

const indexLike = /^(?:0|[1-9][0-9]*)$/;

/** What JSON.stringify would escape in a string (lone surrogates included), or a surrogate pair. */
const escaped = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A writer for one sorted key list: the text JSON.stringify gives the key-sorted object, or
 * undefined when a value is anything but a string it would not escape, a finite number, a
 * boolean or null (the general path then handles it, errors included). Generated code with
 * only JSON-quoted keys spliced in, so that each key's property read is a constant.
 */
function flatWriter(sorted: string[]): FlatWriter {
  let body = "let v, t = '{';\n";
  sorted.forEach((key, i) => {
    const name = JSON.stringify(`${i === 0 ? '' : ','}${JSON.stringify(key)}:`);
    body += `v = o[${JSON.stringify(key)}];
if (typeof v === 'string') { if (escaped.test(v)) return undefined; t += ${name} + '"' + v + '"'; }
else if (typeof v === 'number') { if (!Number.isFinite(v)) return undefined; t += ${name} + v; }
else if (v === null || typeof v === 'boolean') t += ${name} + v;
else return undefined;
`;
  });
  return new Function('escaped', `return (o) => {\n${body}return t + '}';\n};`)(escaped) as FlatWriter;
}

/**
 * The last key list seen at each depth and its sorted order. Records of one entity type share
 * their key order, so the sort is usually skipped: comparing the key lists costs a few pointer
 * compares (property names are interned strings).
 */
const shapes: { keys: string[]; sorted: string[] }[] = [];
const CACHED_DEPTHS = 8;

function sortedCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot store the number ${value} in canonical JSON`);
      return value;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return sortedArray(value, depth + 1);
      return sortedObject(value as Record<string, unknown>, depth + 1);
    default:
      throw new TypeError(`cannot store a value of type ${typeof value} in canonical JSON`);
  }
}

function sortedArray(items: unknown[], depth: number): unknown[] {
  const out = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = sortedCopy(items[i], depth);
  return out;
}

function sortedObject(object: Record<string, unknown>, depth: number): unknown {
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return sortedCopy(toJSON.call(object), depth - 1);
  const keys = sortedKeys(Object.keys(object), depth);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // Plain assignment of "__proto__" would set the prototype, not a property.
    if (key === '__proto__') Object.defineProperty(out, key, { value: sortedCopy(object[key], depth), enumerable: true, writable: true, configurable: true });
    else out[key] = sortedCopy(object[key], depth);
  }
  return out;
}

/** `keys` sorted, from the shape cache when the object at this depth has the last shape seen. */
function sortedKeys(keys: string[], depth: number): string[] {
  if (depth >= CACHED_DEPTHS) return sortKeys(keys);
  const shape = shapes[depth];
  if (shape !== undefined && sameKeys(shape.keys, keys)) return shape.sorted;
  const sorted = sortKeys([...keys]);
  shapes[depth] = { keys, sorted };
  return sorted;
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Sorts by UTF-16 code units, as the default sort does. Records have few keys, for which an
 * insertion sort is several times faster than `Array.prototype.sort`.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 48) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * sha256 (hex) of the canonical JSON text: an entity's or version's content hash, as the store
 * reports it. It is derived on read: "unchanged" compares the texts themselves.
 */
export function contentHash(canonical: string): string {
  return hash('sha256', canonical, 'hex');
}
