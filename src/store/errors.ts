import { ConfigError, RetryableError } from '../core/errors.js';

/**
 * A full sync's deletions are held back: they would delete more of the flow's entities than its
 * `maxDeleteShare` allows, or some of the delivery's records were rejected with their key unknown
 * (`unkeyed`), so the delivery cannot tell which entities it left out. Thrown from `apply` on the
 * delivery's last batch; that batch is rolled back (nothing deleted, the delivery not recorded
 * complete), so the runtime can hold the delivery until an operator re-runs it with `force`. The
 * records of its earlier batches (`applied`) were committed by them and stay applied.
 */
export class FullSyncHeldError extends Error {
  override readonly name = 'FullSyncHeldError';
  constructor(
    readonly flow: string,
    readonly type: string,
    readonly wouldDelete: number,
    /** The live entities of the type the flow held before the delivery: what the share is of. */
    readonly live: number,
    readonly maxDeleteShare: number,
    /** Whether the deletions exceed maxDeleteShare of `live`. */
    readonly overShare: boolean,
    readonly unkeyed: number,
    /** Records of the delivery that its earlier batches committed. */
    readonly applied: number,
  ) {
    const pct = (n: number) => `${Math.round(n * 1000) / 10}%`;
    const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;
    const limit = `more than the limit of ${pct(maxDeleteShare)} (maxDeleteShare ${maxDeleteShare})`;
    const unknown = `${records(unkeyed)} of the delivery ${unkeyed === 1 ? 'was' : 'were'} rejected with ${unkeyed === 1 ? 'its key' : 'their keys'} unknown ` +
      '(not decoded, or a key field did not map), so it cannot tell which entities it left out';
    const why = unkeyed === 0 ? limit : overShare ? `${limit}, and ${unknown}` : `but ${unknown}`;
    const done = applied > 0
      ? `; the delivery's first ${records(applied)}, committed by its earlier batches, stay applied, the rest of it is not; ` +
        're-run it with force to apply the rest and the deletions'
      : '; re-run it with force to apply the deletions';
    super(`full sync of ${type} from flow ${flow} would delete ${wouldDelete} of ${live} live entities (${pct(live === 0 ? 1 : wouldDelete / live)}), ${why}: nothing was deleted and the delivery is held${done}`);
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

/**
 * The reject a batch replays (ApplyBatch.replayOf) is no longer open: it was discarded or
 * replayed after the replay read it. Thrown from `apply`; nothing of the batch was applied.
 */
/**
 * Records recognised by their digest (see core/record-digests.ts) whose entity changed since
 * the version they wrote or confirmed: the batch is rolled back, and the runtime maps it again,
 * these records decoded and mapped as any other.
 */
export class KnownRecordsChangedError extends Error {
  override readonly name = 'KnownRecordsChangedError';
  constructor(readonly seqs: number[]) {
    super(`${seqs.length} records recognised as known wrote or confirmed versions that are no longer current (seqs ${seqs.slice(0, 5).join(', ')}${seqs.length > 5 ? ', …' : ''})`);
  }
}

export class RejectNoLongerOpenError extends Error {
  override readonly name = 'RejectNoLongerOpenError';
  constructor(readonly rejectId: number) {
    super(`reject ${rejectId} is no longer open: nothing of its replay was applied`);
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
