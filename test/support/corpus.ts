import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared real-world corpus: `../shared/corpus` beside the repository (as on a developer's
 * machine and in CI), or wherever LEGACY_BRIDGE_CORPUS points.
 */
export const corpusDir = process.env.LEGACY_BRIDGE_CORPUS ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

if (!existsSync(corpusDir)) {
  throw new Error(`the shared corpus is not at ${corpusDir}: tests read ../shared/corpus beside the repository (or set LEGACY_BRIDGE_CORPUS)`);
}

export const corpus = (...parts: string[]): string => join(corpusDir, ...parts);
