import { ConfigError, DataError, DeliveryChangedError, formatDataError, problemPlace, RetryableError } from '../core/errors.js';

/** Exit statuses: 0 all good, 1 some records rejected (or a data error), 2 configuration error, 3 anything else. */
export const EXIT = { ok: 0, rejected: 1, config: 2, failure: 3 } as const;

/** Runs a command, turning the error classes into a clear message and an exit status. */
export async function runAction(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error:\n${e.problems.map((p) => `  ${formatProblemLine(p)}`).join('\n')}\n`);
      process.exitCode = EXIT.config;
    } else if (e instanceof DataError) {
      process.stderr.write(`${e.details.map(formatDataError).join('\n')}\n`);
      process.exitCode = EXIT.rejected;
    } else if (e instanceof RetryableError) {
      // A known passing condition (a locked store, another process on the same delivery): no stack.
      process.stderr.write(`error: ${e.message}; try again later\n`);
      process.exitCode = EXIT.failure;
    } else if (e instanceof DeliveryChangedError) {
      // The input changed under the command: its message says what to do.
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = EXIT.failure;
    } else {
      process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT.failure;
    }
  }
}

/** As formatConfigProblem, the path without parentheses: a line of its own under "configuration error:". */
function formatProblemLine(p: ConfigError['problems'][number]): string {
  return `${problemPlace(p)}${p.path ? ` ${p.path}` : ''}: ${p.message}`;
}
