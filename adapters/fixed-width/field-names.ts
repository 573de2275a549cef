import type { FieldOptions, FixedWidthOptions, RecordTypesOptions } from './options.js';

/**
 * The dotted legacy names a layout yields, as a mapping's `from:` may name them: fields inside
 * groups as `COMPANY.SHORT-NAME`, repeating groups by their own name, fillers left out. With
 * record types, the names follow what is yielded: the emitted type's fields, its children by
 * type name (arrays), its parent's fields as `HEADER.ORDER-NO`; without `emit`, `TYPE.FIELD`.
 */
export function fieldNames(options: FixedWidthOptions): string[] {
  if (options.fields) return names(options.fields, '');
  const rt = options.recordTypes;
  if (!rt) return [];
  if (rt.emit === undefined) return rt.types.flatMap((t) => names(t.fields, `${t.name}.`));
  return emitted(rt, rt.emit);
}

function emitted(rt: RecordTypesOptions, emit: string): string[] {
  const type = rt.types.find((t) => t.name === emit);
  if (!type) return [];
  const out = names(type.fields, '');
  for (const child of rt.types) if (child.parent === emit) out.push(child.name);
  let prefix = '';
  for (let p = type.parent; p !== undefined; ) {
    const parent = rt.types.find((t) => t.name === p);
    if (!parent) break;
    prefix += `${parent.name}.`;
    out.push(...names(parent.fields, prefix));
    p = parent.parent;
  }
  return out;
}

function names(fields: FieldOptions[], prefix: string): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.type === 'filler' || (f.type === undefined && !f.fields && f.name.toUpperCase() === 'FILLER')) continue;
    if (f.fields && f.occurs === undefined) out.push(...names(f.fields, `${prefix}${f.name}.`));
    else out.push(prefix + f.name);
  }
  return out;
}
