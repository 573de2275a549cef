import type { Step } from './steps.js';

/**
 * A value mapping simple enough to generate inline: one field read, steps in order, a final
 * coercion. The forward mapping of a field without `when`, `const` or concatenation has one.
 */
export interface LeafPlan {
  /** The legacy field read (dotted inside groups). */
  from: string;
  steps: readonly Step[];
  /** The coercion to the target type; forward it gets no null (null passes around it). */
  finish: (v: unknown) => unknown;
  /** True when `finish` handles null itself (reverse: toLegacy). */
  finishTakesNull: boolean;
  /** Values of this `typeof` are final already: `finish` would return them unchanged. */
  finalType?: 'string' | 'number';
  emptyAsNull: boolean;
  required: boolean;
  /** The legacy field(s), labelling failures. */
  label: string;
}

/** All spaces or empty; a loop, since it runs for most fields of every record. */
export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 0x3000 && c !== 160) return false;
  }
  return true;
}

/**
 * Statements that convert `v` (the value read, also held in `raw`) by the plan, leaving the
 * result in `v` or throwing a StepFailure (unlabelled). Each step function is bound to its own
 * name (`${prefix}s0`…, the coercion `${prefix}c`), so that every call has a single target and
 * V8 inlines it; a loop over steps would be one megamorphic call site, several times slower.
 * Helpers come from `h` (isBlank, fail). Only names we make and numbers are spliced in.
 */
export function leafCode(plan: LeafPlan, prefix: string, bind: Record<string, unknown>): string {
  const blank = plan.emptyAsNull ? "if (typeof v === 'string' && h.isBlank(v)) v = null;\n" : '';
  let code = `if (v === undefined) v = null;\n${blank}`;
  plan.steps.forEach((step, i) => {
    const f = `${prefix}s${i}`;
    bind[f] = step.fwd;
    code += step.whole ? `v = ${f}(v);\n` : `v = Array.isArray(v) ? v.map(${f}) : ${f}(v);\n`;
  });
  code += blank;
  bind[`${prefix}c`] = plan.finish;
  const final = plan.finalType === undefined ? '' : `typeof v === '${plan.finalType}' ? v : `;
  code += plan.finishTakesNull ? `v = ${final}${prefix}c(v);\n` : `v = ${final}v === null || v === undefined ? null : ${prefix}c(v);\n`;
  if (plan.required) code += "if (v === null || v === '') h.fail('field.required', 'required but empty', raw);\n";
  return code;
}
