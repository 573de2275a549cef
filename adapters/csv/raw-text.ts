/**
 * Reading a record's raw text: line counts, the skipped lines in front of a record, and where a
 * quote went wrong. The raw text of a record is the input the parser consumed since the previous
 * record (empty and comment lines included) up to and including the record's line terminator.
 */

/** The lexical settings the raw-text readers need. */
export interface RawSyntax {
  delimiter: string;
  quote: string | null;
  escape: string;
  comment: string | null;
  trim: boolean;
  skipEmptyLines: boolean;
}

/** Number of line breaks in `s`: CRLF, CR and LF each count once. */
export function countBreaks(s: string): number {
  let n = 0;
  let lf = s.indexOf('\n');
  let cr = s.indexOf('\r');
  while (lf !== -1 || cr !== -1) {
    n++;
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      if (lf === cr + 1) lf = s.indexOf('\n', lf + 1);
      cr = s.indexOf('\r', cr + 1);
    } else {
      lf = s.indexOf('\n', lf + 1);
    }
  }
  return n;
}

/**
 * The first record delimiter in `text` at or after `from` (of `delimiters`; of two at the same
 * place, the longer: CRLF, not CR): where it starts (`end` of the line before it) and where the
 * next line starts. Both are `text.length` when there is none.
 */
export function delimiterAfter(text: string, from: number, delimiters: readonly string[]): { end: number; next: number } {
  let end = text.length;
  let next = text.length;
  for (const d of delimiters) {
    const at = text.indexOf(d, from);
    if (at !== -1 && (at < end || (at === end && at + d.length > next))) {
      end = at;
      next = at + d.length;
    }
  }
  return { end, next };
}

/**
 * delimiterAfter in text that more may follow: a CR that ends it may be the first half of a CRLF
 * still to come (unless CR alone is the delimiter), so it is not taken for one. `found` false:
 * no delimiter yet, and `end` and `next` are where the text surely ends without one.
 */
export function delimiterSoFar(text: string, from: number, delimiters: readonly string[]): { end: number; next: number; found: boolean } {
  const crAlone = delimiters.length === 1 && delimiters[0] === '\r';
  const searched = !crAlone && text.endsWith('\r') ? text.length - 1 : text.length;
  const d = delimiterAfter(text.slice(0, searched), from, delimiters);
  return { ...d, found: d.end < searched };
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff';
}

/** Index just past the line starting at `i`, and the end of its content. */
function lineAt(s: string, i: number): { end: number; next: number } | undefined {
  let j = i;
  while (j < s.length && s[j] !== '\n' && s[j] !== '\r') j++;
  if (j === s.length) return undefined;
  return { end: j, next: s[j] === '\r' && s[j + 1] === '\n' ? j + 2 : j + 1 };
}

/**
 * Where in `bytes` the position `at` of `text` (those bytes read as UTF-8) is, for an `at` that is
 * 0 or just past a CR or LF: past as many CRs and LFs. Counting bytes of the text instead would
 * go wrong after an undecodable byte, which reads as the three-byte U+FFFD.
 */
export function byteOffsetAfterBreaks(text: string, at: number, bytes: Buffer): number {
  if (at >= text.length) return bytes.length;
  let breaks = 0;
  for (let i = 0; i < at; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) breaks++;
  }
  if (breaks === 0) return 0;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] === 10 || bytes[i] === 13) && --breaks === 0) return i + 1;
  }
  return bytes.length;
}

/** True when the first character of a raw text may start a skipped line (cheap pre-check). */
export function mayHavePrefix(raw: string, syn: RawSyntax): boolean {
  const c = raw[0];
  return c === '\n' || c === '\r' || c === syn.comment || (syn.trim && c !== undefined && isSpace(c));
}

/**
 * Splits skipped (empty or comment) lines off the front of a raw text.
 * Returns how many lines were skipped and where the record itself starts.
 */
