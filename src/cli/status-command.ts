import { EXIT } from './exit.js';
import { withStore } from './with-store.js';

/** `bridge status`: per flow, the last deliveries, their counts, and open rejects — read from the store. */
export async function statusCommand(options: { config: string; json?: boolean }): Promise<number> {
  return withStore(options.config, async ({ assembled, store }) => {
    const report = [];
    for (const flow of assembled.flows.values()) {
      const recent = await store.deliveries({ flow: flow.name, limit: 5 });
      const openRejects = await store.countRejects({ flow: flow.name, status: 'open' });
      report.push({ flow: flow.name, enabled: flow.enabled, entity: flow.mapping.entity, mode: flow.mode, recent, openRejects });
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
          `  ${d.finishedAt ?? d.startedAt}  ${d.state.padEnd(11)} ${d.deliveryName ?? d.deliveryId.slice(0, 12)}: ${d.recordsDone} records, ` +
            `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.rejected} rejected\n`,
        );
      }
    }
    return EXIT.ok;
  });
}
