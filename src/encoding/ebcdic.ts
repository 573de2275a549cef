import iconv from 'iconv-lite';
import { cp037 } from './tables/cp037.js';
import { cp1047 } from './tables/cp1047.js';
import { cp1140 } from './tables/cp1140.js';
import { cp273 } from './tables/cp273.js';
import { cp500 } from './tables/cp500.js';

/**
 * The EBCDIC single-byte code pages: tables generated once from glibc (see
 * scripts/gen-ebcdic-tables.ts), keyed by canonical name, with the glibc name each came from.
 */
export const EBCDIC_PAGES: Readonly<Record<string, { glibc: string; table: readonly number[]; aliases: readonly string[] }>> = {
  cp037: { glibc: 'IBM037', table: cp037, aliases: ['ibm037', 'ibm37', 'cp37', 'csibm037', 'ebcdic-cp-us', 'ebcdic-cp-ca', 'ebcdic-cp-nl'] },
  cp500: { glibc: 'IBM500', table: cp500, aliases: ['ibm500', 'csibm500', 'ebcdic-cp-be', 'ebcdic-cp-ch'] },
  cp1047: { glibc: 'IBM1047', table: cp1047, aliases: ['ibm1047', 'csibm1047'] },
  cp1140: { glibc: 'IBM1140', table: cp1140, aliases: ['ibm1140', 'csibm1140', 'ccsid01140'] },
  cp273: { glibc: 'IBM273', table: cp273, aliases: ['ibm273', 'csibm273'] },
};

let registered = false;

/**
 * Registers the EBCDIC pages (and their aliases) with iconv-lite as single-byte codecs, so that
 * code that streams through iconv-lite (`decodeStream('cp037')`) sees the same tables. Idempotent;
 * never replaces an encoding iconv-lite already has.
 */
export function registerEbcdicWithIconvLite(): void {
  if (registered) return;
  // iconv-lite loads its encoding list on first use; before that `encodings` is null.
  iconv.getCodec('latin1');
  const encodings = iconv.encodings as Record<string, unknown> | null;
  if (!encodings) throw new Error('iconv-lite did not load its encodings');
  for (const [name, page] of Object.entries(EBCDIC_PAGES)) {
    const key = iconv._canonicalizeEncoding(name);
    if (encodings[key] === undefined) {
      encodings[key] = { type: '_sbcs', chars: String.fromCharCode(...page.table.map((u) => (u < 0 ? 0xfffd : u))) };
    }
    for (const alias of page.aliases) {
      const aliasKey = iconv._canonicalizeEncoding(alias);
      if (encodings[aliasKey] === undefined) encodings[aliasKey] = key;
    }
  }
  registered = true;
}
