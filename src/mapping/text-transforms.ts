import { fail, identity, type Step } from './steps.js';

const text = (name: string, fwd: (v: unknown) => unknown, back: (v: unknown) => unknown = identity): Step => ({ name, fwd, back });

const SPACES = /\s+/g;

// Written out one by one rather than wrapping a shared helper: each is then its own function
// that V8 can inline where a field uses it.
/** Transforms on text whose inverse is "keep the value as it is". */
export const textSteps: Record<string, Step> = {
  trim: text('trim', (v) => (typeof v === 'string' ? v.trim() : v)),
  trimStart: text('trimStart', (v) => (typeof v === 'string' ? v.trimStart() : v)),
  trimEnd: text('trimEnd', (v) => (typeof v === 'string' ? v.trimEnd() : v)),
  upper: text('upper', (v) => (typeof v === 'string' ? v.toUpperCase() : v)),
  lower: text('lower', (v) => (typeof v === 'string' ? v.toLowerCase() : v)),
  collapseSpaces: text('collapseSpaces', (v) => (typeof v === 'string' ? v.replace(SPACES, ' ') : v)),
  required: {
    name: 'required',
    whole: true,
    fwd: (v) => (v === null || v === undefined || v === '' ? fail('field.required', 'required but empty', v) : v),
    back: identity,
  },
};

export function padStep(length: number, char = ' ', side: 'left' | 'right' = 'left'): Step {
  const strip = (s: string): string => {
    let a = 0;
    let b = s.length;
    if (side === 'left') while (a < b - 1 && s[a] === char) a++;
    else while (b > a + 1 && s[b - 1] === char) b--;
    return s.slice(a, b);
  };
  const fwd = side === 'left' ? (v: unknown) => (typeof v === 'string' ? v.padStart(length, char) : v) : (v: unknown) => (typeof v === 'string' ? v.padEnd(length, char) : v);
  return text('pad', fwd, (v) => (typeof v === 'string' ? strip(v) : v));
}

export function defaultStep(value: unknown): Step {
  return { name: 'default', fwd: (v) => (v === null || v === undefined || v === '' ? value : v), back: identity };
}

export function nullIfStep(values: string[]): Step {
  const set = new Set(values);
  const first = values[0];
  return { name: 'nullIf', fwd: (v) => (typeof v === 'string' && set.has(v) ? null : v), back: (v) => (v === null || v === undefined ? first : v) };
}

export function replaceStep(re: RegExp, replacement: string): Step {
  return { name: 'replace', fwd: (v) => (typeof v === 'string' ? v.replace(re, replacement) : v), noInverse: 'replace has no inverse' };
}

export function extractStep(re: RegExp, group: number | undefined, source: string): Step {
  return {
    name: 'extract',
    fwd: (v) => {
      if (typeof v !== 'string') return v;
      const m = re.exec(v);
      if (m === null) return fail('field.pattern', `does not match ${source}`, v);
      return (group !== undefined ? m[group] : m.length > 1 ? m[1] : m[0]) ?? null;
    },
    noInverse: 'extract has no inverse',
  };
}

export function splitStep(separator: string): Step {
  return {
    name: 'split',
    whole: true,
    makesList: true,
    fwd: (v) => (typeof v === 'string' ? v.split(separator) : v),
    back: (v) => (Array.isArray(v) ? v.join(separator) : v),
  };
}

export function templateStep(template: string): Step {
  const parts = template.split('{}');
  return {
    name: 'template',
    fwd: (v) => (v === null || v === undefined ? v : parts.join(String(v))),
    noInverse: 'template has no inverse',
  };
}
