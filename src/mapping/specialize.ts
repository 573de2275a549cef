/**
 * Makes a function from generated code with its own type feedback. V8 lets closures made by one
 * function literal share type feedback: with ten fields every call site inside them sees ten
 * targets, and V8 falls back to its slow generic paths. Code generated here calls each part from
 * its own call site instead. V8 also caches the compiled text of `new Function`, and functions
 * from one cached text share feedback again; a serial number makes every text unique.
 *
 * `body` is our own code with only JSON-quoted names and numbers spliced in, never mapping file
 * text; it returns the function made. `bindings` are the values its free names refer to.
 */
export function generated<F>(kind: string, bindings: Record<string, unknown>, body: string): F {
  const names = Object.keys(bindings);
  const source = `// ${JSON.stringify(kind)} #${serial++}\n${body}`;
  return new Function(...names, source)(...names.map((n) => bindings[n])) as F;
}

let serial = 0;
