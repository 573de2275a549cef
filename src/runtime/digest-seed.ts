import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Mapping } from '../mapping/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The code a record's canonical content depends on, besides its mapping: decoders, mapping, model, encodings, the stored JSON text, and the libraries' versions (package.json: an install from npm has no lock file). */
const CODE = ['src/core', 'src/encoding', 'src/generated', 'src/mapping', 'src/model', 'src/store/canonical-json.ts', 'src/store/prepared-write.ts', 'adapters', 'package.json', 'package-lock.json'];

let code: string | undefined;

/**
 * The digest of this build's code that turns records into canonical content: after an upgrade
 * (a fixed transform, another csv-parse) no record is recognised from before, so that sending a
 * file again applies what the new code makes of it.
 */
export function codeIdentity(): string {
  if (code !== undefined) return code;
  const hash = createHash('sha256');
  const add = (path: string) => {
    let names: string[];
    try {
      names = readdirSync(join(root, path)).sort();
    } catch {
      let bytes: Buffer | string;
      try {
        bytes = readFileSync(join(root, path));
      } catch {
        bytes = 'absent'; // an install without it: its code is whatever the rest says
      }
      hash.update(path).update('\0').update(bytes).update('\0');
      return;
    }
    for (const name of names) {
      if (name.includes('.test.') || name === 'corpus') continue;
      add(join(path, name));
    }
  };
  for (const path of CODE) add(path);
  // Time zones (Intl) and text codecs come with the runtime, or the system's ICU it was built with.
  const { node, icu, tz, unicode } = process.versions;
  hash.update(JSON.stringify({ node, icu, tz, unicode }));
  return (code = hash.digest('hex'));
}

const seeds = new WeakMap<Mapping, string>();

/**
 * A mapping's identity for record digests (see core/record-digests.ts): the code's, and the
 * contents of the mapping's and model's files (lookup tables included), each with its path from
 * the mapping's folder, not where that folder is.
 * Deliveries of mappings of equal identity map equal records to equal content.
 */
export function digestSeed(mapping: Mapping): string {
  let seed = seeds.get(mapping);
  if (seed === undefined) {
    const hash = createHash('sha256').update(codeIdentity());
    // Each file's content with its path from the mapping's folder: which file holds which table
    // matters (two lookup files that swapped contents map otherwise), where the folder is does not.
    const base = dirname(mapping.file);
    const files = Object.entries({ ...mapping.model.sources, ...mapping.sources }).map(([path, bytes]) => `${relative(base, path)}\0${createHash('sha256').update(bytes).digest('hex')}\0`);
    for (const file of files.sort()) hash.update(file);
    seed = hash.digest('hex');
    seeds.set(mapping, seed);
  }
  return seed;
}
