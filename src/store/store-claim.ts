import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Claims a store for one `bridge run`: two daemons on one store would take the same files and
 * apply the same deliveries twice over. The claim is an exclusive lock on a small SQLite file
 * beside the store (`STORE.bridge-lock`), held open for the daemon's life: the operating system
 * drops it when the process ends however it ends (kill -9 included), so a claim is never stale
 * and a reused pid fools nothing. `STORE.bridge-pid` only tells the refused daemon whom it met.
 * Returns the release, or the holder's pid (undefined when unknown).
 */
export function claimStore(storePath: string): { release: () => void } | { heldBy: number | undefined } {
  mkdirSync(dirname(storePath), { recursive: true });
  const pidFile = `${storePath}.bridge-pid`;
  const lock = new Database(`${storePath}.bridge-lock`, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // Held until the connection closes; never committed.
    lock.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    lock.close();
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(pidFile, 'utf8')) || undefined;
    } catch {
      /* not written yet */
    }
    return { heldBy: holder };
  }
  writeFileSync(pidFile, `${process.pid}\n`);
  return {
    release: () => {
      if (!lock.open) return;
      try {
        unlinkSync(pidFile);
      } catch {
        /* already gone */
      }
      lock.close();
    },
  };
}
