/** The UTF-8 byte-order mark, EF BB BF. */
const UTF8_MARK = [0xef, 0xbb, 0xbf] as const;

/** Its length in bytes: how many to hold back before telling, and to skip when dropping it. */
export const UTF8_MARK_BYTES = UTF8_MARK.length;

/** True when `bytes` hold the UTF-8 byte-order mark at `at`. */
export function startsWithUtf8Mark(bytes: Uint8Array, at = 0): boolean {
  return bytes[at] === UTF8_MARK[0] && bytes[at + 1] === UTF8_MARK[1] && bytes[at + 2] === UTF8_MARK[2];
}

/** A Unicode byte-order mark: the encoding it says, and its bytes as hex. */
export interface UnicodeMark {
  encoding: string;
  hex: string;
}

/**
 * The byte-order mark at `at`, UTF-8 or UTF-16 of either order (UTF-32LE starts as UTF-16LE
 * does, and is told as that), or undefined. A file in a single-byte legacy code page starting
 * with FF FE or FE FF would start with "ÿþ" or "þÿ", which no export does.
 */
export function unicodeMarkAt(bytes: Uint8Array, at = 0): UnicodeMark | undefined {
  if (startsWithUtf8Mark(bytes, at)) return { encoding: 'UTF-8', hex: 'EF BB BF' };
  if (bytes[at] === 0xff && bytes[at + 1] === 0xfe) return { encoding: 'UTF-16LE', hex: 'FF FE' };
  if (bytes[at] === 0xfe && bytes[at + 1] === 0xff) return { encoding: 'UTF-16BE', hex: 'FE FF' };
  return undefined;
}

/**
 * Why a file that starts with a Unicode byte-order mark but is declared in a legacy code page is
 * refused: it is in that Unicode encoding, and read as declared its text would come out wrong
 * (UTF-16 as a NUL between every two characters). `by`: what declared the encoding (the mapping, the layout).
 */
export function unicodeMarkedMessage(mark: UnicodeMark, declared: string, by: string): string {
  return `the file starts with a ${mark.encoding} byte-order mark (${mark.hex}), so it is ${mark.encoding}, not ${declared} as the ${by} declares`;
}
