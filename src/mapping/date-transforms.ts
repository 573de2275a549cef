import { isValidDate, isValidTime, ISO_DATE, ISO_DATETIME, ISO_TIME } from '../model/values.js';
import { compilePattern, compileReader, writePattern, type DateParts } from './date-pattern.js';
import { fail, type Step } from './steps.js';
import { zone as findZone, type Zone } from './zone.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of a checked date; string concatenation, since it runs for every date read. */
function isoDate(y: number, m: number, d: number): string {
  return (y >= 1000 ? `${y}` : pad(y, 4)) + (m < 10 ? '-0' : '-') + m + (d < 10 ? '-0' : '-') + d;
}

function newParts(): DateParts {
  return { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, milli: 0, offset: undefined };
}

export interface DateOptions {
  pattern: string;
  pivot?: number;
  nullIf?: string[];
  zone?: string;
}

/** Checks a pattern has what a kind needs; throws Error with the reason. */
function needUnits(o: DateOptions, kind: 'date' | 'datetime' | 'time', formatOnly = false) {
  const p = compilePattern(o.pattern);
  // Formatting may write a part only (the date of a datetime); parsing needs the whole value.
  if (formatOnly) return p;
  const has = (u: Parameters<typeof p.units.has>[0]) => p.units.has(u);
  const hasDate = (has('year') || has('year2')) && has('month') && has('day');
  if (kind !== 'time' && !hasDate) throw new Error(`${kind} pattern "${o.pattern}" needs a year (yyyy or yy), MM and dd`);
  if (kind !== 'date' && !has('hour')) throw new Error(`${kind} pattern "${o.pattern}" needs HH`);
  if (kind !== 'datetime' && has('offset')) throw new Error(`XXX (an offset) only makes sense in a datetime pattern`);
  if (kind === 'date' && (has('hour') || has('minute') || has('second'))) throw new Error(`date pattern "${o.pattern}" has a time of day: use datetime`);
  if (kind === 'datetime' && !has('offset') && o.zone === undefined) {
    throw new Error(`datetime pattern "${o.pattern}" has no offset (XXX): give zone (an IANA zone such as Europe/Berlin, or UTC)`);
  }
  return p;
}

const isNull = (v: unknown, nulls: Set<string> | undefined): boolean => v === null || v === undefined || (nulls !== undefined && typeof v === 'string' && nulls.has(v));

/** Legacy date text → `YYYY-MM-DD`; impossible dates (Feb 31) are errors. */
export function dateStep(o: DateOptions, formatOnly = false): Step {
  const p = needUnits(o, 'date', formatOnly);
  const read = compileReader(p);
  const pivot = o.pivot ?? 50;
  const nulls = o.nullIf?.length ? new Set(o.nullIf) : undefined;
  const parts = newParts();
  const what = `not a date of pattern ${o.pattern}`;
  return {
    name: 'date',
    canonical: { type: 'date' },
    fwd: (v) => {
      if (isNull(v, nulls) || typeof v !== 'string') return isNull(v, nulls) ? null : v;
      if (!read(v, pivot, parts) || !isValidDate(parts.year, parts.month, parts.day)) return fail('field.date', what, v);
      return isoDate(parts.year, parts.month, parts.day);
    },
    back: (v) => {
      if (v === null || v === undefined) return nulls ? o.nullIf![0] : null;
      const m = typeof v === 'string' ? ISO_DATE.exec(v) : null;
      if (m === null) return fail('field.encode', 'not a date (YYYY-MM-DD)', v);
      parts.year = +m[1]; parts.month = +m[2]; parts.day = +m[3];
      return writePattern(p, parts, pivot) ?? fail('field.date', `year does not fit pattern ${o.pattern}`, v);
    },
  };
}

