import { dirname, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import type { CanonicalForm, Format, FormatAdapter } from '../core/format.js';
import { explainedZodProblems, located, type YamlFile } from '../core/yaml-file.js';

/** The format a mapping's `source:` declares, built, with the legacy field names it declares. */
export interface CompiledSource {
  name: string;
  format: Format;
  fieldNames?: string[];
  canonicalFields?: ReadonlyMap<string, CanonicalForm>;
}

/**
 * Builds the format of `source:` (exactly one key: the adapter name). The adapter's zod options
 * schema checks the section; its issues and the adapter's own ConfigErrors become problems.
 */
export function compileSource(yaml: YamlFile, raw: unknown, formats: readonly FormatAdapter[], problems: ConfigProblem[]): CompiledSource | undefined {
  const names = formats.map((f) => f.name).join(', ');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length !== 1) {
    problems.push(yaml.problem(['source'], `expected exactly one key: the format (one of ${names}) with its options`));
    return undefined;
  }
  const [name, options] = Object.entries(raw as Record<string, unknown>)[0];
  const adapter = formats.find((f) => f.name === name);
  if (!adapter) {
    problems.push(yaml.problem(['source', name], `unknown format "${name}" (expected one of ${names})`));
    return undefined;
  }
  const parsed = adapter.options.safeParse(options ?? {});
  if (!parsed.success) {
    problems.push(...explainedZodProblems(yaml, parsed.error.issues, ['source', name]));
    return undefined;
  }
  const context = { file: yaml.file, path: `source.${name}`, resolve: (rel: string) => resolve(dirname(yaml.file), rel) };
  try {
    const format = adapter.create(parsed.data, context);
    return { name, format, fieldNames: adapter.fieldNames?.(parsed.data), canonicalFields: adapter.canonicalFields?.(parsed.data) };
  } catch (err) {
    if (err instanceof ConfigError) {
      problems.push(...err.problems.map((p) => located(yaml, p)));
    } else problems.push(yaml.problem(['source', name], `format ${name} could not be set up: ${(err as Error).message}`));
    return undefined;
  }
}
