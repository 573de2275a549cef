import type { DocPath } from '../core/yaml-file.js';
import { dateStep, datetimeStep, timeStep } from './date-transforms.js';
import { lookupStep } from './lookup.js';
import type { LookupSpec, TransformSpec } from './mapping-schema.js';
import { decimalStep, integerStep, numberStep } from './number-transforms.js';
import type { CompileContext, Step } from './steps.js';
import { defaultStep, extractStep, nullIfStep, padStep, replaceStep, splitStep, templateStep, textSteps } from './text-transforms.js';

function regex(pattern: string, flags: string, ctx: CompileContext, at: DocPath): RegExp | undefined {
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    ctx.problems.push(ctx.problem(at, `not a valid regular expression: ${(err as Error).message}`));
    return undefined;
  }
}

function guarded(make: () => Step, ctx: CompileContext, at: DocPath): Step | undefined {
  try {
    return make();
  } catch (err) {
    ctx.problems.push(ctx.problem(at, (err as Error).message));
    return undefined;
  }
}

/**
 * Compiles one transform of a mapping file (already checked in shape by the schema) into a step.
 * Problems that only show when compiling (a bad regex, an unknown zone, a missing lookup file) go
 * to ctx.problems and the result is undefined.
 */
export function compileTransform(spec: TransformSpec, ctx: CompileContext, at: DocPath): Step | undefined {
  const step = compileOne(spec, ctx, at);
  if (!ctx.reverse || !step || !FORMATTING.has(step.name)) return step;
  return { name: step.name, fwd: step.back!, noInverse: `${step.name} in a reverse entry has no inverse` };
}

// In reverse entries these turn canonical values into legacy text: their inverse is what is meant.
const FORMATTING = new Set(['date', 'datetime', 'time', 'decimal', 'number', 'integer']);

function compileOne(spec: TransformSpec, ctx: CompileContext, at: DocPath): Step | undefined {
  if (typeof spec === 'string') {
    switch (spec) {
      case 'number': return numberStep();
      case 'integer': return integerStep;
      case 'decimal': return decimalStep();
      default: return textSteps[spec];
    }
  }
  const s = spec as Record<string, unknown>;
  if ('pad' in s) {
    const o = s.pad as { length: number; char?: string; side?: 'left' | 'right' };
    return padStep(o.length, o.char, o.side);
  }
  if ('number' in s) return numberStep(s.number as object);
  if ('decimal' in s) return decimalStep(s.decimal as object);
  if ('date' in s) return guarded(() => dateStep({ ...s, pattern: s.date as string }, ctx.reverse), ctx, [...at, 'date']);
  if ('time' in s) return guarded(() => timeStep({ ...s, pattern: s.time as string }, ctx.reverse), ctx, [...at, 'time']);
  if ('datetime' in s) {
    return guarded(() => {
      try {
        return datetimeStep({ ...s, pattern: s.datetime as string }, ctx.reverse);
      } catch (err) {
        if (err instanceof RangeError) throw new Error(`unknown time zone "${String(s.zone)}" (expected an IANA name such as Europe/Berlin)`);
        throw err;
      }
    }, ctx, at);
  }
  if ('lookup' in s) return lookupStep(s.lookup as LookupSpec, undefined, ctx, [...at, 'lookup']);
  if ('default' in s) return defaultStep(s.default);
  if ('nullIf' in s) return nullIfStep(typeof s.nullIf === 'string' ? [s.nullIf] : (s.nullIf as string[]));
  if ('replace' in s) {
    const o = s.replace as { pattern: string; with: string; flags?: string };
    const re = regex(o.pattern, `g${o.flags ?? ''}`, ctx, [...at, 'replace', 'pattern']);
    return re && replaceStep(re, o.with);
  }
  if ('extract' in s) {
    const o = typeof s.extract === 'string' ? { pattern: s.extract } : (s.extract as { pattern: string; group?: number; flags?: string });
    const re = regex(o.pattern, o.flags ?? '', ctx, typeof s.extract === 'string' ? [...at, 'extract'] : [...at, 'extract', 'pattern']);
    if (re && o.group !== undefined && o.group > new RegExp(`${re.source}|`).exec('')!.length - 1) {
      ctx.problems.push(ctx.problem([...at, 'extract', 'group'], `group ${o.group} does not exist in ${o.pattern}`));
      return undefined;
    }
    return re && extractStep(re, o.group, o.pattern);
  }
  if ('split' in s) return splitStep(s.split as string);
  if ('template' in s) return templateStep(s.template as string);
  ctx.problems.push(ctx.problem(at, `unknown transform`));
  return undefined;
}
