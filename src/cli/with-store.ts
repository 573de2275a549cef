import type { LoadedConfig } from '../config/load.js';
import { assemble, withConfig, type Assembled } from '../runtime/assemble.js';
import { openStore } from '../runtime/daemon.js';
import type { Store } from '../store/types.js';

export interface BridgeContext {
  loaded: LoadedConfig;
  assembled: Assembled;
  store: Store;
}

/** For the commands that work on the store of a config: loads and checks it, opens the store, closes it after. */
export async function withStore<T>(configFile: string, fn: (context: BridgeContext) => Promise<T>): Promise<T> {
  // No API is served: client tokens need not be set in the operator's shell.
  return withConfig(configFile, process.env, { withoutServer: true }, async (loaded) => {
    const assembled = assemble(loaded);
    const store = openStore(loaded, assembled);
    try {
      return await fn({ loaded, assembled, store });
    } finally {
      await store.close();
    }
  });
}
