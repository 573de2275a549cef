/**
 * A copy of `factory` with its own code identity, so that each compiled field gets its own V8
 * type feedback. Closures made by one function literal share feedback: with ten fields every
 * call site inside them sees ten targets and V8 falls back to its slow generic paths. The
 * factory must use only its parameters (no outer variables, no named inner functions), since its
 * source is re-evaluated without its scope. The source is our own code, never mapping file text.
 */
export function specialize<F extends (...args: never[]) => unknown>(factory: F): F {
  return new Function(`return (${factory.toString()});`)() as F;
}
