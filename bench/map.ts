import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { benchDir, generate } from './generate.js';
import { runBridge } from './measure.js';
import type { Benchmark, Figure } from './types.js';

/** The ceiling: csv-parse alone, streaming, arrays, the same file, in this process. */
export async function rawCsvParse(file: string): Promise<number> {
  const started = performance.now();
  let rows = 0;
  for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ from_line: 2 }))) rows++;
  return (rows * 1000) / (performance.now() - started);
}

const mapping = (name: string) => join(benchDir, 'mappings', name);

async function bridgeMap(file: string, mappingFile: string, records: number) {
  const run = await runBridge(['map', file, '--mapping', mappingFile]);
  if (run.exitCode !== 0) throw new Error(`bridge map ${file} exited ${run.exitCode}: ${run.stderr.slice(0, 2000)}`);
  return { perSecond: (records * 1000) / run.ms, peakRssMb: run.peakRssMb };
}

export const mapBench: Benchmark = {
  name: 'map',
  description: '`bridge map` of a generated 10-field file (text, integer, decimal, date), end to end, output discarded',
  async *run(): AsyncIterable<Figure> {
    const million = 1_000_000;
    const csv = await generate('csv', million);
    const fixed = await generate('fixed', million);
    const raw = await rawCsvParse(csv);
    const label = 'raw csv-parse stream, same CSV';
    const csvRun = await bridgeMap(csv, mapping('rows-csv.yaml'), million);
    yield { metric: 'csv_records_per_s', value: csvRun.perSecond, unit: 'records/s', baseline: raw, baselineLabel: label };
    const fixedRun = await bridgeMap(fixed, mapping('rows-fixed.yaml'), million);
    yield { metric: 'fixed_records_per_s', value: fixedRun.perSecond, unit: 'records/s', baseline: raw, baselineLabel: label };
    yield { metric: 'peak_rss_mb', value: Math.max(csvRun.peakRssMb, fixedRun.peakRssMb), unit: 'MB', note: `1M records: csv ${csvRun.peakRssMb.toFixed(0)} MB, fixed ${fixedRun.peakRssMb.toFixed(0)} MB` };
    const four = 4 * million;
    const csv4 = await bridgeMap(await generate('csv', four), mapping('rows-csv.yaml'), four);
    const fixed4 = await bridgeMap(await generate('fixed', four), mapping('rows-fixed.yaml'), four);
    yield {
      metric: 'peak_rss_mb_4m',
      value: Math.max(csv4.peakRssMb, fixed4.peakRssMb),
      unit: 'MB',
      baseline: Math.max(csvRun.peakRssMb, fixedRun.peakRssMb),
      baselineLabel: 'peak RSS at 1M records',
      note: `4M records: csv ${csv4.peakRssMb.toFixed(0)} MB (${Math.round(csv4.perSecond)}/s), fixed ${fixed4.peakRssMb.toFixed(0)} MB (${Math.round(fixed4.perSecond)}/s)`,
    };
  },
};
