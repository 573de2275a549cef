import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { benchMappings, csvRows, makeBridge, repoRoot, runCli, withStore } from './support/bridge-process.js';

const mappings = join(repoRoot, 'mappings');
const priceMapping = join(mappings, 'price-list.yaml');
const PRICE_HEADER = 'ARTIKELNR;BEZEICHNUNG;PREIS;WAEHRUNG;GUELTIG_AB\r\n';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bridge-cli-'));
}

function priceFile(dir: string, rows: string[]): string {
  const file = join(dir, 'prices.csv');
  writeFileSync(file, PRICE_HEADER + rows.map((r) => `${r}\r\n`).join(''), 'latin1');
  return file;
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe.concurrent('bridge map', () => {
  it('prints one canonical entity a line and exits 0 when every record maps', async () => {
    const file = priceFile(tempDir(), ['A1;Apfel;1,50;eur;01.11.2026', 'A2;Birne;2,00;;15.11.2026']);
    const out = await runCli(['map', file, '--mapping', priceMapping]);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(lines(out.stdout).map((l) => JSON.parse(l))).toEqual([
      { entity: 'Price', key: 'A1', data: { sku: 'A1', description: 'Apfel', price: '1.50', currency: 'EUR', validFrom: '2026-11-01' }, source: { file: 'prices.csv', line: 2, record: 1 } },
      { entity: 'Price', key: 'A2', data: { sku: 'A2', description: 'Birne', price: '2.00', currency: 'EUR', validFrom: '2026-11-15' }, source: { file: 'prices.csv', line: 3, record: 2 } },
    ]);
  });

  it('exits 1 when records are rejected: readable errors on stderr, or NDJSON with --rejects; --limit stops early', async () => {
    const dir = tempDir();
    const file = priceFile(dir, ['A1;Apfel;1,50;EUR;01.11.2026', 'A2;Birne;abc;EUR;31.02.2026', 'A3;Kiwi;3,00;EUR;01.12.2026']);
    const [plain, toFile, limited] = await Promise.all([
      runCli(['map', file, '--mapping', priceMapping]),
      runCli(['map', file, '--mapping', priceMapping, '--rejects', join(dir, 'rejects.ndjson')]),
      runCli(['map', file, '--mapping', priceMapping, '--limit', '1']),
    ]);
    expect(plain.status).toBe(1);
    expect(lines(plain.stdout).map((l) => JSON.parse(l).key)).toEqual(['A1', 'A3']);
    expect(lines(plain.stderr)).toEqual([
      'prices.csv:3 (record 2): field price: PREIS: not a decimal (separator ",") (value "abc") [field.number]',
      'prices.csv:3 (record 2): field validFrom: GUELTIG_AB: not a date of pattern dd.MM.yyyy (value "31.02.2026") [field.date]',
    ]);

    expect(toFile.status).toBe(1);
    expect(toFile.stderr).toBe('');
    expect(lines(toFile.stdout)).toHaveLength(2);
    const rejects = lines(readFileSync(join(dir, 'rejects.ndjson'), 'utf8')).map((l) => JSON.parse(l));
    expect(rejects).toEqual([
      {
        source: { file: 'prices.csv', line: 3, record: 2 },
        raw: 'A2;Birne;abc;EUR;31.02.2026',
        errors: [
          expect.objectContaining({ code: 'field.number', field: 'price', value: 'abc', position: { file: 'prices.csv', line: 3, record: 2 }, mapping: priceMapping }),
          expect.objectContaining({ code: 'field.date', field: 'validFrom', value: '31.02.2026' }),
        ],
      },
    ]);

    expect(limited.status).toBe(0);
    expect(lines(limited.stdout).map((l) => JSON.parse(l).key)).toEqual(['A1']);
  });

  it('exits 2 on a malformed mapping, naming the file, the line and the path', async () => {
    const dir = tempDir();
    copyFileSync(join(mappings, 'model.yaml'), join(dir, 'model.yaml'));
    const mapping = join(dir, 'broken.yaml');
    writeFileSync(mapping, ['entity: Price', 'source:', '  csv: { header: true }', 'fields:', '  sku: { from: A }', '  price: { from: B, transform: [bogus] }', ''].join('\n'));
    const out = await runCli(['map', priceFile(dir, ['A1;x;1;EUR;01.01.2026']), '--mapping', mapping]);
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`${mapping}:6 fields.price.transform[0]: unknown transform "bogus"`);
  });
});

