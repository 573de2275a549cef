import { z } from 'zod';
import type { FormatAdapter } from '../core/format.js';
import { modelFileSchema } from '../model/model-schema.js';
import { mappingFileSchema } from './mapping-schema.js';

/** A zod schema as the JSON Schema text written under schemas/ (input side: defaults optional). */
export function renderJsonSchema(schema: z.ZodType, id: string, title: string): string {
  return `${JSON.stringify({ $id: id, title, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) }, null, 2)}\n`;
}

/** The generated JSON Schemas, by file name under schemas/ (editor support for mapping files). */
export function jsonSchemas(formats: readonly FormatAdapter[]): Record<string, string> {
  return {
    'mapping.schema.json': renderJsonSchema(mappingFileSchema(formats), 'https://legacy-bridge.dev/schemas/mapping.schema.json', 'legacy-bridge mapping file'),
    'model.schema.json': renderJsonSchema(modelFileSchema, 'https://legacy-bridge.dev/schemas/model.schema.json', 'legacy-bridge canonical model'),
  };
}
