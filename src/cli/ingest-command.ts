import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Source } from '../core/delivery.js';
import { ConfigError, formatDataError } from '../core/errors.js';
import { ingest, warmIngest } from '../runtime/ingest.js';
import { EXIT } from './exit.js';
import { withStore } from './with-store.js';
import { checkInputFile, fileDelivery } from './file-delivery.js';
import { Progress } from './progress.js';

/** `bridge ingest FILE --flow NAME`: one file through a flow into the store, now. */
export async function ingestCommand(file: string, options: { flow: string; config: string; force?: boolean }): Promise<number> {
  checkInputFile(file);
  return withStore(options.config, async ({ loaded, assembled, store }) => {
    const flow = assembled.flows.get(options.flow);
    if (!flow) {
      throw new ConfigError(loaded.yaml.problem(['flows'], `no flow named "${options.flow}" (flows: ${[...assembled.flows.keys()].join(', ') || 'none'})`));
    }
    const progress = new Progress();
    warmIngest(statSync(file).size);
    const delivery = await fileDelivery(file, (n) => progress.addBytes(n));
    const outcome = await ingest(delivery, flow, store, { force: options.force, onBatch: (records) => progress.setRecords(records) }).finally(() => progress.done());
    const c = outcome.counts;
    const rate = outcome.ms > 0 ? Math.round((outcome.records * 1000) / outcome.ms) : 0;
    process.stderr.write(
      `${delivery.meta.name}: ${outcome.status}; ${outcome.records} record${outcome.records === 1 ? '' : 's'} in ${(outcome.ms / 1000).toFixed(2)} s (${rate}/s): ` +
        `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.rejected} rejected, ${c.skipped} skipped by conflict policy\n`,
    );
    for (const e of outcome.errors) process.stderr.write(`  ${loaded.secrets.scrub(formatDataError(e))}\n`);
    if (c.rejected) process.stderr.write(`  see the rejects with: bridge rejects list --flow ${flow.name}\n`);
    if (outcome.status === 'applied' || outcome.status === 'skipped') await settleRefusedCopy(flow.createSource(), file);
    return outcome.status === 'applied' && !c.rejected ? EXIT.ok : outcome.status === 'skipped' ? EXIT.ok : EXIT.rejected;
  });
}

/** A file the flow's source refused before (in its failed/ folder), applied now: moved where an applied one goes. */
async function settleRefusedCopy(source: Source, file: string): Promise<void> {
  try {
    const to = await source.settleApplied?.(resolve(file));
    if (to !== undefined) process.stderr.write(`  moved to ${to}, its errors report removed\n`);
  } catch (e) {
    process.stderr.write(`  applied, but it stays where it is: ${(e as Error).message}\n`);
  }
}
