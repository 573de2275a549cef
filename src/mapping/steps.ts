import type { ConfigProblem, DataErrorCode } from '../core/errors.js';
import type { CanonicalForm } from '../core/format.js';
import type { DocPath } from '../core/yaml-file.js';
import type { SourceFiles } from '../core/source-files.js';

/**
 * One compiled transform: a plain function each way, made once at load. `fwd` maps a legacy
 * value towards the canonical one; `back` undoes it for outbound flows (absent: no inverse, and
 * `noInverse` says why). Both pass null through unless their purpose is to handle it, and throw
 * a StepFailure (see `fail`) for a value they cannot convert.
 */
export interface Step {
  readonly name: string;
  readonly fwd: (v: unknown) => unknown;
  readonly back?: (v: unknown) => unknown;
  readonly noInverse?: string;
  /** Works on the value as a whole (split, required); other steps apply to each element of a list. */
  readonly whole?: boolean;
  /** The value is a list afterwards (split). */
  readonly makesList?: boolean;
  /**
   * Forward, a result of this JS type is already in canonical form for the model type (with
   * exactly `scale` decimals when given), so coercing it again would change nothing.
   */
  readonly canonical?: CanonicalForm;
}

/** What a step throws for bad data; thrown as a plain object, so no stack trace is captured. */
export interface StepFailure {
  readonly stepFailure: true;
  readonly code: DataErrorCode;
  readonly message: string;
  readonly value?: string;
  /** The legacy field(s) being mapped, added by the field that caught the failure. */
  label?: string;
}

export function isStepFailure(e: unknown): e is StepFailure {
  return typeof e === 'object' && e !== null && (e as StepFailure).stepFailure === true;
}

export function showValue(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function fail(code: DataErrorCode, message: string, value?: unknown): never {
  const failure: StepFailure = { stepFailure: true, code, message, value: showValue(value) };
  throw failure;
}

/** Runs a step forward, element by element on lists unless the step takes the whole value. */
export function runFwd(step: Step, v: unknown): unknown {
  return Array.isArray(v) && !step.whole ? v.map(step.fwd) : step.fwd(v);
}

export function runBack(step: Step, v: unknown): unknown {
  return Array.isArray(v) && !step.whole ? v.map(step.back!) : step.back!(v);
}

/** What compiling a transform needs: where it is (for problems) and how to find files. */
export interface CompileContext {
  /** The mapping file. */
  file: string;
  resolve(relative: string): string;
  /** Reads the files the mapping names (lookup tables). */
  files: SourceFiles;
  problem(path: DocPath, message: string): ConfigProblem;
  problems: ConfigProblem[];
  /** True inside `reverse:` entries: value conversions (date, decimal, number) format instead of parse. */
  reverse?: boolean;
}

const identity = (v: unknown): unknown => v;
export { identity };
