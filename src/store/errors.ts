import { ConfigError, RetryableError } from '../core/errors.js';

/**
 * A full sync would delete more of a flow's entities than its `maxDeleteShare` allows. Thrown from
 * `apply` on the delivery's last batch; the whole batch is rolled back (nothing deleted, the
 * delivery not recorded complete), so the runtime can hold the delivery until an operator re-runs
 * it with `force`.
 */
export class FullSyncHeldError extends Error {
  override readonly name = 'FullSyncHeldError';
  constructor(
    readonly flow: string,
    readonly type: string,
    readonly wouldDelete: number,
    readonly live: number,
    readonly maxDeleteShare: number,
  ) {
    const pct = (n: number) => `${Math.round(n * 1000) / 10}%`;
    super(
      `full sync of ${type} from flow ${flow} would delete ${wouldDelete} of ${live} live entities (${pct(wouldDelete / live)}), ` +
        `more than the limit of ${pct(maxDeleteShare)} (maxDeleteShare ${maxDeleteShare}): nothing was deleted and the delivery ` +
        `is held; re-run it with force to apply the deletions`,
    );
  }
}

/** Another process holds the store's lock past the busy timeout. */
export class StoreLockedError extends RetryableError {
  constructor(path: string, cause: unknown) {
    super(`store ${path} is locked by another process`, { cause });
  }
}

/** Another process applies the same delivery: its progress is not where this batch starts. */
export class DeliveryBusyError extends RetryableError {
  constructor(flow: string, deliveryId: string, recordsDone: number, recordsBefore: number) {
    super(`delivery ${deliveryId} of flow ${flow} is being applied by another process (it is at record ${recordsDone}, this batch starts at ${recordsBefore}): this one stops and looks again later`);
  }
}

/**
 * A batch names a delivery that is already complete. The runtime checks `delivery()` first, so
 * this means a race with another process or a bug: nothing of the batch was applied.
 */
export class DeliveryCompleteError extends Error {
  override readonly name = 'DeliveryCompleteError';
  constructor(
    readonly flow: string,
    readonly deliveryId: string,
  ) {
    super(`delivery ${deliveryId} of flow ${flow} is already complete: refusing to apply it again`);
  }
}

/**
 * A write's `expectedVersion` did not match the entity's current live version (`actual`, 0 when
 * absent or deleted). Thrown from `apply`; nothing of the batch was applied.
 */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  constructor(
    readonly type: string,
    readonly key: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${type} ${key}: expected version ${expected === 0 ? 'none (absent)' : expected}, current is ${actual === 0 ? 'none (absent)' : actual}`);
  }
}

interface SqliteLikeError {
  code?: unknown;
  message?: unknown;
}

/**
 * Classifies what better-sqlite3 threw: a lock held by another process is retryable, a file
 * that is not a database (or cannot be opened) is the operator's configuration; anything else
 * passes through unchanged.
 */
export function mapSqliteError(error: unknown, path: string): unknown {
  const code = (error as SqliteLikeError | null)?.code;
  if (typeof code !== 'string') return error;
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) {
    return new StoreLockedError(path, error);
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_')) {
    const message = (error as SqliteLikeError).message;
    return new ConfigError({ file: path, message: `cannot use as store: ${typeof message === 'string' ? message : code} (${code})` });
  }
  return error;
}
