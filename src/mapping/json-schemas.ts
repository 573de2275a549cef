import { z } from 'zod';
import type { FormatAdapter } from '../core/format.js';
import { modelFileSchema } from '../model/model-schema.js';
import { mappingFileSchema } from './mapping-schema.js';

/** The generated JSON Schemas, by file name under schemas/ (editor support for mapping files). */
export function jsonSchemas(formats: readonly FormatAdapter[]): Record<string, string> {
  const render = (schema: z.ZodType, id: string, title: string): string =>
    `${JSON.stringify({ $id: id, title, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) }, null, 2)}\n`;
  return {
    'mapping.schema.json': render(mappingFileSchema(formats), 'https://legacy-bridge.dev/schemas/mapping.schema.json', 'legacy-bridge mapping file'),
    'model.schema.json': render(modelFileSchema, 'https://legacy-bridge.dev/schemas/model.schema.json', 'legacy-bridge canonical model'),
  };
}