/** Legacy time text → `HH:mm:ss` (`HH:mm:ss.SSS` when the pattern has milliseconds). */
export function timeStep(o: DateOptions, formatOnly = false): Step {
  const p = needUnits(o, 'time', formatOnly);
  const read = compileReader(p);
  const nulls = o.nullIf?.length ? new Set(o.nullIf) : undefined;
  const parts = newParts();
  const millis = p.units.has('milli');
  const what = `not a time of pattern ${o.pattern}`;
  return {
    name: 'time',
    fwd: (v) => {
      if (isNull(v, nulls) || typeof v !== 'string') return isNull(v, nulls) ? null : v;
      if (!read(v, 50, parts) || !isValidTime(parts.hour, parts.minute, parts.second)) return fail('field.date', what, v);
      return `${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}${millis ? `.${pad(parts.milli, 3)}` : ''}`;
    },
    back: (v) => {
      if (v === null || v === undefined) return nulls ? o.nullIf![0] : null;
      const m = typeof v === 'string' ? ISO_TIME.exec(v) : null;
      if (m === null) return fail('field.encode', 'not a time (HH:mm:ss)', v);
      parts.hour = +m[1]; parts.minute = +m[2]; parts.second = m[3] ? +m[3] : 0;
      const dot = (v as string).indexOf('.');
      parts.milli = dot < 0 ? 0 : Number((v as string).slice(dot + 1, dot + 4).padEnd(3, '0'));
      return writePattern(p, parts, 50);
    },
  };
}

function offsetText(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/**
 * Legacy date+time text → ISO 8601 with offset. The offset comes from the text (XXX) or from the
 * IANA zone of the legacy wall time; a wall time skipped by a clock change is an error, one that
 * occurs twice takes the earlier instant.
 */
export function datetimeStep(o: DateOptions, formatOnly = false): Step {
  const p = needUnits(o, 'datetime', formatOnly);
  const read = compileReader(p);
  const z: Zone | undefined = o.zone === undefined ? undefined : findZone(o.zone);
  const pivot = o.pivot ?? 50;
  const nulls = o.nullIf?.length ? new Set(o.nullIf) : undefined;
  const parts = newParts();
  const millis = p.units.has('milli');
  const what = `not a datetime of pattern ${o.pattern}`;
  return {
    name: 'datetime',
    fwd: (v) => {
      if (isNull(v, nulls) || typeof v !== 'string') return isNull(v, nulls) ? null : v;
      if (!read(v, pivot, parts) || !isValidDate(parts.year, parts.month, parts.day) || !isValidTime(parts.hour, parts.minute, parts.second)) {
        return fail('field.date', what, v);
      }
      let offset = parts.offset;
      if (offset === undefined) {
        offset = z!.offsetForWall(Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second));
        if (offset === undefined) return fail('field.date', `does not exist in ${z!.name} (clocks were set forward)`, v);
      }
      return `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}T${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}${millis ? `.${pad(parts.milli, 3)}` : ''}${offsetText(offset)}`;
    },
    back: (v) => {
      if (v === null || v === undefined) return nulls ? o.nullIf![0] : null;
      const m = typeof v === 'string' ? ISO_DATETIME.exec(v) : null;
      if (m === null) return fail('field.encode', 'not a datetime (ISO 8601 with offset)', v);
      const dot = (v as string).indexOf('.', 19);
      const milli = dot < 0 ? 0 : Number((v as string).slice(dot + 1, dot + 4).padEnd(3, '0'));
      const given = m[7] === 'Z' ? 0 : (m[7][0] === '-' ? -1 : 1) * (+m[8] * 60 + +m[9]);
      const epoch = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, milli) - given * 60_000;
      const offset = z ? z.offsetAt(epoch) : given;
      const wall = new Date(epoch + offset * 60_000);
      parts.year = wall.getUTCFullYear(); parts.month = wall.getUTCMonth() + 1; parts.day = wall.getUTCDate();
      parts.hour = wall.getUTCHours(); parts.minute = wall.getUTCMinutes(); parts.second = wall.getUTCSeconds();
      parts.milli = wall.getUTCMilliseconds(); parts.offset = offset;
      return writePattern(p, parts, pivot) ?? fail('field.date', `year does not fit pattern ${o.pattern}`, v);
    },
  };
}
