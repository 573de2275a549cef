import { z } from 'zod';

/** The types a canonical field can have. Decimals are exact strings, never floats. */
export const FIELD_TYPES = ['string', 'integer', 'number', 'decimal', 'boolean', 'date', 'datetime', 'time', 'object', 'array'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One field of a canonical entity, as declared in model.yaml. */
export interface FieldModel {
  type: FieldType;
  description?: string;
  required?: boolean;
  /** string */
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: (string | number | boolean)[];
  /** integer, number */
  minimum?: number;
  maximum?: number;
  /** decimal: digits after the point (canonical values have exactly this many) */
  scale?: number;
  /** decimal: most digits in all */
  precision?: number;
  /** object */
  fields?: Record<string, FieldModel>;
  /** array */
  items?: FieldModel;
}

export const fieldModelSchema: z.ZodType<FieldModel> = z.lazy(() =>
  z
    .object({
      type: z.enum(FIELD_TYPES).describe('Canonical type. decimal is an exact string, date YYYY-MM-DD, datetime ISO 8601 with offset.'),
      description: z.string().optional().describe('What the field means, for people reading the model.'),
      required: z.boolean().optional().describe('A value (not null) must be present.'),
      minLength: z.number().int().min(0).optional().describe('string: fewest characters.'),
      maxLength: z.number().int().min(0).optional().describe('string: most characters.'),
      pattern: z.string().optional().describe('string: regular expression the whole value must match.'),
      enum: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional().describe('The only allowed values.'),
      minimum: z.number().optional().describe('integer, number: smallest value.'),
      maximum: z.number().optional().describe('integer, number: largest value.'),
      scale: z.number().int().min(0).max(30).optional().describe('decimal: digits after the point.'),
      precision: z.number().int().min(1).max(60).optional().describe('decimal: most digits in all.'),
      fields: z.record(z.string(), fieldModelSchema).optional().describe('object: its fields.'),
      items: fieldModelSchema.optional().describe('array: the type of each element.'),
    })
    .strict(),
);

export const entityModelSchema = z
  .object({
    description: z.string().optional().describe('What the entity is.'),
    key: z.array(z.string()).min(1).describe('Fields whose values identify an entity; composite keys join with ",".'),
    timestamp: z.string().optional().describe('The source timestamp field (date or datetime) used for last-write-wins.'),
    fields: z.record(z.string(), fieldModelSchema).describe('The entity fields.'),
  })
  .strict();

/** The schema of mappings/model.yaml. */
export const modelFileSchema = z
  .object({
    entities: z.record(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'entity names are PascalCase'), entityModelSchema).describe('Entity types by name.'),
  })
  .strict();

export type EntityModelInput = z.output<typeof entityModelSchema>;
