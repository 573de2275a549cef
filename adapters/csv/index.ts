import { z } from 'zod';
import type { FormatAdapter } from '../../src/core/format.js';

// Placeholder declaration; the real one replaces it.
export const csvFormat: FormatAdapter = {
  kind: 'format',
  name: 'csv',
  summary: 'placeholder',
  options: z.object({}),
  create() {
    throw new Error('not implemented');
  },
};
