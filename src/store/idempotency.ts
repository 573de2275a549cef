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

/** Responses remembered per (client, Idempotency-Key): the first one under a key stays. */
export class IdempotencyKeys {
  private readonly select: Database.Statement<[string, string], Row>;
  private readonly insert: Database.Statement<[string, string, string, number, string, string, string]>;

  constructor(db: Database.Database) {
    this.select = db.prepare('SELECT client, key, request_hash, status, headers, body, at FROM idempotency WHERE client = ? AND key = ?');
    this.insert = db.prepare('INSERT OR IGNORE INTO idempotency (client, key, request_hash, status, headers, body, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  get(client: string, key: string): IdempotentResponse | undefined {
    const r = this.select.get(client, key);
    if (r === undefined) return undefined;
    return { client: r.client, key: r.key, requestHash: r.request_hash, status: r.status, headers: JSON.parse(r.headers) as Record<string, string>, body: r.body, at: r.at };
  }

  remember(r: IdempotentResponse): void {
    this.insert.run(r.client, r.key, r.requestHash, r.status, JSON.stringify(r.headers), r.body, r.at);
  }
}
