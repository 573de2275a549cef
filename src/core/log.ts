import pino, { type Logger } from 'pino';
import type { SecretValues } from '../config/secrets.js';

export type { Logger };

/**
 * The daemon's logger: JSON lines, pretty on a terminal. Authorization headers are redacted by
 * path; known secret values are scrubbed from every line, whatever field they sit in.
 */
export function createLogger(options: { level?: string; secrets?: SecretValues; destination?: pino.DestinationStream; pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY && !options.destination);
  const base: pino.LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.password', '*.secret', '*.token'], censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const secrets = options.secrets;
  if (secrets) {
    base.hooks = {
      streamWrite: (line: string) => secrets.scrub(line),
    };
  }
  if (pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  return options.destination ? pino(base, options.destination) : pino(base, pino.destination({ fd: 1, sync: false }));
}
