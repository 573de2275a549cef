/**
 * File-name globs: `*` matches any run of characters, `?` exactly one, everything else itself
 * (case-sensitive, as the file system is). Node 20's `path.matchesGlob` prints an experimental
 * warning, hence this small matcher. Patterns are compiled once into one regular expression.
 */

/** True when the pattern is a bare name pattern (globs match names, never paths). */
export function isNamePattern(pattern: string): boolean {
  return pattern.length > 0 && !pattern.includes('/') && !pattern.includes('\\');
}

function globSource(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/** Compiles patterns into one matcher; an empty list matches nothing. */
export function compileGlobs(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => false;
  // `s` so that `*` also spans the (rare, but legal) newline inside a file name; `u` so that `?`
  // is one character, not one UTF-16 unit.
  const re = new RegExp(`^(?:${patterns.map(globSource).join('|')})$`, 'su');
  return (name) => re.test(name);
}