export function skippedPrefix(raw: string, syn: RawSyntax): { lines: number; start: number } {
  let lines = 0;
  let i = 0;
  for (;;) {
    const l = lineAt(raw, i);
    if (!l) break;
    let k = i;
    if (syn.trim) while (k < l.end && isSpace(raw[k])) k++;
    const empty = k === l.end && (syn.trim || k === i);
    const skipped = (empty && syn.skipEmptyLines) || (syn.comment !== null && raw[k] === syn.comment && (k === i || syn.trim));
    if (!skipped || l.next >= raw.length) break;
    lines++;
    i = l.next;
  }
  return { lines, start: i };
}

/** What went wrong with a quote: never closed, or followed by something other than a delimiter. */
export interface QuoteProblem {
  kind: 'unclosed' | 'trailing';
  /** Line where the offending quoted field opened. */
  line: number;
  /** 1-based field index. */
  field: number;
  /** The character found after the closing quote (kind `trailing`). */
  char?: string;
  /** Line the text ends on (kind `unclosed`: how far the open quote reached). */
  lastLine: number;
  /** Kind `unclosed`: the offset in the text of the quote that opened. */
  openAt?: number;
  /** Kind `trailing`: the offset in the text of the character after the closing quote. */
  at?: number;
}

/** Bytes of `c` (one UTF-16 unit) in UTF-8: a surrogate counts half of its pair's four. */
function utf8Length(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
}

/** How much of `text` from its start is `bytes` or less in UTF-8 (a U+FFFD counts its three). */
export function withinBytes(text: string, bytes: number): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    n += utf8Length(text.charCodeAt(i));
    if (n > bytes) return i;
  }
  return text.length;
}

/**
 * Scans one record's raw text (skipped lines already removed) the way csv-parse reads quotes, to
 * say where a quote problem is. Only called on the slow path: a value that starts with the quote
 * character, or a parser error. `untilEnd`: text after a closing quote is read on as csv-parse
 * does, to find the quote left open at the end of the input, rather than reported as `trailing`.
 * `openIn`: csv-parse stopped (at maxRecordSize) inside an open quote in this field (1-based):
 * the quote that opened it is `unclosed`, wherever the text after it goes.
 */
export function findQuoteProblem(text: string, firstLine: number, syn: RawSyntax, untilEnd = false, openIn?: number): QuoteProblem | undefined {
  const { delimiter, quote, escape, comment, trim } = syn;
  if (quote === null) return undefined;
  let line = firstLine;
  let field = 1;
  let atStart = true;
  let inQuote = false;
  let afterQuote = false;
  let openLine = line;
  let openAt = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const isBreak = c === '\n' || c === '\r';
    if (isBreak && !(c === '\r' && text[i + 1] === '\n')) line++;
    if (inQuote) {
      if (c === escape && escape !== quote && i + 1 < text.length) {
        const n = text[++i];
        if (n === '\n' || (n === '\r' && text[i + 1] !== '\n')) line++;
      } else if (c === quote && !(escape === quote && text[i + 1] === quote)) {
        inQuote = false;
        afterQuote = true;
      } else if (c === quote) {
        i++;
      }
      continue;
    }
    if (c === delimiter) {
      field++;
      atStart = true;
      afterQuote = false;
      continue;
    }
    if (isBreak || (comment !== null && c === comment)) return undefined;
    if (afterQuote) {
      if (trim && isSpace(c)) continue;
      // As csv-parse reads it (relax_quotes): text, the field goes on unquoted.
      if (untilEnd) {
        afterQuote = false;
        atStart = false;
        continue;
      }
      return { kind: 'trailing', line: openLine, field, char: String.fromCodePoint(text.codePointAt(i)!), lastLine: line, at: i };
    }
    if (atStart && c === quote) {
      inQuote = true;
      openLine = line;
      openAt = i;
      atStart = false;
      if (field === openIn) return { kind: 'unclosed', line: openLine, field, lastLine: line, openAt };
      continue;
    }
    if (atStart && trim && isSpace(c)) continue;
    atStart = false;
  }
  if (!inQuote) return undefined;
  const endsWithBreak = /[\r\n]$/.test(text);
  return { kind: 'unclosed', line: openLine, field, lastLine: endsWithBreak ? line - 1 : line, openAt };
}
