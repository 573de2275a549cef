import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TempStores } from './test-support.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const here = dirname(fileURLToPath(import.meta.url));

describe('a killed process', () => {
  it('loses no committed batch, even one committed with synchronous=NORMAL', async () => {
    const path = stores.path();
    const script = join(dirname(path), 'writer.ts');
    writeFileSync(
      script,
      `import { openSqliteStore } from ${JSON.stringify(join(here, 'sqlite-store.ts'))};
      const store = openSqliteStore({ path: ${JSON.stringify(path)} });
      const writes = Array.from({ length: 500 }, (_, i) => ({ type: 'T', key: String(i), data: { i } }));
      store.applySync({ origin: { origin: 'flow:f', flow: 'f' }, writes, progress: { flow: 'f', deliveryId: 'd', recordsDone: 500, complete: false } });
      process.stdout.write('committed\\n');
      setInterval(() => undefined, 1000);`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(here, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('child did not commit within 20 s'));
      }, 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('committed')) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    const store = stores.open({ path });
    expect(await store.head()).toBe(500);
    expect(await store.delivery('f', 'd')).toMatchObject({ state: 'in-progress', recordsDone: 500, counts: { created: 500 } });
    expect((await store.get('T', '499'))!.data).toEqual({ i: 499 });
  });
});
