import type { NextFunction, Request, Response } from 'express';
import type { Client } from './auth.js';
import { HttpProblem } from './problem.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client (per remote address for an anonymous caller): `burst` requests at
 * once, refilled at `perSecond`. Buckets idle long enough to be full again are forgotten.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly fullAfterMs: number;
  private sweptAt: number;

  constructor(
    readonly options: { perSecond: number; burst: number },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.fullAfterMs = (options.burst / options.perSecond) * 1000;
    this.sweptAt = now();
  }

  /** Takes a token for the caller: 0 when it had one, else the whole seconds until one is back (nothing taken). */
  take(client: Client, remoteAddress: string | undefined): number {
    return client.name === 'anonymous' ? this.takeForAddress(remoteAddress) : this.takeFor(`client:${client.name}`);
  }

  /** `take` for a caller known only by its address: anonymous, or one whose token was refused. */
  takeForAddress(remoteAddress: string | undefined): number {
    return this.takeFor(`ip:${remoteAddress ?? ''}`);
  }

  private takeFor(id: string): number {
    const { burst, perSecond } = this.options;
    const t = this.now();
    if (t - this.sweptAt > Math.max(this.fullAfterMs, 60_000)) {
      for (const [k, b] of this.buckets) if (t - b.at > this.fullAfterMs) this.buckets.delete(k);
      this.sweptAt = t;
    }
    let b = this.buckets.get(id);
    if (b === undefined) this.buckets.set(id, (b = { tokens: burst, at: t }));
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
    b.at = t;
    if (b.tokens < 1) return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
    b.tokens -= 1;
    return 0;
  }
}

/** The limiter as middleware: over the limit, 429 with Retry-After. */
export function rateLimit(limiter: RateLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const client = res.locals.client as Client;
    const wait = limiter.take(client, req.socket.remoteAddress);
    if (wait > 0) throw overLimit(limiter, `client ${client.name}`, wait);
    next();
  };
}

/** The 429 for `who`, back in `wait` seconds. */
export function overLimit(limiter: RateLimiter, who: string, wait: number): HttpProblem {
  const { perSecond, burst } = limiter.options;
  return new HttpProblem('rate-limited', `${who} is over ${perSecond} requests/s (burst ${burst})`, { headers: { 'Retry-After': String(wait) } });
}
