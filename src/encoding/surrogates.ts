/** A lone surrogate anywhere in a string; compiled once. */
const SURROGATE = /[\ud800-\udfff]/;

/**
 * Offsets (UTF-16 indexes) of the lone surrogates in `text`: halves of a pair without the other
 * half, which no encoding can write.
 */
export function loneSurrogates(text: string): number[] {
  const lone: number[] = [];
  if (!SURROGATE.test(text)) return lone;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    lone.push(i);
  }
  return lone;
}

/** `text` with each listed lone surrogate replaced by U+FFFD. */
export function replaceAt(text: string, offsets: readonly number[]): string {
  let out = '';
  let from = 0;
  for (const i of offsets) {
    out += text.slice(from, i) + '\ufffd';
    from = i + 1;
  }
  return out + text.slice(from);
}
