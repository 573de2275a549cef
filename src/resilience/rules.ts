import type { SinkError } from '../core/sink.js';
import type { OutcomeRule } from '../config/outbound-schema.js';

/** What to do with a failed attempt. */
export type Decision =
  | { action: 'retry'; maxRetries: number; rule: string }
  | { action: 'dead-letter'; rule: string }
  | { action: 'disable'; rule: string };

/**
 * The defaults, after the connection's own rules: back off on 429, retry 503 three times, retry
 * what may pass (408, 5xx, timeout, network, io), dead-letter other 4xx at once.
 */
export const DEFAULT_RULES: readonly OutcomeRule[] = [
  { outcome: 'http:429', action: 'retry' },
  { outcome: 'http:503', action: 'retry', maxRetries: 3 },
  { outcome: 'http:408', action: 'retry' },
  { outcome: 'http:4xx', action: 'dead-letter' },
  { outcome: 'http:5xx', action: 'retry' },
  { outcome: 'timeout', action: 'retry' },
  { outcome: 'network', action: 'retry' },
  { outcome: 'io', action: 'retry' },
];

/** True when the outcome class (`http:503`) matches the rule's pattern (`http:5xx`, `*`). */
export function outcomeMatches(pattern: string, outcome: string): boolean {
  if (pattern === '*') return true;
  if (pattern.length !== outcome.length) return false;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== outcome[i] && pattern[i] !== 'x') return false;
  return true;
}

/**
 * Decides by the failure's outcome class: `gone` always disables; then the first matching rule
 * (the connection's, then the defaults); with none, `permanent` dead-letters and anything else is
 * retried.
 */
export function decide(error: SinkError, rules: readonly OutcomeRule[], maxRetries: number): Decision {
  if (error.gone) return { action: 'disable', rule: 'gone' };
  for (const r of [...rules, ...DEFAULT_RULES]) {
    if (!outcomeMatches(r.outcome, error.outcome)) continue;
    if (r.action === 'dead-letter') return { action: 'dead-letter', rule: r.outcome };
    return { action: 'retry', maxRetries: r.maxRetries ?? maxRetries, rule: r.outcome };
  }
  return error.permanent ? { action: 'dead-letter', rule: 'permanent' } : { action: 'retry', maxRetries, rule: 'default' };
}
