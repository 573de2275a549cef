import { z } from 'zod';
import type { FormatAdapter } from '../core/format.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Transforms written as a bare name (`trim`). */
export const BARE_TRANSFORMS = ['trim', 'trimStart', 'trimEnd', 'upper', 'lower', 'collapseSpaces', 'number', 'integer', 'decimal', 'required'] as const;

const lookupFile = z
  .object({
    file: z.string().describe('CSV file with a header row, relative to the mapping file.'),
    key: z.string().describe('Column holding the legacy code.'),
    value: z.string().describe('Column holding the canonical value.'),
    delimiter: z.string().length(1).optional().describe('Column delimiter; default ",".'),
    default: scalar.optional().describe('Value for codes not in the table (and for empty values).'),
    case: z.enum(['sensitive', 'insensitive']).optional().describe('How codes compare; default sensitive.'),
  })
  .strict();
const lookupOptions = z
  .object({
    map: z.record(z.string(), scalar).describe('Legacy code → canonical value.'),
    default: scalar.optional().describe('Value for codes not in the table (and for empty values).'),
    case: z.enum(['sensitive', 'insensitive']).optional().describe('How codes compare; default sensitive.'),
  })
  .strict();
const lookupInline = z
  .record(z.string(), scalar)
  .refine((m) => !('file' in m) && !('map' in m), 'a table with "file" or "map" takes the long form')
  .describe('Legacy code → canonical value.');

/** A lookup table: inline (`{ A: active }`), with options (`{ map, default, case }`) or a CSV file. */
export const lookupSchema = z.union([lookupFile, lookupOptions, lookupInline]);
export type LookupSpec = z.output<typeof lookupSchema>;

const datePattern = z.string().min(1).describe('Pattern of yyyy, yy, MM, dd, HH, mm, ss, SSS, XXX and literal characters (quote letters: \'T\').');
const pivot = z.number().int().min(0).max(99).optional().describe('Two-digit years below this are 20yy, others 19yy; default 50.');
const regex = z.string().min(1).describe('A JavaScript regular expression.');
const flags = z.string().regex(/^[imsu]*$/).optional().describe('Regular expression flags (i, m, s, u).');

/** Transforms written as an object (`{ date: yyyyMMdd }`), one key naming the transform. */
export const transformObjects = {
  pad: z.object({ pad: z.object({ length: z.number().int().min(1), char: z.string().length(1).optional(), side: z.enum(['left', 'right']).optional() }).strict().describe('Pads to length (default: spaces, on the left).') }).strict(),
  number: z.object({ number: z.object({ separator: z.string().length(1).optional(), thousands: z.string().length(1).optional() }).strict().describe('Text → JS number.') }).strict(),
  decimal: z.object({ decimal: z.object({ scale: z.number().int().min(0).max(30).optional(), separator: z.string().length(1).optional(), thousands: z.string().length(1).optional() }).strict().describe('Text → exact decimal string. With scale and no separator the point is implied (COBOL V99): 4000 → 40.00.') }).strict(),
  date: z.object({ date: datePattern, pivot, nullIf: z.array(z.string()).optional().describe('Legacy "no date" values that become null (00000000).') }).strict(),
  datetime: z.object({ datetime: datePattern, zone: z.string().optional().describe('IANA zone of the legacy wall time (Europe/Berlin, UTC); needed unless the pattern has XXX.'), pivot, nullIf: z.array(z.string()).optional() }).strict(),
  time: z.object({ time: datePattern, nullIf: z.array(z.string()).optional() }).strict(),
  lookup: z.object({ lookup: lookupSchema }).strict(),
  default: z.object({ default: scalar.describe('Value used when the value is null or empty.') }).strict(),
  nullIf: z.object({ nullIf: z.union([z.string(), z.array(z.string())]).describe('Values that mean "no value".') }).strict(),
  replace: z.object({ replace: z.object({ pattern: regex, with: z.string(), flags }).strict().describe('Replaces every match.') }).strict(),
  extract: z.object({ extract: z.union([regex, z.object({ pattern: regex, group: z.number().int().min(0).optional(), flags }).strict()]).describe('Keeps the first capture group (or the match); no match is an error.') }).strict(),
  split: z.object({ split: z.string().min(1).describe('Separator: text → list; later transforms apply to each element.') }).strict(),
  template: z.object({ template: z.string().includes('{}').describe('Text with {} standing for the value: ORD-{}.') }).strict(),
} as const;
export type TransformName = (typeof BARE_TRANSFORMS)[number] | keyof typeof transformObjects;
export const TRANSFORM_NAMES: readonly string[] = [...new Set<string>([...BARE_TRANSFORMS, ...Object.keys(transformObjects)])];