describe.concurrent('input files named on the command line', () => {
  it('exits 2 naming a missing input file or a folder, for map and ingest', async () => {
    const dir = tempDir();
    const [map, ingest] = await Promise.all([
      runCli(['map', join(dir, 'nope.csv'), '--mapping', priceMapping]),
      runCli(['ingest', dir, '--flow', 'prices', '--config', join(repoRoot, 'bridge.example.yaml')]),
    ]);
    expect([map.status, map.stderr]).toEqual([2, `configuration error:\n  command line: input file ${join(dir, 'nope.csv')} not found\n`]);
    expect([ingest.status, ingest.stderr]).toEqual([2, `configuration error:\n  command line: input file ${dir} is a folder, not a file\n`]);
  });
});

describe.concurrent('bridge encode', () => {
  for (const [name, input] of [
    ['customer-master', 'CUSTMAST.DAT'],
    ['orders', 'ORDERS.TXT'],
    ['price-list', 'PRICES.CSV'],
  ]) {
    it(`gives back ${input} byte for byte after bridge map (${name})`, async () => {
      const file = join(repoRoot, 'fixtures', name, input);
      const mapping = join(mappings, `${name}.yaml`);
      const mapped = await runCli(['map', file, '--mapping', mapping]);
      expect(mapped.status).toBe(0);
      const encoded = await runCli(['encode', '--mapping', mapping], { input: mapped.stdout });
      expect(encoded.stderr).toBe('');
      expect(encoded.status).toBe(0);
      expect(encoded.stdoutBytes.equals(readFileSync(file))).toBe(true);
    });
  }
});

