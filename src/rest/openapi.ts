import type { Model } from '../model/model.js';
import { HEADERS, PARAMETERS, PROBLEM_BASE, problemResponses, SECURITY_SCHEMES, type Obj } from './openapi-common.js';
import { entityPaths, entitySchemas } from './openapi-entities.js';
import { operationPaths } from './openapi-operations.js';
import { COMMON_SCHEMAS } from './openapi-schemas.js';

export interface OpenApiOptions {
  /** Base URL of the server as clients reach it; `/` (relative to the document) by default. */
  serverUrl?: string;
  /** The daemon's version, shown as the document's `info.version`. */
  version?: string;
  /** Types configured in `server.blindWrites`: their writes may omit If-Match. */
  blindWrites?: readonly string[];
}

/** An OpenAPI 3.1 document as plain JSON-ready data. */
export type OpenApiDocument = Obj & { openapi: '3.1.0'; paths: Obj; components: Obj };

const DESCRIPTION = `The canonical model of legacy-bridge as a REST API. Every entity type of the model has the same
routes; writes enter the store like a legacy delivery does (origin \`api:<client>\`) and appear in the
change feed. Errors are RFC 9457 problems (\`application/problem+json\`) whose \`type\` is
\`${PROBLEM_BASE}<kind>\`. A method a path does not support answers 405 (method-not-allowed).
A client that may not read a type gets the same answer for existing and missing keys.`;

/**
 * Builds the OpenAPI 3.1 document of the REST facade (plan/contract.md §1) from the canonical
 * model: per entity type its data, patch, entity, page and history schemas and its five routes,
 * with one query filter per top-level scalar field; then the change feed, admin and operational
 * routes. Deterministic: the same model and options give the same document.
 */
export function buildOpenApi(model: Model, options: OpenApiOptions = {}): OpenApiDocument {
  const blind = new Set(options.blindWrites ?? []);
  const types = [...model.entities.values()];
  const schemas: Obj = { ...COMMON_SCHEMAS };
  let paths: Obj = {};
  for (const e of types) {
    Object.assign(schemas, entitySchemas(e));
    paths = { ...paths, ...entityPaths(e, blind.has(e.name)) };
  }
  const feedScopes = ['read', ...types.map((e) => `read:${e.name}`), 'admin'];
  paths = { ...paths, ...operationPaths(feedScopes) };
  for (const item of Object.values(paths) as Obj[]) {
    for (const [method, op] of Object.entries(item)) {
      if (method !== 'parameters') (op as Obj).parameters = [...(((op as Obj).parameters as Obj[]) ?? []), { $ref: '#/components/parameters/RequestId' }];
    }
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: { title: 'legacy-bridge REST API', version: options.version ?? '0.1.0', description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: options.serverUrl ?? '/' }],
    tags: [
      ...types.map((e) => ({ name: e.name, description: e.description ?? `${e.name} entities.` })),
      { name: 'Changes', description: 'The change feed: every create, update and delete, in order, with no gaps.' },
      { name: 'Admin', description: 'Flows, rejected records and dead letters (admin scope).' },
      { name: 'Operations', description: 'Health, readiness, metrics and this documentation (no authentication).' },
    ],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas,
      parameters: PARAMETERS,
      headers: HEADERS,
      responses: problemResponses(),
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
