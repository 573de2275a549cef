import { resolve } from 'node:path';
import { ConfigError, formatDataError } from '../core/errors.js';
import { ingest, SettleError, warmIngest } from '../runtime/ingest.js';
import { EXIT } from './exit.js';
import { withStore } from './with-store.js';
import { checkInputFile, fileDelivery } from './file-delivery.js';
import { Progress } from './progress.js';

/** `bridge ingest FILE --flow NAME`: one file through a flow into the store, now. */
export async function ingestCommand(file: string, options: { flow: string; config: string; force?: boolean }): Promise<number> {
  const size = checkInputFile(file);
  return withStore(options.config, async ({ loaded, assembled, store }) => {
    const flow = assembled.flows.get(options.flow);
    if (!flow) {
      throw new ConfigError(loaded.yaml.problem(['flows'], `no flow named "${options.flow}" (flows: ${[...assembled.flows.keys()].join(', ') || 'none'})`));
    }
    const progress = new Progress(size);
    warmIngest(size);
    // A file of the flow's failed/ folder goes where an applied one goes once it is applied.
    const moveOnAck = await flow.createSource().ackByHand?.(resolve(file));
    let moved: string | undefined;
    const ack = moveOnAck && (async () => void (moved = await moveOnAck()));
    const delivery = await fileDelivery(file, (n) => progress.addBytes(n), ack);
    let unsettled: Error | undefined;
    const outcome = await ingest(delivery, flow, store, { force: options.force, recheckRefused: true, onBatch: (records) => progress.setRecords(records) })
      .catch((e: unknown) => {
        if (!(e instanceof SettleError)) throw e;
        unsettled = e.cause as Error;
        return e.outcome;
      })
      .finally(() => progress.done());
    const c = outcome.counts;
    const rate = outcome.ms > 0 ? Math.round((outcome.records * 1000) / outcome.ms) : 0;
    process.stderr.write(
      `${delivery.meta.name}: ${outcome.status}; ${outcome.records} record${outcome.records === 1 ? '' : 's'} in ${(outcome.ms / 1000).toFixed(2)} s (${rate}/s): ` +
        `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.rejected} rejected, ${c.skipped} skipped by conflict policy\n`,
    );
    for (const e of outcome.errors) process.stderr.write(`  ${loaded.secrets.scrub(formatDataError(e))}\n`);
    if (outcome.recognised) process.stderr.write(`  recognised: ${outcome.recognised} of the unchanged records came as they were before, and were not mapped again\n`);
    if (outcome.resumedAfter !== undefined) process.stderr.write(`  resumed: an earlier run read and committed the first ${outcome.resumedAfter} records; the counts above are this run's\n`);
    if (c.rejected) process.stderr.write(`  see the rejects with: bridge rejects list --flow ${flow.name}\n`);
    if (moved !== undefined) process.stderr.write(`  ${moved}\n`);
    if (unsettled !== undefined) {
      process.stderr.write(`  but it stays where it is: ${unsettled.message}; run the command again once that is fixed (it is then skipped, and moved)\n`);
      return EXIT.failure;
    }
    return outcome.status === 'applied' && !c.rejected ? EXIT.ok : outcome.status === 'skipped' ? EXIT.ok : EXIT.rejected;
  });
}
