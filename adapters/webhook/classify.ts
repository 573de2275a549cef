import { SinkError } from '../../src/core/sink.js';

/**
 * Classifies what a webhook receiver answered into the outcome classes of the resilience rules:
 * 2xx delivered; 410 gone (the endpoint is disabled); 408 and 429 retryable, after Retry-After
 * when given; other 3xx/4xx permanent (retrying the same request cannot help); 5xx retryable.
 */
export function responseError(status: number, retryAfter: string | null, where: string, detail: string, nowMs: number): SinkError | undefined {
  if (status >= 200 && status < 300) return undefined;
  const outcome = `http:${status}`;
  const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
  const said = detail ? `: ${detail}` : '';
  if (status === 410) return new SinkError(`${where} answered 410 Gone: the endpoint is disabled${said}`, { outcome, permanent: true, gone: true });
  if (status === 408 || status === 429 || status >= 500) {
    return new SinkError(`${where} answered ${status}${retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`}${said}`, { outcome, retryAfterMs });
  }
  const why = status < 400 ? ' (redirects are not followed)' : '';
  return new SinkError(`${where} answered ${status}${why}; not retried${said}`, { outcome, permanent: true });
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Classifies a failed request (no answer): the signal's abort is a timeout, anything else the network. */
export function requestError(error: unknown, signal: AbortSignal, where: string): SinkError {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (signal.aborted || e?.name === 'AbortError' || e?.name === 'TimeoutError') {
    return new SinkError(`${where} did not answer in time (request aborted)`, { outcome: 'timeout', cause: signal.reason ?? error });
  }
  const code = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
  return new SinkError(`${where} could not be reached: ${code}`, { outcome: 'network', cause: error });
}
