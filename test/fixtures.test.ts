/**
 * Fixture replay: every folder in fixtures/ with a case.yaml is one test. The legacy input is
 * mapped and compared with the expected canonical entities (a file snapshot next to it); where the
 * case says `roundTrip: true`, the expected entities are encoded back and must give the input
 * byte for byte. `UPDATE_FIXTURES=1 npx vitest run test/fixtures.test.ts` rewrites the snapshots,
 * which are then reviewed in the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatDataError } from '../src/core/errors.js';
import { failureDetail, isDecodeFailure } from '../src/core/records.js';
import { loadMapping } from '../src/mapping/index.js';
import { repoRoot } from './support/bridge-process.js';

interface Case {
  description: string;
  mapping: string;
  input: string;
  expected: string;
  rejects?: string;
  roundTrip?: boolean;
}

const fixtures = join(repoRoot, 'fixtures');
const cases = readdirSync(fixtures).filter((name) => existsSync(join(fixtures, name, 'case.yaml')));
const update = process.env.UPDATE_FIXTURES === '1';

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('fixture replay', () => {
  it('has the cases the examples promise', () => {
    expect(cases).toEqual(expect.arrayContaining(['customer-master', 'orders', 'price-list']));
  });

  for (const name of cases) {
    const dir = join(fixtures, name);
    const spec = parse(readFileSync(join(dir, 'case.yaml'), 'utf8')) as Case;
    it(`${name}: ${spec.description}`, async () => {
      const mapping = loadMapping(join(dir, spec.mapping));
      const input = readFileSync(join(dir, spec.input));
      const entities: string[] = [];
      const rejects: string[] = [];
      for await (const batch of mapping.format.decode(Readable.from([input]), { name: spec.input })) {
        for (const item of batch) {
          if (isDecodeFailure(item)) {
            rejects.push(formatDataError(failureDetail(item)));
            continue;
          }
          const mapped = mapping.toCanonical(item.record, item.position);
          if (Array.isArray(mapped)) rejects.push(...mapped.map(formatDataError));
          else entities.push(JSON.stringify({ entity: mapped.entity, key: mapped.key, data: mapped.data, source: item.position }));
        }
      }
      const actual = entities.join('\n') + '\n';
      const actualRejects = rejects.join('\n') + (rejects.length ? '\n' : '');
      if (update) {
        writeFileSync(join(dir, spec.expected), actual);
        if (spec.rejects) writeFileSync(join(dir, spec.rejects), actualRejects);
      }
      expect(actual).toBe(readFileSync(join(dir, spec.expected), 'utf8'));
      expect(actualRejects).toBe(spec.rejects ? readFileSync(join(dir, spec.rejects), 'utf8') : '');
      if (spec.roundTrip) {
        const records = entities.map((line) => mapping.fromCanonical(JSON.parse(line).data));
        expect((await collect(mapping.format.encode(records))).toString('hex')).toBe(input.toString('hex'));
      }
    });
  }
});
