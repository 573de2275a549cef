// Writes schemas/mapping.schema.json and schemas/model.schema.json from the zod schemas and the
// registered formats. Run after changing a schema or an adapter's options:
//   node --import tsx scripts/gen-schemas.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formats } from '../src/core/registry.js';
import { jsonSchemas } from '../src/mapping/json-schemas.js';

const dir = fileURLToPath(new URL('../schemas/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(jsonSchemas(formats))) {
  writeFileSync(join(dir, name), text);
  console.log(`wrote schemas/${name}`);
}
