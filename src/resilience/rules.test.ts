import { describe, expect, it } from 'vitest';
import { SinkError } from '../core/sink.js';
import { decide, outcomeMatches } from './rules.js';

const fail = (outcome: string, extra: { permanent?: boolean; gone?: boolean } = {}) => new SinkError(`failed: ${outcome}`, { outcome, ...extra });

describe('outcome rules', () => {
  it('apply the defaults: 429 back off, 503 three retries, other 4xx dead letter, network and timeout retried, 410 disables', () => {
    expect(decide(fail('http:429'), [], 10)).toEqual({ action: 'retry', maxRetries: 10, rule: 'http:429' });
    expect(decide(fail('http:503'), [], 10)).toEqual({ action: 'retry', maxRetries: 3, rule: 'http:503' });
    expect(decide(fail('http:404', { permanent: true }), [], 10)).toEqual({ action: 'dead-letter', rule: 'http:4xx' });
    expect(decide(fail('http:408'), [], 10)).toMatchObject({ action: 'retry', rule: 'http:408' });
    expect(decide(fail('http:500'), [], 10)).toMatchObject({ action: 'retry', rule: 'http:5xx' });
    expect(decide(fail('network'), [], 10)).toMatchObject({ action: 'retry', rule: 'network' });
    expect(decide(fail('timeout'), [], 10)).toMatchObject({ action: 'retry', rule: 'timeout' });
    expect(decide(fail('http:410', { gone: true, permanent: true }), [], 10)).toEqual({ action: 'disable', rule: 'gone' });
  });

  it('try the connection\'s rules first, then the defaults; an unknown outcome follows `permanent`', () => {
    const rules = [
      { outcome: 'http:409', action: 'retry' as const, maxRetries: 2 },
      { outcome: 'http:5xx', action: 'dead-letter' as const },
    ];
    expect(decide(fail('http:409', { permanent: true }), rules, 10)).toEqual({ action: 'retry', maxRetries: 2, rule: 'http:409' });
    expect(decide(fail('http:503'), rules, 10)).toEqual({ action: 'dead-letter', rule: 'http:5xx' });
    expect(decide(fail('data', { permanent: true }), [], 10)).toEqual({ action: 'dead-letter', rule: 'permanent' });
    expect(decide(fail('error'), [], 10)).toEqual({ action: 'retry', maxRetries: 10, rule: 'default' });
  });

  it('match x as any digit and * as anything', () => {
    expect(outcomeMatches('http:4xx', 'http:404')).toBe(true);
    expect(outcomeMatches('http:4xx', 'http:503')).toBe(false);
    expect(outcomeMatches('http:5x3', 'http:503')).toBe(true);
    expect(outcomeMatches('*', 'network')).toBe(true);
    expect(outcomeMatches('timeout', 'network')).toBe(false);
  });
});
