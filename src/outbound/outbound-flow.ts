import { DataError, formatDataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { OutboundMessage, Sink } from '../core/sink.js';
import type { Mapping } from '../mapping/index.js';
import type { Connection } from '../resilience/connection.js';
import { deliverWithPolicy } from '../resilience/deliver.js';
import type { OutboundMetrics } from '../resilience/metrics.js';
import type { ChangeEvent, ChangeOp, DeliveryAttempt, InflightMessage, Store } from '../store/types.js';
import type { OutboundState } from './flow-state.js';
import { messageId, PayloadBuilder } from './payload.js';
import { Wake } from './wake.js';
import { Watermark } from './watermark.js';

/** An outbound flow as configured and checked. */
export interface AssembledOutbound {
  name: string;
  types: string[];
  ops: ChangeOp[];
  /** Inbound flows whose changes are not delivered (echo suppression). */
  suppress: Set<string>;
  mapping?: Mapping;
  grouping: 'change' | 'batch';
  concurrency: number;
  batch: { maxRecords: number; maxWaitMs: number };
  pollMs: number;
  enabled: boolean;
  connection: string;
  createSink(): Sink;
}

interface Queued {
  change: ChangeEvent;
  readAt: number;
}

/**
 * Runs one outbound flow: reads the change feed after its position, filters (types, ops, echo),
 * delivers per change (keys in parallel up to `concurrency`, one key in seq order) or in batches,
 * and settles each message in the store: position advanced, or dead letter. A message is kept
 * in flight before its first attempt, so a restart sends it again with the same id.
 */
export class OutboundFlowRunner {
  private readonly wake = new Wake();
  private readonly tasks = new Set<Promise<void>>();
  private readonly queue: Queued[] = [];
  private readonly busyKeys = new Set<string>();
  private readonly replaysTaken = new Set<string>();
  private readonly payload: PayloadBuilder;
  private wm!: Watermark;
  private persisted = 0;
  private failure: unknown;
  private disabled = false;
  private active = 0;

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
    this.persisted = position.seq;
    this.state.position = position.seq;
    const sink = this.flow.createSink();
    const unsubscribe = this.store.onCommit?.(this.wake.notify);
    const onStop = () => this.wake.notify();
    stop.addEventListener('abort', onStop, { once: true });
    try {
      // Sent before, never settled: again first, same id and bytes, before anything newer of their keys.
      for (const m of position.inflight) for (const c of m.changes) if (m.replayOf === undefined) this.wm.add(c.seq);
      await Promise.all(position.inflight.map((m) => this.deliver(sink, m, abort, true)));
      for (const m of position.inflight) this.replaysTaken.add(m.id);
      this.state.state = 'running';
      let lastReplayCheck = 0;
      while (!stop.aborted && this.failure === undefined && !this.disabled) {
        await this.read();
        this.dispatch(sink, abort);
        if (Date.now() - lastReplayCheck >= this.flow.pollMs) {
          lastReplayCheck = Date.now();
          for (const m of await this.store.outboundReplays(name)) {
            if (this.replaysTaken.has(m.id)) continue;
            this.replaysTaken.add(m.id);
            this.track(this.deliver(sink, m, abort, true));
          }
        }
        if (this.wm.inFlight === 0 && this.wm.advance() > this.persisted) await this.persist([], undefined);
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
    const room = this.readAhead - this.queue.length;
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
    const batch = this.flow.grouping === 'batch';
    let message: OutboundMessage;
    try {
      message = await this.payload.build(changes, batch);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      if (changes.length === 1) return this.deadLetterUnbuildable(changes[0], e);
      const good: ChangeEvent[] = [];
      for (const c of changes) {
        try {
          await this.payload.build([c], batch);
          good.push(c);
        } catch (e2) {
          if (!(e2 instanceof DataError)) throw e2;
          await this.deadLetterUnbuildable(c, e2);
        }
      }
      if (!good.length) return;
      message = await this.payload.build(good, batch);
    }
    await this.deliver(sink, message, abort, false);
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
    if (!stored) await this.store.outboundBegin(this.flow.name, message);
    this.state.inFlight++;
    const result = await deliverWithPolicy(this.conn, this.flow.name, sink, message, abort, this.log, this.metrics).finally(() => this.state.inFlight--);
    if (result.status === 'aborted') return;
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
    const position = this.wm.settle(seqs);
    await this.persist(seqs, m.id, status === 'dead-lettered' ? { message: sent, attempts } : undefined);
    this.metrics.messages.inc({ flow: this.flow.name, status });
    this.metrics.changes.inc({ flow: this.flow.name, status }, m.changes.length);
    if (status === 'delivered') {
      this.state.delivered++;
      this.state.lastDelivery = { messageId: m.id, at: new Date().toISOString() };
      this.log.info({ flow: this.flow.name, messageId: m.id, changes: m.changes.length, attempts: attempts.length + 1, position, replay: replay || undefined }, 'delivered');
    } else this.state.deadLettered++;
  }

  private async persist(done: number[], messageId: string | undefined, deadLetter?: { message: OutboundMessage; attempts: DeliveryAttempt[] }): Promise<void> {
    const position = this.wm.position;
    await this.store.outboundSettle(this.flow.name, { position, done, messageId, deadLetter });
    this.persisted = Math.max(this.persisted, position);
    this.state.position = this.persisted;
    this.metrics.position.set({ flow: this.flow.name }, this.persisted);
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
