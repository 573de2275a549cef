import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Format, FormatAdapter } from '../core/format.js';
import type { LegacyRecord } from '../core/records.js';

/**
 * Test support: a tiny format adapter (`test-lines`, JSON records per line) that declares its
 * fields, so mapping tests do not depend on the real adapters.
 */
export const testFormat: FormatAdapter = {
  kind: 'format',
  name: 'test-lines',
  summary: 'JSON records, one per line (tests only).',
  options: z.object({ fields: z.array(z.string()).optional().describe('Declared legacy fields.'), strict: z.boolean().optional() }).strict(),
  create(options: { fields?: string[]; strict?: boolean }, context) {
    if (options.strict && !options.fields) throw new ConfigError({ file: context.file, path: `${context.path}.strict`, message: 'strict needs fields' });
    const format: Format = {
      async *decode(input) {
        const text = Buffer.isBuffer(input) ? input.toString('utf8') : '';
        yield text.split('\n').filter(Boolean).map((l, i) => ({ record: JSON.parse(l) as LegacyRecord, position: { record: i + 1, line: i + 1 } }));
      },
      async *encode(records) {
        for await (const r of records) yield Buffer.from(`${JSON.stringify(r)}\n`);
      },
    };
    return format;
  },
  fieldNames: (options: { fields?: string[] }) => options.fields,
};

export const testFormats: readonly FormatAdapter[] = [testFormat];

/** Writes files into a fresh temporary folder and returns its path. */
export function writeFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lb-mapping-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export const MODEL = `# The canonical model for mapping tests.
entities:
  Customer:
    description: A customer of the billing system.
    key: [customerId]
    timestamp: changedAt
    fields:
      customerId: { type: string, required: true, maxLength: 10, pattern: '^[A-Z0-9]+$' }
      name:       { type: string }
      fullName:   { type: string }
      balance:    { type: decimal, scale: 2 }
      price:      { type: decimal, scale: 2 }
      count:      { type: integer, minimum: 0 }
      ratio:      { type: number }
      status:     { type: string, enum: [active, closed, unknown] }
      openedOn:   { type: date }
      changedAt:  { type: datetime }
      startsAt:   { type: time }
      region:     { type: string }
      kind:       { type: string }
      vip:        { type: boolean }
      phone:      { type: string }
      orderNo:    { type: string }
      tags:       { type: array, items: { type: string } }
      address:    { type: object, fields: { city: { type: string }, zip: { type: string } } }
      lines:      { type: array, items: { type: object, fields: { sku: { type: string }, qty: { type: integer } } } }
  OrderLine:
    key: [orderNo, lineNo]
    fields:
      orderNo: { type: string }
      lineNo:  { type: integer }
`;
