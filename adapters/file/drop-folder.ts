import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Delivery, Source } from '../../src/core/delivery.js';
import { DeliveryChangedError, RetryableError } from '../../src/core/errors.js';
import type { SourceLog } from '../../src/core/source.js';
import { FileDelivery, type SettleOutcome } from './file-delivery.js';
import { hashFile, type FileDigest } from './hash.js';
import { ReadinessTracker, sameFile, type FileObservation } from './readiness.js';
import { observe, orderFiles, scanFolder } from './scan.js';
import { ackFailedFile, type SettlePlan } from './settle.js';
import { Waker } from './waker.js';

/** A drop folder, resolved and compiled: what `fileSource.create` builds from the options. */
export interface DropFolderSettings {
  /** Absolute path of the watched folder. */
  dir: string;
  /** Name filter: included and not excluded. Markers are never data files, whatever it says. */
  accept: (name: string) => boolean;
  readiness: 'stable' | 'marker';
  stableMs: number;
  pollMs: number;
  /** After this long a file whose settle failed is taken again, changed or not. */
  settleRetryMs: number;
  order: 'name' | 'mtime';
  plan: SettlePlan;
  log?: SourceLog;
}

/** A file whose settle failed: not taken again while it is unchanged (path + content), until `until`. */
interface Stuck {
  seen: FileObservation;
  sha256: string;
  /** performance.now() after which it is taken again all the same (its folder may be fixed). */
  until: number;
}

/**
 * A file given up because it changed while read waits this long before it is taken again,
 * twice as long each time it does so again (up to settleRetryMs): with a done-marker, or
 * `stableMs: 0`, nothing else would stop it being read back to back while its writer goes on.
 */
const CHANGED_COOL_DOWN_MS = 1000;

/**
 * The drop-folder source. Scans at start, then every `pollMs` (sooner on a file-system event);
 * yields each complete file once, ordered, one at a time: the next is yielded only after the
 * previous one settled (or `read` was aborted). A file whose settle failed is taken again when it
 * changes, or after `settleRetryMs` — never in a loop. What is remembered lives in memory: after
 * a restart every file present is taken again, and the runtime only settles what its store
 * applied or refused, and did not settle, by the delivery id (the content's sha256).
 */
export class DropFolderSource implements Source {
  private readonly tracker: ReadinessTracker;
  private readonly stuck = new Map<string, Stuck>();
  /** Files given up as changed while read: not taken before `until`; `times` in a row. */
  private readonly cooling = new Map<string, { until: number; times: number }>();
  private readonly inFlight = new Set<string>();
  /** Files whose names are not UTF-8 (escaped) that were warned about, while they are there. */
  private readonly misnamed = new Set<string>();
  private readonly closing = new AbortController();
  private reading = false;

  constructor(private readonly s: DropFolderSettings) {
    this.tracker = new ReadinessTracker(s.readiness, s.stableMs);
  }

