/** What one scan saw of a file: enough to tell whether it is still being written. */
export interface FileObservation {
  name: string;
  size: number;
  mtimeMs: number;
  /** Inode: a file replaced under the same name (an upload renamed into place) is a new file. */
  ino: number;
}

/** True when two observations show the same file, unchanged. */
export function sameFile(a: FileObservation, b: FileObservation): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

interface Tracked {
  seen: FileObservation;
  /** When the file was first seen as it is now (same size, mtime and inode). */
  since: number;
}

/**
 * Decides when a file is complete, from successive scans. In `stable` mode a file is ready once
 * it has been seen unchanged for `stableMs` — by observation over time, not by trusting an old
 * mtime, because a stalled upload keeps an old mtime and some mounts round mtimes to seconds.
 * In `marker` mode it is ready once its `NAME.done` marker exists.
 * Pure: the caller passes the clock, so the rules are tested without sleeping.
 */
export class ReadinessTracker {
  private readonly tracked = new Map<string, Tracked>();
  /**
   * After `observe`: how soon (ms) the first file still settling may be ready, Infinity when
   * none is — so that a long poll interval does not delay a file by a whole extra poll.
   */
  settlingMs = Infinity;

  constructor(
    private readonly mode: 'stable' | 'marker',
    private readonly stableMs: number,
  ) {}

  /**
   * Records one scan (every candidate present now) and returns the ready ones. Files gone since
   * the last scan are forgotten, so a file that reappears starts again.
   */
  observe(files: readonly FileObservation[], markers: ReadonlySet<string>, now: number): FileObservation[] {
    const present = new Set<string>();
    const ready: FileObservation[] = [];
    this.settlingMs = Infinity;
    for (const f of files) {
      present.add(f.name);
      if (this.note(f, now)) {
        if (this.mode === 'stable' || markers.has(f.name)) ready.push(f);
      } else {
        this.settlingMs = Math.min(this.settlingMs, this.stableMs - (now - this.tracked.get(f.name)!.since));
      }
    }
    for (const name of this.tracked.keys()) if (!present.has(name)) this.tracked.delete(name);
    return ready;
  }

  /**
   * Records one fresh look at a file (just before or after hashing it); true when it is unchanged
   * since it was first seen this way and, in stable mode, has stayed so for `stableMs`.
   */
  note(f: FileObservation, now: number): boolean {
    const t = this.tracked.get(f.name);
    if (!t || !sameFile(t.seen, f)) {
      this.tracked.set(f.name, { seen: f, since: now });
      return this.mode === 'marker' || this.stableMs === 0;
    }
    return this.mode === 'marker' || now - t.since >= this.stableMs;
  }

  /** Forgets a file (it was taken and settled): a file later found under its name is new. */
  forget(name: string): void {
    this.tracked.delete(name);
  }
}
