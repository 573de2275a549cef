/**
 * Fixed-width date/time patterns (`yyyyMMdd`, `dd.MM.yy`, `yyyy-MM-dd'T'HH:mm:ssXXX`), compiled
 * once into slices of the text. Legacy dates have fixed positions, so parsing is index arithmetic.
 */

export type Unit = 'year' | 'year2' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'milli' | 'offset';

interface Token {
  unit: Unit | 'literal';
  start: number;
  length: number;
  text: string;
}

export interface DatePattern {
  source: string;
  length: number;
  tokens: readonly Token[];
  units: ReadonlySet<Unit>;
}

const UNITS: Record<string, Unit> = { yyyy: 'year', yy: 'year2', MM: 'month', dd: 'day', HH: 'hour', mm: 'minute', ss: 'second', SSS: 'milli', XXX: 'offset' };
const LETTERS = /[A-Za-z]/;

/** Compiles a pattern; throws Error with the reason for an unknown letter or a repeated unit. */
export function compilePattern(source: string): DatePattern {
  const tokens: Token[] = [];
  const units = new Set<Unit>();
  let i = 0;
  let pos = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "'") {
      const end = source.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed quote in date pattern "${source}"`);
      const lit = end === i + 1 ? "'" : source.slice(i + 1, end);
      tokens.push({ unit: 'literal', start: pos, length: lit.length, text: lit });
      pos += lit.length;
      i = end + 1;
    } else if (LETTERS.test(c)) {
      let j = i;
      while (j < source.length && source[j] === c) j++;
      const run = source.slice(i, j);
      const unit = UNITS[run];
      if (!unit) throw new Error(`"${run}" in date pattern "${source}" is not one of yyyy, yy, MM, dd, HH, mm, ss, SSS, XXX (quote literal letters: 'T')`);
      if (units.has(unit) || (unit === 'year' && units.has('year2')) || (unit === 'year2' && units.has('year'))) throw new Error(`"${run}" appears twice in date pattern "${source}"`);
      units.add(unit);
      const length = unit === 'offset' ? 6 : run.length;
      tokens.push({ unit, start: pos, length, text: run });
      pos += length;
      i = j;
    } else {
      tokens.push({ unit: 'literal', start: pos, length: 1, text: c });
      pos += 1;
      i += 1;
    }
  }
  return { source, length: pos, tokens, units };
}

/** Parsed parts; `offset` in minutes east of UTC when the pattern has XXX. */
export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  milli: number;
  offset: number | undefined;
}

function digits(s: string, start: number, length: number): number {
  let n = 0;
  for (let k = start; k < start + length; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Reads text by the pattern into `out` (reused by the caller: no allocation per value). Returns
 * false when the text does not have the pattern's shape; calendar checks are the caller's.
 * `XXX` accepts `Z` padded with blanks as well as `+01:00`.
 */
export function readPattern(p: DatePattern, s: string, pivot: number, out: DateParts): boolean {
  if (s.length !== p.length) return false;
  out.year = 1970; out.month = 1; out.day = 1; out.hour = 0; out.minute = 0; out.second = 0; out.milli = 0; out.offset = undefined;
  for (const t of p.tokens) {
    if (t.unit === 'literal') {
      if (s.substr(t.start, t.length) !== t.text) return false;
      continue;
    }
    if (t.unit === 'offset') {
      if (!readOffset(s, t.start, out)) return false;
      continue;
    }
    const n = digits(s, t.start, t.length);
    if (n < 0) return false;
    if (t.unit === 'year2') out.year = n < pivot ? 2000 + n : 1900 + n;
    else out[t.unit] = n;
  }
  return true;
}

function readOffset(s: string, start: number, out: DateParts): boolean {
  if (s[start] === 'Z' && s.substr(start + 1, 5).trim() === '') {
    out.offset = 0;
    return true;
  }
  const sign = s[start] === '+' ? 1 : s[start] === '-' ? -1 : 0;
  const h = digits(s, start + 1, 2);
  const m = digits(s, start + 4, 2);
  if (sign === 0 || h < 0 || m < 0 || s[start + 3] !== ':' || h > 23 || m > 59) return false;
  out.offset = sign * (h * 60 + m);
  return true;
}

export type PatternReader = (s: string, pivot: number, out: DateParts) => boolean;

let serial = 0;

/**
 * `readPattern` for one pattern, generated once: the tokens unrolled into character tests, as a
 * loop over tokens costs more than the rest of a date transform. Only numbers (positions, char
 * codes) and our unit names are spliced into the code.
 */
export function compileReader(p: DatePattern): PatternReader {
  let code = `if (s.length !== ${p.length}) return false;
  out.year = 1970; out.month = 1; out.day = 1; out.hour = 0; out.minute = 0; out.second = 0; out.milli = 0; out.offset = undefined;
  let n, d;\n`;
  for (const t of p.tokens) {
    if (t.unit === 'literal') {
      for (let k = 0; k < t.length; k++) code += `if (s.charCodeAt(${t.start + k}) !== ${t.text.charCodeAt(k)}) return false;\n`;
    } else if (t.unit === 'offset') code += `if (!readOffset(s, ${t.start}, out)) return false;\n`;
    else {
      code += 'n = 0;\n';
      for (let k = t.start; k < t.start + t.length; k++) code += `d = s.charCodeAt(${k}) - 48; if (d < 0 || d > 9) return false; n = n * 10 + d;\n`;
      code += t.unit === 'year2' ? 'out.year = n < pivot ? 2000 + n : 1900 + n;\n' : `out[${JSON.stringify(t.unit)}] = n;\n`;
    }
  }
  const source = `// date pattern #${serial++}\nreturn (s, pivot, out) => {\n${code}return true;\n};`;
  return new Function('readOffset', source)(readOffset) as PatternReader;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Writes parts by the pattern; undefined when the year does not fit (yy outside its window). */
export function writePattern(p: DatePattern, parts: DateParts, pivot: number): string | undefined {
  let s = '';
  for (const t of p.tokens) {
    switch (t.unit) {
      case 'literal': s += t.text; break;
      case 'year': if (parts.year < 0 || parts.year > 9999) return undefined; s += pad(parts.year, 4); break;
      case 'year2': {
        const yy = parts.year % 100;
        if (parts.year !== (yy < pivot ? 2000 + yy : 1900 + yy)) return undefined;
        s += pad(yy, 2);
        break;
      }
      case 'offset': {
        const o = parts.offset ?? 0;
        s += `${o < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(o) / 60), 2)}:${pad(Math.abs(o) % 60, 2)}`;
        break;
      }
      default: s += pad(parts[t.unit], t.length);
    }
  }
  return s;
}
