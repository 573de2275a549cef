import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { loadConfig, type LoadOptions } from '../config/load.js';
import { assemble, withConfig } from './assemble.js';

const root = join(import.meta.dirname, '..', '..');

/** Two flows (a, b) writing Customer, the repository's model, one API client (web), and `conflicts`. */
function conflictsConfig(conflicts: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'assemble-'));
  const file = join(dir, 'bridge.yaml');
  const flow = (name: string) => `  ${name}: { source: { file: { path: ${dir} } }, mapping: ${join(root, 'mappings', 'customer-master.yaml')} }`;
  writeFileSync(
    file,
    [
      `model: ${join(root, 'mappings', 'model.yaml')}`,
      'flows:',
      flow('a'),
      flow('b'),
      'server:',
      '  clients:',
      '    web: { token: "${env:WEB_TOKEN}", scopes: [write] }',
      'conflicts:',
      ...conflicts,
      '',
    ].join('\n'),
  );
  return file;
}

function problemsOf(file: string, env: NodeJS.ProcessEnv = { WEB_TOKEN: 'a-token-long-enough-0123' }, options: LoadOptions = {}): string[] {
  try {
    assemble(loadConfig(file, env, options));
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
}

describe('conflict policies', () => {
  it('take flows, api:* and the configured API clients as sources, and top-level fields other than the key as owned', () => {
    const file = conflictsConfig([
      '  Customer: { policy: field-ownership, owners: { name: a, creditLimit: api:web, status: "api:*" } }',
      '  Order: { policy: source-priority, priority: [b, api:web, "api:*"] }',
    ]);
    expect(problemsOf(file)).toEqual([]);
    // A command serving no API leaves out a client whose token is not set: it is a writer all the same.
    expect(problemsOf(file, {}, { withoutServer: true })).toEqual([]);
  });

  it('refuses an owned field the type does not have, naming those it has', () => {
    const file = conflictsConfig(['  Customer:', '    policy: field-ownership', '    owners: { emial: b, name: a }']);
    expect(problemsOf(file)).toEqual([expect.stringMatching(/bridge\.yaml:11:\d+ \(conflicts\.Customer\.owners\.emial\): "emial" is not a field of Customer \(owners name its top-level fields other than the key: name, balance, .*tags\)$/)]);
  });

  it('refuses an owned key field, saying why', () => {
    const file = conflictsConfig(['  Customer:', '    policy: field-ownership', '    owners:', '      customerId: b']);
    expect(problemsOf(file)).toEqual([expect.stringMatching(/bridge\.yaml:12:\d+ \(conflicts\.Customer\.owners\.customerId\): "customerId" is the key of Customer and cannot be owned: .*every write/)]);
  });

  it('refuses an API client or a flow that is not configured, at its entry', () => {
    const file = conflictsConfig([
      '  Customer:',
      '    policy: source-priority',
      '    priority: [a, api:nobody, constructor]',
      '  Order:',
      '    policy: field-ownership',
      '    owners:',
      '      customerId: api:nobody',
    ]);
    expect(problemsOf(file)).toEqual([
      expect.stringMatching(/bridge\.yaml:11:\d+ \(conflicts\.Customer\.priority\[1\]\): no API client named "nobody" under server\.clients \(api:web, or api:\* for every client\)$/),
      expect.stringMatching(/bridge\.yaml:11:\d+ \(conflicts\.Customer\.priority\[2\]\): no flow named "constructor" /),
      expect.stringMatching(/bridge\.yaml:15:\d+ \(conflicts\.Order\.owners\.customerId\): no API client named "nobody"/),
    ]);
  });
});

describe('withConfig', () => {
  it('scrubs the secret values from every problem it lets through, whether the config loads or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assemble-'));
    const file = join(dir, 'bridge.yaml');
    const flow = (extra: string) => `  rows: { source: { file: { path: ${dir} } }, mapping: 'mappings/\${env:SEC}.yaml'${extra} }`;
    const env = { SEC: 'hunter2hunter2' };
    for (const text of [flow(''), flow(', mode: sometimes')]) {
      writeFileSync(file, [`model: ${join(root, 'mappings', 'model.yaml')}`, 'flows:', text, ''].join('\n'));
      const failed = await withConfig(file, env, {}, assemble).then(
        () => expect.unreachable(),
        (e: unknown) => e,
      );
      expect(failed).toBeInstanceOf(ConfigError);
      expect((failed as ConfigError).message).toContain(`mapping file ${join(dir, 'mappings', '[redacted].yaml')} not found`);
      expect((failed as ConfigError).message).not.toContain('hunter2');
    }
  });
});
