import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { assemble } from '../runtime/assemble.js';
import { loadConfig } from './load.js';

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'config-'));
  const file = join(dir, 'bridge.yaml');
  writeFileSync(file, text);
  return file;
}

function secretFile(value: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'secret-')), 'secret');
  writeFileSync(file, `${value}\n`);
  return file;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults and resolves paths against the file', () => {
    const file = configFile('flows: {}\n');
    const loaded = loadConfig(file);
    expect(loaded.config.store.sqlite.path).toBe('var/bridge.db');
    expect(loaded.config.model).toBe('mappings/model.yaml');
    expect(loaded.resolve('var/x.db')).toBe(join(file, '..', 'var/x.db'));
  });

  it('lists every schema problem with its line and path', () => {
    const file = configFile(
      ['store:', '  sqlite:', '    path: 12', 'flows:', '  Orders:', '    source: { file: {} }', '    mapping: m.yaml', '  ok:', '    mapping: m.yaml', '    mode: sometimes', 'extra: 1', ''].join('\n'),
    );
    const lines = problemsOf(() => loadConfig(file));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`bridge.yaml:3:\\d+ \\(store\\.sqlite\\.path\\): .*string`)),
        expect.stringMatching(/bridge\.yaml:\d+:\d+ \(flows\.Orders\): key "Orders": flow names are lower-case/),
        expect.stringMatching(/bridge\.yaml:9:\d+ \(flows\.ok\.source\): .*expected record/),
        expect.stringMatching(/bridge\.yaml:10:\d+ \(flows\.ok\.mode\): /),
        expect.stringMatching(/bridge\.yaml:1:1: .*extra/),
      ]),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const file = configFile('flows:\n  a: [1, 2\n');
    expect(problemsOf(() => loadConfig(file))[0]).toMatch(/bridge\.yaml:\d+:\d+: /);
  });

  it('names a missing file', () => {
    expect(problemsOf(() => loadConfig('/nonexistent/bridge.yaml'))[0]).toBe('/nonexistent/bridge.yaml: config file not found');
  });
});

