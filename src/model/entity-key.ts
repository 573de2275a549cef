import type { EntityModel } from './model.js';

/**
 * The store key of an entity: its key field values as text, in the model's key order. A single
 * key is the value as is (`"C001"`); a composite key joins values with ",", escaping "," and "\"
 * inside values with "\" so that two different entities never share a key (`"A\,1,B"`).
 * Numbers print as JS does (`42`); a missing key value is an empty part (the validator rejects
 * such entities before they are keyed).
 */
export function entityKey(entityModel: Pick<EntityModel, 'key'>, data: Record<string, unknown>): string {
  const key = entityModel.key;
  if (key.length === 1) return part(data[key[0]]);
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const p = part(data[key[i]]);
    out += (i ? ',' : '') + (p.includes(',') || p.includes('\\') ? p.replace(/[\\,]/g, '\\$&') : p);
  }
  return out;
}

function part(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);
}
