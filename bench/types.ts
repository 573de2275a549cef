export interface Figure {
  metric: string;
  value: number;
  unit: string;
  /** The ceiling measured in the same run (raw csv-parse, bare express…), when the metric has one. */
  baseline?: number;
  baselineLabel?: string;
  note?: string;
}

export interface Benchmark {
  name: string;
  description: string;
  run(): AsyncIterable<Figure>;
}
