import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flowOrigin, TempStores, upsert } from '../store/test-support.js';
import type { ChangeEvent, Store } from '../store/types.js';
import { ChangeFeed } from './change-feed.js';

const stores = new TempStores();
const feeds: ChangeFeed[] = [];
afterEach(async () => {
  for (const f of feeds.splice(0)) f.close();
  await stores.cleanup();
});

function feedOf(store: Store): ChangeFeed {
  const feed = new ChangeFeed(store, pino({ level: 'silent' }), 5);
  feeds.push(feed);
  return feed;
}

const write = (store: Store, from: number, n: number) =>
  store.apply({ origin: flowOrigin('f'), writes: Array.from({ length: n }, (_, i) => upsert('Price', `P${from + i}`, { sku: `P${from + i}` })) });

/** Polls until `check` holds (a feed poll runs every 5 ms), at most a second. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(5);
  expect(check()).toBe(true);
}

describe('ChangeFeed', () => {
  it('without subscribers follows the head and reads no events', async () => {
    const store = stores.open();
    const feed = feedOf(store);
    await feed.start();
    const reads = vi.spyOn(store, 'changes');
    await write(store, 1, 1500);
    feed.poke();
    await until(() => feed.head === 1500);
    expect(reads).not.toHaveBeenCalled();
  });

  it('hands a subscriber every event after the head it subscribed at, in order, across pages', async () => {
    const store = stores.open();
    const feed = feedOf(store);
    await feed.start();
    await write(store, 1, 10);
    await until(() => feed.head === 10);
    const got: number[] = [];
    feed.subscribe({ deliver: (page: ChangeEvent[]) => got.push(...page.map((c) => c.seq)) });
    await write(store, 11, 1500);
    feed.poke();
    await until(() => got.length === 1500);
    expect(got).toEqual(Array.from({ length: 1500 }, (_, i) => 11 + i));
  });

  it('does not skip events for a subscriber that subscribes while the head is being read', async () => {
    const store = stores.open();
    const feed = feedOf(store);
    await feed.start();
    const got: number[] = [];
    const head = store.head.bind(store);
    // The subscriber comes in between the head's read and its use, at the head it had caught up to.
    vi.spyOn(store, 'head').mockImplementation(async () => {
      const h = await head();
      if (got.length === 0 && h > 0) feed.subscribe({ deliver: (page: ChangeEvent[]) => got.push(...page.map((c) => c.seq)) });
      return h;
    });
    await write(store, 1, 3);
    feed.poke();
    await until(() => got.length === 3);
    expect(got).toEqual([1, 2, 3]);
  });
});
