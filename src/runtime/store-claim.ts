import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Whether a process of that id runs (EPERM: it does, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claim files this process holds: a claim with our own pid is ours only if it is here (else a dead process had our pid). */
const held = new Set<string>();

/**
 * Claims a store for one `bridge run`: two daemons on one store would take the same files and
 * apply the same deliveries twice over. The claim is a file beside the store holding the
 * daemon's pid, created exclusively; one left by a process that is gone (kill -9, a crash) is
 * taken over. Returns the release, or the pid of the daemon that holds the store.
 */
export function claimStore(storePath: string): { release: () => void } | { heldBy: number } {
  const file = `${storePath}.bridge-pid`;
  mkdirSync(dirname(storePath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      held.add(file);
      return {
        release: () => {
          held.delete(file);
          try {
            if (Number(readFileSync(file, 'utf8')) === process.pid) unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    const live = holder === process.pid ? held.has(file) : Number.isSafeInteger(holder) && holder > 0 && alive(holder);
    if (live) return { heldBy: holder };
    try {
      unlinkSync(file);
    } catch {
      /* another starter took it over first: the next attempt sees its pid */
    }
  }
  throw new Error(`cannot claim the store ${storePath}: its claim file ${file} keeps changing`);
}
