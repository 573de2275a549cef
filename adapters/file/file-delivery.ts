import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DeliveryChangedError } from '../../src/core/errors.js';
import type { Delivery } from '../../src/core/delivery.js';
import type { DeliveryMeta } from '../../src/core/records.js';
import { checkedRead, type FileDigest } from './hash.js';
import { sameFile, type FileObservation } from './readiness.js';
import { observe } from './scan.js';
import { commitFile, rollbackFile, type SettlePlan } from './settle.js';

/**
 * How a settle attempt ended: the file moved, or it is still where it was. A DeliveryChangedError
 * means the file is not what was taken: the source forgets it and takes it again once stable.
 */
export type SettleOutcome = { moved: true; to: string } | { moved: false; error: Error };

/**
 * One complete file of the drop folder. `ack` moves it to processed/, `nack` to failed/ with its
 * errors. A settle that fails rejects with the cause and leaves the file in place; it may be
 * tried again (the move is then attempted again). Calling either while one is under way, or after
 * one succeeded, rejects: exactly one settle takes effect.
 * `meta`: `name` (the file name), `file.path` (absolute), `file.size` (bytes), `file.mtime` (ISO).
 */
export class FileDelivery implements Delivery {
  readonly id: string;
  readonly size: number;
  readonly meta: DeliveryMeta;
  readonly path: string;
  /** Resolves once per settle attempt's end — the first one is what the source waits for. */
  readonly settled: Promise<SettleOutcome>;
  private state: 'open' | 'settling' | 'settled' = 'open';
  private givenUp: DeliveryChangedError | undefined;
  private resolveSettled!: (outcome: SettleOutcome) => void;

  constructor(
    private readonly plan: SettlePlan,
    readonly file: FileObservation,
    digest: FileDigest,
    private readonly onSettled: (delivery: FileDelivery, outcome: SettleOutcome) => void,
  ) {
    this.path = join(plan.dir, file.name);
    this.id = digest.sha256;
    this.size = file.size;
    this.meta = {
      name: file.name,
      'file.path': this.path,
      'file.size': file.size,
      'file.mtime': new Date(file.mtimeMs).toISOString(),
    };
    this.settled = new Promise((resolve) => {
      this.resolveSettled = resolve;
    });
  }

  /**
   * A fresh stream over the file each call, in chunks of up to 1 MiB: the bytes it was taken with
   * and no more. It ends only once they hash to the delivery's id; otherwise (the file was written
   * to meanwhile) it fails with a DeliveryChangedError, before a consumer sees its end, and the
   * delivery is given up: its source takes the file again once it is stable.
   */
  open(): Readable {
    return checkedRead(this.path, this.size, this.id, {
      changed: (bytes) =>
        this.giveUp(`${this.file.name} changed while it was read (${bytes} of the ${this.size} bytes it was taken with, and not the same ones): its progress is forgotten; it is taken again once it is stable`),
      // Gone meanwhile: given up, as a changed one is, rather than retried for ever.
      gone: () => this.giveUp(`${this.file.name} is gone (moved or deleted) since it was taken: given up`),
    });
  }

  ack(): Promise<void> {
    return this.settle(async () => {
      // Written to after it was read: moving it away would lose what was added.
      const now = await observe(this.path, this.file.name);
      if (now === undefined || !sameFile(now, this.file)) {
        throw new DeliveryChangedError(`${this.file.name} changed after it was read (size ${this.file.size} → ${now?.size ?? 'gone'}): left in place, taken again as a new delivery once it is stable`);
      }
      return commitFile(this.plan, this.file.name);
    });
  }

  /**
   * Ends the delivery unsettled: its file stays where it is (or is gone). A later ack or nack
   * rejects with the same DeliveryChangedError, which the runtime knows. Returns that error.
   */
  private giveUp(message: string): DeliveryChangedError {
    this.givenUp ??= new DeliveryChangedError(message);
    if (this.state === 'open') {
      this.state = 'settled';
      const outcome: SettleOutcome = { moved: false, error: this.givenUp };
      this.resolveSettled(outcome);
      this.onSettled(this, outcome);
    }
    return this.givenUp;
  }

  nack(error: Error): Promise<void> {
    return this.settle(() => rollbackFile(this.plan, this.file.name, this.id, error));
  }

  private async settle(move: () => Promise<string>): Promise<void> {
    if (this.givenUp !== undefined) throw this.givenUp;
    if (this.state !== 'open') {
      throw new Error(`delivery ${this.file.name} is already ${this.state === 'settled' ? 'settled' : 'being settled'}`);
    }
    this.state = 'settling';
    let outcome: SettleOutcome;
    try {
      outcome = { moved: true, to: await move() };
      this.state = 'settled';
    } catch (err) {
      outcome = { moved: false, error: err as Error };
      this.state = 'open';
    }
    this.resolveSettled(outcome);
    this.onSettled(this, outcome);
    if (!outcome.moved) throw outcome.error;
  }
}
