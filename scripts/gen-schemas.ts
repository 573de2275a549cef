// Writes the generated artefacts: schemas/mapping.schema.json, schemas/model.schema.json and
// schemas/bridge.schema.json from the zod schemas and the registered adapters, and the adapter
// table of README.md (between its adapters:start/end markers) from the adapter declarations.
// Run after changing a schema or an adapter's options or summary (test/generated.test.ts fails
// until then):
//   node --import tsx scripts/gen-schemas.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedArtefacts } from '../src/generated/artefacts.js';

const root = fileURLToPath(new URL('../', import.meta.url));
for (const [path, text] of Object.entries(generatedArtefacts(readFileSync(join(root, 'README.md'), 'utf8')))) {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${path}`);
}
