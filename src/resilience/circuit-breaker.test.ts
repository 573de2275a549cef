import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { ManualClock } from './clock.js';

describe('circuit breaker', () => {
  it('opens after N consecutive failures, lets one probe through after the cool-down, closes on its success', async () => {
    const clock = new ManualClock();
    const seen: BreakerState[] = [];
    const breaker = new CircuitBreaker(clock, 3, 10_000, (s) => seen.push(s));
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    let admitted = false;
    const admit = breaker.admit().then(() => (admitted = true));
    await clock.advance(9_000);
    expect(admitted).toBe(false);
    await clock.advance(1_000);
    await admit;
    expect(breaker.state).toBe('half-open');
    // While the probe is out, others wait.
    let second = false;
    const other = breaker.admit().then(() => (second = true));
    await clock.advance(100);
    expect(second).toBe(false);
    breaker.success();
    await clock.advance(100);
    await other;
    expect(seen).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again for another cool-down when the probe fails', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, 1, 1_000);
    breaker.failure();
    await clock.advance(1_000);
    await breaker.admit();
    breaker.failure();
    expect(breaker.state).toBe('open');
    let admitted = false;
    const admit = breaker.admit().then(() => (admitted = true));
    await clock.advance(900);
    expect(admitted).toBe(false);
    await clock.advance(200);
    await admit;
    expect(breaker.state).toBe('half-open');
  });
});
