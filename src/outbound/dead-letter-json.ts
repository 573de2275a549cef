import type { DeadLetter } from '../store/types.js';

/**
 * A dead letter as JSON, for the CLI and the admin API: the body as `body` text when it is
 * UTF-8, else as `bodyBase64`.
 */
export function deadLetterJson(d: DeadLetter): Record<string, unknown> {
  const text = d.body.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(d.body);
  const { body: _body, ...rest } = d;
  return { ...rest, ...(utf8 ? { body: text } : { bodyBase64: d.body.toString('base64') }) };
}
