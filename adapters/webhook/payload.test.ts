import { describe, expect, it } from 'vitest';
import { webhookMessage } from './payload.js';

describe('webhook payload', () => {
  it('is the Standard Webhooks shape with the change and its entity, under a stable id', () => {
    const change = { seq: 7, type: 'Customer', key: 'C1', op: 'deleted' as const, version: 3, origin: 'api:crm', at: '2026-11-28T10:00:00.000Z' };
    const m = webhookMessage('to-crm', change, null);
    expect(m).toMatchObject({ id: 'to-crm:7-7', contentType: 'application/json', at: change.at, changes: [{ seq: 7, type: 'Customer', key: 'C1', op: 'deleted', version: 3 }] });
    expect(JSON.parse(m.body.toString())).toEqual({
      type: 'Customer.deleted',
      timestamp: '2026-11-28T10:00:00.000Z',
      data: { seq: 7, type: 'Customer', key: 'C1', op: 'deleted', version: 3, origin: 'api:crm', entity: null },
    });
  });
});
