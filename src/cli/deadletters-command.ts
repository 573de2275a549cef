import { Command } from 'commander';
import { deadLetterJson } from '../outbound/dead-letter-json.js';
import { DEAD_LETTER_STATUSES } from '../store/outbound.js';
import type { DeadLetter, Store } from '../store/types.js';
import { EXIT, runAction } from './exit.js';
import { listedStatus, selectById } from './select-by-id.js';
import { withStore } from './with-store.js';

/** The dead letters named (each must exist), or with --all every open one (of --flow). */
function select(store: Store, given: string[], options: { all?: boolean; flow?: string }): Promise<DeadLetter[]> {
  return selectById(given, options.all, {
    noun: 'dead letter',
    openOnes: () => store.deadLetters({ status: 'open', flow: options.flow, limit: 1_000_000 }),
    one: (id) => store.deadLetter(id),
  });
}

/** replay / discard: the action on the open ones among those selected, and what it did. */
async function settle(store: Store, given: string[], options: { all?: boolean; flow?: string }, action: (ids: number[]) => Promise<DeadLetter[]>, done: string): Promise<number> {
  const chosen = await select(store, given, options);
  const changed = await action(chosen.map((d) => d.deadLetterId));
  process.stderr.write(`${changed.length} ${done}${changed.length < chosen.length ? `, ${chosen.length - changed.length} not open (left as they are)` : ''}\n`);
  return EXIT.ok;
}

const summary = (d: DeadLetter) => {
  const last = d.attempts.at(-1);
  const keys = d.changes.length === 1 ? `${d.changes[0].type} ${d.changes[0].key}` : `${d.changes.length} changes`;
  return `${String(d.deadLetterId).padStart(6)}  ${d.status.padEnd(9)} ${d.flow}  ${d.id}  ${keys}  ${d.attempts.length} attempt(s)${last ? `, last ${last.outcome}: ${last.error}` : ''}`;
};

/** `bridge deadletters list|show|replay|discard`. */
export function deadLettersCommands(defaultConfig: string): Command {
  const cmd = new Command('deadletters').description('outbound messages that failed for good: list, show, replay after a fix, discard');
  cmd
    .command('list')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .option('-f, --flow <name>', 'only this outbound flow')
    .option('-s, --status <status>', DEAD_LETTER_STATUSES.join(' | '), 'open')
    .option('-n, --limit <n>', 'at most this many', '100')
    .option('--json', 'one JSON object a line')
    .action((o) =>
      runAction(() => {
        const status = listedStatus(o.status, DEAD_LETTER_STATUSES);
        return withStore(o.config, async ({ store, loaded }) => {
          const list = await store.deadLetters({ status, flow: o.flow, limit: Number(o.limit) });
          for (const d of list) process.stdout.write(`${loaded.secrets.scrub(o.json ? JSON.stringify(deadLetterJson(d)) : summary(d))}\n`);
          if (!o.json) process.stderr.write(`${list.length} dead letter(s)\n`);
          return EXIT.ok;
        });
      }),
    );
  cmd
    .command('show <id>')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .action((id: string, o) =>
      runAction(() =>
        withStore(o.config, async ({ store, loaded }) => {
          const [chosen] = await select(store, [id], {});
          process.stdout.write(`${loaded.secrets.scrub(JSON.stringify(deadLetterJson(chosen), null, 2))}\n`);
          return EXIT.ok;
        }),
      ),
    );
  cmd
    .command('replay [ids...]')
    .description('put open dead letters back into their flow’s outbox: the running bridge (or the next start) sends them again, same id and bytes')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .option('-f, --flow <name>', 'with --all: only this flow')
    .option('--all', 'every open dead letter')
    .action((given: string[], o) =>
      runAction(() =>
        withStore(o.config, ({ store }) => settle(store, given, o, (ids) => store.replayDeadLetters(ids), 'queued for replay')),
      ),
    );
  cmd
    .command('discard [ids...]')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .option('-f, --flow <name>', 'with --all: only this flow')
    .option('--all', 'every open dead letter')
    .action((given: string[], o) =>
      runAction(() =>
        withStore(o.config, ({ store }) => settle(store, given, o, (ids) => store.discardDeadLetters(ids), 'discarded')),
      ),
    );
  return cmd;
}
