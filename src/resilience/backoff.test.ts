import { describe, expect, it } from 'vitest';
import { retryDelayMs, WEBHOOK_SCHEDULE_MS } from './backoff.js';

describe('retry delays', () => {
  it('grow exponentially with full jitter, capped', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(retryDelayMs(0, opts, undefined, () => 0.999)).toBe(99);
    expect(retryDelayMs(3, opts, undefined, () => 0.5)).toBe(400);
    expect(retryDelayMs(10, opts, undefined, () => 0.999)).toBe(999);
    expect(retryDelayMs(5, opts, undefined, () => 0)).toBe(0);
  });

  it('follow a fixed schedule when one is set (the webhook schedule: 1 min … 24 h)', () => {
    const opts = { baseMs: 100, maxMs: 1000, schedule: [...WEBHOOK_SCHEDULE_MS] };
    expect([0, 1, 2, 3, 4].map((r) => retryDelayMs(r, opts))).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 86_400_000]);
  });

  it('honour a longer Retry-After, never a shorter one', () => {
    const opts = { baseMs: 100, maxMs: 60_000 };
    expect(retryDelayMs(0, opts, 5_000, () => 0.5)).toBe(5_000);
    expect(retryDelayMs(0, { ...opts, schedule: [10_000] }, 2_000)).toBe(10_000);
    // A Retry-After beyond the cap is held to it: a peer cannot park a flow for a day.
    expect(retryDelayMs(0, opts, 3_600_000, () => 0.5)).toBe(60_000);
  });
});
