import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { canonicalJson } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { Client } from './auth.js';
import { HttpProblem } from './problem.js';

/** A POST's Idempotency-Key and the hash of what it asks for. */
export interface IdempotencyClaim {
  key: string;
  requestHash: string;
}

/**
 * Requests under a key still being answered, per store: a concurrent repeat waits for the first
 * (so it gets the first's response rather than a 409 from racing it).
 */
const inFlight = new WeakMap<Store, Map<string, Promise<void>>>();

/**
 * Runs `handle` for a POST, serialised with any other request under the same (client, key).
 * Requests without the header run at once.
 */
export async function oneAtATime(store: Store, client: Client, req: Request, handle: () => Promise<void>): Promise<void> {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string') return handle();
  let running = inFlight.get(store);
  if (running === undefined) inFlight.set(store, (running = new Map()));
  const id = `${client.name}\n${key}`;
  const before = running.get(id);
  const mine = (async () => {
    if (before) await before.catch(() => undefined);
    await handle();
  })();
  running.set(id, mine);
  try {
    await mine;
  } finally {
    if (running.get(id) === mine) running.delete(id);
  }
}

/**
 * Reads the Idempotency-Key header. When a response is remembered under it (per client, kept in
 * the store so a restart keeps it): the same request gets that response again (it is sent and
 * 'answered' returned); another request under the key is a 422.
 */
export async function idempotencyClaim(store: Store, client: Client, req: Request, res: Response): Promise<IdempotencyClaim | undefined | 'answered'> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) throw new HttpProblem('bad-request', 'Idempotency-Key must be 1 to 200 characters');
  const requestHash = createHash('sha256').update(`${req.method} ${req.baseUrl}${req.path}\n${canonicalJson(req.body)}`).digest('hex');
  const seen = await store.idempotentResponse(client.name, key);
  if (seen === undefined) return { key, requestHash };
  if (seen.requestHash !== requestHash) {
    throw new HttpProblem('idempotency-key-reused', `Idempotency-Key ${JSON.stringify(key)} was used for another request on ${seen.at}`);
  }
  for (const [k, v] of Object.entries(seen.headers)) res.setHeader(k, v);
  res.setHeader('Idempotent-Replayed', 'true');
  if (seen.body === '') res.status(seen.status).end();
  else res.status(seen.status).type('application/json').send(seen.body);
  return 'answered';
}

/** Remembers the response a claimed key got; `body` undefined: it had none. */
export async function rememberResponse(store: Store, client: Client, claim: IdempotencyClaim, status: number, headers: Record<string, string>, body: unknown): Promise<void> {
  const text = body === undefined ? '' : JSON.stringify(body);
  await store.rememberResponse({ client: client.name, key: claim.key, requestHash: claim.requestHash, status, headers, body: text, at: new Date().toISOString() });
}
