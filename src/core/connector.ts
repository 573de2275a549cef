import type { z } from 'zod';

/** What source and sink adapters declare alike: the name (= folder = the key in config), options and secrets. */
export interface ConnectorAdapter<Schema extends z.ZodType = z.ZodType> {
  name: string;
  summary: string;
  options: Schema;
  /** Options that hold secrets (a string, or a list of them): the config must give them as `${env:…}` / `${file:…}` references. */
  secretOptions?: readonly string[];
}
