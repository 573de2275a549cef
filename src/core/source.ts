import type { z } from 'zod';
import type { ConnectorAdapter } from './connector.js';
import type { Source } from './delivery.js';

/**
 * Where a source reports what it handles on its own and the runtime should still hear about:
 * a file it could not move, a marker it could not remove. Pino's logger fits as is.
 */
export interface SourceLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Context a source gets besides its options: where its options came from, and where to report. */
export interface SourceContext {
  /** The config file that declared the source, for ConfigError messages. */
  file: string;
  /** Path of the options inside that file, e.g. `flows.orders.source.file`. */
  path: string;
  /** Resolves a path named in options (a drop folder, a key file) relative to the declaring file. */
  resolve(relative: string): string;
  /** Operational notices; none are written when absent. */
  log?: SourceLog;
}

/** The one declaration of a source adapter: name (= folder = the `use:` value in config). */
export interface SourceAdapter<Schema extends z.ZodType = z.ZodType> extends ConnectorAdapter<Schema> {
  kind: 'source';
  /**
   * Its deliveries are whole files, often of many megabytes, which the runtime decodes and maps
   * in a worker thread: a daemon with such a flow has a worker ready before the first one comes.
   */
  deliversFiles?: boolean;
  /**
   * Builds the source without touching the outside world yet (connections and scans start in
   * `read`); throws ConfigError for options that are valid in shape but not in sense.
   */
  create(options: z.output<Schema>, context: SourceContext): Source;
}
