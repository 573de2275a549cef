import { DataError, formatDataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { OutboundMessage, Sink } from '../core/sink.js';
import type { Connection } from '../resilience/connection.js';
import { deliverWithPolicy } from '../resilience/deliver.js';
import type { OutboundMetrics } from '../resilience/metrics.js';
import type { ChangeEvent, DeliveryAttempt, InflightMessage, Store } from '../store/types.js';
import type { AssembledOutbound } from './assembled-outbound.js';
import type { OutboundState } from './flow-state.js';
import { messageId, PayloadBuilder } from './payload.js';
import { Settler } from './settler.js';
import { Wake } from './wake.js';
import { Watermark } from './watermark.js';

export type { AssembledOutbound } from './assembled-outbound.js';

// The crash test kills the daemon after the sink accepted a message and before it is settled: the
// one window in which a restart must send it again (BRIDGE_FAULT=outbound-kill-after-write:<n>).
const fault = /^outbound-kill-after-write:(\d+)$/.exec(process.env.BRIDGE_FAULT ?? '');
let writesBeforeFault = fault ? Number(fault[1]) : -1;
function crashAfterWriteForTests(): void {
  if (writesBeforeFault > 0 && --writesBeforeFault === 0) process.kill(process.pid, 'SIGKILL');
}

interface Queued {
  change: ChangeEvent;
  readAt: number;
}

/**
 * Runs one outbound flow: reads the change feed after its position, filters (types, ops, echo),
 * delivers per change (keys in parallel up to `concurrency`, one key in seq order) or in batches,
 * and settles each message in the store: position advanced, or dead letter. A batch is kept in
 * the outbox before its first attempt, so a restart sends it again with the same id and bytes.
 */
export class OutboundFlowRunner {
  private readonly wake = new Wake();
  private readonly tasks = new Set<Promise<void>>();
  private readonly queue: Queued[] = [];
  private readonly busyKeys = new Set<string>();
  /** Dead-letter ids of replays taken from the outbox by this run. */
  private readonly replaysTaken = new Set<number>();
  private readonly payload: PayloadBuilder;
  private wm!: Watermark;
  private settler!: Settler;
  private failure: unknown;
  private disabled = false;
  private active = 0;
  private retrying = 0;
  /** 'retrying' while any message waits for its next attempt. */
  private readonly waiting = (on: boolean): void => {
    this.retrying += on ? 1 : -1;
    if (this.state.state === 'running' || this.state.state === 'retrying') this.state.state = this.retrying > 0 ? 'retrying' : 'running';
  };

  constructor(
    private readonly flow: AssembledOutbound,
    private readonly store: Store,
    private readonly conn: Connection,
    private readonly log: Logger,
    private readonly metrics: OutboundMetrics,
    private readonly state: OutboundState,
  ) {
    this.payload = new PayloadBuilder(flow.name, store, flow.mapping);
  }

  /**
   * Runs until `stop` aborts (no new message is started; those in flight finish) or a store
   * error (thrown, after in-flight messages ended). `abort` cuts in-flight attempts short: they
   * stay in the outbox and are sent again after a restart.
   */
  async run(stop: AbortSignal, abort: AbortSignal): Promise<void> {
    const { name } = this.flow;
    const position = await this.store.outboundPosition(name);
    if (position.disabled) return this.markDisabled(position.disabled, false);
    this.wm = new Watermark(position.seq, position.done);
    this.settler = new Settler(name, this.store, this.wm, this.metrics, this.state);
    const sink = this.flow.createSink();
    const unsubscribe = this.store.onCommit?.(this.wake.notify);
    const onStop = () => this.wake.notify();
    stop.addEventListener('abort', onStop, { once: true });
    try {
      // Sent before, never settled: again first, same id and bytes, before anything newer of their keys.
      for (const m of position.inflight) for (const c of m.changes) if (m.replayOf === undefined) this.wm.add(c.seq);
      await Promise.all(position.inflight.map((m) => this.deliver(sink, m, abort, true)));
      for (const m of position.inflight) if (m.replayOf !== undefined) this.replaysTaken.add(m.replayOf);
      this.state.state = 'running';
      let lastReplayCheck = 0;
      while (!stop.aborted && this.failure === undefined && !this.disabled) {
        await this.read();
        this.dispatch(sink, abort);
        if (Date.now() - lastReplayCheck >= this.flow.pollMs) {
          lastReplayCheck = Date.now();
          for (const m of await this.store.outboundReplays(name)) {
            if (this.replaysTaken.has(m.replayOf!)) continue;
            this.replaysTaken.add(m.replayOf!);
            this.track(this.deliver(sink, m, abort, true));
          }
        }
        await this.settler.advanceIdle();
        await this.wake.wait(this.nextWaitMs(), stop);
      }
    } finally {
      stop.removeEventListener('abort', onStop);
      unsubscribe?.();
      await Promise.all(this.tasks);
      await sink.close();
      if (!this.disabled) this.state.state = this.failure === undefined ? 'stopped' : 'failed';
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private get readAhead(): number {
    return this.flow.grouping === 'batch' ? this.flow.batch.maxRecords * 2 : Math.max(256, this.flow.concurrency * 8);
  }

  /** Reads the feed after the read head into the queue; changes not the flow's settle at once. */
  private async read(): Promise<void> {
    // Refilled when half drained: one read per delivery would cost more than the delivery. When
    // every queued change waits behind a key still in flight (a peer retrying one entity), read
    // further, up to a bound, so that other keys are not held up by it.
    const stalled = this.flow.grouping === 'change' && this.active < this.flow.concurrency && this.queue.length > 0;
    const limit = stalled ? this.readAhead * 16 : this.readAhead;
    if (!stalled && this.queue.length > limit / 2) return;
    const room = limit - this.queue.length;
    if (room <= 0) return;
    const changes = await this.store.changes({ after: this.wm.readHead, limit: room, types: this.flow.types });
    const now = Date.now();
    for (const c of changes) {
      this.wm.readHead = c.seq;
      if (this.wm.settledBefore(c.seq) || c.seq <= this.wm.position) continue;
      if (!this.flow.ops.includes(c.op)) continue;
      const from = c.origin.startsWith('flow:') ? c.origin.slice(5) : undefined;
      if (from !== undefined && this.flow.suppress.has(from)) {
        this.state.suppressed++;
        this.metrics.changes.inc({ flow: this.flow.name, status: 'suppressed' });
        this.log.debug({ flow: this.flow.name, seq: c.seq, origin: c.origin }, 'echo suppressed');
        continue;
      }
      this.wm.add(c.seq);
      this.queue.push({ change: c, readAt: now });
    }
    if (changes.length === room) this.wake.notify();
  }

  private nextWaitMs(): number {
    if (this.flow.grouping !== 'batch' || !this.queue.length || this.active) return this.flow.pollMs;
    return Math.max(0, Math.min(this.flow.pollMs, this.queue[0].readAt + this.flow.batch.maxWaitMs - Date.now()));
  }

  /** Starts what may start: per change, keys not busy up to `concurrency`; per batch, one at a time when full or due. */
  private dispatch(sink: Sink, abort: AbortSignal): void {
    if (this.flow.grouping === 'batch') {
      const q = this.queue;
      if (this.active || !q.length) return;
      if (q.length < this.flow.batch.maxRecords && Date.now() - q[0].readAt < this.flow.batch.maxWaitMs) return;
      const taken = q.splice(0, this.flow.batch.maxRecords).map((x) => x.change);
      this.active++;
      this.track(this.send(sink, taken, abort).finally(() => this.active--));
      return;
    }
    const blocked = new Set<string>();
    for (let i = 0; i < this.queue.length && this.active < this.flow.concurrency; ) {
      const c = this.queue[i].change;
      const k = `${c.type}\u0000${c.key}`;
      if (this.busyKeys.has(k) || blocked.has(k)) {
        blocked.add(k);
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.busyKeys.add(k);
      this.active++;
      this.track(
        this.send(sink, [c], abort).finally(() => {
          this.busyKeys.delete(k);
          this.active--;
        }),
      );
    }
  }

  private track(task: Promise<void>): void {
    const t = task
      .catch((e) => {
        this.failure ??= e;
      })
      .finally(() => {
        this.tasks.delete(t);
        this.wake.notify();
      });
    this.tasks.add(t);
  }

  /** Builds the message of new changes and delivers it; changes that cannot be mapped back are dead-lettered on their own. */
  private async send(sink: Sink, changes: ChangeEvent[], abort: AbortSignal): Promise<void> {
    const { message, unbuildable } = await this.payload.buildSplitting(changes, this.flow.grouping === 'batch');
    for (const u of unbuildable) await this.deadLetterUnbuildable(u.change, u.error);
    if (message) await this.deliver(sink, message, abort, false);
  }

  /** A change its mapping cannot map back: dead-lettered with no body; a replay builds it again (after a fix). */
  private async deadLetterUnbuildable(c: ChangeEvent, e: DataError): Promise<void> {
    const message: OutboundMessage = { id: messageId(this.flow.name, [c]), body: Buffer.alloc(0), contentType: 'application/octet-stream', changes: [{ seq: c.seq, type: c.type, key: c.key, op: c.op, version: c.version }], at: c.at };
    const attempts: DeliveryAttempt[] = [{ at: new Date().toISOString(), outcome: 'data', error: e.details.map(formatDataError).join('; ') }];
    this.metrics.decisions.inc({ flow: this.flow.name, decision: 'dead-letter', rule: 'data' });
    this.log.warn({ flow: this.flow.name, messageId: message.id, err: attempts[0].error, decision: 'dead-letter' }, 'change cannot be mapped back: dead-lettered');
    await this.settle(message, 'dead-lettered', attempts, false);
  }

  /** Delivers one message under the connection's policy and settles it. */
  private async deliver(sink: Sink, m: InflightMessage | OutboundMessage, abort: AbortSignal, stored: boolean): Promise<void> {
    const replay = 'replayOf' in m && m.replayOf !== undefined;
    let message: OutboundMessage = m;
    if (m.body.length === 0 && stored) {
      const rebuilt = await this.rebuild(m);
      if (!rebuilt) return;
      message = rebuilt;
    }
    // A batch's make-up depends on timing, so it is kept before it is sent; a per-change message
    // is the same whenever it is built again (id from its seq, body from that version's data).
    if (!stored && this.flow.grouping === 'batch') await this.store.outboundBegin(this.flow.name, message);
    this.state.inFlight++;
    const result = await deliverWithPolicy(this.conn, this.flow.name, sink, message, abort, this.log, this.metrics, this.waiting).finally(() => this.state.inFlight--);
    if (result.status === 'aborted') return;
    if (result.status === 'delivered') crashAfterWriteForTests();
    if (result.status === 'disabled') return this.markDisabled(`${result.error.outcome}: ${result.error.message}`, true);
    if (result.status === 'dead-letter') this.state.lastError = result.error.message;
    await this.settle(m, result.status === 'delivered' ? 'delivered' : 'dead-lettered', result.attempts, replay, message);
  }

  /** A stored message without a body (a change that could not be mapped back): built again now. */
  private async rebuild(m: InflightMessage): Promise<OutboundMessage | undefined> {
    const changes: ChangeEvent[] = [];
    for (const c of m.changes) changes.push(...(await this.store.changes({ after: c.seq - 1, limit: 1 })));
    try {
      return { ...(await this.payload.build(changes, this.flow.grouping === 'batch')), id: m.id };
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      await this.settle(m, 'dead-lettered', [{ at: new Date().toISOString(), outcome: 'data', error: e.details.map(formatDataError).join('; ') }], m.replayOf !== undefined);
      return undefined;
    }
  }

  private async settle(m: OutboundMessage, status: 'delivered' | 'dead-lettered', attempts: DeliveryAttempt[], replay: boolean, sent: OutboundMessage = m): Promise<void> {
    const seqs = replay ? [] : m.changes.map((c) => c.seq);
    const position = await this.settler.settle(seqs, m.id, status === 'dead-lettered' ? { message: sent, attempts } : undefined);
    this.metrics.messages.inc({ flow: this.flow.name, status });
    this.metrics.changes.inc({ flow: this.flow.name, status }, m.changes.length);
    if (status === 'delivered') {
      this.state.delivered++;
      this.state.lastDelivery = { messageId: m.id, at: new Date().toISOString() };
      this.log.info({ flow: this.flow.name, messageId: m.id, changes: m.changes.length, attempts: attempts.length + 1, position, replay: replay || undefined }, 'delivered');
    } else this.state.deadLettered++;
  }

  private async markDisabled(reason: string, record: boolean): Promise<void> {
    this.disabled = true;
    this.state.state = 'disabled';
    this.state.disabledReason = reason;
    this.metrics.disabled.set({ flow: this.flow.name }, 1);
    if (record) await this.store.setOutboundDisabled(this.flow.name, reason);
    this.log.error({ flow: this.flow.name, reason }, 'outbound flow disabled: its endpoint is gone; messages stay in the outbox');
    this.wake.notify();
  }
}
