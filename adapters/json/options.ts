import { z } from 'zod';

/** Options of the `json` format (`source.json` in a mapping file). */
export const jsonOptions = z
  .object({
    at: z
      .string()
      .regex(/^[^.]+(\.[^.]+)*$/, 'a dotted path of field names')
      .optional()
      .describe('Dotted path to the object or array holding the records inside each document (e.g. `data` for a webhook envelope); absent: the document itself.'),
    wholeDelivery: z
      .boolean()
      .default(false)
      .describe('Refuse a delivery whole, with every error, when any element or line is not a JSON object (fits webhooks: the sender hears about all of it); otherwise such records are rejected one by one.'),
    encodeAs: z
      .enum(['lines', 'array'])
      .default('lines')
      .describe('Encoded output: one JSON object a line (NDJSON) or one JSON array.'),
  })
  .strict();

export type JsonOptions = z.output<typeof jsonOptions>;
