import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigProblem } from '../core/errors.js';
import type { YamlFile } from '../core/yaml-file.js';

const REFERENCE = /\$\{(env|file):([^}]+)\}/g;
/** Stands for a reference in a URL being checked: no URL holds it. */
const REFERENCED = '\u0001';

/**
 * The last words of names that carry credentials: `key`, `token`, `secret` and `password` also
 * ending a word (`apikey`, `accesstoken`), and the names of their own. Only the last word counts:
 * `token_type` and `key_id` name what goes with a credential, not the credential.
 */
const CREDENTIAL_WORD = /^([a-z]*(key|tokens?|secrets?|passwords?|passwd)|auth|authorization|cookie|credentials?|pass|passphrase|pwd|sig|signature)$/;

/**
 * Whether an HTTP header or a URL query parameter named `name` carries a credential, judged by
 * its last word however the name is written (`X-Api-Key`, `api_key`, `apiKey`, `X-Hub-Signature-256`).
 */
export function isCredentialName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '' && !/^\d+$/.test(w));
  return CREDENTIAL_WORD.test(words.at(-1)?.toLowerCase() ?? '');
}

/**
 * What in `url` (references replaced by REFERENCED) is a credential written out, or undefined:
 * the password of its user info, or the value of a query parameter named like a credential.
 */
function urlCredential(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined; // not a URL after all: the adapter's schema says what it expected
  }
  if (url.password !== '' && decodeURIComponent(url.password) !== REFERENCED) return 'the password';
  for (const [name, value] of url.searchParams) {
    if (isCredentialName(name) && value !== '' && value !== REFERENCED) return `the query parameter ${JSON.stringify(name)}`;
  }
  return undefined;
}

/**
 * Values resolved from `${env:NAME}` and `${file:/path}` references. They are kept here so that
 * anything printed — logs, errors, status output — can be scrubbed of them.
 */
export class SecretValues {
  private readonly values = new Set<string>();
  /** The strings with a reference in them as written, by path (joined with '.'). */
  private readonly written = new Map<string, string>();

  /** Notes what the string at `path` was before its references were resolved. */
  writtenAt(path: readonly (string | number)[], text: string): void {
    this.written.set(path.join('.'), text);
  }

  /** Whether the string at `path` was written as references only: a literal beside one is not. */
  private isReference(path: readonly (string | number)[]): boolean {
    const text = this.written.get(path.join('.'));
    return text !== undefined && text.replace(REFERENCE, '').trim() === '';
  }

  /**
   * Problems for the credentials in URLs among the strings in `value` (an adapter's options): a
   * URL's password, or a query parameter named like a credential (token, key, secret…), must
   * be a reference of its own, or the whole URL one.
   */
  urlCredentialsAt(yaml: YamlFile, path: readonly (string | number)[], value: unknown): ConfigProblem[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => this.urlCredentialsAt(yaml, [...path, i], v));
    if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => this.urlCredentialsAt(yaml, [...path, k], v));
    if (typeof value !== 'string' || this.isReference(path)) return [];
    const found = urlCredential((this.written.get(path.join('.')) ?? value).replace(REFERENCE, REFERENCED));
    return found === undefined ? [] : [yaml.problem([...path], `${found} in a URL must be a \${env:NAME} or \${file:/path} reference, not written into the config`)];
  }

  /**
   * Problems for the strings at `path` (a string, or a list of strings) that were written into
   * the config rather than given as references: a secret must not sit in a file that is read,
   * copied and committed as configuration.
   */
  literalsAt(yaml: YamlFile, path: readonly (string | number)[], value: unknown): ConfigProblem[] {
    const at = (p: readonly (string | number)[], v: unknown): ConfigProblem[] =>
      typeof v === 'string' && v !== '' && !this.isReference(p)
        ? [yaml.problem([...p], 'a secret must be a ${env:NAME} or ${file:/path} reference, not written into the config')]
        : [];
    return Array.isArray(value) ? value.flatMap((v, i) => at([...path, i], v)) : at(path, value);
  }

  add(value: string): void {
    // Very short values would scrub ordinary text; such secrets are refused at resolution.
    if (value.length >= 4) this.values.add(value);
  }

  /** Replaces every known secret value in `text` with `[redacted]`. */
  scrub(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('[redacted]');
    return out;
  }

  /** `problems` with every known secret value scrubbed from what they print: file, path and message. */
  scrubProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
    return problems.map((p) => ({ ...p, file: this.scrub(p.file), ...(p.path === undefined ? {} : { path: this.scrub(p.path) }), message: this.scrub(p.message) }));
  }

  get size(): number {
    return this.values.size;
  }
}

/**
 * Resolves references in every string of a parsed config: `yaml.value` becomes the resolved copy.
 * A relative `${file:…}` path is read from the config file's folder, like every path in it. A
 * missing variable or an unreadable file is a problem at the path of the string that named it,
 * unless `mayStayUnresolved` says the caller does without that string (it is left empty); the
 * secret's value is never part of any message.
 */
export function resolveSecrets(
  yaml: YamlFile,
  secrets: SecretValues,
  env: NodeJS.ProcessEnv = process.env,
  mayStayUnresolved: (path: (string | number)[]) => boolean = () => false,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const folder = dirname(yaml.file);
  const resolveString = (text: string, path: (string | number)[]): string =>
    text.replace(REFERENCE, (_whole, kind: string, name: string) => {
      let value: string | undefined;
      let missing: string | undefined;
      if (kind === 'env') {
        value = env[name];
        if (value === undefined) missing = `environment variable ${name} is not set`;
      } else {
        const file = resolve(folder, name);
        try {
          value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch (e) {
          missing = `cannot read secret file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`;
        }
      }
      if (value === undefined) {
        if (!mayStayUnresolved(path)) problems.push(yaml.problem(path, missing!));
        return '';
      }
      if (value.length < 4) problems.push(yaml.problem(path, `secret from ${kind}:${name} is shorter than 4 characters`));
      secrets.add(value);
      return value;
    });
  // A resolved copy, not the parsed value changed in place: an alias makes one object of two
  // places in the file, and each place must see its own references.
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      secrets.writtenAt(path, node);
      return resolveString(node, path);
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
  };
  yaml.value = walk(yaml.value, []);
  return problems;
}
