import type { Format, FormatAdapter } from '../../src/core/format.js';
import { buildPlan } from './build-plan.js';
import { decodeDelivery } from './decode.js';
import { encodeRecords } from './encode.js';
import { canonicalFields, fieldNames } from './field-names.js';
import { fixedWidthOptions } from './options.js';

export type { FixedWidthFailure } from './failure.js';
export type { FieldOptions, FixedWidthOptions } from './options.js';

/**
 * Fixed-width records: COBOL copybook layouts (EBCDIC text, zoned, packed, binary, OCCURS,
 * REDEFINES), bank files (CNAB) and multi-record files with header/detail/trailer types.
 * The layout is compiled once at `create`; decode streams with memory bounded by the record size.
 */
export const fixedWidthFormat: FormatAdapter<typeof fixedWidthOptions> = {
  kind: 'format',
  name: 'fixed-width',
  summary: 'Fixed-width records (COBOL copybooks, EBCDIC, packed decimals, CNAB, header/detail/trailer files)',
  options: fixedWidthOptions,
  create(options, context): Format {
    const plan = buildPlan(options, context);
    return {
      decode: ((input, meta, start, digests) => decodeDelivery(plan, input, meta, start, digests)) as Format['decode'],
      encode: (records) => encodeRecords(plan, records),
      checksWholeDelivery: plan.checks,
      // One layout, records split at line feeds: each line is a record on its own.
      lines: !plan.multi && !plan.checks && plan.discriminator === undefined && plan.options.separator !== 'none' ? { headerLines: 0, accepts: () => true } : undefined,
    };
  },
  fieldNames,
  canonicalFields,
};
