import { backoffMs } from '../runtime/backoff.js';

/** How long to wait before retry number `retry` (0 = the first retry). */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Fixed delays before each retry; replaces exponential backoff when set. */
  schedule?: number[];
}

/**
 * The wait before a retry: the schedule's entry when a schedule is set (its last entry repeats),
 * else exponential backoff with full jitter, a random wait in [0, min(max, base·2^retry)).
 * A peer's `Retry-After` is honoured when it asks for longer.
 */
export function retryDelayMs(retry: number, options: BackoffOptions, retryAfterMs?: number, random: () => number = Math.random): number {
  const planned = options.schedule
    ? options.schedule[Math.min(retry, options.schedule.length - 1)]
    : backoffMs(retry, options.baseMs, options.maxMs, random);
  return retryAfterMs !== undefined && retryAfterMs > planned ? Math.min(retryAfterMs, Math.max(options.maxMs, planned)) : planned;
}

/** The webhook schedule of Standard Webhooks senders: 1 min, 5 min, 30 min, 2 h, 24 h, then dead letter. */
export const WEBHOOK_SCHEDULE_MS: readonly number[] = [60_000, 300_000, 1_800_000, 7_200_000, 86_400_000];
