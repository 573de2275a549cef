import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadMapping } from '../mapping/index.js';

const mapping = loadMapping(resolve(import.meta.dirname, '..', '..', 'bench/mappings/rows-csv.yaml'));

describe('digestSeed', () => {
  it('changes with the time zone data the runtime brings: a zone transform maps by it', async () => {
    const before = (await import('./digest-seed.js')).digestSeed(mapping);
    const versions = Object.getOwnPropertyDescriptor(process, 'versions')!;
    Object.defineProperty(process, 'versions', { ...versions, value: { ...process.versions, tz: '1970a' } });
    try {
      vi.resetModules();
      expect((await import('./digest-seed.js')).digestSeed(mapping)).not.toBe(before);
    } finally {
      Object.defineProperty(process, 'versions', versions);
    }
  });
});
