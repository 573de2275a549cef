import type { DataErrorDetail } from '../../src/core/errors.js';
import type { QuoteProblem } from './raw-text.js';

/**
 * Turns an error that stopped csv-parse into what an operator needs: which quote, opened on which
 * line, and how much of the file it took. A record's quote left open (at the end of the file or
 * past maxRecordSize) does not come here: the decoder reads on after its line. What comes is
 * every other error, which ends parsing and condemns the delivery (`fatal`), and any error in the
 * header row, which the decoder makes fatal whatever is said here.
 */
export function describeParserError(
  err: Error & { code?: string },
  quote: QuoteProblem | undefined,
  maxRecordSize: number,
): { detail: Omit<DataErrorDetail, 'position'>; fatal: boolean } {
  const opened = quote ? `quote opened at line ${quote.line} (field ${quote.field})` : undefined;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return {
        detail: {
          code: 'record.quote',
          message:
            `${opened ?? 'a quote'} is never closed: the rest of the file` +
            (quote ? `, lines ${quote.line}–${quote.lastLine},` : '') +
            ' was read into that one field',
        },
        fatal: false,
      };
    case 'CSV_MAX_RECORD_SIZE':
      if (quote?.kind === 'unclosed') {
        return {
          detail: {
            code: 'record.quote',
            message:
              `${opened} is not closed within maxRecordSize (${maxRecordSize}): the rest of the file cannot be read`,
          },
          fatal: true,
        };
      }
      return {
        detail: {
          code: 'record.decode',
          message: `record is longer than maxRecordSize (${maxRecordSize}): the rest of the file cannot be read`,
        },
        fatal: true,
      };
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return {
        detail: {
          code: 'record.quote',
          message:
            (quote?.kind === 'trailing'
              ? `unexpected ${JSON.stringify(quote.char)} after the closing quote of field ${quote.field} (line ${quote.lastLine})`
              : 'unexpected character after a closing quote') + ': the rest of the file cannot be read with trim',
        },
        fatal: true,
      };
    default:
      return {
        detail: { code: 'record.decode', message: `CSV parser stopped: ${err.message}` },
        fatal: true,
      };
  }
}
