import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { benchMappings, csvRows, makeBridge, startDaemon, type Daemon } from './support/bridge-process.js';

const running: Daemon[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.child.kill('SIGKILL');
});

const token = 'tok-daemon-0123456789abcdef';

describe('bridge run serves the REST API', () => {
  it('listens before it reports started, serves what a flow ingested and the feed, stops cleanly on SIGTERM', async () => {
    const bridge = makeBridge(
      { rows: { mapping: join(benchMappings, 'rows-csv.yaml') } },
      { server: { listen: '127.0.0.1:0', clients: { ops: { token: '${env:BRIDGE_TEST_TOKEN}', scopes: ['read', 'admin'] } } } },
    );
    const d = startDaemon(bridge.configFile, { BRIDGE_TEST_TOKEN: token });
    running.push(d);
    const { url } = (await d.waitForLog((l) => l.msg === 'REST API listening')) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/v1/changes`)).status).toBe(401);

    writeFileSync(join(bridge.inbox('rows'), 'a.csv'), csvRows(1, 3));
    await d.waitForLog((l) => l.msg === 'delivery' && l.delivery === 'a.csv');
    const list = await fetch(`${url}/v1/changes?limit=10`, { headers: auth });
    expect((await list.json()) as unknown).toMatchObject({ head: 3, items: [{ seq: 1, origin: 'flow:rows' }, { seq: 2 }, { seq: 3 }] });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ store: 'ok', flows: { rows: { state: 'running' } } });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('bridge_flow_records_total{flow="rows",outcome="ok"} 3');
    expect(metrics).toContain('bridge_change_feed_head 3');

    d.child.kill('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(d.logs.map((l) => JSON.stringify(l)).join('\n')).not.toContain(token);
  });
});
