import { REJECT_STATUSES } from '../store/rejects.js';
import { json, ref, responses, scopesFor, secured, type Obj } from './openapi-common.js';

const FEED = ['Changes'];
const ADMIN = ['Admin'];
const OPS = ['Operations'];

const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 }, description: 'The record id.' };

// Replays need the running flows (or the outbound engine): without them they answer 503.
function adminAction(operationId: string, summary: string, notFound = true): Obj {
  const replay = operationId.startsWith('replay');
  return {
    post: {
      operationId, tags: ADMIN, summary, security: secured(scopesFor('admin')),
      responses: responses(replay && operationId.includes('DeadLetter') ? { 202: json(ref('schemas', 'ActionResult'), 'Queued: the running outbound flow sends it.') } : { 200: json(ref('schemas', 'ActionResult'), 'Done.') }, ['unauthorized', 'forbidden', ...(notFound ? (['not-found'] as const) : []), 'conflict', ...(replay ? (['unavailable'] as const) : [])]),
    },
  };
}

function adminGet(operationId: string, summary: string, schema: string, parameters: Obj[] = [], notFound = false): Obj {
  return {
    get: {
      operationId, tags: ADMIN, summary, security: secured(scopesFor('admin')), parameters,
      responses: responses({ 200: json(ref('schemas', schema), summary) }, ['bad-request', 'unauthorized', 'forbidden', ...(notFound ? (['not-found'] as const) : [])]),
    },
  };
}

const query = (name: string, schema: Obj, description: string): Obj => ({ name, in: 'query', schema, description });
const listQuery = [
  query('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Most items in the page.'),
  query('after', { type: 'integer', minimum: 0 }, 'Only records with an id greater than this.'),
  query('flow', { type: 'string' }, 'Only records of this flow.'),
];

/** The change feed (paged and Server-Sent Events), admin routes and operational endpoints. */
export function operationPaths(feedScopes: string[]): Obj {
  return {
    '/v1/changes': {
      get: {
        operationId: 'listChanges', tags: FEED, summary: 'The change feed, a page at a time', security: secured(feedScopes),
        description: 'Incremental sync: start at `after=0` and follow `next`; an empty page means the client is at the head. Sequence numbers have no gaps.',
        parameters: [ref('parameters', 'After'), ref('parameters', 'Types'), ref('parameters', 'Limit')],
        responses: responses({ 200: json(ref('schemas', 'ChangePage'), 'Changes after `after`, in sequence order.') }, ['bad-request', 'unauthorized', 'forbidden']),
      },
    },
    '/v1/changes/stream': {
      get: {
        operationId: 'streamChanges', tags: FEED, summary: 'The change feed as Server-Sent Events', security: secured(feedScopes),
        description:
          'Each event is `id: <seq>`, `event: change`, `data: <ChangeEvent JSON>`. A comment line `: heartbeat` is sent every ' +
          '`server.sse.heartbeatMs` (15 s by default). Reconnect with `Last-Event-ID` to resume without a gap.',
        parameters: [ref('parameters', 'After'), ref('parameters', 'Types'), ref('parameters', 'LastEventId')],
        responses: responses(
          { 200: { description: 'An endless event stream; each event\'s data is a ChangeEvent.', content: { 'text/event-stream': { schema: { type: 'string' }, 'x-event-data': ref('schemas', 'ChangeEvent') } } } },
          ['bad-request', 'unauthorized', 'forbidden'],
        ),
      },
    },
    '/v1/admin/flows': adminGet('listFlows', 'Each flow with its state and counts', 'FlowList'),
    '/v1/admin/rejects': adminGet('listRejects', 'Rejected records', 'RejectList', [
      query('status', { type: 'string', enum: [...REJECT_STATUSES] }, 'Only rejects in this state.'),
      ...listQuery,
    ]),
    '/v1/admin/rejects/{id}': { parameters: [id], ...adminGet('getReject', 'One rejected record', 'Reject', [], true) },
    '/v1/admin/rejects/{id}/replay': {
      parameters: [id, query('force', { type: 'boolean', default: false }, 'Apply it even when superseded: a later delivery or a client wrote its entity since it was recorded, or a later full-sync delivery of its flow completed.')],
      ...adminAction('replayReject', 'Map the rejected record again with its flow\'s current mapping; a superseded one is left open unless forced'),
    },
    '/v1/admin/rejects/{id}/discard': { parameters: [id], ...adminAction('discardReject', 'Mark the rejected record as discarded') },
    '/v1/admin/deadletters': adminGet('listDeadLetters', 'Dead-lettered outbound messages', 'DeadLetterList', [
      query('status', { type: 'string' }, 'Only dead letters in this state.'),
      ...listQuery,
    ]),
    '/v1/admin/deadletters/replay': adminAction('replayAllDeadLetters', 'Send every open dead letter again', false),
    '/v1/admin/deadletters/{id}': { parameters: [id], ...adminGet('getDeadLetter', 'One dead-lettered message', 'DeadLetter', [], true) },
    '/v1/admin/deadletters/{id}/replay': { parameters: [id], ...adminAction('replayDeadLetter', 'Send the dead-lettered message again') },
    '/v1/admin/deadletters/{id}/discard': { parameters: [id], ...adminAction('discardDeadLetter', 'Mark the dead-lettered message as discarded') },
    '/healthz': {
      get: { operationId: 'health', tags: OPS, summary: 'Liveness', security: [], responses: { 200: json(ref('schemas', 'Health'), 'The process is alive.') } },
    },
    '/readyz': {
      get: {
        operationId: 'ready', tags: OPS, summary: 'Readiness: the store is reachable, and each flow\'s state', security: [],
        responses: { 200: json(ref('schemas', 'Readiness'), 'Ready.'), 503: json(ref('schemas', 'Readiness'), 'Not ready: the store is unreachable.') },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics', tags: OPS, summary: 'Prometheus metrics (`bridge_*`)',
        description: 'No authentication unless `server.metricsAuth` is true; then the admin scope is needed.',
        security: [{}, ...secured(scopesFor('admin'))],
        responses: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } }, 401: ref('responses', 'Unauthorized'), 403: ref('responses', 'Forbidden') },
      },
    },
    '/openapi.json': {
      get: { operationId: 'openapi', tags: OPS, summary: 'This document', security: [], responses: { 200: json({ type: 'object' }, 'The OpenAPI 3.1 document.') } },
    },
    '/docs': {
      get: { operationId: 'docs', tags: OPS, summary: 'The browsable API page', security: [], responses: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } } },
    },
  };
}
