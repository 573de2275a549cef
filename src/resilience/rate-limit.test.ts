import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { TokenBucket } from './rate-limit.js';

describe('token bucket', () => {
  it('lets a burst through, then one token per interval share, in turn', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, 2, 1000, 2);
    expect(await bucket.take()).toBe(0);
    expect(await bucket.take()).toBe(0);
    const order: number[] = [];
    const third = bucket.take().then((w) => order.push(3) && w);
    const fourth = bucket.take().then((w) => order.push(4) && w);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    await clock.advance(499);
    expect(order).toEqual([]);
    await clock.advance(1);
    expect(await third).toBe(500);
    await clock.advance(500);
    expect(await fourth).toBe(500);
    expect(order).toEqual([3, 4]);
  });

  it('refills up to the burst only, and a waiting take gives up when its signal aborts', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, 1, 100, 1);
    await clock.advance(10_000);
    expect(await bucket.take()).toBe(0);
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    // The bucket is not wedged by the abandoned take.
    await clock.advance(100);
    expect(await bucket.take()).toBe(0);
  });
});
