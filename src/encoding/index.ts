import iconv from 'iconv-lite';
import { DoubleByteCodec, shiftJisUserArea } from './dbcs.js';
import { EBCDIC_PAGES, registerEbcdicWithIconvLite } from './ebcdic.js';
import { SingleByteCodec } from './sbcs.js';
import type { TextCodec } from './types.js';
import { Utf16Codec } from './utf16.js';
import { Utf8Codec } from './utf8.js';

export type { StreamDecoder, TextCodec } from './types.js';
export { EBCDIC_PAGES, registerEbcdicWithIconvLite } from './ebcdic.js';
export { startsWithUtf8Mark, unicodeMarkAt, unicodeMarkedMessage, UTF8_MARK_BYTES, type UnicodeMark } from './byte-order-mark.js';

interface Entry {
  aliases: readonly string[];
  make(name: string): TextCodec;
}

/** The 256 characters iconv-lite decodes bytes 0–255 to, U+FFFD where the page has none. */
function iconvLiteTable(iconvName: string): number[] {
  const text = iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, b) => b)), iconvName);
  if (text.length !== 256) throw new Error(`iconv-lite ${iconvName} is not single-byte`);
  return Array.from(text, (c) => c.charCodeAt(0));
}

const ENTRIES: Readonly<Record<string, Entry>> = {
  ...Object.fromEntries(
    Object.entries(EBCDIC_PAGES).map(([name, page]): [string, Entry] => [
      name,
      { aliases: page.aliases, make: () => new SingleByteCodec({ name, ebcdic: true, table: page.table }) },
    ]),
  ),
  'windows-1252': {
    aliases: ['cp1252', 'win1252', 'x-cp1252', 'ms-ansi'],
    make: (name) => new SingleByteCodec({ name, ebcdic: false, table: iconvLiteTable('windows1252') }),
  },
  'iso-8859-1': {
    aliases: ['latin1', 'latin-1', 'l1', 'iso8859-1', 'iso_8859-1', 'iso-ir-100', 'cp819', 'ibm819', 'csisolatin1'],
    make: (name) => new SingleByteCodec({ name, ebcdic: false, table: Array.from({ length: 256 }, (_, b) => b) }),
  },
  ascii: {
    aliases: ['us-ascii', 'ansi_x3.4-1968', 'iso646-us', 'cp367', 'ibm367', 'csascii'],
    make: (name) => new SingleByteCodec({ name, ebcdic: false, table: Array.from({ length: 256 }, (_, b) => (b < 0x80 ? b : 0xfffd)) }),
  },
  shift_jis: {
    aliases: ['shift-jis', 'sjis', 'cp932', 'ms932', 'windows-31j', 'ms_kanji', 'csshiftjis', 'x-sjis'],
    make: (name) => new DoubleByteCodec(name, 'shiftjis', [[0x81, 0x9f], [0xe0, 0xfc]], shiftJisUserArea),
  },
  cp949: {
    aliases: ['euc-kr', 'uhc', 'windows-949', 'ms949', 'ks_c_5601-1987', 'ksc5601', 'cseuckr'],
    make: (name) => new DoubleByteCodec(name, 'cp949', [[0x81, 0xfe]]),
  },
  'utf-8': { aliases: ['utf8', 'unicode-1-1-utf-8'], make: () => new Utf8Codec() },
  'utf-16le': { aliases: ['utf16le'], make: () => new Utf16Codec(false) },
  'utf-16be': { aliases: ['utf16be'], make: () => new Utf16Codec(true) },
};

/** Case and punctuation do not matter in names: `IBM-037`, `ibm037` and `Ibm_037` are one. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[^0-9a-z]/g, '');
}

const CANONICAL = new Map<string, string>();
for (const [name, entry] of Object.entries(ENTRIES)) {
  for (const alias of [name, ...entry.aliases]) CANONICAL.set(normalize(alias), name);
}
const KNOWN = Object.keys(ENTRIES).sort();
/** Codecs by canonical name, and by every name spelling asked for so far. */
const codecs = new Map<string, TextCodec>();
const byName = new Map<string, TextCodec>();

/** Canonical names of every encoding `textCodec` knows, sorted. */
export function knownEncodings(): string[] {
  return [...KNOWN];
}

/** Whether `textCodec(name)` would succeed: a canonical name or an alias, in any case. */
export function isKnownEncoding(name: string): boolean {
  return CANONICAL.has(normalize(name));
}

/**
 * The codec for an encoding name or alias (case-insensitive), built once and shared.
 * Throws a plain Error `unknown encoding "X" (known: …)` for a name it does not know; config
 * validation checks names up front with `isKnownEncoding` and reports that as a ConfigError.
 */
export function textCodec(name: string): TextCodec {
  const known = byName.get(name);
  if (known !== undefined) return known;
  const canonical = CANONICAL.get(normalize(name));
  if (canonical === undefined) throw new Error(`unknown encoding ${JSON.stringify(name)} (known: ${KNOWN.join(', ')})`);
  let codec = codecs.get(canonical);
  if (codec === undefined) {
    registerEbcdicWithIconvLite();
    codec = ENTRIES[canonical].make(canonical);
    codecs.set(canonical, codec);
  }
  byName.set(name, codec);
  return codec;
}
