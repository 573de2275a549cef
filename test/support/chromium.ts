import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** Debian's chromium (scripts/test.sh installs it where missing); CHROMIUM overrides. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface LoadedPage {
  /** document.body.innerText once `until` held. */
  text: string;
  /** Every request the page made (documents, scripts, styles, images, fetches), in order. */
  requests: string[];
  /** Console messages and browser log entries of the page (CSP violations among them). */
  log: string[];
}

type Message = { id?: number; method?: string; params?: any; result?: any; error?: { message: string }; sessionId?: string }; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Loads `url` in headless Chromium, driven over the DevTools protocol on a pipe, and waits until
 * the JS expression `until` is true in the page. The page's requests are recorded from the
 * protocol's Network events — Chromium's own background traffic (updates, sign-in) is not the
 * page's and cannot be reached anyway: every host but 127.0.0.1 resolves to nothing.
 */
export async function loadPage(url: string, until: string, timeoutMs = 30_000): Promise<LoadedPage> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (scripts/test.sh does: apt-get install -y chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-default-apps', '--disable-extensions', '--disable-dev-shm-usage', `--user-data-dir=${profile}`,
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--remote-debugging-pipe', 'about:blank',
  ];
  const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const toChrome = child.stdio[3] as Writable;
  const fromChrome = child.stdio[4] as Readable;
  const pending = new Map<number, { resolve(v: any): void; reject(e: Error): void }>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  const page: LoadedPage = { text: '', requests: [], log: [] };
  let nextId = 1;
  let buffered = '';
  fromChrome.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let end;
    while ((end = buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffered.slice(0, end)) as Message;
      buffered = buffered.slice(end + 1);
      if (message.id !== undefined) {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) p?.reject(new Error(`chromium: ${message.error.message}`));
        else p?.resolve(message.result);
      } else if (message.method === 'Network.requestWillBeSent') page.requests.push(message.params.request.url);
      else if (message.method === 'Runtime.consoleAPICalled') page.log.push(`console.${message.params.type}: ${message.params.args.map((a: { value?: unknown; description?: string }) => a.value ?? a.description).join(' ')}`);
      else if (message.method === 'Log.entryAdded') page.log.push(`${message.params.entry.level} ${message.params.entry.source}: ${message.params.entry.text}`);
    }
  });
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> => // eslint-disable-line @typescript-eslint/no-explicit-any
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      toChrome.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const deadline = Date.now() + timeoutMs;
  const watchdog = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    for (const domain of ['Network', 'Runtime', 'Log', 'Page']) await send(`${domain}.enable`, {}, sessionId);
    await send('Page.navigate', { url }, sessionId);
    const evaluate = async (expression: string) => (await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)).result.value;
    while (!(await evaluate(`Boolean(document.body && (${until}))`))) {
      if (Date.now() > deadline) throw new Error(`${url}: "${until}" still false after ${timeoutMs} ms; page log: ${page.log.join(' | ')}`);
      await sleep(100);
    }
    page.text = await evaluate('document.body.innerText');
    await send('Browser.close').catch(() => undefined);
    await Promise.race([exited, sleep(5000)]);
    return page;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  } finally {
    clearTimeout(watchdog);
    child.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  }
}