describe('bridge map into a pipe that closes early', () => {
  it('ends quietly with status 0, as `… | head` expects', async () => {
    const dir = tempDir();
    const file = join(dir, 'rows.csv');
    writeFileSync(file, csvRows(1, 20_000));
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'bridge.js'), 'map', file, '--mapping', join(benchMappings, 'rows-csv.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // Like head -1: the first chunk, then the reading end goes away.
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});

describe('bridge encode of bad lines', () => {
  it('leaves out every line it cannot encode, names its line and why, encodes the rest and exits 1', async () => {
    const good = { entity: 'Price', key: 'SKU-1', data: { sku: 'SKU-1', description: 'Tea', price: '2.50', currency: 'EUR', validFrom: '2026-11-01' } };
    const input = [
      JSON.stringify(good),
      'not json',
      JSON.stringify({ sku: 'SKU-2', price: 'cheap', currency: 'euro' }),
      JSON.stringify({ entity: 'Customer', data: { sku: 'SKU-3' } }),
      '',
      JSON.stringify({ sku: 'SKU-4', price: '1.00', currency: 'CHF', validFrom: '2026-12-01' }),
    ].join('\n');
    const out = await runCli(['encode', '--mapping', priceMapping], { input });
    expect(out.status).toBe(1);
    const errors = lines(out.stderr);
    expect(errors).toEqual([
      expect.stringMatching(/^stdin:2 \(record 2\): not JSON: .* \[delivery\.invalid\]$/),
      expect.stringMatching(/^stdin:3 \(record 3\): field price: not a canonical decimal string .*\[model\.invalid\]$/),
      expect.stringMatching(/^stdin:3 \(record 3\): field currency: does not match pattern .*\[model\.invalid\]$/),
      'stdin:4 (record 4): field entity: an entity of type "Customer"; the mapping encodes Price [delivery.invalid]',
    ]);
    const rows = out.stdoutBytes.toString('latin1').trim().split(/\r?\n/);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^SKU-1;Tea;2,50;EUR;01\.11\.2026$/);
    expect(rows[2]).toMatch(/^SKU-4;;1,00;CHF;01\.12\.2026$/);
  });
});

describe.concurrent('bridge validate', () => {
  it('reports every problem of several files in one run with file:line and path, exit 2; clean files exit 0', async () => {
    const dir = tempDir();
    copyFileSync(join(mappings, 'model.yaml'), join(dir, 'model.yaml'));
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    const c = join(dir, 'c.yaml');
    writeFileSync(a, ['entity: Price', 'source:', '  csv: { header: true }', 'fields:', '  sku: { from: A, transform: [bogus] }', '  price: { frm: B }', ''].join('\n'));
    writeFileSync(b, ['entity: Nope', 'source:', '  csv: { header: true }', 'fields:', '  sku: { from: A }', ''].join('\n'));
    writeFileSync(c, ['entity: Price', 'source:', '  csv: { header: true }', 'fields:', '  sku: { from: A }', '  validFrom: { from: B, transform: [{ date: qqq }] }', ''].join('\n'));
    const [broken, clean, whole] = await Promise.all([
      runCli(['validate', a, b, c, priceMapping]),
      runCli(['validate', join(mappings, 'orders.yaml'), priceMapping, join(mappings, 'customer-master.yaml')]),
      runCli(['validate', '--config', join(repoRoot, 'bridge.example.yaml')]),
    ]);
    expect(broken.status).toBe(2);
    const problems = lines(broken.stderr);
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^${a}:5 \\(fields\\.sku\\.transform\\[0\\]\\): unknown transform "bogus"`)),
      `${a}:6 (fields.price.frm): unknown key "frm"`,
      expect.stringMatching(new RegExp(`^${b}:1 \\(entity\\): unknown entity "Nope"`)),
      expect.stringMatching(new RegExp(`^${c}:6 \\(fields\\.validFrom\\.transform\\[0\\]\\.date\\): "qqq" in date pattern`)),
      '4 problem(s) in 4 file(s)',
    ]);
    expect(clean.stderr).toBe('3 file(s) OK\n');
    expect(clean.status).toBe(0);
    expect(whole.stderr).toMatch(/OK/);
    expect(whole.status).toBe(0);
  });

  it('checks the mappings folder, model included, when given no paths', async () => {
    const out = await runCli(['validate']);
    expect(out.stderr).toMatch(/^\d+ file\(s\) OK\n$/);
    expect(out.status).toBe(0);
  });

  it('checks a config and every file it names: schema problems first, then sources and mappings together; the named files and sources even when the schema fails', async () => {
    const dir = tempDir();
    copyFileSync(join(mappings, 'model.yaml'), join(dir, 'model.yaml'));
    writeFileSync(join(dir, 'bad.yaml'), ['entity: Price', 'source:', '  csv: { header: true }', 'fields:', '  sku: { from: A, transform: [bogus] }', ''].join('\n'));
    const shape = join(dir, 'shape.yaml');
    const shapeFlows = ['  rows:', '    source: { file: { path: in, pollMs: 1 } }', '    mapping: bad.yaml', '    batchSize: 0', '  gone:', '    source: { file: { path: in3 } }', '    mapping: gone.yaml'];
    writeFileSync(shape, ['model: model.yaml', 'flows:', ...shapeFlows, ''].join('\n'));
    const sense = join(dir, 'sense.yaml');
    const flows = ['  rows:', '    source: { file: { path: in } }', '    mapping: missing.yaml', '  other:', '    source: { file: { path: in2, pollMs: 1 } }', '    mapping: bad.yaml', '  third:'];
    writeFileSync(sense, ['model: model.yaml', 'flows:', ...flows, '    source: { ftp: {} }', `    mapping: ${priceMapping}`, ''].join('\n'));
    const [first, second] = await Promise.all([runCli(['validate', '--config', shape]), runCli(['validate', '--config', sense])]);
    expect(first.status).toBe(2);
    // A config of the wrong shape is not assembled, but the sources and files it names are still checked.
    expect(lines(first.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^${shape}:6:\\d+ \\(flows\\.rows\\.batchSize\\): Too small: expected number to be >=1$`)),
      `${shape}:4:33 (flows.rows.source.file.pollMs): Too small: expected number to be >=10`,
      `${shape}:9:5 (flows.gone.mapping): mapping file ${join(dir, 'gone.yaml')} not found`,
      expect.stringMatching(new RegExp(`^${join(dir, 'bad.yaml')}:5 \\(fields\\.sku\\.transform\\[0\\]\\): unknown transform "bogus"`)),
      '4 problem(s) in 1 file(s)',
    ]);
    expect(second.status).toBe(2);
    expect(lines(second.stderr)).toEqual([
      `${sense}:5:5 (flows.rows.mapping): mapping file ${join(dir, 'missing.yaml')} not found`,
      `${sense}:7:34 (flows.other.source.file.pollMs): Too small: expected number to be >=10`,
      expect.stringMatching(new RegExp(`^${join(dir, 'bad.yaml')}:5 \\(fields\\.sku\\.transform\\[0\\]\\): unknown transform "bogus"`)),
      `${sense}:10:15 (flows.third.source.ftp): unknown source adapter "ftp"`,
      '4 problem(s) in 1 file(s)',
    ]);
  });

  it('never prints a secret value in a configuration problem, from validate, run or a store command', async () => {
    // A mapping path built from a secret, which is not there.
    const sense = makeBridge({ rows: { mapping: 'mappings/${file:secret-name}.yaml' } });
    writeFileSync(join(sense.dir, 'secret-name'), 'hunter2hunter2\n');
    // The same with a shape problem beside them: the config is not assembled, its mapping still checked.
    const shape = makeBridge({ rows: { mapping: 'mappings/${file:secret-name}.yaml', mode: 'sometimes' } });
    writeFileSync(join(shape.dir, 'secret-name'), 'hunter2hunter2\n');
    const outs = await Promise.all([
      runCli(['validate', '--config', sense.configFile]),
      runCli(['run', '--config', sense.configFile]),
      runCli(['status', '--config', sense.configFile]),
      runCli(['run', '--config', shape.configFile]),
    ]);
    for (const out of outs) {
      expect(out.status).toBe(2);
      expect(out.stderr).toMatch(/mapping file .*mappings\/\[redacted\]\.yaml not found/);
      expect(out.stderr).not.toContain('hunter2');
    }
  });
});

