/** The UTF-8 byte-order mark, EF BB BF. */
const UTF8_MARK = [0xef, 0xbb, 0xbf] as const;

/** Its length in bytes: how many to hold back before telling, and to skip when dropping it. */
export const UTF8_MARK_BYTES = UTF8_MARK.length;

/** True when `bytes` hold the UTF-8 byte-order mark at `at`. */
export function startsWithUtf8Mark(bytes: Uint8Array, at = 0): boolean {
  return bytes[at] === UTF8_MARK[0] && bytes[at + 1] === UTF8_MARK[1] && bytes[at + 2] === UTF8_MARK[2];
}

/**
 * Why a file that starts with the UTF-8 mark but is declared in another encoding is refused:
 * it is UTF-8, and read as declared its non-ASCII text would come out wrong. `by`: what
 * declared the encoding (the mapping, the layout).
 */
export function utf8MarkedMessage(declared: string, by: string): string {
  return `the file starts with a UTF-8 byte-order mark (EF BB BF), so it is UTF-8, not ${declared} as the ${by} declares`;
}
