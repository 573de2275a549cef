import { REJECT_STATUSES } from '../store/rejects.js';
import { PROBLEM_BASE, PROBLEM_KINDS, ref, type Obj } from './openapi-common.js';

const str = { type: 'string' };
const int = { type: 'integer' };
const dateTime = { type: 'string', format: 'date-time' };
const op = { type: 'string', enum: ['created', 'updated', 'deleted'] };

/** Where a record was in its delivery (src/core/records.ts Position). */
const Position = {
  type: 'object',
  properties: { file: str, line: int, record: int, offset: int, messageId: str },
  required: ['record'],
};

/** Schemas shared by all routes, independent of the model. */
export const COMMON_SCHEMAS: Obj = {
  Problem: {
    type: 'object',
    description: 'An RFC 9457 problem. `type` is stable per kind of error; `errors` lists every field error of a validation problem.',
    properties: {
      type: { type: 'string', format: 'uri', enum: Object.keys(PROBLEM_KINDS).map((k) => PROBLEM_BASE + k) },
      title: str,
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: str,
      instance: str,
      errors: { type: 'array', items: ref('schemas', 'FieldError') },
    },
    required: ['type', 'title', 'status'],
  },
  FieldError: {
    type: 'object',
    properties: { field: { type: 'string', description: 'Field path, e.g. `address.city` or `lines[0].sku`.' }, code: str, message: str },
    required: ['field', 'code', 'message'],
  },
  Position,
  DataError: {
    type: 'object',
    description: 'Why a record was rejected: where (position, legacy field or canonical path) and what.',
    properties: { code: str, message: str, field: str, value: str, position: ref('schemas', 'Position'), mapping: str },
    required: ['code', 'message'],
  },
  Lineage: {
    type: 'object',
    description: 'Who wrote a version: `flow:<name>` for a legacy flow, `api:<client>` for a REST client, and where the record came from.',
    properties: { origin: str, flow: str, deliveryId: str, deliveryName: str, position: ref('schemas', 'Position'), sourceTimestamp: dateTime },
    required: ['origin'],
  },
  ChangeEvent: {
    type: 'object',
    description: 'One entry of the gap-free change feed.',
    properties: { seq: { type: 'integer', minimum: 1 }, type: str, key: str, op, version: int, origin: str, at: dateTime },
    required: ['seq', 'type', 'key', 'op', 'version', 'origin', 'at'],
  },
  ChangePage: {
    type: 'object',
    properties: {
      items: { type: 'array', items: ref('schemas', 'ChangeEvent') },
      next: { type: 'string', description: 'Relative URL of the next page (after the last item returned).' },
      head: { type: 'integer', description: 'The feed\'s latest sequence number.' },
    },
    required: ['items', 'next', 'head'],
  },
  Health: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] },
  Readiness: {
    type: 'object',
    properties: {
      store: { type: 'string', enum: ['ok', 'error'] },
      flows: { type: 'object', additionalProperties: { type: 'object', properties: { state: str }, required: ['state'] } },
    },
    required: ['store', 'flows'],
  },
  FlowSummary: {
    type: 'object',
    description: 'A flow\'s state and record counts since the daemon started.',
    properties: {
      name: str,
      state: { type: 'string', enum: ['starting', 'running', 'retrying', 'stopped', 'failed'] },
      deliveries: { type: 'integer', description: 'Deliveries handled.' },
      lastDelivery: { type: 'object', properties: { name: str, status: str, at: dateTime }, required: ['status', 'at'] },
      lastError: str,
      records: { type: 'object', properties: { ok: int, unchanged: int, rejected: int }, required: ['ok', 'unchanged', 'rejected'] },
      lastRefused: {
        type: 'object',
        description: 'The last delivery the flow refused whole (failed, or held by full sync), kept in the store across restarts; `errors`: its first five.',
        properties: { name: str, deliveryId: str, status: { type: 'string', enum: ['failed', 'held'] }, at: dateTime, appliedAt: { ...dateTime, description: 'When the same delivery was applied to its end since (forced, or after a fix); absent while it was not.' }, errorCount: int, errors: { type: 'array', items: ref('schemas', 'DataError') } },
        required: ['deliveryId', 'status', 'at', 'errorCount', 'errors'],
      },
    },
    required: ['name', 'state', 'deliveries', 'records'],
  },
  FlowList: { type: 'object', properties: { items: { type: 'array', items: ref('schemas', 'FlowSummary') } }, required: ['items'] },
  Reject: {
    type: 'object',
    description: 'A record that could not be decoded, mapped or validated, kept for replay after a fix.',
    properties: {
      id: int,
      at: dateTime,
      status: { type: 'string', enum: [...REJECT_STATUSES] },
      flow: str,
      deliveryId: str,
      deliveryName: str,
      position: ref('schemas', 'Position'),
      raw: { type: 'string', description: 'The legacy record as text (hex where not decodable).' },
      errors: { type: 'array', items: ref('schemas', 'DataError') },
      mapping: str,
      record: { type: 'object', description: 'The decoded legacy record, when decoding succeeded (replay maps it again).' },
    },
    required: ['id', 'at', 'status', 'raw', 'errors'],
  },
  RejectList: {
    type: 'object',
    properties: { items: { type: 'array', items: ref('schemas', 'Reject') }, next: { type: ['string', 'null'] } },
    required: ['items'],
  },
  DeadLetter: {
    type: 'object',
    description: 'An outbound message that exhausted its retries (or was refused permanently), kept for replay.',
    properties: {
      deadLetterId: { ...int, description: 'What an operator quotes; never reused.' },
      id: { ...str, description: 'The message id (the webhook-id of a webhook), the same on every attempt and on replay.' },
      flow: str,
      status: { type: 'string', enum: ['open', 'replayed', 'discarded'] },
      changes: {
        type: 'array',
        items: { type: 'object', properties: { seq: int, type: str, key: str, op: { type: 'string', enum: ['created', 'updated', 'deleted'] }, version: int }, required: ['seq', 'type', 'key', 'op', 'version'] },
      },
      contentType: str,
      body: { ...str, description: 'The message body, when it is UTF-8 text.' },
      bodyBase64: { ...str, description: 'The message body, when it is not UTF-8 text.' },
      at: { ...dateTime, description: 'When the changes were committed.' },
      deadAt: { ...dateTime, description: 'When the message was dead-lettered.' },
      attempts: { type: 'array', items: { type: 'object', properties: { at: dateTime, outcome: str, error: str }, required: ['at', 'outcome', 'error'] } },
    },
    required: ['deadLetterId', 'id', 'flow', 'status', 'changes', 'attempts'],
  },
  DeadLetterList: {
    type: 'object',
    properties: { items: { type: 'array', items: ref('schemas', 'DeadLetter') }, next: { type: ['string', 'null'] } },
    required: ['items'],
  },
  ActionResult: {
    type: 'object',
    description: 'The outcome of an admin action: the record\'s id and new status; a replay also counts what it did.',
    properties: { id: int, status: str, replayed: { description: 'Rejects: how many were applied. Dead letters (replay all): the ids queued.', oneOf: [int, { type: 'array', items: int }] }, superseded: { ...int, description: 'Rejects: how many were left open because their entity holds newer data (not forced).' }, skipped: { ...int, description: 'Rejects: how many were left open because a conflict policy of their entity type refused the write.' }, stillRejected: int, notReplayable: int, notOpen: { ...int, description: 'Rejects: how many were discarded or replayed by someone else while this replay ran: nothing of theirs was written.' }, failed: { ...int, description: 'Rejects: how many were left open because other writes of their entity raced every attempt at the write; replay again.' }, messages: { type: 'array', items: str } },
    required: ['status'],
  },
};

export const SCHEMA_PRIMITIVES = { str, int, dateTime, op };
