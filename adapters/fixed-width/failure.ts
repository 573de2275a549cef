import { type DataErrorDetail, formatDataError } from '../../src/core/errors.js';
import type { DecodeFailure, Position } from '../../src/core/records.js';

/**
 * A decode failure that keeps every field error of its record (DecodeFailure holds one):
 * `error` is the first, its message naming the others, `errors` lists them all.
 */
export interface FixedWidthFailure extends DecodeFailure {
  errors: DataErrorDetail[];
}

/** One failure for a record, naming its first error and how many more there are. */
export function failureOf(errors: DataErrorDetail[], position: Position, raw: string, fatal = false): FixedWidthFailure {
  const first = errors[0];
  const error = errors.length > 1 ? { ...first, message: `${first.message} (and ${errors.length - 1} more: ${errors.slice(1).map(shortForm).join('; ')})` } : first;
  const f: FixedWidthFailure = { error, errors, position, raw };
  if (fatal) f.fatal = true;
  return f;
}

function shortForm(d: DataErrorDetail): string {
  return formatDataError({ ...d, position: undefined });
}
