import { z } from 'zod';

/** Field types a layout knows; `text` is the default. */
export const fieldTypes = [
  'text',
  'integer',
  'decimal',
  'zoned',
  'packed',
  'binary',
  'date',
  'time',
  'datetime',
  'filler',
] as const;
export type FieldType = (typeof fieldTypes)[number];

/**
 * One field (or group, or repeating group) of a layout, as a mapping file declares it.
 * Defaults are applied when the layout is compiled, so that this type is both what YAML holds
 * and what the schema yields.
 */
export interface FieldOptions {
  name: string;
  start?: number;
  length?: number;
  type?: FieldType;
  scale?: number;
  point?: boolean;
  signed?: boolean;
  pattern?: string;
  century?: number;
  fields?: FieldOptions[];
  occurs?: number | { max: number; min?: number; dependingOn: string };
  redefines?: string;
  when?: { field: string; equals: string | number };
}

const occursSchema = z.union([
  z.number().int().positive().describe('OCCURS n TIMES: a fixed number of occurrences'),
  z
    .object({
      max: z.number().int().positive().describe('Most occurrences (the n of OCCURS 1 TO n)'),
      min: z.number().int().nonnegative().optional().describe('Fewest occurrences (default 0)'),
      dependingOn: z.string().min(1).describe('Earlier numeric field holding the actual count'),
    })
    .strict()
    .describe('OCCURS … DEPENDING ON: a count read from an earlier field'),
]);

export const fieldSchema: z.ZodType<FieldOptions> = z.lazy(() =>
  z
    .object({
      name: z.string().min(1).describe('Legacy field name, verbatim (CUST-ID)'),
      start: z.number().int().positive().optional().describe('1-based start; omitted = right after the previous field'),
      length: z.number().int().positive().optional().describe('Length in bytes (not for groups)'),
      type: z.enum(fieldTypes).optional().describe('Field type (default text)'),
      scale: z.number().int().nonnegative().max(36).optional().describe('Decimal places of a number (implied point)'),
      point: z.boolean().optional().describe('decimal: the field holds an explicit decimal point'),
      signed: z
        .boolean()
        .optional()
        .describe('zoned/packed: write a C/D sign (default true; false writes F); binary: two’s complement (default false)'),
      pattern: z.string().optional().describe('date/time/datetime: yyyyMMdd, ddMMyy, yyMMdd, HHmmss, …'),
      century: z.number().int().optional().describe('First year of the 100-year window for two-digit years'),
      fields: z.array(fieldSchema).optional().describe('Sub-fields: the field is a group (a nested record)'),
      occurs: occursSchema.optional().describe('Repeats the field or group: the value becomes an array'),
      redefines: z.string().optional().describe('Name of an earlier field at the same level whose bytes this one reads again'),
      when: z
        .object({
          field: z.string().describe('Earlier field deciding whether this view applies'),
          equals: z.union([z.string(), z.number()]).describe('Value (as decoded text, trimmed) that selects this view'),
        })
        .strict()
        .optional()
        .describe('REDEFINES: decode this view only when the condition holds'),
    })
    .strict(),
);

const checkSchema = z.union([
  z
    .object({
      count: z.string().describe("Record type to count ('*' = every record, this one included)"),
      equals: z.string().describe('Field of this record holding the expected count'),
    })
    .strict(),
  z
    .object({
      sum: z.string().describe('TYPE.FIELD to add up, exactly'),
      equals: z.string().describe('Field of this record holding the expected total'),
    })
    .strict(),
]);
export type TrailerCheckOptions = z.output<typeof checkSchema>;

const recordTypeSchema = z
  .object({
    code: z.union([z.string(), z.number()]).describe('Discriminator value of this record type (quote it in YAML)'),
    name: z.string().min(1).describe('Record type name (HEADER, DETAIL, TRAILER)'),
    parent: z.string().optional().describe('Record type this one belongs to (the latest one read before it)'),
    fields: z.array(fieldSchema).min(1).describe('Layout of this record type'),
    checks: z.array(checkSchema).optional().describe('Control totals this record carries (trailers)'),
  })
  .strict();
export type RecordTypeOptions = z.output<typeof recordTypeSchema>;

const recordTypesSchema = z
  .object({
    discriminator: z
      .object({
        start: z.number().int().positive().describe('1-based start of the record type code'),
        length: z.number().int().positive().describe('Length of the record type code'),
      })
      .strict()
      .describe('Where each record says its type'),
    types: z.array(recordTypeSchema).min(1).describe('The record types'),
    emit: z
      .string()
      .optional()
      .describe('Record type to yield, with its children (as arrays) or its parent (as an object); default every record as { TYPE: {...} }'),
  })
  .strict();
export type RecordTypesOptions = z.output<typeof recordTypesSchema>;

export const fixedWidthOptions = z
  .object({
    encoding: z.string().default('latin1').describe('Code page of the text fields (cp037, shift_jis, latin1…)'),
    separator: z
      .enum(['auto', 'lf', 'crlf', 'none'])
      .default('auto')
      .describe('Record terminator: auto (LF or CRLF), lf, crlf, or none (records split by length)'),
    recordLength: z.number().int().positive().optional().describe('Bytes per record (required with separator none unless the layout says)'),
    lineLength: z
      .enum(['exact', 'pad', 'atLeast'])
      .default('exact')
      .describe('exact | pad (short lines padded with spaces) | atLeast (extra bytes ignored)'),
    finalNewline: z
      .boolean()
      .default(true)
      .describe(
        'Encode: end the last record with the separator too (default true); false for files whose last line has none, so that they encode back byte for byte. Decode reads both.',
      ),
    variableLength: z
      .boolean()
      .default(false)
      .describe('OCCURS DEPENDING ON shortens the record to its actual occurrences'),
    century: z.number().int().default(1950).describe('First year of the 100-year window for two-digit years'),
    fields: z.array(fieldSchema).min(1).optional().describe('The record layout, in order'),
    recordTypes: recordTypesSchema.optional().describe('Several record types told apart by a discriminator'),
  })
  .strict()
  .describe('Fixed-width records (COBOL copybooks, CNAB, bank files)');

export type FixedWidthOptions = z.output<typeof fixedWidthOptions>;
