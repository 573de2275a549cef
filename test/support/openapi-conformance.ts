import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Middleware } from 'openapi-fetch';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;
const pointer = (...parts: string[]) => parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
const ID = 'https://legacy-bridge.dev/openapi.json';

/**
 * Checks real responses against an OpenAPI 3.1 document: the status must be documented for the
 * operation, and a JSON body must match the response's schema (JSON Schema 2020-12, with the
 * document's own components). `middleware` plugs it into an openapi-fetch client; `violations`
 * lists what did not match.
 */
export function conformance(doc: Obj): { middleware: Middleware; violations: string[]; checked: string[] } {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('decimal', true);
  ajv.addSchema({ ...doc, $id: ID });
  const violations: string[] = [];
  const checked: string[] = [];
  // One compiled validator per response schema, not one per response.
  const validators = new Map<string, ValidateFunction>();

  async function check(method: string, path: string, response: Response): Promise<void> {
    const at = `${method} ${path} -> ${response.status}`;
    checked.push(at);
    const operation = doc.paths[path]?.[method.toLowerCase()];
    if (!operation) return void violations.push(`${at}: no such operation in the document`);
    const status = String(response.status);
    let answer = operation.responses[status];
    if (!answer) return void violations.push(`${at}: status not documented`);
    let base = pointer('paths', path, method.toLowerCase(), 'responses', status);
    if (answer.$ref) {
      base = (answer.$ref as string).slice(1);
      answer = doc.components.responses[(answer.$ref as string).split('/').pop()!];
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0];
    if (!answer.content) return;
    if (!answer.content[type]) return void violations.push(`${at}: content type ${type} not documented`);
    const schemaRef = `${ID}#${base}${pointer('content', type, 'schema')}`;
    let validate = validators.get(schemaRef);
    if (!validate) validators.set(schemaRef, (validate = ajv.compile({ $ref: schemaRef })));
    if (!validate(await response.clone().json())) violations.push(`${at}: ${ajv.errorsText(validate.errors)}`);
  }

  return {
    violations,
    checked,
    middleware: {
      async onResponse({ request, response, schemaPath }) {
        await check(request.method, schemaPath, response);
      },
    },
  };
}
