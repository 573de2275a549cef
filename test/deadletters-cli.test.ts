import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/index.js';
import { benchMappings, makeBridge, runCli } from './support/bridge-process.js';

describe('bridge deadletters', () => {
  it('lists, shows, replays (one or --all) and discards dead letters', async () => {
    const bridge = makeBridge(
      { rows: { mapping: join(benchMappings, 'rows-csv.yaml') } },
      { outbound: { 'rows-out': { types: ['Row'], sink: { file: { path: 'outbox' } } } } },
    );
    const store = openSqliteStore({ path: bridge.dbPath });
    try {
      for (const seq of [1, 2, 3]) {
        const message = { id: `rows-out:${seq}-${seq}`, body: Buffer.from(`{"seq":${seq}}`), contentType: 'application/json', changes: [{ seq, type: 'Row', key: `R${seq}`, op: 'created' as const, version: 1 }], at: '2026-11-28T12:00:00.000Z' };
        await store.outboundBegin('rows-out', message);
        await store.outboundSettle('rows-out', { position: seq, done: [seq], messageIds: [message.id], deadLetters: [{ message, attempts: [{ at: '2026-11-28T12:00:01.000Z', outcome: 'http:422', error: 'peer answered 422' }] }] });
      }
    } finally {
      await store.close();
    }
    const c = ['--config', bridge.configFile];
    const list = await runCli(['deadletters', 'list', ...c]);
    expect(list.status).toBe(0);
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    expect(list.stdout).toContain('rows-out:2-2  Row R2  1 attempt(s), last http:422: peer answered 422');
    const show = await runCli(['deadletters', 'show', '2', ...c]);
    expect(JSON.parse(show.stdout)).toMatchObject({ deadLetterId: 2, id: 'rows-out:2-2', body: '{"seq":2}', status: 'open', attempts: [{ outcome: 'http:422' }] });

    expect((await runCli(['deadletters', 'replay', '1', ...c])).stderr).toContain('1 queued for replay');
    expect((await runCli(['deadletters', 'discard', '2', ...c])).stderr).toContain('1 discarded');
    expect((await runCli(['deadletters', 'replay', '--all', ...c])).stderr).toContain('1 queued for replay');
    const bogus = await runCli(['deadletters', 'list', '--status', 'bogus', ...c]);
    expect(bogus.stderr).toBe('configuration error:\n  command line: --status must be one of open, replayed, discarded, not "bogus"\n');
    expect(bogus.status).toBe(2);
    const missing = await runCli(['deadletters', 'show', '9', ...c]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('no dead letter 9');

    const outbound = await runCli(['outbound', 'list', '--json', ...c]);
    expect(JSON.parse(outbound.stdout)).toEqual({ head: 0, outbound: [{ name: 'rows-out', position: 3, behind: 0, inFlight: 2, openDeadLetters: 0, disabled: null }] });

    const after = openSqliteStore({ path: bridge.dbPath });
    try {
      expect((await after.deadLetters({ limit: 10 })).map((d) => d.status)).toEqual(['replayed', 'discarded', 'replayed']);
      // Replayed ones wait in the outbox with their original id and bytes, for the daemon to send.
      expect((await after.outboundReplays('rows-out')).map((m) => [m.id, m.body.toString(), m.replayOf])).toEqual([
        ['rows-out:1-1', '{"seq":1}', 1],
        ['rows-out:3-3', '{"seq":3}', 3],
      ]);
    } finally {
      await after.close();
    }
  }, 60_000);
});
