import { ConfigError } from '../core/errors.js';

/** How a command's records are found: their name in messages, every open one, one by id. */
export interface ById<T> {
  /** "reject", "dead letter": as an operator would say it. */
  noun: string;
  openOnes(): Promise<T[]>;
  one(id: number): Promise<T | undefined>;
}

/**
 * The records an operator named on the command line (`replay 3 7`, each must exist), or with
 * `all` every open one: rejects and dead letters are chosen the same way.
 */
export async function selectById<T>(given: string[], all: boolean | undefined, by: ById<T>): Promise<T[]> {
  if (all) return by.openOnes();
  if (!given.length) throw new ConfigError({ file: 'command line', message: `name ${by.noun} ids, or --all` });
  const chosen: T[] = [];
  for (const v of given) {
    const id = Number(v);
    if (!Number.isSafeInteger(id) || id < 1) throw new ConfigError({ file: 'command line', message: `"${v}" is not a ${by.noun} id` });
    const found = await by.one(id);
    if (found === undefined) throw new ConfigError({ file: 'command line', message: `no ${by.noun} ${id}` });
    chosen.push(found);
  }
  return chosen;
}

/** The `--status` a list command was given, when it is one of `allowed`; a command-line problem otherwise. */
export function listedStatus<S extends string>(status: string, allowed: readonly S[]): S {
  if (!(allowed as readonly string[]).includes(status)) throw new ConfigError({ file: 'command line', message: `--status must be one of ${allowed.join(', ')}, not "${status}"` });
  return status as S;
}
