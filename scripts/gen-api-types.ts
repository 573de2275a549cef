// Writes test/support/api-types.ts: the TypeScript types openapi-typescript generates from the
// OpenAPI document of mappings/model.yaml, which the typed-client tests use with openapi-fetch.
// Run after changing the model or src/rest/openapi*.ts (test/openapi.test.ts fails until then):
//   node --import tsx scripts/gen-api-types.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_TYPES_FILE, generateApiTypes } from '../test/support/generate-api-types.js';

const root = fileURLToPath(new URL('../', import.meta.url));
writeFileSync(new URL(API_TYPES_FILE, `file://${root}`), await generateApiTypes(root));
console.log(`wrote ${API_TYPES_FILE}`);
