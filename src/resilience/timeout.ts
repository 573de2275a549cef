import { SinkError } from '../core/sink.js';
import type { Clock } from './clock.js';

/**
 * Runs one attempt with a deadline: past `ms` its signal aborts and the attempt fails as a
 * `timeout` SinkError, whether or not the sink heeds the signal. An abort of `outer` (shutdown)
 * aborts the attempt too and rejects with the outer reason.
 */
export async function withTimeout<T>(clock: Clock, ms: number, outer: AbortSignal, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onOuter = () => controller.abort(outer.reason);
  outer.addEventListener('abort', onOuter, { once: true });
  const timer = new AbortController();
  const deadline = clock.sleep(ms, timer.signal).then(
    () => {
      const e = new SinkError(`no answer within ${ms} ms`, { outcome: 'timeout' });
      controller.abort(e);
      throw e;
    },
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([attempt(controller.signal), deadline]);
  } finally {
    timer.abort();
    outer.removeEventListener('abort', onOuter);
  }
}