/** A bridge whose one flow maps the benchmark's CSV with a copy of its mapping that can be edited. */
function rowsBridge(flow: Record<string, unknown> = {}) {
  const bridge = makeBridge({ rows: { mapping: 'rows.yaml', ...flow } });
  const mapping = join(bridge.dir, 'rows.yaml');
  copyFileSync(join(benchMappings, 'rows-csv.yaml'), mapping);
  return { ...bridge, mapping };
}

/** Ingests a file `name` of rows (id number, NAME, STATUS) into the rows flow of `bridge`. */
const dayIngest = (bridge: ReturnType<typeof rowsBridge>) => (name: string, rows: [number, string, string][]) => {
  writeFileSync(join(bridge.dir, name), csvRows(1, 0) + rows.map(([i, day, status]) => csvRows(i, 1, (_i, f) => [f[0], day, ...f.slice(2, 9), status]).split('\n')[1]).join('\n') + '\n');
  return runCli(['ingest', join(bridge.dir, name), '--flow', 'rows', '--config', bridge.configFile]);
};

describe.concurrent('bridge ingest, status and rejects', () => {
  it('ingests a file with a summary, skips it the second time, and shows it in status', async () => {
    const bridge = rowsBridge();
    const file = join(bridge.dir, 'rows.csv');
    writeFileSync(file, csvRows(1, 20));
    const first = await runCli(['ingest', file, '--flow', 'rows', '--config', bridge.configFile]);
    expect(first.stderr).toMatch(/^rows\.csv: applied; 20 records in [\d.]+ s \(\d+\/s\): 20 created, 0 updated, 0 unchanged, 0 deleted, 0 rejected, 0 skipped by conflict policy\n$/);
    expect(first.status).toBe(0);
    const second = await runCli(['ingest', file, '--flow', 'rows', '--config', bridge.configFile]);
    expect(second.stderr).toMatch(/^rows\.csv: skipped; 0 records/);
    expect(second.status).toBe(0);

    const unknown = await runCli(['ingest', file, '--flow', 'nope', '--config', bridge.configFile]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no flow named "nope" \(flows: rows\)/);

    const [text, json] = await Promise.all([runCli(['status', '--config', bridge.configFile]), runCli(['status', '--json', '--config', bridge.configFile])]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^change feed head: 20\n\nrows: Row, incremental; open rejects: 0\n  \S+  complete +rows\.csv: 20 records, 20 created, 0 updated, 0 unchanged, 0 deleted, 0 rejected\n$/);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      head: 20,
      flows: [{ flow: 'rows', entity: 'Row', mode: 'incremental', openRejects: 0, recent: [{ deliveryName: 'rows.csv', state: 'complete', recordsDone: 20, counts: { created: 20 } }] }],
    });
  });

  it('draws a progress bar with the share of the file done when run on a terminal', async () => {
    const bridge = rowsBridge();
    const file = join(bridge.dir, 'rows.csv');
    writeFileSync(file, csvRows(1, 20));
    // script(1) gives the command a terminal; its output is what the terminal showed.
    const command = [process.execPath, join(repoRoot, 'bin', 'bridge.js'), 'ingest', file, '--flow', 'rows', '--config', bridge.configFile].map((a) => `'${a}'`).join(' ');
    const onTerminal = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.on('error', reject);
      child.on('close', () => resolve(Buffer.concat(out).toString('utf8')));
    });
    const size = (csvRows(1, 20).length / 1024).toFixed(1);
    expect(onTerminal).toContain(`\r[${'#'.repeat(30)}] 100.0% ${size} KiB/${size} KiB 20 records `);
    expect(onTerminal).toMatch(/rows\.csv: applied; 20 records/);
  });

  it('reads again, by hand, a refused file whose move the daemon could not make, rather than answering with the errors recorded then', async () => {
    const bridge = rowsBridge();
    const file = join(bridge.dir, 'rows.csv');
    writeFileSync(file, '');
    const refused = await runCli(['ingest', file, '--flow', 'rows', '--config', bridge.configFile]);
    expect(refused.stderr).toMatch(/^rows\.csv: failed; .*\n {2}rows\.csv:1 \(record 0\): no header row/);
    // As the daemon leaves a refusal it could not move to failed/.
    const db = new Database(bridge.dbPath);
    db.prepare('UPDATE delivery_failures SET settled_at = NULL').run();
    db.close();
    // The fix: the file has no header row, its columns are declared.
    writeFileSync(bridge.mapping, readFileSync(bridge.mapping, 'utf8').replace('header: true', 'header: false, columns: [ID, NAME, CITY, QTY, PRICE, AMOUNT, DISCOUNT, ORDERED, SHIPPED, STATUS]'));
    const again = await runCli(['ingest', file, '--flow', 'rows', '--config', bridge.configFile]);
    expect(again.stderr).toMatch(/^rows\.csv: applied; 0 records/);
    expect(again.status).toBe(0);
  });

  it('needs no API client token set for a command that serves no API; bridge run does', async () => {
    const bridge = makeBridge({ rows: { mapping: join(benchMappings, 'rows-csv.yaml') } }, { server: { listen: '127.0.0.1:0', clients: { web: { token: '${env:LB_TEST_TOKEN_NOT_SET}', scopes: ['read'] } } } });
    const status = await runCli(['status', '--config', bridge.configFile]);
    expect(status.stderr).toBe('');
    expect(status.stdout).toMatch(/^change feed head: 0\n/);
    expect(status.status).toBe(0);
    const run = await runCli(['run', '--config', bridge.configFile]);
    expect(run.stderr).toMatch(/ server\.clients\.web\.token: environment variable LB_TEST_TOKEN_NOT_SET is not set/);
    expect(run.status).toBe(2);
  });

  it('refuses to run with every problem of the config at once: secrets written in or not set, and the schema\'s and adapters\' problems beside them', async () => {
    const rows = join(benchMappings, 'rows-csv.yaml');
    // A token written into the file, and a credential in an outbound webhook's URL.
    const secretFile = join(tempDir(), 'hook-secret');
    writeFileSync(secretFile, `whsec_${Buffer.from('a signing secret of the test').toString('base64')}`);
    const written = makeBridge(
      { rows: { mapping: rows } },
      {
        server: { listen: '127.0.0.1:0', clients: { web: { token: 'written-in-token', scopes: ['read'] } } },
        outbound: { hook: { types: ['Row'], sink: { webhook: { url: 'http://127.0.0.1:9/in?api_key=written-in-key', secrets: [`\${file:${secretFile}}`] } } } },
      },
    );
    // A token variable that is not set, and a flow mode the schema does not know.
    const unset = makeBridge({ rows: { mapping: rows, mode: 'sometimes' } }, { server: { listen: '127.0.0.1:0', clients: { web: { token: '${env:LB_TEST_SURELY_UNSET}', scopes: ['read'] } } } });
    const [first, second] = await Promise.all([runCli(['run', '--config', written.configFile]), runCli(['run', '--config', unset.configFile])]);
    expect(first.status).toBe(2);
    expect(first.stderr).toMatch(/ server\.clients\.web\.token: a secret must be a \$\{env:NAME\} or \$\{file:\/path\} reference/);
    expect(first.stderr).toMatch(/ outbound\.hook\.sink\.webhook\.url: the query parameter "api_key" in a URL must be a \$\{env:NAME\} or \$\{file:\/path\} reference/);
    expect(lines(first.stderr)).toHaveLength(3);
    expect(first.stderr).not.toMatch(/written-in/);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/ server\.clients\.web\.token: environment variable LB_TEST_SURELY_UNSET is not set/);
    expect(second.stderr).toMatch(/ flows\.rows\.mode: Invalid option: expected one of "incremental"\|"full"/);
    // The empty string the reference left behind is not a problem of its own.
    expect(second.stderr.match(/server\.clients\.web\.token/g)).toHaveLength(1);
  });

  it('names a model given by a secret not set, or not as text, once: at its line, not as a file it then cannot read', async () => {
    const unset = makeBridge({ rows: { mapping: '${env:LB_TEST_UNSET_MAPPING}' } }, { model: '${env:LB_TEST_UNSET_MODEL}' });
    const number = makeBridge({ rows: { mapping: join(benchMappings, 'rows-csv.yaml') } }, { model: 5 });
    const [first, second] = await Promise.all([runCli(['run', '--config', unset.configFile]), runCli(['status', '--config', number.configFile])]);
    expect(first.status).toBe(2);
    expect(lines(first.stderr)).toEqual([
      'configuration error:',
      expect.stringMatching(/ model: environment variable LB_TEST_UNSET_MODEL is not set$/),
      expect.stringMatching(/ flows\.rows\.mapping: environment variable LB_TEST_UNSET_MAPPING is not set$/),
    ]);
    expect(second.status).toBe(2);
    expect(lines(second.stderr)).toEqual(['configuration error:', expect.stringMatching(/ model: Invalid input: expected string, received number$/)]);
  });

  it('lists, shows, replays after a mapping fix and discards rejects', async () => {
    const bridge = rowsBridge();
    const file = join(bridge.dir, 'mixed.csv');
    // Record 2 has a status the lookup does not know; record 4 lacks a column (never decoded).
    writeFileSync(file, csvRows(1, 5, (i, f) => (i === 2 ? [...f.slice(0, 9), 'X'] : i === 4 ? f.slice(0, 9) : f)));
    const ingested = await runCli(['ingest', file, '--flow', 'rows', '--config', bridge.configFile]);
    expect(ingested.status).toBe(1);
    expect(ingested.stderr).toMatch(/mixed\.csv: applied; 5 records .*: 3 created, .* 2 rejected/);
    expect(ingested.stderr).toContain('see the rejects with: bridge rejects list --flow rows');

    const list = await runCli(['rejects', 'list', '--json', '--config', bridge.configFile]);
    expect(list.status).toBe(0);
    const rejects = lines(list.stdout).map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.position.line, r.errors[0].code, r.status])).toEqual([
      [3, 'field.lookup', 'open'],
      [5, 'record.columns', 'open'],
    ]);
    const [lookupId, columnsId] = rejects.map((r) => r.id as number);
    expect(list.stdout).toMatch(/"field":"status".*"value":"X"/);
    const shown = await runCli(['rejects', 'show', String(lookupId), '--config', bridge.configFile]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: lookupId, flow: 'rows', deliveryName: 'mixed.csv', record: { STATUS: 'X' } });

    // Still rejected before the fix; not replayable whatever the mapping says.
    const early = await runCli(['rejects', 'replay', '--all', '--config', bridge.configFile]);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain(`reject ${lookupId}: still rejected:`);
    expect(early.stderr).toContain(`reject ${columnsId}: the record could not be decoded; fix it at the source and deliver it again`);

    writeFileSync(bridge.mapping, readFileSync(bridge.mapping, 'utf8').replace('C: closed }', 'C: closed, X: cancelled }'));
    const replay = await runCli(['rejects', 'replay', '--all', '--config', bridge.configFile]);
    expect(replay.stderr).toContain('1 replayed, 0 superseded, 0 skipped by a conflict policy, 0 still rejected, 1 not replayable, 0 no longer open, 0 failed');
    expect(replay.status).toBe(1);
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.get('Row', 'ID00000002')).toMatchObject({ version: 1, data: { status: 'cancelled' }, lineage: { flow: 'rows', deliveryName: 'mixed.csv' } });
      expect((await store.reject(lookupId))?.status).toBe('replayed');
    });

    const discard = await runCli(['rejects', 'discard', String(columnsId), '--config', bridge.configFile]);
    expect(discard.stderr).toBe('1 discarded\n');
    const [open, discarded] = await Promise.all([
      runCli(['rejects', 'list', '--config', bridge.configFile]),
      runCli(['rejects', 'list', '--status', 'discarded', '--config', bridge.configFile]),
    ]);
    expect(open.stdout).toBe('');
    expect(open.stderr).toBe('0 reject(s)\n');
    const bogus = await runCli(['rejects', 'list', '--status', 'bogus', '--config', bridge.configFile]);
    expect(bogus.stderr).toBe('configuration error:\n  command line: --status must be one of open, replayed, discarded, not "bogus"\n');
    expect(bogus.status).toBe(2);
    expect(discarded.stdout).toMatch(new RegExp(`^ +${columnsId}  discarded rows  mixed\\.csv:5 \\(record 4\\)  .*\\[record\\.columns\\]\\n$`));
  });

  it('replays or discards only an open reject, as the API does: a replayed or discarded one is refused by id with exit 2', async () => {
    const bridge = rowsBridge();
    const ingest = dayIngest(bridge);
    expect((await ingest('mon.csv', [[1, 'monday', 'X'], [2, 'monday', 'X']])).status).toBe(1);
    writeFileSync(bridge.mapping, readFileSync(bridge.mapping, 'utf8').replace('C: closed }', 'C: closed, X: cancelled }'));
    const [first, second] = lines((await runCli(['rejects', 'list', '--json', '--config', bridge.configFile])).stdout).map((l) => JSON.parse(l).id as number);
    const replayed = await runCli(['rejects', 'replay', String(first), '--config', bridge.configFile]);
    expect(replayed.stderr).toBe('1 replayed, 0 superseded, 0 skipped by a conflict policy, 0 still rejected, 0 not replayable, 0 no longer open, 0 failed\n');
    expect((await ingest('thu.csv', [[1, 'thursday', 'A']])).status).toBe(0);
    expect((await runCli(['rejects', 'discard', String(second), '--config', bridge.configFile])).status).toBe(0);

    const again = await runCli(['rejects', 'replay', String(first), '--config', bridge.configFile]);
    expect(again.stderr).toBe(`configuration error:\n  command line: reject ${first} is replayed, not open\n`);
    expect(again.status).toBe(2);
    const discarded = await runCli(['rejects', 'replay', String(second), '--config', bridge.configFile]);
    expect(discarded.stderr).toBe(`configuration error:\n  command line: reject ${second} is discarded, not open\n`);
    expect(discarded.status).toBe(2);
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.get('Row', 'ID00000001')).toMatchObject({ version: 2, data: { name: 'thursday' } });
      expect(await store.get('Row', 'ID00000002')).toBeUndefined();
      expect((await store.reject(second))?.status).toBe('discarded');
    });
  });

  it('leaves open a reject whose replay a conflict policy skips, and exits 1', async () => {
    const bridge = makeBridge({ rows: { mapping: 'rows.yaml' } }, { conflicts: { Row: { policy: 'source-priority', priority: ['api:*', 'rows'] } } });
    const mapping = join(bridge.dir, 'rows.yaml');
    copyFileSync(join(benchMappings, 'rows-csv.yaml'), mapping);
    await withStore(bridge.dbPath, async (client) => {
      await client.apply({ origin: { origin: 'api:anonymous' }, writes: [{ type: 'Row', key: 'ID00000001', data: { name: 'from the api' } }] });
    });
    expect((await dayIngest({ ...bridge, mapping })('mon.csv', [[1, 'monday', 'X']])).status).toBe(1);
    writeFileSync(mapping, readFileSync(mapping, 'utf8').replace('C: closed }', 'C: closed, X: cancelled }'));

    const replay = await runCli(['rejects', 'replay', '1', '--config', bridge.configFile]);
    expect(lines(replay.stderr)).toEqual([
      'reject 1: skipped by the conflict policy of Row: Row ID00000001 keeps what it holds; left open',
      '0 replayed, 0 superseded, 1 skipped by a conflict policy, 0 still rejected, 0 not replayable, 0 no longer open, 0 failed',
    ]);
    expect(replay.status).toBe(1);
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.get('Row', 'ID00000001')).toMatchObject({ version: 1, data: { name: 'from the api' } });
      expect((await store.reject(1))?.status).toBe('open');
    });
  });

  it('leaves open a reject whose entity a later delivery wrote, naming it, and applies it with --force', async () => {
    const bridge = rowsBridge();
    const ingest = dayIngest(bridge);
    expect((await ingest('mon.csv', [[1, 'monday', 'X']])).status).toBe(1);
    expect((await ingest('tue.csv', [[1, 'tuesday', 'A']])).status).toBe(0);
    writeFileSync(bridge.mapping, readFileSync(bridge.mapping, 'utf8').replace('C: closed }', 'C: closed, X: cancelled }'));

    const replay = await runCli(['rejects', 'replay', '1', '--config', bridge.configFile]);
    expect(lines(replay.stderr)).toEqual([
      expect.stringMatching(/^reject 1: superseded by version 1 of Row ID00000001 \(created at \S+ by flow:rows \(tue\.csv\)\), newer than the rejected record: left open; force the replay to apply it anyway$/),
      '0 replayed, 1 superseded, 0 skipped by a conflict policy, 0 still rejected, 0 not replayable, 0 no longer open, 0 failed',
    ]);
    expect(replay.status).toBe(1);
    await withStore(bridge.dbPath, async (before) => {
      expect(await before.get('Row', 'ID00000001')).toMatchObject({ version: 1, data: { name: 'tuesday' } });
      expect((await before.reject(1))?.status).toBe('open');
    });

    const forced = await runCli(['rejects', 'replay', '1', '--force', '--config', bridge.configFile]);
    expect(forced.stderr).toBe('1 replayed, 0 superseded, 0 skipped by a conflict policy, 0 still rejected, 0 not replayable, 0 no longer open, 0 failed\n');
    expect(forced.status).toBe(0);
    await withStore(bridge.dbPath, async (after) => {
      expect(await after.get('Row', 'ID00000001')).toMatchObject({ version: 2, data: { name: 'monday', status: 'cancelled' }, lineage: { deliveryName: 'mon.csv' } });
      expect((await after.reject(1))?.status).toBe('replayed');
    });
  });

  it('leaves open a reject of a full-sync flow once a later delivery of the flow completed, though it sent the entity unchanged', async () => {
    const bridge = rowsBridge({ mode: 'full' });
    const ingest = dayIngest(bridge);
    expect((await ingest('sun.csv', [[1, 'sunday', 'A']])).status).toBe(0);
    expect((await ingest('mon.csv', [[1, 'monday', 'X']])).status).toBe(1);
    const tue = await ingest('tue.csv', [[1, 'sunday', 'A']]);
    expect(tue.stderr).toContain(' 1 unchanged,');
    writeFileSync(bridge.mapping, readFileSync(bridge.mapping, 'utf8').replace('C: closed }', 'C: closed, X: cancelled }'));

    const replay = await runCli(['rejects', 'replay', '1', '--config', bridge.configFile]);
    expect(lines(replay.stderr)).toEqual([
      expect.stringMatching(/^reject 1: superseded by delivery tue\.csv of flow rows \(complete at \S+\), a full set of its Row entities, newer than the rejected record: left open; force the replay to apply it anyway$/),
      '0 replayed, 1 superseded, 0 skipped by a conflict policy, 0 still rejected, 0 not replayable, 0 no longer open, 0 failed',
    ]);
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.get('Row', 'ID00000001')).toMatchObject({ version: 1, data: { name: 'sunday' } });
      expect((await store.reject(1))?.status).toBe('open');
    });
  });

  it('replays a reject kept from an earlier layout without trusting the current layout\'s types', async () => {
    // PRICE declared as text at first: its legacy text is what the reject keeps.
    const bridge = makeBridge({ rows: { mapping: 'rows.yaml' } });
    const textLayout = readFileSync(join(benchMappings, 'rows-fixed.yaml'), 'utf8').replace('{ name: PRICE, length: 9, type: decimal, scale: 2 }', '{ name: PRICE, length: 9 }');
    writeFileSync(join(bridge.dir, 'rows.yaml'), textLayout);
    const line = ['ID1'.padEnd(10), 'Anna'.padEnd(20), 'Berlin'.padEnd(15), '000007', '   12.5  ', '00000001000', '00100', '20260101', '20270101', 'A'].join('');
    writeFileSync(join(bridge.dir, 'rows.txt'), `${line}\n`, 'latin1');
    const ingested = await runCli(['ingest', join(bridge.dir, 'rows.txt'), '--flow', 'rows', '--config', bridge.configFile]);
    expect(ingested.stderr).toMatch(/1 rejected/);

    // The fix declares PRICE a decimal, whose codec writes canonical decimals; the kept record
    // still holds the old text, which must be checked as any text is.
    writeFileSync(join(bridge.dir, 'rows.yaml'), textLayout.replace('{ name: PRICE, length: 9 }', '{ name: PRICE, length: 9, type: decimal, scale: 2, point: true }'));
    const replay = await runCli(['rejects', 'replay', '--all', '--config', bridge.configFile]);
    expect(replay.stderr).toMatch(/reject \d+: still rejected: field price: PRICE: not a decimal \(value " {3}12\.5 {2}"\)/);
    expect(replay.status).toBe(1);
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.get('Row', 'ID1')).toBeUndefined();
    });
  });
});
