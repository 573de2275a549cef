import { csvFormat } from '../../adapters/csv/index.js';
import { fixedWidthFormat } from '../../adapters/fixed-width/index.js';
import type { FormatAdapter } from './format.js';

/** Every adapter, listed explicitly: the runtime knows adapters only through this list. */
export const formats: readonly FormatAdapter[] = [csvFormat, fixedWidthFormat];

export function findFormat(name: string): FormatAdapter | undefined {
  return formats.find((f) => f.name === name);
}
