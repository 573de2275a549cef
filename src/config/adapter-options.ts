import type { ConnectorAdapter } from '../core/connector.js';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { located, zodProblems } from '../core/yaml-file.js';
import type { ConfigBasis } from './load.js';
import { isCredentialName } from './secrets.js';

/** A source or a sink adapter (a sink may name an option of HTTP headers, some of them secrets). */
type Adapter = ConnectorAdapter & { headersOption?: string };

/** An adapter whose options passed, with what building it again takes. */
export interface CheckedAdapter<A> {
  adapter: A;
  options: unknown;
  context: { file: string; path: string; resolve(relative: string): string };
}

/**
 * A flow's `source:` or `sink:` block, checked the same way for both: exactly one adapter key,
 * an adapter of that name, options its schema accepts, and a trial build (`tryBuild`, which
 * touches nothing outside) that may still find them wrong in sense. Undefined after a problem,
 * which is added to `problems` at its place in the config file.
 */
export function checkAdapter<A extends Adapter>(
  loaded: ConfigBasis,
  at: string[],
  role: 'source' | 'sink',
  given: Record<string, unknown>,
  find: (name: string) => A | undefined,
  tryBuild: (checked: CheckedAdapter<A>) => void,
  problems: ConfigProblem[],
): CheckedAdapter<A> | undefined {
  const { yaml } = loaded;
  const kinds = Object.keys(given);
  if (kinds.length !== 1) {
    problems.push(yaml.problem(at, `expected exactly one ${role} adapter, found ${kinds.length ? kinds.join(', ') : 'none'}`));
    return undefined;
  }
  const kind = kinds[0];
  const adapter = find(kind);
  if (!adapter) {
    problems.push(yaml.problem([...at, kind], `unknown ${role} adapter "${kind}"`));
    return undefined;
  }
  // Every problem at once: secrets written into the file, the schema's, then the trial build's.
  const raw = given[kind];
  const options = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const literals = (adapter.secretOptions ?? []).flatMap((key) => loaded.secrets.literalsAt(yaml, [...at, kind, key], options[key]));
  const headers = adapter.headersOption === undefined ? undefined : options[adapter.headersOption];
  if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (isCredentialName(name)) literals.push(...loaded.secrets.literalsAt(yaml, [...at, kind, adapter.headersOption!, name], value));
    }
  }
  literals.push(...loaded.secrets.urlCredentialsAt(yaml, [...at, kind], options));
  problems.push(...literals);
  const parsed = adapter.options.safeParse(raw);
  if (!parsed.success) {
    problems.push(...zodProblems(yaml, parsed.error, [...at, kind]));
    return undefined;
  }
  const checked = { adapter, options: parsed.data, context: { file: loaded.file, path: [...at, kind].join('.'), resolve: loaded.resolve } };
  try {
    tryBuild(checked);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems.map((p) => located(yaml, p)));
    return undefined;
  }
  return literals.length ? undefined : checked;
}
