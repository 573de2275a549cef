import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { deadLettersCommands } from './deadletters-command.js';
import { encodeCommand } from './encode-command.js';
import { runAction } from './exit.js';
import { ingestCommand } from './ingest-command.js';
import { mapCommand } from './map-command.js';
import { outboundCommands } from './outbound-command.js';
import { rejectsCommands } from './rejects-command.js';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';
import { validateCommand } from './validate-command.js';

const DEFAULT_CONFIG = 'bridge.yaml';

// Benchmarks measure a run's peak memory from outside: the process reports it as it exits.
const peakRssFile = process.env.BRIDGE_PEAK_RSS_FILE;
if (peakRssFile) process.on('exit', () => writeFileSync(peakRssFile, String(process.resourceUsage().maxRSS)));

// `bridge status | head`: the reader went away, which is how a pipe ends, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

const program = new Command('bridge')
  .description('legacy-bridge: legacy formats in, one canonical JSON model, changes pushed back out')
  .showHelpAfterError();

program
  .command('run')
  .description('run the daemon: the store and every flow of the config')
  .option('-c, --config <file>', 'bridge config', DEFAULT_CONFIG)
  .action((o) => runAction(() => runCommand(o)));

program
  .command('ingest <file>')
  .description('ingest one file now through a flow into the store')
  .requiredOption('-f, --flow <name>', 'the flow whose mapping decodes the file')
  .option('-c, --config <file>', 'bridge config', DEFAULT_CONFIG)
  .option('--force', 'apply a full sync even when it deletes more than the flow allows')
  .action((file, o) => runAction(() => ingestCommand(file, o)));

program
  .command('map <file>')
  .description('decode and map a file, print one canonical entity per line (nothing is stored)')
  .requiredOption('-m, --mapping <file>', 'mapping file')
  .option('-n, --limit <n>', 'stop after N records', positiveInt)
  .option('-r, --rejects <file>', 'write rejected records with their errors here (NDJSON) instead of stderr')
  .action((file, o) => runAction(() => mapCommand(file, o)));

program
  .command('encode')
  .description('read canonical entities (NDJSON) on stdin, write legacy bytes on stdout')
  .requiredOption('-m, --mapping <file>', 'mapping file')
  .action((o) => runAction(() => encodeCommand(o)));

program
  .command('validate [paths...]')
  .description('check mapping files, the model and the config; every problem with file, line and path')
  .option('-c, --config <file>', 'also check this bridge config')
  .action((paths: string[], o) => runAction(() => validateCommand(paths, o)));

program
  .command('status')
  .description('per flow: the last deliveries, their counts and open rejects')
  .option('-c, --config <file>', 'bridge config', DEFAULT_CONFIG)
  .option('--json', 'print JSON')
  .action((o) => runAction(() => statusCommand(o)));

program.addCommand(rejectsCommands(DEFAULT_CONFIG));
program.addCommand(deadLettersCommands(DEFAULT_CONFIG));
program.addCommand(outboundCommands(DEFAULT_CONFIG));

await program.parseAsync(process.argv);
