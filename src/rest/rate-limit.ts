import type { NextFunction, Request, Response } from 'express';
import type { Client } from './auth.js';
import { HttpProblem } from './problem.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client (per remote address for an anonymous caller): `burst` requests at
 * once, refilled at `perSecond`. Over the limit: 429 with Retry-After (whole seconds until a
 * token is back). Buckets idle long enough to be full again are forgotten.
 */
export function rateLimit(options: { perSecond: number; burst: number }, now: () => number = () => performance.now()) {
  const buckets = new Map<string, Bucket>();
  const fullAfterMs = (options.burst / options.perSecond) * 1000;
  let sweptAt = now();
  return (req: Request, res: Response, next: NextFunction): void => {
    const client = res.locals.client as Client;
    const id = client.name === 'anonymous' ? `ip:${req.socket.remoteAddress ?? ''}` : `client:${client.name}`;
    const t = now();
    if (t - sweptAt > Math.max(fullAfterMs, 60_000)) {
      for (const [k, b] of buckets) if (t - b.at > fullAfterMs) buckets.delete(k);
      sweptAt = t;
    }
    let b = buckets.get(id);
    if (b === undefined) buckets.set(id, (b = { tokens: options.burst, at: t }));
    b.tokens = Math.min(options.burst, b.tokens + ((t - b.at) / 1000) * options.perSecond);
    b.at = t;
    if (b.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - b.tokens) / options.perSecond));
      throw new HttpProblem('rate-limited', `client ${client.name} is over ${options.perSecond} requests/s (burst ${options.burst})`, { headers: { 'Retry-After': String(wait) } });
    }
    b.tokens -= 1;
    next();
  };
}
