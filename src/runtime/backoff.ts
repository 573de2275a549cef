import { setTimeout as sleep } from 'node:timers/promises';
import { RetryableError } from '../core/errors.js';

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, baseMs = 200, capMs = 30_000, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** Waits before the next try, honouring a RetryableError's retryAfterMs; false when aborted. */
export async function waitBeforeRetry(error: unknown, attempt: number, signal: AbortSignal): Promise<boolean> {
  const hinted = error instanceof RetryableError ? error.retryAfterMs : undefined;
  try {
    await sleep(hinted ?? backoffMs(attempt), undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