describe('secret references', () => {
  it('resolves env and file references and keeps the values for scrubbing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    writeFileSync(join(dir, 'pw'), 'hunter2-from-file\n');
    const file = configFile(`flows: {}\nstore:\n  sqlite:\n    path: "\${env:DB_PATH}/\${file:${join(dir, 'pw')}}.db"\n`);
    const loaded = loadConfig(file, { DB_PATH: '/srv/very-secret' });
    expect(loaded.config.store.sqlite.path).toBe('/srv/very-secret/hunter2-from-file.db');
    expect(loaded.secrets.scrub('connecting to /srv/very-secret with hunter2-from-file')).toBe('connecting to [redacted] with [redacted]');
  });

  it('names the missing variable and the line, never a value', () => {
    const file = configFile('flows: {}\nstore:\n  sqlite:\n    path: ${env:NOT_SET_ANYWHERE}\n');
    expect(problemsOf(() => loadConfig(file, {}))).toEqual([expect.stringMatching(/bridge\.yaml:4:\d+ \(store\.sqlite\.path\): environment variable NOT_SET_ANYWHERE is not set/)]);
  });

  it('leaves out, for a command that serves no API, a client whose token is not set, and nothing else', () => {
    const clients = 'server:\n  clients:\n    web: { token: "${env:WEB_TOKEN}", scopes: [read] }\n    ops: { token: "${env:OPS_TOKEN}", scopes: [admin] }\n';
    const file = configFile(`flows: {}\n${clients}`);
    const env = { OPS_TOKEN: 'an-ops-token-long-enough' };
    expect(problemsOf(() => loadConfig(file, env))).toEqual([expect.stringMatching(/\(server\.clients\.web\.token\): environment variable WEB_TOKEN is not set/)]);
    const loaded = loadConfig(file, env, { withoutServer: true });
    expect(Object.keys(loaded.config.server.clients)).toEqual(['ops']);
    expect(loaded.secrets.scrub('an-ops-token-long-enough')).toBe('[redacted]');
    // What such a command does use must still resolve.
    const store = configFile(`flows: {}\n${clients}store:\n  sqlite:\n    path: \${env:DB_PATH}\n`);
    expect(problemsOf(() => loadConfig(store, env, { withoutServer: true }))).toEqual([expect.stringMatching(/\(store\.sqlite\.path\): environment variable DB_PATH is not set/)]);
  });

  it('refuses secrets written into the file, where they are and never their values: client tokens and adapter secrets', () => {
    const literal = configFile('flows: {}\nserver:\n  clients:\n    web: { token: plain-token-0123456789, scopes: [read] }\n');
    const tokenLines = problemsOf(() => loadConfig(literal, {}));
    expect(tokenLines).toEqual([expect.stringMatching(/bridge\.yaml:4:\d+ \(server\.clients\.web\.token\): a secret must be a \$\{env:NAME\} or \$\{file:\/path\} reference, not written into the config$/)]);
    expect(tokenLines.join('\n')).not.toContain('plain-token');
    // Named with the file's other problems, in one run.
    const alsoBad = configFile('flows: {}\nserver:\n  clients:\n    web: { token: short, scopes: [fly] }\n');
    expect(problemsOf(() => loadConfig(alsoBad, {}))).toEqual(
      expect.arrayContaining([expect.stringMatching(/\(server\.clients\.web\.token\): a secret must be a/), expect.stringMatching(/server\.clients\.web\.(token|scopes)/)]),
    );
    expect(problemsOf(() => loadConfig(alsoBad, {})).length).toBeGreaterThan(1);

    const root = join(import.meta.dirname, '..', '..');
    const mapping = join(root, 'adapters', 'webhook', 'testing-customer.yaml');
    const whsec = 'whsec_c2VjcmV0LWZvci10aGUtdGVzdA==';
    const hooks = configFile(
      [
        `model: ${join(root, 'mappings', 'model.yaml')}`,
        'flows:',
        `  crm: { mapping: ${mapping}, source: { webhook: { secrets: ["\${env:CRM_SECRET}", ${whsec}] } } }`,
        'outbound:',
        `  out: { types: [Customer], sink: { webhook: { url: "http://127.0.0.1:9/x", secrets: [${whsec}], headers: { Authorization: Bearer-abcdef, X-Source: bridge, X-Api-Key-Id: k1, X-Hub-Signature-256: abcdef } } } }`,
        '',
      ].join('\n'),
    );
    const loaded = loadConfig(hooks, { CRM_SECRET: whsec });
    const adapterLines = problemsOf(() => assemble(loaded));
    // With a schema problem beside it, both are named.
    const hooksAlsoBad = configFile(readFileSync(hooks, 'utf8').replace('url: "http://127.0.0.1:9/x"', 'url: 12'));
    expect(problemsOf(() => assemble(loadConfig(hooksAlsoBad, { CRM_SECRET: whsec }))).filter((l) => /outbound\.out\.sink\.webhook/.test(l))).toHaveLength(4);
    expect(adapterLines).toEqual([
      expect.stringMatching(/bridge\.yaml:3:\d+ \(flows\.crm\.source\.webhook\.secrets\[1\]\): a secret must be a \$\{env:NAME\} or/),
      expect.stringMatching(/bridge\.yaml:5:\d+ \(outbound\.out\.sink\.webhook\.secrets\[0\]\): a secret must be a \$\{env:NAME\} or/),
      expect.stringMatching(/bridge\.yaml:5:\d+ \(outbound\.out\.sink\.webhook\.headers\.Authorization\): a secret must be a \$\{env:NAME\} or/),
      expect.stringMatching(/bridge\.yaml:5:\d+ \(outbound\.out\.sink\.webhook\.headers\.X-Hub-Signature-256\): a secret must be a \$\{env:NAME\} or/),
    ]);
    expect(adapterLines.join('\n')).not.toContain('Bearer-abcdef');
    expect(adapterLines.join('\n')).not.toContain('c2VjcmV0');
    // A literal beside a reference is a literal all the same.
    const mixed = configFile('flows: {}\nserver:\n  clients:\n    web: { token: "${env:PART}-plain-literal-0123", scopes: [read] }\n');
    expect(problemsOf(() => loadConfig(mixed, { PART: 'abcd' }))).toEqual([expect.stringMatching(/\(server\.clients\.web\.token\): a secret must be a/)]);
    // A reference reaching a second place through a YAML alias is a reference there too.
    const aliased = configFile(
      [
        `model: ${join(root, 'mappings', 'model.yaml')}`,
        'server:',
        '  clients:',
        '    web: &client { token: "${env:TOKEN}", scopes: [read] }',
        '    web2: *client',
        'flows:',
        `  crm: { mapping: ${mapping}, source: { webhook: &hook { secrets: ["\${env:CRM_SECRET}"] } } }`,
        `  crm2: { mapping: ${mapping}, source: { webhook: *hook } }`,
        '',
      ].join('\n'),
    );
    expect([...assemble(loadConfig(aliased, { CRM_SECRET: whsec, TOKEN: 'a-token-long-enough-0123' })).flows.keys()]).toEqual(['crm', 'crm2']);
    // Given as references, the same secrets pass.
    const referenced = configFile(
      readFileSync(hooks, 'utf8')
        .replaceAll(`, ${whsec}]`, ']')
        .replace(`[${whsec}]`, '["${file:' + secretFile(whsec) + '}"]')
        .replace('Bearer-abcdef', '"${env:CRM_SECRET}"')
        .replace('X-Hub-Signature-256: abcdef', 'X-Hub-Signature-256: "${env:CRM_SECRET}"'),
    );
    expect(assemble(loadConfig(referenced, { CRM_SECRET: whsec })).flows.has('crm')).toBe(true);
  });

  it('refuses a password or a credential query parameter written into a URL, and takes either as a reference', () => {
    const root = join(import.meta.dirname, '..', '..');
    const env = { WH: 'whsec_c2VjcmV0LWZvci10aGUtdGVzdA==', PASS: 'pa55word-long', TOKEN: 'tok-0123456789', URL: 'http://u:pa55word-long@127.0.0.1:9/x' };
    const problemsFor = (url: string): string[] => {
      const file = configFile(
        [
          `model: ${join(root, 'mappings', 'model.yaml')}`,
          'flows: {}',
          'outbound:',
          `  out: { types: [Customer], sink: { webhook: { url: ${JSON.stringify(url)}, secrets: ["\${env:WH}"] } } }`,
          '',
        ].join('\n'),
      );
      try {
        assemble(loadConfig(file, env));
        return [];
      } catch (e) {
        if (e instanceof ConfigError) return e.message.split('\n');
        throw e;
      }
    };
    const refused = problemsFor('https://user:hunter22@127.0.0.1:9/x');
    expect(refused).toEqual([expect.stringMatching(/bridge\.yaml:4:\d+ \(outbound\.out\.sink\.webhook\.url\): the password in a URL must be a \$\{env:NAME\} or \$\{file:\/path\} reference/)]);
    expect(refused.join('\n')).not.toContain('hunter22');
    expect(problemsFor('http://127.0.0.1:9/x?page=2&api_key=abc123')).toEqual([expect.stringMatching(/\(outbound\.out\.sink\.webhook\.url\): the query parameter "api_key" in a URL must be a/)]);
    // The names credentials commonly go by, however written, are refused; names that only look alike are not.
    for (const name of ['key', 'apikey', 'apiKey', 'X-API-Key', 'access_token', 'accessToken', 'sig', 'signature', 'password', 'pwd', 'pass', 'secret', 'client_secret', 'token', 'auth', 'credentials']) {
      expect(problemsFor(`http://127.0.0.1:9/x?page=2&${name}=abc123`), name).toEqual([expect.stringContaining(`the query parameter "${name}" in a URL must be a`)]);
    }
    for (const name of ['page', 'keyword', 'keys', 'key_id', 'token_type', 'secretary', 'author', 'signup', 'bypass', 'sort']) {
      expect(problemsFor(`http://127.0.0.1:9/x?${name}=abc123`), name).toEqual([]);
    }
    // A literal beside a reference in the password is a literal all the same.
    expect(problemsFor('https://user:${env:PASS}x@127.0.0.1:9/x')).toHaveLength(1);
    const passwordFile = secretFile('pa55word-long');
    for (const url of [
      'https://user:${env:PASS}@127.0.0.1:9/x',
      `https://user:\${file:${passwordFile}}@127.0.0.1:9/x`,
      'http://127.0.0.1:9/x?token=${env:TOKEN}&page=2',
      '${env:URL}',
      'http://user@127.0.0.1:9/x?page=2&token=',
    ]) {
      expect(problemsFor(url), url).toEqual([]);
    }
  });

  it('reads a relative secret file from the config file\'s folder, whatever the current directory', () => {
    const file = configFile('flows: {}\nstore:\n  sqlite:\n    path: ${file:db-path}\n');
    writeFileSync(join(dirname(file), 'db-path'), 'var/from-the-secret.db\n');
    expect(process.cwd()).not.toBe(dirname(file));
    expect(loadConfig(file, {}).config.store.sqlite.path).toBe('var/from-the-secret.db');
    // Not found, it is named where it was looked for.
    const missing = configFile('flows: {}\nstore:\n  sqlite:\n    path: ${file:not-there}\n');
    expect(problemsOf(() => loadConfig(missing, {}))).toEqual([expect.stringContaining(`cannot read secret file ${join(dirname(missing), 'not-there')}: ENOENT`)]);
  });

  it('names the line of a webhook secret its adapter refuses, and never its length', () => {
    const root = join(import.meta.dirname, '..', '..');
    const mapping = join(root, 'adapters', 'webhook', 'testing-customer.yaml');
    const file = configFile(
      [
        `model: ${join(root, 'mappings', 'model.yaml')}`,
        'flows:',
        `  crm: { mapping: ${mapping}, source: { webhook: { secrets: ["\${env:NOT_BASE64}"] } } }`,
        'outbound:',
        '  hook:',
        '    types: [Customer]',
        '    sink:',
        '      webhook:',
        '        url: "http://127.0.0.1:9/x"',
        '        secrets: ["${env:SHORT}"]',
        '',
      ].join('\n'),
    );
    const lines = problemsOf(() => assemble(loadConfig(file, { NOT_BASE64: 'whsec_not base64!', SHORT: `whsec_${Buffer.from('sixby!').toString('base64')}` })));
    expect(lines).toEqual([
      expect.stringMatching(/bridge\.yaml:3:\d+ \(flows\.crm\.source\.webhook\.secrets\[0\]\): a webhook secret must be "whsec_" followed by base64$/),
      expect.stringMatching(/bridge\.yaml:10:\d+ \(outbound\.hook\.sink\.webhook\.secrets\[0\]\): a webhook secret is too short: .*at least 16 bytes/),
    ]);
    expect(lines.join('\n')).not.toMatch(/\b6\b|holds/);
  });

  it('reports an unreadable secret file', () => {
    const file = configFile('flows: {}\nstore:\n  sqlite:\n    path: ${file:/nonexistent/secret}\n');
    expect(problemsOf(() => loadConfig(file, {}))[0]).toMatch(/cannot read secret file \/nonexistent\/secret: ENOENT/);
  });
});
