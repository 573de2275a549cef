import { afterEach, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_RETENTION_MS } from './idempotency.js';
import { TempStores } from './test-support.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const response = (key: string, at: string, body = '{}') => ({ client: 'web', key, requestHash: `h-${body}`, status: 201, headers: { Location: '/v1/X/1' }, body, at });

describe('idempotency keys', () => {
  it('keeps the first response under a key across reopening, per client, until it expires', async () => {
    const path = stores.path();
    const store = stores.open({ path });
    const now = new Date().toISOString();
    await store.rememberResponse(response('k1', now, '{"a":1}'));
    await store.rememberResponse(response('k1', now, '{"a":2}'));
    await store.close();
    const again = stores.open({ path });
    expect(await again.idempotentResponse('web', 'k1')).toEqual(response('k1', now, '{"a":1}'));
    expect(await again.idempotentResponse('other', 'k1')).toBeUndefined();
    const old = new Date(Date.now() - IDEMPOTENCY_RETENTION_MS - 1000).toISOString();
    await again.rememberResponse(response('k2', old, '{"old":1}'));
    expect(await again.idempotentResponse('web', 'k2')).toBeUndefined();
    await again.rememberResponse(response('k2', now, '{"new":1}'));
    expect((await again.idempotentResponse('web', 'k2'))?.body).toBe('{"new":1}');
  });
});
