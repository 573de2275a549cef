import { Command } from 'commander';
import { ConfigError, formatDataError, formatPosition } from '../core/errors.js';
import { RejectNotOpenError, requireOpen } from '../runtime/open-rejects.js';
import { replayRejects } from '../runtime/replay.js';
import { REJECT_STATUSES } from '../store/rejects.js';
import type { RejectRecord, Store } from '../store/types.js';
import { EXIT, runAction } from './exit.js';
import { listedStatus, selectById } from './select-by-id.js';
import { withStore } from './with-store.js';

/** The selected rejects: the ids given (each must exist), or with --all every open one (of --flow). */
function select(store: Store, given: string[], options: { all?: boolean; flow?: string }): Promise<RejectRecord[]> {
  return selectById(given, options.all, {
    noun: 'reject',
    openOnes: () => store.rejects({ status: 'open', flow: options.flow, limit: 1_000_000 }),
    one: (id) => store.reject(id),
  });
}

/** Runs `action`, turning the refusal of a reject that is not open into the command line's problem (exit 2). */
async function openOnly(action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (e) {
    if (e instanceof RejectNotOpenError) throw new ConfigError(e.reasons.map((message) => ({ file: 'command line', message })));
    throw e;
  }
}

const summary = (r: RejectRecord) =>
  `${String(r.id).padStart(6)}  ${r.status.padEnd(9)} ${r.flow ?? '-'}  ${formatPosition(r.position) || r.deliveryName || ''}  ${r.errors[0] ? formatDataError({ ...r.errors[0], position: undefined }) : ''}${r.errors.length > 1 ? ` (+${r.errors.length - 1} more)` : ''}`;

/** `bridge rejects list|show|replay|discard`. */
export function rejectsCommands(defaultConfig: string): Command {
  const rejects = new Command('rejects').description('rejected records: list, show, replay after a mapping fix, discard');
  rejects
    .command('list')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .option('-f, --flow <name>', 'only this flow')
    .option('-s, --status <status>', REJECT_STATUSES.join(' | '), 'open')
    .option('-n, --limit <n>', 'at most this many', '100')
    .option('--json', 'one JSON object a line')
    .action((o) =>
      runAction(() => {
        const status = listedStatus(o.status, REJECT_STATUSES);
        return withStore(o.config, async ({ store, loaded }) => {
          const list = await store.rejects({ status, flow: o.flow, limit: Number(o.limit) });
          for (const r of list) process.stdout.write(`${loaded.secrets.scrub(o.json ? JSON.stringify(r) : summary(r))}\n`);
          if (!o.json) process.stderr.write(`${list.length} reject(s)\n`);
          return EXIT.ok;
        });
      }),
    );
  rejects
    .command('show <id>')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .action((id: string, o) =>
      runAction(() =>
        withStore(o.config, async ({ store, loaded }) => {
          const [r] = await select(store, [id], {});
          process.stdout.write(`${loaded.secrets.scrub(JSON.stringify(r, null, 2))}\n`);
          return EXIT.ok;
        }),
      ),
    );
  rejects
    .command('replay [ids...]')
    .description('map the rejected records again with the flow’s current mapping; those that now map are applied')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .option('-f, --flow <name>', 'with --all: only this flow')
    .option('--all', 'every open reject')
    .option('--force', 'apply superseded rejects too: over the newer data a later delivery or a client wrote since')
    .action((given: string[], o) =>
      runAction(() =>
        withStore(o.config, ({ store, assembled, loaded }) =>
          openOnly(async () => {
            const result = await replayRejects(store, assembled, await select(store, given, o), { force: o.force === true });
            for (const line of result.messages) process.stderr.write(`${loaded.secrets.scrub(line)}\n`);
            process.stderr.write(
              `${result.replayed} replayed, ${result.superseded} superseded, ${result.skipped} skipped by a conflict policy, ${result.stillRejected} still rejected, ${result.notReplayable} not replayable, ${result.notOpen} no longer open, ${result.failed} failed\n`,
            );
            // A race with other writers passes: run it again (3), unlike the rest, which need a look (1).
            if (result.failed) return EXIT.failure;
            return result.superseded || result.skipped || result.stillRejected || result.notReplayable || result.notOpen ? EXIT.rejected : EXIT.ok;
          }),
        ),
      ),
    );
  rejects
    .command('discard [ids...]')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .option('-f, --flow <name>', 'with --all: only this flow')
    .option('--all', 'every open reject')
    .action((given: string[], o) =>
      runAction(() =>
        withStore(o.config, ({ store }) =>
          openOnly(async () => {
            const chosen = await select(store, given, o);
            requireOpen(chosen);
            await store.setRejectStatus(chosen.map((r) => r.id), 'discarded');
            process.stderr.write(`${chosen.length} discarded\n`);
            return EXIT.ok;
          }),
        ),
      ),
    );
  return rejects;
}
