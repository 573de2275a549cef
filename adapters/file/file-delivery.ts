import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import type { Delivery } from '../../src/core/delivery.js';
import type { DeliveryMeta } from '../../src/core/records.js';
import { chunkFor, type FileDigest } from './hash.js';
import type { FileObservation } from './readiness.js';
import { commitFile, rollbackFile, type SettlePlan } from './settle.js';

/** How a settle attempt ended: the file moved, or it is still where it was. */
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

  /** A fresh stream over the file each call, in chunks of up to 1 MiB. */
  open(): Readable {
    return createReadStream(this.path, { highWaterMark: chunkFor(this.size) });
  }

  ack(): Promise<void> {
    return this.settle(() => commitFile(this.plan, this.file.name));
  }

  nack(error: Error): Promise<void> {
    return this.settle(() => rollbackFile(this.plan, this.file.name, this.id, error));
  }

  private async settle(move: () => Promise<string>): Promise<void> {
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
