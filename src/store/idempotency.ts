import type Database from 'better-sqlite3';
import type { IdempotentResponse } from './types.js';

interface Row {
  client: string;
  key: string;
  request_hash: string;
  status: number;
  headers: string;
  body: string;
  at: string;
}

/** How long a response stays remembered: a client retries within minutes, not days. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;
const PRUNE_EVERY = 1000;

/**
 * Responses remembered per (client, Idempotency-Key): the first one under a key stays, for
 * IDEMPOTENCY_RETENTION_MS; older ones are pruned every PRUNE_EVERY new keys.
 */
export class IdempotencyKeys {
  private readonly select: Database.Statement<[string, string], Row>;
  private readonly insert: Database.Statement<[string, string, string, number, string, string, string, string]>;
  private readonly prune: Database.Statement<[string]>;
  private inserted = 0;

  constructor(db: Database.Database) {
    this.select = db.prepare('SELECT client, key, request_hash, status, headers, body, at FROM idempotency WHERE client = ? AND key = ?');
    this.insert = db.prepare(`INSERT INTO idempotency (client, key, request_hash, status, headers, body, at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (client, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status, headers = excluded.headers,
        body = excluded.body, at = excluded.at WHERE at < ?`);
    this.prune = db.prepare('DELETE FROM idempotency WHERE at < ?');
  }

  get(client: string, key: string): IdempotentResponse | undefined {
    const r = this.select.get(client, key);
    if (r === undefined || Date.parse(r.at) < Date.now() - IDEMPOTENCY_RETENTION_MS) return undefined;
    return { client: r.client, key: r.key, requestHash: r.request_hash, status: r.status, headers: JSON.parse(r.headers) as Record<string, string>, body: r.body, at: r.at };
  }

  remember(r: IdempotentResponse): void {
    const expired = new Date(Date.now() - IDEMPOTENCY_RETENTION_MS).toISOString();
    if (++this.inserted % PRUNE_EVERY === 0) this.prune.run(expired);
    // An expired record under the same key is replaced.
    this.insert.run(r.client, r.key, r.requestHash, r.status, JSON.stringify(r.headers), r.body, r.at, expired);
  }
}