export const transformSchema = z.union([z.enum(BARE_TRANSFORMS), ...Object.values(transformObjects)]);
export type TransformSpec = z.output<typeof transformSchema>;

const condition = z
  .object({
    field: z.string().describe('Legacy field tested (its value with surrounding blanks removed).'),
    equals: scalar.optional(),
    notEquals: scalar.optional(),
    in: z.array(scalar).optional(),
    empty: z.boolean().optional().describe('true: the value is blank or missing; false: it is not.'),
    matches: regex.optional(),
  })
  .strict();

/** How one canonical field is produced from the legacy record. */
export interface FieldSpec {
  description?: string;
  from?: string | string[];
  join?: string;
  const?: unknown;
  transform?: TransformSpec[];
  lookup?: LookupSpec;
  default?: string | number | boolean | null;
  required?: boolean;
  emptyAsNull?: boolean;
  when?: z.output<typeof condition>;
  else?: FieldSpec | string;
  each?: Record<string, FieldSpec | string>;
}

export const fieldSpecSchema: z.ZodType<FieldSpec> = z.lazy(() =>
  z
    .object({
      description: z.string().optional(),
      from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().describe('Legacy field (dotted inside groups: HEADER.ORDER-NO), or several to concatenate.'),
      join: z.string().optional().describe('Separator when from lists several fields; default "".'),
      const: z.unknown().optional().describe('A constant value instead of a legacy field.'),
      transform: z.array(transformSchema).optional().describe('Transforms, applied in order.'),
      lookup: lookupSchema.optional().describe('Maps codes after the transforms.'),
      default: scalar.optional().describe('Value when the result is null (or a code is not in the lookup).'),
      required: z.boolean().optional().describe('An empty result rejects the record.'),
      emptyAsNull: z.boolean().optional().describe('Blank text becomes null; default true unless the model type is string.'),
      when: condition.optional().describe('Use this mapping only when the condition holds; otherwise else.'),
      else: z.union([z.string(), fieldSpecSchema]).optional(),
      each: z.record(z.string(), z.union([z.string(), fieldSpecSchema])).optional().describe('from names a repeating group or detail records: one object per element.'),
    })
    .strict(),
);

/** The mapping file; `formats` lists the adapters whose options `source` may hold. */
export function mappingFileSchema(formats?: readonly FormatAdapter[]) {
  const source = formats
    ? z.union(formats.map((f) => z.object({ [f.name]: f.options.describe(f.summary) }).strict()) as unknown as [z.ZodType, z.ZodType])
    : z.record(z.string(), z.unknown());
  return z
    .object({
      entity: z.string().describe('The entity type of the canonical model this file maps.'),
      description: z.string().optional(),
      model: z.string().optional().describe('Model file, relative to this file; default model.yaml beside it.'),
      source: source.describe('Exactly one key: the format adapter, its value that format\'s options.'),
      key: z.array(z.string()).min(1).optional().describe('Canonical key fields; default the model\'s key.'),
      fields: z.record(z.string(), z.union([z.string(), fieldSpecSchema])).describe('Canonical field (dotted for nested objects) ← legacy field(s).'),
      reverse: z.union([z.literal('none'), z.record(z.string(), z.union([z.string(), fieldSpecSchema]))]).optional().describe('Legacy field ← canonical field(s), where a transform has no inverse; none: inbound only.'),
    })
    .strict();
}
