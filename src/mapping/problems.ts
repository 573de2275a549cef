import type { z } from 'zod';
import type { ConfigProblem } from '../core/errors.js';
import { explainedZodProblems, type DocPath, type YamlFile } from '../core/yaml-file.js';
import { lookupSchema, TRANSFORM_NAMES, transformObjects } from './mapping-schema.js';

type Issue = z.core.$ZodIssue;

function valueAt(data: unknown, path: DocPath): unknown {
  let cur = data;
  for (const seg of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

const objectNames = Object.keys(transformObjects);
const bareOnly = TRANSFORM_NAMES.filter((n) => !objectNames.includes(n));

/**
 * Schema issues of a mapping file as problems, with the messages an analyst needs where zod's
 * union errors say little: an unknown transform is named with the list of known ones, a known
 * one gets the issues of its own options, a lookup those of the form it looks like.
 */
export function explainedProblems(yaml: YamlFile, issues: readonly Issue[], base: DocPath = []): ConfigProblem[] {
  const explain = (path: DocPath, issue: Issue): string | undefined | ConfigProblem[] => {
    if (issue.code !== 'invalid_union') return undefined;
    const raw = valueAt(yaml.value, path);
    const parent = path[path.length - 2];
    if (parent === 'transform') {
      const name = typeof raw === 'string' ? raw : raw && typeof raw === 'object' ? Object.keys(raw)[0] : undefined;
      if (name === undefined || !TRANSFORM_NAMES.includes(name)) {
        return `unknown transform ${JSON.stringify(name ?? raw)} (expected one of: ${TRANSFORM_NAMES.join(', ')})`;
      }
      if (typeof raw === 'string') return `transform "${name}" needs options: { ${name}: ... }`;
      if (bareOnly.includes(name)) return `transform "${name}" takes no options: write it as a plain name`;
      const r = transformObjects[name as keyof typeof transformObjects].safeParse(raw);
      return r.success ? undefined : explainedZodProblems(yaml, r.error.issues, path);
    }
    if (path[path.length - 1] === 'lookup' && raw && typeof raw === 'object') {
      const form = 'file' in raw ? lookupSchema.options[0] : 'map' in raw ? lookupSchema.options[1] : lookupSchema.options[2];
      const r = form.safeParse(raw);
      return r.success ? undefined : explainedZodProblems(yaml, r.error.issues, path);
    }
    return undefined;
  };
  return explainedZodProblems(yaml, issues, base, explain);
}
