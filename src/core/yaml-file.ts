import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.js';

/**
 * A YAML file read with its line positions kept, so that a problem found later — by a zod schema
 * or by hand — can name the line of the node it is about.
 */
export interface YamlFile {
  file: string;
  doc: Document.Parsed;
  value: unknown;
  /** The 1-based line (and column) of the node at `path`, or of its nearest existing parent. */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
  /** A problem at `path`, with its line and the path written as `flows.orders.source`. */
  problem(path: readonly (string | number)[], message: string): ConfigProblem;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Reads and parses a YAML file; syntax errors become a ConfigError with every problem's line. */
export function readYamlFile(file: string, text = readFileSync(file, 'utf8')): YamlFile {
  const lineCounter = new LineCounter();
  // Scalars stay strings where the YAML doesn't say otherwise in version 1.2's core schema:
  // `0012` is then the number 12 only when unquoted, so layouts are read with that in mind.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { file, line: pos?.line, column: pos?.col, message: e.message.split('\n')[0] };
      }),
    );
  }
  const locate = (path: readonly (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return undefined;
  };
  return {
    file,
    doc,
    value: doc.toJS({ maxAliasCount: 100 }),
    locate,
    problem(path, message) {
      const at = locate(path);
      return { file, line: at?.line, column: at?.column, path: formatPath(path) || undefined, message };
    },
  };
}

/** Turns zod issues into problems located in the YAML file, prefixed by where the value sits. */
export function zodProblems(yaml: YamlFile, error: z.ZodError, prefix: readonly (string | number)[] = []): ConfigProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    // A record key that fails its schema: the key's own message says why, "Invalid key" doesn't.
    const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    return yaml.problem(path, inner ? `key "${String(path.at(-1))}": ${inner}` : issue.message);
  });
}

/** Parses `value` with `schema`, or throws a ConfigError listing every problem with its line. */
export function parseWith<S extends z.ZodType>(yaml: YamlFile, schema: S, value: unknown, prefix: readonly (string | number)[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(zodProblems(yaml, result.error, prefix));
  return result.data;
}
