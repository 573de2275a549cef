import type { LoadedConfig } from '../config/load.js';
import { createLogger } from '../core/log.js';
import { withConfig } from '../runtime/assemble.js';
import { startBridge } from '../runtime/daemon.js';
import { EXIT } from './exit.js';

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 15_000;

/** `bridge run`: the daemon. SIGTERM/SIGINT finish the batch in flight, commit and exit 0. */
export async function runCommand(options: { config: string }): Promise<number> {
  return withConfig(options.config, process.env, {}, runBridge);
}

async function runBridge(loaded: LoadedConfig): Promise<number> {
  const log = createLogger({ level: loaded.config.log.level, secrets: loaded.secrets });
  const bridge = await startBridge(loaded, log);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      const limit = setTimeout(() => {
        log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long, exiting');
        process.exit(EXIT.failure);
      }, SHUTDOWN_LIMIT_MS);
      limit.unref();
      bridge.stop().then(resolve, (e) => {
        log.error({ err: e }, 'error while stopping');
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  log.info('stopped');
  log.flush();
  return EXIT.ok;
}
