/**
 * `npm run bench [-- NAME…] [-- --json]`: runs the benchmarks (all, or those named) and prints each
 * figure beside the baseline measured in the same run. With --json: one JSON object a line,
 * {"bench", "metric", "value", "unit", "baseline", "ratio"}.
 */
import { ingestBench } from './ingest.js';
import { mapBench } from './map.js';
import { restBench } from './rest.js';
import type { Benchmark, Figure } from './types.js';
import { webhookBench } from './webhook.js';

const benchmarks: Benchmark[] = [mapBench, ingestBench, restBench, webhookBench];

const args = process.argv.slice(2);
const json = args.includes('--json');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !benchmarks.some((b) => b.name === n));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')} (known: ${benchmarks.map((b) => b.name).join(', ')})`);
  process.exit(2);
}

function print(bench: string, f: Figure): void {
  const ratio = f.baseline !== undefined && f.baseline !== 0 ? f.value / f.baseline : undefined;
  if (json) {
    console.log(JSON.stringify({ bench, metric: f.metric, value: round(f.value), unit: f.unit, baseline: f.baseline === undefined ? null : round(f.baseline), ratio: ratio === undefined ? null : round(ratio, 3) }));
    return;
  }
  const base = f.baseline === undefined ? '' : `   baseline ${round(f.baseline)} ${f.unit} (${f.baselineLabel ?? 'baseline'})   ratio ${round(ratio!, 3)}`;
  console.log(`${bench.padEnd(8)} ${f.metric.padEnd(28)} ${String(round(f.value)).padStart(12)} ${f.unit}${base}${f.note ? `   ${f.note}` : ''}`);
}

function round(n: number, digits = 1): number {
  const p = 10 ** digits;
  return Math.round(n * p) / p;
}

for (const bench of benchmarks) {
  if (names.length && !names.includes(bench.name)) continue;
  if (!json) console.log(`# ${bench.name}: ${bench.description}`);
  for await (const figure of bench.run()) print(bench.name, figure);
}