  async *read(signal: AbortSignal): AsyncGenerator<Delivery, void, undefined> {
    if (this.reading) throw new Error(`the drop folder ${this.s.dir} is already being read`);
    const stop = AbortSignal.any([signal, this.closing.signal]);
    if (stop.aborted) return;
    this.reading = true;
    try {
      // A folder named in the config is made if missing, as a fresh install expects.
      await mkdir(this.s.dir, { recursive: true });
    } catch (err) {
      this.reading = false;
      throw new RetryableError(`cannot create the drop folder ${this.s.dir}: ${(err as Error).message}`, { cause: err });
    }
    const waker = new Waker(this.s.dir, this.s.pollMs, stop);
    try {
      while (!stop.aborted) {
        let took = false;
        for (const file of await this.readyFiles()) {
          const delivery = await this.take(file, stop);
          if (stop.aborted) return;
          if (!delivery) continue;
          took = true;
          yield delivery;
          await settledOrAborted(delivery.settled, stop);
          if (stop.aborted) return;
        }
        if (!took) await waker.wait(this.tracker.settlingMs);
      }
    } finally {
      waker.close();
      this.reading = false;
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  ackByHand(path: string): Promise<(() => Promise<string>) | undefined> {
    return ackFailedFile(this.s.plan, path);
  }

  /** Lists the folder and returns the complete files, in the configured order. */
  private async readyFiles(): Promise<FileObservation[]> {
    let scan;
    try {
      scan = await scanFolder(this.s.dir, this.s.accept);
    } catch (err) {
      throw new RetryableError(`cannot list the drop folder ${this.s.dir}: ${(err as Error).message}`, { cause: err });
    }
    this.warnMisnamed(scan.misnamed);
    const present = new Set(scan.files.map((f) => f.name));
    for (const name of this.stuck.keys()) if (!present.has(name)) this.stuck.delete(name);
    for (const name of this.cooling.keys()) if (!present.has(name)) this.cooling.delete(name);
    const ready = this.tracker.observe(scan.files, scan.markers, performance.now());
    return orderFiles(ready, this.s.order);
  }

  /** Once per file while it is there: the operator must rename it, nothing else takes it. */
  private warnMisnamed(names: string[]): void {
    const present = new Set(names);
    for (const name of this.misnamed) if (!present.has(name)) this.misnamed.delete(name);
    for (const name of names) {
      if (this.misnamed.has(name)) continue;
      this.misnamed.add(name);
      this.s.log?.warn({ file: name }, `cannot take ${name} from ${this.s.dir}: its name is not valid UTF-8; rename it (to UTF-8) to have it taken`);
    }
  }

  /**
   * Hashes a ready file and checks it did not change meanwhile (a writer that paused longer than
   * `stableMs` and resumed); undefined when it is not to be yielded now.
   */
  private async take(file: FileObservation, stop: AbortSignal): Promise<FileDelivery | undefined> {
    if (this.inFlight.has(file.name)) return undefined;
    if (performance.now() < (this.cooling.get(file.name)?.until ?? 0)) return undefined;
    let stuck = this.stuck.get(file.name);
    if (stuck && performance.now() >= stuck.until) {
      // Time to try again: the runtime knows what it applied or refused and only the move is
      // repeated, so the digest taken before stands while the file is unchanged (not read again).
      this.stuck.delete(file.name);
      if (stuck.sha256 !== '' && sameFile(stuck.seen, file)) return this.yielding(file, { sha256: stuck.sha256, bytes: file.size }, stop);
      stuck = undefined;
    }
    if (stuck && sameFile(stuck.seen, file)) return undefined;
    const path = join(this.s.dir, file.name);
    let digest;
    let after;
    try {
      digest = await hashFile(path, stop, file.size);
      after = await observe(path, file.name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (stop.aborted || code === 'ENOENT') return undefined;
      // Unreadable (permissions, I/O error): reported, looked at again when it changes or after settleRetryMs.
      this.s.log?.warn({ file: file.name, error: (err as Error).message }, `cannot read ${file.name}; ${this.stick(file, '')}`);
      return undefined;
    }
    if (!after) return undefined;
    if (!sameFile(file, after) || digest.bytes !== file.size) {
      this.tracker.note(after, performance.now());
      return undefined;
    }
    if (stuck && stuck.sha256 === digest.sha256) {
      stuck.seen = after;
      return undefined;
    }
    this.stuck.delete(file.name);
    return this.yielding(after, digest, stop);
  }

  private yielding(file: FileObservation, digest: FileDigest, stop: AbortSignal): FileDelivery | undefined {
    // Aborted meanwhile: it will not be yielded, so it must not count as in flight.
    if (stop.aborted) return undefined;
    this.inFlight.add(file.name);
    return new FileDelivery(this.s.plan, file, digest, this.onSettled);
  }

  private readonly onSettled = (delivery: FileDelivery, outcome: SettleOutcome): void => {
    const name = delivery.file.name;
    this.inFlight.delete(name);
    if (outcome.moved || outcome.error instanceof DeliveryChangedError) {
      // Moved, or not the file that was taken: a file there now is a new one, to be seen stable again.
      this.stuck.delete(name);
      this.tracker.forget(name);
      if (outcome.moved) this.cooling.delete(name);
      else {
        const times = (this.cooling.get(name)?.times ?? 0) + 1;
        this.cooling.set(name, { until: performance.now() + Math.min(CHANGED_COOL_DOWN_MS * 2 ** (times - 1), this.s.settleRetryMs), times });
      }
      return;
    }
    this.s.log?.warn({ file: name, id: delivery.id, error: outcome.error.message }, `${name} stays in the drop folder; ${this.stick(delivery.file, delivery.id)}`);
  };

  /** Keeps a file out until it changes or settleRetryMs passed; says so for the log line. */
  private stick(seen: FileObservation, sha256: string): string {
    this.stuck.set(seen.name, { seen, sha256, until: performance.now() + this.s.settleRetryMs });
    return `it is taken again in ${Math.round(this.s.settleRetryMs / 1000)} s, or when it changes`;
  }
}

/** Resolves when the delivery settled or the signal aborted, whichever comes first. */
function settledOrAborted(settled: Promise<unknown>, stop: AbortSignal): Promise<unknown> {
  if (stop.aborted) return Promise.resolve();
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    stop.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([settled, aborted]).finally(() => stop.removeEventListener('abort', onAbort));
}
