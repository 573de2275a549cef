import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ServerConfig } from '../config/schema.js';
import { HttpProblem } from './problem.js';
import { overLimit, type RateLimiter } from './rate-limit.js';

export type Verb = 'read' | 'write' | 'admin';

/** An authenticated caller: its name (the write origin `api:<name>`) and its scopes. */
export interface Client {
  name: string;
  scopes: string[];
}

interface KnownClient extends Client {
  hash: Buffer;
}

const ANONYMOUS: Client = { name: 'anonymous', scopes: ['admin'] };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The configured API clients. Tokens are kept only as SHA-256 hashes and compared in constant
 * time against every client (no early exit), so neither timing nor memory gives a token away.
 * No clients configured (allowed on loopback only, see server.ts): every caller is `anonymous`
 * with every scope.
 */
export class Clients {
  private readonly known: KnownClient[];

  constructor(config: Pick<ServerConfig, 'clients'>) {
    this.known = Object.entries(config.clients).map(([name, c]) => ({ name, scopes: c.scopes, hash: sha256(c.token) }));
  }

  get anonymous(): boolean {
    return this.known.length === 0;
  }

  /** The caller: anonymous when no client is configured; undefined for a missing or unknown token. */
  caller(req: Pick<Request, 'headers'>): Client | undefined {
    if (this.anonymous) return ANONYMOUS;
    const token = tokenOf(req);
    return typeof token === 'string' ? this.identify(token) : undefined;
  }

  identify(token: string): Client | undefined {
    const hash = sha256(token);
    let found: KnownClient | undefined;
    for (const c of this.known) if (timingSafeEqual(c.hash, hash) && found === undefined) found = c;
    return found && { name: found.name, scopes: found.scopes };
  }
}

/** Two different tokens in one request: neither is taken, whichever is valid. */
const CONFLICTING = Symbol('conflicting credentials');

/** The token of a request: `Authorization: Bearer <token>` or `X-API-Key: <token>` (both: the same one). */
function tokenOf(req: Pick<Request, 'headers'>): string | undefined | typeof CONFLICTING {
  const auth = req.headers.authorization;
  const rawKey = req.headers['x-api-key'];
  const key = typeof rawKey === 'string' && rawKey !== '' ? rawKey : undefined;
  if (auth === undefined) return key;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  return key !== undefined && key !== bearer ? CONFLICTING : bearer;
}

/**
 * Sets `res.locals.client`, or answers 401 (the same for a missing and an unknown token). A
 * refused caller spends its address's rate-limit tokens: guessing tokens is throttled too.
 */
export function authenticate(clients: Clients, limiter?: RateLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const client = clients.caller(req);
    if (client === undefined) {
      const wait = limiter?.takeForAddress(req.socket.remoteAddress) ?? 0;
      if (wait > 0) throw overLimit(limiter!, `address ${req.socket.remoteAddress ?? '?'}`, wait);
      const token = tokenOf(req);
      const why =
        token === undefined ? 'send a token: Authorization: Bearer <token> or X-API-Key' : token === CONFLICTING ? 'Authorization and X-API-Key carry different tokens: send one' : 'the token is not valid';
      throw new HttpProblem('unauthorized', why, {
        headers: { 'WWW-Authenticate': 'Bearer realm="legacy-bridge"' },
      });
    }
    res.locals.client = client;
    next();
  };
}

/** Whether the client holds `verb` (on `type`, when given): `admin` implies every scope. */
export function can(client: Client, verb: Verb, type?: string): boolean {
  for (const s of client.scopes) {
    if (s === 'admin' || s === verb) return true;
    if (type !== undefined && s === `${verb}:${type}`) return true;
  }
  return false;
}

/** Types the client may read (undefined: every type). */
export function readableTypes(client: Client): Set<string> | undefined {
  if (can(client, 'read')) return undefined;
  return new Set(client.scopes.filter((s) => s.startsWith('read:')).map((s) => s.slice(5)));
}

/** Throws 403 unless the client holds the scope. */
export function requireScope(res: Response, verb: Verb, type?: string): Client {
  const client = res.locals.client as Client;
  if (!can(client, verb, type)) throw new HttpProblem('forbidden', `client ${client.name} lacks the ${verb}${type ? `:${type}` : ''} scope`);
  return client;
}
