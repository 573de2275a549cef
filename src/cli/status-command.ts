import { formatDataError } from '../core/errors.js';
import { EXIT } from './exit.js';
import { withStore } from './with-store.js';

/** `bridge status`: per flow, the last deliveries and their counts, the last ones refused whole and why, and open rejects — read from the store. */
export async function statusCommand(options: { config: string; json?: boolean }): Promise<number> {
  return withStore(options.config, async ({ assembled, store }) => {
    const report = [];
    for (const flow of assembled.flows.values()) {
      const recent = await store.deliveries({ flow: flow.name, limit: 5 });
      const refused = await store.deliveryFailures({ flow: flow.name, limit: 5 });
      const openRejects = await store.countRejects({ flow: flow.name, status: 'open' });
      report.push({ flow: flow.name, enabled: flow.enabled, entity: flow.mapping.entity, mode: flow.mode, recent, refused, openRejects });
    }
    const head = await store.head();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ head, flows: report }, null, 2)}\n`);
      return EXIT.ok;
    }
    process.stdout.write(`change feed head: ${head}\n`);
    for (const f of report) {
      process.stdout.write(`\n${f.flow}${f.enabled ? '' : ' (disabled)'}: ${f.entity}, ${f.mode}; open rejects: ${f.openRejects}\n`);
      if (!f.recent.length) process.stdout.write('  no deliveries yet\n');
      for (const d of f.recent) {
        const c = d.counts;
        process.stdout.write(
          `  ${d.finishedAt ?? d.startedAt}  ${d.state.padEnd(11)} ${deliveryLabel(d)}: ${d.recordsDone} records, ` +
            `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.rejected} rejected\n`,
        );
      }
      if (f.refused.length) process.stdout.write('  refused whole:\n');
      for (const r of f.refused) {
        const more = r.errorCount > 1 ? ` (and ${r.errorCount - 1} more error${r.errorCount > 2 ? 's' : ''})` : '';
        const since = r.appliedAt === undefined ? '' : `; applied since, at ${r.appliedAt}`;
        process.stdout.write(`  ${r.at}  ${r.status.padEnd(11)} ${deliveryLabel(r)}: ${r.errors.length ? formatDataError(r.errors[0]) : 'no error given'}${more}${since}\n`);
      }
    }
    return EXIT.ok;
  });
}

/** A delivery as status lists it: its name, or the start of its id. */
function deliveryLabel(d: { deliveryName?: string; deliveryId: string }): string {
  return d.deliveryName ?? d.deliveryId.slice(0, 12);
}
