import type { RejectRecord } from '../store/types.js';

/** Rejects a replay or discard named that are not open; nothing was done to any of those named. */
export class RejectNotOpenError extends Error {
  override readonly name = 'RejectNotOpenError';
  /** One line a reject: `reject 3 is replayed, not open`. */
  readonly reasons: string[];
  constructor(readonly rejects: RejectRecord[]) {
    const reasons = rejects.map((r) => `reject ${r.id} is ${r.status}, not open`);
    super(reasons.join('; '));
    this.reasons = reasons;
  }
}

/**
 * Only an open reject is replayed or discarded, from the CLI and the API alike: a replayed one's
 * record is in the store (replayed again, its old data would be written over whatever came
 * since), a discarded one was given up on purpose, and a replayed one called discarded would
 * misstate it. Throws RejectNotOpenError naming every one of `rejects` that is not open.
 */
export function requireOpen(rejects: RejectRecord[]): void {
  const settled = rejects.filter((r) => r.status !== 'open');
  if (settled.length) throw new RejectNotOpenError(settled);
}
