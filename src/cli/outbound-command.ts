import { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { EXIT, runAction } from './exit.js';
import { withStore } from './with-store.js';

/** `bridge outbound list|enable`: where each outbound flow is, and turning a disabled one back on. */
export function outboundCommands(defaultConfig: string): Command {
  const cmd = new Command('outbound').description('outbound flows: their position in the change feed, and enabling one that was disabled (410 Gone)');
  cmd
    .command('list')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .option('--json', 'print JSON')
    .action((o) =>
      runAction(() =>
        withStore(o.config, async ({ store, assembled }) => {
          const head = await store.head();
          const rows = [];
          for (const name of assembled.outbound.keys()) {
            const p = await store.outboundPosition(name);
            const open = (await store.deadLetters({ flow: name, status: 'open', limit: 1_000_000 })).length;
            rows.push({ name, position: p.seq, behind: Math.max(0, head - p.seq), inFlight: p.inflight.length, openDeadLetters: open, disabled: p.disabled ?? null });
          }
          if (o.json) process.stdout.write(`${JSON.stringify({ head, outbound: rows }, null, 2)}\n`);
          else for (const r of rows) process.stdout.write(`${r.name}  position ${r.position} (${r.behind} behind)  in flight ${r.inFlight}  open dead letters ${r.openDeadLetters}${r.disabled ? `  DISABLED: ${r.disabled}` : ''}\n`);
          return EXIT.ok;
        }),
      ),
    );
  cmd
    .command('enable <flow>')
    .description('enable an outbound flow disabled because its endpoint answered gone; the running daemon picks it up at its next start')
    .option('-c, --config <file>', 'bridge config', defaultConfig)
    .action((flow: string, o) =>
      runAction(() =>
        withStore(o.config, async ({ store, assembled }) => {
          if (!assembled.outbound.has(flow)) throw new ConfigError({ file: o.config, message: `no outbound flow named "${flow}"` });
          await store.setOutboundDisabled(flow, undefined);
          process.stderr.write(`${flow} enabled\n`);
          return EXIT.ok;
        }),
      ),
    );
  return cmd;
}
